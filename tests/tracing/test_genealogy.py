"""Genealogy rules on hand-built scenarios, through the capture API and the trace API (issue #4 item 1).

Every assertion is an exact set: what a trace must reach, and nothing else.
"""

from __future__ import annotations

import pytest

from .builders import (
    aggregate,
    at,
    capture,
    commission,
    declaration,
    key,
    lgtin,
    pgln,
    receive,
    sell,
    sgln,
    sgtin,
    ship,
    sscc,
    transaction,
    transform,
)

pytestmark = pytest.mark.django_db


def trace(api, direction: str, uri: str, **params) -> dict:
    response = api.get(f"/api/v1/trace/{direction}", {"id": uri, **params})
    assert response.status_code == 200, response.content
    return response.json()


def ids(*events) -> set[str]:
    return {event["eventID"] for event in events}


# -- the same identifier from event to event ------------------------------------------------------


def test_same_identifier_event_to_event(api):
    s1, s2 = sgtin("1"), sgtin("2")
    made = commission([s1], when=at(1))
    shipped = ship([s1], when=at(2), location=1)
    received = receive([s1], when=at(3), location=2)
    sold = sell([s1], when=at(4), location=3)
    other = commission([s2], when=at(1))
    capture(api, made, shipped, received, sold, other)
    for direction in ("forward", "back"):
        answer = trace(api, direction, s1)
        assert answer["id"] == s1
        assert answer["direction"] == direction
        assert set(answer["epcs"]) == {s1}
        assert set(answer["events"]) == ids(made, shipped, received, sold)
        assert set([p["id"] for p in answer["locations"]]) == {sgln(1), sgln(2), sgln(3)}
    assert trace(api, "forward", s1)["events"] == [e["eventID"] for e in (made, shipped, received, sold)]


def test_digital_link_and_urn_are_the_same_start(api):
    made = commission([sgtin("7")], when=at(1))
    capture(api, made)
    answer = trace(api, "forward", "https://id.gs1.org/01/09521234567899/21/7")
    assert answer["id"] == sgtin("7")  # answered as an EPC URN: the company prefix is known
    assert set(answer["events"]) == ids(made)


# -- transformations: fan-in, fan-out, never back from forward and never forward from back ---------


@pytest.fixture
def processing(api):
    """Two farm lots into one processing lot (fan-in) with a by-product; the lot to two markets."""
    farm1, farm2, meat, offal, early, other = (
        lgtin("FARM1", "012345"),
        lgtin("FARM2", "012345"),
        lgtin("MEAT1"),
        lgtin("OFFAL1", "099999"),
        lgtin("EARLY", "012345"),
        lgtin("OTHER"),
    )
    e = {
        "farm1": commission(classes=[(farm1, 100, "KGM")], when=at(1), location=10),
        "farm2": commission(classes=[(farm2, 50, "KGM")], when=at(1), location=11),
        "ship1": ship(classes=[(farm1, 100, "KGM")], when=at(2), location=10),
        "recv1": receive(classes=[(farm1, 100, "KGM")], when=at(3), location=20),
        # MEAT1 existed before this transformation too (an earlier batch from EARLY).
        "early": transform(
            input_classes=[(early, 10, "KGM")], output_classes=[(meat, 8, "KGM")], when=at(3), location=20
        ),
        "slaughter": transform(
            input_classes=[(farm1, 100, "KGM"), (farm2, 50, "KGM")],
            output_classes=[(meat, 120, "KGM"), (offal, 20, "KGM")],
            when=at(4),
            location=20,
        ),
        # FARM2 later also went into another product: not an ancestor of MEAT1's, not a descendant of FARM1.
        "later": transform(
            input_classes=[(farm2, 5, "KGM")], output_classes=[(other, 5, "KGM")], when=at(5), location=21
        ),
        "ship_m1": ship(classes=[(meat, 60, "KGM")], when=at(6), location=20),
        "ship_m2": ship(classes=[(meat, 60, "KGM")], when=at(6, 9), location=20),
        "recv_m1": receive(classes=[(meat, 60, "KGM")], when=at(7), location=30),
        "recv_m2": receive(classes=[(meat, 60, "KGM")], when=at(7, 9), location=31),
    }
    capture(api, *e.values())
    return {"farm1": farm1, "farm2": farm2, "meat": meat, "offal": offal, "early": early, "other": other}, e


def test_forward_follows_inputs_to_every_output_from_the_transformation_on(api, processing):
    lots, e = processing
    answer = trace(api, "forward", lots["farm1"])
    assert set(answer["epcs"]) == {lots["farm1"], lots["meat"], lots["offal"]}
    assert set(answer["events"]) == ids(
        e["farm1"],
        e["ship1"],
        e["recv1"],
        e["slaughter"],
        e["ship_m1"],
        e["ship_m2"],
        e["recv_m1"],
        e["recv_m2"],
    )
    # MEAT1's earlier transformation is before FARM1's material was in it: not in the trace.
    assert e["early"]["eventID"] not in answer["events"]
    assert {sgln(30), sgln(31)} <= set([p["id"] for p in answer["locations"]])


