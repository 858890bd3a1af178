"""Reads of the sector subsystems (DESIGN.md §2): free of N+1, each a fixed number of queries."""

from __future__ import annotations

import orjson
from django.db.models import Q, QuerySet

from tracehub.epcis.models import Event
from tracehub.registry.actors import Actor
from tracehub.registry.models import FilingStatus, Location, Party
from tracehub.sectors.models import StepImport, TradeVoucher
from tracehub.sectors.profiles.meat_veg import SECTOR

#: At most this many choices in a form's list.
CHOICES_LIMIT = 300


def locations_for(actor: Actor) -> QuerySet[Location]:
    """Locations the actor records events at: those its party holds or operates (or all, for the platform)."""
    rows = Location.objects.filter(active=True).select_related("party", "operator").order_by("name", "id")
    if actor.sees_all:
        return rows
    if actor.party_id is None:
        return rows.none()
    return rows.filter(Q(party_id=actor.party_id) | Q(operator_id=actor.party_id))


def filed_parties() -> QuerySet[Party]:
    """Parties whose filing is approved: the buyers and suppliers a form offers."""
    return Party.objects.filter(filing_status=FilingStatus.APPROVED).order_by("name", "id")[:CHOICES_LIMIT]


def recent_lots(locations: list[str], *, limit: int = 20) -> list[str]:
    """Lots (epcClass) recently recorded at these locations (by key), newest first: one query."""
    documents = (
        Event.objects.filter(biz_location__in=locations)
        .order_by("-event_time", "-id")
        .values_list("document", flat=True)[:200]
    )
    lots: list[str] = []
    for document in documents:
        event = orjson.loads(document)
        for name in ("quantityList", "outputQuantityList"):
            for item in event.get(name) or ():
                lot = item.get("epcClass") if isinstance(item, dict) else None
                if isinstance(lot, str) and lot not in lots:
                    lots.append(lot)
        if len(lots) >= limit:
            break
    return lots[:limit]


def _oversees_vouchers(actor: Actor) -> bool:
    """Officials and department subsystems of the meat and vegetable sector (商务局)."""
    return actor.oversees and SECTOR in actor.sectors


def vouchers_for(actor: Actor, *, limit: int = 20) -> QuerySet[TradeVoucher]:
    """Vouchers the actor's party sold or bought (all, for the platform; in their districts, for
    officials of the sector)."""
    rows = TradeVoucher.objects.select_related("stall", "seller", "buyer")
    if actor.sees_all:
        return rows[:limit]
    if _oversees_vouchers(actor):
        return (rows if actor.districts is None else rows.filter(stall__district__in=actor.districts))[:limit]
    if actor.party_id is None:
        return rows.none()
    return rows.filter(Q(seller_id=actor.party_id) | Q(buyer_id=actor.party_id))[:limit]


def voucher_get(*, actor: Actor, code: str) -> TradeVoucher | None:
    """A voucher the actor may see (its seller's and buyer's people, officials, the platform)."""
    voucher = TradeVoucher.objects.select_related("stall", "seller", "buyer").filter(code=code).first()
    if voucher is None:
        return None
    if actor.sees_all or (
        actor.party_id is not None and actor.party_id in (voucher.seller_id, voucher.buyer_id)
    ):
        return voucher
    if _oversees_vouchers(actor) and (actor.districts is None or voucher.stall.district in actor.districts):
        return voucher
    return None


def step_import_get(*, actor: Actor, pk: int) -> StepImport | None:
    """An import batch, seen by its uploader only."""
    rows = StepImport.objects.filter(pk=pk)
    if actor.client is not None:
        return rows.filter(uploaded_by_client=actor.client).first()
    if actor.user is None:
        return None
    return rows.filter(uploaded_by=actor.user).first()
