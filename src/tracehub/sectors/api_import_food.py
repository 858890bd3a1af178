"""The imported-food API under /api/v1/sectors/import_food (G6): step entries (as the phone forms
and Excel uploads make them), import records with their sales records, deletion requests under the
retention rule, and foreign producers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema, Status

from tracehub.core.problems import CONFLICT, NO_SUCH_RESOURCE, SECURITY, VALIDATION, ApiProblem
from tracehub.registry.actors import actor_for_request
from tracehub.sectors import selectors_import as selectors
from tracehub.sectors.api_drug import record_request
from tracehub.sectors.messages import api_error
from tracehub.sectors.models_import import ImportRecord
from tracehub.sectors.services_drug import DrugRecordInvalid, parse_date
from tracehub.sectors.services_import import RetentionRefused, foreign_producer_create, import_record_delete

router = Router(tags=["sectors: imported food"])
SECTOR = "import_food"


def record_out(record: ImportRecord, *, sales: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": record.pk,
        "importer": {"id": record.importer_id, "name": record.importer.name},
        "name": record.name,
        "brand": record.brand,
        "specification": record.specification,
        "quantity": format(record.quantity.normalize(), "f"),
        "unit": record.unit,
        "value": str(record.value),
        "currency": record.currency,
        "lot": record.lot,
        "lotKey": record.lot_key,
        "productionDate": record.production_date.isoformat(),
        "shelfLifeDays": record.shelf_life_days,
        "originCountry": record.origin_country,
        "exportingCountry": record.exporting_country,
        "producer": {"registrationNumber": record.producer.registration_number, "name": record.producer.name},
        "exporter": {"id": record.exporter_id, "name": record.exporter.name},
        "contractNumber": record.contract_number,
        "portOfEntry": record.port_of_entry,
        "declarationNumber": record.declaration_number,
        "inspectionCertificate": record.inspection_certificate,
        "healthCertificate": record.health_certificate,
        "entryDate": record.entry_date.isoformat(),
        "storage": record.storage.name,
        "eventID": record.event_id,
        "retainUntil": record.retain_until.isoformat(),
    }
    if sales:
        out["sales"] = selectors.import_sales_records(record)
    return out


@router.get("/sectors/import_food/records", summary="Import records (进口记录) the caller may see")
def records(request, q: str = "", limit: int = Query(100, ge=1, le=1000)):
    actor = actor_for_request(request)
    return [record_out(r) for r in selectors.import_record_list(actor=actor, q=q)[:limit]]


def _record(request, record_id: int) -> tuple[Any, ImportRecord]:
    actor = actor_for_request(request)
    record = selectors.import_record_get(actor=actor, pk=record_id)
    if record is None:
        raise ApiProblem(404, "No such import record", type=NO_SUCH_RESOURCE)
    return actor, record


@router.get(
    "/sectors/import_food/records/{record_id}", summary="An import record with its sales records (销售记录)"
)
def record_detail(request, record_id: int):
    _actor, record = _record(request, record_id)
    return record_out(record, sales=True)


class DeletionIn(Schema):
    reason: str = ""


@router.post(
    "/sectors/import_food/records/{record_id}/delete",
    response={204: None},
    summary="Ask to delete an import record: refused (409, with the reason) inside the retention period",
)
def record_delete(request, record_id: int, payload: DeletionIn):
    actor, record = _record(request, record_id)
    try:
        import_record_delete(actor=actor, record=record, reason=payload.reason)
    except RetentionRefused as exc:
        raise ApiProblem(
            409,
            "Inside the retention period",
            type=CONFLICT,
            detail=exc.reason,
            errors=[{"path": "retainUntil", "message": exc.reason}],
        ) from exc
    except PermissionDenied as exc:
        raise ApiProblem(403, "Forbidden", type=SECURITY, detail=str(exc)) from exc
    return Status(204, None)


@router.get(
    "/sectors/import_food/producers", summary="Foreign producers registered with China Customs (在华注册)"
)
def producers(request, q: str = "", limit: int = Query(100, ge=1, le=1000)):
    actor_for_request(request)
    return [
        {
            "id": p.pk,
            "registrationNumber": p.registration_number,
            "name": p.name,
            "nameZh": p.name_zh,
            "country": p.country,
            "products": p.products,
            "validUntil": p.valid_until.isoformat() if p.valid_until else None,
        }
        for p in selectors.producer_list(q=q)[:limit]
    ]


class ProducerIn(Schema):
    registrationNumber: str  # noqa: N815 - API field name
    name: str
    country: str
    nameZh: str = ""  # noqa: N815
    products: str = ""
    validUntil: str | None = None  # noqa: N815


@router.post("/sectors/import_food/producers", response={201: dict}, summary="Record a foreign producer")
def producer_create(request, payload: ProducerIn):
    actor = actor_for_request(request)
    try:
        valid_until = parse_date(payload.validUntil) if payload.validUntil else None
    except ValueError:
        raise ApiProblem(
            400,
            "Invalid producer",
            type=VALIDATION,
            errors=[{"path": "validUntil", "message": "a date is required"}],
        ) from None
    try:
        producer = foreign_producer_create(
            actor=actor,
            registration_number=payload.registrationNumber,
            name=payload.name,
            country=payload.country,
            name_zh=payload.nameZh,
            products=payload.products,
            valid_until=valid_until,
        )
    except DrugRecordInvalid as exc:
        names = {"registration_number": "registrationNumber"}
        raise ApiProblem(
            400,
            "Invalid producer",
            type=VALIDATION,
            errors=[api_error(names.get(k, k), m) for k, m in exc.errors.items()],
        ) from exc
    except PermissionDenied as exc:
        raise ApiProblem(403, "Forbidden", type=SECURITY, detail=str(exc)) from exc
    return Status(201, {"id": producer.pk, "registrationNumber": producer.registration_number})


@router.post(
    "/sectors/import_food/{step}",
    response={201: dict},
    summary="Record entries of an imported-food step (shipping … retail)",
)
def record(request, step: str):
    return record_request(request, SECTOR, step)
