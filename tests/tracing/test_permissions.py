"""Who sees which part of a trace, who declares and reads recalls (issue #4 item 2; O1, O2).

Each role traces the hand-built chain of ``chain.py`` (farm → slaughterhouse → wholesaler → shop);
the answers are exact sets.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tracehub.registry.actors import Actor
from tracehub.tracing import selectors
from tracehub.tracing.models import Recall, RecallCode, RecallSector, RecallStatus

from .builders import at, capture, commission, receive, sell
from .chain import MEAT, RAW, Chain, _party, pgln, place, sgln

pytestmark = pytest.mark.django_db


def _trace(chain: Chain, who: str, direction: str, start: str) -> dict:
    response = chain.http[who].get(f"/api/v1/trace/{direction}", {"id": start})
    assert response.status_code == 200, (who, response.status_code, response.content[:300])
    return response.json()


def _seen(answer: dict) -> tuple[set, set, set, set]:
    return (
        set(answer["events"]),
        set(answer["epcs"]),
        {place["id"] for place in answer["locations"]},
        {party["id"] for party in answer["parties"]},
    )


ALL = (
    "made",
    "ship_raw",
    "recv_raw",
    "slaughter",
    "ship_meat",
    "recv_meat",
    "ship_shop",
    "recv_shop",
    "sold",
)


@pytest.mark.parametrize("who", ["operator", "platform"])
def test_the_platform_sees_the_whole_trace(chain, who):
    events, epcs, places, parties = _seen(_trace(chain, who, "forward", RAW))
    assert events == chain.ids(*ALL)
    assert epcs == {RAW, MEAT}
    assert places == {sgln(1), sgln(2), sgln(3), sgln(4)}
    assert parties == {pgln(1), pgln(2), pgln(3), pgln(4)}


@pytest.mark.parametrize("who", ["official-commerce", "department"])
def test_an_official_sees_the_events_of_their_sectors(chain, who):
    # The farm's events (agri) are not meat/veg: its location and PGLN are not answered. A
    # Huli official traces beyond Huli: goods cross districts.
    events, epcs, places, parties = _seen(_trace(chain, who, "forward", RAW))
    assert events == chain.ids(*ALL[2:])
    assert epcs == {RAW, MEAT}
    assert places == {sgln(2), sgln(3), sgln(4)}
    assert parties == {pgln(2), pgln(3), pgln(4)}


def test_an_official_of_another_sector_sees_only_theirs(chain):
    events, epcs, places, parties = _seen(_trace(chain, "official-agri", "forward", RAW))
    assert events == chain.ids("made", "ship_raw")
    assert epcs == {RAW}
    assert places == {sgln(1)}
    assert parties == {pgln(1), pgln(2)}  # named by the farm's own shipment
    assert chain.http["official-customs"].get("/api/v1/trace/forward", {"id": RAW}).status_code == 404


def test_an_enterprise_sees_its_part_and_one_step_up_and_down(chain):
    # The slaughterhouse: the shipment to it (names it), its receipt, its transformation, its
    # shipment, and the wholesaler's receipt of that shipment (one step down). Not the farm's
    # commissioning, not the wholesaler's onward shipment, not the shop.
    events, epcs, places, parties = _seen(_trace(chain, "admin-plant", "forward", RAW))
    assert events == chain.ids("ship_raw", "recv_raw", "slaughter", "ship_meat", "recv_meat")
    assert epcs == {RAW, MEAT}
    assert places == {sgln(1), sgln(2), sgln(3)}
    assert parties == {pgln(1), pgln(2), pgln(3)}


def test_an_enterprise_trace_stops_where_its_view_stops(chain):
    # The wholesaler cannot see the transformation: back from MEAT it never reaches RAW, nor the
    # plant's location except through the shipment to it, nor the farm.
    events, epcs, places, parties = _seen(_trace(chain, "admin-market", "back", MEAT))
    assert events == chain.ids("ship_meat", "recv_meat", "ship_shop", "recv_shop")
    assert epcs == {MEAT}
    assert places == {sgln(2), sgln(3), sgln(4)}
    assert parties == {pgln(2), pgln(3), pgln(4)}
    # RAW: no event of it is the wholesaler's to see.
    assert chain.http["admin-market"].get("/api/v1/trace/forward", {"id": RAW}).status_code == 404


@pytest.mark.parametrize("who", ["admin-shop", "shop-key"])
def test_a_shop_sees_its_receipt_the_shipment_to_it_and_its_sales(chain, who):
    events, epcs, places, parties = _seen(_trace(chain, who, "back", MEAT))
    assert events == chain.ids("ship_shop", "recv_shop", "sold")
    assert epcs == {MEAT}
    assert places == {sgln(3), sgln(4)}
    assert parties == {pgln(3), pgln(4)}


def test_others_see_nothing_of_it(chain):
    assert chain.http["admin-pharmacy"].get("/api/v1/trace/back", {"id": MEAT}).status_code == 404
    response = chain.http["auditor"].get("/api/v1/trace/back", {"id": MEAT})
    assert response.status_code == 403
    assert Client().get("/api/v1/trace/back", {"id": MEAT}).status_code == 401


def test_the_graph_leaks_nothing_invisible(chain):
    answer = _trace(chain, "admin-shop", "back", MEAT)
    named = {node["id"] for node in answer["graph"]["nodes"]}
    ends = {edge["source"] for edge in answer["graph"]["edges"]} | {
        edge["target"] for edge in answer["graph"]["edges"]
    }
    assert named == {MEAT, sgln(3), sgln(4), pgln(3), pgln(4)}
    assert ends <= named
    assert {edge["eventID"] for edge in answer["graph"]["edges"]} <= chain.ids(
        "ship_shop", "recv_shop", "sold"
    )


def test_locations_and_parties_carry_registry_names_and_districts(chain):
    answer = _trace(chain, "operator", "forward", RAW)
    places = {place["id"]: place for place in answer["locations"]}
    assert places[sgln(3)] == {
        "id": sgln(3),
        "name": "湖里批发市场场所",
        "district": "350206",
        "districtName": "湖里区",
        "party": "湖里批发市场",
        "stage": "wholesale",
    }
    assert {place["stage"] for place in places.values()} == {"source", "processing", "wholesale", "retail"}
    parties = {party["id"]: party for party in answer["parties"]}
    assert parties[pgln(1)]["name"] == "同安生猪养殖场" and parties[pgln(1)]["districtName"] == "同安区"
    nodes = {node["id"]: node for node in answer["graph"]["nodes"]}
    assert nodes[sgln(2)]["name"] == "翔安屠宰厂场所" and nodes[sgln(2)]["kind"] == "location"


def test_names_cost_one_query_whatever_their_number(chain):
    from tracehub.identifiers import canonical_key

    keys = [f"414/{n:013d}" for n in range(300)] + [canonical_key(pgln(1))]
    keys += [canonical_key(sgln(n)) for n in range(1, 6)]
    with CaptureQueriesContext(connection) as queries:
        names = selectors.place_names(keys)
    assert len(queries) == 1
    assert {names[canonical_key(sgln(n))]["name"] for n in (2, 3)} == {"翔安屠宰厂场所", "湖里批发市场场所"}


# -- recalls ------------------------------------------------------------------------------------------


def _declare(chain: Chain, who: str, start: str = MEAT):
    return chain.http[who].post(
        "/api/v1/recalls", {"id": start, "reason": "瘦肉精检出"}, content_type="application/json"
    )


def test_officials_of_the_products_sector_and_the_platform_declare_recalls(chain):
    for who in ("admin-plant", "admin-shop", "shop-key", "auditor", "department", "official-customs"):
        assert _declare(chain, who).status_code == 403, who
    assert Recall.objects.count() == 0
    response = _declare(chain, "official-commerce")
    assert response.status_code == 201, response.content
    recall = Recall.objects.get()
    assert recall.declared_by_user == chain.users["official-commerce"]
    assert recall.department.code == "commerce"
    assert response.json()["declaredBy"] == "official-commerce"
    assert _declare(chain, "operator").status_code == 201
    assert _declare(chain, "platform").status_code == 201


def test_a_recall_reaches_the_whole_chain_whoever_declares(chain):
    _declare(chain, "official-commerce")
    recall = Recall.objects.get()
    assert {place["id"] for place in recall.scope["locations"]} == {sgln(2), sgln(3), sgln(4)}
    assert set(RecallCode.objects.filter(recall=recall).values_list("key", flat=True)) == {
        selectors.canonical_key(MEAT)
    }
    assert set(RecallSector.objects.filter(recall=recall).values_list("sector", flat=True)) == {
        "food",
        "meat_veg",
    }
    shop = {place["id"]: place for place in recall.scope["locations"]}[sgln(4)]
    assert (shop["name"], shop["districtName"], shop["stage"]) == ("思明生鲜店场所", "思明区", "retail")


def test_recalls_are_read_by_the_officials_of_their_sectors_and_the_platform(chain):
    recall_id = _declare(chain, "platform").json()["recallID"]
    for who, sees in (
        ("operator", True),
        ("platform", True),
        ("official-commerce", True),
        ("department", True),
        ("official-customs", False),
        ("official-agri", False),
        ("admin-shop", False),
        ("shop-key", False),
        ("auditor", False),
    ):
        listed = {item["recallID"] for item in chain.http[who].get("/api/v1/recalls").json()}
        assert listed == ({recall_id} if sees else set()), who
        status = chain.http[who].get(f"/api/v1/recalls/{recall_id}").status_code
        assert status == (200 if sees else 404), who
        status = chain.http[who].get(f"/api/v1/recalls/{recall_id}/export.csv").status_code
        assert status == (200 if sees else 404), who


def test_recalls_covering_finds_open_recalls_by_code(chain):
    _declare(chain, "platform", RAW)
    raw_recall = Recall.objects.get()
    _declare(chain, "platform", MEAT)
    meat_recall = Recall.objects.exclude(pk=raw_recall.pk).get()
    # A RAW recall reaches MEAT too (its output); a MEAT recall does not reach RAW.
    covering = selectors.recalls_covering(identifiers=[MEAT])
    assert [r.pk for r in covering] == [meat_recall.pk, raw_recall.pk]
    assert [r.pk for r in selectors.recalls_covering(identifiers=[RAW, "not a code"])] == [raw_recall.pk]
    digital_link = f"https://id.gs1.org/{selectors.canonical_key(MEAT)}"
    assert {r.pk for r in selectors.recalls_covering(identifiers=[digital_link])} == {
        raw_recall.pk,
        meat_recall.pk,
    }
    Recall.objects.filter(pk=raw_recall.pk).update(status=RecallStatus.CLOSED)
    assert [r.pk for r in selectors.recalls_covering(identifiers=[MEAT])] == [meat_recall.pk]
    assert selectors.recalls_covering(identifiers=[]) == []
    # Canonical keys do as well (the public page asks with them).
    assert [r.pk for r in selectors.recalls_covering(identifiers=[selectors.canonical_key(MEAT)])] == [
        meat_recall.pk
    ]
    with CaptureQueriesContext(connection) as queries:
        selectors.recalls_covering(identifiers=[MEAT, RAW, digital_link])
    assert len(queries) == 1


def test_the_cli_declares_as_the_platform(chain):
    from tracehub.tracing import services

    recall = services.recall_declare(
        actor=Actor.system("cli"), key=selectors.canonical_key(MEAT), identifier=MEAT, reason="x"
    )
    assert recall.declared_by_label == "cli"


# -- the unfiled-party finding ------------------------------------------------------------------------


def test_an_event_at_a_location_of_an_unfiled_party_is_a_finding(api):
    _party("未备案冷库", 7, "wholesaler", ["meat_veg"], "350211", "260100007", filed=False)
    _party("已备案店", 8, "retailer", ["meat_veg"], "350211", "260100008")
    stored = place(receive(classes=[(MEAT, 5, "KGM")], when=at(2)), 7)
    capture(
        api,
        place(commission(classes=[(MEAT, 5, "KGM")], when=at(1)), 8),
        stored,
        place(sell(classes=[(MEAT, 1, "KGM")], when=at(3)), 8),
    )
    findings = api.get("/api/v1/trace/forward", {"id": MEAT}).json()["findings"]
    unfiled = [f for f in findings if f["code"] == "unfiled_party"]
    assert [(f["eventID"], f["location"]) for f in unfiled] == [(stored["eventID"], sgln(7))]
    assert "未备案冷库" in unfiled[0]["message"]


@pytest.mark.parametrize("who", ["official-commerce", "admin-market"])
def test_a_scoped_trace_costs_the_same_queries_for_more_events(chain, who):
    """Some events hidden: the walk again over the visible ones costs two detail queries, once."""
    from .test_pages import _more_shops

    def more(first: int) -> None:
        response = chain.http["platform"].post(
            "/epcis/capture", data=_more_shops(first), content_type="application/ld+json"
        )
        assert response.status_code == 202, response.content

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert chain.http[who].get("/api/v1/trace/forward", {"id": MEAT}).status_code == 200
        return len(queries)

    more(6)
    before = count()
    more(10)
    assert len(chain.http["operator"].get("/api/v1/trace/forward", {"id": MEAT}).json()["events"]) == 14
    assert count() == before
