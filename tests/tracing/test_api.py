"""The trace API's answers to bad input, unknown identifiers, and the chain-integrity findings."""

from __future__ import annotations

import pytest

from .builders import aggregate, at, capture, commission, lgtin, receive, sgtin, ship, sscc, transform

pytestmark = pytest.mark.django_db


@pytest.fixture
def one(api):
    capture(api, commission([sgtin("1")], when=at(1)))


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"id": "not a uri"}, "id"),
        ({"id": ""}, "id"),
        ({"id": "urn:epc:id:sgtin:9521234.056789"}, "id"),  # a serial missing
        ({"id": "https://id.gs1.org/01/09521234567898/21/1"}, "id"),  # wrong check digit
        ({"id": sgtin("1"), "from": "yesterday"}, "from"),
        ({"id": sgtin("1"), "to": "2026-10-01T08:00:00"}, "to"),  # no offset
        ({"id": sgtin("1"), "from": "2026-10-02T00:00:00Z", "to": "2026-10-01T00:00:00Z"}, "to"),
        ({"id": sgtin("1"), "max_depth": "-1"}, "max_depth"),
        ({"id": sgtin("1"), "max_depth": "many"}, "max_depth"),
        ({}, "id"),
    ],
)
@pytest.mark.parametrize("direction", ["forward", "back"])
def test_malformed_parameters_are_400_naming_them(api, one, direction, params, path):
    response = api.get(f"/api/v1/trace/{direction}", params)
    assert response.status_code == 400, response.content
    problem = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert path in {error["path"] for error in problem["errors"]}


@pytest.mark.parametrize("direction", ["forward", "back"])
def test_unknown_identifier_is_404(api, one, direction):
    response = api.get(f"/api/v1/trace/{direction}", {"id": sgtin("404")})
    assert response.status_code == 404
    assert response.json()["type"] == "epcisException:NoSuchResourceException"


def test_a_location_is_not_a_traceable_identifier(api, one):
    response = api.get("/api/v1/trace/forward", {"id": "urn:epc:id:sgln:9521234.00001.0"})
    assert response.status_code == 404


def test_authentication_is_required(client, db):
    assert client.get("/api/v1/trace/forward", {"id": sgtin("1")}).status_code == 401


def test_answer_shape(api, one):
    answer = api.get("/api/v1/trace/back", {"id": sgtin("1"), "max_depth": 3}).json()
    assert set(answer) >= {"id", "direction", "epcs", "locations", "parties", "events", "graph", "findings"}
    assert answer["maxDepth"] == 3 and answer["from"] is None
    assert set(answer["graph"]) == {"nodes", "edges"}


def test_findings_shipment_never_received_and_receipt_without_shipment(api):
    s1, s2 = sgtin("51"), sgtin("52")
    lost = ship([s1], when=at(2), location=1)
    orphan = receive([s2], when=at(3), location=2)
    fine_ship, fine_receive = ship([s2], when=at(4), location=2), receive([s2], when=at(5), location=3)
    capture(api, commission([s1, s2], when=at(1)), lost, orphan, fine_ship, fine_receive)
    findings = api.get("/api/v1/trace/forward", {"id": s1}).json()["findings"]
    assert [(f["code"], f["eventID"]) for f in findings] == [("shipment_not_received", lost["eventID"])]
    assert findings[0]["location"] == "urn:epc:id:sgln:9521234.00001.0"
    assert findings[0]["identifiers"] == [s1]
    findings = api.get("/api/v1/trace/forward", {"id": s2}).json()["findings"]
    assert [(f["code"], f["eventID"]) for f in findings] == [("receipt_without_shipment", orphan["eventID"])]


def test_shipped_case_received_as_a_case_is_no_finding(api):
    s1, case = sgtin("61"), sscc(61)
    capture(
        api,
        commission([s1], when=at(1)),
        aggregate(case, [s1], when=at(2)),
        ship([case], when=at(3)),
        receive([case], when=at(4)),
    )
    assert api.get("/api/v1/trace/forward", {"id": s1}).json()["findings"] == []


def test_finding_outputs_outweigh_inputs(api):
    raw, made = lgtin("RAW9", "012345"), lgtin("MADE9")
    too_much = transform(input_classes=[(raw, 10, "KGM")], output_classes=[(made, 12, "KGM")], when=at(2))
    capture(api, commission(classes=[(raw, 10, "KGM")], when=at(1)), too_much)
    findings = api.get("/api/v1/trace/forward", {"id": raw}).json()["findings"]
    assert [(f["code"], f["eventID"]) for f in findings] == [("output_exceeds_input", too_much["eventID"])]
    assert "12" in findings[0]["message"] and "10" in findings[0]["message"]


def test_openapi_lists_the_trace_and_recall_paths(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/trace/forward", "/api/v1/trace/back", "/api/v1/recalls"} <= set(paths)