def test_forward_never_continues_back(api, processing):
    lots, _ = processing
    answer = trace(api, "forward", lots["farm1"])
    assert lots["farm2"] not in answer["epcs"]  # the other input is not a descendant
    assert lots["early"] not in answer["epcs"]
    assert lots["other"] not in answer["epcs"]


def test_back_follows_outputs_to_every_input_up_to_the_transformation(api, processing):
    lots, e = processing
    answer = trace(api, "back", lots["offal"])
    assert set(answer["epcs"]) == {lots["offal"], lots["farm1"], lots["farm2"]}
    assert set(answer["events"]) == ids(e["slaughter"], e["farm1"], e["farm2"], e["ship1"], e["recv1"])
    # FARM2's later transformation is after it went into OFFAL1: not upstream.
    assert e["later"]["eventID"] not in answer["events"]


def test_back_never_continues_forward(api, processing):
    lots, e = processing
    answer = trace(api, "back", lots["meat"])
    # Every input of every transformation that made MEAT1 ...
    assert set(answer["epcs"]) == {lots["meat"], lots["farm1"], lots["farm2"], lots["early"]}
    # ... but never the other outputs of those transformations (OFFAL1, OTHER).
    assert lots["offal"] not in answer["epcs"] and lots["other"] not in answer["epcs"]
    assert e["later"]["eventID"] not in answer["events"]


def test_fan_out_reaches_every_market(api, processing):
    lots, e = processing
    answer = trace(api, "forward", lots["farm2"])
    assert set(answer["epcs"]) == {lots["farm2"], lots["meat"], lots["offal"], lots["other"]}
    assert {sgln(30), sgln(31), sgln(21)} <= set([p["id"] for p in answer["locations"]])


def test_max_depth_counts_links(api, processing):
    lots, e = processing
    assert set(trace(api, "forward", lots["farm1"], max_depth=0)["epcs"]) == {lots["farm1"]}
    assert set(trace(api, "forward", lots["farm1"], max_depth=0)["events"]) == ids(
        e["farm1"], e["ship1"], e["recv1"], e["slaughter"]
    )
    answer = trace(api, "forward", lots["farm1"], max_depth=1)
    assert set(answer["epcs"]) == {lots["farm1"], lots["meat"], lots["offal"]}
    assert answer["graph"]["nodes"]


def test_time_window_limits_the_store(api, processing):
    lots, e = processing
    answer = trace(
        api,
        "forward",
        lots["farm1"],
        **{"from": "2026-10-02T00:00:00+08:00", "to": "2026-10-06T12:00:00+08:00"},
    )
    assert set(answer["events"]) == ids(e["ship1"], e["recv1"], e["slaughter"], e["ship_m1"], e["ship_m2"])
    answer = trace(api, "forward", lots["farm1"], to="2026-10-03T12:00:00Z")
    assert set(answer["epcs"]) == {lots["farm1"]}


# -- aggregation in time, siblings, re-packing ------------------------------------------------------


@pytest.fixture
def packing(api):
    s1, s2, s3 = sgtin("1"), sgtin("2"), sgtin("3")
    case1, case2 = sscc(1), sscc(2)
    e = {
        "made": commission([s1, s2, s3], when=at(1), lot="LOTA"),
        "case2_before": ship([case2], when=at(1, 10), location=5),  # case 2 before S1 was in it
        "pack": aggregate(case1, [s1, s2], when=at(2)),
        "ship": ship([case1], when=at(3), location=1),
        "recv": receive([case1], when=at(4), location=2),
        "unpack": aggregate(case1, [s1], action="DELETE", when=at(5), location=2),
        "pack_s3": aggregate(case1, [s3], when=at(6), location=2),  # S3 joins after S1 left
        "ship_again": ship([case1], when=at(7), location=2),  # S2 and S3, not S1
        "repack": aggregate(case2, [s1], when=at(8), location=2),
        "ship_case2": ship([case2], when=at(9), location=2),
        "recv_case2": receive([case2], when=at(10), location=3),
        "unpack_all": aggregate(case2, action="DELETE", when=at(11), location=3),
        "case2_after": ship([case2], when=at(12), location=3),  # empty case goes back
        "sold": sell([s1], when=at(13), location=3),
    }
    capture(api, *e.values())
    return (s1, s2, s3, case1, case2), e


