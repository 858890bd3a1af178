"""The sectors API under /api/v1/sectors (issue #6 item 6): systems record step entries exactly as
the phone forms and Excel uploads do (one service, the same events), and read the profiles.

``POST /api/v1/sectors/meat_veg/{step}`` takes the step's inputs (docs/sectors/meat_veg.md) as a JSON
object, or ``{"rows": [...]}`` for several entries stored all or nothing; wrong inputs and refused
event fields are a 400 problem naming each (``errors[].path``: the row's input key or EPCIS path).
"""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from ninja import Router, Status

from tracehub.core.problems import NO_SUCH_RESOURCE, SECURITY, VALIDATION, ApiProblem
from tracehub.registry.actors import actor_for_request
from tracehub.sectors import selectors
from tracehub.sectors.entry import STEP_INPUTS
from tracehub.sectors.messages import api_error
from tracehub.sectors.profile import registry
from tracehub.sectors.services import StepRefused, StepResult, steps_record

router = Router(tags=["sectors"])


def _result(result: StepResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "step": result.step,
        "eventID": result.event["eventID"],
        "captured": result.captured,
    }
    if result.voucher is not None:
        out["voucher"] = {
            "code": result.voucher.code,
            "grouped": result.voucher.grouped,
            "uri": result.voucher.uri,
        }
    out["event"] = result.event
    return out


def _profile(profile) -> dict[str, Any]:
    return {
        "sector": profile.sector,
        "name": profile.zh,
        "nameEn": profile.en,
        "requirements": list(profile.requirements),
        "steps": [
            {
                "step": s.key,
                "name": s.zh,
                "nameEn": s.en,
                "bizStep": s.biz_step,
                "eventTypes": list(s.event_types),
                "fields": [
                    {
                        "key": f.key,
                        "name": f.zh,
                        "nameEn": f.en,
                        "epcis": f.epcis(),
                        "required": f.required,
                        "public": f.public,
                    }
                    for f in s.fields
                ],
                "inputs": [i.key for i in STEP_INPUTS.get(s.key, ())] if profile.sector == "meat_veg" else [],
            }
            for s in profile.steps
        ],
    }


@router.get("/sectors/profiles", summary="Every sector profile: steps, EPCIS mapping, data items")
def profiles(request):
    return [_profile(p) for p in registry]


@router.post(
    "/sectors/meat_veg/{step}",
    response={201: dict},
    summary="Record entries of a meat and vegetable step (a sale returns its trace voucher)",
)
def record(request, step: str):
    actor = actor_for_request(request)
    if not (actor.sees_all or actor.acts_for_party):
        raise ApiProblem(
            403, "Forbidden", type=SECURITY, detail="only an enterprise or the platform records events"
        )
    if step not in STEP_INPUTS:
        raise ApiProblem(
            404, "No such step", type=NO_SUCH_RESOURCE, detail=f"steps: {', '.join(STEP_INPUTS)}"
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
    rows = payload.get("rows") if set(payload) == {"rows"} else [payload]
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise ApiProblem(
            400,
            "Invalid entry",
            type=VALIDATION,
            errors=[{"path": "rows", "message": "a list of objects is required"}],
        )
    if len(rows) > settings.TRACEHUB_IMPORT_MAX_ROWS:
        message = f"at most {settings.TRACEHUB_IMPORT_MAX_ROWS} rows in one request"
        raise ApiProblem(400, "Invalid entry", type=VALIDATION, errors=[{"path": "rows", "message": message}])
    try:
        results = steps_record(actor=actor, step=step, rows=rows)
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
    body = [_result(r) for r in results]
    return Status(201, body[0] if len(body) == 1 and "rows" not in payload else {"results": body})


@router.get("/sectors/vouchers/{code}", summary="A trace voucher (追溯凭证) its seller or buyer may see")
def voucher(request, code: str):
    actor = actor_for_request(request)
    found = selectors.voucher_get(actor=actor, code=code)
    if found is None:
        raise ApiProblem(404, "No such voucher", type=NO_SUCH_RESOURCE)
    return {
        "code": found.code,
        "grouped": found.grouped,
        "uri": found.uri,
        "stall": found.stall.identifier,
        "seller": found.seller_key,
        "buyer": found.buyer_key,
        "lines": found.lines,
        "amount": str(found.amount),
        "soldAt": found.sold_at.isoformat(),
        "eventID": found.event_id,
        "status": found.status,
    }
