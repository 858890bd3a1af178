"""Template context every page has (settings.TEMPLATES)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

#: The platform's name in the header, titles and e-mails (zh-hans: 厦门市重要产品追溯平台).
PLATFORM_NAME = _("Xiamen Important Product Traceability Platform")


def platform(request):
    """``platform_name`` and ``console_menu`` (the groups of console links this user may see).

    The menu is lazy: public pages that never show it never compute it.
    """

    def _menu():
        from tracehub.core.console import menu

        return menu.for_user(getattr(request, "user", None), request.path)

    return {"platform_name": PLATFORM_NAME, "console_menu": SimpleLazyObject(_menu)}