def test_a_child_shares_its_containers_events_only_while_inside(api, packing):
    (s1, s2, s3, case1, case2), e = packing
    answer = trace(api, "forward", s1)
    assert set(answer["epcs"]) == {s1, case1, case2}
    names = (
        "made",
        "pack",
        "ship",
        "recv",
        "unpack",
        "repack",
        "ship_case2",
        "recv_case2",
        "unpack_all",
        "sold",
    )
    assert set(answer["events"]) == ids(*(e[name] for name in names))
    # Not the containers' events before S1 came in or after it left.
    for name in ("case2_before", "pack_s3", "ship_again", "case2_after"):
        assert e[name]["eventID"] not in answer["events"], name


def test_siblings_are_not_each_others_descendants_or_ancestors(api, packing):
    (s1, s2, s3, case1, case2), e = packing
    for direction, lot in (("forward", set()), ("back", {lgtin("LOTA")})):
        answer = trace(api, direction, s2)
        assert s1 not in answer["epcs"] and s3 not in answer["epcs"]
        assert set(answer["epcs"]) == {s2, case1} | lot
    assert set(trace(api, "forward", s2)["events"]) == ids(
        e["made"], e["pack"], e["ship"], e["recv"], e["unpack"], e["pack_s3"], e["ship_again"]
    )


def test_back_from_a_serial_sees_the_case_only_up_to_the_serials_time(api, packing):
    (s1, s2, s3, case1, case2), e = packing
    # Back from S1 at its sale: every case it was in, while it was in it, and its lot.
    answer = trace(api, "back", s1)
    assert set(answer["epcs"]) == {s1, case1, case2, lgtin("LOTA")}


def test_a_container_traced_in_its_own_right_goes_down_to_its_children(api, packing):
    (s1, s2, s3, case1, case2), e = packing
    forward = trace(api, "forward", case1)
    assert set(forward["epcs"]) == {case1, s1, s2, s3, case2}
    assert e["sold"]["eventID"] in forward["events"]  # S1 was in case 1, and was sold later
    back = trace(api, "back", case2)
    # S1 was in case 2; back from case 2 goes to S1's history up to when it left, and its lot.
    assert set(back["epcs"]) == {case2, s1, case1, lgtin("LOTA")}
    assert e["sold"]["eventID"] not in back["events"]


# -- lot and serial -----------------------------------------------------------------------------------


@pytest.fixture
def lots(api):
    s1, s2, s9 = sgtin("1"), sgtin("2"), sgtin("9")
    raw, lot_a = lgtin("RAW1", "012345"), lgtin("LOTA")
    e = {
        "raw": commission(classes=[(raw, 10, "KGM")], when=at(1), location=7),
        "make": transform(
            input_classes=[(raw, 10, "KGM")], output_classes=[(lot_a, 100, None)], when=at(2), location=1
        ),
        "serialise": commission([s1, s2], when=at(3), lot="LOTA"),
        "other_lot": commission([s9], when=at(3), lot="LOTB"),
        "lot_shipped": ship(classes=[(lot_a, 50, None)], when=at(4), location=1),  # after S1 was made
        "ship_s1": ship([s1], when=at(5), location=1),
        "recv_s1": receive([s1], when=at(6), location=4),
        "ship_s2": ship([s2], when=at(5, 9), location=1),
    }
    capture(api, *e.values())
    return (s1, s2, s9, raw, lot_a), e


def test_a_lot_reaches_its_serialised_items(api, lots):
    (s1, s2, s9, raw, lot_a), e = lots
    answer = trace(api, "forward", lot_a)
    assert set(answer["epcs"]) == {lot_a, s1, s2}
    assert set(answer["events"]) == ids(
        e["make"], e["serialise"], e["lot_shipped"], e["ship_s1"], e["recv_s1"], e["ship_s2"]
    )
    assert sgln(4) in [p["id"] for p in answer["locations"]]


def test_a_serial_goes_back_to_its_lot_and_the_lots_source(api, lots):
    (s1, s2, s9, raw, lot_a), e = lots
    answer = trace(api, "back", s1)
    assert set(answer["epcs"]) == {s1, lot_a, raw}
    # The lot's events after S1 was commissioned are not S1's history, nor is S2's shipment.
    assert set(answer["events"]) == ids(e["serialise"], e["ship_s1"], e["recv_s1"], e["make"], e["raw"])


def test_a_lot_commissioned_by_a_transformation_reaches_its_items(api):
    raw, s1, s2 = lgtin("RAW2", "012345"), sgtin("21"), sgtin("22")
    made = transform(input_classes=[(raw, 5, "KGM")], outputs=[s1, s2], when=at(2), lot="LOTT")
    shipped = ship([s2], when=at(3))
    capture(api, commission(classes=[(raw, 5, "KGM")], when=at(1)), made, shipped)
    answer = trace(api, "forward", lgtin("LOTT"))
    assert set(answer["epcs"]) == {lgtin("LOTT"), s1, s2}
    assert set(answer["events"]) == ids(made, shipped)
    assert set(trace(api, "back", s2)["epcs"]) == {s2, lgtin("LOTT"), raw}


