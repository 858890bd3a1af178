"""GET /epcis/events: every supported query parameter, paging, formats, discovery, bad input."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .docs import LGTIN_URN, SGLN_A, SGLN_B, SGTIN_DL, SGTIN_URN, SSCC, body, object_event

pytestmark = pytest.mark.django_db

PO = "urn:epcglobal:cbv:bt:9521234000006:PO-1001"
OWNER = "urn:epc:id:pgln:9521234.00000"


@pytest.fixture
def scenario(api):
    """Seven events covering every event type and indexed role."""
    events = [
        object_event(
            serials=("1", "2"),
            action="ADD",
            bizStep="commissioning",
            disposition="active",
            eventTime="2026-10-01T08:00:00.000+08:00",
            eventID="urn:uuid:00000000-0000-4000-8000-000000000001",
        ),
        {
            "type": "AggregationEvent",
            "eventTime": "2026-10-01T09:00:00.000+08:00",
            "eventTimeZoneOffset": "+08:00",
            "parentID": SSCC,
            "childEPCs": [SGTIN_URN.format(serial="1"), SGTIN_URN.format(serial="2")],
            "action": "ADD",
            "bizStep": "packing",
            "disposition": "in_progress",
            "readPoint": {"id": SGLN_A},
            "eventID": "urn:uuid:00000000-0000-4000-8000-000000000002",
        },
        object_event(
            serials=(),
            epcList=[SSCC],
            bizStep="shipping",
            disposition="in_transit",
            eventTime="2026-10-02T08:00:00.000+08:00",
            bizTransactionList=[{"type": "po", "bizTransaction": PO}],
            sourceList=[{"type": "owning_party", "source": OWNER}],
            destinationList=[{"type": "location", "destination": SGLN_B}],
            eventID="urn:uuid:00000000-0000-4000-8000-000000000003",
        ),
        object_event(
            serials=(),
            epcList=[SSCC],
            bizStep="receiving",
            disposition="in_progress",
            eventTime="2026-10-03T08:00:00.000+08:00",
            readPoint={"id": SGLN_B},
            bizLocation={"id": SGLN_B},
            eventID="urn:uuid:00000000-0000-4000-8000-000000000004",
        ),
        {
            "type": "TransformationEvent",
            "eventTime": "2026-10-04T08:00:00.000+08:00",
            "eventTimeZoneOffset": "+08:00",
            "inputEPCList": [SGTIN_URN.format(serial="1")],
            "outputQuantityList": [{"epcClass": LGTIN_URN.format(lot="L7"), "quantity": 12.5, "uom": "KGM"}],
            "bizStep": "commissioning",
            "readPoint": {"id": SGLN_B},
            "eventID": "urn:uuid:00000000-0000-4000-8000-000000000005",
        },
        {
            "type": "TransactionEvent",
            "eventTime": "2026-10-05T08:00:00.000+08:00",
            "eventTimeZoneOffset": "+08:00",
            "bizTransactionList": [{"type": "inv", "bizTransaction": "urn:example:inv:77"}],
            "quantityList": [{"epcClass": LGTIN_URN.format(lot="L7"), "quantity": 2, "uom": "KGM"}],
            "action": "ADD",
            "bizStep": "retail_selling",
            "eventID": "urn:uuid:00000000-0000-4000-8000-000000000006",
        },
        object_event(
            serials=("2",),
            action="OBSERVE",
            bizStep="inspecting",
            disposition="conformant",
            eventTime="2026-10-06T08:00:00.000+08:00",
            readPoint={"id": SGLN_B},
            eventID="urn:uuid:00000000-0000-4000-8000-000000000007",
        ),
    ]
    response = api.post("/epcis/capture", data=body(*events), content_type="application/ld+json")
    assert response.status_code == 202, response.content
    return events


def ids(api, query: str) -> list[str]:
    response = api.get(f"/epcis/events?{query}")
    assert response.status_code == 200, response.content
    events = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return [e["eventID"].rsplit("-", 1)[1][-1] for e in events]


CASES = [
    ("", "1234567"),
    ("eventType=AggregationEvent", "2"),
    ("eventType=TransformationEvent|TransactionEvent", "56"),
    ("GE_eventTime=2026-10-03T08:00:00%2B08:00", "4567"),
    ("LT_eventTime=2026-10-02T00:00:00Z", "12"),
    ("GE_eventTime=2026-10-02T00:00:00Z&LT_eventTime=2026-10-04T00:00:00Z", "34"),
    ("GE_recordTime=2000-01-01T00:00:00Z", "1234567"),
    ("LT_recordTime=2000-01-01T00:00:00Z", ""),
    ("EQ_action=ADD", "126"),
    ("EQ_action=OBSERVE|DELETE", "347"),
    ("EQ_bizStep=receiving", "4"),
    ("EQ_bizStep=urn:epcglobal:cbv:bizstep:shipping", "3"),
    ("EQ_bizStep=https://ref.gs1.org/cbv/BizStep-commissioning", "15"),
    ("EQ_disposition=in_progress", "24"),
    (f"EQ_readPoint={SGLN_B}", "457"),
    (f"EQ_bizLocation={SGLN_B}", "4"),
    (f"WD_bizLocation={SGLN_B}", "4"),
    (f"MATCH_epc={SGTIN_URN.format(serial='1')}", "12"),
    (f"MATCH_epc={quote(SGTIN_DL.format(serial='2'), safe='')}", "127"),
    ("MATCH_epc=urn:epc:idpat:sgtin:9521234.056789.*", "127"),
    (f"MATCH_parentID={SSCC}", "2"),
    (f"MATCH_inputEPC={SGTIN_URN.format(serial='1')}", "5"),
    (f"MATCH_outputEPC={SGTIN_URN.format(serial='1')}", ""),
    (f"MATCH_anyEPC={SGTIN_URN.format(serial='1')}", "125"),
    (f"MATCH_anyEPC={SSCC}", "234"),
    (f"MATCH_epcClass={LGTIN_URN.format(lot='L7')}", "6"),
    (f"MATCH_outputEPCClass={LGTIN_URN.format(lot='L7')}", "5"),
    (f"MATCH_inputEPCClass={LGTIN_URN.format(lot='L7')}", ""),
    (f"MATCH_anyEPCClass={LGTIN_URN.format(lot='L7')}", "56"),
    ("EQ_eventID=urn:uuid:00000000-0000-4000-8000-000000000004", "4"),
    ("EXISTS_errorDeclaration=true", ""),
    (f"EQ_bizTransaction_po={PO}", "3"),
    ("EQ_bizTransaction_inv=urn:example:inv:77", "6"),
    ("EQ_bizTransaction_po=urn:example:inv:77", ""),
    (f"EQ_source_owning_party={OWNER}", "3"),
    (f"EQ_destination_location={SGLN_B}", "3"),
    (f"EQ_destination_owning_party={SGLN_B}", ""),
    ("orderBy=eventTime&orderDirection=DESC", "7654321"),
    ("orderBy=recordTime&orderDirection=ASC", "1234567"),
    ("eventCountLimit=3", "123"),
    ("eventType=ObjectEvent&EQ_bizStep=shipping|receiving&EQ_readPoint=" + SGLN_B, "4"),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_query_parameter(api, scenario, query, expected):
    assert "".join(ids(api, query)) == expected


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("colour=red", "colour"),
        ("eventType=BananaEvent", "eventType"),
        ("GE_eventTime=yesterday", "GE_eventTime"),
        ("GE_eventTime=2026-10-01T08:00:00", "GE_eventTime"),
        ("EQ_action=JUMP", "EQ_action"),
        ("EQ_bizStep=flying", "EQ_bizStep"),
        ("MATCH_epc=urn:epc:id:sgtin:9521234.056789", "MATCH_epc"),
        ("MATCH_epc=https://id.gs1.org/01/09521234567898/21/1", "MATCH_epc"),
        ("orderBy=colour", "orderBy"),
        ("orderDirection=UP", "orderDirection"),
        ("eventCountLimit=-1", "eventCountLimit"),
        ("perPage=0", "perPage"),
        ("perPage=abc", "perPage"),
        ("nextPageToken=forged", "nextPageToken"),
        ("EQ_bizTransaction_nonsense=x", "EQ_bizTransaction_nonsense"),
        ("EQ_bizStep=", "EQ_bizStep"),
    ],
)
def test_bad_parameters_are_400_naming_them(api, scenario, query, param):
    response = api.get(f"/epcis/events?{query}")
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "epcisException:QueryParameterException"
    assert param in {e["path"] for e in problem["errors"]}


def test_paging_with_next_page_token(api, scenario):
    seen: list[str] = []
    url = "/epcis/events?perPage=3&orderBy=eventTime"
    pages = 0
    while url:
        response = api.get(url)
        assert response.status_code == 200
        events = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        seen.extend(e["eventID"][-1] for e in events)
        pages += 1
        link = response.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
    assert seen == list("1234567") and pages == 3


def test_page_token_is_bound_to_its_query(api, scenario):
    response = api.get("/epcis/events?perPage=2")
    token = response.headers["GS1-Next-Page-Token"]
    assert api.get(f"/epcis/events?perPage=2&nextPageToken={token}").status_code == 200
    other = api.get(f"/epcis/events?perPage=2&EQ_action=ADD&nextPageToken={token}")
    assert other.status_code == 400


def test_max_event_count_refuses_too_large_queries(api, scenario):
    assert api.get("/epcis/events?maxEventCount=2").status_code == 413
    assert api.get("/epcis/events?maxEventCount=10").status_code == 200


def test_answers_give_urns_where_prefix_known_else_digital_links(api):
    # Captured only as a Digital Link, no prefix length known: answered as a Digital Link.
    dl_event = object_event(serials=())
    dl_event["epcList"] = ["https://example.com/01/04012345000009/21/X1"]
    dl_event["readPoint"] = {"id": "https://id.gs1.org/414/4012345000016"}
    dl_event["bizLocation"] = None
    dl_event = {k: v for k, v in dl_event.items() if v is not None}
    api.post("/epcis/capture", data=body(dl_event), content_type="application/ld+json")
    # Captured as a URN: answered as a URN, also when asked by Digital Link.
    api.post("/epcis/capture", data=body(object_event(serials=("5",))), content_type="application/ld+json")
    events = api.get("/epcis/events").json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert events[0]["epcList"] == ["https://id.gs1.org/01/04012345000009/21/X1"]
    assert events[1]["epcList"] == [SGTIN_URN.format(serial="5")]
    by_dl = api.get(f"/epcis/events?MATCH_epc={quote(SGTIN_DL.format(serial='5'), safe='')}").json()
    assert len(by_dl["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 1


def test_event_by_id_and_404(api, scenario):
    response = api.get("/epcis/events/urn:uuid:00000000-0000-4000-8000-000000000003")
    assert response.status_code == 200
    events = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert events[0]["bizStep"] == "shipping" and "recordTime" in events[0]
    assert api.get("/epcis/events/urn:uuid:nope").status_code == 404


def test_xml_answer(api, scenario):
    response = api.get("/epcis/events?eventType=AggregationEvent", headers={"Accept": "application/xml"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert b"AggregationEvent" in response.content and b"EPCISQueryDocument" in response.content


def test_unacceptable_accept_header_is_406(api, scenario):
    assert api.get("/epcis/events", headers={"Accept": "text/csv"}).status_code == 406


def test_query_document_shape(api, scenario):
    doc = api.get("/epcis/events?perPage=1").json()
    assert doc["type"] == "EPCISQueryDocument" and doc["schemaVersion"] == "2.0"
    assert doc["@context"][0].startswith("https://ref.gs1.org/standards/epcis/")
    assert doc["epcisBody"]["queryResults"]["queryName"] == "SimpleEventQuery"


def test_a_page_costs_a_fixed_number_of_queries(api, scenario):
    def count(per_page: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(f"/epcis/events?perPage={per_page}&MATCH_anyEPC={SSCC}").status_code == 200
        return len(ctx.captured_queries)

    assert count(1) == count(7)


def test_discovery_endpoints(api, scenario):
    assert api.get("/epcis/").json() == [
        "eventTypes",
        "epcs",
        "bizSteps",
        "bizLocations",
        "readPoints",
        "dispositions",
    ]
    assert "ObjectEvent" in api.get("/epcis/eventTypes").json()
    assert set(api.get("/epcis/bizSteps").json()) >= {"shipping", "receiving", "packing"}
    assert "in_transit" in api.get("/epcis/dispositions").json()
    assert SGLN_B in api.get("/epcis/bizLocations").json()
    assert SGLN_A in api.get("/epcis/readPoints").json()
    assert SSCC in api.get("/epcis/epcs?perPage=100").json()
    assert api.get("/epcis/eventTypes/BananaEvent/events").status_code == 404
    agg = api.get("/epcis/eventTypes/AggregationEvent/events").json()
    assert len(agg["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 1
    shipping = api.get("/epcis/bizSteps/shipping/events").json()
    assert len(shipping["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 1
    by_epc = api.get(f"/epcis/epcs/{SSCC}/events").json()
    assert len(by_epc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 3
    assert api.get(f"/epcis/readPoints/{SGLN_B}/events").status_code == 200
    assert api.get("/epcis/bizSteps/flying").status_code == 400
    assert api.get("/epcis/epcs/urn:epc:id:sgtin:1.2/events").status_code == 400


def test_discovery_lists_are_paged(api, scenario):
    first = api.get("/epcis/bizSteps?perPage=2")
    assert len(first.json()) == 2 and "Link" in first.headers
    assert api.get("/epcis/bizSteps?colour=1").status_code == 400


def test_extension_namespaces_come_back_in_the_context(api):
    event = object_event(serials=("x9",))
    event["ex:temperature"] = "4.5"
    api.post(
        "/epcis/capture", data=body(event, object_event(serials=("x10",))), content_type="application/ld+json"
    )
    doc = api.get("/epcis/events").json()
    assert {"ex": "https://ns.example.com/epcis/"} in doc["@context"]
    plain = api.get("/epcis/events?MATCH_epc=urn:epc:id:sgtin:9521234.056789.x10").json()
    assert plain["@context"] == ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
