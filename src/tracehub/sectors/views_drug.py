"""Console pages of the drug subsystem (/console/sectors/drug/), and the step entry pages of the
G2/G6 sectors (phone-sized forms and Excel imports, shared by /console/sectors/import_food/).

The step pages take their sector from the URL configuration (``urls_drug``, ``urls_import``) and
call the one entry service (``services.steps_record``), as the API does.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tracehub.registry.actors import Actor
from tracehub.registry.models import PartyType, Product
from tracehub.registry.views.base import console_actor
from tracehub.sectors import selectors, selectors_drug
from tracehub.sectors.entry import StepEntry, entries_of, entry_for, party_uri
from tracehub.sectors.forms import UploadForm
from tracehub.sectors.imports import template_xlsx
from tracehub.sectors.messages import render as render_message
from tracehub.sectors.models import StepImportStatus
from tracehub.sectors.profile import registry
from tracehub.sectors.profiles.drug import DISPENSE_TYPE_LABELS
from tracehub.sectors.services import StepRefused, step_import_commit, step_import_create, step_record
from tracehub.sectors.services_food import CERTIFICATE_KIND_LABELS, RESULT_LABELS

NAMESPACES = {"drug": "sectors_drug", "import_food": "sectors_import", "food": "sectors_food"}


def _zh() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def _spec(sector: str, step: str) -> StepEntry:
    spec = entry_for(sector, step)
    if spec is None:
        raise Http404("unknown step")
    return spec


def _label(obj) -> str:
    return obj.zh if _zh() else obj.en


def _may_record(actor: Actor) -> bool:
    return actor.sees_all or actor.acts_for_party


def _may_oversee(actor: Actor) -> bool:
    return actor.sees_all or (actor.oversees and "drug" in actor.sectors)


CHOICE_LABELS = {**DISPENSE_TYPE_LABELS, **CERTIFICATE_KIND_LABELS, **RESULT_LABELS}


class EntryForm(forms.Form):
    """The phone form of one G2/G6 step, built from its inputs; the service checks the values
    again and names what is wrong."""

    def __init__(self, *args, spec: StepEntry, actor: Actor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        locations = list(selectors.locations_for(actor)[: selectors.CHOICES_LIMIT])
        parties = None
        for item in spec.inputs:
            common = {
                "label": _label(item),
                "required": item.required,
                "help_text": item.help_zh if _zh() else "",
            }
            if item.kind == "location":
                field = forms.ChoiceField(choices=[(loc.identifier, loc.name) for loc in locations], **common)
                if len(locations) == 1:
                    field.initial = locations[0].identifier
            elif item.kind == "party":
                if parties is None:
                    parties = [(party_uri(p), p.name) for p in selectors.filed_parties()]
                field = forms.ChoiceField(choices=[("", "—")] + parties, **common)
            elif item.kind == "number":
                field = forms.DecimalField(
                    min_value=0,
                    max_digits=16,
                    decimal_places=4,
                    widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
                    **common,
                )
            elif item.kind == "days":
                field = forms.IntegerField(
                    min_value=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"}), **common
                )
            elif item.kind == "choice":
                labels = [(c, CHOICE_LABELS.get(c, (c, c))[0 if _zh() else 1]) for c in item.choices]
                field = forms.ChoiceField(choices=[("", "—")] + labels, **common)
            elif item.kind == "codes":
                field = forms.CharField(max_length=20000, widget=forms.Textarea(attrs={"rows": 3}), **common)
            elif item.kind in ("date",):
                field = forms.CharField(
                    max_length=10, widget=forms.TextInput(attrs={"placeholder": "2026-11-16"}), **common
                )
            elif item.kind == "time":
                field = forms.CharField(
                    max_length=40, widget=forms.TextInput(attrs={"placeholder": "2026-11-16 08:30"}), **common
                )
            elif item.kind in ("declaration",):
                field = forms.CharField(
                    max_length=24, widget=forms.TextInput(attrs={"inputmode": "numeric"}), **common
                )
            else:
                field = forms.CharField(max_length=300, **common)
            self.fields[item.key] = field

    def inputs(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in (None, "")}


def _steps(sector: str) -> list[tuple[str, str]]:
    profile = registry[sector]
    keys = {s.step for s in entries_of(sector)}
    return [(s.key, _label(s)) for s in profile.steps if s.key in keys]


@login_required
def index(request):
    actor = console_actor(request.user)
    return render(
        request,
        "sectors/drug/index.html",
        {
            "steps": _steps("drug"),
            "may_record": _may_record(actor),
            "may_oversee": _may_oversee(actor),
            "ns": NAMESPACES["drug"],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def step_form(request, step: str, sector: str):
    spec = _spec(sector, step)
    actor = console_actor(request.user)
    if not _may_record(actor):
        raise PermissionDenied(_("Only an enterprise's users record events."))
    form = EntryForm(request.POST or None, spec=spec, actor=actor)
    status, recorded = 200, None
    if request.method == "POST":
        if form.is_valid():
            try:
                recorded = step_record(actor=actor, sector=sector, step=step, data=form.inputs())
            except StepRefused as exc:
                status = 403 if exc.forbidden else 400
                for error in exc.errors:
                    name = error["field"] if error["field"] in form.fields else None
                    form.add_error(
                        name, render_message(error) if name else f"{error['field']}: {render_message(error)}"
                    )
            else:
                form = EntryForm(spec=spec, actor=actor)
        else:
            status = 400
    return render(
        request,
        "sectors/drug/step_form.html",
        {
            "step": step,
            "step_label": _label(registry[sector].step(step)),
            "form": form,
            "recorded": recorded,
            "ns": NAMESPACES[sector],
        },
        status=status,
    )


@login_required
def template(request, step: str, sector: str):
    spec = _spec(sector, step)
    response = HttpResponse(
        template_xlsx(spec), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="tracehub-{sector}-{step}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, step: str, sector: str):
    spec = _spec(sector, step)
    actor = console_actor(request.user)
    if not _may_record(actor):
        raise PermissionDenied(_("Only an enterprise's users record events."))
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = step_import_create(
                    actor=actor, sector=spec.sector, step=spec.step, content=form.cleaned_data["file"].read()
                )
            except StepRefused as exc:
                status = 400
                for error in exc.errors:
                    form.add_error("file", render_message(error))
            else:
                return redirect(f"{NAMESPACES[sector]}:import-detail", pk=batch.pk)
        else:
            status = 400
    return render(
        request,
        "sectors/drug/import.html",
        {
            "step": step,
            "step_label": _label(registry[sector].step(step)),
            "form": form,
            "ns": NAMESPACES[sector],
        },
        status=status,
    )


def _batch(request, pk: int, sector: str):
    actor = console_actor(request.user)
    batch = selectors.step_import_get(actor=actor, pk=pk)
    if batch is None or not batch.step.startswith(f"{sector}."):
        raise Http404("no such import")
    return actor, batch, _spec(sector, batch.step.partition(".")[2])


@login_required
def import_detail(request, pk: int, sector: str):
    _actor, batch, spec = _batch(request, pk, sector)
    keys = [i.key for i in spec.inputs]
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
        "sectors/drug/import_detail.html",
        {
            "batch": batch,
            "step_label": _label(registry[sector].step(spec.step)),
            "headers": [_label(i) for i in spec.inputs],
            "rows": rows,
            "committable": batch.status == StepImportStatus.CHECKED,
            "ns": NAMESPACES[sector],
        },
    )


@login_required
@require_POST
def import_commit(request, pk: int, sector: str):
    actor, batch, _spec_ = _batch(request, pk, sector)
    try:
        step_import_commit(actor=actor, batch=batch)
    except StepRefused as exc:
        return HttpResponse(
            "; ".join(render_message(e) for e in exc.errors), status=409, content_type="text/plain"
        )
    return redirect(reverse(f"{NAMESPACES[sector]}:import-detail", kwargs={"pk": batch.pk}))


# -- the enterprise data centre, cases, alerts, destinations -----------------------------------------

PARTY_TYPES = [
    (PartyType.MANUFACTURER, gettext_lazy("Manufacturers")),
    (PartyType.WHOLESALER, gettext_lazy("Distributors")),
    (PartyType.PHARMACY, gettext_lazy("Pharmacies")),
    (PartyType.HOSPITAL, gettext_lazy("Hospitals")),
]


@login_required
def data_centre(request):
    actor = console_actor(request.user)
    q = request.GET.get("q", "").strip()
    party_type = request.GET.get("type", "")
    return render(
        request,
        "sectors/drug/data_centre.html",
        {
            "parties": selectors_drug.data_centre_parties(actor=actor, q=q, party_type=party_type),
            "q": q,
            "type": party_type,
            "types": PARTY_TYPES,
            "products": list(selectors_drug.drug_info_list(q=q if q else "")[:100]),
        },
    )


@login_required
def cases(request):
    actor = console_actor(request.user)
    if not _may_oversee(actor):
        raise PermissionDenied(_("Only the drug bureau's officials see enforcement cases."))
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "sectors/drug/cases.html",
        {"cases": list(selectors_drug.case_list(actor=actor, q=q)[:200]), "q": q},
    )


@login_required
def alerts(request):
    actor = console_actor(request.user)
    if not _may_oversee(actor):
        raise PermissionDenied(_("Only the drug bureau's officials see alerts."))
    return render(
        request, "sectors/drug/alerts.html", {"alerts": list(selectors_drug.alert_list(actor=actor)[:200])}
    )


@login_required
def destinations(request):
    """Where a drug lot went: a table of pharmacies and hospitals by district."""
    actor = console_actor(request.user)
    gtin = request.GET.get("gtin", "").strip()
    lot = request.GET.get("lot", "").strip()
    answer = None
    error = ""
    drugs = Product.objects.filter(sectors__sector="drug", gtin__gt="").order_by("name")
    if gtin and lot:
        product = drugs.filter(gtin=gtin).first()
        if product is None or not (
            _may_oversee(actor) or (actor.acts_for_party and actor.party_id == product.party_id)
        ):
            error = _("No drug product with this GTIN that you may trace.")
        else:
            answer = selectors_drug.lot_destinations(key=selectors_drug.lot_key(gtin, lot))
    return render(
        request,
        "sectors/drug/destinations.html",
        {"gtin": gtin, "lot": lot, "answer": answer, "error": error, "drugs": list(drugs[:100])},
    )
