"""Property tests: every trace equals a brute-force reference over the same events, and nothing else.

The reference is written here, independently of the index: it loads every stored event's document,
reads its identifiers with ``canonical_key`` and its ILMD lot, and computes the closure of the
genealogy rules (issue #4 item 1) by naive iteration to a fixed point. Random histories mix
commissioning with lots, aggregation and re-packing, transformations, shipments, equal times and
error declarations.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracehub.epcis.models import CaptureJob, Event
from tracehub.epcis.services import capture_document_store
from tracehub.identifiers import canonical_key
from tracehub.tracing import genealogy, selectors

from . import builders as b

pytestmark = pytest.mark.django_db

SERIALS = [b.sgtin(str(n)) for n in range(5)]
LOTS = [b.lgtin(f"L{n}") for n in range(3)]
RAWS = [b.lgtin(f"R{n}", "012345") for n in range(2)]
CASES = [b.sscc(n) for n in range(1, 4)]
OBJECTS = SERIALS + LOTS + RAWS + CASES
BASE = datetime(2026, 10, 1, tzinfo=UTC)
TIDS = ["urn:uuid:11111111-0000-4000-8000-000000000001", "urn:uuid:11111111-0000-4000-8000-000000000002"]

MIN = datetime.min.replace(tzinfo=UTC)
MAX = datetime.max.replace(tzinfo=UTC)


def when(hour: int) -> str:
    return (BASE + timedelta(hours=hour)).isoformat().replace("+00:00", "Z")


def _split(items):
    epcs = [i for i in items if i in SERIALS or i in CASES]
    classes = [(i, 1, None) for i in items if i in LOTS or i in RAWS]
    return epcs, classes


hours = st.integers(min_value=0, max_value=12)
some = st.lists(st.sampled_from(OBJECTS), min_size=1, max_size=4, unique=True)
serials = st.lists(st.sampled_from(SERIALS), min_size=1, max_size=3, unique=True)


@st.composite
def operation(draw):
    kind = draw(st.sampled_from(["commission", "move", "pack", "unpack", "transform", "transform", "move"]))
    hour = draw(hours)
    if kind == "commission":
        lot = draw(st.sampled_from([None, "L0", "L1", "L2"]))
        return b.commission(draw(serials), when=when(hour), lot=lot, location=draw(st.integers(1, 3)))
    if kind == "move":
        epcs, classes = _split(draw(some))
        step = draw(st.sampled_from(["shipping", "receiving", "retail_selling"]))
        return b.observe(epcs, when=when(hour), location=draw(st.integers(1, 3)), step=step, classes=classes)
    if kind == "pack":
        children = draw(st.lists(st.sampled_from(SERIALS + CASES), min_size=1, max_size=3, unique=True))
        parent = draw(st.sampled_from(CASES))
        children = [c for c in children if c != parent] or [SERIALS[0]]
        lots = draw(st.lists(st.sampled_from(LOTS), max_size=1))
        return b.aggregate(parent, children, when=when(hour), classes=[(lot, 1, None) for lot in lots])
    if kind == "unpack":
        children = draw(st.lists(st.sampled_from(SERIALS), max_size=2, unique=True))
        return b.aggregate(draw(st.sampled_from(CASES)), children, action="DELETE", when=when(hour))
    inputs = draw(some)
    outputs = draw(st.lists(st.sampled_from(SERIALS + LOTS + RAWS), min_size=1, max_size=3, unique=True))
    in_epcs, in_classes = _split(inputs)
    out_epcs, out_classes = _split(outputs)
    # Some transformations are split over events sharing a transformationID (EPCIS 2.0 §7.4.6):
    # an event may then carry only the inputs or only the outputs.
    tid = draw(st.sampled_from([None, None, TIDS[0], TIDS[1]]))
    part = draw(st.sampled_from(["both", "inputs", "outputs"])) if tid else "both"
    if part == "inputs":
        out_epcs, out_classes = [], []
    elif part == "outputs":
        in_epcs, in_classes = [], []
    lot = draw(st.sampled_from([None, "L2"])) if out_epcs else None
    return b.transform(
        in_epcs,
        out_epcs,
        when=when(hour),
        input_classes=in_classes,
        output_classes=out_classes,
        lot=lot,
        transformationID=tid,
    )


histories = st.tuples(
    st.lists(operation(), min_size=1, max_size=14),
    st.lists(st.integers(min_value=0, max_value=20), max_size=2),
)


def store(events, declared_positions) -> None:
    Event.objects.filter(declares_error_for__isnull=False).delete()
    Event.objects.all().delete()
    CaptureJob.objects.all().delete()
    outcome = capture_document_store(client=None, document=b.document(*events))
    assert not outcome.errors, outcome.errors
    declarations = [b.declaration(events[p]) for p in declared_positions if p < len(events)]
    if declarations:
        capture_document_store(client=None, document=b.document(*declarations))


# -- the reference ------------------------------------------------------------------------------------

LISTS = {
    "epcList": "epc",
    "childEPCs": "child",
    "inputEPCList": "input",
    "outputEPCList": "output",
}
QUANTITIES = {
    "quantityList": "class",
    "childQuantityList": "child_class",
    "inputQuantityList": "input_class",
    "outputQuantityList": "output_class",
}


def load_reference_events() -> dict[int, dict]:
    """Every live event from the stored documents (nothing from the index)."""
    declared = set(
        Event.objects.filter(declares_error_for__isnull=False).values_list("declares_error_for", flat=True)
    )
    result = {}
    for event in Event.objects.filter(declares_error_for__isnull=True):
        doc = orjson.loads(event.document)
        if "errorDeclaration" in doc or event.pk in declared:
            continue
        roles = []
        for name, role in LISTS.items():
            roles += [(canonical_key(v), role) for v in doc.get(name, [])]
        for name, role in QUANTITIES.items():
            roles += [(canonical_key(q["epcClass"]), role) for q in doc.get(name, [])]
        if "parentID" in doc:
            roles.append((canonical_key(doc["parentID"]), "parent"))
        lot = (doc.get("ilmd") or {}).get("cbvmda:lotNumber")
        if lot:
            for k, role in list(roles):
                if role in ("epc", "output") and "/21/" in k:
                    roles.append((f"{k[:17]}/10/{lot}", "lot"))
        result[event.pk] = {
            "time": event.event_time,
            "type": doc["type"],
            "action": doc.get("action"),
            "step": doc.get("bizStep"),
            "tid": doc.get("transformationID") if doc["type"] == "TransformationEvent" else None,
            "roles": list(dict.fromkeys(roles)),
        }
    return result


def reference(events: dict[int, dict], start: str, direction: str) -> tuple[set[str], set[int]]:
    by_key = defaultdict(list)
    for pk, ev in events.items():
        for k, role in ev["roles"]:
            by_key[k].append((pk, role))

    def members(pk, roles):
        return [k for k, role in events[pk]["roles"] if role in roles]

    def transformation(pk):
        """The events of one transformation: those sharing its transformationID, or itself."""
        tid = events[pk]["tid"]
        return [other for other, ev in events.items() if tid and ev["tid"] == tid] if tid else [pk]

    def left(container, since, child):
        ends = [
            ev["time"]
            for pk, ev in events.items()
            if ev["type"] == "AggregationEvent"
            and ev["action"] == "DELETE"
            and ev["time"] >= since
            and container in members(pk, ("parent",))
            and (not members(pk, ("child", "child_class")) or child in members(pk, ("child", "child_class")))
        ]
        return min(ends, default=MAX)

    forward = direction == "forward"
    items = {(start, MIN, MAX, 2, None)}
    reached: dict[tuple[str, int], int] = {}
    changed = True
    while changed:
        changed = False
        for k, lo, hi, mode, via in list(items):
            if via is not None:
                hi = min(hi, left(k, lo, via))
            for pk, role in by_key[k]:
                ev = events[pk]
                t = ev["time"]
                if not lo <= t <= hi:
                    continue
                reached[(k, pk)] = max(reached.get((k, pk), 0), mode)
                new = set()
                if ev["type"] == "TransformationEvent":
                    for part in transformation(pk):
                        t_part = events[part]["time"]
                        if forward and role in ("input", "input_class"):
                            new |= {
                                (o, t_part, MAX, 2, None) for o in members(part, ("output", "output_class"))
                            }
                        if not forward and role in ("output", "output_class"):
                            new |= {
                                (i, MIN, t_part, 2, None) for i in members(part, ("input", "input_class"))
                            }
                packing = ev["type"] == "AggregationEvent" and (
                    ev["action"] == "ADD" or (ev["action"] == "OBSERVE" and ev["step"] == "packing")
                )
                if packing and role in ("child", "child_class"):
                    new |= {(p, t, hi, 1, k) for p in members(pk, ("parent",))}
                if packing and role == "parent" and mode == 2:
                    for c in members(pk, ("child", "child_class")):
                        new.add(
                            (c, t, MAX, 2, None) if forward else (c, MIN, min(hi, left(k, t, c)), 2, None)
                        )
                if forward and role == "lot":
                    new |= {
                        (s, t, MAX, 2, None)
                        for s in members(pk, ("epc", "output"))
                        if s.startswith(k[:17] + "/21/")
                    }
                if not forward and role in ("epc", "output") and "/21/" in k:
                    new |= {(lot, MIN, t, 2, None) for lot in members(pk, ("lot",)) if lot[:17] == k[:17]}
                if not new <= items:
                    items |= new
                    changed = True
    return {k for k, _ in reached} | {start}, {pk for _, pk in reached}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories, start=st.sampled_from(OBJECTS), direction=st.sampled_from(["forward", "back"]))
def test_trace_equals_the_brute_force_reference(history, start, direction):
    events, declared = history
    store(events, declared)
    key = canonical_key(start)
    found = genealogy.trace(key, direction=direction)
    expected_keys, expected_events = reference(load_reference_events(), key, direction)
    assert found.keys == expected_keys
    assert found.event_pks == expected_events


def _lot_with_items(api, count: int, lot: str) -> None:
    items = [b.sgtin(f"{lot}-{n}") for n in range(count)]
    case = b.sscc(900 + count)
    b.capture(
        api,
        b.commission(classes=[(b.lgtin(f"RAW{lot}", "012345"), 5, "KGM")], when=b.at(1)),
        b.transform(
            input_classes=[(b.lgtin(f"RAW{lot}", "012345"), 5, "KGM")], outputs=items, lot=lot, when=b.at(2)
        ),
        b.aggregate(case, items, when=b.at(3)),
        b.ship([case], when=b.at(4), source=1, destination=2),
        b.receive([case], when=b.at(5)),
        *[b.sell([item], when=b.at(6)) for item in items],
    )


def test_query_count_grows_with_hops_not_identifiers(api):
    _lot_with_items(api, 3, "SMALL")
    _lot_with_items(api, 60, "LARGE")
    counts = {}
    for lot in ("SMALL", "LARGE"):
        with CaptureQueriesContext(connection) as queries:
            result = selectors.trace_build(
                key=canonical_key(b.lgtin(f"RAW{lot}", "012345")), direction="forward"
            )
        counts[lot] = (len(queries), result.genealogy.hops, len(result.keys))
    assert counts["SMALL"][1] == counts["LARGE"][1]  # the same hops ...
    assert counts["LARGE"][2] > 10 * counts["SMALL"][2] / 2  # ... many more identifiers ...
    assert counts["SMALL"][0] == counts["LARGE"][0]  # ... the same number of queries
    hops = counts["LARGE"][1]
    # Two per hop, two for the details and one for the names of places and parties; on
    # PostgreSQL BEGIN, SET LOCAL and COMMIT around them.
    assert counts["LARGE"][0] <= 2 * hops + 3 + (3 if connection.vendor == "postgresql" else 0)
