"""Pages of the liquor distribution subsystem (G3).

Public (no sign-in): ``/liquor/`` the public notice (公示) of filed operators and certified
products, ``/liquor/catalogue/`` the catalogue of traceable liquor (网络推广) linking each product to
its page on the portal. Console: the step forms, Excel templates and uploads (the entry views of
any :class:`~tracehub.sectors.services_liquor.SectorEntry`, also used by the enterprise pages), the
bureau's filing decisions, and the print-ready accompanying slip (随附单, A4 or A5) with its QR code.
"""

from __future__ import annotations

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tracehub.registry.models import Party
from tracehub.registry.views.base import console_actor
from tracehub.sectors import selectors, selectors_liquor
from tracehub.sectors.entry import Input, party_uri
from tracehub.sectors.messages import render as render_message
from tracehub.sectors.models import StepImportStatus
from tracehub.sectors.models_liquor import LiquorOperatorFiling, LiquorOperatorKind, LiquorProduct
from tracehub.sectors.profile import registry
from tracehub.sectors.services import StepRefused
from tracehub.sectors.services_liquor import (
    LIQUOR_ENTRY,
    SectorEntry,
    import_step,
    liquor_filing_approve,
    liquor_filing_submit,
    liquor_product_certify,
    liquor_product_register,
    record_steps,
    step_import_commit,
    step_import_create,
    template_xlsx,
)

NS = "liquor"


def _zh() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def _label(item) -> str:
    return item.zh if _zh() else item.en


# -- the entry views of a sector ------------------------------------------------------------------


class EntryForm(forms.Form):
    """A phone-sized form of one step's inputs; the service checks the values (and names what is wrong)."""

    def __init__(self, *args, inputs: tuple[Input, ...], actor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        locations = None
        parties = None
        for spec in inputs:
            common = {
                "label": _label(spec),
                "required": spec.required,
                "help_text": spec.help_zh if _zh() else spec.help_en,
            }
            if spec.kind == "location":
                if locations is None:
                    locations = [
                        (loc.identifier, loc.name)
                        for loc in selectors.locations_for(actor)[: selectors.CHOICES_LIMIT]
                    ]
                field = forms.ChoiceField(
                    choices=([] if spec.required else [("", "—")]) + locations, **common
                )
            elif spec.kind == "party":
                if parties is None:
                    parties = [(party_uri(p), p.name) for p in selectors.filed_parties()]
                field = forms.ChoiceField(choices=[("", "—")] + parties, **common)
            elif spec.kind == "choice":
                field = forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in spec.choices], **common)
            elif spec.kind in ("number", "signed"):
                field = forms.CharField(
                    max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common
                )
            elif spec.kind == "time":
                field = forms.CharField(
                    max_length=40, widget=forms.TextInput(attrs={"placeholder": "2026-11-16 08:30"}), **common
                )
            elif spec.kind == "date":
                field = forms.CharField(
                    max_length=10, widget=forms.DateInput(attrs={"type": "date"}), **common
                )
            elif spec.kind in ("lots", "tags", "outputs", "x-items", "x-inputs"):
                field = forms.CharField(max_length=8000, widget=forms.Textarea(attrs={"rows": 3}), **common)
            else:
                field = forms.CharField(max_length=300, **common)
            self.fields[spec.key] = field

    def inputs(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "")}


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))


def _may_record(actor) -> bool:
    return actor.sees_all or actor.acts_for_party


def _entry_step(spec: SectorEntry, step: str):
    if step not in spec.inputs:
        raise Http404("unknown step")
    return registry[spec.sector].step(step)


def entry_form(request, *, spec: SectorEntry, ns: str, step: str, after=None):
    """GET/POST one step's phone form; ``after(result)`` may redirect (a shipment to its slip)."""
    profile_step = _entry_step(spec, step)
    actor = console_actor(request.user)
    if not _may_record(actor):
        raise PermissionDenied(_("Only an enterprise's users record events."))
    inputs = spec.inputs[step]
    form = EntryForm(request.POST or None, inputs=inputs, actor=actor)
    status, recorded = 200, None
    if request.method == "POST":
        if form.is_valid():
            try:
                result = record_steps(actor=actor, spec=spec, step=step, rows=[form.inputs()])[0]
            except StepRefused as exc:
                status = 403 if exc.forbidden else 400
                for error in exc.errors:
                    name = error["field"] if error["field"] in form.fields else None
                    form.add_error(
                        name, render_message(error) if name else f"{error['field']}: {render_message(error)}"
                    )
            else:
                if after is not None and (response := after(result)) is not None:
                    return response
                recorded = result
                form = EntryForm(inputs=inputs, actor=actor)
        else:
            status = 400
    return render(
        request,
        "sectors/liquor/step_form.html",
        {
            "ns": ns,
            "step": profile_step,
            "step_label": _label(profile_step),
            "form": form,
            "recorded": recorded,
        },
        status=status,
    )


