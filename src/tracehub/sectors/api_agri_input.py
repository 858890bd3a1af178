"""The farm inputs API under /api/v1/sectors/agri_input (G5, docs/sectors/agri-input-records.md):
dealers' purchase and sale ledgers (电子台账) with real-name sales (实名购买), stock by product, the
officials' sales search, the catalogue (农资产品目录) and designated outlets (高毒农药定点经营).

``POST …/ledger/purchases`` and ``POST …/ledger/sales`` take one row as a JSON object (the inputs of
docs/sectors/agri-input-records.md), or ``{"rows": [...]}`` stored all or nothing; the platform adds
``"dealer": <party id>``. Every wrong input is named in a 400 problem (``errors[].path``:
``quantity`` or ``rows[2].quantity``). A buyer's ID number is answered masked only; revealing it is
``POST …/ledger/{entry_id}/buyer-id`` (the bureau and the platform; audited).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Query, Router, Schema, Status

from tracehub.core.errors import Conflict
from tracehub.core.problems import CONFLICT, NO_SUCH_RESOURCE, SECURITY, VALIDATION, ApiProblem
from tracehub.registry.actors import actor_for_request
from tracehub.registry.models import Party
from tracehub.sectors import selectors_agri_input as selectors
from tracehub.sectors.messages import api_error
from tracehub.sectors.models_agri_input import AgriInputLedgerEntry, LedgerDirection, LedgerSource
from tracehub.sectors.services_agri_input import (
    AgriInputInvalid,
    LedgerRefused,
    agri_input_product_set,
    buyer_digest,
    designated_outlet_designate,
    designated_outlet_undesignate,
    ledger_buyer_id_reveal,
    ledger_rows_record,
)

router = Router(tags=["sectors: farm inputs"])
BASE = "/sectors/agri_input"


def _forbidden(exc: Exception) -> ApiProblem:
    return ApiProblem(403, "Forbidden", type=SECURITY, detail=str(exc))


def _invalid(title: str, errors: dict[str, str]) -> ApiProblem:
    # English with the message's code and params when it has them (issue #7 i18n).
    return ApiProblem(400, title, type=VALIDATION, errors=[api_error(k, m) for k, m in errors.items()])


def _date(value: str | None, path: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ApiProblem(
            400,
            "Invalid query",
            type=VALIDATION,
            errors=[{"path": path, "message": "a date such as 2026-11-16"}],
        ) from None


def entry_out(entry: AgriInputLedgerEntry) -> dict[str, Any]:
    """A ledger row as the API answers it: the buyer's ID number masked, never in full."""
    out: dict[str, Any] = {
        "id": entry.pk,
        "ledger": entry.direction,
        "dealer": {"id": entry.dealer_id, "name": entry.dealer.name},
        "date": entry.day.isoformat(),
        "kind": entry.kind,
        "registrationNumber": entry.registration_number,
        "productName": entry.product_name,
        "specification": entry.specification,
        "unitCode": entry.unit_code or None,
        "lot": entry.lot or None,
        "quantity": format(entry.quantity.normalize(), "f"),
        "unit": entry.unit,
        "restricted": bool(entry.product and entry.product.restricted),
        "highlyToxic": bool(entry.product and entry.product.highly_toxic),
        "source": entry.source,
        "recordedAt": entry.created_at.isoformat(),
    }
    party = {"id": entry.counterparty_id, "name": entry.counterparty.name} if entry.counterparty_id else None
    if entry.direction == LedgerDirection.PURCHASE:
        out["supplier"] = party
    else:
        out["buyer"] = {
            "party": party,
            "name": entry.buyer_name or None,
            "idNumber": entry.buyer_id_masked or None,
            "phone": entry.buyer_phone_masked or None,
            "address": entry.buyer_address or None,
            "crop": entry.use_crop or None,
            "target": entry.use_target or None,
        }
    return out


