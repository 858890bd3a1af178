"""Tests of the structural and semantic validation of captured EPCIS events.

Each rule has a valid minimal event that passes and a version breaking exactly that rule, which
must fail with the expected path. The conformance part reads the public test data in place from
``<repo>/../shared/conformance`` (never copied into the project): GS1's and OpenEPCIS's valid
documents must pass, OpenEPCIS's ``Invalid/`` documents must be refused. A few documents that sit
among the valid ones break a rule of EPCIS 2.0 (see ``KNOWN_CONFLICTS``); they are refused, each
for its documented reason.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracehub.epcis.jsonld import STANDARD_CONTEXT_URL, context_namespaces
from tracehub.epcis.validation import (
    MAX_ERRORS,
    ROLES,
    FieldError,
    IndexEntry,
    NormalizedEvent,
    check_document,
    check_document_header,
    check_event,
    event_list_path,
    parse_time,
)
from tracehub.epcis.xmlformat import XmlDocumentReader, XmlFormatError, parse_xml_document
from tracehub.identifiers import IdentifierError, parse_identifier


@pytest.fixture(autouse=True)
def _spool_dir() -> None:
    """Validation is Django-free: this replaces the suite's capture-spool fixture (which needs
    pytest-django's ``settings``) so that the module also runs with ``-p no:django``."""


CONTEXT = [STANDARD_CONTEXT_URL, {"example": "http://ns.example.com/epcis/"}]
NS = context_namespaces(CONTEXT)

SGTIN_1 = "urn:epc:id:sgtin:9521234.012345.1001"
SGTIN_2 = "urn:epc:id:sgtin:9521234.012345.1002"
SGTIN_1_DL = "https://id.gs1.org/01/09521234123453/21/1001"  # the same object as SGTIN_1
SGTIN_1_KEY = "01/09521234123453/21/1001"
BAD_CHECK_DIGIT_DL = "https://id.gs1.org/01/09521234123450/21/1"
SSCC = "urn:epc:id:sscc:9521234.0000000001"
LGTIN = "urn:epc:class:lgtin:9521234.012345.LOT1"
GRAI = "urn:epc:id:grai:9521234.00001.7"
SGLN = "urn:epc:id:sgln:9521234.00001.0"
SGLN_DL = "https://id.gs1.org/414/9521234000013"
PGLN = "urn:epc:id:pgln:9521234.00001"
PO = "urn:epcglobal:cbv:bt:9521234000006:PO1"
TIME = "2024-03-01T08:30:00.000+08:00"

OBJECT: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": TIME,
    "eventTimeZoneOffset": "+08:00",
    "action": "OBSERVE",
    "epcList": [SGTIN_1],
}
AGGREGATION: dict[str, Any] = {
    "type": "AggregationEvent",
    "eventTime": TIME,
    "eventTimeZoneOffset": "+08:00",
    "action": "ADD",
    "parentID": SSCC,
    "childEPCs": [SGTIN_1, SGTIN_2],
}
TRANSACTION: dict[str, Any] = {
    "type": "TransactionEvent",
    "eventTime": TIME,
    "eventTimeZoneOffset": "+08:00",
    "action": "ADD",
    "bizTransactionList": [{"type": "po", "bizTransaction": PO}],
    "epcList": [SGTIN_1],
}
TRANSFORMATION: dict[str, Any] = {
    "type": "TransformationEvent",
    "eventTime": TIME,
    "eventTimeZoneOffset": "+08:00",
    "inputEPCList": [SGTIN_1],
    "outputQuantityList": [{"epcClass": LGTIN, "quantity": 10.5, "uom": "KGM"}],
}
ASSOCIATION: dict[str, Any] = {
    "type": "AssociationEvent",
    "eventTime": TIME,
    "eventTimeZoneOffset": "+08:00",
    "action": "ADD",
    "parentID": GRAI,
    "childEPCs": [SGTIN_1],
}
SENSOR_ELEMENT: dict[str, Any] = {
    "sensorMetadata": {"time": "2024-03-01T08:00:00Z", "deviceID": "urn:epc:id:giai:9521234.T1"},
    "sensorReport": [{"type": "Temperature", "value": 4.5, "uom": "CEL"}],
}
BASES = {
    "object": OBJECT,
    "aggregation": AGGREGATION,
    "transaction": TRANSACTION,
    "transformation": TRANSFORMATION,
    "association": ASSOCIATION,
}

