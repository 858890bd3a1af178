"""Trace and recall under /api/v1 (issue #4 item 2 and 3; O1, O2, P4, P5).

Thin: parse, call one selector or service, render. Errors are problem responses naming the
parameter or field (core.problems): a malformed identifier or time is 400, an identifier no event
names is 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse
from ninja import Query, Router, Status

from tracehub.core.problems import NO_SUCH_RESOURCE, QUERY_PARAMETER, SECURITY, VALIDATION, ApiProblem
from tracehub.epcis.render import IdentifierFormatter, format_time
from tracehub.epcis.validation import is_uri, parse_time
from tracehub.identifiers import IdentifierError, canonical_key
from tracehub.registry.actors import actor_for_request
from tracehub.tracing import exports, selectors, services, visibility
from tracehub.tracing.genealogy import BACK, FORWARD, is_lot, is_product, is_serial
from tracehub.tracing.models import Recall
from tracehub.tracing.schemas import RecallIn, RecallOut, RecallSummaryOut, TraceOut

router = Router(tags=["tracing"])

#: A deeper max_depth is no bound at all; refusing it keeps the parameter meaningful.
MAX_DEPTH_LIMIT = 1000


def parse_identifier_param(value: str, *, name: str, kind: str = QUERY_PARAMETER) -> str:
    """The canonical key of an identifier parameter, or a 400 naming the parameter."""
    value = value.strip()
    if not is_uri(value):
        message = "expected an EPC URN (urn:epc:id:…, urn:epc:class:…) or a GS1 Digital Link URI"
        raise ApiProblem(400, "Invalid identifier", type=kind, errors=[{"path": name, "message": message}])
    try:
        return canonical_key(value)
    except IdentifierError as exc:
        raise ApiProblem(
            400, "Invalid identifier", type=kind, errors=[{"path": name, "message": str(exc)}]
        ) from exc


def _time_param(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    # A '+' sent unencoded in a query string arrives as a space.
    moment = parse_time(value.strip().replace(" ", "+"))
    if moment is None:
        message = "expected a date-time with a UTC offset, e.g. 2026-10-01T00:00:00+08:00"
        raise ApiProblem(
            400, "Invalid time", type=QUERY_PARAMETER, errors=[{"path": name, "message": message}]
        )
    return moment


def _formatter(keys) -> IdentifierFormatter:
    return selectors.answer_formatter(keys)


def _kind(key: str) -> str:
    if is_serial(key):
        return "instance"
    if is_lot(key) or is_product(key):
        return "class"
    return "logistic_unit" if key.startswith("00/") else "instance"


def _named(trace: selectors.Trace, key: str) -> dict:
    """Name, district (GB/T 2260 code and name) and stage of a location or party (issue #4 item 2)."""
    entry = trace.names.get(key) or {}
    return {
        "name": entry.get("name"),
        "district": entry.get("district"),
        "districtName": entry.get("districtName"),
        "party": entry.get("party"),
        "stage": entry.get("stage"),
    }


def trace_answer(trace: selectors.Trace, fmt: IdentifierFormatter, **extra) -> dict:
    """The JSON answer of a trace (also what ``tracehub trace --json`` prints)."""
    found = trace.genealogy
    events = {event.pk: event for event in trace.events}
    nodes = [
        {
            "id": fmt.key(key),
            "kind": _kind(key),
            "depth": found.depth.get(key, 0 if key == trace.start else None),
        }
        for key in sorted(trace.keys)
    ]
    places = [{"id": fmt.key(location), **_named(trace, location)} for location in trace.locations]
    parties = [{"id": fmt.key(party), **_named(trace, party)} for party in trace.parties]
    nodes += [{**place, "kind": "location", "depth": None} for place in places]
    nodes += [{**party, "kind": "party", "depth": None} for party in parties]
    edges = []

    def edge(source: str, target: str, relation: str, event, quantity_of: str | None = None) -> dict:
        amount, uom = event.quantity(quantity_of) if quantity_of else (None, "")
        return {
            "source": fmt.key(source),
            "target": fmt.key(target),
            "relation": relation,
            "eventID": event.event_id,
            "eventType": event.event_type,
            "bizStep": event.biz_step or None,
            "time": format_time(event.time),
            "quantity": amount,
            "uom": uom or None,
        }

    for link in sorted(found.links, key=lambda item: (item.event, item.source, item.target)):
        event = events.get(link.event)
        if event is not None and link.source in trace.keys and link.target in trace.keys:
            edges.append(edge(link.source, link.target, link.relation, event, link.target))
    for event in trace.events:
        if event.location:
            for key in sorted(event.keys):
                edges.append(edge(key, event.location, "at", event, key))
        senders = [value for kind, value in event.sources if kind in selectors.PARTY_TYPES]
        receivers = [value for kind, value in event.destinations if kind in selectors.PARTY_TYPES]
        for sender in senders:
            for receiver in receivers:
                if sender != receiver:
                    edges.append(edge(sender, receiver, "transfer", event))
    return {
        "id": fmt.key(trace.start),
        "direction": trace.direction,
        "hops": found.hops,
        "epcs": sorted(fmt.key(key) for key in trace.keys),
        "locations": places,
        "parties": parties,
        "events": [event.event_id for event in trace.events],
        "graph": {"nodes": nodes, "edges": edges},
        "findings": [finding.as_dict(fmt) for finding in trace.findings],
        **extra,
    }


def _visibility(request):
    """The caller's ``visible`` hook (docs/permissions.md "Traces"), or 403 for a role that never traces."""
    try:
        return visibility.trace_visibility(actor_for_request(request))
    except visibility.TraceRefused as exc:
        raise ApiProblem(
            403, "Forbidden", type=SECURITY, detail="Traces are for officials, enterprises and the platform."
        ) from exc


def _trace(request, direction: str, id: str, from_: str | None, to: str | None, max_depth: int | None):
    """O1/O2: the trace as the caller may see it (issue #4 item 2)."""
    visible = _visibility(request)
    key = parse_identifier_param(id, name="id")
    since, until = _time_param(from_, "from"), _time_param(to, "to")
    if since and until and since > until:
        raise ApiProblem(
            400,
            "Invalid time range",
            type=QUERY_PARAMETER,
            errors=[{"path": "to", "message": "'to' is before 'from'"}],
        )
    if not selectors.identifier_known(key):
        raise ApiProblem(
            404, "Unknown identifier", type=NO_SUCH_RESOURCE, detail=f"No event names {id.strip()}."
        )
    trace = selectors.trace_build(
        key=key, direction=direction, since=since, until=until, max_depth=max_depth, visible=visible
    )
    if not trace.events and trace.hidden:
        # Not one event of it is the caller's to see: as unknown to them as to anyone (404, not 403).
        raise ApiProblem(
            404, "Unknown identifier", type=NO_SUCH_RESOURCE, detail=f"No event names {id.strip()}."
        )
    fmt = selectors.answer_formatter(trace.keys | set(trace.locations) | set(trace.parties))
    return trace_answer(trace, fmt, **{"from": from_, "to": to, "maxDepth": max_depth})


@router.get("/trace/forward", response=TraceOut, by_alias=True, summary="Trace forward: where it went (O2)")
def trace_forward(
    request,
    id: str,
    from_: str | None = Query(None, alias="from"),
    to: str | None = None,
    max_depth: int | None = Query(None, ge=0, le=MAX_DEPTH_LIMIT),
):
    return _trace(request, FORWARD, id, from_, to, max_depth)


@router.get("/trace/back", response=TraceOut, by_alias=True, summary="Trace back: where it came from (O1)")
def trace_back(
    request,
    id: str,
    from_: str | None = Query(None, alias="from"),
    to: str | None = None,
    max_depth: int | None = Query(None, ge=0, le=MAX_DEPTH_LIMIT),
):
    return _trace(request, BACK, id, from_, to, max_depth)


def _summary(recall: Recall, fmt: IdentifierFormatter) -> dict:
    return {
        "recallID": recall.recall_id,
        "id": fmt.key(recall.key),
        "reason": recall.reason,
        "status": recall.status,
        "declaredAt": format_time(recall.declared_at),
        "declaredBy": recall.declared_by_label,
        "locationCount": recall.location_count,
        "partyCount": recall.party_count,
        "shipmentCount": recall.shipment_count,
        "holderCount": recall.holder_count,
        "codeCount": recall.code_count,
    }


def _recall_out(recall: Recall) -> dict:
    scope = recall.scope
    base = reverse("api_v1:recall_get", kwargs={"recall_id": recall.recall_id})
    return {
        **_summary(recall, _formatter([recall.key])),
        "locations": scope.get("locations", []),
        "parties": scope.get("parties", []),
        "holders": scope.get("holders", []),
        "codes": scope.get("codes", []),
        "findings": scope.get("findings", []),
        "exports": {
            "xlsx": f"{base}/export.xlsx",
            "csv": f"{base}/export.csv",
            "xlsx_zh": f"{base}/export.xlsx?lang=zh",
            "csv_zh": f"{base}/export.csv?lang=zh",
        },
    }


def _forbidden(detail: str) -> ApiProblem:
    return ApiProblem(403, "Forbidden", type=SECURITY, detail=detail)


@router.post("/recalls", response={201: RecallOut}, summary="Declare a recall and compute its scope (O2)")
def recall_create(request, payload: RecallIn):
    """Officials of the product's sector and the platform declare recalls; enterprises 403 (issue #4)."""
    actor = actor_for_request(request)
    if not services.may_declare_recalls(actor):
        raise _forbidden("Recalls are declared by officials (and the platform).")
    key = parse_identifier_param(payload.id, name="id", kind=VALIDATION)
    if not payload.reason.strip():
        raise ApiProblem(
            400, "Invalid recall", errors=[{"path": "reason", "message": "a reason is required"}]
        )
    if not selectors.identifier_known(key):
        raise ApiProblem(
            404, "Unknown identifier", type=NO_SUCH_RESOURCE, detail=f"No event names {payload.id.strip()}."
        )
    try:
        recall = services.recall_declare(
            actor=actor, key=key, identifier=payload.id.strip(), reason=payload.reason
        )
    except PermissionDenied as exc:
        raise _forbidden(str(exc)) from exc
    return Status(201, _recall_out(recall))


@router.get("/recalls", response=list[RecallSummaryOut], summary="Recalls, newest first")
def recall_index(request, limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)):
    """Officials see the recalls of their sectors, the platform all, others none (issue #4 item 2)."""
    sectors = visibility.overseen_sectors(actor_for_request(request))
    recalls = list(selectors.recall_list(sectors=sectors)[offset : offset + limit])
    fmt = _formatter(recall.key for recall in recalls)
    return [_summary(recall, fmt) for recall in recalls]


