"""Medical device unique device identifiers (医疗器械唯一标识, UDI) in the GS1 system.

A UDI (国家药监局《医疗器械唯一标识系统规则》, 2019; the GS1 UDI implementation) is a **device
identifier** (UDI-DI, 产品标识): the GTIN of the device at one packaging level (AI 01), plus a
**production identifier** (UDI-PI, 生产标识) of one or more of: production date (AI 11), expiry
date (AI 17), lot (AI 10), serial number (AI 21). A UDI carrier (barcode) holds them as GS1
element strings — bracketed ``(01)…(17)…(10)…(21)…`` in human-readable form, or the unbracketed
data a scanner sends — or as a GS1 Digital Link URI.

:func:`parse_udi` reads any of these forms and checks: the DI is present and a valid GTIN (check
digit), only UDI AIs occur, at least one PI element is present, dates are real dates. Pure code,
as the rest of this package.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from .ai_table import gs1_date
from .element_strings import parse_element_strings
from .gs1 import IdentifierError, check_check_digit

__all__ = ["UDI", "PI_AIS", "format_udi", "parse_udi", "parse_udi_di"]

#: The production identifier AIs of a GS1 UDI, in the order a carrier prints them.
PI_AIS = ("11", "17", "10", "21")
UDI_AIS = frozenset(("01",) + PI_AIS)
_DL_PATH = {"01": "01", "10": "10", "21": "21"}


@dataclass(frozen=True, slots=True)
class UDI:
    """A GS1 UDI taken apart."""

    di: str  # GTIN-14 (UDI-DI)
    production_date: _dt.date | None = None  # AI 11
    expiry_date: _dt.date | None = None  # AI 17
    lot: str | None = None  # AI 10
    serial: str | None = None  # AI 21

    @property
    def pi(self) -> str:
        """The production identifier as bracketed element strings."""
        parts = []
        if self.production_date:
            parts.append(f"(11){self.production_date:%y%m%d}")
        if self.expiry_date:
            parts.append(f"(17){self.expiry_date:%y%m%d}")
        if self.lot:
            parts.append(f"(10){self.lot}")
        if self.serial:
            parts.append(f"(21){self.serial}")
        return "".join(parts)

    @property
    def key(self) -> str:
        """The canonical key of what the UDI names: the serialised item, else the lot, else the DI."""
        if self.serial:
            return f"01/{self.di}/21/{self.serial}"
        if self.lot:
            return f"01/{self.di}/10/{self.lot}"
        return f"01/{self.di}"


def parse_udi_di(di: str) -> str:
    """A UDI-DI: a GTIN (8, 12, 13 or 14 digits, valid check digit) as GTIN-14."""
    value = (di or "").strip()
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        raise IdentifierError(f"UDI-DI {di!r}: a GTIN of 8, 12, 13 or 14 digits is required")
    value = value.zfill(14)
    check_check_digit(value, name="UDI-DI (GTIN)")
    return value


def _pairs_from_link(text: str) -> tuple[tuple[str, str], ...]:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(text)
    segments = [s for s in parts.path.split("/") if s]
    pairs: list[tuple[str, str]] = []
    try:
        start = segments.index("01")
    except ValueError:
        raise IdentifierError(f"UDI {text!r}: a GS1 Digital Link UDI has /01/<GTIN> in its path") from None
    path = segments[start:]
    if len(path) % 2:
        raise IdentifierError(f"UDI {text!r}: the Digital Link path has an AI without a value")
    for i in range(0, len(path), 2):
        pairs.append((path[i], unquote(path[i + 1])))
    for item in parts.query.split("&") if parts.query else ():
        ai, _sep, value = item.partition("=")
        pairs.append((ai, unquote(value)))
    return tuple(pairs)


def parse_udi(text: str) -> UDI:
    """Read a GS1 UDI from element strings (bracketed or as scanned) or a Digital Link URI."""
    if not isinstance(text, str) or not text.strip():
        raise IdentifierError("a UDI is required")
    data = text.strip()
    if data.lower().startswith(("http://", "https://")):
        pairs = _pairs_from_link(data)
        from .ai_table import check_ai_value

        for ai, value in pairs:
            if ai in UDI_AIS:
                check_ai_value(ai, value)
    else:
        pairs = parse_element_strings(data)
    seen: dict[str, str] = {}
    for ai, value in pairs:
        if ai not in UDI_AIS:
            raise IdentifierError(
                f"UDI {text!r}: AI ({ai}) is not part of a GS1 UDI; a UDI has (01) and (11), (17), (10), (21)"
            )
        if ai in seen:
            raise IdentifierError(f"UDI {text!r}: AI ({ai}) occurs twice")
        seen[ai] = value
    if "01" not in seen:
        raise IdentifierError(f"UDI {text!r}: the device identifier (01) is missing")
    di = parse_udi_di(seen["01"])
    if not any(ai in seen for ai in PI_AIS):
        raise IdentifierError(
            f"UDI {text!r}: no production identifier; a UDI-PI has one or more of (11) production date, "
            "(17) expiry date, (10) lot, (21) serial"
        )
    production = gs1_date(seen["11"]) if "11" in seen else None
    expiry = gs1_date(seen["17"], zero_day=True) if "17" in seen else None
    if production and expiry and expiry < production:
        raise IdentifierError(f"UDI {text!r}: the expiry date (17) is before the production date (11)")
    return UDI(di, production, expiry, seen.get("10"), seen.get("21"))


def format_udi(udi: UDI) -> str:
    """The human-readable form, ``(01)<DI>`` followed by the PI."""
    return f"(01){udi.di}{udi.pi}"
