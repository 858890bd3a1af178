"""GS1 keys: check digits, character sets, the Application Identifier subset and canonical keys.

A *canonical key* is the path of a canonical GS1 Digital Link URI without the domain and without the
leading slash: the primary key's AI and value, then the key qualifiers that identify the object, e.g.
``01/09521234567899/21/ABC`` or ``414/9521234567899/254/5``. It is the one form in which TraceHub
stores and matches identifiers, whichever form (EPC URN or Digital Link URI) they arrived in.

Values in a key are written the way the canonical GS1 Digital Link URI writes them: plain text,
except that the characters of GS1 AI encodable character set 82 that cannot stand in a URI path
segment are percent-encoded with upper-case hex digits (``/`` -> ``%2F``, ``%`` -> ``%25`` ...; see
:data:`DL_ESCAPED`). So ``'https://id.gs1.org/' + key`` is exactly the canonical Digital Link URI
that the CBV 2.0 event-hash algorithm (CBV 2.0 §8.9) uses, and a key never has a ``/`` inside a value.

This module is pure Python (no Django) and imports no other TraceHub app.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "CSET39",
    "CSET82",
    "DL_ESCAPED",
    "Gs1Id",
    "IdentifierError",
    "KeyParts",
    "company_prefix_candidates",
    "company_prefix_of",
    "gs1_check_digit",
    "has_valid_check_digit",
    "parse_key",
]


class IdentifierError(ValueError):
    """An identifier claims to be a GS1 key (EPC URN or GS1 Digital Link URI) but is malformed.

    The message says in English precisely what is wrong and where.
    """


# --------------------------------------------------------------------------------------------
# Check digits (GS1 General Specifications §7.9.1, "standard check digit calculation").
# --------------------------------------------------------------------------------------------


def gs1_check_digit(digits_without_check: str) -> str:
    """Return the GS1 mod-10 check digit for ``digits_without_check``.

    Works for every GS1 key with a standard check digit (GTIN-8/12/13/14, GLN, SSCC, GSRN, GSIN,
    GDTI, GCN, GRAI ...): weights 3 and 1 alternate from the rightmost digit (GS1 GS §7.9.1).
    """
    if not digits_without_check or not _is_ascii_digits(digits_without_check):
        raise IdentifierError(
            f"cannot compute a GS1 check digit of {digits_without_check!r}: digits 0-9 are required"
        )
    total = 0
    weight = 3
    for char in reversed(digits_without_check):
        total += (ord(char) - 48) * weight
        weight = 4 - weight  # 3, 1, 3, 1 ...
    return str((10 - total % 10) % 10)


def has_valid_check_digit(digits: str) -> bool:
    """True when ``digits`` (all ASCII digits, at least two) ends with its GS1 mod-10 check digit."""
    if len(digits) < 2 or not _is_ascii_digits(digits):
        return False
    return gs1_check_digit(digits[:-1]) == digits[-1]


def _is_ascii_digits(value: str) -> bool:
    # str.isdigit() accepts non-ASCII digits such as '٣' or '²'; GS1 keys are ASCII only.
    return value.isascii() and value.isdigit()


# --------------------------------------------------------------------------------------------
# Character sets and percent-encoding.
# --------------------------------------------------------------------------------------------

#: GS1 AI encodable character set 82 (GS1 General Specifications §7.11, Figure 7.11-1).
CSET82 = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
#: GS1 AI encodable character set 39 (GS1 GS §7.11, Figure 7.11-2), used by AI 8010 (CPID).
CSET39 = frozenset("#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

#: Characters that the canonical GS1 Digital Link URI percent-encodes inside a value: those of
#: GS1 Digital Link 1.0 Table 7-1 ("! # % & ( ) * + , / :") plus those an EPC URI must already
#: escape (TDS 2.x §6.3: " % & / < > ?). This is the exact set the CBV 2.0 event-hash reference
#: implementation produces (e.g. ``6789%2F%26%25%22%21%3F%28%29``); ``'``, ``;``, ``=``, ``-``, ``.``
#: and ``_`` stay literal (e.g. ``51qIgY%29%3C%26Jp3%2Aj7'SDB``).
DL_ESCAPED = frozenset('!"#%&()*+,/:<>?')
_DL_ENCODE_TABLE = {ord(c): f"%{ord(c):02X}" for c in DL_ESCAPED}

_PCT_RE = re.compile(r"%([0-9A-Fa-f]{2})")
_BAD_PCT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def dl_encode(value: str) -> str:
    """Percent-encode a plain-text value the way the canonical GS1 Digital Link URI writes it."""
    return value.translate(_DL_ENCODE_TABLE)


def percent_decode(value: str, *, what: str) -> str:
    """Decode ``%XX`` escapes (RFC 3986 §2.1) in ``value``; reject broken or non-ASCII escapes."""
    if "%" not in value:
        return value
    if _BAD_PCT_RE.search(value):
        raise IdentifierError(f"{what} {value!r} has a '%' that does not start a %XX percent-escape")

    def _one(match: re.Match[str]) -> str:
        code = int(match.group(1), 16)
        if code > 0x7E or code < 0x21:
            # GS1 character sets are printable ASCII without space (GS1 GS §7.11).
            raise IdentifierError(
                f"{what} {value!r} contains %{match.group(1)}, which is not a character of GS1 AI "
                "encodable character set 82"
            )
        return chr(code)

    return _PCT_RE.sub(_one, value)


def check_cset82(value: str, *, what: str, max_length: int, min_length: int = 1) -> None:
    """Raise unless ``value`` (already decoded) is min..max characters of GS1 character set 82."""
    if len(value) < min_length:
        raise IdentifierError(f"{what} is empty" if min_length == 1 else f"{what} {value!r} is too short")
    if len(value) > max_length:
        raise IdentifierError(
            f"{what} {value!r} is {len(value)} characters long; at most {max_length} allowed"
        )
    for char in value:
        if char not in CSET82:
            raise IdentifierError(
                f"{what} {value!r} contains {char!r}, which is not in GS1 AI encodable character set 82"
            )


def check_cset39(value: str, *, what: str, max_length: int) -> None:
    """Raise unless ``value`` (already decoded) is 1..max characters of GS1 character set 39."""
    if not value:
        raise IdentifierError(f"{what} is empty")
    if len(value) > max_length:
        raise IdentifierError(
            f"{what} {value!r} is {len(value)} characters long; at most {max_length} allowed"
        )
    for char in value:
        if char not in CSET39:
            raise IdentifierError(
                f"{what} {value!r} contains {char!r}, which is not in GS1 AI encodable character set 39 "
                "(digits, upper-case letters, '#', '-', '/')"
            )


def check_digits(value: str, *, what: str, length: int | None = None, max_length: int | None = None) -> None:
    """Raise unless ``value`` is ASCII digits of the given exact or maximum length."""
    if not value or not _is_ascii_digits(value):
        raise IdentifierError(f"{what} {value!r} must consist of digits 0-9")
    if length is not None and len(value) != length:
        raise IdentifierError(f"{what} {value!r} has {len(value)} digits; {length} required")
    if max_length is not None and len(value) > max_length:
        raise IdentifierError(f"{what} {value!r} has {len(value)} digits; at most {max_length} allowed")


def check_check_digit(value: str, *, name: str) -> None:
    """Raise unless the all-digit ``value`` ends with its GS1 check digit."""
    expected = gs1_check_digit(value[:-1])
    if value[-1] != expected:
        raise IdentifierError(f"wrong GS1 check digit in {name} {value}: expected {expected}")


# --------------------------------------------------------------------------------------------
# The AI subset: primary keys, their key qualifiers (GS1 Digital Link URI Syntax, the
# "key qualifiers" column of the GS1 AI table) and the EPC scheme each maps to (TDS 2.x §6-§7).
# --------------------------------------------------------------------------------------------

#: Primary-key AI -> key qualifier AIs in the order GS1 Digital Link requires them.
KEY_QUALIFIERS: dict[str, tuple[str, ...]] = {
    "01": ("22", "10", "21"),  # plus the alternative "235" (TPX), handled on its own
    "00": (),
    "253": (),
    "255": (),
    "401": (),
    "402": (),
    "414": ("254", "7040"),
    "417": ("7040",),
    "8003": (),
    "8004": ("7040",),
    "8006": ("22", "10", "21"),
    "8010": ("8011",),
    "8017": ("8019",),
    "8018": ("8019",),
}
PRIMARY_AIS = frozenset(KEY_QUALIFIERS)
QUALIFIER_AIS = frozenset({"22", "10", "21", "235", "254", "7040", "8011", "8019"})

#: GS1 Digital Link 1.0 short names (still accepted on input by resolvers and by the CBV 2.0
#: hash reference implementation) -> numeric AIs.
SHORT_NAMES: dict[str, str] = {
    "gtin": "01",
    "itip": "8006",
    "cpid": "8010",
    "gln": "414",
    "party": "417",
    "gsrnp": "8017",
    "gsrn": "8018",
    "gcn": "255",
    "sscc": "00",
    "gdti": "253",
    "ginc": "401",
    "gsin": "402",
    "grai": "8003",
    "giai": "8004",
    "cpv": "22",
    "lot": "10",
    "ser": "21",
    "cpsn": "8011",
    "glnx": "254",
    "srin": "8019",
}

_KEY_NAMES = {
    "00": "SSCC",
    "01": "GTIN",
    "253": "GDTI",
    "255": "GCN",
    "401": "GINC",
    "402": "GSIN",
    "414": "GLN",
    "417": "party GLN",
    "8003": "GRAI",
    "8004": "GIAI",
    "8006": "ITIP",
    "8010": "CPID",
    "8017": "GSRN-P",
    "8018": "GSRN",
}
_QUALIFIER_NAMES = {
    "22": "consumer product variant (AI 22)",
    "10": "batch/lot (AI 10)",
    "21": "serial number (AI 21)",
    "235": "third-party controlled serial extension TPX (AI 235)",
    "254": "GLN extension (AI 254)",
    "7040": "GS1 UIC with extension (AI 7040)",
    "8011": "CPID serial number (AI 8011)",
    "8019": "service relation instance number SRIN (AI 8019)",
}

#: The EPC schemes a canonical key can have (TDS 2.x §6.3 plus the class-level forms).
SCHEMES = frozenset(
    {
        "sgtin", "lgtin", "gtin", "sscc", "sgln", "pgln", "grai", "giai", "gsrn", "gsrnp", "gdti",
        "cpi", "sgcn", "ginc", "gsin", "itip", "upui",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Gs1Id:
    """A GS1 key in canonical form.

    ``scheme`` is the EPC TDS scheme name ('sgtin', 'lgtin' for GTIN+lot, 'gtin' for a GTIN alone,
    'sscc', 'sgln', 'pgln', 'grai', 'giai', 'gsrn', 'gsrnp', 'gdti', 'cpi', 'sgcn', 'ginc', 'gsin',
    'itip', 'upui'); ``key`` the canonical key (see the module docstring); ``company_prefix_length``
    the GS1 Company Prefix length when the input told it (EPC URNs), else None; ``is_class`` True
    for class-level keys: GTIN, GTIN+lot, and the pattern forms of GRAI/GDTI/GCN/CPID/ITIP without
    their serial component.
    """

    scheme: str
    key: str
    company_prefix_length: int | None = None
    is_class: bool = False


@dataclass(frozen=True, slots=True)
class KeyParts:
    """A canonical key taken apart: primary AI and value, qualifiers; values decoded to plain text."""

    ai: str
    value: str
    qualifiers: tuple[tuple[str, str], ...]
    scheme: str
    is_class: bool

    def qualifier(self, ai: str) -> str | None:
        """The decoded value of qualifier ``ai``, or None."""
        for q_ai, q_value in self.qualifiers:
            if q_ai == ai:
                return q_value
        return None


def validate_primary(ai: str, value: str) -> str:
    """Validate a decoded primary-key value and return it normalised (GTIN padded to 14 digits)."""
    name = _KEY_NAMES[ai]
    if ai == "01":
        if not _is_ascii_digits(value) or len(value) not in (8, 12, 13, 14):
            raise IdentifierError(f"GTIN {value!r} must have 8, 12, 13 or 14 digits")
        value = value.zfill(14)  # canonical GS1 Digital Link: GTIN-8/12/13 written as GTIN-14
        check_check_digit(value, name="GTIN")
    elif ai in ("00", "8017", "8018"):
        check_digits(value, what=name, length=18)
        check_check_digit(value, name=name)
    elif ai in ("414", "417"):
        check_digits(value, what=name, length=13)
        check_check_digit(value, name=name)
    elif ai == "402":
        check_digits(value, what=name, length=17)
        check_check_digit(value, name=name)
    elif ai == "253":
        check_digits(value[:13], what="GDTI document type", length=13)
        check_check_digit(value[:13], name="GDTI")
        if len(value) > 13:
            check_cset82(value[13:], what="GDTI serial component", max_length=17)
    elif ai == "255":
        check_digits(value[:13], what="GCN coupon reference", length=13)
        check_check_digit(value[:13], name="GCN")
        if len(value) > 13:
            check_digits(value[13:], what="GCN serial component", max_length=12)
    elif ai == "8003":
        check_digits(value[:14], what="GRAI asset type", length=14)
        if value[0] != "0":
            raise IdentifierError(
                f"GRAI {value!r} must start with the digit 0 (AI 8003 is N1 '0' + N13 + X..16)"
            )
        check_check_digit(value[:14], name="GRAI")
        if len(value) > 14:
            check_cset82(value[14:], what="GRAI serial component", max_length=16)
    elif ai in ("8004", "401"):
        check_cset82(value, what=name, max_length=30)
    elif ai == "8006":
        check_digits(value, what="ITIP", length=18)
        check_check_digit(value[:14], name="ITIP GTIN")
    elif ai == "8010":
        check_cset39(value, what="CPID", max_length=30)
    return value


def validate_qualifier(ai: str, value: str) -> None:
    """Validate a decoded key-qualifier value (GS1 GS §3.2 formats)."""
    name = _QUALIFIER_NAMES[ai]
    if ai in ("22", "10", "21", "254"):
        check_cset82(value, what=name, max_length=20)
    elif ai == "235":
        check_cset82(value, what=name, max_length=28)
    elif ai == "8011":
        check_digits(value, what=name, max_length=12)
    elif ai == "8019":
        check_digits(value, what=name, max_length=10)
    elif ai == "7040":
        check_cset82(value, what=name, max_length=4, min_length=4)
        if not value[0].isdigit():
            raise IdentifierError(f"{name} {value!r} must start with a digit")


def build_id(
    ai: str,
    value: str,
    qualifiers: list[tuple[str, str]] | tuple[tuple[str, str], ...],
    *,
    company_prefix_length: int | None,
) -> Gs1Id:
    """Make a :class:`Gs1Id` from validated, decoded parts.

    Reduces the qualifiers to the most fine-grained identification, as the CBV 2.0 event hash
    (§8.9) and GS1 Digital Link canonicalisation do: a consumer product variant (AI 22) is dropped,
    and a batch/lot (AI 10) is dropped when a serial number (AI 21) identifies the instance.
    A GLN extension '0' means "no extension" (TDS 2.x §6.3, SGLN), so it is dropped too.
    """
    kept: dict[str, str] = {}
    for q_ai, q_value in qualifiers:
        kept[q_ai] = q_value
    kept.pop("22", None)
    if "21" in kept:
        kept.pop("10", None)
    if kept.get("254") == "0":
        del kept["254"]
    order = ("235",) if "235" in kept else KEY_QUALIFIERS[ai]
    parts = [ai, dl_encode(value)]
    for q_ai in order:
        if q_ai in kept:
            parts.append(q_ai)
            parts.append(dl_encode(kept[q_ai]))
    scheme, is_class = _scheme_of(ai, value, kept)
    return Gs1Id(
        scheme=scheme, key="/".join(parts), company_prefix_length=company_prefix_length, is_class=is_class
    )


def _scheme_of(ai: str, value: str, qualifiers: dict[str, str]) -> tuple[str, bool]:
    if ai == "01":
        if "21" in qualifiers:
            return "sgtin", False
        if "235" in qualifiers:
            return "upui", False
        if "10" in qualifiers:
            return "lgtin", True
        return "gtin", True
    if ai == "8006":
        return "itip", "21" not in qualifiers
    if ai == "8003":
        return "grai", len(value) == 14
    if ai == "253":
        return "gdti", len(value) == 13
    if ai == "255":
        return "sgcn", len(value) == 13
    if ai == "8010":
        return "cpi", "8011" not in qualifiers
    return _AI_SCHEME[ai], False


_AI_SCHEME = {
    "00": "sscc",
    "414": "sgln",
    "417": "pgln",
    "8004": "giai",
    "8018": "gsrn",
    "8017": "gsrnp",
    "401": "ginc",
    "402": "gsin",
}


def split_key_segments(
    ai: str, raw_value: str, rest: list[str], *, what: str
) -> tuple[str, list[tuple[str, str]]]:
    """Decode and validate a primary key value and its qualifier segments (still percent-encoded).

    ``rest`` alternates qualifier AIs and values. Returns the normalised primary value and the
    decoded qualifiers; raises :class:`IdentifierError` on anything out of place.
    """
    value = validate_primary(ai, percent_decode(raw_value, what=f"{_KEY_NAMES[ai]} in {what}"))
    if len(rest) % 2:
        raise IdentifierError(f"{what}: key qualifier {rest[-1]!r} has no value")
    allowed = KEY_QUALIFIERS[ai]
    if ai == "01":
        allowed = (*allowed, "235")
    qualifiers: list[tuple[str, str]] = []
    position = -1
    for index in range(0, len(rest), 2):
        q_ai = SHORT_NAMES.get(rest[index], rest[index])
        if q_ai not in allowed:
            raise IdentifierError(
                f"{what}: {rest[index]!r} is not a key qualifier of the {_KEY_NAMES[ai]} (AI {ai})"
            )
        if q_ai == "235":
            if qualifiers:
                raise IdentifierError(
                    f"{what}: AI 235 (TPX) cannot be combined with other GTIN key qualifiers"
                )
            new_position = len(allowed)
        else:
            new_position = allowed.index(q_ai)
            if qualifiers and qualifiers[0][0] == "235":
                raise IdentifierError(
                    f"{what}: AI 235 (TPX) cannot be combined with other GTIN key qualifiers"
                )
        if new_position <= position:
            raise IdentifierError(
                f"{what}: key qualifier AI {q_ai} is repeated or out of order; GS1 Digital Link requires "
                f"the order {'/'.join(allowed)}"
            )
        position = new_position
        q_value = percent_decode(rest[index + 1], what=f"{_QUALIFIER_NAMES[q_ai]} in {what}")
        validate_qualifier(q_ai, q_value)
        qualifiers.append((q_ai, q_value))
    return value, qualifiers


@lru_cache(maxsize=65536)
def parse_key(key: str) -> KeyParts:
    """Take a canonical key apart (cached: keys repeat a lot in query output).

    Raises :class:`IdentifierError` when ``key`` is not a canonical GS1 key.
    """
    segments = key.split("/")
    ai = segments[0]
    if ai not in PRIMARY_AIS or len(segments) < 2:
        raise IdentifierError(
            f"{key!r} is not a canonical GS1 key (expected e.g. '01/09521234567899/21/ABC')"
        )
    value, qualifiers = split_key_segments(ai, segments[1], segments[2:], what=f"key {key!r}")
    gs1_id = build_id(ai, value, qualifiers, company_prefix_length=None)
    if gs1_id.key != key:
        raise IdentifierError(f"{key!r} is not a canonical GS1 key; the canonical form is {gs1_id.key!r}")
    return KeyParts(
        ai=ai, value=value, qualifiers=tuple(qualifiers), scheme=gs1_id.scheme, is_class=gs1_id.is_class
    )


# --------------------------------------------------------------------------------------------
# GS1 Company Prefix helpers (the registry knows the lengths; this module only does the arithmetic).
# --------------------------------------------------------------------------------------------

#: Where the GS1 Company Prefix starts inside the primary key value (TDS 2.x §7: the GTIN's and
#: SSCC's first digit is the indicator / extension digit, the GRAI's is the padding '0').
_PREFIX_OFFSET = {"01": 1, "00": 1, "8003": 1, "8006": 1}


def company_prefix_of(key: str, company_prefix_length: int) -> str:
    """The GS1 Company Prefix inside canonical ``key``, given its length (6-12 digits)."""
    check_prefix_length(company_prefix_length)
    parts = parse_key(key)
    offset = _PREFIX_OFFSET.get(parts.ai, 0)
    prefix = parts.value[offset : offset + company_prefix_length]
    if len(prefix) != company_prefix_length or not _is_ascii_digits(prefix):
        raise IdentifierError(
            f"key {key!r} does not start with a {company_prefix_length}-digit GS1 Company Prefix"
        )
    if parts.ai in ("8004", "401", "8010") and len(parts.value) <= company_prefix_length:
        # GIAI, GINC and CPID need a reference after the prefix (TDS 2.x §6.3).
        raise IdentifierError(f"key {key!r} has nothing after a {company_prefix_length}-digit company prefix")
    return prefix


def company_prefix_candidates(key: str) -> tuple[str, ...]:
    """Every possible GS1 Company Prefix of ``key``, longest first (12 down to 6 digits).

    Callers look these up in the registry of company prefixes to learn the real prefix length.
    """
    candidates = []
    for length in range(12, 5, -1):
        try:
            candidates.append(company_prefix_of(key, length))
        except IdentifierError:
            continue
    return tuple(candidates)


def check_prefix_length(company_prefix_length: int) -> None:
    """GS1 Company Prefixes have 6 to 12 digits (TDS 2.x §7)."""
    if not isinstance(company_prefix_length, int) or not 6 <= company_prefix_length <= 12:
        raise IdentifierError(
            f"GS1 Company Prefix length {company_prefix_length!r} is impossible; it must be 6 to 12 digits"
        )
