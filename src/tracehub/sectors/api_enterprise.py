"""The enterprise full-chain API under /api/v1/sectors/enterprise (E2): step entries (the same
events as the forms and Excel uploads), recipes (BOM) and key control points, warehouse stock by lot
and the findings on lots. An enterprise whose own system speaks EPCIS pushes events to
``/epcis/capture`` instead (docs/connector.md) and asks ``POST …/evaluate`` to check them."""

from __future__ import annotations

from typing import Any

import orjson
from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Status

from tracehub.core.problems import NO_SUCH_RESOURCE, SECURITY, VALIDATION, ApiProblem
from tracehub.registry.actors import actor_for_request
from tracehub.registry.models import Location, Party, Product
from tracehub.sectors import selectors_enterprise
from tracehub.sectors.api_liquor import record_entries
from tracehub.sectors.services_enterprise import (
    ENTERPRISE_ENTRY,
    control_point_create,
    enterprise_evaluate_stored,
    recipe_create,
)

router = Router(tags=["sectors: enterprise"])


def _party(request, party_id: int | None) -> Party:
    actor = actor_for_request(request)
    pk = party_id or actor.party_id
    if pk is None:
        raise ApiProblem(
            400, "Party required", type=VALIDATION, errors=[{"path": "party", "message": "party is required"}]
        )
    party = selectors_enterprise.party_visible(actor, pk)
    if party is None:
        raise ApiProblem(404, "No such party", type=NO_SUCH_RESOURCE)
    return party


def _body(request) -> dict[str, Any]:
    try:
        payload = orjson.loads(request.body or b"null")
    except orjson.JSONDecodeError as exc:
        raise ApiProblem(
            400, "Invalid JSON", type=VALIDATION, errors=[{"path": "", "message": str(exc)}]
        ) from exc
    if not isinstance(payload, dict):
        raise ApiProblem(
            400,
            "Invalid body",
            type=VALIDATION,
            errors=[{"path": "", "message": "a JSON object is required"}],
        )
    return payload


def _refused(exc: ValidationError) -> ApiProblem:
    errors = [{"path": k, "message": str(m)} for k, ms in exc.message_dict.items() for m in ms]
    return ApiProblem(400, "Refused", type=VALIDATION, errors=errors)


def _product(party_ids: tuple[int, ...], value: Any, path: str, errors: list) -> Product | None:
    found = None
    if isinstance(value, int):
        found = Product.objects.filter(pk=value).first()
    elif isinstance(value, str) and value:
        gtin = value.zfill(14) if value.isdigit() else None
        found = (
            Product.objects.filter(gtin=gtin).first() if gtin else Product.objects.filter(key=value).first()
        )
    if found is None:
        errors.append({"path": path, "message": "no registered product has this id or GTIN"})
    return found


@router.post("/sectors/enterprise/recipes", response={201: dict}, summary="Register a recipe (配方/BOM)")
def recipe_add(request):
    actor = actor_for_request(request)
    body = _body(request)
    party = _party(request, body.get("partyId"))
    errors: list[dict[str, str]] = []
    output = _product((party.pk,), body.get("outputProduct"), "outputProduct", errors)
    lines = []
    for i, line in enumerate(body.get("lines") or []):
        if not isinstance(line, dict):
            errors.append({"path": f"lines[{i}]", "message": "an object is required"})
            continue
        product = _product((), line.get("product"), f"lines[{i}].product", errors)
        lines.append({**line, "product": product})
    if errors:
        raise ApiProblem(400, "Refused", type=VALIDATION, errors=errors)
    try:
        recipe = recipe_create(
            actor=actor,
            party=party,
            code=str(body.get("code") or ""),
            name=str(body.get("name") or ""),
            output_product=output,
            output_uom=str(body.get("outputUom") or "KGM"),
            lines=lines,
        )
    except PermissionDenied as exc:
        raise ApiProblem(403, "Forbidden", type=SECURITY, detail=str(exc)) from exc
    except ValidationError as exc:
        raise _refused(exc) from exc
    return Status(201, {"id": recipe.pk, "code": recipe.code, "lines": recipe.lines.count()})


@router.post(
    "/sectors/enterprise/control-points",
    response={201: dict},
    summary="Register a key control point (关键控制点)",
)
def control_point_add(request):
    actor = actor_for_request(request)
    body = _body(request)
    party = _party(request, body.get("partyId"))
    location = None
    if body.get("location"):
        location = Location.objects.filter(identifier=body["location"]).first()
        if location is None:
            raise ApiProblem(
                400, "Refused", type=VALIDATION, errors=[{"path": "location", "message": "no such location"}]
            )
    try:
        point = control_point_create(
            actor=actor,
            party=party,
            code=str(body.get("code") or ""),
            name=str(body.get("name") or ""),
            minimum=body.get("minimum"),
            maximum=body.get("maximum"),
            measurement=str(body.get("measurement") or "Temperature"),
            uom=str(body.get("uom") or "CEL"),
            hazard=str(body.get("hazard") or ""),
            location=location,
        )
    except PermissionDenied as exc:
        raise ApiProblem(403, "Forbidden", type=SECURITY, detail=str(exc)) from exc
    except ValidationError as exc:
        raise _refused(exc) from exc
    return Status(201, {"id": point.pk, "code": point.code, "limits": point.limits})


@router.get("/sectors/enterprise/stock", summary="Warehouse stock by lot, computed from events")
def stock(request, party: int | None = None):
    found = _party(request, party)
    return {
        "party": found.name,
        "rows": [r.as_dict() for r in selectors_enterprise.stock_by_lot(party=found)],
    }


@router.get(
    "/sectors/enterprise/findings", summary="Findings on lots: control-point deviations, recipe mismatches"
)
def findings(request, party: int | None = None, lot: str | None = None):
    actor = actor_for_request(request)
    return [
        {
            "id": f.pk,
            "party": f.party.name,
            "kind": f.kind,
            "lot": f.lot,
            "controlPoint": f.control_point.code if f.control_point else None,
            "recipe": f.recipe.code if f.recipe else None,
            "value": str(f.value) if f.value is not None else None,
            "limit": f.limit,
            # English for machines, with its code and params (issue #7 i18n); older rows have no code.
            "message": f.message,
            "code": f.code or None,
            "params": f.params if f.code else None,
            "eventID": f.event_id,
            "status": f.status,
            "detectedAt": f.detected_at.isoformat(),
        }
        for f in selectors_enterprise.findings_for(actor, party_id=party, lot=lot)
    ]


@router.post(
    "/sectors/enterprise/evaluate",
    summary="Check an enterprise's captured events against its recipes and control points",
)
def evaluate(request, party: int | None = None):
    actor = actor_for_request(request)
    found = _party(request, party)
    try:
        raised = enterprise_evaluate_stored(actor=actor, party=found)
    except PermissionDenied as exc:
        raise ApiProblem(403, "Forbidden", type=SECURITY, detail=str(exc)) from exc
    return {"findings": len(raised)}


@router.post(
    "/sectors/enterprise/{step}",
    response={201: dict},
    summary="Record entries of an enterprise step (production is checked against its recipe)",
)
def record(request, step: str):
    return record_entries(request, ENTERPRISE_ENTRY, step)
