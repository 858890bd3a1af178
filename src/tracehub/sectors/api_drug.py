"""The drug API under /api/v1/sectors/drug (G2): step entries (as the phone forms and Excel
uploads make them), the enterprise data centre, enforcement cases, double-dispensing alerts, where a
lot went by district and pharmacy, and UDI reading.

``POST /api/v1/sectors/drug/{step}`` takes the step's inputs (docs/sectors/drug.md) as a JSON object,
or ``{"rows": [...]}`` stored all or nothing; every wrong input or refused event field is named in a
400 problem (``errors[].path``).
"""

from __future__ import annotations

from typing import Any

import orjson
from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema, Status

from tracehub.core.problems import NO_SUCH_RESOURCE, SECURITY, VALIDATION, ApiProblem
from tracehub.identifiers import IdentifierError
from tracehub.identifiers.udi import parse_udi
from tracehub.registry.actors import actor_for_request
from tracehub.registry.models import Party, Product
from tracehub.sectors import selectors_drug as selectors
from tracehub.sectors.entry import entries_of, entry_for
from tracehub.sectors.messages import api_error
from tracehub.sectors.services import StepRefused, StepResult, steps_record
from tracehub.sectors.services_drug import DrugRecordInvalid, drug_case_create, parse_date

router = Router(tags=["sectors: drugs"])
SECTOR = "drug"


def result_out(result: StepResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "step": result.step,
        "eventID": result.event["eventID"],
        "captured": result.captured,
    }
    out.update(result.extra)
    out["event"] = result.event
    return out


def record_request(request, sector: str, step: str):
    """The shared body of ``POST /api/v1/sectors/<sector>/{step}`` (drug and import_food)."""
    actor = actor_for_request(request)
    if not (actor.sees_all or actor.acts_for_party):
        raise ApiProblem(
            403, "Forbidden", type=SECURITY, detail="only an enterprise or the platform records events"
        )
    if entry_for(sector, step) is None:
        steps = ", ".join(s.step for s in entries_of(sector))
        raise ApiProblem(404, "No such step", type=NO_SUCH_RESOURCE, detail=f"steps: {steps}")
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
    rows = payload.get("rows") if set(payload) == {"rows"} else [payload]
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise ApiProblem(
            400,
            "Invalid entry",
            type=VALIDATION,
            errors=[{"path": "rows", "message": "a list of objects is required"}],
        )
    try:
        results = steps_record(actor=actor, sector=sector, step=step, rows=rows)
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
    except PermissionDenied as exc:
        raise ApiProblem(403, "Forbidden", type=SECURITY, detail=str(exc)) from exc
    body = [result_out(r) for r in results]
    return Status(201, body[0] if len(body) == 1 and "rows" not in payload else {"results": body})


def _require_overseer(actor) -> None:
    if not (actor.sees_all or (actor.oversees and SECTOR in actor.sectors)):
        raise ApiProblem(
            403, "Forbidden", type=SECURITY, detail="the drug bureau's officials and the platform only"
        )


def _party_out(party: Party) -> dict[str, Any]:
    return {
        "id": party.pk,
        "name": party.name,
        "type": party.party_type,
        "identity": party.identity_display,
        "district": party.district,
        "filingStatus": party.filing_status,
        "licences": [
            {
                "kind": lic.kind,
                "number": lic.number,
                "validUntil": lic.valid_until.isoformat() if lic.valid_until else None,
            }
            for lic in party.drug_licences
        ]
        + [
            {
                "kind": "medical_institution",
                "number": lic.number,
                "validUntil": lic.valid_until.isoformat() if lic.valid_until else None,
            }
            for lic in party.practice_licences
        ],
        "cases": party.case_count,
    }


@router.get("/sectors/drug/parties", summary="The drug enterprise data centre: parties, licences, cases")
def parties(request, q: str = "", type: str = ""):  # noqa: A002 - query parameter name
    actor = actor_for_request(request)
    return [_party_out(p) for p in selectors.data_centre_parties(actor=actor, q=q, party_type=type)]


def _case_out(case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "party": {"id": case.party_id, "name": case.party.name, "identity": case.party.identity_display},
        "date": case.opened_on.isoformat(),
        "violation": case.violation,
        "decision": case.decision,
        "penalty": str(case.penalty),
        "status": case.status,
        "product": case.product.name if case.product else None,
    }