def entry_template(request, *, spec: SectorEntry, step: str):
    _entry_step(spec, step)
    response = HttpResponse(
        template_xlsx(spec, step),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="tracehub-{spec.sector}-{step}.xlsx"'
    return response


def entry_import(request, *, spec: SectorEntry, ns: str, step: str):
    profile_step = _entry_step(spec, step)
    actor = console_actor(request.user)
    if not _may_record(actor):
        raise PermissionDenied(_("Only an enterprise's users record events."))
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = step_import_create(
                    actor=actor, spec=spec, step=step, content=form.cleaned_data["file"].read()
                )
            except StepRefused as exc:
                status = 400
                for error in exc.errors:
                    form.add_error("file", render_message(error))
            else:
                return redirect(f"{ns}:import-detail", pk=batch.pk)
        else:
            status = 400
    return render(
        request,
        "sectors/liquor/import.html",
        {"ns": ns, "step": profile_step, "step_label": _label(profile_step), "form": form},
        status=status,
    )


def _batch(request, spec: SectorEntry, pk: int):
    actor = console_actor(request.user)
    batch = selectors.step_import_get(actor=actor, pk=pk)
    if batch is None or not import_step(spec, batch):
        raise Http404("no such import")
    return actor, batch


def entry_import_detail(request, *, spec: SectorEntry, ns: str, pk: int):
    _actor, batch = _batch(request, spec, pk)
    step = import_step(spec, batch)
    profile_step = _entry_step(spec, step)
    inputs = spec.inputs[step]
    rows = [
        {
            "row": row["row"],
            "values": [row["values"].get(s.key, "") for s in inputs],
            "errors": batch.errors.get(str(row["row"]), []),
        }
        for row in batch.rows
    ]
    return render(
        request,
        "sectors/liquor/import_detail.html",
        {
            "ns": ns,
            "batch": batch,
            "step_label": _label(profile_step),
            "headers": [_label(s) for s in inputs],
            "rows": rows,
            "committable": batch.status == StepImportStatus.CHECKED,
        },
    )


def entry_import_commit(request, *, spec: SectorEntry, ns: str, pk: int):
    actor, batch = _batch(request, spec, pk)
    try:
        step_import_commit(actor=actor, spec=spec, batch=batch)
    except StepRefused as exc:
        return HttpResponse(
            "; ".join(render_message(e) for e in exc.errors), status=409, content_type="text/plain"
        )
    return redirect(reverse(f"{ns}:import-detail", kwargs={"pk": batch.pk}))


# -- liquor console pages ----------------------------------------------------------------------------


def _to_slip(result):
    number = result.extra.get("slip")
    if result.step == "wholesale" and number:
        return redirect("liquor:slip", number=number)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def step_form(request, step: str):
    return entry_form(request, spec=LIQUOR_ENTRY, ns=NS, step=step, after=_to_slip)


@login_required
def template(request, step: str):
    return entry_template(request, spec=LIQUOR_ENTRY, step=step)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, step: str):
    return entry_import(request, spec=LIQUOR_ENTRY, ns=NS, step=step)


@login_required
def import_detail(request, pk: int):
    return entry_import_detail(request, spec=LIQUOR_ENTRY, ns=NS, pk=pk)


@login_required
@require_POST
def import_commit(request, pk: int):
    return entry_import_commit(request, spec=LIQUOR_ENTRY, ns=NS, pk=pk)


@login_required
def index(request):
    actor = console_actor(request.user)
    profile = registry[LIQUOR_ENTRY.sector]
    return render(
        request,
        "sectors/liquor/index.html",
        {
            "steps": [(s.key, _label(s)) for s in profile.steps],
            "may_record": _may_record(actor),
            "slips": list(selectors_liquor.slips_for(actor)),
            "filings": list(selectors_liquor.filings_for(actor)),
            "decides": actor.sees_all or (actor.oversees and "liquor" in actor.sectors),
            "products": list(selectors_liquor.products_for(actor)),
            "unregistered": list(
                selectors_liquor.unregistered_liquor_products(actor)[: selectors_liquor.LIMIT]
            ),
            "kinds": LiquorOperatorKind.choices,
            "applies": actor.acts_for_party,
        },
    )


