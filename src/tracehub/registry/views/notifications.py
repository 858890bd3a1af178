"""Console notifications (站内通知): the list, and marking them read through the service.

A notification is stored as an English message with parameters and read in the user's language
(``accounts.Notification.text``); the filing service links it to ``/console/filings/<id>/`` and
the licence reminder to ``/console/licences/<id>/``, which are the registry console's pages here.
"""

from __future__ import annotations

import re

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from tracehub.accounts.selectors import notification_list as notifications_of
from tracehub.accounts.services import notification_mark_read
from tracehub.registry.views.base import console_page, paginate, render_page

#: Links the services write → the console page that shows the object.
_LINKS = {
    "filings": "registry:filing-detail",
    "licences": "registry:licence-detail",
}
_LINK = re.compile(r"^/console/(filings|licences)/(\d+)/$")


def console_link(link: str) -> str:
    """The page a notification's link names, or "" if it names none the console knows."""
    match = _LINK.match(link or "")
    if match:
        return reverse(_LINKS[match.group(1)], kwargs={"pk": int(match.group(2))})
    if link and link.startswith("/console/") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return link
    return ""


@console_page()
def notification_list(request, actor):
    page = paginate(request, notifications_of(user=request.user))
    rows = [{"notification": n, "url": console_link(n.link)} for n in page.object_list]
    return render_page(request, "registry/notification_list.html", {"page": page, "rows": rows})


@require_POST
@console_page()
def notification_read(request, actor):
    """Mark one notification (``id``) or all of the user's notifications read."""
    ids = None
    if "id" in request.POST:
        ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()]
    notification_mark_read(user=request.user, ids=ids)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("registry:notification-list")
    return redirect(target)


@require_POST
@console_page()
def notification_open(request, actor, pk: int):
    """Open what a notification is about, marking it read on the way."""
    notification = notifications_of(user=request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    notification_mark_read(user=request.user, ids=[notification.pk])
    return redirect(console_link(notification.link) or reverse("registry:notification-list"))
