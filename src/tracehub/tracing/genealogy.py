"""Genealogy over the event store (谱系): which identifiers and events a trace reaches.

Issue #4 item 1; O1 (来源可查: back to the source) and O2 (去向可追: forward to every place).
A trace starts at one identifier (an instance such as an SGTIN or SSCC, or a class such as a lot)
and follows these rules, every one of them in time:

* **Same identifier.** Every event that names an identifier reached (in any object role:
  ``epc``, ``parent``, ``child``, ``input``, ``output``, the quantity classes, or ``lot``) is in
  the trace, as long as it falls in the identifier's *window*. The start's window is all time.
* **Transformations.** Forward, an input's TransformationEvent reaches every output, from the
  transformation's time on (``[t, ∞)``); back, an output reaches every input up to that time
  (``(-∞, t]``). A back trace never follows an input to the outputs of the transformations it
  went into, and a forward trace never follows an output back to its inputs. So the other
  outputs of an ancestor's transformation are never ancestors. TransformationEvents sharing a
  ``transformationID`` are one transformation (EPCIS 2.0 §7.4.6: inputs and outputs may be
  recorded by separate events): the inputs of any of them reach the outputs of all of them, each
  output from the time of the event naming it, and back each input up to the time of the event
  naming it. The events of one ``transformationID`` are found through a partial expression index
  on the event document (migration ``tracing.0003``).
* **Aggregation in time.** A child (``childEPCs`` or ``childQuantityList``) aggregated into a
  container by an AggregationEvent ``ADD`` (or ``OBSERVE`` with bizStep ``packing``) at ``t``
  shares the container's events from ``t`` to the first AggregationEvent ``DELETE`` of that
  container that lists the child or lists no children (then all leave). Only those events of the
  container are the child's, and a container reached this way ("up") is never followed "down" to
  its other children: siblings are not each other's descendants or ancestors. A container reached
  in its own right (the start, an output, a child of a container reached in its own right) is
  followed down: forward to each child from its packing on, back to each child's history up to
  when it left the container.
* **Lot and serial.** An instance commissioned with an ILMD lot number belongs to the lot's class
  ``01/{GTIN}/10/{lot}`` (EventIndex role ``lot``, written at capture). Forward, a lot reaches
  its instances from their commissioning on; back, an instance reaches its lot up to its
  commissioning.
* **Error declarations.** Events declared erroneous (a declaration row points at them, or they
  were captured carrying an ``errorDeclaration``) do not exist for a trace.
* ``from``/``to`` restrict the store the trace sees: events outside them do not exist either.

The trace is a breadth-first search by hops over :class:`~tracehub.epcis.models.EventIndex`: each
hop costs a fixed number of batched ``IN`` look-ups (the identifiers of the frontier, then the
members of the events that link them onwards), never one query per identifier (issue #4 "tens of
milliseconds"; DESIGN.md §5: every trace is a sequence of indexed look-ups by identifier, so it
shards). ``max_depth`` bounds the number of links followed from the start. What is computed is a
set of *occurrences* (identifier, event); an identifier reached is one with at least one
occurrence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection, transaction

from tracehub.epcis.models import Event, EventIndex

FORWARD = "forward"
BACK = "back"
DIRECTIONS = (FORWARD, BACK)

#: Roles in which an identifier names an object the event happened to (not a place or a party).
OBJECT_ROLES = (
    "epc",
    "parent",
    "child",
    "input",
    "output",
    "class",
    "child_class",
    "input_class",
    "output_class",
    "lot",
)
INPUT_ROLES = frozenset({"input", "input_class"})
OUTPUT_ROLES = frozenset({"output", "output_class"})
_OBJECT_ROLE_SET = frozenset(OBJECT_ROLES)
CHILD_ROLES = frozenset({"child", "child_class"})
INSTANCE_ROLES = frozenset({"epc", "output"})

TRANSFORMATION = "TransformationEvent"
AGGREGATION = "AggregationEvent"
OBJECT = "ObjectEvent"

#: Relations of the links a trace follows, written in the direction the goods moved.
TRANSFORMED = "transformed"  # input -> output
PACKED = "packed"  # child -> container
LOT_MEMBER = "lot"  # lot class -> instance commissioned in it

EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)

UP = 1  # an occurrence reached through a container's window: never followed down to its children
FULL = 2


def _chunk_size() -> int:
    # SQLite allows 32,766 bound parameters per statement; PostgreSQL many more.
    return 20000 if connection.vendor == "postgresql" else 5000


def chunks(items: Sequence, size: int | None = None) -> Iterator[Sequence]:
    size = size or _chunk_size()
    for start in range(0, len(items), size):
        yield items[start : start + size]


def is_serial(key: str) -> bool:
    """An SGTIN key (``01/{GTIN}/21/{serial}``)."""
    return key.startswith("01/") and "/21/" in key


def is_lot(key: str) -> bool:
    """A GTIN + lot class key (``01/{GTIN}/10/{lot}``)."""
    return key.startswith("01/") and key[17:21] == "/10/"


def is_product(key: str) -> bool:
    """A trade item (an SGTIN, a GTIN + lot or a GTIN), as opposed to a container or asset."""
    return key.startswith("01/")


def lot_instances_prefix(lot_key: str) -> str:
    """``01/{GTIN}/21/``: what every SGTIN of the lot's GTIN starts with."""
    return lot_key[:17] + "/21/"


