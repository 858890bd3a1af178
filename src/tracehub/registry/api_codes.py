"""Code allocation (赋码) under /api/v1/codes (issue #5 item 2; docs/codes.md).

``POST /codes`` allocates N codes for a product and lot; ``GET /codes`` lists allocations (paged,
filtered), ``GET /codes/{id}`` reads one; ``GET /codes/{id}/codes.csv`` streams all its codes;
``GET /codes/{id}/labels.{svg,png}?index=`` is one label, ``GET /codes/{id}/labels.{html,pdf}``
``?layout=a4|roll&pages=1-5`` sheets of them. Thin: rules in ``services.code_allocation_create``,
reads in ``selectors``, files in ``code_exports``; errors are the one problem envelope.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status
from pydantic import Field

from tracehub.registry import code_exports, selectors, services
from tracehub.registry.actors import actor_for_request
from tracehub.registry.models import CodeAllocation, CodeScheme
from tracehub.registry.permissions import can
from tracehub.registry.schemas import In, Out, PageOut

router = Router(by_alias=True)

MAX_LIMIT = settings.TRACEHUB_API_MAX_LIMIT
DEFAULT_LIMIT = settings.TRACEHUB_API_DEFAULT_LIMIT


class CodeAllocationIn(In):
    product_id: int = Field(
        description="The product (产品) to allocate codes for: one of the caller's party."
    )
    scheme: CodeScheme = Field(
        description="`gs1`: serial numbers (AI 21) of the product's GTIN; `platform`: 平台追溯码."
    )
    count: int = Field(strict=True, ge=1, le=services.MAX_CODES_PER_ALLOCATION, description="How many codes.")
    lot: str = Field("", max_length=20, description="The lot (批号, GS1 AI 10) the codes are for.")


class CodeAllocationOut(Out):
    id: int
    party_id: int
    party_name: str
    product_id: int
    product_name: str
    gtin: str
    lot: str
    scheme: str
    counter_key: str
    first_sequence: int
    last_sequence: int
    count: int
    created_by: str
    created_at: datetime


class CodeAllocationDetailOut(CodeAllocationOut):
    first_code: str
    last_code: str
    label_pages: dict[str, int]


class CodeAllocationPage(PageOut):
    items: list[CodeAllocationOut]


def allocation_out(a: CodeAllocation) -> dict:
    return {
        "id": a.pk,
        "party_id": a.party_id,
        "party_name": a.party.name,
        "product_id": a.product_id,
        "product_name": a.product.name,
        "gtin": a.product.gtin,
        "lot": a.lot,
        "scheme": a.scheme,
        "counter_key": a.counter_key,
        "first_sequence": a.first_sequence,
        "last_sequence": a.last_sequence,
        "count": a.count,
        "created_by": a.actor_label,
        "created_at": a.created_at,
    }


def allocation_detail_out(a: CodeAllocation) -> dict:
    first, last = selectors.code_allocation_first_last(a)
    data = allocation_out(a)
    data.update(
        first_code=first,
        last_code=last,
        label_pages={name: code_exports.page_count(a, name) for name in code_exports.LAYOUTS},
    )
    return data


def _exportable(request, allocation_id: int) -> CodeAllocation:
    """The allocation, if the caller may have its codes: 404 unseen, 403 seen but not theirs."""
    actor = actor_for_request(request)
    allocation = selectors.code_allocation_get(actor=actor, pk=allocation_id)
    if not can(actor, "code.export", allocation):
        raise PermissionDenied(_("Only the party and the platform may have the codes themselves."))
    return allocation


@router.post(
    "/codes",
    response={201: CodeAllocationDetailOut},
    tags=["codes"],
    summary="Allocate codes (赋码) for a product and lot",
    description=(
        "Allocates `count` codes, unique across the platform and never reissued: GS1 serial "
        "numbers of the product's GTIN (13 digits, not guessable: docs/codes.md) or platform trace "
        "codes (平台追溯码, at most 10,000 a day per party and district). The party must be filed "
        "and approved (409 otherwise). The answer names the range; the codes are in "
        "`GET /codes/{id}/codes.csv` and on the labels."
    ),
)
def code_allocation_create(request, payload: CodeAllocationIn):
    actor = actor_for_request(request)
    product = selectors.product_get(actor=actor, pk=payload.product_id)
    allocation = services.code_allocation_create(
        actor=actor,
        party=product.party,
        product=product,
        count=payload.count,
        scheme=payload.scheme,
        lot=payload.lot,
    )
    allocation = selectors.code_allocation_get(actor=actor, pk=allocation.pk)
    return Status(201, allocation_detail_out(allocation))


@router.get(
    "/codes", response=CodeAllocationPage, tags=["codes"], summary="Code allocations the caller may see"
)
def code_allocation_list(
    request,
    party_id: int | None = Query(None, alias="partyId"),
    product_id: int | None = Query(None, alias="productId"),
    scheme: CodeScheme | None = None,
    lot: str | None = None,
    q: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0),
):
    qs = selectors.code_allocation_list(
        actor=actor_for_request(request),
        party_id=party_id,
        product_id=product_id,
        scheme=scheme,
        lot=lot,
        q=q,
    )
    return {
        "count": qs.count(),
        "limit": limit,
        "offset": offset,
        "items": [allocation_out(a) for a in qs[offset : offset + limit]],
    }


@router.get(
    "/codes/{allocation_id}", response=CodeAllocationDetailOut, tags=["codes"], summary="One code allocation"
)
def code_allocation_get(request, allocation_id: int):
    allocation = selectors.code_allocation_get(actor=actor_for_request(request), pk=allocation_id)
    return allocation_detail_out(allocation)


@router.get(
    "/codes/{allocation_id}/codes.csv",
    tags=["codes"],
    summary="All codes of an allocation as CSV (streamed)",
    description="One row per code: position, code, and the URI its QR code carries. A million rows stream.",
)
def code_allocation_csv(request, allocation_id: int):
    return code_exports.csv_response(_exportable(request, allocation_id), request=request)


def _one_label_route(file_format: str, media: str) -> None:
    def one_label(request, allocation_id: int, index: int = Query(1, description="Position, from 1.")):
        allocation = _exportable(request, allocation_id)
        return code_exports.labels_response(allocation, request=request, file_format=file_format, index=index)

    one_label.__name__ = f"code_label_{file_format}"
    router.get(
        f"/codes/{{allocation_id}}/labels.{file_format}",
        tags=["codes"],
        summary=f"One label as {media}: the QR code and the human-readable code under it",
    )(one_label)


def _sheet_route(file_format: str, media: str) -> None:
    def sheets(
        request,
        allocation_id: int,
        layout: Literal["a4", "roll"] = Query("a4", description="`a4`: 5 × 7 on A4; `roll`: 50 × 40 mm."),
        pages: str = Query("1", description="A page or a range of pages of the layout, e.g. `1-5`."),
    ):
        allocation = _exportable(request, allocation_id)
        return code_exports.labels_response(
            allocation, request=request, file_format=file_format, layout=layout, pages=pages
        )

    sheets.__name__ = f"code_labels_{file_format}"
    router.get(
        f"/codes/{{allocation_id}}/labels.{file_format}",
        tags=["codes"],
        summary=f"Labels as {media}, page by page (at most {code_exports.MAX_LABELS_PER_REQUEST} a request)",
    )(sheets)


_one_label_route("svg", "SVG")
_one_label_route("png", "PNG")
_sheet_route("html", "print-ready HTML")
_sheet_route("pdf", "PDF")