@router.get("/sectors/drug/cases", summary="Enforcement cases (案件), searchable by officials")
def cases(request, q: str = "", party: int | None = None, limit: int = Query(100, ge=1, le=1000)):
    actor = actor_for_request(request)
    _require_overseer(actor)
    return [_case_out(c) for c in selectors.case_list(actor=actor, q=q, party_id=party)[:limit]]


class CaseIn(Schema):
    party: int
    number: str
    date: str
    violation: str
    decision: str = ""
    penalty: str = "0"
    status: str = "open"
    product: int | None = None


@router.post("/sectors/drug/cases", response={201: dict}, summary="Record an enforcement case (officials)")
def case_create(request, payload: CaseIn):
    actor = actor_for_request(request)
    _require_overseer(actor)
    party = Party.objects.filter(pk=payload.party).first()
    errors = []
    if party is None:
        errors.append({"path": "party", "message": "no such party"})
    product = Product.objects.filter(pk=payload.product).first() if payload.product else None
    if payload.product and product is None:
        errors.append({"path": "product", "message": "no such product"})
    try:
        opened = parse_date(payload.date)
    except ValueError:
        errors.append({"path": "date", "message": "a date such as 2026-11-16 is required"})
        opened = None
    if errors:
        raise ApiProblem(400, "Invalid case", type=VALIDATION, errors=errors)
    try:
        case = drug_case_create(
            actor=actor,
            party=party,
            number=payload.number,
            opened_on=opened,
            violation=payload.violation,
            decision=payload.decision,
            penalty=payload.penalty,
            status=payload.status,
            product=product,
        )
    except DrugRecordInvalid as exc:
        raise ApiProblem(
            400,
            "Invalid case",
            type=VALIDATION,
            errors=[api_error(k, m) for k, m in exc.errors.items()],
        ) from exc
    return Status(201, _case_out(case))


@router.get("/sectors/drug/alerts", summary="Double-dispensing alerts (重复核销预警)")
def alerts(request, limit: int = Query(100, ge=1, le=1000)):
    actor = actor_for_request(request)
    _require_overseer(actor)
    return [
        {
            "id": a.pk,
            "code": a.code,
            "firstEventID": a.first_event_id,
            "secondEventID": a.second_event_id,
            "location": a.location,
            "status": a.status,
            "raisedAt": a.created_at.isoformat(),
        }
        for a in selectors.alert_list(actor=actor)[:limit]
    ]


@router.get(
    "/sectors/drug/lots/{gtin}/{lot}/destinations",
    summary="Where a drug lot went (去向): pharmacies and hospitals by district",
)
def lot_destinations(request, gtin: str, lot: str):
    actor = actor_for_request(request)
    product = Product.objects.filter(gtin=gtin).first()
    if product is None:
        raise ApiProblem(404, "No such product", type=NO_SUCH_RESOURCE)
    if not (
        actor.sees_all
        or (actor.oversees and SECTOR in actor.sectors)
        or (actor.acts_for_party and actor.party_id == product.party_id)
    ):
        raise ApiProblem(404, "No such product", type=NO_SUCH_RESOURCE)
    return selectors.lot_destinations(key=selectors.lot_key(gtin, lot))


@router.get("/sectors/drug/udi", summary="Read a medical device UDI (GS1 DI + PI)")
def udi(request, code: str):
    actor_for_request(request)
    try:
        found = parse_udi(code)
    except IdentifierError as exc:
        raise ApiProblem(
            400, "Invalid UDI", type=VALIDATION, errors=[{"path": "code", "message": str(exc)}]
        ) from exc
    return {
        "di": found.di,
        "productionDate": found.production_date.isoformat() if found.production_date else None,
        "expiryDate": found.expiry_date.isoformat() if found.expiry_date else None,
        "lot": found.lot,
        "serial": found.serial,
        "key": found.key,
    }


@router.post(
    "/sectors/drug/{step}",
    response={201: dict},
    summary="Record entries of a drug step (commissioning … dispensing)",
)
def record(request, step: str):
    return record_request(request, SECTOR, step)
