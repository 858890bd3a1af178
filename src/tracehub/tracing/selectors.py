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
from django.db.models import CharField, QuerySet, Value

from tracehub.accounts.models import District
from tracehub.epcis.models import CompanyPrefix, EventIndex
from tracehub.epcis.render import IdentifierFormatter
from tracehub.identifiers import IdentifierError, canonical_key, company_prefix_candidates
from tracehub.registry.models import Location, Party, PartyPrefix
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
from tracehub.tracing.models import Recall, RecallCode, RecallSector, RecallStatus

__all__ = [
    "BACK",
    "FORWARD",
    "Trace",
    "TraceEvent",
    "identifier_known",
    "recall_get",
    "recall_list",
    "recall_scope",
    "recalls_covering",
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
    #: Registry names of the locations and parties (``place_names``), with each location's stage.
    names: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Events of the whole trace the caller may not see (0 without a ``visible`` hook).
    hidden: int = 0

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
    """Trace ``key`` (canonical) forward (O2) or back (O1), with details and findings.

    ``visible`` (``tracehub.tracing.visibility.trace_visibility``) limits the trace to what the
    caller may see: the trace is walked again over the visible events only (no further query for
    the walk, two for the details), so nothing reached only through an invisible event is
    answered (issue #4 item 2).
    """
    with genealogy.serial_reads():
        found = genealogy.trace(key, direction=direction, max_depth=max_depth, since=since, until=until)
        events = _event_details(found)
        hidden = 0
        if visible is not None and events:
            allowed = visible(events)
            if len(allowed) < len(events):
                total = len(events)
                store = genealogy.VisibleStore(found, allowed)
                found = genealogy.trace(key, direction=direction, max_depth=max_depth, store=store)
                events = _event_details(found)
                hidden = total - len(events)
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
        hidden=hidden,
    )
    result.names = place_names(result.locations + result.parties)
    at_place: dict[str, list[TraceEvent]] = defaultdict(list)
    for event in events:
        if event.location:
            at_place[event.location].append(event)
    for location in result.locations:
        entry = result.names.setdefault(location, {})
        if not entry.get("stage"):
            entry["stage"] = event_stage(at_place.get(location, ()))
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
# Names of places and parties (issue #4 item 2, P5: pictures people can read).
# ------------------------------------------------------------------------------------------------

#: Stages of the supply chain, the columns of the console's layered layout (P5), in order.
STAGES = ("source", "processing", "wholesale", "retail")
_KIND_STAGE = {
    "farm_plot": "source",
    "barn": "source",
    "port": "source",
    "plant": "processing",
    "warehouse": "wholesale",
    "market": "wholesale",
    "stall": "retail",
    "shop": "retail",
    "pharmacy": "retail",
}
_PARTY_STAGE = {
    "farm": "source",
    "cooperative": "source",
    "foreign_exporter": "source",
    "importer": "source",
    "slaughterhouse": "processing",
    "processor": "processing",
    "manufacturer": "processing",
    "wholesaler": "wholesale",
    "market_operator": "wholesale",
    "logistics": "wholesale",
    "agri_input_dealer": "wholesale",
    "stall": "retail",
    "supermarket": "retail",
    "retailer": "retail",
    "catering": "retail",
    "pharmacy": "retail",
    "hospital": "retail",
}
_RETAIL_STEPS = frozenset({"retail_selling", "dispensing"})


def district_name(code: str) -> str:
    """The name of a GB/T 2260 district of Xiamen (accounts.District), or ""."""
    return str(District(code).label) if code in District.values else ""