# -- transactions, parties, error declarations -------------------------------------------------------


def test_transactions_and_parties(api):
    s1 = sgtin("31")
    made = commission([s1], when=at(1))
    order = transaction([s1], when=at(2), source=1, destination=2)
    shipped = ship([s1], when=at(3), source=1, destination=3)
    capture(api, made, order, shipped)
    answer = trace(api, "forward", s1)
    assert set(answer["events"]) == ids(made, order, shipped)
    assert set([p["id"] for p in answer["parties"]]) == {pgln(1), pgln(2), pgln(3)}
    transfers = [edge for edge in answer["graph"]["edges"] if edge["relation"] == "transfer"]
    assert {(edge["source"], edge["target"]) for edge in transfers} == {
        (pgln(1), pgln(2)),
        (pgln(1), pgln(3)),
    }


def test_error_declared_events_are_left_out(api):
    s1, s2, case = sgtin("41"), sgtin("42"), sscc(41)
    made = commission([s1, s2], when=at(1))
    wrong_pack = aggregate(case, [s1], when=at(2))
    wrong_ship = ship([s1], when=at(3), location=9)
    declared_on_capture = ship([s1], when=at(4), location=8)
    declared_on_capture["errorDeclaration"] = {"declarationTime": at(4, 9), "reason": "did_not_occur"}
    case_shipped = ship([case], when=at(5), location=1)
    capture(api, made, wrong_pack, wrong_ship, declared_on_capture, case_shipped)
    capture(api, declaration(wrong_pack), declaration(wrong_ship))
    answer = trace(api, "forward", s1)
    assert set(answer["events"]) == ids(made)
    assert set(answer["epcs"]) == {s1}
    assert sgln(9) not in [p["id"] for p in answer["locations"]] and sgln(8) not in [
        p["id"] for p in answer["locations"]
    ]


# -- answers ------------------------------------------------------------------------------------------


def test_graph_has_nodes_and_edges_with_event_details(api, lots):
    (s1, s2, s9, raw, lot_a), e = lots
    answer = trace(api, "forward", raw)
    nodes = {node["id"]: node for node in answer["graph"]["nodes"]}
    assert nodes[raw]["depth"] == 0 and nodes[lot_a]["depth"] == 1 and nodes[s1]["depth"] == 2
    assert nodes[lot_a]["kind"] == "class" and nodes[s1]["kind"] == "instance"
    assert nodes[sgln(1)]["kind"] == "location"
    made = [edge for edge in answer["graph"]["edges"] if edge["relation"] == "transformed"]
    assert made == [
        {
            "source": raw,
            "target": lot_a,
            "relation": "transformed",
            "eventID": e["make"]["eventID"],
            "eventType": "TransformationEvent",
            "bizStep": "commissioning",
            "time": "2026-10-02T00:00:00.000Z",
            "quantity": 100,
            "uom": None,
        }
    ]
    at_edges = {
        (edge["source"], edge["target"], edge["quantity"], edge["uom"])
        for edge in answer["graph"]["edges"]
        if edge["relation"] == "at"
    }
    assert (raw, sgln(7), 10, "KGM") in at_edges
    assert (s1, sgln(4), 1, "EA") in at_edges
    lot_edges = {
        (edge["source"], edge["target"]) for edge in answer["graph"]["edges"] if edge["relation"] == "lot"
    }
    assert lot_edges == {(lot_a, s1), (lot_a, s2)}


def test_a_visibility_filter_plugs_into_the_trace(api, processing):
    """The registry's permission layer plugs in as ``visible`` (issue #3: who sees which events)."""
    from tracehub.tracing import selectors

    lots, e = processing
    market, farm, plant = key(sgln(30)), key(sgln(10)), key(sgln(20))
    # Only the market's receipt: it is reached only through invisible events, so nothing is.
    trace = selectors.trace_build(
        key=key(lots["farm1"]),
        direction="forward",
        visible=lambda events: {event.pk for event in events if event.location == market},
    )
    assert trace.events == [] and trace.locations == [] and trace.keys == {key(lots["farm1"])}
    assert trace.hidden == 8
    # The farm and the plant: the market stays out, and so does MEAT1's second market.
    trace = selectors.trace_build(
        key=key(lots["farm1"]),
        direction="forward",
        visible=lambda events: {event.pk for event in events if event.location in (farm, plant)},
    )
    assert {event.event_id for event in trace.events} == ids(
        e["farm1"], e["ship1"], e["recv1"], e["slaughter"], e["ship_m1"], e["ship_m2"]
    )
    assert trace.locations == sorted([farm, plant])
    assert trace.keys == {key(lots["farm1"]), key(lots["meat"]), key(lots["offal"])}
