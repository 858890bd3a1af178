"""Plumbing of the registry console pages: who asks, paging, and service errors on forms.

Every page is a thin view (parse, call one service or selector, render). Who may see and do what is
decided by the services and selectors (docs/permissions.md); here their exceptions become pages:
the model's ``DoesNotExist`` a 404 (the user may not know the object exists), ``PermissionDenied``
a 403 (visible, but not this user's to do), ``Conflict`` a 409 page naming the state, and
``ValidationError`` messages on the form's fields, in the user's language.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tracehub.accounts.models import Role
from tracehub.accounts.selectors import department_list, notification_list
from tracehub.core.errors import Conflict
from tracehub.registry import selectors
from tracehub.registry.actors import Actor, ActorKind, actor_for_user

#: Page sizes a list offers; the query count does not depend on it (asserted in the tests).
PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_PAGE_SIZE = 20

ENTERPRISE = (ActorKind.ENTERPRISE_ADMIN, ActorKind.ENTERPRISE_STAFF)
OVERSEERS = (ActorKind.OFFICIAL, ActorKind.OPERATOR)
READERS = (*OVERSEERS, ActorKind.AUDITOR)

#: A service call that failed with messages put on the form.
FAILED: Any = object()


def console_actor(user) -> Actor:
    """The console user's actor, built once per request: the menu's visibility tests, the unread
    badge and the view all ask, and each build costs a few queries."""
    actor = getattr(user, "_tracehub_console_actor", None)
    if actor is None:
        actor = actor_for_user(user)
        if user is not None and getattr(user, "is_authenticated", False):
            user._tracehub_console_actor = actor
    return actor


def is_enterprise(actor: Actor) -> bool:
    return actor.kind in ENTERPRISE and actor.party_id is not None


def is_enterprise_admin(actor: Actor) -> bool:
    return actor.kind == ActorKind.ENTERPRISE_ADMIN and actor.party_id is not None


def is_overseer(actor: Actor) -> bool:
    """A bureau official (their sectors and districts) or a platform operator (everything)."""
    return actor.kind in OVERSEERS


def is_reader(actor: Actor) -> bool:
    """Who reads parties and filings beyond their own: overseers and certification auditors."""
    return actor.kind in READERS


def lacks_party(user) -> bool:
    """An enterprise user whose account is not linked to a party yet: they register it first."""
    if not getattr(user, "is_authenticated", False):
        return False
    actor = console_actor(user)
    if actor.kind != ActorKind.NOBODY:
        return False
    profile = getattr(user, "profile", None)
    return profile is not None and profile.role in (Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_STAFF)


def console_page(*kinds: str) -> Callable:
    """A console page for signed-in users of the given actor kinds (all kinds when none is given).

    Anonymous users are sent to sign in; a signed-in user of another kind gets the 403 page (never
    the sign-in page again, docs/pages.md). The view is called as ``view(request, actor, ...)``.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            actor = console_actor(request.user)
            if kinds and actor.kind not in kinds:
                raise PermissionDenied
            try:
                return view(request, actor, *args, **kwargs)
            except ObjectDoesNotExist:
                # Missing and not visible are one answer, so nothing leaks (docs/permissions.md).
                raise Http404 from None
            except Conflict as exc:
                return render_page(request, "registry/conflict.html", {"message": exc.message}, status=409)

        return login_required(wrapper)

    return decorate


_ROLE_LABELS = {
    ActorKind.OPERATOR: Role.OPERATOR.label,
    ActorKind.OFFICIAL: Role.OFFICIAL.label,
    ActorKind.ENTERPRISE_ADMIN: Role.ENTERPRISE_ADMIN.label,
    ActorKind.ENTERPRISE_STAFF: Role.ENTERPRISE_STAFF.label,
    ActorKind.AUDITOR: Role.AUDITOR.label,
}


def _standing(actor: Actor) -> str:
    """Whom the user acts for, shown beside the role: their party or their department."""
    if actor.party_id is not None:
        parties = selectors.party_list(actor=actor).filter(pk=actor.party_id)
        return parties.values_list("name", flat=True).first() or ""
    if actor.department_id is not None:
        departments = department_list().filter(pk=actor.department_id)
        return departments.values_list("name", flat=True).first() or ""
    return ""


def render_page(request: HttpRequest, template: str, context: dict | None = None, status: int = 200):
    """Render a console page with what every registry page shows in its header: the user's role,
    whom they act for, and the unread notification badge (a fixed number of queries)."""
    user = request.user
    actor = console_actor(user)
    data = {
        "actor": actor,
        "role_label": _ROLE_LABELS.get(actor.kind, ""),
        "standing": _standing(actor),
        "unread_count": notification_list(user=user, unread_only=True).count(),
        "page_sizes": PAGE_SIZES,
    }
    data.update(context or {})
    return render(request, template, data, status=status)


def paginate(request: HttpRequest, queryset, *, per_page: int | None = None) -> Page:
    """One page of ``queryset`` (``?page=``, ``?per_page=`` among PAGE_SIZES).

    A page costs a count and one query for its rows plus the selector's prefetches, whatever its
    size; out-of-range page numbers give the last page rather than an error."""
    if per_page is None:
        try:
            per_page = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
        except ValueError:
            per_page = DEFAULT_PAGE_SIZE
        if per_page not in PAGE_SIZES:
            per_page = DEFAULT_PAGE_SIZE
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def add_service_errors(form, exc: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Put a service's ``ValidationError`` on the form: each message on the field it names
    (``company_prefixes.1`` on ``company_prefixes``, ``attributes.toxicity`` on ``attr_toxicity``
    through ``field_map``), the rest above the form."""
    field_map = field_map or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, messages in exc.message_dict.items():
        target = field_map.get(name) or field_map.get(name.split(".", 1)[0]) or name.split(".", 1)[0]
        if target == NON_FIELD_ERRORS or target not in form.fields:
            target = None
        # A field that already failed the form's own checks is not reported twice.
        if target is not None and target in form.errors:
            continue
        form.add_error(target, messages)


def call_service(form, call: Callable[[], Any], field_map: dict[str, str] | None = None) -> Any:
    """Run one service call for a submitted form; on bad input or a conflicting state, put the
    messages on the form and return ``FAILED`` (the view renders the form again with them)."""
    try:
        return call()
    except ValidationError as exc:
        add_service_errors(form, exc, field_map)
    except Conflict as exc:
        form.add_error(None, exc.message)
    return FAILED
