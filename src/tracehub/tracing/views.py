"""Console pages of tracing (issue #4 item 5; O1, O2, G2, P5): trace, destinations, recalls, findings.

Thin views: parse a form, call one selector or service, render. Who sees what is
``tracehub.tracing.visibility`` (the same rules as the API); the pictures are drawn by
``static/tracing/trace.js`` with ECharts from the vendored npm package, their data handed over
with ``json_script`` (no inline script under the CSP).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracehub.accounts.models import District
from tracehub.registry.actors import Actor, ActorKind
from tracehub.registry.views.base import console_page
from tracehub.tracing import integrity, selectors, services, visibility
from tracehub.tracing.api import trace_answer
from tracehub.tracing.forms import DestinationForm, RecallForm, TraceForm
from tracehub.tracing.genealogy import FORWARD

#: Column labels of the layered layout (selectors.STAGES), in order.
STAGE_LABELS = {
    "source": gettext_lazy("Source"),
    "processing": gettext_lazy("Processing"),
    "wholesale": gettext_lazy("Wholesale"),
    "retail": gettext_lazy("Retail"),
}
KIND_LABELS = {
    "instance": gettext_lazy("Item"),
    "class": gettext_lazy("Lot"),
    "logistic_unit": gettext_lazy("Logistic unit"),
    "location": gettext_lazy("Location"),
    "party": gettext_lazy("Party"),
}
#: Who may open the recall and findings pages: officials and the platform's operators.
OVERSEERS = (ActorKind.OFFICIAL, ActorKind.OPERATOR)


def _visible(actor: Actor):
    try:
        return visibility.trace_visibility(actor)
    except visibility.TraceRefused as exc:
        raise PermissionDenied from exc


def _unknown(form, typed: str) -> None:
    form.add_error("id", _("No event you may see names %(code)s.") % {"code": typed})


@console_page()
def trace_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """O1/O2, P5: the trace of a code as a graph and as the supply chain's stages."""
    visible = _visible(actor)
    form = TraceForm(request.GET if "id" in request.GET else None)
    context: dict[str, Any] = {"form": form}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        key, typed = data["id"], form.data["id"].strip()
        trace = None
        if selectors.identifier_known(key):
            trace = selectors.trace_build(
                key=key,
                direction=data["direction"],
                since=data["since"],
                until=data["until"],
                max_depth=data["max_depth"],
                visible=visible,
            )
            if not trace.events and trace.hidden:
                trace = None
        if trace is None:
            _unknown(form, typed)
        else:
            fmt = selectors.answer_formatter(trace.keys | set(trace.locations) | set(trace.parties))
            answer = trace_answer(trace, fmt)
            for place in answer["locations"]:
                place["stageLabel"] = str(STAGE_LABELS.get(place["stage"] or "", "—"))
            context.update(answer=answer, chart=_chart(answer), findings=answer["findings"], draws=True)
    return render(request, "tracing/trace.html", context)


def _chart(answer: dict) -> dict:
    """What trace.js draws: nodes with their column (identifiers by depth, places by stage)."""
    labels = {stage: str(label) for stage, label in STAGE_LABELS.items()}
    return {
        "direction": answer["direction"],
        "nodes": [
            {**node, "kindLabel": str(KIND_LABELS.get(node["kind"], node["kind"]))}
            for node in answer["graph"]["nodes"]
        ],
        "edges": answer["graph"]["edges"],
        "stages": [{"key": key, "label": label} for key, label in labels.items()],
        "labels": {
            "identifiers": _("Codes"),
            "parties": _("Parties"),
            "quantity": _("Quantity"),
            "event": _("Event"),
        },
    }


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 3)


def destinations(scope: dict[str, Any]) -> dict[str, Any]:
    """G2 (去向可视化): where a lot went, by district and by retail location, with quantities.

    Locations that made the lot (source and processing) are where it came from, not where it
    went; every other location reached counts with what it received.
    """
    by_district: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    names: dict[str, str] = {}
    shops = []
    for place in scope["locations"]:
        if place.get("stage") in ("source", "processing") or not place["received"]:
            continue
        district = place.get("district") or ""
        names[district] = place.get("districtName") or _("Unknown district")
        for uom, amount in place["received"].items():
            by_district[district][uom] += amount
        if place.get("stage") == "retail":
            shops.append(place)
    units = sorted({uom for amounts in by_district.values() for uom in amounts})
    order = [code for code in District.values if code in by_district] + sorted(
        code for code in by_district if code not in District.values
    )
    rows = [
        {
            "district": code,
            "name": names[code],
            "received": {uom: _number(by_district[code].get(uom, 0)) for uom in units},
            "locations": sum(
                1
                for p in scope["locations"]
                if (p.get("district") or "") == code
                and p.get("stage") not in ("source", "processing")
                and p["received"]
            ),
        }
        for code in order
    ]
    return {
        "units": units,
        "districts": rows,
        "shops": sorted(shops, key=lambda p: (p.get("district") or "", p["id"])),
    }


