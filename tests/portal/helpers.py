"""Helpers of the portal tests: events captured through the real capture service, users made
through the accounts services, a tiny valid PNG."""

from __future__ import annotations

import struct
import zlib

from tracehub.accounts.models import Department
from tracehub.accounts.services import api_client_create, user_create
from tracehub.demo import data as d
from tracehub.demo.events import at, document, event
from tracehub.epcis.services import capture_document_store

#: A drug trace code (药品追溯码, 20 digits) the demo does not use.
DRUG_CODE = "81234560000012345678"


def capture(events: list[dict]) -> None:
    client, _key = api_client_create(name="portal test subsystem")
    outcome = capture_document_store(client=client, document=document(events, created=at(0, "08:00")))
    assert outcome.job.status == "succeeded", outcome.job.errors


def capture_drug_code(code: str = DRUG_CODE) -> str:
    """Commission a pack by its drug trace code at the demo drug plant; its platform URI."""
    uri = f"urn:tracehub:code:drug:{code}"
    capture(
        [
            event(
                "ObjectEvent",
                at(-3, "09:00"),
                what={"epcList": [uri]},
                action="ADD",
                biz_step="commissioning",
                disposition="active",
                read_point=d.DRUG_PACKAGING_LINE,
                biz_location=d.DRUG_PLANT,
                ilmd={"cbvmda:lotNumber": "P2611", "cbvmda:itemExpirationDate": "2028-10-31"},
            )
        ]
    )
    return uri


def official(username: str, department_code: str):
    return user_create(
        username=username,
        password="a-long-Passw0rd!",
        role="official",
        department=Department.objects.get(code=department_code),
        districts=["350200"],
    )


def png(width: int = 2, height: int = 2) -> bytes:
    """A valid PNG image (grey), built by hand: no imaging library needed."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def commission_serials(serials: list[str], *, lot: str, days: int = -2) -> list[str]:
    """Commission serials of the demo drug in one event (lot in the ILMD); their resolver paths."""
    epcs = [d.DRUG.instance(serial) for serial in serials]
    capture(
        [
            event(
                "ObjectEvent",
                at(days, "10:00"),
                what={"epcList": epcs},
                action="ADD",
                biz_step="commissioning",
                disposition="active",
                read_point=d.DRUG_PACKAGING_LINE,
                biz_location=d.DRUG_PLANT,
                ilmd={"cbvmda:lotNumber": lot, "cbvmda:itemExpirationDate": "2028-12-31"},
            )
        ]
    )
    return [f"/01/{d.DRUG.gtin}/21/{serial}" for serial in serials]