@dataclass(slots=True)
class EventFacts:
    """What the genealogy needs of one event (its row in ``epcis_event`` and its object rows)."""

    pk: int
    time: datetime
    event_type: str
    action: str
    biz_step: str
    #: (key, role) of every object row; loaded only for events that can link identifiers.
    members: list[tuple[str, str]] | None = None
    #: The transformationID of a TransformationEvent that has one (EPCIS 2.0 §7.4.6).
    tid: str | None = None

    @property
    def links(self) -> bool:
        return self.event_type in (TRANSFORMATION, AGGREGATION) or (
            self.event_type == OBJECT and self.action == "ADD"
        )

    @property
    def starts_containment(self) -> bool:
        return self.event_type == AGGREGATION and (
            self.action == "ADD" or (self.action == "OBSERVE" and self.biz_step == "packing")
        )


@dataclass(frozen=True, slots=True)
class Link:
    """One genealogy step a trace followed, in the direction the goods moved."""

    source: str
    target: str
    event: int
    relation: str


@dataclass(slots=True)
class _Item:
    key: str
    lo: datetime
    hi: datetime
    mode: int
    via: str | None  # for a container reached from a child: the child (its window ends at the DELETE)
    origin: tuple[str, int, str] | None  # (key it came from, event, relation), for the tree