def place_names(keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Registry names of locations and parties by key: one query, whatever their number (P5).

    A location key answers its name, kind, district (code and name), holding party and whether
    that party is filed; a party key (PGLN) its name and district. A key the registry does not
    know is absent.
    """
    keys = sorted(set(keys))
    result: dict[str, dict[str, Any]] = {}
    party_kind = Value("party", output_field=CharField())
    for part in chunks(keys):
        places = (
            Location.objects.filter(key__in=part)
            .order_by()
            .values_list(
                "key", "name", "kind", "district", "party__name", "party__party_type", "party__filing_status"
            )
        )
        parties = (
            Party.objects.filter(pgln__in=part)
            .order_by()
            .values_list("pgln", "name", party_kind, "district", "name", "party_type", "filing_status")
        )
        for key, name, kind, district, party, party_type, filing in places.union(parties, all=True):
            if kind == "party" and key in result:
                continue  # a location and a party under one key: the location says more
            result[key] = {
                "name": name,
                "kind": kind,
                "district": district or None,
                "districtName": district_name(district) or None,
                "party": party,
                "stage": _PARTY_STAGE.get(party_type)
                if kind == "party"
                else (_KIND_STAGE.get(kind) or _PARTY_STAGE.get(party_type)),
                "filed": filing == "approved",
            }
    return result


def event_stage(events: Iterable[TraceEvent]) -> str:
    """The stage a place's events suggest, for a location the registry does not know."""
    steps = {event.biz_step for event in events}
    types = {event.event_type for event in events}
    if steps & _RETAIL_STEPS:
        return "retail"
    if TRANSFORMATION in types:
        return "processing"
    if steps <= {"commissioning", "shipping", "inspecting", ""}:
        return "source"
    return "wholesale"


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
    visible: Visibility | None = None,
) -> dict[str, Any]:
    """Everything a recall of ``key`` must reach (O2): where the goods went, how much, who holds it.

    Also the destination view of a lot (G2, 去向可视化): each location carries its registry name,
    district (GB/T 2260 code and name), kind and stage. ``visible`` limits it as it limits a trace.
    ``sectors`` are the sectors of the events reached (who oversees the recall); ``_keys`` (not
    stored: ``services.recall_declare`` pops it) the canonical keys of every item and lot reached.

    ``formatter`` writes keys as answers (:class:`tracehub.epcis.render.IdentifierFormatter`), so
    the stored scope reads the same as the API answers. The scope is JSON: ``locations`` (each
    with quantities received, shipped or sold and still on hand, per unit), ``parties``,
    ``holders`` (locations with stock on hand), ``codes`` (consumer-facing Digital Link URIs of
    every item and lot reached), ``shipments`` and ``rows`` (the FSMA 204 sortable spreadsheet, one
    row per event and traceability lot code, columns :data:`RECALL_COLUMNS`).
    """
    from tracehub.identifiers import to_digital_link
    from tracehub.tracing.visibility import event_sectors

    result = trace_build(key=key, direction=FORWARD, since=since, until=until, visible=visible)
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
        named = result.names.get(location) or {}
        entry = {
            "id": formatter.key(location),
            "name": named.get("name"),
            "kind": named.get("kind"),
            "district": named.get("district"),
            "districtName": named.get("districtName"),
            "stage": named.get("stage"),
            "events": location_events.get(location, 0),
            "received": {u: _number(q) for u, q in sorted(moves["in"].items())},
            "dispatched": {u: _number(q) for u, q in sorted(moves["out"].items())},
            "onHand": {u: q for u, q in on_hand.items() if q > 0},
            "parties": sorted(formatter.key(p) for p in location_parties.get(location, ())),
        }
        locations.append(entry)
        if entry["onHand"]:
            holders.append({"location": entry["id"], "onHand": entry["onHand"], "parties": entry["parties"]})
    recalled = sorted({k for k in result.keys if is_serial(k) or is_lot(k)} | {key})
    codes = sorted({to_digital_link(k, formatter.base) for k in recalled if is_serial(k) or is_lot(k)})
    sectors: set[str] = set()
    for found_sectors in event_sectors(result.events).values():
        sectors |= found_sectors
    return {
        "sectors": sorted(sectors),
        "_keys": recalled,
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


def recall_list(*, sectors: frozenset[str] | None = None, client=None) -> QuerySet[Recall]:
    """Stored recalls, newest first: those of ``sectors`` (an official's), or all (None). O2."""
    qs = Recall.objects.defer("scope")
    if sectors is not None:
        qs = qs.filter(pk__in=RecallSector.objects.filter(sector__in=sorted(sectors)).values("recall_id"))
    if client is not None:
        qs = qs.filter(declared_by_client=client)
    return qs.order_by("-declared_at", "-id")


def recall_get(*, recall_id: str, sectors: frozenset[str] | None = None) -> Recall | None:
    """One recall, if it is of ``sectors`` (None: any)."""
    return recall_list(sectors=sectors).filter(recall_id=recall_id).defer(None).first()


def recalls_covering(*, identifiers: list[str]) -> list[Recall]:
    """Open recalls whose scope reached any of ``identifiers`` (P4: the public page of a code).

    ``identifiers`` are EPC URNs, EPC class URNs or Digital Link URIs (an item and its lot, say);
    unreadable ones are skipped. One indexed look-up in :class:`RecallCode`, never a read of the
    scopes' JSON; the scope itself is not loaded.
    """
    keys = set()
    for identifier in identifiers:
        try:
            keys.add(canonical_key(identifier.strip()))
        except (IdentifierError, AttributeError):
            continue
    if not keys:
        return []
    covering = RecallCode.objects.filter(key__in=sorted(keys)).values("recall_id")
    return list(
        Recall.objects.filter(pk__in=covering, status=RecallStatus.OPEN)
        .defer("scope")
        .order_by("-declared_at", "-id")
    )
