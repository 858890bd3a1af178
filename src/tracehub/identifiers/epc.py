"""EPC URIs (GS1 EPC Tag Data Standard 2.x) <-> canonical GS1 keys.

Covers the pure-identity EPC URIs of every GS1 scheme (TDS 2.x §6.3: sgtin, sscc, sgln, grai, giai,
gsrn, gsrnp, gdti, cpi, sgcn, ginc, gsin, itip, upui, pgln), the EPC Class URI ``urn:epc:class:lgtin``
(TDS 2.x §6, EPC Class URI) and EPC Pure Identity Pattern URIs ``urn:epc:idpat:…`` (TDS 2.x §8), both for
reading single keys and for turning query patterns into SQL LIKE patterns over canonical keys.

EPC URIs carry a GS1 key split at the GS1 Company Prefix, without check digit; the conversion to a
GS1 key moves the SGTIN's indicator digit (the first digit of the item reference) and the SSCC's
extension digit to the front, and computes the check digit (TDS 2.x §7, "Correspondence between EPCs
and GS1 keys"). Values are percent-escaped in URNs (TDS 2.x §6.3, GS3A3 components: ``"`` ``%``
``&`` ``/`` ``<`` ``>`` ``?`` must be written %22 %25 %26 %2F %3C %3E %3F; in a CPI also ``#`` as %23).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from .gs1 import (
    Gs1Id,
    IdentifierError,
    build_id,
    check_cset39,
    check_cset82,
    check_prefix_length,
    gs1_check_digit,
    parse_key,
    percent_decode,
)

__all__ = ["key_like_pattern", "parse_epc_urn", "to_epc_urn"]

#: Characters that must not appear literally inside an EPC URI component (TDS 2.x §6.3, escaping in
#: GS3A3 components): they are written as percent-escapes.
_URN_MUST_ESCAPE = frozenset('"&/<>?#')
_URN_ENCODE_TABLE = {ord(c): f"%{ord(c):02X}" for c in '"%&/<>?'}
_CPI_ENCODE_TABLE = {ord("#"): "%23", ord("/"): "%2F"}

#: The GS1 EPC schemes (TDS 2.x §6.3) with their number of dot-separated components.
#: A component count different from this one is a malformed GS1 EPC URI, never "some other URI".
_FIELD_COUNTS = {
    "sgtin": 3, "sscc": 2, "sgln": 3, "grai": 3, "giai": 2, "gsrn": 2, "gsrnp": 2, "gdti": 3,
    "cpi": 3, "sgcn": 3, "ginc": 2, "gsin": 2, "itip": 5, "upui": 3, "pgln": 2,
}  # fmt: skip
_FIELD_NAMES = {
    "sgtin": "CompanyPrefix.IndicatorAndItemReference.SerialNumber",
    "sscc": "CompanyPrefix.ExtensionAndSerialReference",
    "sgln": "CompanyPrefix.LocationReference.Extension",
    "grai": "CompanyPrefix.AssetType.SerialNumber",
    "giai": "CompanyPrefix.IndividualAssetReference",
    "gsrn": "CompanyPrefix.ServiceReference",
    "gsrnp": "CompanyPrefix.ServiceReference",
    "gdti": "CompanyPrefix.DocumentType.SerialNumber",
    "cpi": "CompanyPrefix.ComponentPartReference.SerialNumber",
    "sgcn": "CompanyPrefix.CouponReference.SerialNumber",
    "ginc": "CompanyPrefix.ConsignmentReference",
    "gsin": "CompanyPrefix.ShipperReference",
    "itip": "CompanyPrefix.IndicatorAndItemReference.Piece.Total.SerialNumber",
    "upui": "CompanyPrefix.IndicatorAndItemReference.TPX",
    "pgln": "CompanyPrefix.PartyReference",
    "lgtin": "CompanyPrefix.IndicatorAndItemReference.Lot",
}
#: Pattern URIs whose last component alone is '*' name a class-level GS1 key that the CBV 2.0 event
#: hash (§8.9) writes as a Digital Link URI (e.g. idpat:sgtin:CP.IR.* -> /01/{GTIN}); patterns of
#: other schemes name no single key.
_CLASS_PATTERN_SCHEMES = frozenset({"sgtin", "grai", "gdti", "sgcn", "cpi", "itip", "upui"})

_Parts = tuple[str, str, list[tuple[str, str]]]


# --------------------------------------------------------------------------------------------
# Component validation.
# --------------------------------------------------------------------------------------------


def _prefix(field: str, scheme: str) -> str:
    if not (field.isascii() and field.isdigit()) or not 6 <= len(field) <= 12:
        raise IdentifierError(
            f"GS1 Company Prefix {field!r} in an EPC {scheme} URI must be 6 to 12 digits (TDS 2.x §7)"
        )
    return field


def _numbered(prefix: str, reference: str, total: int, scheme: str, label: str) -> str:
    """Company prefix + a numeric reference that together have ``total`` digits (TDS 2.x §6.3)."""
    if reference and not (reference.isascii() and reference.isdigit()):
        raise IdentifierError(f"{label} {reference!r} in an EPC {scheme} URI must consist of digits 0-9")
    if len(prefix) + len(reference) != total:
        raise IdentifierError(
            f"in an EPC {scheme} URI the company prefix {prefix} ({len(prefix)} digits) and the {label} "
            f"{reference!r} ({len(reference)} digits) must total {total} digits"
        )
    return prefix + reference


def _text(raw: str, *, scheme: str, label: str, max_length: int) -> str:
    """Decode a GS3A3 component of an EPC URI (TDS 2.x §6.3) and check it against character set 82."""
    for char in raw:
        if char in _URN_MUST_ESCAPE:
            raise IdentifierError(
                f"{label} {raw!r} in an EPC {scheme} URI contains {char!r}, which an EPC URI must "
                f"percent-encode as %{ord(char):02X} (TDS 2.x §6.3)"
                if char != "#"
                else f"{label} {raw!r} in an EPC {scheme} URI contains '#', which is not in GS1 AI "
                "encodable character set 82"
            )
    value = percent_decode(raw, what=f"{label} in EPC {scheme} URI")
    check_cset82(value, what=f"{label} in EPC {scheme} URI", max_length=max_length)
    return value


@lru_cache(maxsize=8192)
def _gtin(prefix: str, item: str, scheme: str) -> str:
    # TDS 2.x §7 (SGTIN): GTIN-14 = indicator digit (first digit of the item reference) + company prefix
    # + rest of the item reference + check digit.
    _numbered(prefix, item, 13, scheme, "indicator and item reference")
    body = item[0] + prefix + item[1:]
    return body + gs1_check_digit(body)


def _check_digits(
    raw: str, *, scheme: str, label: str, length: int | None = None, max_length: int = 12
) -> str:
    if not raw or not (raw.isascii() and raw.isdigit()):
        raise IdentifierError(f"{label} {raw!r} in an EPC {scheme} URI must consist of digits 0-9")
    if length is not None and len(raw) != length:
        raise IdentifierError(f"{label} {raw!r} in an EPC {scheme} URI must have exactly {length} digits")
    if len(raw) > max_length:
        raise IdentifierError(f"{label} {raw!r} in an EPC {scheme} URI has more than {max_length} digits")
    return raw


# --------------------------------------------------------------------------------------------
# One builder per scheme: components (last one None for a trailing '*') -> (AI, value, qualifiers).
# --------------------------------------------------------------------------------------------


def _sgtin(f: list[str | None], s: str) -> _Parts:
    gtin = _gtin(_prefix(f[0], s), f[1], s)
    if f[2] is None:
        return "01", gtin, []
    return "01", gtin, [("21", _text(f[2], scheme=s, label="serial number", max_length=20))]


def _lgtin(f: list[str | None], s: str) -> _Parts:
    gtin = _gtin(_prefix(f[0], s), f[1], s)
    return "01", gtin, [("10", _text(f[2], scheme=s, label="lot", max_length=20))]


def _upui(f: list[str | None], s: str) -> _Parts:
    gtin = _gtin(_prefix(f[0], s), f[1], s)
    if f[2] is None:
        return "01", gtin, []
    return "01", gtin, [("235", _text(f[2], scheme=s, label="TPX", max_length=28))]


def _sscc(f: list[str | None], s: str) -> _Parts:
    prefix = _prefix(f[0], s)
    _numbered(prefix, f[1], 17, s, "extension digit and serial reference")
    # TDS 2.x §7 (SSCC): SSCC = extension digit + company prefix + serial reference + check digit.
    body = f[1][0] + prefix + f[1][1:]
    return "00", body + gs1_check_digit(body), []


def _gln_like(ai: str, label: str) -> Callable[[list[str | None], str], _Parts]:
    def build(f: list[str | None], s: str) -> _Parts:
        body = _numbered(_prefix(f[0], s), f[1], 12, s, label)
        value = body + gs1_check_digit(body)
        if ai == "414":
            extension = _text(f[2], scheme=s, label="extension", max_length=20)
            # TDS 2.x §6.3 (SGLN): extension '0' means the GLN without extension (dropped in build_id).
            return ai, value, [("254", extension)]
        return ai, value, []

    return build


def _grai(f: list[str | None], s: str) -> _Parts:
    body = "0" + _numbered(_prefix(f[0], s), f[1], 12, s, "asset type")
    value = body + gs1_check_digit(body)  # TDS 2.x §7 (GRAI): AI 8003 = '0' + GRAI-13 (+ serial)
    if f[2] is None:
        return "8003", value, []
    return "8003", value + _text(f[2], scheme=s, label="serial number", max_length=16), []


def _gdti(f: list[str | None], s: str) -> _Parts:
    body = _numbered(_prefix(f[0], s), f[1], 12, s, "document type")
    value = body + gs1_check_digit(body)
    if f[2] is None:
        return "253", value, []
    return "253", value + _text(f[2], scheme=s, label="serial number", max_length=17), []


def _sgcn(f: list[str | None], s: str) -> _Parts:
    body = _numbered(_prefix(f[0], s), f[1], 12, s, "coupon reference")
    value = body + gs1_check_digit(body)
    if f[2] is None:
        return "255", value, []
    return "255", value + _check_digits(f[2], scheme=s, label="serial number", max_length=12), []


def _alnum_after_prefix(ai: str) -> Callable[[list[str | None], str], _Parts]:
    def build(f: list[str | None], s: str) -> _Parts:
        prefix = _prefix(f[0], s)
        label = "individual asset reference" if ai == "8004" else "consignment reference"
        reference = _text(f[1], scheme=s, label=label, max_length=30 - len(prefix))
        return ai, prefix + reference, []

    return build


def _with_check(ai: str, total: int, label: str) -> Callable[[list[str | None], str], _Parts]:
    def build(f: list[str | None], s: str) -> _Parts:
        body = _numbered(_prefix(f[0], s), f[1], total, s, label)
        return ai, body + gs1_check_digit(body), []

    return build


def _cpi(f: list[str | None], s: str) -> _Parts:
    prefix = _prefix(f[0], s)
    raw = f[1]
    for char in raw:
        if char in "/#":
            raise IdentifierError(
                f"component/part reference {raw!r} in an EPC cpi URI contains {char!r}, which an EPC URI "
                f"must percent-encode as %{ord(char):02X} (TDS 2.x §6.3, CPI)"
            )
    reference = percent_decode(raw, what="component/part reference in EPC cpi URI")
    check_cset39(reference, what="component/part reference in EPC cpi URI", max_length=30 - len(prefix))
    if f[2] is None:
        return "8010", prefix + reference, []
    serial = _check_digits(f[2], scheme=s, label="serial number", max_length=12)
    return "8010", prefix + reference, [("8011", serial)]


def _itip(f: list[str | None], s: str) -> _Parts:
    gtin = _gtin(_prefix(f[0], s), f[1], s)
    piece = _check_digits(f[2], scheme=s, label="piece number", length=2)
    total = _check_digits(f[3], scheme=s, label="total count", length=2)
    value = gtin + piece + total  # TDS 2.x §7 (ITIP): AI 8006 = GTIN + piece + total
    if f[4] is None:
        return "8006", value, []
    return "8006", value, [("21", _text(f[4], scheme=s, label="serial number", max_length=20))]


_BUILDERS: dict[str, Callable[[list[str | None], str], _Parts]] = {
    "sgtin": _sgtin,
    "sscc": _sscc,
    "sgln": _gln_like("414", "location reference"),
    "pgln": _gln_like("417", "party reference"),
    "grai": _grai,
    "giai": _alnum_after_prefix("8004"),
    "gsrn": _with_check("8018", 17, "service reference"),
    "gsrnp": _with_check("8017", 17, "service reference"),
    "gdti": _gdti,
    "cpi": _cpi,
    "sgcn": _sgcn,
    "ginc": _alnum_after_prefix("401"),
    "gsin": _with_check("402", 16, "shipper reference"),
    "itip": _itip,
    "upui": _upui,
}


def _split(body: str, scheme: str, kind: str) -> list[str]:
    count = _FIELD_COUNTS[scheme] if scheme != "lgtin" else 3
    # The last component may itself contain '.', which character set 82 allows (TDS 2.x §6.3).
    fields = body.split(".", count - 1)
    if len(fields) != count:
        raise IdentifierError(
            f"an EPC {scheme} {kind} needs {count} dot-separated components "
            f"({_FIELD_NAMES[scheme]}); got {len(fields)} in {body!r}"
        )
    return fields


def _epc_parts(uri: str) -> tuple[str, str, str] | None:
    """Split ``urn:epc:{kind}:{scheme}:{body}``; None unless it is an EPC URI of a GS1 scheme.

    The ``urn:epc:`` prefix is case-insensitive (RFC 8141 §3.1); EPC scheme names are lower case.
    """
    if len(uri) < 8 or uri[:8].lower() != "urn:epc:":
        return None
    kind, sep, rest = uri[8:].partition(":")
    if not sep:
        return None
    scheme, sep, body = rest.partition(":")
    if not sep:
        return None
    kind = kind.lower()
    scheme = scheme.lower()
    if kind in ("id", "idpat") and scheme in _FIELD_COUNTS:
        return kind, scheme, body
    if kind == "class" and scheme == "lgtin":
        return kind, scheme, body
    return None


#: The SGTIN URN most events carry (lower-case prefix, letters and digits only in the serial):
#: nothing in it needs percent-decoding or Digital Link escaping, so its key is written straight
#: away; anything else takes the general path below, which gives the same answer for these too
#: (tests/identifiers/test_epc.py compares them). Capture speed is a product feature (issue #2).
_SIMPLE_SGTIN = re.compile(r"urn:epc:id:sgtin:([0-9]{6,12})\.([0-9]{1,7})\.([0-9A-Za-z]{1,20})\Z")


def parse_epc_urn(uri: str) -> Gs1Id | None:
    """Read an EPC pure-identity, class or pattern URI into a :class:`Gs1Id`.

    Returns None for URNs that are not GS1 EPCs (``urn:epc:id:bic:…``, ``urn:epc:id:gid:…``, other
    URNs) and for patterns that name more than one key (``urn:epc:idpat:sgtin:CP.*.*``,
    ``urn:epc:idpat:sscc:CP.*``); raises :class:`IdentifierError` for a malformed GS1 EPC URI.
    """
    fast = _SIMPLE_SGTIN.match(uri)
    if fast is not None:
        prefix, item, serial = fast.groups()
        if len(prefix) + len(item) == 13:
            return Gs1Id(
                scheme="sgtin",
                key=f"01/{_gtin(prefix, item, 'sgtin')}/21/{serial}",
                company_prefix_length=len(prefix),
                is_class=False,
            )
    parts = _epc_parts(uri)
    if parts is None:
        return None
    kind, scheme, body = parts
    kind_name = {"id": "URI", "idpat": "pattern URI", "class": "class URI"}[kind]
    fields: list[str | None] = list(_split(body, scheme, kind_name))
    if kind == "idpat":
        stars = [index for index, field in enumerate(fields) if field == "*"]
        _check_pattern_shape(fields, stars, scheme)
        if stars:
            if stars[0] > 0:
                _prefix(fields[0] or "", scheme)
            if stars != [len(fields) - 1] or scheme not in _CLASS_PATTERN_SCHEMES:
                return None  # matches many keys: not one identifier (see key_like_pattern)
            fields[-1] = None
    builder = _lgtin if scheme == "lgtin" else _BUILDERS[scheme]
    ai, value, qualifiers = builder(fields, scheme)
    prefix_length = len(fields[0] or "")
    return build_id(ai, value, qualifiers, company_prefix_length=prefix_length)


def _check_pattern_shape(fields: list[str | None], stars: list[int], scheme: str) -> None:
    # TDS 2.x §8: a pattern may replace a *trailing* run of components by '*', nothing else.
    if stars and stars != list(range(stars[0], len(fields))):
        raise IdentifierError(
            f"EPC {scheme} pattern {'.'.join(f or '*' for f in fields)!r} is malformed: only a trailing run "
            "of components may be '*' (TDS 2.x §8)"
        )


# --------------------------------------------------------------------------------------------
# Key -> EPC URI.
# --------------------------------------------------------------------------------------------


def _urn_text(value: str) -> str:
    return value.translate(_URN_ENCODE_TABLE)


def to_epc_urn(key: str, company_prefix_length: int) -> str:
    """The EPC URI of canonical ``key`` whose GS1 Company Prefix has ``company_prefix_length`` digits.

    Instance keys give pure-identity URIs (``urn:epc:id:…``), GTIN+lot gives ``urn:epc:class:lgtin:…``
    and the other class-level keys give pattern URIs (``urn:epc:idpat:sgtin:CP.IR.*`` …), as the CBV
    2.0 event hash reads them. Raises :class:`IdentifierError` when the prefix length is not 6-12,
    does not fit the key, or the key has no EPC form (e.g. an ITIP with a lot).
    """
    parts = parse_key(key)
    check_prefix_length(company_prefix_length)
    length = company_prefix_length
    value = parts.value
    ai = parts.ai
    scheme = parts.scheme
    for extra in ("7040", "8019"):
        if parts.qualifier(extra) is not None:
            raise IdentifierError(f"key {key!r} has AI {extra}, which no EPC URI scheme can express")

    if ai in ("01", "8006"):
        gtin = value[:14]
        prefix = gtin[1 : 1 + length]
        item = gtin[0] + gtin[1 + length : 13]
        head = f"{prefix}.{item}"
        if ai == "8006":
            if parts.qualifier("10") is not None:
                raise IdentifierError(f"key {key!r} (ITIP with lot) has no EPC URI form")
            head = f"{head}.{value[14:16]}.{value[16:18]}"
            serial = parts.qualifier("21")
            if serial is None:
                return f"urn:epc:idpat:itip:{head}.*"
            return f"urn:epc:id:itip:{head}.{_urn_text(serial)}"
        if scheme == "sgtin":
            return f"urn:epc:id:sgtin:{head}.{_urn_text(parts.qualifier('21') or '')}"
        if scheme == "lgtin":
            return f"urn:epc:class:lgtin:{head}.{_urn_text(parts.qualifier('10') or '')}"
        if scheme == "upui":
            return f"urn:epc:id:upui:{head}.{_urn_text(parts.qualifier('235') or '')}"
        return f"urn:epc:idpat:sgtin:{head}.*"
    if ai == "00":
        return f"urn:epc:id:sscc:{value[1 : 1 + length]}.{value[0]}{value[1 + length : 17]}"
    if ai in ("414", "417"):
        head = f"{value[:length]}.{value[length:12]}"
        if ai == "417":
            return f"urn:epc:id:pgln:{head}"
        return f"urn:epc:id:sgln:{head}.{_urn_text(parts.qualifier('254') or '0')}"
    if ai == "8003":
        head = f"{value[1 : 1 + length]}.{value[1 + length : 13]}"
        if len(value) == 14:
            return f"urn:epc:idpat:grai:{head}.*"
        return f"urn:epc:id:grai:{head}.{_urn_text(value[14:])}"
    if ai in ("253", "255"):
        name = "gdti" if ai == "253" else "sgcn"
        head = f"{value[:length]}.{value[length:12]}"
        if len(value) == 13:
            return f"urn:epc:idpat:{name}:{head}.*"
        return f"urn:epc:id:{name}:{head}.{_urn_text(value[13:])}"
    if ai in ("8017", "8018"):
        return f"urn:epc:id:{scheme}:{value[:length]}.{value[length:17]}"
    if ai == "402":
        return f"urn:epc:id:gsin:{value[:length]}.{value[length:16]}"

    # GIAI, GINC and CPID start with the company prefix but have no fixed length (TDS 2.x §7).
    prefix = value[:length]
    reference = value[length:]
    if len(prefix) != length or not (prefix.isascii() and prefix.isdigit()) or not reference:
        raise IdentifierError(
            f"key {key!r} does not start with a {length}-digit GS1 Company Prefix followed by a reference"
        )
    if ai == "8010":
        head = f"{prefix}.{reference.translate(_CPI_ENCODE_TABLE)}"
        serial = parts.qualifier("8011")
        if serial is None:
            return f"urn:epc:idpat:cpi:{head}.*"
        return f"urn:epc:id:cpi:{head}.{serial}"
    return f"urn:epc:id:{scheme}:{prefix}.{_urn_text(reference)}"


# --------------------------------------------------------------------------------------------
# EPCIS query patterns -> SQL LIKE patterns over canonical keys.
# --------------------------------------------------------------------------------------------


def like_escape(text: str) -> str:
    """Escape ``\\``, ``%`` and ``_`` for a SQL LIKE pattern used with ``ESCAPE '\\'``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def key_like_pattern(uri: str) -> str | None:
    """SQL LIKE pattern over canonical keys matching what EPCIS pattern ``uri`` matches.

    For EPC pattern URIs (``urn:epc:idpat:…``, TDS 2.x §8; EPCIS 2.0 §8.2.7.1 MATCH_* parameters)
    and EPC class URIs (``urn:epc:class:lgtin:…``, matched exactly). Returns None for anything else.
    Literal parts are escaped with a backslash, so callers MUST write ``LIKE %s ESCAPE '\\'``, and
    the LIKE must be case-sensitive, since serials differ by case: PostgreSQL's LIKE is, SQLite's is
    not unless ``PRAGMA case_sensitive_like = ON`` (or the comparison is done with GLOB).
    The wildcards stay inside the key structure because canonical keys never carry a literal ``/``
    inside a value (it is written ``%2F``).

    An instance pattern never matches a class key: ``urn:epc:idpat:sgtin:CP.IR.*`` gives
    ``01/{GTIN}/21/%`` (not the GTIN's lgtin keys ``01/{GTIN}/10/…``); GRAI/GDTI/GCN patterns require
    at least one serial character so they do not match the class key of the same asset type.
    """
    parts = _epc_parts(uri)
    if parts is None:
        return None
    kind, scheme, body = parts
    if kind == "class":
        gs1_id = parse_epc_urn(uri)
        return like_escape(gs1_id.key) if gs1_id else None
    if kind != "idpat":
        return None
    fields: list[str | None] = list(_split(body, scheme, "pattern URI"))
    stars = [index for index, field in enumerate(fields) if field == "*"]
    _check_pattern_shape(fields, stars, scheme)
    if not stars:
        gs1_id = parse_epc_urn(uri)
        return like_escape(gs1_id.key) if gs1_id else None
    first = stars[0]
    if first == 0:
        return _ANY_PATTERNS[scheme]
    prefix = _prefix(fields[0] or "", scheme)
    if first == len(fields) - 1 and scheme in _CLASS_PATTERN_SCHEMES:
        # Everything but the serial is given: the class key, then "any serial".
        fields[-1] = None
        ai, value, _ = _BUILDERS[scheme](fields, scheme)
        literal = like_escape(build_id(ai, value, [], company_prefix_length=None).key)
        suffix = {"sgtin": "/21/%", "upui": "/235/%", "itip": "/21/%", "cpi": "/8011/%"}.get(scheme, "_%")
        return literal + suffix
    return _prefix_pattern(scheme, fields, first, prefix)