def _record(request, direction: str):
    actor = actor_for_request(request)
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
    payload = dict(payload)
    dealer_id = payload.pop("dealer", None)
    batch = "rows" in payload
    rows = payload.pop("rows") if batch else [payload]
    if batch and payload:
        raise ApiProblem(
            400,
            "Invalid entry",
            type=VALIDATION,
            errors=[{"path": k, "message": "beside rows only dealer is taken"} for k in sorted(payload)],
        )
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise ApiProblem(
            400,
            "Invalid entry",
            type=VALIDATION,
            errors=[{"path": "rows", "message": "a list of objects is required"}],
        )
    dealer = None
    if dealer_id is not None:
        dealer = Party.objects.filter(pk=dealer_id).first() if isinstance(dealer_id, int) else None
        if dealer is None:
            raise ApiProblem(
                400, "Invalid entry", type=VALIDATION, errors=[{"path": "dealer", "message": "no such party"}]
            )
    try:
        entries = ledger_rows_record(
            actor=actor, direction=direction, rows=rows, dealer=dealer, source=LedgerSource.API
        )
    except PermissionDenied as exc:
        raise _forbidden(exc) from exc
    except LedgerRefused as exc:
        errors = [
            api_error(e["field"] if (n == 0 and not batch) else f"rows[{max(n - 1, 0)}].{e['field']}", e)
            for n, es in exc.rows.items()
            for e in es
        ]
        raise ApiProblem(400, "Ledger entry refused", type=VALIDATION, errors=errors) from exc
    entries = list(
        AgriInputLedgerEntry.objects.select_related("dealer", "counterparty", "product")
        .filter(pk__in=[e.pk for e in entries])
        .order_by("id")
    )
    body = [entry_out(e) for e in entries]
    return Status(201, {"results": body} if batch else body[0])


@router.post(f"{BASE}/ledger/purchases", response={201: dict}, summary="Record purchases (进货台账)")
def purchases_record(request):
    return _record(request, LedgerDirection.PURCHASE)


@router.post(f"{BASE}/ledger/sales", response={201: dict}, summary="Record sales (销售台账, 实名购买)")
def sales_record(request):
    return _record(request, LedgerDirection.SALE)


def _search(actor, *, ledger, dealer, product, buyer_id_number, date_from, date_to, limit):
    if ledger and ledger not in LedgerDirection.values:
        raise ApiProblem(
            400, "Invalid query", type=VALIDATION, errors=[{"path": "ledger", "message": "purchase or sale"}]
        )
    digest = ""
    if buyer_id_number:
        try:
            digest = buyer_digest(buyer_id_number)
        except ValidationError as exc:
            raise ApiProblem(
                400,
                "Invalid query",
                type=VALIDATION,
                errors=[{"path": "buyerIdNumber", "message": " ".join(exc.messages)}],
            ) from None
    rows = selectors.ledger_entries(
        actor=actor,
        direction=ledger,
        dealer_id=dealer,
        product=product.strip(),
        buyer_digest=digest,
        date_from=_date(date_from, "dateFrom"),
        date_to=_date(date_to, "dateTo"),
    )
    return [entry_out(e) for e in rows[:limit]]


@router.get(f"{BASE}/ledger", summary="Ledger rows: a dealer its own, the agriculture bureau its districts")
def ledger_list(
    request,
    ledger: str = "",
    dealer: int | None = None,
    product: str = "",
    dateFrom: str = "",  # noqa: N803 - query parameter names
    dateTo: str = "",  # noqa: N803
    limit: int = Query(100, ge=1, le=1000),
):
    """Filter by ledger (purchase/sale), dealer, product (name or registration number) and date. A
    search by the buyer's ID number is ``POST …/ledger/search`` (a number never stands in a URL)."""
    actor = actor_for_request(request)
    return _search(
        actor,
        ledger=ledger,
        dealer=dealer,
        product=product,
        buyer_id_number="",
        date_from=dateFrom,
        date_to=dateTo,
        limit=limit,
    )


class SearchIn(Schema):
    ledger: str = ""
    dealer: int | None = None
    product: str = ""
    buyerIdNumber: str = ""  # noqa: N815 - the API's field names
    dateFrom: str = ""  # noqa: N815
    dateTo: str = ""  # noqa: N815
    limit: int = 100


@router.post(f"{BASE}/ledger/search", summary="Search ledger rows, by the buyer's ID number too (exact)")
def ledger_search(request, payload: SearchIn):
    actor = actor_for_request(request)
    return _search(
        actor,
        ledger=payload.ledger,
        dealer=payload.dealer,
        product=payload.product,
        buyer_id_number=payload.buyerIdNumber.strip(),
        date_from=payload.dateFrom,
        date_to=payload.dateTo,
        limit=max(1, min(payload.limit, 1000)),
    )


