"""What every console page shows in its header band (console/base.html): the user's role, whom
they act for, and the unread-notification badge, on the pages of every app, not only the registry's.

Lazy: public pages never compute them, and a console page pays three small queries only when it
renders the band. Registry pages compute the same through ``views.base.render_page``.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.functional import SimpleLazyObject, lazy


def console_header(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith("/console/"):
        return {}

    def _actor():
        from tracehub.registry.views.base import console_actor

        return console_actor(user)

    actor = SimpleLazyObject(_actor)

    def _role() -> str:
        from tracehub.registry.views.base import _ROLE_LABELS

        return str(_ROLE_LABELS.get(actor.kind, ""))

    def _standing() -> str:
        from tracehub.registry.views.base import _standing as standing

        return standing(actor)

    def _unread() -> int:
        from tracehub.accounts.selectors import notification_list

        return notification_list(user=user, unread_only=True).count()

    return {
        "role_label": lazy(_role, str)(),
        "standing": lazy(_standing, str)(),
        "unread_count": SimpleLazyObject(_unread),
        "notifications_url": reverse("registry:notification-list"),
    }