def _get(request, recall_id: str) -> Recall:
    sectors = visibility.overseen_sectors(actor_for_request(request))
    recall = selectors.recall_get(recall_id=recall_id, sectors=sectors)
    if recall is None:
        raise ApiProblem(404, "Unknown recall", type=NO_SUCH_RESOURCE, detail=f"No recall {recall_id}.")
    return recall


@router.get(
    "/recalls/{recall_id}", response=RecallOut, url_name="recall_get", summary="One recall and its scope"
)
def recall_detail(request, recall_id: str):
    return _recall_out(_get(request, recall_id))


Lang = Literal["en", "zh"]


@router.get(
    "/recalls/{recall_id}/export.xlsx", summary="The recall as an FSMA 204 sortable spreadsheet (xlsx)"
)
def recall_export_xlsx(request, recall_id: str, lang: Lang = "en"):
    recall = _get(request, recall_id)
    response = HttpResponse(
        exports.recall_xlsx(recall, lang=lang),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="recall-{recall.recall_id}-{lang}.xlsx"'
    return response


@router.get("/recalls/{recall_id}/export.csv", summary="The recall as an FSMA 204 sortable spreadsheet (CSV)")
def recall_export_csv(request, recall_id: str, lang: Lang = "en"):
    recall = _get(request, recall_id)
    response = HttpResponse(exports.recall_csv(recall, lang=lang), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="recall-{recall.recall_id}-{lang}.csv"'
    return response
