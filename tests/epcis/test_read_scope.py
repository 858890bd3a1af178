"""Who reads which events (issue #3: an enterprise sees its own data; registry.visibility)."""

from __future__ import annotations

import pytest

from tests.registry.world import PREFIX_A, PREFIX_B, SGLN_A, SGLN_B, build_world

from .docs import body

pytestmark = pytest.mark.django_db

AT_A = "urn:uuid:aaaaaaaa-0000-4000-8000-000000000001"
AT_B = "urn:uuid:aaaaaaaa-0000-4000-8000-000000000002"
B_TO_A = "urn:uuid:aaaaaaaa-0000-4000-8000-000000000003"
ELSEWHERE = "urn:uuid:aaaaaaaa-0000-4000-8000-000000000004"


def _event(event_id: str, read_point: str, serial: str, **over):
    data = {
        "type": "ObjectEvent",
        "eventID": event_id,
        "eventTime": "2026-11-16T08:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [f"urn:epc:id:sgtin:{PREFIX_A}.0001.{serial}"],
        "action": "OBSERVE",
        # Not shipping: party B is a pharmacy, and a drug shipment must carry what the drug
        # profile asks (docs/sectors/drug.md); reading scope is the same for any step.
        "bizStep": "storing",
        "readPoint": {"id": read_point},
    }
    data.update(over)
    return data


@pytest.fixture
def world(db):
    world = build_world()
    events = [
        _event(AT_A, SGLN_A, "1"),
        _event(AT_B, SGLN_B, "2"),
        _event(B_TO_A, SGLN_B, "3", destinationList=[{"type": "location", "destination": SGLN_A}]),
        _event(ELSEWHERE, f"urn:epc:id:sgln:{PREFIX_B}.009.0", "4"),
    ]
    response = world.http("platform_client").post(
        "/epcis/capture", data=body(*events), content_type="application/ld+json"
    )
    assert response.status_code == 202, response.content
    return world


def _ids(world, role: str, query: str = "") -> set[str]:
    response = world.http(role).get(f"/epcis/events?perPage=100{query}")
    assert response.status_code == 200, response.content
    return {e["eventID"] for e in response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]}


def test_platform_client_reads_everything(world):
    assert _ids(world, "platform_client") == {AT_A, AT_B, B_TO_A, ELSEWHERE}


def test_party_client_reads_its_own_places_and_what_names_it(world):
    assert _ids(world, "party_client") == {AT_A, B_TO_A}
    # also through every other read path
    assert world.http("party_client").get(f"/epcis/events/{AT_B}").status_code == 404
    assert world.http("party_client").get(f"/epcis/events/{AT_A}").status_code == 200
    # B's shop is a read point A sees through the shipment to A; the other place is not
    assert set(world.http("party_client").get("/epcis/readPoints").json()) == {SGLN_A, SGLN_B}
    assert len(world.http("platform_client").get("/epcis/readPoints").json()) == 3
    epcs = world.http("party_client").get("/epcis/epcs?perPage=100").json()
    assert f"urn:epc:id:sgtin:{PREFIX_A}.0001.2" not in epcs
    assert f"urn:epc:id:sgtin:{PREFIX_A}.0001.1" in epcs


def test_party_client_reads_what_its_party_captured(world):
    own = _event("urn:uuid:aaaaaaaa-0000-4000-8000-000000000005", SGLN_A, "5")
    response = world.http("party_client").post(
        "/epcis/capture", data=body(own), content_type="application/ld+json"
    )
    assert response.status_code == 202
    assert "urn:uuid:aaaaaaaa-0000-4000-8000-000000000005" in _ids(world, "party_client")


def test_department_client_reads_its_sectors(world):
    # commerce oversees meat and vegetables (party A), not drugs (party B's pharmacy)
    assert _ids(world, "department_client") == {AT_A, B_TO_A}


def test_scope_applies_with_filters_and_counts(world):
    assert _ids(world, "party_client", f"&EQ_readPoint={SGLN_B}") == {B_TO_A}
    assert world.http("party_client").get("/epcis/events?maxEventCount=2").status_code == 200
    assert world.http("platform_client").get("/epcis/events?maxEventCount=2").status_code == 413