@dataclass
class Genealogy:
    """The result of one trace: occurrences reached and what is needed to present them."""

    start: str
    direction: str
    max_depth: int | None
    #: (key, event pk) -> UP or FULL.
    occurrences: dict[tuple[str, int], int] = field(default_factory=dict)
    #: Every event seen, by pk (those of the occurrences and the other events of the keys loaded).
    events: dict[int, EventFacts] = field(default_factory=dict)
    #: key -> [(event pk, role)] for every key loaded, in event-time order: all its events.
    key_events: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    #: key -> depth at which it was first reached; and how (key it came from, event, relation).
    depth: dict[str, int] = field(default_factory=dict)
    origin: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    links: set[Link] = field(default_factory=set)
    #: container -> [(child, from, to)]: which reached children were in it when (for quantities).
    contents: dict[str, list[tuple[str, datetime, datetime]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    #: transformationID -> pks of the live TransformationEvents sharing it.
    groups: dict[str, list[int]] = field(default_factory=dict)
    hops: int = 0

    @property
    def keys(self) -> set[str]:
        """Every identifier reached (one with at least one occurrence), the start included."""
        found = {key for key, _ in self.occurrences}
        found.add(self.start)
        return found

    @property
    def event_pks(self) -> set[int]:
        return {pk for _, pk in self.occurrences}

    def occurrences_by_event(self) -> dict[int, list[str]]:
        result: dict[int, list[str]] = defaultdict(list)
        for key, pk in self.occurrences:
            result[pk].append(key)
        return result

    def contents_at(self, container: str, moment: datetime, _seen: frozenset[str] = frozenset()) -> set[str]:
        """The reached product identifiers inside ``container`` at ``moment`` (nested containers opened)."""
        found: set[str] = set()
        for child, lo, hi in self.contents.get(container, ()):
            if lo <= moment <= hi and child not in _seen:
                if is_product(child):
                    found.add(child)
                else:
                    found |= self.contents_at(child, moment, _seen | {container})
        return found


EVENT_TABLE = Event._meta.db_table
INDEX_TABLE = EventIndex._meta.db_table


def any_of(column: str, values: Sequence) -> tuple[str, list]:
    """``column`` is one of ``values``: ``= ANY(%s)`` with one array on PostgreSQL, ``IN`` on SQLite.

    One bound array instead of thousands of parameters keeps a large look-up (a recall's
    25,000 events) from spending its time preparing parameters (issue #4: recall in seconds).
    """
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _aware(value) -> datetime:
    # SQLite hands back a naive datetime (or its text) in UTC (USE_TZ); PostgreSQL an aware one.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def transformation_id_sql(alias: str = "") -> str:
    """The SQL expression of an event's transformationID: the one the partial index is built on."""
    column = f"{alias}document"
    if connection.vendor == "postgresql":
        return f"({column}::jsonb ->> 'transformationID')"
    return f"json_extract({column}, '$.transformationID')"


def _tid_column(alias: str) -> str:
    # Parse only the documents of TransformationEvents that mention a transformationID at all.
    return (
        f"CASE WHEN {alias}event_type = '{TRANSFORMATION}' AND {alias}document LIKE '%%transformationID%%' "
        f"THEN {transformation_id_sql(alias)} END"
    )


def undeclared_sql(column: str, *, vendor: str | None = None) -> str:
    """No error declaration points at the event whose id is ``column`` (EPCIS 2.0 §7.4.1.4).

    ``OFFSET 0`` keeps PostgreSQL from turning the ``NOT EXISTS`` into an anti join, which it
    plans as a merge or hash join over *every* declaration of the store: a scan that grows with
    the store (and, before VACUUM has marked the pages all-visible, reads each declaration's
    heap row), on every look-up of every trace. Probed per row instead, it costs one look-up in
    the partial index ``event_declares_error_idx`` per event answered (issue #4: cost grows with
    the answer, not with the store). SQLite runs the correlated subquery per row anyway, and
    refuses an OFFSET without a LIMIT. ``vendor`` names the database for SQL written before a
    connection is at hand (a statement prepared at import); by default, the connection's.
    """
    offset = " OFFSET 0" if (vendor or connection.vendor) == "postgresql" else ""
    return f"NOT EXISTS (SELECT 1 FROM {EVENT_TABLE} d WHERE d.declares_error_for_id = {column}{offset})"  # noqa: S608


def live_sql(alias: str = "e.") -> str:
    """Neither captured with an errorDeclaration nor pointed at by a declaration row."""
    return f"NOT {alias}error_declared AND {undeclared_sql(f'{alias}id')}"


class GenealogyStore:
    """The look-ups a trace makes, batched: events of identifiers, members of events, and the
    events of a transformationID."""

    def __init__(self, *, since: datetime | None = None, until: datetime | None = None) -> None:
        self.since = since
        self.until = until

    def events_of(self, keys: Sequence[str]) -> Iterable[tuple]:
        """(key, role, event pk, time, type, action, bizStep, tid) for every live event naming ``keys``.

        Live: neither captured with an errorDeclaration nor pointed at by a declaration row.
        """
        # The roles are filtered here, not in SQL: with ``role = ANY(…)`` beside ``key = ANY(…)``
        # PostgreSQL 15 descends the (key, role, event) index once per key *and role*, ten times
        # the pages, and at ten million events those pages no longer stay in memory (issue #4:
        # cost grows with the answer, not the store). An object's key is named in no other role.
        roles = _OBJECT_ROLE_SET
        for part in chunks(list(keys)):
            keys_sql, params = any_of("i.key", part)
            sql = (
                "SELECT i.key, i.role, i.event_id, e.event_time, e.event_type, e.action, e.biz_step, "  # noqa: S608
                f"{_tid_column('e.')} "
                f"FROM {INDEX_TABLE} i JOIN {EVENT_TABLE} e ON e.id = i.event_id "
                f"WHERE {keys_sql} AND NOT e.error_declared AND {undeclared_sql('i.event_id')}"
            )
            sql, params = self._bounded(sql, params)
            for key, role, pk, time, event_type, action, biz_step, tid in fetch(sql, params):
                if role in roles:
                    yield key, role, pk, _aware(time), event_type, action, biz_step, tid

    def _bounded(self, sql: str, params: list) -> tuple[str, list]:
        adapt = connection.ops.adapt_datetimefield_value
        if self.since is not None:
            sql += " AND e.event_time >= %s"
            params.append(adapt(self.since))
        if self.until is not None:
            sql += " AND e.event_time <= %s"
            params.append(adapt(self.until))
        return sql, params

    def transformations(self, tids: Sequence[str]) -> Iterable[tuple]:
        """(tid, event pk, time, type, action, bizStep) of every live event of the transformationIDs."""
        for part in chunks(list(tids)):
            tids_sql, params = any_of(transformation_id_sql("e."), part)
            sql = (
                f"SELECT {transformation_id_sql('e.')}, e.id, e.event_time, e.event_type, e.action, "  # noqa: S608
                f"e.biz_step FROM {EVENT_TABLE} e WHERE e.event_type = '{TRANSFORMATION}' AND {tids_sql} "
                f"AND {live_sql()}"
            )
            sql, params = self._bounded(sql, params)
            for tid, pk, time, event_type, action, biz_step in fetch(sql, params):
                yield tid, pk, _aware(time), event_type, action, biz_step

    def members_of(self, event_pks: Sequence[int]) -> Iterable[tuple[int, str, str]]:
        """(event pk, key, role) of every object row of the events."""
        roles_sql, roles = any_of("role", OBJECT_ROLES)
        for part in chunks(list(event_pks)):
            events_sql, params = any_of("event_id", part)
            sql = f"SELECT event_id, key, role FROM {INDEX_TABLE} WHERE {events_sql} AND {roles_sql}"  # noqa: S608
            yield from fetch(sql, params + roles)


def trace(
    start: str,
    *,
    direction: str,
    max_depth: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    store: GenealogyStore | None = None,
) -> Genealogy:
    """Trace ``start`` (a canonical key) forward or back; see the module docstring for the rules."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    walker = _Walker(
        Genealogy(start=start, direction=direction, max_depth=max_depth),
        store or GenealogyStore(since=since, until=until),
    )
    walker.run()
    return walker.result


@contextmanager
def serial_reads() -> Iterator[None]:
    """Run a trace's look-ups as the short look-ups they are, on PostgreSQL (wrap a whole trace).

    Each look-up reads a few hundred index rows, but the planner cannot know how many rows a
    list of keys has (a lot has thousands, a serial a handful, a location hundreds of thousands)
    and its estimate grows with the store. Over-estimating, it starts parallel query workers, and
    past ``jit_above_cost`` it compiles the query to machine code: at ten million events a
    one-millisecond look-up of a hundred serials spent 96 ms in JIT compilation (issue #4: cost
    grows with the answer, not with the store). Both are turned off for this transaction only,
    in one round trip.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off")
        yield


class _Walker:
    def __init__(self, result: Genealogy, store: GenealogyStore) -> None:
        self.result = result
        self.store = store
        self.forward = result.direction == FORWARD
        self.current = result.start
        #: (key, event pk) -> [(mode, window end)] of the expansions made, to skip covered ones.
        self.expanded: dict[tuple[str, int], list[tuple[int, datetime]]] = {}

    # -- loading -------------------------------------------------------------------------------
    def _load(self, keys: Iterable[str]) -> None:
        result = self.result
        missing = [key for key in dict.fromkeys(keys) if key not in result.key_events]
        if not missing:
            return
        for key in missing:
            result.key_events[key] = []
        events = result.events
        new_linking: list[int] = []
        new_tids: dict[str, None] = {}
        for key, role, pk, time, event_type, action, biz_step, tid in self.store.events_of(missing):
            facts = events.get(pk)
            if facts is None:
                facts = events[pk] = EventFacts(pk, time, event_type, action or "", biz_step or "", tid=tid)
                if facts.links:
                    new_linking.append(pk)
                if tid and tid not in result.groups:
                    new_tids[tid] = None
            result.key_events[key].append((pk, role))
        for key in missing:
            result.key_events[key].sort(key=lambda row: (events[row[0]].time, row[0]))
        if new_tids:
            # The other events of each transformation (one look-up, only when a trace meets one).
            for tid in new_tids:
                result.groups[tid] = []
            for tid, pk, time, event_type, action, biz_step in self.store.transformations(list(new_tids)):
                result.groups[tid].append(pk)
                if pk not in events:
                    events[pk] = EventFacts(pk, time, event_type, action or "", biz_step or "", tid=tid)
                    new_linking.append(pk)
        if new_linking:
            for pk in new_linking:
                events[pk].members = []
            for pk, key, role in self.store.members_of(new_linking):
                events[pk].members.append((key, role))

    # -- the search ----------------------------------------------------------------------------
    def run(self) -> None:
        result = self.result
        frontier = [_Item(result.start, EARLIEST, LATEST, FULL, None, None)]
        depth = 0
        while frontier:
            self._load(item.key for item in frontier)
            result.hops = depth + 1
            following: dict[tuple, _Item] = {}
            for item in frontier:
                self._process(item, depth, following)
            frontier = list(following.values())
            depth += 1

    def _process(self, item: _Item, depth: int, following: dict[tuple, _Item]) -> None:
        result = self.result
        key = item.key
        lo, hi = item.lo, item.hi
        if item.via is not None:
            hi = min(hi, self._containment_end(key, lo, item.via))
            result.contents[key].append((item.via, lo, hi))
        occurrences = result.occurrences
        expanded = self.expanded
        events = result.events
        expand = result.max_depth is None or depth < result.max_depth
        fresh: set[tuple[str, int]] = set()
        for pk, role in result.key_events.get(key, ()):
            facts = events[pk]
            if facts.time < lo:
                continue
            if facts.time > hi:
                break
            occurrence = (key, pk)
            if occurrence not in fresh:  # (a key in two roles of one event links in both)
                # What an occurrence links to grows with its mode and with the end of its window
                # (a container's window, a child's history, end there): expand again only when
                # neither was covered by an earlier expansion.
                done = expanded.get(occurrence)
                if done is not None and any(mode >= item.mode and end >= hi for mode, end in done):
                    continue
                expanded.setdefault(occurrence, []).append((item.mode, hi))
                fresh.add(occurrence)
                if occurrences.get(occurrence, 0) < item.mode:
                    occurrences[occurrence] = item.mode
            if key not in result.depth:
                result.depth[key] = depth
                if item.origin is not None:
                    result.origin[key] = item.origin
            if expand and facts.members is not None:
                self._successors(key, role, facts, item, hi, following)

    def _push(
        self,
        following: dict[tuple, _Item],
        link: Link,
        key: str,
        window: tuple[datetime, datetime],
        mode: int = FULL,
        via: str | None = None,
    ) -> None:
        """Queue ``key`` for the next hop, reached from ``self.current`` over ``link``."""
        self.result.links.add(link)
        ident = (key, window[0], window[1], mode, via)
        if ident not in following:
            following[ident] = _Item(
                key, window[0], window[1], mode, via, (self.current, link.event, link.relation)
            )

    def _successors(
        self, key: str, role: str, facts: EventFacts, item: _Item, hi: datetime, following: dict
    ) -> None:
        self.current = key
        forward = self.forward
        moment = facts.time
        pk = facts.pk
        members = facts.members or ()
        if facts.event_type == TRANSFORMATION:
            # One event, or every event of its transformationID (each with its own time).
            group = self.result.groups.get(facts.tid, (pk,)) if facts.tid else (pk,)
            if forward and role in INPUT_ROLES:
                for member_pk in group:
                    part = self.result.events[member_pk] if member_pk != pk else facts
                    for other, other_role in part.members or ():
                        if other_role in OUTPUT_ROLES:
                            link = Link(key, other, member_pk, TRANSFORMED)
                            self._push(following, link, other, (part.time, LATEST))
            elif not forward and role in OUTPUT_ROLES:
                for member_pk in group:
                    part = self.result.events[member_pk] if member_pk != pk else facts
                    for other, other_role in part.members or ():
                        if other_role in INPUT_ROLES:
                            link = Link(other, key, member_pk, TRANSFORMED)
                            self._push(following, link, other, (EARLIEST, part.time))
        elif facts.event_type == AGGREGATION and facts.starts_containment:
            if role in CHILD_ROLES:
                # Up to the container, for the time the child was in it; never down again (siblings).
                for other, other_role in members:
                    if other_role == "parent":
                        self._push(following, Link(key, other, pk, PACKED), other, (moment, hi), UP, key)
            elif role == "parent" and item.mode == FULL:
                for other, other_role in members:
                    if other_role not in CHILD_ROLES:
                        continue
                    end = self._containment_end(key, moment, other)
                    self.result.contents[key].append((other, moment, end))
                    link = Link(other, key, pk, PACKED)
                    window = (moment, LATEST) if forward else (EARLIEST, min(hi, end))
                    self._push(following, link, other, window)
        # Lot membership: an ObjectEvent ADD or a TransformationEvent whose ILMD names a lot.
        if forward and role == "lot":
            prefix = lot_instances_prefix(key)
            for other, other_role in members:
                if other_role in INSTANCE_ROLES and other.startswith(prefix):
                    self._push(following, Link(key, other, pk, LOT_MEMBER), other, (moment, LATEST))
        elif not forward and role in INSTANCE_ROLES and is_serial(key):
            gtin = key[:17]
            for other, other_role in members:
                if other_role == "lot" and other.startswith(gtin):
                    self._push(following, Link(other, key, pk, LOT_MEMBER), other, (EARLIEST, moment))

    def _containment_end(self, container: str, since: datetime, child: str) -> datetime:
        """When ``child`` left ``container`` after ``since``: its first DELETE naming it, or all."""
        events = self.result.events
        for pk, role in self.result.key_events.get(container, ()):
            facts = events[pk]
            if facts.time < since or role != "parent":
                continue
            if facts.event_type != AGGREGATION or facts.action != "DELETE":
                continue
            children = [key for key, member_role in facts.members or () if member_role in CHILD_ROLES]
            if not children or child in children:
                return facts.time
        return LATEST


class VisibleStore(GenealogyStore):
    """The events of a trace already computed, limited to ``allowed`` ones (no query).

    A caller who may see only part of a trace (``tracehub.tracing.visibility``) gets the trace
    walked again over this store: what is reached only through an event they may not see is not
    reached at all, so no identifier, location or party leaks through it (issue #4 item 2).
    """

    def __init__(self, found: Genealogy, allowed: set[int]) -> None:
        super().__init__()
        self.found = found
        self.allowed = allowed

    def events_of(self, keys: Sequence[str]) -> Iterable[tuple]:
        found, allowed = self.found, self.allowed
        for key in keys:
            for pk, role in found.key_events.get(key, ()):
                if pk in allowed:
                    f = found.events[pk]
                    yield key, role, pk, f.time, f.event_type, f.action, f.biz_step, f.tid

    def members_of(self, event_pks: Sequence[int]) -> Iterable[tuple[int, str, str]]:
        for pk in event_pks:
            for key, role in self.found.events[pk].members or ():
                yield pk, key, role

    def transformations(self, tids: Sequence[str]) -> Iterable[tuple]:
        for tid in tids:
            for pk in self.found.groups.get(tid, ()):
                if pk in self.allowed:
                    f = self.found.events[pk]
                    yield tid, pk, f.time, f.event_type, f.action, f.biz_step
