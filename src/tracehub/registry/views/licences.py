"""Licences and documents in the console (证照, issue #3 item 2): record them with their scan,
flag those expiring within TRACEHUB_LICENCE_EXPIRY_DAYS, open a scan (audited)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from tracehub.registry import selectors, services
from tracehub.registry.forms import LicenceFilterForm, LicenceForm
from tracehub.registry.permissions import can
from tracehub.registry.views.base import (
    ENTERPRISE,
    FAILED,
    OVERSEERS,
    READERS,
    call_service,
    console_page,
    is_enterprise_admin,
    paginate,
    render_page,
)
from tracehub.registry.views.places import acting_party

ALL_ROLES = (*ENTERPRISE, *READERS)


def _with_flags(licences) -> list:
    return [(lic, selectors.licence_is_expiring(lic)) for lic in licences]


@console_page(*ALL_ROLES)
def licence_list(request, actor):
    """The licences the user may see: an enterprise its own, an official those of their parties."""
    form = LicenceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    licences = selectors.licence_list(actor=actor, kind=filters.get("kind"), q=filters.get("q"))
    page = paginate(request, licences)
    context = {
        "form": form,
        "page": page,
        "rows": _with_flags(page.object_list),
        "can_add": is_enterprise_admin(actor),
    }
    return render_page(request, "registry/licence_list.html", context)


@console_page(*OVERSEERS, "auditor")
def licence_expiring(request, actor):
    """Licences of the user's parties that expire within the flag window, soonest first."""
    days = settings.TRACEHUB_LICENCE_EXPIRY_DAYS
    licences = selectors.licence_list(actor=actor, expiring_within_days=days).order_by("valid_until", "id")
    context = {"page": paginate(request, licences), "days": days}
    return render_page(request, "registry/licence_expiring.html", context)


def _save_licence(actor, form, *, party=None, licence=None):
    """Create or update the licence and attach its scan in one transaction: a scan the service
    refuses rolls the licence back, so nothing partial is stored."""
    data = dict(form.cleaned_data)
    upload = data.pop("file", None)
    with transaction.atomic():
        if licence is None:
            licence = services.licence_create(actor=actor, party=party, **data)
        else:
            licence = services.licence_update(actor=actor, licence=licence, **data)
        if upload:
            services.licence_attach_file(actor=actor, licence=licence, content=upload, filename=upload.name)
    return licence


@console_page(*ENTERPRISE, "operator")
def licence_create(request, actor):
    party = acting_party(request, actor)
    if not can(actor, "licence.change", party):
        raise PermissionDenied
    form = LicenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        licence = call_service(form, lambda: _save_licence(actor, form, party=party))
        if licence is not FAILED:
            messages.success(request, _("The licence is recorded."))
            return redirect("registry:licence-detail", pk=licence.pk)
    return render_page(request, "registry/licence_form.html", {"form": form, "party": party, "licence": None})


@console_page(*ALL_ROLES)
def licence_detail(request, actor, pk: int):
    licence = selectors.licence_get(actor=actor, pk=pk)
    context = {
        "licence": licence,
        "expiring": selectors.licence_is_expiring(licence),
        "can_change": can(actor, "licence.change", licence),
    }
    return render_page(request, "registry/licence_detail.html", context)


@console_page(*ALL_ROLES)
def licence_edit(request, actor, pk: int):
    licence = selectors.licence_get(actor=actor, pk=pk)
    if not can(actor, "licence.change", licence):
        raise PermissionDenied
    form = LicenceForm(
        request.POST or None, request.FILES or None, licence=licence, initial=LicenceForm.initial_for(licence)
    )
    if request.method == "POST" and form.is_valid():
        saved = call_service(form, lambda: _save_licence(actor, form, licence=licence))
        if saved is not FAILED:
            messages.success(request, _("The licence is saved."))
            return redirect("registry:licence-detail", pk=saved.pk)
    return render_page(
        request,
        "registry/licence_form.html",
        {"form": form, "party": licence.party, "licence": licence},
    )


@console_page(*ALL_ROLES)
def licence_file(request, actor, pk: int):
    """The licence's scan, shown in the browser; the service records who opened it."""
    licence = selectors.licence_get(actor=actor, pk=pk)
    handle = services.licence_file_open(actor=actor, licence=licence)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
        licence.file_type, "bin"
    )
    response = FileResponse(
        handle,
        content_type=licence.file_type or "application/octet-stream",
        filename=f"licence-{licence.pk}.{extension}",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@console_page(*ALL_ROLES)
def licence_delete(request, actor, pk: int):
    """Remove a licence recorded by mistake (after a confirmation); its audit rows stay."""
    licence = selectors.licence_get(actor=actor, pk=pk)
    if not can(actor, "licence.change", licence):
        raise PermissionDenied
    if request.method == "POST":
        party_id = licence.party_id
        services.licence_delete(actor=actor, licence=licence)
        messages.success(request, _("The licence is removed."))
        return redirect("registry:party-detail", pk=party_id)
    return render_page(request, "registry/licence_delete.html", {"licence": licence})
