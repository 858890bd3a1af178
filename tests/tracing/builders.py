"""EPCIS events for the tracing tests, written here (EPC URNs of company prefix 9521234)."""

from __future__ import annotations

import itertools
from typing import Any

import orjson

from tracehub.identifiers import canonical_key

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
DAY = "2026-10-{day:02d}T{hour:02d}:00:00.000+08:00"

_ids = itertools.count(1)


def sgtin(serial: str, item: str = "056789") -> str:
    return f"urn:epc:id:sgtin:9521234.{item}.{serial}"


def lgtin(lot: str, item: str = "056789") -> str:
    return f"urn:epc:class:lgtin:9521234.{item}.{lot}"


def sscc(number: int) -> str:
    return f"urn:epc:id:sscc:9521234.{number:010d}"


def sgln(location: int) -> str:
    return f"urn:epc:id:sgln:9521234.{location:05d}.0"


def pgln(party: int) -> str:
    return f"urn:epc:id:pgln:9521234.{party:05d}"


def at(day: int, hour: int = 8) -> str:
    return DAY.format(day=day, hour=hour)


def key(uri: str) -> str:
    return canonical_key(uri)


def _event(kind: str, when: str, location: int | None, **fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": kind,
        "eventTime": when,
        "eventTimeZoneOffset": "+08:00",
        "eventID": f"urn:uuid:00000000-0000-4000-8000-{next(_ids):012d}",
    }
    event.update({k: v for k, v in fields.items() if v is not None})
    if location is not None:
        event["readPoint"] = {"id": sgln(location)}
        event["bizLocation"] = {"id": sgln(location)}
    return event


def quantities(*pairs: tuple[str, float, str | None]) -> list[dict[str, Any]]:
    result = []
    for epc_class, amount, uom in pairs:
        element: dict[str, Any] = {"epcClass": epc_class, "quantity": amount}
        if uom:
            element["uom"] = uom
        result.append(element)
    return result


def commission(epcs=(), when=None, location=1, lot: str | None = None, classes=(), **extra) -> dict[str, Any]:
    return _event(
        "ObjectEvent",
        when or at(1),
        location,
        action="ADD",
        bizStep="commissioning",
        disposition="active",
        epcList=list(epcs) or None,
        quantityList=quantities(*classes) or None,
        ilmd={"cbvmda:lotNumber": lot} if lot else None,
        **extra,
    )


def observe(epcs=(), when=None, location=1, step="inspecting", classes=(), **extra) -> dict[str, Any]:
    return _event(
        "ObjectEvent",
        when or at(1),
        location,
        action="OBSERVE",
        bizStep=step,
        epcList=list(epcs) or None,
        quantityList=quantities(*classes) or None,
        **extra,
    )


def ship(
    epcs=(), when=None, location=1, classes=(), source=None, destination=None, **extra
) -> dict[str, Any]:
    parties = {}
    if source is not None:
        parties["sourceList"] = [{"type": "owning_party", "source": pgln(source)}]
    if destination is not None:
        parties["destinationList"] = [{"type": "owning_party", "destination": pgln(destination)}]
    return observe(
        epcs, when, location, step="shipping", classes=classes, disposition="in_transit", **parties, **extra
    )


def receive(epcs=(), when=None, location=2, classes=(), **extra) -> dict[str, Any]:
    return observe(
        epcs, when, location, step="receiving", classes=classes, disposition="in_progress", **extra
    )


def sell(epcs=(), when=None, location=2, classes=(), **extra) -> dict[str, Any]:
    return observe(
        epcs, when, location, step="retail_selling", classes=classes, disposition="retail_sold", **extra
    )


def aggregate(
    parent: str, children=(), action="ADD", when=None, location=1, classes=(), **extra
) -> dict[str, Any]:
    step = {"ADD": "packing", "DELETE": "unpacking"}.get(action, "inspecting")
    return _event(
        "AggregationEvent",
        when or at(1),
        location,
        action=action,
        bizStep=step,
        parentID=parent,
        childEPCs=list(children) if children or action != "DELETE" else None,
        childQuantityList=quantities(*classes) or None,
        **extra,
    )


def transform(
    inputs=(), outputs=(), when=None, location=1, input_classes=(), output_classes=(), lot=None, **extra
) -> dict[str, Any]:
    return _event(
        "TransformationEvent",
        when or at(1),
        location,
        bizStep="commissioning",
        inputEPCList=list(inputs) or None,
        inputQuantityList=quantities(*input_classes) or None,
        outputEPCList=list(outputs) or None,
        outputQuantityList=quantities(*output_classes) or None,
        ilmd={"cbvmda:lotNumber": lot} if lot else None,
        **extra,
    )


def transaction(epcs=(), when=None, location=1, source=None, destination=None, **extra) -> dict[str, Any]:
    return _event(
        "TransactionEvent",
        when or at(1),
        location,
        action="ADD",
        bizStep="shipping",
        bizTransactionList=[{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:9521234000006:PO-1"}],
        epcList=list(epcs),
        sourceList=[{"type": "owning_party", "source": pgln(source)}] if source else None,
        destinationList=[{"type": "owning_party", "destination": pgln(destination)}] if destination else None,
        **extra,
    )


def declaration(event: dict[str, Any], when: str = "2026-10-30T08:00:00.000+08:00") -> dict[str, Any]:
    """An error declaration of ``event`` (EPCIS 2.0 §7.4.1.4): the event again, declared wrong."""
    declared = dict(event)
    declared["errorDeclaration"] = {"declarationTime": when, "reason": "incorrect_data"}
    return declared


def document(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-10-30T09:00:00.000+08:00",
        "epcisBody": {"eventList": list(events)},
    }


def capture(api, *events: dict[str, Any]) -> None:
    """Capture through the real EPCIS capture API; the capture must succeed whole."""
    response = api.post(
        "/epcis/capture", data=orjson.dumps(document(*events)), content_type="application/ld+json"
    )
    assert response.status_code == 202, response.content
    job = api.get(response["Location"]).json()
    assert job["success"], job["errors"]
