"""TransformationEvents sharing a transformationID are one transformation (EPCIS 2.0 §7.4.6; O1, O2).

Inputs and outputs of one transformation may be recorded by separate events (the inputs when they
are consumed, the outputs when they are made): the inputs of any of them reach the outputs of all.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracehub.identifiers import canonical_key
from tracehub.tracing import selectors

from .builders import at, capture, commission, declaration, lgtin, receive, ship, transform

pytestmark = pytest.mark.django_db

TID = "urn:uuid:7a1d5c1e-0000-4000-8000-000000000001"
OTHER_TID = "urn:uuid:7a1d5c1e-0000-4000-8000-000000000002"
PORK, BEEF = lgtin("PORK1", "012345"), lgtin("BEEF1", "012345")
SAUSAGE, SPICE = lgtin("SAUS1"), lgtin("SPICE1", "099999")
UNRELATED_IN, UNRELATED_OUT = lgtin("FLOUR1", "012345"), lgtin("BREAD1")


def trace(api, direction: str, uri: str) -> dict:
    response = api.get(f"/api/v1/trace/{direction}", {"id": uri})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def split(api):
    """Pork and beef consumed by two events, the sausage made by a third: one transformationID."""
    e = {
        "pork": commission(classes=[(PORK, 50, "KGM")], when=at(1), location=1),
        "beef": commission(classes=[(BEEF, 30, "KGM")], when=at(1), location=2),
        "spice": commission(classes=[(SPICE, 1, "KGM")], when=at(1), location=3),
        "use_pork": transform(
            input_classes=[(PORK, 50, "KGM")], when=at(3), location=5, transformationID=TID
        ),
        "use_beef": transform(
            input_classes=[(BEEF, 30, "KGM"), (SPICE, 1, "KGM")],
            when=at(3, 10),
            location=5,
            transformationID=TID,
        ),
        "made": transform(
            output_classes=[(SAUSAGE, 75, "KGM")], when=at(4), location=5, transformationID=TID
        ),
        # Another transformation: shares nothing with this one.
        "bread": transform(
            input_classes=[(UNRELATED_IN, 5, "KGM")],
            output_classes=[(UNRELATED_OUT, 6, "KGM")],
            when=at(4),
            location=6,
            transformationID=OTHER_TID,
        ),
        "ship": ship(classes=[(SAUSAGE, 75, "KGM")], when=at(5), location=5),
        "recv": receive(classes=[(SAUSAGE, 75, "KGM")], when=at(6), location=7),
    }
    capture(api, *e.values())
    return e


def ids(e, *names) -> set[str]:
    return {e[name]["eventID"] for name in names}


def test_forward_from_an_input_of_one_event_reaches_the_outputs_of_another(api, split):
    answer = trace(api, "forward", PORK)
    assert set(answer["epcs"]) == {PORK, SAUSAGE}
    assert set(answer["events"]) == ids(split, "pork", "use_pork", "made", "ship", "recv")
    edges = {
        (x["source"], x["target"], x["eventID"])
        for x in answer["graph"]["edges"]
        if x["relation"] == "transformed"
    }
    assert edges == {(PORK, SAUSAGE, split["made"]["eventID"])}
    # The beef and spice of the other input event are not descendants of the pork.
    answer = trace(api, "forward", SPICE)
    assert set(answer["epcs"]) == {SPICE, SAUSAGE}


def test_back_from_an_output_reaches_the_inputs_of_every_event(api, split):
    answer = trace(api, "back", SAUSAGE)
    assert set(answer["epcs"]) == {SAUSAGE, PORK, BEEF, SPICE}
    assert set(answer["events"]) == ids(
        split, "pork", "beef", "spice", "use_pork", "use_beef", "made", "ship", "recv"
    )
    assert UNRELATED_IN not in answer["epcs"]


def test_a_back_trace_from_an_input_never_goes_forward_to_the_outputs(api, split):
    answer = trace(api, "back", PORK)
    assert set(answer["epcs"]) == {PORK}
    assert set(answer["events"]) == ids(split, "pork", "use_pork")


def test_a_declared_event_leaves_the_transformation(api, split):
    capture(api, declaration(split["use_pork"]))
    assert set(trace(api, "forward", PORK)["epcs"]) == {PORK}
    assert set(trace(api, "back", SAUSAGE)["epcs"]) == {SAUSAGE, BEEF, SPICE}


def test_the_events_of_a_transformation_id_cost_one_more_query(api, split):
    with CaptureQueriesContext(connection) as queries:
        found = selectors.trace_build(key=canonical_key(SAUSAGE), direction="back")
    assert found.keys == {canonical_key(k) for k in (SAUSAGE, PORK, BEEF, SPICE)}
    hops = found.genealogy.hops
    # Two per hop, one for the transformationID, two for the details, one for the names.
    assert len(queries) <= 2 * hops + 1 + 3 + (3 if connection.vendor == "postgresql" else 0)
