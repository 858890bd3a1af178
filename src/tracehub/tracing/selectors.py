"""Reads of tracing: traces back and forward, recall scopes, stored recalls (DESIGN.md §2).

A trace is the genealogy (:mod:`tracehub.tracing.genealogy`) plus the details an answer shows:
eventIDs, locations, parties, quantities and the chain-integrity findings. Queries are batched:
a trace costs a fixed number of queries per hop and a fixed number more for its details,
whatever the number of identifiers it reaches (asserted in tests).

Two hooks are left for the registry (issue #3), which knows roles, parties and locations:

* ``visible``: a callable given the trace's events that answers the pks the caller may see (an
  official sees the whole trace in their sectors, an enterprise its own part plus one step up and
  down). Without it every event is visible.
* Locations and parties are answered as identifiers (SGLN location keys; PGLNs and other party
  URIs of ``sourceList``/``destinationList``); a later layer decorates them with names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from django.db.models import QuerySet

from tracehub.epcis.models import CompanyPrefix, EventIndex
from tracehub.epcis.render import IdentifierFormatter
from tracehub.identifiers import IdentifierError, canonical_key, company_prefix_candidates
from tracehub.registry.models import PartyPrefix
from tracehub.tracing import genealogy, integrity
from tracehub.tracing.genealogy import (
    BACK,
    EVENT_TABLE,
    FORWARD,
    INDEX_TABLE,
    OBJECT_ROLES,
    TRANSFORMATION,
    Genealogy,
    any_of,
    chunks,
    fetch,
    is_lot,
    is_product,
    is_serial,
)
from tracehub.tracing.models import Recall

__all__ = [
    "BACK",
    "FORWARD",
    "Trace",
    "TraceEvent",
    "identifier_known",
    "recall_get",
    "recall_list",
    "recall_scope",
    "trace_build",
]

#: Party types of CBV source/destination lists (the others name locations).
PARTY_TYPES = frozenset({"owning_party", "possessing_party"})

#: Business steps after which goods are at the event's location, or no longer there (recall stock).
IN_STEPS = frozenset({"receiving", "accepting", "commissioning"})
OUT_STEPS = frozenset({"shipping", "retail_selling", "dispensing", "destroying", "decommissioning"})
SHIPPING = "shipping"
RECEIPT_STEPS = frozenset({"receiving", "accepting"})

_QUANTITY_LISTS = {
    "class": ("quantityList",),
    "child_class": ("childQuantityList",),
    "input_class": ("inputQuantityList",),
    "output_class": ("outputQuantityList",),
}

#: Unit of a count of serialised items (UN/ECE Recommendation 20 "each").
EACH = "EA"

Visibility = Callable[[list["TraceEvent"]], set[int]]


@dataclass
class TraceEvent:
    """One event of a trace, with what an answer shows of it."""

    pk: int
    event_id: str
    event_type: str
    action: str
    biz_step: str
    time: datetime
    time_zone_offset: str
    location: str  # bizLocation key, else readPoint key, else ""
    keys: dict[str, str] = field(default_factory=dict)  # key reached -> its role in the event
    sources: list[tuple[str, str]] = field(default_factory=list)  # (type, key)
    destinations: list[tuple[str, str]] = field(default_factory=list)
    transactions: list[tuple[str, str]] = field(default_factory=list)  # (type, id)
    document: dict[str, Any] | None = None  # loaded for quantity lists and transformations

    def quantity(self, key: str) -> tuple[float | int | None, str]:
        """How much of ``key`` the event names: 1 each for an instance, else its quantity elements."""
        role = self.keys.get(key, "")
        lists = _QUANTITY_LISTS.get(role)
        if lists is None:
            return (1, EACH) if role in ("epc", "child", "input", "output", "parent") else (None, "")
        total: float | int | None = None
        uom = ""
        for name in lists:
            for element in (self.document or {}).get(name) or ():
                try:
                    if canonical_key(element.get("epcClass", "")) != key:
                        continue
                except IdentifierError:
                    continue
                amount = element.get("quantity")
                if isinstance(amount, int | float):
                    total = (total or 0) + amount
                    uom = element.get("uom") or uom
        return total, uom


@dataclass
class Trace:
    """A trace back or forward from one identifier, ready to be answered."""

    start: str
    direction: str
    genealogy: Genealogy
    events: list[TraceEvent]  # in event-time order
    keys: set[str]
    locations: list[str]
    parties: list[str]
    findings: list[Any] = field(default_factory=list)

    @property
    def shipments(self) -> int:
        return sum(1 for event in self.events if event.biz_step == SHIPPING)


def answer_formatter(keys: Iterable[str]) -> IdentifierFormatter:
    """A formatter knowing the company prefixes of ``keys`` only (DESIGN.md §3 answer form).

    Loading every known prefix would cost each answer a scan that grows with the number of
    parties in the city; the candidates of the keys answered are a handful of look-ups (P5: a
    trace in tens of milliseconds).
    """
    candidates: set[str] = set()
    for key in keys:
        if key[:1].isdigit() and ":" not in key:
            try:
                candidates.update(company_prefix_candidates(key))
            except IdentifierError:
                continue
    known: set[str] = set()
    for part in chunks(sorted(candidates)):
        known.update(CompanyPrefix.objects.filter(prefix__in=part).values_list("prefix", flat=True))
        known.update(PartyPrefix.objects.filter(prefix__in=part).values_list("prefix", flat=True))
    return IdentifierFormatter(frozenset(known))


def identifier_known(key: str) -> bool:
    """Whether any event names ``key`` as an object (for a 404 on an unknown identifier)."""
    return EventIndex.objects.filter(key=key, role__in=OBJECT_ROLES).exists()


def trace_build(
    *,
    key: str,
    direction: str,
    since: datetime | None = None,
    until: datetime | None = None,
    max_depth: int | None = None,
    visible: Visibility | None = None,
) -> Trace:
    """Trace ``key`` (canonical) forward (O2) or back (O1), with details and findings."""
    with genealogy.serial_reads():
        found = genealogy.trace(key, direction=direction, max_depth=max_depth, since=since, until=until)
        events = _event_details(found)
    if visible is not None:
        allowed = visible(events)
        events = [event for event in events if event.pk in allowed]
    locations: dict[str, None] = {}
    parties: dict[str, None] = {}
    for event in events:
        if event.location:
            locations[event.location] = None
        for kind, value in event.sources + event.destinations:
            if kind in PARTY_TYPES:
                parties[value] = None
            elif kind == "location":
                locations[value] = None
    keys = {k for event in events for k in event.keys} | {key}
    result = Trace(
        start=key,
        direction=direction,
        genealogy=found,
        events=events,
        keys=keys,
        locations=sorted(locations),
        parties=sorted(parties),
    )
    result.findings = integrity.findings(result)
    return result


def _event_details(found: Genealogy) -> list[TraceEvent]:
    """Every event of the trace with its eventID, location, parties and documents (3 queries)."""
    by_event = found.occurrences_by_event()
    if not by_event:
        return []
    pks = sorted(by_event)
    roles: dict[tuple[str, int], str] = {}
    for key in {key for key, _ in found.occurrences}:
        for pk, role in found.key_events.get(key, ()):
            if (key, pk) in found.occurrences and roles.get((key, pk), "lot") == "lot":
                roles[(key, pk)] = role  # an object role rather than the lot row, when both
    events: dict[int, TraceEvent] = {}
    for part in chunks(pks):
        events_sql, params = any_of("id", part)
        rows = fetch(
            "SELECT id, event_id, event_time_zone_offset, read_point, biz_location, document "  # noqa: S608
            f"FROM {EVENT_TABLE} WHERE {events_sql}",
            params,
        )
        for pk, event_id, offset, read_point, biz_location, document in rows:
            facts = found.events[pk]
            keys = {key: roles.get((key, pk), "") for key in by_event[pk]}
            event = events[pk] = TraceEvent(
                pk=pk,
                event_id=event_id,
                event_type=facts.event_type,
                action=facts.action,
                biz_step=facts.biz_step,
                time=facts.time,
                time_zone_offset=offset,
                location=biz_location or read_point or "",
                keys=keys,
            )
            # Quantities and transformation balances need the document; the others do not.
            if facts.event_type == TRANSFORMATION or any(role in _QUANTITY_LISTS for role in keys.values()):
                event.document = orjson.loads(document)
    parties: list[tuple[int, int, str, str, str]] = []
    roles_sql, party_roles = any_of("role", ("source", "destination", "biz_transaction"))
    for part in chunks(pks):
        events_sql, params = any_of("event_id", part)
        parties.extend(
            fetch(
                f"SELECT id, event_id, role, qualifier, key FROM {INDEX_TABLE} "  # noqa: S608
                f"WHERE {events_sql} AND {roles_sql}",
                params + party_roles,
            )
        )
    parties.sort()  # record order, so a list keeps its order (not an ORDER BY: it would scan by id)
    for _row, pk, role, qualifier, value in parties:
        event = events[pk]
        lists = {"source": event.sources, "destination": event.destinations}
        lists.get(role, event.transactions).append((qualifier, value))
    return sorted(events.values(), key=lambda event: (event.time, event.pk))


# ------------------------------------------------------------------------------------------------
# Recall scope (召回范围): O2.
# ------------------------------------------------------------------------------------------------

#: FSMA 204 "sortable spreadsheet" columns (21 CFR 1.1455(c)(3)(ii)), and the Chinese column set.
RECALL_COLUMNS = (
    "traceability_lot_code",
    "traceability_lot_code_source",
    "product_description",
    "quantity",
    "unit_of_measure",
    "location",
    "date",
    "event_type",
    "reference_document_type",
    "reference_document_number",
    "identifier",
    "event_id",
)

#: FSMA 204 critical tracking events for the CBV business steps that are one.
CRITICAL_TRACKING_EVENTS = {
    "shipping": "Shipping",
    "receiving": "Receiving",
    "accepting": "Receiving",
    "commissioning": "Initial Packing",
}


def recall_scope(
    *,
    key: str,
    formatter: IdentifierFormatter | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """Everything a recall of ``key`` must reach (O2): where the goods went, how much, who holds it.

    ``formatter`` writes keys as answers (:class:`tracehub.epcis.render.IdentifierFormatter`), so
    the stored scope reads the same as the API answers. The scope is JSON: ``locations`` (each
    with quantities received, shipped or sold and still on hand, per unit), ``parties``,
    ``holders`` (locations with stock on hand), ``codes`` (consumer-facing Digital Link URIs of
    every item and lot reached), ``shipments`` and ``rows`` (the FSMA 204 sortable spreadsheet, one
    row per event and traceability lot code, columns :data:`RECALL_COLUMNS`).
    """
    from tracehub.identifiers import to_digital_link

    result = trace_build(key=key, direction=FORWARD, since=since, until=until)
    found = result.genealogy
    if formatter is None:
        formatter = answer_formatter(result.keys | set(result.locations) | set(result.parties))
    serial_lot = _serial_lots(found)
    lot_source: dict[str, str] = {}
    stock: dict[str, dict[str, dict[str, float]]] = defaultdict(
        lambda: {"in": defaultdict(float), "out": defaultdict(float)}
    )
    location_parties: dict[str, set[str]] = defaultdict(set)
    location_events: dict[str, int] = defaultdict(int)
    rows: list[list[Any]] = []
    for event in result.events:
        amounts = _product_amounts(found, event)
        direction = _stock_direction(event)
        location = event.location
        if location:
            location_events[location] += 1
            if event.biz_step == SHIPPING:
                location_parties[location].update(v for t, v in event.sources if t in PARTY_TYPES)
            elif event.biz_step in RECEIPT_STEPS:
                location_parties[location].update(v for t, v in event.destinations if t in PARTY_TYPES)
        per_lot: dict[tuple[str, str], float] = defaultdict(float)
        for product, (amount, uom, role) in amounts.items():
            lot = product if is_lot(product) else serial_lot.get(product, product)
            if location and (role in ("output", "output_class", "lot") or event.action == "ADD"):
                lot_source.setdefault(lot, location)
            if amount is None:
                continue
            per_lot[(lot, uom)] += amount
            kind = direction(role)
            if kind and location:
                stock[location][kind][uom] += amount
        documents = "; ".join(value for _, value in event.transactions)
        types = "; ".join(kind for kind, _ in event.transactions)
        cte = (
            "Transformation"
            if event.event_type == TRANSFORMATION
            else CRITICAL_TRACKING_EVENTS.get(event.biz_step, event.biz_step or event.event_type)
        )
        for (lot, uom), amount in sorted(per_lot.items()):
            rows.append(
                [
                    formatter.key(lot),
                    lot,  # replaced by the source location below, once every event is seen
                    _product_description(lot),
                    _number(amount),
                    uom,
                    formatter.key(location) if location else "",
                    event.time.isoformat(),
                    cte,
                    types,
                    documents,
                    ", ".join(formatter.key(k) for k in sorted(event.keys) if is_product(k)),
                    event.event_id,
                ]
            )
    for row in rows:
        source = lot_source.get(row[1], "")
        row[1] = formatter.key(source) if source else ""
    locations = []
    holders = []
    for location in sorted(set(location_events) | set(stock)):
        moves = stock.get(location, {"in": {}, "out": {}})
        on_hand = {
            uom: _number(moves["in"].get(uom, 0) - moves["out"].get(uom, 0))
            for uom in sorted(set(moves["in"]) | set(moves["out"]))
        }
        entry = {
            "id": formatter.key(location),
            "events": location_events.get(location, 0),
            "received": {u: _number(q) for u, q in sorted(moves["in"].items())},
            "dispatched": {u: _number(q) for u, q in sorted(moves["out"].items())},
            "onHand": {u: q for u, q in on_hand.items() if q > 0},
            "parties": sorted(formatter.key(p) for p in location_parties.get(location, ())),
        }
        locations.append(entry)
        if entry["onHand"]:
            holders.append({"location": entry["id"], "onHand": entry["onHand"], "parties": entry["parties"]})
    codes = sorted({to_digital_link(k, formatter.base) for k in result.keys if is_serial(k) or is_lot(k)})
    return {
        "id": formatter.key(key),
        "events": len(result.events),
        "shipments": result.shipments,
        "locations": locations,
        "parties": [formatter.key(p) for p in result.parties],
        "holders": holders,
        "codes": codes,
        "findings": [finding.as_dict(formatter) for finding in result.findings],
        "columns": list(RECALL_COLUMNS),
        "rows": rows,
    }


def _stock_direction(event: TraceEvent) -> Callable[[str], str | None]:
    """Whether the goods of a role in ``event`` arrive at its location ("in") or leave it ("out")."""
    if event.event_type == TRANSFORMATION:
        return lambda role: "out" if role in ("input", "input_class") else "in"
    if event.biz_step in OUT_STEPS or (event.event_type == "ObjectEvent" and event.action == "DELETE"):
        return lambda role: "out"
    if event.biz_step in IN_STEPS or (event.event_type == "ObjectEvent" and event.action == "ADD"):
        return lambda role: "in"
    return lambda role: None


def _product_amounts(found: Genealogy, event: TraceEvent) -> dict[str, tuple[Any, str, str]]:
    """Product identifier -> (amount, unit, role) of the reached goods an event moved.

    Items named directly count, and so do items inside a container the event names (an SSCC
    shipped carries the reached serials that were packed in it at that moment). A lot's own
    ``lot`` row is the same goods as its instances and is not counted again.
    """
    amounts: dict[str, tuple[Any, str, str]] = {}
    for key, role in event.keys.items():
        if role == "lot":
            amounts.setdefault(key, (None, "", role))
            continue
        if is_product(key):
            amount, uom = event.quantity(key)
            amounts[key] = (amount, uom, role)
        else:
            for inner in found.contents_at(key, event.time):
                amounts.setdefault(inner, (1, EACH, role) if is_serial(inner) else (None, "", role))
    return amounts


def _serial_lots(found: Genealogy) -> dict[str, str]:
    """Serial -> lot class, from the lot rows of the commissioning events the trace loaded."""
    result: dict[str, str] = {}
    for facts in found.events.values():
        if not facts.members:
            continue
        lots = [key for key, role in facts.members if role == "lot"]
        if not lots:
            continue
        for key, role in facts.members:
            if role in ("epc", "output") and is_serial(key):
                for lot in lots:
                    if lot[:17] == key[:17]:
                        result[key] = lot
    return result


def _product_description(key: str) -> str:
    # The registry (issue #3) knows product names; until then the GTIN says what it is.
    return f"GTIN {key[3:17]}" if key.startswith("01/") else key


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 6)


# ------------------------------------------------------------------------------------------------
# Stored recalls.
# ------------------------------------------------------------------------------------------------


def recall_list(*, client=None) -> QuerySet[Recall]:
    qs = Recall.objects.defer("scope")
    if client is not None:
        qs = qs.filter(declared_by_client=client)
    return qs.order_by("-declared_at", "-id")


def recall_get(*, recall_id: str) -> Recall | None:
    return Recall.objects.filter(recall_id=recall_id).first()
