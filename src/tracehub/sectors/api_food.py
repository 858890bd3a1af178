"""The food API under /api/v1/sectors/food (G1): step entries, as the phone forms and Excel uploads
make them.

``POST /api/v1/sectors/food/{step}`` takes the step's inputs (docs/sectors/food.md; the entries of
``services_food``) as a JSON object, or ``{"rows": [...]}`` stored all or nothing; every wrong input
or refused event field (a receipt refused at market access, an unlicensed supplier) is named in a
400 problem (``errors[].path``).
"""

from __future__ import annotations

from ninja import Router

from tracehub.sectors.api_drug import record_request

router = Router(tags=["sectors: food"])
SECTOR = "food"


@router.post(
    "/sectors/food/{step}",
    response={201: dict},
    summary="Record entries of a food step (market declaration, inspection, receipt, check)",
)
def record(request, step: str):
    return record_request(request, SECTOR, step)