def _prefix_pattern(scheme: str, fields: list[str | None], first: int, prefix: str) -> str:
    """LIKE pattern for a pattern that fixes the company prefix (and maybe more) of ``scheme``."""
    n = len(prefix)
    if scheme in ("sgtin", "upui"):
        tail = "/21/%" if scheme == "sgtin" else "/235/%"
        return f"01/_{prefix}%{tail}"  # indicator digit, prefix, any item reference, any serial
    if scheme == "itip":
        if first == 1:
            return f"8006/_{prefix}%/21/%"
        gtin = _gtin(prefix, fields[1] or "", scheme)
        if first == 2:
            return f"8006/{gtin}____/21/%"
        piece = _check_digits(fields[2] or "", scheme=scheme, label="piece number", length=2)
        return f"8006/{gtin}{piece}__/21/%"
    if scheme == "sscc":
        return f"00/_{prefix}%"
    if scheme == "sgln":
        if first == 1:
            return f"414/{prefix}%"
        gln = _numbered(prefix, fields[1] or "", 12, scheme, "location reference")
        # The GLN alone (extension '0') and every '/254/{extension}' (TDS 2.x §8).
        return f"414/{gln}{gs1_check_digit(gln)}%"
    if scheme == "grai":
        return f"8003/0{prefix}{'_' * (13 - n)}_%"
    if scheme in ("gdti", "sgcn"):
        ai = "253" if scheme == "gdti" else "255"
        return f"{ai}/{prefix}{'_' * (13 - n)}_%"
    if scheme == "cpi":
        return f"8010/{prefix}%/8011/%"
    ai = {"pgln": "417", "giai": "8004", "gsrn": "8018", "gsrnp": "8017", "ginc": "401", "gsin": "402"}[
        scheme
    ]
    return f"{ai}/{prefix}_%"


_ANY_PATTERNS = {
    "sgtin": "01/%/21/%",
    "upui": "01/%/235/%",
    "itip": "8006/%/21/%",
    "sscc": "00/%",
    "sgln": "414/%",
    "pgln": "417/%",
    "grai": f"8003/{'_' * 14}_%",
    "giai": "8004/%",
    "gsrn": "8018/%",
    "gsrnp": "8017/%",
    "gdti": f"253/{'_' * 13}_%",
    "sgcn": f"255/{'_' * 13}_%",
    "cpi": "8010/%/8011/%",
    "ginc": "401/%",
    "gsin": "402/%",
}
