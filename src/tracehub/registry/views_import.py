"""Bulk import pages of the console under /console/registry/import/ (issue #3 item 7; P3).

Three steps on two pages: the import page offers the templates and takes the upload; the batch
page shows the preview (each error by row, column and reason, then the rows) and, when nothing
is wrong, the button that stores the whole file. Thin: parse, call ``tracehub.registry.imports``,
render. What the user may import is the engine's question (``import_kinds_for``).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tracehub.core.errors import Conflict
from tracehub.registry import imports
from tracehub.registry.actors import ActorKind
from tracehub.registry.import_templates import template_response
from tracehub.registry.models import ImportKind, ImportStatus, Location, Party, Product
from tracehub.registry.views.base import console_page, render_page

#: Who may open the import pages; which kinds each may import is ``imports.import_kinds_for``.
IMPORTERS = (ActorKind.OPERATOR, ActorKind.OFFICIAL, ActorKind.ENTERPRISE_ADMIN)
#: Rows of the preview per page, and errors listed above them (the rows mark the rest).
ROWS_PER_PAGE = 50
ERRORS_SHOWN = 200

KIND_HELP = {
    ImportKind.PARTIES: _("Enterprises, farmers and stall holders you register, one per row."),
    ImportKind.LOCATIONS: _("Farms, plants, warehouses, stalls and shops, one per row."),
    ImportKind.PRODUCTS: _("Products by GTIN or platform code, with their sector attributes."),
}


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file holds"), widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("File"),
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,.csv,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, kinds: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, ImportKind(k).label) for k in kinds]
        self.fields["file"].help_text = _(
            "The filled-in template, as Excel (.xlsx) or CSV: at most %(size)s MB and %(rows)d rows."
        ) % {
            "size": f"{settings.TRACEHUB_IMPORT_MAX_BYTES / (1024 * 1024):g}",
            "rows": settings.TRACEHUB_IMPORT_MAX_ROWS,
        }


def _kinds(actor) -> list[str]:
    kinds = imports.import_kinds_for(actor)
    if not kinds:
        raise PermissionDenied
    return kinds


@console_page(*IMPORTERS)
def import_index(request, actor):
    kinds = _kinds(actor)
    status = 200
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES, kinds=kinds)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = imports.import_batch_create(
                    actor=actor, kind=form.cleaned_data["kind"], content=upload, filename=upload.name
                )
            except ValidationError as exc:
                for field, texts in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, texts)
            except PermissionDenied as exc:
                form.add_error("kind", str(exc))
            else:
                return redirect("registry_import:batch", pk=batch.pk)
        status = 400
    else:
        wanted = request.GET.get("kind")
        form = ImportUploadForm(kinds=kinds, initial={"kind": wanted if wanted in kinds else kinds[0]})
    context = {
        "form": form,
        "kinds": [{"value": k, "label": ImportKind(k).label, "help": KIND_HELP[k]} for k in kinds],
        "batches": imports.import_batch_list(actor=actor),
    }
    response = render_page(request, "registry/import/index.html", context)
    response.status_code = status  # 400: the upload was refused, the form says why
    return response


def _created_links(batch) -> list[dict]:
    """Links to what a committed batch created (the first page of them), by name."""
    model, route = {
        ImportKind.PARTIES: (Party, "registry:party-detail"),
        ImportKind.LOCATIONS: (Location, "registry:location-detail"),
        ImportKind.PRODUCTS: (Product, "registry:product-detail"),
    }[batch.kind]
    ids = batch.created_ids[:ROWS_PER_PAGE]
    names = dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))
    links = []
    for pk in ids:
        if pk not in names:
            continue  # removed since
        try:
            url = reverse(route, kwargs={"pk": pk})
        except NoReverseMatch:
            url = ""
        links.append({"url": url, "name": names[pk]})
    return links


@console_page(*IMPORTERS)
def import_batch(request, actor, pk: int):
    batch = imports.import_batch_get(actor=actor, pk=pk)
    page = Paginator(batch.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    by_row: dict[int | None, list[dict]] = {}
    for error in batch.errors:
        by_row.setdefault(error["row"], []).append(error)
    rows = []
    for row in page.object_list:
        flagged = {e["field"] for e in by_row.get(row["row"], ())}
        rows.append(
            {
                "row": row["row"],
                "ok": row.get("ok", True),
                "cells": [
                    {"value": row["values"].get(c["field"], ""), "error": c["field"] in flagged}
                    for c in batch.columns
                ],
            }
        )
    context = {
        "batch": batch,
        "page": page,
        "rows": rows,
        "errors": batch.errors[:ERRORS_SHOWN],
        "more_errors": max(0, len(batch.errors) - ERRORS_SHOWN),
        "created": _created_links(batch) if batch.status == ImportStatus.COMMITTED else [],
        "expired": batch.is_expired,
    }
    return render_page(request, "registry/import/batch.html", context)


@require_POST
@console_page(*IMPORTERS)
def import_commit(request, actor, pk: int):
    batch = imports.import_batch_get(actor=actor, pk=pk)
    try:
        batch = imports.import_batch_commit(actor=actor, batch=batch)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("registry_import:batch", pk=pk)
    if batch.status == ImportStatus.COMMITTED:
        count = len(batch.created_ids)
        messages.success(
            request, ngettext("%(n)d record stored.", "%(n)d records stored.", count) % {"n": count}
        )
    else:
        messages.error(
            request,
            gettext(
                "Nothing was stored: some rows no longer pass because the data changed since the "
                "preview. The errors are listed below; correct the file and upload it again."
            ),
        )
    return redirect("registry_import:batch", pk=batch.pk)


@login_required
def import_template(request, kind: str, file_format: str):
    """A template for download (no data in it: any console user may have it)."""
    return template_response(kind, file_format)