def _refused(exc: ValidationError) -> HttpResponse:
    messages = (
        [f"{k}: {m}" for k, ms in exc.message_dict.items() for m in ms]
        if hasattr(exc, "error_dict")
        else exc.messages
    )
    return HttpResponse("; ".join(messages), status=400, content_type="text/plain; charset=utf-8")


@login_required
@require_POST
def filing_apply(request):
    """An operator applies for its liquor filing (登记备案)."""
    actor = console_actor(request.user)
    party = Party.objects.filter(pk=actor.party_id).first() if actor.acts_for_party else None
    if party is None:
        raise PermissionDenied(_("Only an enterprise's users apply for its filing."))
    try:
        liquor_filing_submit(
            actor=actor,
            party=party,
            kind=request.POST.get("kind", ""),
            premises=request.POST.get("premises", ""),
        )
    except ValidationError as exc:
        return _refused(exc)
    return redirect("liquor:index")


@login_required
@require_POST
def product_register(request):
    """The operator records a product's liquor information (生产商、净含量、产地)."""
    actor = console_actor(request.user)
    product = (
        selectors_liquor.unregistered_liquor_products(actor)
        .filter(pk=request.POST.get("product") or 0)
        .first()
    )
    if product is None:
        raise Http404("no such product")
    volume = request.POST.get("volume_ml", "")
    try:
        liquor_product_register(
            actor=actor,
            product=product,
            producer_name=request.POST.get("producer_name", ""),
            volume_ml=int(volume) if volume.isdigit() else -1,
            origin=request.POST.get("origin", ""),
        )
    except ValidationError as exc:
        return _refused(exc)
    return redirect("liquor:index")


@login_required
@require_POST
def product_certify(request, pk: int):
    """The liquor bureau certifies a product and lists it in the public catalogue."""
    actor = console_actor(request.user)
    info = LiquorProduct.objects.select_related("product__party").filter(pk=pk).first()
    if info is None:
        raise Http404("no such product")
    try:
        liquor_product_certify(
            actor=actor, info=info, certificate_number=request.POST.get("certificate_number", "")
        )
    except ValidationError as exc:
        return _refused(exc)
    return redirect("liquor:index")


@login_required
@require_POST
def filing_approve(request, pk: int):
    actor = console_actor(request.user)
    filing = LiquorOperatorFiling.objects.select_related("party").filter(pk=pk).first()
    if filing is None:
        raise Http404("no such filing")
    try:
        liquor_filing_approve(actor=actor, filing=filing)
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=409, content_type="text/plain")
    return redirect("liquor:index")


@login_required
def slip(request, number: str):
    """The accompanying slip, print-ready (A4 by default, ``?size=a5``), with its QR code."""
    found = selectors_liquor.slip_get(actor=console_actor(request.user), number=number)
    if found is None:
        raise Http404("no such slip")
    size = "a5" if request.GET.get("size") == "a5" else "a4"
    url = request.build_absolute_uri(reverse("liquor:slip", kwargs={"number": found.number}))
    qr = segno.make(url, error="m").svg_inline(scale=3, dark="#000", title=found.grouped)
    return render(
        request, "sectors/liquor/slip.html", {"slip": found, "qr": qr, "size": size, "slip_url": url}
    )


# -- public pages (no sign-in) ------------------------------------------------------------------------


def public_list(request):
    """公示: the filed liquor operators and the certified products."""
    return render(
        request,
        "sectors/liquor/public.html",
        {
            "operators": list(selectors_liquor.public_operators()),
            "products": list(selectors_liquor.certified_products()),
        },
    )


def public_catalogue(request):
    """网络推广: certified liquor with its trace codes, each linking to the portal's product page."""
    entries = selectors_liquor.catalogue()
    for item in entries:
        url = request.build_absolute_uri(item["path"])
        item["qr"] = segno.make(url, error="m").svg_inline(scale=3, dark="#000", title=item["product"].name)
    return render(request, "sectors/liquor/catalogue.html", {"entries": entries})
