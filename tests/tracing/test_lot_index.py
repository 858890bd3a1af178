"""Capture indexes an ILMD lot number under its lot class (role ``lot``), for lot ↔ serial traces."""

from __future__ import annotations

import orjson
import pytest

from tracehub.epcis.models import EventIndex

from .builders import CONTEXT, commission, document, sgtin, transform

pytestmark = pytest.mark.django_db


def _capture(api, data: bytes, content_type: str = "application/ld+json") -> None:
    response = api.post("/epcis/capture", data=data, content_type=content_type)
    assert response.status_code == 202, response.content
    assert api.get(response["Location"]).json()["success"]


def lot_rows() -> set[tuple[str, str]]:
    return set(EventIndex.objects.filter(role="lot").values_list("key", "event__event_id"))


def test_commissioned_serials_and_gtin_quantities_index_their_lot(api):
    event = commission(
        [sgtin("1"), sgtin("2"), sgtin("3", "012345")],
        classes=[("https://id.gs1.org/01/09521234567899", 5, None)],
        lot="L/1",
    )
    _capture(api, orjson.dumps(document(event)))
    assert lot_rows() == {
        ("01/09521234567899/10/L%2F1", event["eventID"]),
        ("01/09521234123453/10/L%2F1", event["eventID"]),
    }


def test_a_transformation_indexes_the_lot_of_its_outputs_only(api):
    event = transform(inputs=[sgtin("9", "012345")], outputs=[sgtin("4")], lot="L2")
    _capture(api, orjson.dumps(document(event)))
    assert lot_rows() == {("01/09521234567899/10/L2", event["eventID"])}


@pytest.mark.parametrize(
    ("context", "ilmd"),
    [
        (CONTEXT, {"cbvmda:lotNumber": "L3"}),
        ([*CONTEXT, {"mda": "urn:epcglobal:cbv:mda#"}], {"mda:lotNumber": "L3"}),
        (CONTEXT, {"urn:epcglobal:cbv:mda:lotNumber": "L3"}),
    ],
)
def test_every_spelling_of_the_cbv_master_data_namespace(api, context, ilmd):
    event = commission([sgtin("5")])
    event["ilmd"] = ilmd
    data = document(event)
    data["@context"] = context
    _capture(api, orjson.dumps(data))
    assert {key for key, _ in lot_rows()} == {"01/09521234567899/10/L3"}


@pytest.mark.parametrize(
    "ilmd",
    [
        {"ex:lotNumber": "L4"},  # another namespace's lotNumber is not the CBV one
        {"cbvmda:lotNumber": 4},  # not text
        {"cbvmda:lotNumber": "a lot with spaces"},  # GS1 cannot encode it: no lot class
        {"cbvmda:bestBeforeDate": "2027-01-01"},
    ],
)
def test_no_lot_row_without_a_usable_cbv_lot_number(api, ilmd):
    event = commission([sgtin("6")])
    event["ilmd"] = ilmd
    data = document(event)
    data["@context"] = [*CONTEXT, {"ex": "https://ns.example.com/epcis/"}]
    _capture(api, orjson.dumps(data))
    assert lot_rows() == set()


def test_xml_ilmd_lot_number(api):
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" '
        b'creationDate="2026-10-01T08:00:00Z"><EPCISBody><EventList><ObjectEvent>'
        b"<eventTime>2026-10-01T08:00:00.000+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>"
        b"<epcList><epc>urn:epc:id:sgtin:9521234.056789.7</epc></epcList><action>ADD</action>"
        b"<bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>"
        b'<ilmd><cbvmda:lotNumber xmlns:cbvmda="urn:epcglobal:cbv:mda">LX</cbvmda:lotNumber></ilmd>'
        b"</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"
    )
    _capture(api, xml, "application/xml")
    assert {key for key, _ in lot_rows()} == {"01/09521234567899/10/LX"}
    forward = api.get("/api/v1/trace/forward", {"id": "urn:epc:class:lgtin:9521234.056789.LX"}).json()
    assert set(forward["epcs"]) == {"urn:epc:class:lgtin:9521234.056789.LX", sgtin("7")}


def test_lot_rows_do_not_change_epcis_queries(api):
    event = commission([sgtin("8")], lot="L8")
    _capture(api, orjson.dumps(document(event)))
    lot = "urn:epc:class:lgtin:9521234.056789.L8"
    for param in ("MATCH_epcClass", "MATCH_anyEPCClass"):
        answer = api.get("/epcis/events", {param: lot}).json()
        assert answer["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == []
