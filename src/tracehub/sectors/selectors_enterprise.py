"""Reads of the enterprise full-chain subsystem (E2): warehouse stock by lot computed from events,
findings, recipes, control points, production records. Each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson
from django.db.models import Q, QuerySet

from tracehub.epcis.models import Event
from tracehub.identifiers import IdentifierError, canonical_key
from tracehub.registry.actors import Actor
from tracehub.registry.models import Location, Party, Product
from tracehub.registry.permissions import party_scope
from tracehub.sectors.models_enterprise import ControlPoint, EnterpriseFinding, ProductionRecord, Recipe
from tracehub.sectors.profile import platform_step

LIMIT = 200

#: How each bizStep moves stock at its bizLocation: "in" adds its quantities (received), "out"
#: takes them away (shipped, sold, served); a TransformationEvent adds its outputs (produced) and
#: takes its inputs (consumed); a storing event whose sourceList names a location moves the goods
#: from that location to its own.
MOVES: dict[str, str] = {
    "receiving": "in",
    "shipping": "out",
    "retail_selling": "out",
    "storing": "move",
    platform_step("enterprise_receiving"): "in",
    platform_step("enterprise_storing"): "move",
    platform_step("enterprise_shipping"): "out",
    platform_step("enterprise_sales"): "out",
    platform_step("liquor_production"): "in",
    platform_step("liquor_source_labelling"): "none",
    platform_step("liquor_receiving"): "in",
    platform_step("liquor_wholesale"): "out",
    platform_step("liquor_retail"): "out",
    platform_step("liquor_consumption"): "out",
}
LOCATION_SOURCE_TYPES = ("location", "urn:epcglobal:cbv:sdt:location")


@dataclass
class StockRow:
    """One lot at one location: what came in and went out, and the balance."""

    location: str  # canonical key
    location_name: str
    lot: str
    product: str
    uom: str
    received: Decimal = Decimal(0)
    produced: Decimal = Decimal(0)
    shipped: Decimal = Decimal(0)
    consumed: Decimal = Decimal(0)

    @property
    def balance(self) -> Decimal:
        return self.received + self.produced - self.shipped - self.consumed

    def as_dict(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "locationName": self.location_name,
            "lot": self.lot,
            "product": self.product,
            "uom": self.uom,
            "received": _text(self.received),
            "produced": _text(self.produced),
            "shipped": _text(self.shipped),
            "consumed": _text(self.consumed),
            "balance": _text(self.balance),
        }


def _text(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"


def _quantity(item: Any) -> Decimal | None:
    if (
        not isinstance(item, dict)
        or item.get("quantity") is None
        or not isinstance(item.get("epcClass"), str)
    ):
        return None
    try:
        return Decimal(str(item["quantity"]))
    except InvalidOperation:
        return None


def _key(uri: str) -> str:
    try:
        return canonical_key(uri)
    except IdentifierError:
        return uri


def stock_by_lot(*, party: Party) -> list[StockRow]:
    """Warehouse stock by lot of a party's locations (held or operated), computed from the events
    recorded there: received + produced − shipped − consumed, per location, lot and unit. Error
    declarations' targets are left out. Three queries, whatever the number of events."""
    locations = {
        loc.key: loc.name
        for loc in Location.objects.filter(Q(party=party) | Q(operator=party)).only("key", "name")
    }
    rows: dict[tuple[str, str, str], StockRow] = {}
    lots: set[str] = set()

    def row(location: str, lot: str, uom: str) -> StockRow | None:
        if location not in locations:
            return None
        key = (location, lot, uom)
        if key not in rows:
            rows[key] = StockRow(location, locations[location], lot, "", uom)
            lots.add(lot)
        return rows[key]

    documents = (
        Event.objects.filter(biz_location__in=list(locations), error_declared=False)
        .order_by("event_time", "id")
        .values_list("event_type", "biz_step", "biz_location", "document")
    )
    for event_type, biz_step, where, document in documents:
        move = "transform" if event_type == "TransformationEvent" else MOVES.get(biz_step or "")
        if move in (None, "none"):
            continue
        event = orjson.loads(document)
        if move == "transform":
            for item in event.get("outputQuantityList") or ():
                q = _quantity(item)
                if q is not None and (r := row(where, _key(item["epcClass"]), item.get("uom") or "")):
                    r.produced += q
            for item in event.get("inputQuantityList") or ():
                q = _quantity(item)
                if q is not None and (r := row(where, _key(item["epcClass"]), item.get("uom") or "")):
                    r.consumed += q
            continue
        source = None
        if move == "move":
            for s in event.get("sourceList") or ():
                if (
                    isinstance(s, dict)
                    and s.get("type") in LOCATION_SOURCE_TYPES
                    and isinstance(s.get("source"), str)
                ):
                    source = _key(s["source"])
            if source is None:
                continue  # storing observed in place: no movement
        for item in event.get("quantityList") or ():
            q = _quantity(item)
            if q is None:
                continue
            lot, uom = _key(item["epcClass"]), item.get("uom") or ""
            if move == "in":
                if r := row(where, lot, uom):
                    r.received += q
            elif move == "out":
                if r := row(where, lot, uom):
                    r.shipped += q
            else:  # a move between two locations
                if r := row(where, lot, uom):
                    r.received += q
                if source and (r := row(source, lot, uom)):
                    r.shipped += q
    # Product names of the lots: one query by GTIN.
    gtins = {lot.split("/")[1] for lot in lots if lot.startswith("01/")}
    names = dict(Product.objects.filter(gtin__in=gtins).values_list("gtin", "name")) if gtins else {}
    for r in rows.values():
        if r.lot.startswith("01/"):
            r.product = names.get(r.lot.split("/")[1], "")
    return sorted(rows.values(), key=lambda r: (r.location_name, r.lot, r.uom))


