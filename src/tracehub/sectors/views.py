"""Console pages of the sector subsystems (/console/sectors/): phone-sized step forms, the trace
voucher of a sale with its QR code, and the Excel import of step entries (issue #6 item 6)."""

from __future__ import annotations

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tracehub.registry.views.base import console_actor
from tracehub.sectors import selectors
from tracehub.sectors.entry import STEP_INPUTS
from tracehub.sectors.forms import StepForm, UploadForm
from tracehub.sectors.imports import template_xlsx
from tracehub.sectors.messages import render as render_message
from tracehub.sectors.models import StepImportStatus
from tracehub.sectors.profile import registry
from tracehub.sectors.profiles.meat_veg import SECTOR
from tracehub.sectors.services import StepRefused, step_import_commit, step_import_create, step_record


def _zh() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def _step(step: str):
    if step not in STEP_INPUTS:
        raise Http404("unknown step")
    return registry[SECTOR].step(step)


def _step_label(step) -> str:
    return step.zh if _zh() else step.en


def _may_record(actor) -> bool:
    return actor.sees_all or actor.acts_for_party


@login_required
def index(request):
    actor = console_actor(request.user)
    steps = [(s.key, _step_label(s), s.biz_step) for s in registry[SECTOR].steps]
    return render(
        request,
        "sectors/index.html",
        {
            "steps": steps,
            "may_record": _may_record(actor),
            "vouchers": list(selectors.vouchers_for(actor)),
            "profiles": [(p.sector, p.zh if _zh() else p.en) for p in registry],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def step_form(request, step: str):
    profile_step = _step(step)
    actor = console_actor(request.user)
    if not _may_record(actor):
        raise PermissionDenied(_("Only an enterprise's users record events."))
    form = StepForm(request.POST or None, step=step, actor=actor)
    status = 200
    recorded = None
    if request.method == "POST":
        if form.is_valid():
            try:
                result = step_record(actor=actor, step=step, data=form.inputs())
            except StepRefused as exc:
                status = 403 if exc.forbidden else 400
                for error in exc.errors:
                    name = error["field"] if error["field"] in form.fields else None
                    # In the user's language, from the error's code and params (tracehub.sectors.messages).
                    text = render_message(error)
                    message = text if name else f"{error['field']}: {text}"
                    form.add_error(name, message)
            else:
                if result.voucher is not None:
                    return redirect("sectors:voucher", code=result.voucher.code)
                recorded = result
                form = StepForm(step=step, actor=actor)
        else:
            status = 400
    return render(
        request,
        "sectors/step_form.html",
        {"step": profile_step, "step_label": _step_label(profile_step), "form": form, "recorded": recorded},
        status=status,
    )


@login_required
def voucher(request, code: str):
    actor = console_actor(request.user)
    found = selectors.voucher_get(actor=actor, code=code)
    if found is None:
        raise Http404("no such voucher")
    qr = segno.make(found.code, error="m").svg_inline(scale=5, dark="#111", title=found.grouped)
    return render(request, "sectors/voucher.html", {"voucher": found, "qr": qr})


@login_required
def template(request, step: str):
    _step(step)
    response = HttpResponse(
        template_xlsx(step), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="tracehub-{SECTOR}-{step}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, step: str):
    profile_step = _step(step)
    actor = console_actor(request.user)
    if not _may_record(actor):
        raise PermissionDenied(_("Only an enterprise's users record events."))
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = step_import_create(actor=actor, step=step, content=form.cleaned_data["file"].read())
            except StepRefused as exc:
                status = 400
                for error in exc.errors:
                    form.add_error("file", render_message(error))
            else:
                return redirect("sectors:import-detail", pk=batch.pk)
        else:
            status = 400
    return render(
        request,
        "sectors/import.html",
        {"step": profile_step, "step_label": _step_label(profile_step), "form": form},
        status=status,
    )


@login_required
def import_detail(request, pk: int):
    actor = console_actor(request.user)
    batch = selectors.step_import_get(actor=actor, pk=pk)
    if batch is None:
        raise Http404("no such import")
    profile_step = _step(batch.step)
    keys = [spec.key for spec in STEP_INPUTS[batch.step]]
    rows = [
        {
            "row": row["row"],
            "values": [row["values"].get(k, "") for k in keys],
            "errors": batch.errors.get(str(row["row"]), []),
        }
        for row in batch.rows
    ]
    return render(
        request,
        "sectors/import_detail.html",
        {
            "batch": batch,
            "step_label": _step_label(profile_step),
            "headers": [spec.zh if _zh() else spec.en for spec in STEP_INPUTS[batch.step]],
            "rows": rows,
            "committable": batch.status == StepImportStatus.CHECKED,
            "committed": batch.status == StepImportStatus.COMMITTED,
        },
    )


@login_required
@require_POST
def import_commit(request, pk: int):
    actor = console_actor(request.user)
    batch = selectors.step_import_get(actor=actor, pk=pk)
    if batch is None:
        raise Http404("no such import")
    try:
        step_import_commit(actor=actor, batch=batch)
    except StepRefused as exc:
        return HttpResponse(
            "; ".join(render_message(e) for e in exc.errors), status=409, content_type="text/plain"
        )
    return redirect(reverse("sectors:import-detail", kwargs={"pk": batch.pk}))