@router.get(f"{BASE}/stock", summary="A dealer's stock by product, from its ledgers")
def stock(request, party: int | None = None):
    actor = actor_for_request(request)
    dealer_id = party if party is not None else actor.party_id
    if dealer_id is None:
        raise ApiProblem(
            400, "Invalid query", type=VALIDATION, errors=[{"path": "party", "message": "name the dealer"}]
        )
    if not selectors.may_see_dealer(actor, dealer_id):
        raise ApiProblem(404, "No such dealer", type=NO_SUCH_RESOURCE)
    return [
        {
            "registrationNumber": r["registration_number"],
            "name": r["name"],
            "kind": r["kind"],
            "specification": r["specification"],
            "unit": r["unit"],
            "purchased": format(r["purchased"].normalize(), "f"),
            "sold": format(r["sold"].normalize(), "f"),
            "stock": format(r["stock"].normalize(), "f"),
        }
        for r in selectors.stock_by_product(actor=actor, dealer_id=dealer_id)
    ]


@router.post(
    f"{BASE}/ledger/{{entry_id}}/buyer-id",
    summary="Reveal the buyer's ID number of a real-name sale (the bureau; audited)",
)
def buyer_id_reveal(request, entry_id: int):
    actor = actor_for_request(request)
    entry = selectors.ledger_entry_get(actor=actor, pk=entry_id)
    if entry is None:
        raise ApiProblem(404, "No such ledger entry", type=NO_SUCH_RESOURCE)
    try:
        number = ledger_buyer_id_reveal(actor=actor, entry=entry)
    except PermissionDenied as exc:
        raise _forbidden(exc) from exc
    except Conflict as exc:
        raise ApiProblem(409, "Conflict", type=CONFLICT, detail=str(exc.message)) from exc
    return {"id": entry.pk, "idNumber": number, "phone": entry.buyer_phone or None}


# -- catalogue and designated outlets ------------------------------------------------------------------


def product_out(product) -> dict[str, Any]:
    return {
        "id": product.pk,
        "registrationNumber": product.registration_number,
        "name": product.name,
        "kind": product.kind,
        "holder": product.holder or None,
        "restricted": product.restricted,
        "highlyToxic": product.highly_toxic,
    }


@router.get(f"{BASE}/products", summary="The farm inputs catalogue (restricted, highly toxic)")
def products(request, q: str = "", kind: str = "", limit: int = Query(200, ge=1, le=1000)):
    actor_for_request(request)
    return [product_out(p) for p in selectors.catalogue(q=q.strip(), kind=kind)[:limit]]


class ProductIn(Schema):
    registrationNumber: str  # noqa: N815 - the API's field names
    name: str
    kind: str
    holder: str = ""
    restricted: bool = False
    highlyToxic: bool = False  # noqa: N815


@router.post(f"{BASE}/products", response={201: dict}, summary="Enter a catalogue product (the bureau)")
def product_set(request, payload: ProductIn):
    actor = actor_for_request(request)
    try:
        product = agri_input_product_set(
            actor=actor,
            registration_number=payload.registrationNumber,
            name=payload.name,
            kind=payload.kind,
            holder=payload.holder,
            restricted=payload.restricted,
            highly_toxic=payload.highlyToxic,
        )
    except PermissionDenied as exc:
        raise _forbidden(exc) from exc
    except AgriInputInvalid as exc:
        renamed = {"registration_number": "registrationNumber", "highly_toxic": "highlyToxic"}
        raise _invalid("Invalid product", {renamed.get(k, k): m for k, m in exc.errors.items()}) from exc
    return Status(201, product_out(product))


def outlet_out(outlet) -> dict[str, Any]:
    return {
        "id": outlet.pk,
        "dealer": {"id": outlet.dealer_id, "name": outlet.dealer.name},
        "documentNumber": outlet.document_number or None,
        "validFrom": outlet.valid_from.isoformat(),
        "validUntil": outlet.valid_until.isoformat() if outlet.valid_until else None,
        "endReason": outlet.end_reason or None,
    }


@router.get(f"{BASE}/outlets", summary="Designated outlets of highly toxic pesticides (定点经营)")
def outlets(request, current: bool = False):
    actor_for_request(request)
    return [outlet_out(o) for o in selectors.designated_outlets(current_only=current)[: selectors.LIST_LIMIT]]


class OutletIn(Schema):
    dealer: int
    validFrom: str  # noqa: N815
    documentNumber: str = ""  # noqa: N815
    note: str = ""


