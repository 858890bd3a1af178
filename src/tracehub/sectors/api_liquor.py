"""The liquor API under /api/v1/sectors/liquor (G3): systems record step entries exactly as the
phone forms and Excel uploads do (one service, the same events; a wholesale shipment returns its
accompanying slip), read slips, the filed operators and the certified products.

``POST /api/v1/sectors/liquor/{step}`` takes the step's inputs (docs/sectors/liquor.md) as a JSON
object, or ``{"rows": [...]}`` for several entries stored all or nothing; wrong inputs and refused
event fields are a 400 problem naming each (``errors[].path``: the input key or the EPCIS path).
"""

from __future__ import annotations

from typing import Any

import orjson
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Router, Status

from tracehub.core.problems import NO_SUCH_RESOURCE, SECURITY, VALIDATION, ApiProblem
from tracehub.registry.actors import actor_for_request
from tracehub.sectors import selectors_liquor
from tracehub.sectors.messages import api_error
from tracehub.sectors.services import StepRefused
from tracehub.sectors.services_liquor import LIQUOR_ENTRY, SectorEntry, record_steps

router = Router(tags=["sectors: liquor"])


def record_entries(request, spec: SectorEntry, step: str):
    """POST a step's entries (shared with the enterprise API)."""
    actor = actor_for_request(request)
    if not (actor.sees_all or actor.acts_for_party):
        raise ApiProblem(
            403, "Forbidden", type=SECURITY, detail="only an enterprise or the platform records events"
        )
    if step not in spec.inputs:
        raise ApiProblem(
            404, "No such step", type=NO_SUCH_RESOURCE, detail=f"steps: {', '.join(spec.inputs)}"
        )
    try:
        payload = orjson.loads(request.body or b"null")
    except orjson.JSONDecodeError as exc:
        raise ApiProblem(
            400, "Invalid JSON", type=VALIDATION, errors=[{"path": "", "message": str(exc)}]
        ) from exc
    if not isinstance(payload, dict):
        raise ApiProblem(
            400,
            "Invalid entry",
            type=VALIDATION,
            errors=[{"path": "", "message": "a JSON object is required"}],
        )
    several = set(payload) == {"rows"}
    rows = payload.get("rows") if several else [payload]
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise ApiProblem(
            400,
            "Invalid entry",
            type=VALIDATION,
            errors=[{"path": "rows", "message": "a list of objects is required"}],
        )
    try:
        results = record_steps(actor=actor, spec=spec, step=step, rows=rows)
    except PermissionDenied as exc:
        raise ApiProblem(403, "Forbidden", type=SECURITY, detail=str(exc)) from exc
    except StepRefused as exc:
        errors = [
            api_error(e["field"] if n == 0 else f"rows[{n - 1}].{e['field']}", e)
            for n, es in exc.rows.items()
            for e in es
        ]
        status = 403 if exc.forbidden else 400
        raise ApiProblem(
            status, "Entry refused", type=SECURITY if exc.forbidden else VALIDATION, errors=errors
        ) from exc
    body = [
        {"step": r.step, "eventID": r.event["eventID"], "captured": r.captured, **r.extra, "event": r.event}
        for r in results
    ]
    return Status(201, {"results": body} if several else body[0])


def slip_json(slip) -> dict[str, Any]:
    return {
        "number": slip.number,
        "grouped": slip.grouped,
        "uri": slip.uri,
        "date": timezone.localtime(slip.shipped_at).date().isoformat(),
        "shippedAt": timezone.localtime(slip.shipped_at).isoformat(),
        "seller": {
            "name": slip.seller.name,
            "id": slip.seller_key,
            "filingNumber": slip.seller_filing_number,
        },
        "buyer": {"name": slip.buyer.name, "id": slip.buyer_key},
        "consignor": slip.consignor,
        "carrier": slip.carrier,
        "vehiclePlate": slip.vehicle_plate,
        "items": slip.items,
        "amount": str(slip.amount),
        "eventID": slip.event_id,
        "status": slip.status,
    }


@router.get(
    "/sectors/liquor/slips/{number}",
    summary="An accompanying slip (随附单) its seller, buyer or bureau may see",
)
def slip(request, number: str):
    found = selectors_liquor.slip_get(actor=actor_for_request(request), number=number)
    if found is None:
        raise ApiProblem(404, "No such slip", type=NO_SUCH_RESOURCE)
    return slip_json(found)


@router.get("/sectors/liquor/operators", summary="Filed liquor operators (公示: the public list)")
def operators(request):
    actor_for_request(request)
    return [
        {
            "filingNumber": f.number,
            "name": f.party.name,
            "kind": f.kind,
            "district": f.party.district,
            "approvedAt": f.approved_at.isoformat() if f.approved_at else None,
            "noticeUntil": f.notice_until.isoformat() if f.notice_until else None,
        }
        for f in selectors_liquor.public_operators()
    ]


@router.get(
    "/sectors/liquor/catalogue", summary="Certified liquor products with their trace codes (网络推广)"
)
def catalogue(request):
    actor_for_request(request)
    return [
        {
            "product": entry["product"].name,
            "brand": entry["product"].brand,
            "producer": entry["info"].producer_name,
            "alcoholStrength": entry["info"].strength,
            "volumeMl": entry["info"].volume_ml,
            "origin": entry["info"].origin,
            "certificate": entry["info"].certificate_number,
            "productPage": entry["path"],
            "lots": entry["lots"],
        }
        for entry in selectors_liquor.catalogue()
    ]


# Last: the step pattern would otherwise take /operators and /catalogue.
@router.post(
    "/sectors/liquor/{step}",
    response={201: dict},
    summary="Record entries of a liquor step (a wholesale shipment returns its accompanying slip number)",
)
def record(request, step: str):
    return record_entries(request, LIQUOR_ENTRY, step)