def _scope(actor: Actor) -> Q | None:
    """Whose full-chain records the actor sees: the platform all, officials the parties they
    oversee (registry scope), an enterprise its own; auditors and the public none (they see no
    locations or products)."""
    if actor.sees_all:
        return None
    if actor.oversees:
        return party_scope(actor)
    if actor.acts_for_party:
        return Q(pk=actor.party_id)
    return Q(pk__in=[])


def parties_for(actor: Actor) -> QuerySet[Party]:
    """Enterprises whose full-chain records the actor sees: its own party, those it oversees, or all."""
    scope = _scope(actor)
    rows = Party.objects.filter(sectors__sector="enterprise").distinct().order_by("name", "id")
    return (rows if scope is None else rows.filter(scope))[:LIMIT]


def party_visible(actor: Actor, party_id: int) -> Party | None:
    scope = _scope(actor)
    rows = Party.objects.filter(pk=party_id)
    return (rows if scope is None else rows.filter(scope)).first()


def _owned(actor: Actor, rows: QuerySet) -> QuerySet:
    scope = _scope(actor)
    if scope is None:
        return rows
    return rows.filter(party__in=Party.objects.filter(scope))


def findings_for(
    actor: Actor, *, party_id: int | None = None, lot: str | None = None, open_only: bool = False
):
    """Findings (预警) the enterprise and the officials overseeing it see, newest first. One query."""
    rows = _owned(actor, EnterpriseFinding.objects.select_related("party", "control_point", "recipe"))
    if party_id:
        rows = rows.filter(party_id=party_id)
    if lot:
        rows = rows.filter(lot=lot)
    if open_only:
        rows = rows.filter(status="open")
    return rows.order_by("-detected_at", "-id")[:LIMIT]


def recipes_for(actor: Actor):
    return _owned(
        actor,
        Recipe.objects.select_related("party", "output_product").prefetch_related("lines__input_product"),
    )[:LIMIT]


def control_points_for(actor: Actor):
    return _owned(actor, ControlPoint.objects.select_related("party", "location"))[:LIMIT]


def production_records_for(actor: Actor, *, limit: int = 50):
    return _owned(actor, ProductionRecord.objects.select_related("party", "recipe")).order_by(
        "-produced_at", "-id"
    )[:limit]
