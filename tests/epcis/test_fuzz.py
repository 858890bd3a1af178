"""Fuzzing the interfaces: malformed documents and parameters never get a 500 (README "Standards").

Hypothesis drives the real Django stack (URL routing, authentication, parsing, validation and the
database) with random and mutated input; every answer must be a deliberate one.
"""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracehub.epcis.models import Event

from .docs import SSCC, document, object_event

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

PARAM_NAMES = [
    "eventType", "GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime", "EQ_action",
    "EQ_bizStep", "EQ_disposition", "EQ_readPoint", "WD_readPoint", "EQ_bizLocation", "WD_bizLocation",
    "MATCH_epc", "MATCH_parentID", "MATCH_inputEPC", "MATCH_outputEPC", "MATCH_anyEPC", "MATCH_epcClass",
    "MATCH_inputEPCClass", "MATCH_outputEPCClass", "MATCH_anyEPCClass", "EQ_eventID",
    "EXISTS_errorDeclaration", "EQ_bizTransaction_po", "EQ_source_owning_party",
    "EQ_destination_location", "orderBy", "orderDirection", "eventCountLimit", "maxEventCount",
    "perPage", "nextPageToken",
]  # fmt: skip

VALUE_PIECES = st.sampled_from(
    [
        "urn:epc:id:sgtin:9521234.056789.1", "urn:epc:idpat:sgtin:9521234.*.*", "https://id.gs1.org/01/",
        "https://id.gs1.org/01/09521234567899/21/%", "2026-10-01T08:00:00Z", "2026-13-45", "ADD", "|",
        "shipping", "urn:epcglobal:cbv:bizstep:", "-1", "0", "99999999999999999999", "DESC", "true",
        "%", "_", "'", "\\", "\x00", "null", SSCC, "eventTime", "ObjectEvent",
    ]
)  # fmt: skip
VALUES = st.one_of(st.text(max_size=40), st.lists(VALUE_PIECES, max_size=4).map("".join))


@FUZZ
@given(
    params=st.dictionaries(st.one_of(st.sampled_from(PARAM_NAMES), st.text(max_size=12)), VALUES, max_size=5)
)
def test_query_parameters_never_500(api, params):
    response = api.get("/epcis/events", data=params)
    assert response.status_code in (200, 400, 413), (params, response.content[:300])
    if response.status_code != 200:
        assert response.json()["errors" if response.status_code == 400 else "detail"]


JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20), VALUE_PIECES
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "type", "eventTime", "eventTimeZoneOffset", "epcList", "action", "bizStep", "disposition", "readPoint",
    "bizLocation", "quantityList", "parentID", "childEPCs", "bizTransactionList", "sourceList",
    "destinationList", "ilmd", "errorDeclaration", "sensorElementList", "eventID", "certificationInfo",
    "persistentDisposition", "inputEPCList", "outputQuantityList", "ex:extra", "@context",
]  # fmt: skip


@FUZZ
@given(
    mutations=st.lists(st.tuples(st.sampled_from(FIELDS), st.one_of(st.just(None), JSON_VALUES)), max_size=4),
    behaviour=st.sampled_from(["rollback", "proceed"]),
)
def test_mutated_capture_documents_never_500_and_never_half_store(api, mutations, behaviour):
    before = Event.objects.count()
    events = [object_event(serials=("f1",)), object_event(serials=("f2",))]
    mutated = copy.deepcopy(events[1])
    for field, value in mutations:
        if value is None:
            mutated.pop(field, None)
        else:
            mutated[field] = value
    response = api.post(
        "/epcis/capture",
        # the standard library writes integers of any size; the server must cope with them too
        data=json.dumps(document(events[0], mutated)),
        content_type="application/ld+json",
        headers={"GS1-Capture-Error-Behaviour": behaviour},
    )
    assert response.status_code in (202, 400), (mutations, response.content[:300])
    stored = Event.objects.count() - before
    if response.status_code == 400:
        assert stored == 0  # refused whole: nothing kept
        assert response.json()["errors"]
    Event.objects.all().delete()


@FUZZ
@given(doc=JSON_VALUES)
def test_random_json_bodies_never_500(api, doc):
    response = api.post("/epcis/capture", data=json.dumps(doc), content_type="application/json")
    assert response.status_code in (202, 400), response.content[:300]


XML_PIECES = st.sampled_from(
    [
        "<?xml version='1.0'?>", "<epcis:EPCISDocument xmlns:epcis='urn:epcglobal:epcis:xsd:2' "
        "schemaVersion='2.0' creationDate='2026-01-01T00:00:00Z'>", "<EPCISBody>", "<EventList>",
        "<ObjectEvent>", "<eventTime>2026-01-01T00:00:00Z</eventTime>", "<eventTimeZoneOffset>+08:00"
        "</eventTimeZoneOffset>", "<epcList><epc>urn:epc:id:sgtin:9521234.056789.1</epc></epcList>",
        "<action>ADD</action>", "</ObjectEvent>", "</EventList>", "</EPCISBody>", "</epcis:EPCISDocument>",
        "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>", "&e;", "<", ">", "&", "\x00",
    ]
)  # fmt: skip


@FUZZ
@given(pieces=st.lists(st.one_of(XML_PIECES, st.text(max_size=10)), max_size=16))
def test_random_xml_bodies_never_500(api, pieces):
    response = api.post("/epcis/capture", data="".join(pieces).encode(), content_type="application/xml")
    assert response.status_code in (202, 400), response.content[:300]
    assert b"root:" not in response.content  # no external entity ever resolved


@FUZZ
@given(path=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_random_paths_never_500(api, path):
    for prefix in ("/epcis/epcs/", "/epcis/bizSteps/", "/epcis/events/", "/epcis/capture/", "/api/v1/"):
        response = api.get(prefix + path)
        assert response.status_code < 500, (prefix + path, response.content[:300])
