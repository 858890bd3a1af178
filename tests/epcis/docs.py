"""EPCIS documents written here for the tests (never copied from ../shared/conformance)."""

from __future__ import annotations

import copy
from typing import Any

import orjson

CONTEXT = [
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    {"ex": "https://ns.example.com/epcis/"},
]

# GTIN 09521234567899 / company prefix 9521234 (7 digits); check digits computed, not remembered.
SGTIN_URN = "urn:epc:id:sgtin:9521234.056789.{serial}"
SGTIN_DL = "https://id.gs1.org/01/09521234567899/21/{serial}"
LGTIN_URN = "urn:epc:class:lgtin:9521234.056789.{lot}"
SGLN_A = "urn:epc:id:sgln:9521234.00001.0"
SGLN_B = "urn:epc:id:sgln:9521234.00002.0"
SSCC = "urn:epc:id:sscc:9521234.0000000001"


def object_event(serials=("1", "2"), **over: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": "2026-10-01T08:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [SGTIN_URN.format(serial=s) for s in serials],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": SGLN_A},
        "bizLocation": {"id": SGLN_A},
    }
    event.update(over)
    return {k: v for k, v in event.items() if v is not None}


def document(*events: dict[str, Any], context=None) -> dict[str, Any]:
    return {
        "@context": copy.deepcopy(context or CONTEXT),
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-10-01T09:00:00.000+08:00",
        "epcisBody": {"eventList": list(events)},
    }


def body(*events: dict[str, Any], **kw) -> bytes:
    return orjson.dumps(document(*events, **kw))