@router.post(f"{BASE}/outlets", response={201: dict}, summary="Designate a dealer (the bureau)")
def outlet_designate(request, payload: OutletIn):
    actor = actor_for_request(request)
    dealer = Party.objects.filter(pk=payload.dealer).first()
    if dealer is None:
        raise _invalid("Invalid designation", {"dealer": "no such party"})
    try:
        valid_from = dt.date.fromisoformat(payload.validFrom)
    except ValueError:
        raise _invalid("Invalid designation", {"validFrom": "a date such as 2026-11-16"}) from None
    try:
        outlet = designated_outlet_designate(
            actor=actor,
            dealer=dealer,
            valid_from=valid_from,
            document_number=payload.documentNumber,
            note=payload.note,
        )
    except PermissionDenied as exc:
        raise _forbidden(exc) from exc
    except AgriInputInvalid as exc:
        raise _invalid("Invalid designation", exc.errors) from exc
    except Conflict as exc:
        raise ApiProblem(409, "Conflict", type=CONFLICT, detail=str(exc.message)) from exc
    return Status(201, outlet_out(outlet))


class UndesignateIn(Schema):
    validUntil: str  # noqa: N815
    reason: str


@router.post(f"{BASE}/outlets/{{outlet_id}}/undesignate", summary="End a designation (the bureau)")
def outlet_undesignate(request, outlet_id: int, payload: UndesignateIn):
    actor = actor_for_request(request)
    outlet = selectors.outlet_get(pk=outlet_id)
    if outlet is None:
        raise ApiProblem(404, "No such designation", type=NO_SUCH_RESOURCE)
    try:
        until = dt.date.fromisoformat(payload.validUntil)
    except ValueError:
        raise _invalid("Invalid request", {"validUntil": "a date such as 2026-11-16"}) from None
    try:
        outlet = designated_outlet_undesignate(
            actor=actor, outlet=outlet, valid_until=until, reason=payload.reason
        )
    except PermissionDenied as exc:
        raise _forbidden(exc) from exc
    except AgriInputInvalid as exc:
        renamed = {"valid_until": "validUntil"}
        raise _invalid("Invalid request", {renamed.get(k, k): m for k, m in exc.errors.items()}) from exc
    except Conflict as exc:
        raise ApiProblem(409, "Conflict", type=CONFLICT, detail=str(exc.message)) from exc
    return outlet_out(outlet)


# -- usage filings (使用备案) ------------------------------------------------------------------------------

USAGE_KEYS = {
    "plot",
    "registration_number",
    "product_name",
    "unit_code",
    "quantity",
    "unit",
    "date",
    "crop",
    "target",
    "operator_name",
    "pre_harvest_interval_days",
    "dealer",
}


def usage_out(usage) -> dict[str, Any]:
    ends = usage.interval_ends_on
    return {
        "id": usage.pk,
        "party": {"id": usage.party_id, "name": usage.party.name},
        "plot": {"id": usage.plot_id, "name": usage.plot.name},
        "date": usage.day.isoformat(),
        "kind": usage.kind,
        "registrationNumber": usage.registration_number,
        "productName": usage.product_name,
        "unitCode": usage.unit_code or None,
        "quantity": format(usage.quantity.normalize(), "f"),
        "unit": usage.unit,
        "crop": usage.crop,
        "target": usage.target,
        "operatorName": usage.operator_name,
        "preHarvestIntervalDays": usage.pre_harvest_interval_days,
        "intervalEndsOn": ends.isoformat() if ends else None,
        "dealer": {"id": usage.dealer_id, "name": usage.dealer.name} if usage.dealer_id else None,
        "highlyToxic": bool(usage.product and usage.product.highly_toxic),
        "source": usage.source,
        "recordedAt": usage.created_at.isoformat(),
    }


def plot_interval_out(state) -> dict[str, Any]:
    """A plot's pesticide state on a day: last use, the day its pre-harvest intervals end, ended."""
    return {
        "id": state.plot.pk,
        "name": state.plot.name,
        "on": state.on.isoformat(),
        "lastPesticideUse": usage_out(state.last_use) if state.last_use else None,
        "intervalEndsOn": state.ends_on.isoformat() if state.ends_on else None,
        "intervalEnded": state.ended,
    }


