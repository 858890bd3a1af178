"""GS1 UDI of medical devices (医疗器械唯一标识): DI + PI, in every carrier form."""

from __future__ import annotations

import datetime as dt

import pytest

from tracehub.identifiers import IdentifierError
from tracehub.identifiers.udi import UDI, format_udi, parse_udi, parse_udi_di

DI = "06932057180012"
FULL = UDI(DI, dt.date(2026, 1, 1), dt.date(2028, 12, 31), "LOT7", "S0001")


@pytest.mark.parametrize(
    "text",
    [
        "(01)06932057180012(11)260101(17)281231(10)LOT7(21)S0001",
        "0106932057180012112601011728123110LOT7\x1d21S0001",
        "]d20106932057180012112601011728123110LOT7\x1d21S0001",
        "https://id.gs1.org/01/06932057180012/10/LOT7/21/S0001?11=260101&17=281231",
    ],
)
def test_every_carrier_form_reads_to_the_same_udi(text):
    assert parse_udi(text) == FULL


def test_parts_key_and_human_readable_form():
    udi = parse_udi("(01)06932057180012(17)280700(10)A12")
    assert udi == UDI(DI, None, dt.date(2028, 7, 31), "A12", None)
    assert udi.key == "01/06932057180012/10/A12"
    assert FULL.key == "01/06932057180012/21/S0001"
    assert format_udi(FULL) == "(01)06932057180012(11)260101(17)281231(10)LOT7(21)S0001"
    assert parse_udi(format_udi(FULL)) == FULL


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("(01)06932057180015(10)LOT7", "check digit"),
        ("(10)LOT7(21)S1", "device identifier (01) is missing"),
        ("(01)06932057180012", "no production identifier"),
        ("(01)06932057180012(10)LOT7(400)PO1", "AI (400) is not part of a GS1 UDI"),
        ("(01)06932057180012(11)280101(17)260101", "expiry date (17) is before the production date (11)"),
        ("(01)06932057180012(17)281331", "month"),
        ("https://id.gs1.org/10/LOT7", "/01/<GTIN>"),
        ("", "a UDI is required"),
    ],
)
def test_wrong_udis_are_refused_saying_why(text, message):
    with pytest.raises(IdentifierError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_udi(text)


def test_device_identifier_alone():
    assert parse_udi_di("6932057180012") == DI
    assert parse_udi_di(DI) == DI
    with pytest.raises(IdentifierError, match="GTIN of 8, 12, 13 or 14 digits"):
        parse_udi_di("69320571800")
    with pytest.raises(IdentifierError, match="check digit"):
        parse_udi_di("06932057180015")