@console_page()
def destination_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """G2: where a lot went (the 去向可视化 the drug bureau asks for), as a chart and tables."""
    visible = _visible(actor)
    form = DestinationForm(request.GET if "id" in request.GET else None)
    context: dict[str, Any] = {"form": form}
    if form.is_bound and form.is_valid():
        key, typed = form.cleaned_data["id"], form.data["id"].strip()
        scope = None
        if selectors.identifier_known(key):
            scope = selectors.recall_scope(key=key, visible=visible)
            if not scope["events"]:
                scope = None
        if scope is None:
            _unknown(form, typed)
        else:
            view = destinations(scope)
            context.update(
                draws=True,
                scope=scope,
                view=view,
                chart={
                    "units": view["units"],
                    "districts": [row["name"] for row in view["districts"]],
                    "series": [
                        {"name": uom, "data": [row["received"][uom] for row in view["districts"]]}
                        for uom in view["units"]
                    ],
                    "labels": {"received": _("Quantity received")},
                },
            )
    return render(request, "tracing/destinations.html", context)


@console_page(*OVERSEERS)
def recall_list_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """O2: the recalls of the official's sectors, and the form to declare one."""
    form = RecallForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        key, typed = form.cleaned_data["id"], form.data["id"].strip()
        if not selectors.identifier_known(key):
            _unknown(form, typed)
        else:
            try:
                recall = services.recall_declare(
                    actor=actor, key=key, identifier=typed, reason=form.cleaned_data["reason"]
                )
            except PermissionDenied:
                form.add_error(
                    "id", _("This product is not of a sector of your department: you may not recall it.")
                )
            else:
                return redirect("tracing:recall-detail", recall_id=recall.recall_id)
    recalls = selectors.recall_list(sectors=visibility.overseen_sectors(actor))[:100]
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "tracing/recall_list.html",
        {"form": form, "recalls": recalls, "may_declare": services.may_declare_recalls(actor)},
        status=status,
    )


@console_page(*OVERSEERS)
def recall_detail_page(request: HttpRequest, actor: Actor, recall_id: str) -> HttpResponse:
    """O2, P4: one recall: where the lot went, who still holds it, the spreadsheets."""
    recall = selectors.recall_get(recall_id=recall_id, sectors=visibility.overseen_sectors(actor))
    if recall is None:
        raise Http404
    base = reverse("api_v1:recall_get", kwargs={"recall_id": recall.recall_id})
    downloads = [
        (_("Spreadsheet (xlsx)"), f"{base}/export.xlsx?lang=zh"),
        (_("CSV"), f"{base}/export.csv?lang=zh"),
        (_("FSMA 204 spreadsheet, English (xlsx)"), f"{base}/export.xlsx"),
        (_("FSMA 204 CSV, English"), f"{base}/export.csv"),
    ]
    scope = recall.scope
    return render(
        request,
        "tracing/recall_detail.html",
        {
            "recall": recall,
            "scope": scope,
            "view": destinations(scope),
            "downloads": downloads,
            "findings": scope.get("findings", []),
        },
    )


@console_page(*OVERSEERS)
def finding_list_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Issue #4 item 4: the chain-integrity findings of the recalls of the official's sectors."""
    code = request.GET.get("code") or ""
    if code and code not in integrity.CODES:
        code = ""
    rows = []
    for recall in selectors.recall_list(sectors=visibility.overseen_sectors(actor)).defer(None)[:20]:
        for finding in recall.scope.get("findings", []):
            if not code or finding["code"] == code:
                rows.append(
                    {"recall": recall, "finding": finding, "label": integrity.CODES.get(finding["code"])}
                )
    return render(
        request,
        "tracing/finding_list.html",
        {"rows": rows, "codes": integrity.CODES, "code": code, "trace_url": reverse("tracing:trace")},
    )


__all__ = [
    "FORWARD",
    "destination_page",
    "destinations",
    "finding_list_page",
    "recall_detail_page",
    "recall_list_page",
    "trace_page",
]