@router.get(
    f"{BASE}/usages",
    summary="Usage filings (使用备案): a farm its own, the agriculture bureau its districts",
)
def usage_list(
    request,
    party: int | None = None,
    plot: int | None = None,
    date: str = "",
    dateFrom: str = "",  # noqa: N803 - query parameter names
    dateTo: str = "",  # noqa: N803
    limit: int = Query(100, ge=1, le=1000),
):
    """``plot=`` adds the plot's pesticide state on ``date`` (today by default): its last pesticide
    use, the day its pre-harvest intervals (安全间隔期) end and whether they have (``plot``)."""
    from django.utils import timezone

    actor = actor_for_request(request)
    on = _date(date, "date") or timezone.localdate()
    state = None
    if plot is not None:
        found = selectors.plot_get(actor=actor, pk=plot)
        if found is None:
            raise ApiProblem(404, "No such plot", type=NO_SUCH_RESOURCE)
        state = plot_interval_out(selectors.plot_interval(plot=found, on=on))
    rows = selectors.usages(
        actor=actor,
        party_id=party,
        plot_id=plot,
        date_from=_date(dateFrom, "dateFrom"),
        date_to=_date(dateTo, "dateTo"),
    )
    return {"results": [usage_out(u) for u in rows[:limit]], "plot": state}


@router.post(
    f"{BASE}/usages", response={201: dict}, summary="File a usage of a farm input on a plot (使用备案)"
)
def usage_record(request):
    """One usage as a JSON object with the inputs of docs/sectors/agri-input-records.md (``plot`` its
    id, ``dealer`` a filed dealer's credit code); the platform adds ``"party": <party id>``."""
    from tracehub.sectors.models_agri import PlantingPlot
    from tracehub.sectors.services_agri_input import _filed_party, input_usage_record

    actor = actor_for_request(request)
    try:
        payload = orjson.loads(request.body or b"null")
    except orjson.JSONDecodeError as exc:
        raise ApiProblem(
            400, "Invalid JSON", type=VALIDATION, errors=[{"path": "", "message": str(exc)}]
        ) from exc
    if not isinstance(payload, dict):
        raise _invalid("Invalid usage", {"": "a JSON object is required"})
    payload = dict(payload)
    party_id = payload.pop("party", None)
    unknown = sorted(set(payload) - USAGE_KEYS)
    if unknown:
        raise _invalid("Invalid usage", {k: "unknown input" for k in unknown})
    if party_id is not None:
        party = Party.objects.filter(pk=party_id).first() if isinstance(party_id, int) else None
        if party is None:
            raise _invalid("Invalid usage", {"party": "no such party"})
        if actor.acts_for_party and party.pk != actor.party_id:
            raise _forbidden(PermissionDenied("A farm files its own usage only."))
    elif actor.acts_for_party:
        party = Party.objects.get(pk=actor.party_id)
    else:
        party = None
    plot_id = payload.get("plot")
    plot = PlantingPlot.objects.filter(pk=plot_id).first() if isinstance(plot_id, int) else None
    if party is None:
        if not actor.sees_all:
            raise _forbidden(PermissionDenied("Only a farm's users and the platform file usage."))
        if plot is None:
            raise _invalid("Invalid usage", {"party": "name the farm"})
        party = plot.party
    dealer = None
    if payload.get("dealer"):
        dealer = _filed_party(str(payload["dealer"]))
        if dealer is None:
            raise _invalid("Invalid usage", {"dealer": "no registered party has this credit code"})
    try:
        usage = input_usage_record(
            actor=actor,
            party=party,
            plot=plot,
            registration_number=payload.get("registration_number") or "",
            product_name=payload.get("product_name") or "",
            quantity=payload.get("quantity"),
            unit=payload.get("unit") or "",
            date=payload.get("date") or "",
            crop=payload.get("crop") or "",
            target=payload.get("target") or "",
            operator_name=payload.get("operator_name") or "",
            pre_harvest_interval_days=payload.get("pre_harvest_interval_days"),
            unit_code=payload.get("unit_code") or "",
            dealer=dealer,
            source=LedgerSource.API,
        )
    except PermissionDenied as exc:
        raise _forbidden(exc) from exc
    except AgriInputInvalid as exc:
        raise _invalid("Usage refused", exc.errors) from exc
    usage = selectors.usages(actor=actor).filter(pk=usage.pk).first() or usage
    return Status(201, usage_out(usage))
