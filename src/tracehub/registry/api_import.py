"""Bulk import under /api/v1/imports (issue #3 item 7): the console's engine for programs.

``POST /imports`` (multipart: ``file`` and ``kind``) checks the file and answers its preview;
``POST /imports/{id}/commit`` stores it, all or nothing; ``GET /imports/{id}`` reads it again;
``GET /imports/templates/{kind}.xlsx|csv`` are the templates. Thin: the engine, its rules and
its messages are ``tracehub.registry.imports`` (docs/import.md).
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext
from ninja import File, Form, Router, Status, UploadedFile

from tracehub.core.problems import CONFLICT, VALIDATION, ApiProblem
from tracehub.registry import imports
from tracehub.registry.actors import actor_for_request
from tracehub.registry.import_templates import template_response
from tracehub.registry.models import ImportBatch, ImportStatus
from tracehub.registry.schemas import Out

router = Router(by_alias=True)


class ImportColumnOut(Out):
    field: str
    header: str


class ImportRowOut(Out):
    row: int
    ok: bool
    values: dict[str, str]


class ImportErrorOut(Out):
    row: int | None
    column: str
    field: str
    message: str


class ImportBatchOut(Out):
    id: int
    kind: str
    status: str
    can_commit: bool
    filename: str
    file_format: str
    file_size: int
    language: str
    row_count: int
    error_count: int
    created_count: int
    created_ids: list[int]
    created_at: datetime
    expires_at: datetime
    committed_at: datetime | None
    columns: list[ImportColumnOut]
    errors: list[ImportErrorOut]
    rows: list[ImportRowOut]


def batch_out(batch: ImportBatch) -> dict:
    return {
        "id": batch.pk,
        "kind": batch.kind,
        "status": batch.status,
        "can_commit": batch.can_commit,
        "filename": batch.filename,
        "file_format": batch.file_format,
        "file_size": batch.file_size,
        "language": batch.language,
        "row_count": batch.row_count,
        "error_count": batch.error_count,
        "created_count": len(batch.created_ids),
        "created_ids": batch.created_ids,
        "created_at": batch.created_at,
        "expires_at": batch.expires_at,
        "committed_at": batch.committed_at,
        "columns": batch.columns,
        "errors": batch.errors,
        "rows": batch.rows,
    }


def _errors(batch: ImportBatch) -> list[dict]:
    return [
        {
            "path": f"rows.{e['row']}.{e['field']}" if e["row"] else "file",
            "row": e["row"],
            "column": e["column"],
            "message": e["message"],
        }
        for e in batch.errors
    ]


@router.post(
    "/imports",
    response={201: ImportBatchOut},
    tags=["imports"],
    summary="Upload a file of parties, locations or products and check it (批量导入预览)",
    description=(
        "Multipart form: `file` (.xlsx or .csv) and `kind` (parties, locations, products). Every row "
        "is checked by the registry's services in a dry run; the answer is the preview: each row as "
        "read and each error as row number, column header and reason. Nothing is stored until "
        "`POST /imports/{id}/commit`, and a file with any error can never be stored."
    ),
)
def import_create(request, file: File[UploadedFile], kind: Form[str]):
    actor = actor_for_request(request)
    try:
        batch = imports.import_batch_create(actor=actor, kind=kind, content=file, filename=file.name or "")
    except imports.ImportFileTooLarge as exc:
        raise ApiProblem(
            413,
            "File too large",
            type=VALIDATION,
            detail=exc.messages[0],
            errors=[{"path": "file", "message": m} for m in exc.messages],
        ) from None
    return Status(201, batch_out(batch))


@router.get(
    "/imports/{batch_id}", response=ImportBatchOut, tags=["imports"], summary="One import and its preview"
)
def import_get(request, batch_id: int):
    return batch_out(imports.import_batch_get(actor=actor_for_request(request), pk=batch_id))


@router.post(
    "/imports/{batch_id}/commit",
    response=ImportBatchOut,
    tags=["imports"],
    summary="Store a checked import, all or nothing",
    description=(
        "Runs the stored file again, for real, in one transaction. 409 when the import has errors, "
        "is stored already or has expired, and when a row fails now because the data changed since "
        "the preview: then nothing is stored and `errors` names the rows."
    ),
)
def import_commit(request, batch_id: int):
    actor = actor_for_request(request)
    batch = imports.import_batch_get(actor=actor, pk=batch_id)
    batch = imports.import_batch_commit(actor=actor, batch=batch)
    if batch.status == ImportStatus.FAILED:
        raise ApiProblem(
            409,
            "Conflict",
            type=CONFLICT,
            detail=gettext("The data changed since the preview: nothing was stored. Upload the file again."),
            errors=_errors(batch),
        )
    return batch_out(batch)


@router.get(
    "/imports/templates/{kind}.xlsx",
    tags=["imports"],
    summary="The Excel template of a kind, with instructions and drop-downs",
)
def import_template_xlsx(request, kind: str):
    return template_response(kind, "xlsx")


@router.get(
    "/imports/templates/{kind}.csv",
    tags=["imports"],
    summary="The CSV template of a kind (UTF-8 with BOM)",
)
def import_template_csv(request, kind: str):
    return template_response(kind, "csv")