DELETE = object()
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def changed(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of ``base`` with ``path=value`` changes (``__`` for ``.``, ``DELETE`` removes).

    ``epcList__0`` is ``epcList[0]``, ``readPoint__id`` is ``readPoint.id``; keys containing a
    colon are passed through ``**{"example:field": …}``.
    """
    event = copy.deepcopy(base)
    for path, value in changes.items():
        steps = [int(step) if step.isdigit() else step for step in path.split("__")]
        node: Any = event
        for step in steps[:-1]:
            node = node[step]
        if value is DELETE:
            del node[steps[-1]]
        elif isinstance(node, list) and steps[-1] == len(node):
            node.append(value)
        else:
            node[steps[-1]] = copy.deepcopy(value)
    return event


def check(
    event: dict[str, Any], namespaces: dict[str, str] = NS
) -> tuple[NormalizedEvent | None, list[FieldError]]:
    return check_event(event, index=0, path_prefix="epcisBody.eventList[0]", namespaces=namespaces)


def paths(errors: list[FieldError]) -> list[str]:
    return [error.path for error in errors]


def document(*events: dict[str, Any], **fields: Any) -> dict[str, Any]:
    doc = {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-03-01T09:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }
    for key, value in fields.items():
        if value is DELETE:
            doc.pop(key, None)
        else:
            doc[key] = value
    return doc


# ------------------------------------------------------------------------------------------------
# The valid minimal events.
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BASES))
def test_minimal_event_of_each_type_is_valid(name: str) -> None:
    normalized, errors = check(BASES[name])
    assert errors == []
    assert normalized is not None
    assert normalized.event_type == BASES[name]["type"]


# ------------------------------------------------------------------------------------------------
# One rule broken at a time: (base event, changes, expected error path).
# ------------------------------------------------------------------------------------------------

P = "epcisBody.eventList[0]."

BROKEN: list[tuple[str, str, dict[str, Any], str]] = [
    # type: one of the five EPCIS 2.0 event types (§7.4)
    ("type missing", "object", {"type": DELETE}, "type"),
    ("type QuantityEvent", "object", {"type": "QuantityEvent"}, "type"),
    ("type a URI (extended event)", "object", {"type": "https://example.com/MyEvent"}, "type"),
    ("type not a string", "object", {"type": ["ObjectEvent"]}, "type"),
    # times
    ("eventTime missing", "object", {"eventTime": DELETE}, "eventTime"),
    ("eventTime date only", "object", {"eventTime": "2024-03-01"}, "eventTime"),
    ("eventTime day first", "object", {"eventTime": "01-03-2024T08:30:00+08:00"}, "eventTime"),
    ("eventTime without offset", "object", {"eventTime": "2024-03-01T08:30:00"}, "eventTime"),
    ("eventTime without seconds", "object", {"eventTime": "2024-03-01T08:30+08:00"}, "eventTime"),
    ("eventTime offset beyond 14:00", "object", {"eventTime": "2024-03-01T08:30:00+14:30"}, "eventTime"),
    ("eventTime month 13", "object", {"eventTime": "2024-13-01T08:30:00Z"}, "eventTime"),
    ("eventTime a number", "object", {"eventTime": 1709253000}, "eventTime"),
    ("eventTime space for T", "object", {"eventTime": "2024-03-01 08:30:00Z"}, "eventTime"),
    ("eventTimeZoneOffset missing", "object", {"eventTimeZoneOffset": DELETE}, "eventTimeZoneOffset"),
    ("eventTimeZoneOffset +14:30", "object", {"eventTimeZoneOffset": "+14:30"}, "eventTimeZoneOffset"),
    ("eventTimeZoneOffset one-digit hour", "object", {"eventTimeZoneOffset": "+8:00"}, "eventTimeZoneOffset"),
    ("eventTimeZoneOffset Z", "object", {"eventTimeZoneOffset": "Z"}, "eventTimeZoneOffset"),
    ("recordTime malformed", "object", {"recordTime": "yesterday"}, "recordTime"),
    # action
    ("action missing (Object)", "object", {"action": DELETE}, "action"),
    ("action missing (Aggregation)", "aggregation", {"action": DELETE}, "action"),
    ("action missing (Transaction)", "transaction", {"action": DELETE}, "action"),
    ("action missing (Association)", "association", {"action": DELETE}, "action"),
    ("action CREATE", "object", {"action": "CREATE"}, "action"),
    ("action lower case", "object", {"action": "observe"}, "action"),
    ("action near miss", "object", {"action": "OBSERV"}, "action"),
    # fields that belong to another event type
    ("action on a TransformationEvent", "transformation", {"action": "ADD"}, "action"),
    ("parentID on an ObjectEvent", "object", {"parentID": SSCC}, "parentID"),
    ("inputEPCList on an ObjectEvent", "object", {"inputEPCList": [SGTIN_2]}, "inputEPCList"),
    ("ilmd on an AggregationEvent", "aggregation", {"ilmd": {"example:lot": "A"}}, "ilmd"),
    ("epcList on a TransformationEvent", "transformation", {"epcList": [SGTIN_2]}, "epcList"),
    ("childEPCs on a TransactionEvent", "transaction", {"childEPCs": [SGTIN_2]}, "childEPCs"),
    # what each type needs
    ("ObjectEvent without identifiers", "object", {"epcList": DELETE}, "epcList"),
    ("ObjectEvent with an empty epcList", "object", {"epcList": []}, "epcList"),
    (
        "ObjectEvent sensor data without readPoint",
        "object",
        {"epcList": DELETE, "sensorElementList": [SENSOR_ELEMENT]},
        "epcList",
    ),
    ("AggregationEvent ADD without parentID", "aggregation", {"parentID": DELETE}, "parentID"),
    ("AggregationEvent without children", "aggregation", {"childEPCs": DELETE}, "childEPCs"),
    (
        "TransactionEvent without bizTransactionList",
        "transaction",
        {"bizTransactionList": DELETE},
        "bizTransactionList",
    ),
    (
        "TransactionEvent with an empty bizTransactionList",
        "transaction",
        {"bizTransactionList": []},
        "bizTransactionList",
    ),
    ("TransactionEvent without identifiers", "transaction", {"epcList": DELETE}, "epcList"),
    ("TransformationEvent without output", "transformation", {"outputQuantityList": DELETE}, "outputEPCList"),
    ("TransformationEvent without input", "transformation", {"inputEPCList": DELETE}, "inputEPCList"),
    (
        "TransformationEvent with transformationID, no list",
        "transformation",
        {"inputEPCList": DELETE, "outputQuantityList": DELETE, "transformationID": "urn:uuid:1"},
        "inputEPCList",
    ),
    ("AssociationEvent without parentID", "association", {"parentID": DELETE}, "parentID"),
    (
        "AssociationEvent OBSERVE without parentID",
        "association",
        {"parentID": DELETE, "action": "OBSERVE"},
        "parentID",
    ),
    ("AssociationEvent without children", "association", {"childEPCs": DELETE}, "childEPCs"),
    # unknown fields and extensions
    ("unknown field", "object", {"madeUpField": "x"}, "madeUpField"),
    ("extension with an undeclared prefix", "object", {"undeclared:field": "x"}, "undeclared:field"),
    (
        "ilmd field without a namespace",
        "object",
        {"action": "ADD", "ilmd": {"materialType": "soil"}},
        "ilmd.materialType",
    ),
    ("ilmd not an object", "object", {"action": "ADD", "ilmd": ["example:x"]}, "ilmd"),
    ("ilmd on an OBSERVE", "object", {"ilmd": {"example:lot": "A"}}, "ilmd"),
    ("ilmd on a DELETE", "object", {"action": "DELETE", "ilmd": {"example:lot": "A"}}, "ilmd"),
    (
        "event @context naming a remote context",
        "object",
        {"@context": "https://example.com/context.jsonld"},
        "@context",
    ),
    (
        "readPoint field without a namespace",
        "object",
        {"readPoint": {"id": SGLN, "name": "gate"}},
        "readPoint.name",
    ),
    (
        "errorDeclaration field without a namespace",
        "object",
        {"errorDeclaration": {"declarationTime": TIME, "comment": "x"}},
        "errorDeclaration.comment",
    ),
    (
        "sensorMetadata field without a namespace",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorMetadata__note="x")]},
        "sensorElementList[0].sensorMetadata.note",
    ),
    (
        "sensorReport field without a namespace",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorReport__0__note="x")]},
        "sensorElementList[0].sensorReport[0].note",
    ),
    (
        "sensorElement field without a namespace",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, note="x")]},
        "sensorElementList[0].note",
    ),
    # CBV values: a standard word in any spelling or a URI
    ("bizStep not a CBV word", "object", {"bizStep": "transforming"}, "bizStep"),
    (
        "bizStep CBV URN of no term",
        "object",
        {"bizStep": "urn:epcglobal:cbv:bizstep:transforming"},
        "bizStep",
    ),
    (
        "bizStep CBV Web URI of no term",
        "object",
        {"bizStep": "https://ref.gs1.org/cbv/BizStep-transforming"},
        "bizStep",
    ),
    ("bizStep cbv: CURIE of no term", "object", {"bizStep": "cbv:BizStep-transforming"}, "bizStep"),
    ("bizStep a number", "object", {"bizStep": 7}, "bizStep"),
    ("bizStep with a space", "object", {"bizStep": "https://example.com/my step"}, "bizStep"),
    ("disposition not a CBV word", "object", {"disposition": "in_transport"}, "disposition"),
    (
        "persistentDisposition set not a CBV word",
        "object",
        {"persistentDisposition": {"set": ["broken"]}},
        "persistentDisposition.set[0]",
    ),
    (
        "persistentDisposition unset not a CBV word",
        "object",
        {"persistentDisposition": {"unset": ["broken"]}},
        "persistentDisposition.unset[0]",
    ),
    ("persistentDisposition empty", "object", {"persistentDisposition": {}}, "persistentDisposition.set"),
    (
        "persistentDisposition set empty",
        "object",
        {"persistentDisposition": {"set": []}},
        "persistentDisposition.set",
    ),
    (
        "persistentDisposition unknown field",
        "object",
        {"persistentDisposition": {"set": ["active"], "add": []}},
        "persistentDisposition.add",
    ),
    (
        "bizTransaction type not a CBV word",
        "transaction",
        {"bizTransactionList__0__type": "purchase_order"},
        "bizTransactionList[0].type",
    ),
    (
        "bizTransaction unknown field",
        "transaction",
        {"bizTransactionList__0__date": "2024-03-01"},
        "bizTransactionList[0].date",
    ),
    (
        "bizTransaction without its URI",
        "transaction",
        {"bizTransactionList__0__bizTransaction": DELETE},
        "bizTransactionList[0].bizTransaction",
    ),
    (
        "source type not a CBV word",
        "object",
        {"sourceList": [{"type": "place", "source": SGLN}]},
        "sourceList[0].type",
    ),
    ("source without type", "object", {"sourceList": [{"source": SGLN}]}, "sourceList[0].type"),
    (
        "destination without its URI",
        "object",
        {"destinationList": [{"type": "location"}]},
        "destinationList[0].destination",
    ),
    (
        "destination unknown field",
        "object",
        {"destinationList": [{"type": "location", "destination": SGLN, "name": "x"}]},
        "destinationList[0].name",
    ),
    ("sourceList not a list", "object", {"sourceList": {"type": "location", "source": SGLN}}, "sourceList"),
    (
        "error reason not a CBV word",
        "object",
        {"errorDeclaration": {"declarationTime": TIME, "reason": "oops"}},
        "errorDeclaration.reason",
    ),
    # identifiers
    ("epcList item not a URI", "object", {"epcList": ["not a uri"]}, "epcList[0]"),
    ("epcList item a bare GTIN", "object", {"epcList": ["09521234123453"]}, "epcList[0]"),
    ("epcList item wrong check digit", "object", {"epcList": [BAD_CHECK_DIGIT_DL]}, "epcList[0]"),
    ("epcList item a class", "object", {"epcList": [LGTIN]}, "epcList[0]"),
    ("epcList item a number", "object", {"epcList": [SGTIN_1, 5]}, "epcList[1]"),
    ("epcList not a list", "object", {"epcList": SGTIN_1}, "epcList"),
    ("parentID malformed SSCC", "aggregation", {"parentID": "urn:epc:id:sscc:9521234.1"}, "parentID"),
    ("parentID a class", "aggregation", {"parentID": LGTIN}, "parentID"),
    ("childEPCs item not a URI", "aggregation", {"childEPCs__1": "child two"}, "childEPCs[1]"),
    (
        "inputEPCList item malformed",
        "transformation",
        {"inputEPCList": ["urn:epc:id:sgtin:1.2.3"]},
        "inputEPCList[0]",
    ),
    ("outputEPCList item not a URI", "transformation", {"outputEPCList": ["out"]}, "outputEPCList[0]"),
    (
        "epcClass an instance",
        "object",
        {"quantityList": [{"epcClass": SGTIN_2, "quantity": 1}]},
        "quantityList[0].epcClass",
    ),
    ("epcClass missing", "object", {"quantityList": [{"quantity": 1}]}, "quantityList[0].epcClass"),
    (
        "epcClass not a URI",
        "transformation",
        {"outputQuantityList__0__epcClass": "lot 1"},
        "outputQuantityList[0].epcClass",
    ),
    ("readPoint an SGTIN", "object", {"readPoint": {"id": SGTIN_2}}, "readPoint.id"),
    ("bizLocation a party GLN", "object", {"bizLocation": {"id": PGLN}}, "bizLocation.id"),
    ("bizLocation without id", "object", {"bizLocation": {}}, "bizLocation.id"),
    ("readPoint not an object", "object", {"readPoint": SGLN}, "readPoint"),
    ("readPoint id not a URI", "object", {"readPoint": {"id": "gate 4"}}, "readPoint.id"),
    (
        "source not a URI",
        "object",
        {"sourceList": [{"type": "location", "source": "warehouse"}]},
        "sourceList[0].source",
    ),
    (
        "bizTransaction malformed GS1 key",
        "transaction",
        {"bizTransactionList__0__bizTransaction": "urn:epc:id:gdti:9521234.1.55"},
        "bizTransactionList[0].bizTransaction",
    ),
    ("eventID not a URI", "object", {"eventID": "event-1"}, "eventID"),
    ("eventID a number", "object", {"eventID": 1}, "eventID"),
    ("transformationID not a URI", "transformation", {"transformationID": "T1"}, "transformationID"),
    # quantities
    (
        "quantity as text",
        "object",
        {"quantityList": [{"epcClass": LGTIN, "quantity": "twenty"}]},
        "quantityList[0].quantity",
    ),
    (
        "quantity a boolean",
        "object",
        {"quantityList": [{"epcClass": LGTIN, "quantity": True}]},
        "quantityList[0].quantity",
    ),
    (
        "quantity negative",
        "object",
        {"quantityList": [{"epcClass": LGTIN, "quantity": -1}]},
        "quantityList[0].quantity",
    ),
    (
        "quantity fractional without uom",
        "object",
        {"quantityList": [{"epcClass": LGTIN, "quantity": 1.5}]},
        "quantityList[0].quantity",
    ),
    (
        "uom lower case",
        "object",
        {"quantityList": [{"epcClass": LGTIN, "quantity": 1.5, "uom": "kg"}]},
        "quantityList[0].uom",
    ),
    (
        "uom too long",
        "object",
        {"quantityList": [{"epcClass": LGTIN, "quantity": 1.5, "uom": "KILO"}]},
        "quantityList[0].uom",
    ),
    (
        "uom without quantity",
        "object",
        {"quantityList": [{"epcClass": LGTIN, "uom": "KGM"}]},
        "quantityList[0].uom",
    ),
    (
        "quantity element unknown field",
        "object",
        {"quantityList": [{"epcClass": LGTIN, "weight": 5}]},
        "quantityList[0].weight",
    ),
    ("quantityList item not an object", "object", {"quantityList": [LGTIN]}, "quantityList[0]"),
    (
        "childQuantityList not a list",
        "aggregation",
        {"childQuantityList": {"epcClass": LGTIN}},
        "childQuantityList",
    ),
    # sensor data
    (
        "sensorReport value as text",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorReport__0__value="4.5")]},
        "sensorElementList[0].sensorReport[0].value",
    ),
    (
        "sensorReport minValue a boolean",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorReport__0__minValue=False)]},
        "sensorElementList[0].sensorReport[0].minValue",
    ),
    (
        "sensorReport time malformed",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorReport__0__time="08:00")]},
        "sensorElementList[0].sensorReport[0].time",
    ),
    (
        "sensorMetadata time malformed",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorMetadata__time="2024-03-01T08:00:00")]},
        "sensorElementList[0].sensorMetadata.time",
    ),
    (
        "sensorMetadata endTime malformed",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorMetadata__endTime="tomorrow")]},
        "sensorElementList[0].sensorMetadata.endTime",
    ),
    (
        "sensorMetadata deviceID not a URI",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorMetadata__deviceID="thermometer 7")]},
        "sensorElementList[0].sensorMetadata.deviceID",
    ),
    (
        "sensorReport list empty",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorReport=[])]},
        "sensorElementList[0].sensorReport",
    ),
    (
        "sensorElement without sensorReport",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorReport=DELETE)]},
        "sensorElementList[0].sensorReport",
    ),
    (
        "sensorReport temperature in kilograms",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorReport__0__uom="KGM")]},
        "sensorElementList[0].sensorReport[0].uom",
    ),
    (
        "sensorReport uom not a Rec 20 code",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorReport__0__uom="°C")]},
        "sensorElementList[0].sensorReport[0].uom",
    ),
    (
        "sensorReport booleanValue as text",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorReport__0__booleanValue="true")]},
        "sensorElementList[0].sensorReport[0].booleanValue",
    ),
    (
        "sensorReport hexBinaryValue not hex",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorReport__0__hexBinaryValue="0xZZ")]},
        "sensorElementList[0].sensorReport[0].hexBinaryValue",
    ),
    (
        "sensorReport exception not an alert type",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorReport__0__exception="FIRE")]},
        "sensorElementList[0].sensorReport[0].exception",
    ),
    (
        "sensorReport component not a CBV component",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorReport__0__component="north")]},
        "sensorElementList[0].sensorReport[0].component",
    ),
    (
        "sensorReport stringValue a number",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorReport__0__stringValue=3)]},
        "sensorElementList[0].sensorReport[0].stringValue",
    ),
    ("sensorElementList not a list", "object", {"sensorElementList": SENSOR_ELEMENT}, "sensorElementList"),
    # certificationInfo
    (
        "certificationInfo an object",
        "object",
        {"certificationInfo": {"gs1:certificationAgency": "x"}},
        "certificationInfo",
    ),
    (
        "certificationInfo list with a non-URI",
        "object",
        {"certificationInfo": ["https://example.com/cert/1", "test certification"]},
        "certificationInfo[1]",
    ),
    # errorDeclaration
    (
        "errorDeclaration without declarationTime",
        "object",
        {"errorDeclaration": {"reason": "did_not_occur"}},
        "errorDeclaration.declarationTime",
    ),
    (
        "errorDeclaration declarationTime malformed",
        "object",
        {"errorDeclaration": {"declarationTime": "2006-11-07T13:00Z"}},
        "errorDeclaration.declarationTime",
    ),
    (
        "correctiveEventIDs not a list",
        "object",
        {"errorDeclaration": {"declarationTime": TIME, "correctiveEventIDs": "urn:uuid:1"}},
        "errorDeclaration.correctiveEventIDs",
    ),
    (
        "correctiveEventIDs item not a URI",
        "object",
        {"errorDeclaration": {"declarationTime": TIME, "correctiveEventIDs": ["event 2"]}},
        "errorDeclaration.correctiveEventIDs[0]",
    ),
    ("errorDeclaration not an object", "object", {"errorDeclaration": TIME}, "errorDeclaration"),
]


@pytest.mark.parametrize(
    ("base", "changes", "path"), [case[1:] for case in BROKEN], ids=[c[0] for c in BROKEN]
)
def test_each_rule_refuses_the_event_that_breaks_it(base: str, changes: dict[str, Any], path: str) -> None:
    assert check(BASES[base])[1] == []
    normalized, errors = check(changed(BASES[base], **changes))
    assert normalized is None
    assert P + path in paths(errors), errors
    for error in errors:
        assert error.index == 0
        assert error.message


VALID_VARIANTS: list[tuple[str, str, dict[str, Any]]] = [
    ("bizStep bare word", "object", {"bizStep": "shipping"}),
    ("bizStep URN", "object", {"bizStep": "urn:epcglobal:cbv:bizstep:shipping"}),
    ("bizStep Web URI", "object", {"bizStep": "https://ref.gs1.org/cbv/BizStep-shipping"}),
    ("bizStep cbv CURIE", "object", {"bizStep": "cbv:BizStep-shipping"}),
    ("bizStep user URI", "object", {"bizStep": "https://example.com/bizstep/slaughtering"}),
    ("bizStep user CURIE", "object", {"bizStep": "example:slaughtering"}),
    ("disposition URN", "object", {"disposition": "urn:epcglobal:cbv:disp:in_transit"}),
    (
        "persistentDisposition",
        "object",
        {"persistentDisposition": {"set": ["completeness_verified"], "unset": ["completeness_inferred"]}},
    ),
    (
        "persistentDisposition on an AggregationEvent (XSD)",
        "aggregation",
        {"persistentDisposition": {"set": ["completeness_verified"]}},
    ),
    (
        "source and destination types",
        "object",
        {
            "sourceList": [
                {"type": "owning_party", "source": PGLN},
                {"type": "urn:epcglobal:cbv:sdt:location", "source": SGLN},
            ],
            "destinationList": [{"type": "cbv:my_own_party", "destination": PGLN}],
        },
    ),
    ("bizTransaction without type", "transaction", {"bizTransactionList": [{"bizTransaction": PO}]}),
    (
        "bizTransaction user type",
        "transaction",
        {"bizTransactionList": [{"type": "urn:gs1:epcisapp:rail:btt:passage", "bizTransaction": PO}]},
    ),
    ("epcList as Digital Link", "object", {"epcList": [SGTIN_1_DL]}),
    ("epcList same object twice", "object", {"epcList": [SGTIN_1, SGTIN_1_DL, SGTIN_1]}),
    (
        "epcList non-GS1 URI",
        "object",
        {"epcList": ["urn:epc:id:bic:CSQU3054383", "https://example.com/cow/7"]},
    ),
    (
        "quantityList only",
        "object",
        {"epcList": DELETE, "quantityList": [{"epcClass": LGTIN, "quantity": 3}]},
    ),
    ("quantity without quantity", "object", {"quantityList": [{"epcClass": LGTIN}]}),
    (
        "quantity integral float without uom",
        "object",
        {"quantityList": [{"epcClass": LGTIN, "quantity": 2.0}]},
    ),
    ("quantity zero", "object", {"quantityList": [{"epcClass": LGTIN, "quantity": 0}]}),
    ("epcClass pattern", "object", {"quantityList": [{"epcClass": "urn:epc:idpat:sgtin:9521234.012345.*"}]}),
    ("readPoint SGLN", "object", {"readPoint": {"id": SGLN}}),
    ("readPoint Digital Link 414", "object", {"readPoint": {"id": SGLN_DL}}),
    (
        "bizLocation non-GS1 URI with extension",
        "object",
        {"bizLocation": {"id": "https://example.com/farm/12", "example:pen": "3"}},
    ),
    ("extension field", "object", {"example:myField": {"example:inner": 1}}),
    ("extension as absolute IRI", "object", {"https://ns.example.com/epcis/field": "x"}),
    (
        "event @context adds a prefix",
        "object",
        {"@context": [{"ext9": "https://ext9.example/"}], "ext9:f": "x"},
    ),
    ("ilmd on ADD", "object", {"action": "ADD", "ilmd": {"cbvmda:lotNumber": "L1", "example:x": {"a": 1}}}),
    ("ilmd on a TransformationEvent", "transformation", {"ilmd": {"example:lot": "A"}}),
    ("ObjectEvent DELETE", "object", {"action": "DELETE"}),
    (
        "sensor data with readPoint only",
        "object",
        {"epcList": DELETE, "sensorElementList": [SENSOR_ELEMENT], "readPoint": {"id": SGLN}},
    ),
    (
        "sensor report full",
        "object",
        {
            "sensorElementList": [
                {
                    "sensorMetadata": {
                        "time": "2024-03-01T08:00:00Z",
                        "startTime": "2024-03-01T07:00:00Z",
                        "endTime": "2024-03-01T08:00:00Z",
                        "bizRules": "https://example.com/rules/1",
                        "example:batch": "x",
                    },
                    "sensorReport": [
                        {
                            "type": "gs1:Temperature",
                            "minValue": -18.5,
                            "maxValue": -17,
                            "uom": "FAH",
                            "exception": "gs1:ALARM_CONDITION",
                            "component": "cbv:Comp-latitude",
                        },
                        {"type": "EffectiveDoseRate", "value": 0.005, "uom": "P71"},
                        {
                            "type": "example:Acidity",
                            "stringValue": "ok",
                            "booleanValue": True,
                            "hexBinaryValue": "f0F0",
                            "uriValue": "https://example.com/x",
                            "exception": "ERROR_CONDITION",
                            "component": "x",
                            "time": "2024-03-01T08:00:00.5+08:00",
                        },
                    ],
                    "example:extra": "y",
                }
            ]
        },
    ),
    (
        "sensorReport Mass in pounds",
        "object",
        {
            "sensorElementList": [
                changed(SENSOR_ELEMENT, sensorReport__0__type="Mass", sensorReport__0__uom="LBR")
            ]
        },
    ),
    ("AggregationEvent OBSERVE without parentID", "aggregation", {"parentID": DELETE, "action": "OBSERVE"}),
    ("AggregationEvent DELETE without children", "aggregation", {"childEPCs": DELETE, "action": "DELETE"}),
    ("AssociationEvent DELETE without children", "association", {"childEPCs": DELETE, "action": "DELETE"}),
    ("TransactionEvent DELETE without identifiers", "transaction", {"epcList": DELETE, "action": "DELETE"}),
    (
        "TransformationEvent with transformationID and inputs only",
        "transformation",
        {"outputQuantityList": DELETE, "transformationID": "urn:uuid:9f2c1e52-6d0e-4b59-9b5a-2f4f3c1d8e11"},
    ),
    (
        "eventID ni hash",
        "object",
        {
            "eventID": "ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0"
        },
    ),
    ("eventID uuid", "object", {"eventID": "urn:uuid:9f2c1e52-6d0e-4b59-9b5a-2f4f3c1d8e11"}),
    ("certificationInfo string", "object", {"certificationInfo": "https://example.com/cert/1"}),
    ("certificationInfo list", "object", {"certificationInfo": ["https://example.com/cert/1", "urn:cert:2"]}),
    (
        "errorDeclaration full",
        "object",
        {
            "errorDeclaration": {
                "declarationTime": "2024-03-02T00:00:00Z",
                "reason": "urn:epcglobal:cbv:er:incorrect_data",
                "correctiveEventIDs": ["urn:uuid:9f2c1e52-6d0e-4b59-9b5a-2f4f3c1d8e11"],
                "example:note": "typo",
            }
        },
    ),
    ("recordTime", "object", {"recordTime": "2024-03-01T00:31:00.123456789Z"}),
    (
        "eventTime Z and extreme offsets",
        "object",
        {"eventTime": "2024-03-01T00:30:00Z", "eventTimeZoneOffset": "-14:00"},
    ),
    (
        # Optional in the XSD and the data model (docs/conformance.md), so optional in JSON too.
        "sensorReport without type",
        "object",
        {"sensorElementList": [changed(SENSOR_ELEMENT, sensorReport__0__type=DELETE)]},
    ),
]


@pytest.mark.parametrize(
    ("base", "changes"), [c[1:] for c in VALID_VARIANTS], ids=[c[0] for c in VALID_VARIANTS]
)
def test_valid_variants_pass(base: str, changes: dict[str, Any]) -> None:
    normalized, errors = check(changed(BASES[base], **changes))
    assert errors == []
    assert normalized is not None


def test_identifier_error_message_becomes_the_field_error_message() -> None:
    with pytest.raises(IdentifierError) as raised:
        parse_identifier(BAD_CHECK_DIGIT_DL)
    _, errors = check(changed(OBJECT, epcList=[BAD_CHECK_DIGIT_DL]))
    assert [error.message for error in errors] == [f"epcList: {raised.value}"]


def test_every_error_of_an_event_is_reported() -> None:
    event = changed(
        OBJECT,
        eventTime="22-07-2026",
        action="CREATE",
        bizStep="transforming",
        epcList=["not a uri", SGTIN_2, LGTIN],
        madeUpField=1,
    )
    _, errors = check(event)
    assert sorted(paths(errors)) == sorted(
        P + p for p in ("eventTime", "action", "bizStep", "epcList[0]", "epcList[2]", "madeUpField")
    )


def test_error_carries_index_and_event_id() -> None:
    event = changed(OBJECT, eventID="urn:uuid:9f2c1e52-6d0e-4b59-9b5a-2f4f3c1d8e11", bizStep="nope")
    _, errors = check_event(event, index=7, path_prefix="epcisBody.eventList[7]", namespaces=NS)
    assert errors == [
        FieldError(7, event["eventID"], "epcisBody.eventList[7].bizStep", errors[0].message),
    ]
    assert errors[0].as_dict() == {
        "index": 7,
        "eventID": event["eventID"],
        "path": "epcisBody.eventList[7].bizStep",
        "message": errors[0].message,
    }


def test_single_event_paths_start_at_the_event() -> None:
    _, errors = check_event(changed(OBJECT, eventTime=DELETE), index=None, path_prefix="", namespaces=NS)
    assert paths(errors) == ["eventTime"]
    assert errors[0].index is None
    _, errors = check_event(["not", "an", "event"], index=None, path_prefix="", namespaces=NS)  # type: ignore[arg-type]
    assert paths(errors) == ["$"]


def test_event_that_is_not_an_object() -> None:
    normalized, errors = check("ObjectEvent")  # type: ignore[arg-type]
    assert normalized is None
    assert paths(errors) == ["epcisBody.eventList[0]"]


def test_undeclared_prefix_is_accepted_once_declared() -> None:
    event = changed(OBJECT, **{"ext1:name": "x"})
    assert paths(check(event)[1]) == [P + "ext1:name"]
    assert check(event, {**NS, "ext1": "https://ns.ext.de/epcis/"})[1] == []


# ------------------------------------------------------------------------------------------------
# Normalised values.
# ------------------------------------------------------------------------------------------------


def test_normalized_values() -> None:
    event = changed(
        OBJECT,
        action="ADD",
        eventTime="2024-03-01T08:30:00.250+08:00",
        eventID="urn:uuid:9f2c1e52-6d0e-4b59-9b5a-2f4f3c1d8e11",
        epcList=[SGTIN_1, SGTIN_1_DL, SGTIN_2],
        quantityList=[{"epcClass": LGTIN, "quantity": 2}],
        bizStep="urn:epcglobal:cbv:bizstep:commissioning",
        disposition="https://ref.gs1.org/cbv/Disp-active",
        readPoint={"id": SGLN_DL},
        bizLocation={"id": SGLN},
        bizTransactionList=[{"type": "urn:epcglobal:cbv:btt:po", "bizTransaction": PO}],
        sourceList=[{"type": "possessing_party", "source": PGLN}],
        destinationList=[{"type": "cbv:SDT-location", "destination": "https://example.com/farm/12"}],
        certificationInfo="https://example.com/cert/1",
        sensorElementList=[SENSOR_ELEMENT],
        ilmd={"example:lot": "A"},
    )
    normalized, errors = check(event)
    assert errors == []
    assert normalized is not None
    assert normalized.event_type == "ObjectEvent"
    assert normalized.event_time == datetime(2024, 3, 1, 0, 30, 0, 250000, tzinfo=UTC)
    assert normalized.event_time.utcoffset().total_seconds() == 0
    assert normalized.event_time_zone_offset == "+08:00"
    assert normalized.action == "ADD"
    assert normalized.biz_step == "commissioning"
    assert normalized.disposition == "active"
    assert normalized.read_point == "414/9521234000013"
    assert normalized.biz_location == "414/9521234000013"
    assert normalized.event_id == "urn:uuid:9f2c1e52-6d0e-4b59-9b5a-2f4f3c1d8e11"
    assert normalized.error_declaration is None
    assert normalized.certification is True
    assert normalized.sensor is True
    assert set(normalized.index) == {
        IndexEntry(SGTIN_1_KEY, "epc", "", 7),
        IndexEntry(SGTIN_1_KEY, "epc", "", None),  # the Digital Link told no prefix length
        IndexEntry("01/09521234123453/21/1002", "epc", "", 7),
        IndexEntry("01/09521234123453/10/LOT1", "class", "", 7),
        IndexEntry("414/9521234000013", "read_point", "", None),
        IndexEntry("414/9521234000013", "biz_location", "", 7),
        IndexEntry(PO, "biz_transaction", "po", None),
        IndexEntry("417/9521234000013", "source", "possessing_party", 7),
        IndexEntry("https://example.com/farm/12", "destination", "location", None),
    }
    assert len(normalized.index) == len(set(normalized.index))
    assert all(entry.role in ROLES for entry in normalized.index)


def test_normalized_index_is_deduplicated() -> None:
    normalized, _ = check(changed(OBJECT, epcList=[SGTIN_1, SGTIN_1, SGTIN_2, SGTIN_1]))
    assert normalized is not None
    assert [entry.key for entry in normalized.index] == [SGTIN_1_KEY, "01/09521234123453/21/1002"]


@pytest.mark.parametrize(
    ("base", "roles"),
    [
        ("aggregation", {"parent", "child"}),
        ("transaction", {"epc", "biz_transaction"}),
        ("transformation", {"input", "output_class"}),
        ("association", {"parent", "child"}),
    ],
)
def test_roles_per_event_type(base: str, roles: set[str]) -> None:
    normalized, errors = check(BASES[base])
    assert errors == []
    assert normalized is not None
    assert {entry.role for entry in normalized.index} == roles


def test_roles_of_quantity_lists_and_outputs() -> None:
    event = changed(
        TRANSFORMATION,
        inputQuantityList=[{"epcClass": LGTIN, "quantity": 1, "uom": "KGM"}],
        outputEPCList=[SGTIN_2],
    )
    aggregation = changed(AGGREGATION, childQuantityList=[{"epcClass": LGTIN, "quantity": 4}])
    transformed, _ = check(event)
    aggregated, _ = check(aggregation)
    assert transformed is not None and aggregated is not None
    assert {entry.role for entry in transformed.index} == {"input", "input_class", "output", "output_class"}
    assert {entry.role for entry in aggregated.index} == {"parent", "child", "child_class"}


def test_user_vocabulary_curie_is_expanded() -> None:
    normalized, _ = check(
        changed(OBJECT, bizStep="example:slaughtering", disposition="https://example.com/d")
    )
    assert normalized is not None
    assert normalized.biz_step == "http://ns.example.com/epcis/slaughtering"
    assert normalized.disposition == "https://example.com/d"


def test_error_declaration_info() -> None:
    event = changed(
        OBJECT,
        errorDeclaration={
            "declarationTime": "2024-03-02T08:00:00+08:00",
            "reason": "https://ref.gs1.org/cbv/ER-did_not_occur",
            "correctiveEventIDs": ["urn:uuid:9f2c1e52-6d0e-4b59-9b5a-2f4f3c1d8e11"],
        },
    )
    normalized, errors = check(event)
    assert errors == []
    assert normalized is not None and normalized.error_declaration is not None
    info = normalized.error_declaration
    assert info.declaration_time == datetime(2024, 3, 2, 0, 0, tzinfo=UTC)
    assert info.reason == "did_not_occur"
    assert info.corrective_event_ids == ("urn:uuid:9f2c1e52-6d0e-4b59-9b5a-2f4f3c1d8e11",)
    bare, _ = check(changed(OBJECT, errorDeclaration={"declarationTime": TIME}))
    assert bare is not None and bare.error_declaration is not None
    assert bare.error_declaration.reason is None
    assert bare.error_declaration.corrective_event_ids == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2005-07-11T11:30:47.0Z", datetime(2005, 7, 11, 11, 30, 47, tzinfo=UTC)),
        ("2005-04-03T20:33:31.116000-06:00", datetime(2005, 4, 4, 2, 33, 31, 116000, tzinfo=UTC)),
        ("2024-03-01T08:30:00+14:00", datetime(2024, 2, 29, 18, 30, tzinfo=UTC)),
        ("2024-03-01T08:30:00.123456789+08:00", datetime(2024, 3, 1, 0, 30, 0, 123456, tzinfo=UTC)),
    ],
)
def test_parse_time_accepts(text: str, expected: datetime) -> None:
    parsed = parse_time(text)
    assert parsed is not None
    assert parsed == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-01",
        "2024-03-01T08:30:00",
        "2024-03-01T08:30+08:00",
        "20240301T083000Z",
        "2024-03-01 08:30:00Z",
        "2024-03-01T08:30:00.Z",
        "2024-03-01T08:30:00,5Z",
        "2024-03-01T08:30:00+0800",
        "2024-03-01T08:30:00+15:00",
        "2024-03-01T25:30:00Z",
        "2024-02-30T08:30:00Z",
        "２０２４-03-01T08:30:00Z",
        "",
        None,
        1709253000,
    ],
)
def test_parse_time_refuses(text: Any) -> None:
    assert parse_time(text) is None


def test_time_outside_the_utc_range_is_an_error_not_an_exception() -> None:
    _, errors = check(changed(OBJECT, eventTime="0001-01-01T00:00:00+01:00"))
    assert paths(errors) == [P + "eventTime"]


def test_identifier_and_value_length_limits() -> None:
    long_uri = "https://example.com/" + "x" * 400
    _, errors = check(changed(OBJECT, epcList=[long_uri], bizStep=long_uri, eventID="urn:x:" + "y" * 600))
    assert sorted(paths(errors)) == sorted([P + "epcList[0]", P + "bizStep", P + "eventID"])


def test_too_many_errors_in_one_event_are_capped() -> None:
    _, errors = check(changed(OBJECT, epcList=[f"bad {n}" for n in range(MAX_ERRORS + 50)]))
    assert len(errors) == MAX_ERRORS + 1
    assert "too many errors" in errors[-1].message


# ------------------------------------------------------------------------------------------------
# Documents.
# ------------------------------------------------------------------------------------------------


def test_minimal_document_is_valid() -> None:
    normalized, errors = check_document(document(OBJECT, AGGREGATION))
    assert errors == []
    assert [n.event_type for n in normalized if n is not None] == ["ObjectEvent", "AggregationEvent"]
    assert check_document(document())[1] == []  # an empty event list is valid


DOCUMENT_BROKEN: list[tuple[str, dict[str, Any], str]] = [
    ("no @context", {"@context": DELETE}, "@context"),
    ("@context null", {"@context": None}, "@context"),
    ("@context a remote context", {"@context": ["https://example.com/context.jsonld"]}, "@context"),
    ("@context a number", {"@context": 5}, "@context"),
    ("type missing", {"type": DELETE}, "type"),
    ("type master data document", {"type": "EPCISMasterDataDocument"}, "type"),
    ("schemaVersion missing", {"schemaVersion": DELETE}, "schemaVersion"),
    ("schemaVersion 3.0", {"schemaVersion": "3.0"}, "schemaVersion"),
    ("schemaVersion a number", {"schemaVersion": 2.0}, "schemaVersion"),
    ("creationDate missing", {"creationDate": DELETE}, "creationDate"),
    ("creationDate malformed", {"creationDate": "11.07.2005"}, "creationDate"),
    ("epcisBody missing", {"epcisBody": DELETE}, "epcisBody"),
    ("epcisBody a list", {"epcisBody": []}, "epcisBody"),
    ("eventList missing", {"epcisBody": {}}, "epcisBody.eventList"),
    ("eventList an object", {"epcisBody": {"eventList": {}}}, "epcisBody.eventList"),
    ("epcisBody unknown field", {"epcisBody": {"eventList": [], "events": []}}, "epcisBody.events"),
    ("unknown document field", {"comment": "x"}, "comment"),
    ("id not a URI", {"id": "doc 1"}, "id"),
    ("sender not a string", {"sender": 5}, "sender"),
    ("epcisHeader unknown field", {"epcisHeader": {"sbdh": {}}}, "epcisHeader.sbdh"),
    (
        "master data vocabulary without type",
        {"epcisHeader": {"epcisMasterData": {"vocabularyList": [{}]}}},
        "epcisHeader.epcisMasterData.vocabularyList[0].type",
    ),
    (
        "master data element without id",
        {
            "epcisHeader": {
                "epcisMasterData": {
                    "vocabularyList": [
                        {
                            "type": "urn:epcglobal:epcis:vtype:BusinessLocation",
                            "vocabularyElementList": [{"attributes": []}],
                        }
                    ]
                }
            }
        },
        "epcisHeader.epcisMasterData.vocabularyList[0].vocabularyElementList[0].id",
    ),
]


@pytest.mark.parametrize(
    ("changes", "path"), [c[1:] for c in DOCUMENT_BROKEN], ids=[c[0] for c in DOCUMENT_BROKEN]
)
def test_document_header_rules(changes: dict[str, Any], path: str) -> None:
    doc = document(OBJECT, **changes)
    namespaces, errors = check_document_header(doc)
    assert path in paths(errors), errors
    assert all(error.index is None for error in errors)
    assert path in paths(check_document(doc)[1])


@pytest.mark.parametrize("version", ["2.0", "2", "1.2", "1.1", "1.0"])
def test_document_schema_versions(version: str) -> None:
    assert check_document_header(document(schemaVersion=version))[1] == []


def test_document_header_returns_namespaces_and_accepts_extensions() -> None:
    doc = document(
        OBJECT,
        **{
            "@context": [STANDARD_CONTEXT_URL, {"ext1": "https://ns.ext.de/epcis/"}],
            "ext1:batch": "B1",
            "id": "https://id.example.org/document1",
            "sender": "urn:epc:id:sgln:9521234.00001.0",
            "instanceIdentifier": "1234567890",
            "epcisHeader": {
                "epcisMasterData": {
                    "vocabularyList": [
                        {
                            "type": "urn:epcglobal:epcis:vtype:BusinessLocation",
                            "vocabularyElementList": [
                                {
                                    "id": SGLN,
                                    "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "Gate"}],
                                    "children": [SGLN_DL],
                                }
                            ],
                        }
                    ]
                },
                "ext1:note": "x",
            },
        },
    )
    namespaces, errors = check_document_header(doc)
    assert errors == []
    assert namespaces["ext1"] == "https://ns.ext.de/epcis/"
    assert namespaces["cbvmda"] == "urn:epcglobal:cbv:mda:"  # the standard context's prefixes too
    assert check_document(doc)[1] == []


def test_document_event_paths_and_indexes() -> None:
    doc = document(OBJECT, changed(OBJECT, bizStep="transforming"), changed(TRANSACTION, action=DELETE))
    normalized, errors = check_document(doc)
    assert normalized[0] is not None and normalized[1] is None and normalized[2] is None
    assert [(e.index, e.path) for e in errors] == [
        (1, "epcisBody.eventList[1].bizStep"),
        (2, "epcisBody.eventList[2].action"),
    ]


def test_document_event_context_extends_namespaces() -> None:
    event = changed(OBJECT, **{"@context": [{"ext2": "http://www.ext2.net/"}], "ext2:address": "Cologne"})
    assert check_document(document(event))[1] == []
    assert paths(check_document(document(changed(OBJECT, **{"ext2:address": "Cologne"})))[1]) == [
        "epcisBody.eventList[0].ext2:address"
    ]


def test_query_document_is_a_capture_document() -> None:
    doc = {
        "@context": CONTEXT,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-03-01T09:00:00Z",
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "subscriptionID": "s1",
                "resultsBody": {"eventList": [OBJECT, changed(OBJECT, action="MOVE")]},
            }
        },
    }
    assert event_list_path(doc) == "epcisBody.queryResults.resultsBody.eventList"
    normalized, errors = check_document(doc)
    assert normalized[0] is not None
    assert paths(errors) == ["epcisBody.queryResults.resultsBody.eventList[1].action"]
    del doc["epcisBody"]["queryResults"]["queryName"]
    assert "epcisBody.queryResults.queryName" in paths(check_document_header(doc)[1])


def test_single_event_header() -> None:
    header = {"@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0"}
    assert check_document_header(header, single_event=True)[1] == []
    assert (
        check_document_header(
            {"@context": CONTEXT, "type": "EPCISDocument", "epcisBody": {}}, single_event=True
        )[1]
        == []
    )
    assert paths(check_document_header({"type": "EPCISDocument"}, single_event=True)[1]) == ["@context"]
    assert paths(check_document_header(header)[1]) == ["creationDate", "epcisBody"]


def test_document_that_is_not_an_object() -> None:
    assert paths(check_document([])[1]) == ["$"]  # type: ignore[arg-type]


def test_document_errors_are_capped() -> None:
    doc = document(*[changed(OBJECT, bizStep="nope")] * (MAX_ERRORS + 100))
    normalized, errors = check_document(doc)
    assert len(errors) == MAX_ERRORS + 1
    assert errors[-1].path == "$"
    assert errors[-1].message.startswith("too many errors")
    assert len(normalized) == MAX_ERRORS + 100
    assert all(n is None for n in normalized)


# ------------------------------------------------------------------------------------------------
# Conformance data, read in place.
# ------------------------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]
CONFORMANCE = REPO.parent / "shared" / "conformance"
OPENEPCIS = "openepcis-test-resources"

#: Documents among the valid ones that break a rule of EPCIS 2.0: each is refused, with the path of
#: its first offending field (see docs/conformance.md).
_J2 = f"{OPENEPCIS}/2.0/EPCIS/JSON/Capture/Documents/"
_X2 = f"{OPENEPCIS}/2.0/EPCIS/XML/Capture/Documents/"
_X12 = f"{OPENEPCIS}/1.2/EPCIS/XML/Capture/Documents/"
_FIRST_EPC = "epcisBody.eventList[0].epcList[0]"
KNOWN_CONFLICTS = {
    # A GRAI Digital Link (on id.example.com) without the leading 0 of AI 8003: a malformed GS1 key.
    _J2 + "SensorData_with_combined_events.json": "epcisBody.eventList[12].epcList[0]",
    _X2 + "SensorData_with_combined_events.xml": "epcisBody.eventList[12].epcList[0]",
    # A GRAI Digital Link (on id.example.com) with a wrong check digit: a malformed GS1 key.
    _J2 + "Combination_of_different_event.json": _FIRST_EPC,
    _X2 + "Combination_of_different_event.xml": _FIRST_EPC,
    _X12 + "All_eventTypes_in_single_document.xml": _FIRST_EPC,
    # certificationInfo 'test certification' is not a URI, and ilmd on an OBSERVE (the 2.0 version
    # of this document has a URI and ADD).
    _X12 + "ObjectEvent_all_possible_fields.xml": "epcisBody.eventList[0].certificationInfo",
    # declarationTime '2006-11-07T13:00Z' has no seconds (not an xsd:dateTime; the 2.0 version has them).
    _X12
    + "TransactionEvent_all_possible_fields.xml": "epcisBody.eventList[0].errorDeclaration.declarationTime",
}

#: XML documents whose event children break the XSD's element order. Our dict form cannot see order;
#: the XML reader refuses it at capture (check_order=True; see docs/conformance.md), the two among
#: the valid documents included: the XSD is normative for the XML binding.
XSD_ORDER = {
    f"{OPENEPCIS}/2.0/EPCIS/XML/Capture/Documents/JumbledFieldsOrder.xml",
    f"{OPENEPCIS}/1.2/EPCIS/XML/Capture/Documents/Jumbled_attributes_order.xml",
    f"{OPENEPCIS}/2.0/EPCIS/XML/Capture/Invalid/ObjectEvent_with_wrong_element_order.xml",
}


def _files(*patterns: str) -> list[str]:
    found = sorted(
        {str(p.relative_to(CONFORMANCE)) for pattern in patterns for p in CONFORMANCE.glob(pattern)}
    )
    # An absent conformance folder must fail the tests below, not leave them without parameters.
    return found or ["<conformance data missing>"]


def _is_capture_document_json(name: str) -> bool:
    if name.startswith("<"):
        return True
    doc = orjson.loads((CONFORMANCE / name).read_bytes())
    return isinstance(doc, dict) and doc.get("type") in ("EPCISDocument", "EPCISQueryDocument")


def _is_capture_document_xml(name: str) -> bool:
    if name.startswith("<"):
        return True
    # EPCISMasterDataDocument, EPCISCaptureJob … are no capture documents.
    head = (CONFORMANCE / name).read_bytes()[:2000].decode("utf-8", "replace")
    root = re.search(r"<(?!\?|!)([\w.-]+:)?([\w.-]+)", head)
    return root is not None and root.group(2) in (
        "EPCISDocument",
        "EPCISQueryDocument",
        "ObjectEvent",
        "AggregationEvent",
        "TransactionEvent",
        "TransformationEvent",
        "AssociationEvent",
    )


VALID_JSON = [
    n
    for n in _files(
        "gs1-epcis/JSON/**/*.json*",
        "gs1-epcis/XML/**/*.json",
        f"{OPENEPCIS}/2.0/EPCIS/JSON/Capture/Documents/*.json",
    )
    if _is_capture_document_json(n)
]
INVALID_JSON = _files(f"{OPENEPCIS}/2.0/EPCIS/JSON/Capture/Invalid/*.json")
VALID_XML = [
    n
    for n in _files(
        "gs1-epcis/XML/**/*.xml",
        f"{OPENEPCIS}/2.0/EPCIS/XML/Capture/Documents/*.xml",
        f"{OPENEPCIS}/1.2/EPCIS/XML/Capture/Documents/*.xml",
    )
    if _is_capture_document_xml(n)
]
INVALID_XML = _files(f"{OPENEPCIS}/2.0/EPCIS/XML/Capture/Invalid/*.xml")
SINGLE_EVENTS_JSON = _files(f"{OPENEPCIS}/2.0/EPCIS/JSON/Capture/Events/*.json")


def test_conformance_data_is_present() -> None:
    assert CONFORMANCE.is_dir(), f"the conformance data is expected at {CONFORMANCE}"
    assert len(VALID_JSON) >= 80
    assert len(INVALID_JSON) >= 15
    assert len(VALID_XML) >= 80
    assert len(INVALID_XML) >= 7
    for name in [*KNOWN_CONFLICTS, *XSD_ORDER]:
        assert (CONFORMANCE / name).is_file(), name


def _check_json(name: str) -> list[FieldError]:
    return check_document(orjson.loads((CONFORMANCE / name).read_bytes()))[1]


def _check_xml(name: str) -> list[FieldError]:
    """Check an XML document the way capture does: converted, then header and events."""
    data = (CONFORMANCE / name).read_bytes()
    try:
        reader = XmlDocumentReader(data, check_order=True)
        events = list(reader.events())
        if not reader.is_single_event:
            return check_document(parse_xml_document(data, check_order=True))[1]
    except XmlFormatError as exc:
        return [FieldError(None, None, exc.path or "$", exc.message)]
    namespaces, errors = check_document_header(reader.header, single_event=True)
    for position, event in enumerate(events):
        errors += check_event(event, index=position, path_prefix="", namespaces=namespaces)[1]
    return errors


@pytest.mark.parametrize("name", VALID_JSON)
def test_valid_json_documents_pass(name: str) -> None:
    errors = _check_json(name)
    if name in KNOWN_CONFLICTS:
        assert KNOWN_CONFLICTS[name] in paths(errors), errors
    else:
        assert errors == []


@pytest.mark.parametrize("name", INVALID_JSON)
def test_invalid_json_documents_are_refused(name: str) -> None:
    assert _check_json(name) != []


@pytest.mark.parametrize("name", VALID_XML)
def test_valid_xml_documents_pass(name: str) -> None:
    errors = _check_xml(name)
    if name in KNOWN_CONFLICTS:
        assert KNOWN_CONFLICTS[name] in paths(errors), errors
    elif name in XSD_ORDER:
        assert errors != []
    else:
        assert errors == []


@pytest.mark.parametrize("name", INVALID_XML)
def test_invalid_xml_documents_are_refused(name: str) -> None:
    assert _check_xml(name) != []


@pytest.mark.parametrize("name", SINGLE_EVENTS_JSON)
def test_single_json_events_pass(name: str) -> None:
    event = orjson.loads((CONFORMANCE / name).read_bytes())
    namespaces, errors = check_document_header(
        {"@context": event.get("@context"), "type": "EPCISDocument"}, single_event=True
    )
    assert errors == []
    assert check_event(event, index=None, path_prefix="", namespaces=namespaces)[1] == []


def test_known_invalid_json_reasons() -> None:
    """The six Invalid/ documents the JSON schema lets through are refused for their own reason."""
    base = f"{OPENEPCIS}/2.0/EPCIS/JSON/Capture/Invalid/"
    expected = {
        "ObjectEvent_with_non_standard_bizStep.json": "epcisBody.eventList[0].bizStep",
        "ObjectEvent_with_non_standard_bizStep_in_second_event.json": "epcisBody.eventList[1].bizStep",
        "ObjectEvent_with_non_standard_disposition.json": "epcisBody.eventList[0].disposition",
        "Combination_of_non_standard_bizStep_and_disposition.json": "epcisBody.eventList[1].disposition",
        "ObjectEvent_with_ilmd_field_without_namespace.json": "epcisBody.eventList[0].ilmd.materialType",
        "ObjectEvent_with_invalid_eventTime_format.json": "epcisBody.eventList[0].eventTime",
        "EPCISDocument_without_context.json": "@context",
        "ObjectEvent_with_unknown_field_in_quantityList.json": P + "quantityList[0].weight",
    }
    for name, path in expected.items():
        assert path in paths(_check_json(base + name)), name


# ------------------------------------------------------------------------------------------------
# Robustness: whatever a sender mutates, check_event reports errors and never raises.
# ------------------------------------------------------------------------------------------------

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "",
            "ADD",
            "shipping",
            "urn:",
            "urn:epc:id:sgtin:",
            "urn:epc:id:sgtin:1.2.3",
            SGTIN_1,
            LGTIN,
            "https://id.gs1.org/01/",
            "https://id.gs1.org/01/1/21/x",
            "cbv:",
            "example:",
            ":",
            "gs1:Temperature",
            "2024-03-01T08:30:00+14:00",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "urn:epc:idpat:sgtin:1.*.*",
            "https://id.gs1.org/414/9521234000013/254/%ZZ",
            "ni:///",
            "\x00",
        ]
    ),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)

_FIELD_NAMES = sorted(
    {key for base in BASES.values() for key in base}
    | {
        "quantityList",
        "childQuantityList",
        "inputQuantityList",
        "outputQuantityList",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        "sourceList",
        "destinationList",
        "sensorElementList",
        "ilmd",
        "errorDeclaration",
        "certificationInfo",
        "persistentDisposition",
        "eventID",
        "recordTime",
        "@context",
        "bizStep",
        "disposition",
        "transformationID",
        "example:x",
        "foo:bar",
    }
)

_RICH = [
    changed(
        OBJECT,
        action="ADD",
        ilmd={"example:lot": "A"},
        quantityList=[{"epcClass": LGTIN, "quantity": 2}],
        readPoint={"id": SGLN},
        sensorElementList=[SENSOR_ELEMENT],
        sourceList=[{"type": "owning_party", "source": PGLN}],
        errorDeclaration={"declarationTime": TIME, "correctiveEventIDs": ["urn:uuid:1"]},
        persistentDisposition={"set": ["active"]},
    ),
    *BASES.values(),
]


def _locations(value: Any, trail: tuple = ()) -> list[tuple]:
    """Every path into a JSON value (dict keys and list positions)."""
    found = [trail]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _locations(item, (*trail, key))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            found += _locations(item, (*trail, position))
    return found


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_events_never_raise(data: st.DataObject) -> None:
    event = copy.deepcopy(data.draw(st.sampled_from(_RICH)))
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        spots = _locations(event)
        trail = data.draw(st.sampled_from(spots))
        operation = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if not trail:
            if operation == "replace":
                event = data.draw(_json_values)
            continue
        parent: Any = event
        for step in trail[:-1]:
            parent = parent[step]
        if operation == "replace":
            parent[trail[-1]] = data.draw(_json_values)
        elif operation == "delete":
            del parent[trail[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.sampled_from(_FIELD_NAMES) | st.text(max_size=8))] = data.draw(_json_values)
        else:
            parent.append(data.draw(_json_values))
    normalized, errors = check_event(event, index=0, path_prefix="epcisBody.eventList[0]", namespaces=NS)
    assert (normalized is None) == bool(errors)
    for error in errors:
        assert isinstance(error, FieldError)
        assert error.path.startswith("epcisBody.eventList[0]")
        assert isinstance(error.message, str) and error.message
    if normalized is not None:
        assert normalized.event_time.tzinfo is not None
        assert all(entry.role in ROLES for entry in normalized.index)


@settings(max_examples=150, deadline=None)
@given(
    doc=st.dictionaries(
        st.sampled_from(
            ["@context", "type", "schemaVersion", "creationDate", "epcisBody", "epcisHeader", "id", "x"]
        ),
        _json_values,
        max_size=6,
    )
)
def test_random_documents_never_raise(doc: dict[str, Any]) -> None:
    normalized, errors = check_document(doc)
    assert all(isinstance(error, FieldError) for error in errors)
