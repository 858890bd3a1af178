"""Deterministic EPCIS 2.0 capture documents for the benchmarks, in JSON-LD and in XML.

A document is a run of ObjectEvents from a Xiamen supply chain: commissioning (ADD, with ILMD
lot and expiry), shipping, receiving, storing, accepting and retail selling (OBSERVE), each with
1-10 SGTIN EPC URNs, SGLN read point and business location, sometimes business transactions,
event times at +08:00. The same seed and document number always give the same bytes, and
every EPC serial is unique across documents (the serial starts with the document number), so
no event of a benchmark is ever a duplicate of another.

Both formats come from one event dict (the JSON-LD form), so a JSON-LD and an XML document of
the same number carry the same events. The XML is written as text in EPCIS 2.0 XSD element
order, because capture refuses elements out of order. Documents are produced in chunks so the
200,000-event document can be streamed to a file without ever being held whole.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import orjson

from tracehub.identifiers import gs1_check_digit

JSON = "json"
XML = "xml"
FORMATS = (JSON, XML)
CONTENT_TYPES = {JSON: "application/ld+json", XML: "application/xml"}

CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CBV_MDA = "urn:epcglobal:cbv:mda:"
TZ = timezone(timedelta(hours=8))
OFFSET = "+08:00"
#: First event time; later documents move on by six hours each so times stay plausible.
EPOCH = datetime(2026, 3, 1, 8, 0, tzinfo=TZ)

#: Events rendered and joined per chunk when streaming.
CHUNK_EVENTS = 500
#: Digits of the event position inside a serial: a fixed width keeps serials of different
#: documents apart (document 1 event 1000000 would otherwise be document 10 event 000000).
POSITION_DIGITS = 7


@dataclass(frozen=True)
class Company:
    """A GS1 company: its prefix, a few trade items and a few sites (Xiamen-area, 69x prefixes)."""

    prefix: str
    items: tuple[str, ...]  # indicator digit + item reference, 13 - len(prefix) digits
    sites: tuple[str, ...]  # location references, 12 - len(prefix) digits

    def sgtin(self, item: str, serial: str) -> str:
        return f"urn:epc:id:sgtin:{self.prefix}.{item}.{serial}"

    def sgln(self, site: str, extension: str = "0") -> str:
        return f"urn:epc:id:sgln:{self.prefix}.{site}.{extension}"

    def gln(self, site: str) -> str:
        digits = self.prefix + site
        return digits + gs1_check_digit(digits)

    def gtin(self, item: str) -> str:
        """The GTIN-14 of an item (indicator first), with its check digit."""
        digits = item[0] + self.prefix + item[1:]
        return digits + gs1_check_digit(digits)


COMPANIES = (
    Company("6901234", ("012345", "012346", "012350"), ("00001", "00002")),
    Company("6923456", ("000101", "000102"), ("00010", "00011", "00012")),
    Company("69345678", ("00021", "00022", "00023"), ("0001", "0002")),
    Company("6956789", ("100400",), ("00100", "00200")),
)

#: (weight, bizStep, action, disposition, chance of a business-transaction list)
STEPS = (
    (30, "commissioning", "ADD", "active", 0.0),
    (25, "shipping", "OBSERVE", "in_transit", 0.6),
    (20, "receiving", "OBSERVE", "in_progress", 0.5),
    (8, "storing", "OBSERVE", "sellable_not_accessible", 0.0),
    (7, "accepting", "OBSERVE", "in_progress", 0.2),
    (10, "retail_selling", "OBSERVE", "retail_sold", 0.0),
)
_STEP_WEIGHTS = [s[0] for s in STEPS]


@dataclass(frozen=True)
class DocumentSpec:
    """Which document: seed, number (distinct numbers never share an EPC) and event count."""

    number: int
    events: int = 1000
    seed: int = 2026

    def __post_init__(self) -> None:
        if self.number < 0 or not 0 < self.events <= 10**POSITION_DIGITS:
            raise ValueError(f"a document number from 0 and 1 to {10**POSITION_DIGITS:,} events")

    def rng(self) -> random.Random:
        return random.Random(f"tracehub-bench:{self.seed}:{self.number}")


def events(spec: DocumentSpec) -> Iterator[dict[str, Any]]:
    """The document's events in JSON-LD form, in order."""
    rng = spec.rng()
    start = EPOCH + timedelta(hours=6 * spec.number)
    for position in range(spec.events):
        yield _event(rng, spec, position, start)


def _event(rng: random.Random, spec: DocumentSpec, position: int, start: datetime) -> dict[str, Any]:
    _weight, step, action, disposition, transaction_chance = rng.choices(STEPS, weights=_STEP_WEIGHTS)[0]
    company = rng.choice(COMPANIES)
    item = rng.choice(company.items)
    site = rng.choice(company.sites)
    moment = start + timedelta(milliseconds=position * 97 + rng.randrange(97))
    # Serial = document number, event position, EPC position: unique across the whole run.
    epcs = [
        company.sgtin(item, f"{spec.number + 1}{position:0{POSITION_DIGITS}d}{k}")
        for k in range(rng.randint(1, 10))
    ]
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": moment.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": OFFSET,
        "eventID": f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        "epcList": epcs,
        "action": action,
        "bizStep": step,
        "disposition": disposition,
        "readPoint": {"id": company.sgln(site, str(rng.randint(1, 12)))},
        "bizLocation": {"id": company.sgln(site)},
    }
    if rng.random() < transaction_chance:
        gln = company.gln(site)
        transactions = [
            {"type": "po", "bizTransaction": f"urn:epcglobal:cbv:bt:{gln}:PO{rng.randrange(10**8):08d}"}
        ]
        if step == "shipping" and rng.random() < 0.5:
            transactions.append(
                {
                    "type": "desadv",
                    "bizTransaction": f"urn:epcglobal:cbv:bt:{gln}:DA{rng.randrange(10**8):08d}",
                }
            )
        event["bizTransactionList"] = transactions
    if action == "ADD":
        produced = moment.date()
        event["ilmd"] = {
            "cbvmda:lotNumber": f"L{produced:%Y%m%d}{rng.randint(1, 9)}",
            "cbvmda:itemExpirationDate": f"{produced + timedelta(days=rng.choice((90, 180, 365))):%Y-%m-%d}",
        }
    return event


def _creation_date(spec: DocumentSpec) -> str:
    return (EPOCH + timedelta(hours=6 * spec.number + 5)).isoformat(timespec="milliseconds")


# -- JSON-LD ---------------------------------------------------------------------------------


def json_chunks(spec: DocumentSpec) -> Iterator[bytes]:
    """The JSON-LD document in pieces: header, events in runs, closing brackets."""
    header = orjson.dumps(
        {
            "@context": [CONTEXT_URL],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": _creation_date(spec),
        }
    )
    yield header[:-1] + b',"epcisBody":{"eventList":['
    first = True
    for run in _runs(events(spec)):
        text = b",".join(orjson.dumps(e) for e in run)
        yield text if first else b"," + text
        first = False
    yield b"]}}"


# -- XML -------------------------------------------------------------------------------------

_XML_STEP = "urn:epcglobal:cbv:bizstep:"
_XML_DISP = "urn:epcglobal:cbv:disp:"
_XML_BTT = "urn:epcglobal:cbv:btt:"


def xml_chunks(spec: DocumentSpec) -> Iterator[bytes]:
    """The EPCIS 2.0 XML document in pieces (elements in XSD order)."""
    yield (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"'
        f' xmlns:cbvmda="{CBV_MDA}" schemaVersion="2.0" creationDate="{_creation_date(spec)}">\n'
        "<EPCISBody><EventList>\n"
    ).encode()
    for run in _runs(events(spec)):
        yield "".join(_xml_event(e) for e in run).encode()
    yield b"</EventList></EPCISBody></epcis:EPCISDocument>\n"


def _xml_event(event: dict[str, Any]) -> str:
    # XSD order: eventTime, eventTimeZoneOffset, eventID, epcList, action, bizStep,
    # disposition, readPoint, bizLocation, bizTransactionList, ..., ilmd.
    parts = [
        "<ObjectEvent>",
        f"<eventTime>{event['eventTime']}</eventTime>",
        f"<eventTimeZoneOffset>{event['eventTimeZoneOffset']}</eventTimeZoneOffset>",
        f"<eventID>{escape(event['eventID'])}</eventID>",
        "<epcList>",
        *(f"<epc>{escape(epc)}</epc>" for epc in event["epcList"]),
        "</epcList>",
        f"<action>{event['action']}</action>",
        f"<bizStep>{_XML_STEP}{event['bizStep']}</bizStep>",
        f"<disposition>{_XML_DISP}{event['disposition']}</disposition>",
        f"<readPoint><id>{escape(event['readPoint']['id'])}</id></readPoint>",
        f"<bizLocation><id>{escape(event['bizLocation']['id'])}</id></bizLocation>",
    ]
    transactions = event.get("bizTransactionList")
    if transactions:
        parts.append("<bizTransactionList>")
        for t in transactions:
            kind = quoteattr(_XML_BTT + t["type"])
            parts.append(f"<bizTransaction type={kind}>{escape(t['bizTransaction'])}</bizTransaction>")
        parts.append("</bizTransactionList>")
    ilmd = event.get("ilmd")
    if ilmd:
        parts.append("<ilmd>")
        for key, value in ilmd.items():
            parts.append(f"<{key}>{escape(value)}</{key}>")
        parts.append("</ilmd>")
    parts.append("</ObjectEvent>\n")
    return "".join(parts)


# -- whole documents and files ----------------------------------------------------------------


def chunks(spec: DocumentSpec, fmt: str) -> Iterator[bytes]:
    if fmt == JSON:
        return json_chunks(spec)
    if fmt == XML:
        return xml_chunks(spec)
    raise ValueError(f"unknown format {fmt!r}")


def document(spec: DocumentSpec, fmt: str) -> bytes:
    """A whole document as bytes (for the 1,000-event documents)."""
    return b"".join(chunks(spec, fmt))


def write_document(spec: DocumentSpec, fmt: str, path: Path) -> int:
    """Stream a document to ``path`` (for the 200,000-event document); returns its size."""
    size = 0
    with open(path, "wb") as fh:
        for chunk in chunks(spec, fmt):
            fh.write(chunk)
            size += len(chunk)
    return size


def _runs(items: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    run: list[dict[str, Any]] = []
    for item in items:
        run.append(item)
        if len(run) >= CHUNK_EVENTS:
            yield run
            run = []
    if run:
        yield run
