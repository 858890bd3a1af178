"""What a consumer scanned or typed, read into one :class:`CodeRef` (pure code over ``identifiers``).

Accepted: GS1 Digital Link URIs on any host (uncompressed, partially or fully compressed, with or
without data attributes and other query parameters), platform code links (``https://…/t/{code}``, the
URL on a platform code's QR label; only the code is read, never the host), resolver paths
(``/01/…/10/…/21/…``, ``/t/…``),
GS1 element strings (``(01)…(21)…`` or barcode data), EPC URNs, platform URIs
(``urn:tracehub:code:…``), the plain Chinese codes (20-digit drug trace code, 22-digit platform
trace code, 24-digit veterinary drug code, 32-digit pesticide code) and bare GTINs.
Everything malformed raises :class:`tracehub.identifiers.IdentifierError` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from tracehub.identifiers import (
    IdentifierError,
    element_strings_to_digital_link,
    epc_urn_to_digital_link,
    parse_element_strings,
    parse_identifier,
    parse_platform_uri,
    platform_uri,
    read_digital_link,
    validate_gtin,
)

#: The primary keys the resolver answers (DESIGN.md §4): trade items, logistic units, parties and
#: locations, returnable assets.
HELD_PRIMARY_AIS = frozenset({"01", "00", "414", "8004"})

#: Plain Chinese codes by their length in digits.
PLAIN_CODE_KINDS = {20: "drug", 22: "trace", 24: "vetdrug", 32: "pesticide"}

#: The stem the resolver reads paths under (the host does not matter to the key).
_STEM = "https://id.gs1.org"


@dataclass(frozen=True)
class CodeRef:
    """A code to look up: its canonical key, what it is, and the parts shown on the page."""

    key: str  # the canonical key the event index uses
    kind: str  # serial, lot, product, sscc, gln, grai, platform
    path: str  # this resolver's canonical path: /01/…/10/…/21/… or /t/…
    gtin: str = ""
    lot: str = ""
    serial: str = ""
    platform_kind: str = ""
    attributes: tuple[tuple[str, str], ...] = field(default=())

    @property
    def gtin_key(self) -> str:
        return f"01/{self.gtin}" if self.gtin else ""

    @property
    def lot_key(self) -> str:
        return f"01/{self.gtin}/10/{self.lot}" if self.gtin and self.lot else ""

    @property
    def digital_link(self) -> str:
        """The canonical GS1 Digital Link (on id.gs1.org) of a GS1 code; "" for platform codes."""
        return f"{_STEM}{self.path}" if self.kind != "platform" else ""

    @property
    def display(self) -> str:
        """The code as a person reads it: element strings, or the plain platform code."""
        if self.kind == "platform":
            return self.path.rsplit("/", 1)[-1]
        parts = self.path.strip("/").split("/")
        return "".join(f"({ai}){value}" for ai, value in zip(parts[::2], parts[1::2], strict=False))


def _from_pairs(primary: tuple[str, str], qualifiers, attributes=()) -> CodeRef:
    ai, value = primary
    if ai not in HELD_PRIMARY_AIS:
        raise IdentifierError(f"this resolver holds no codes of GS1 key ({ai})")
    segments = [ai, value, *(part for pair in qualifiers for part in pair)]
    path = "/" + "/".join(quote(s, safe="") for s in segments)
    parsed = parse_identifier(_STEM + path)
    if parsed is None:
        raise IdentifierError(f"{path} carries no GS1 key")
    qualifier = dict(qualifiers)
    if ai == "01":
        serial = qualifier.get("21", "")
        lot = qualifier.get("10", "")
        kind = "serial" if serial else "lot" if lot else "product"
        key = parsed.key if serial or not lot else f"01/{value}/10/{lot}"
        return CodeRef(
            key=key, kind=kind, path=path, gtin=value, lot=lot, serial=serial, attributes=tuple(attributes)
        )
    kind = {"00": "sscc", "414": "gln", "8004": "grai"}[ai]
    return CodeRef(key=parsed.key, kind=kind, path=path, attributes=tuple(attributes))


def from_digital_link(uri: str) -> CodeRef:
    """Any GS1 Digital Link URI (compressed or not, any host, any query) -> CodeRef."""
    link = read_digital_link(uri)
    return _from_pairs(link.primary, link.qualifiers, link.attributes)


def from_resolver_path(path: str, query: str = "") -> CodeRef:
    """A path this resolver answers (``/01/…``, ``/ARHK…`` compressed), with its query string."""
    uri = _STEM + "/" + path.lstrip("/")
    if query:
        uri += "?" + query
    return from_digital_link(uri)


def from_platform_code(code: str) -> CodeRef:
    """A plain Chinese code or a platform URI -> CodeRef (``/t/{code}``)."""
    text = code.strip()
    if text[:13].lower() == "urn:tracehub:":
        parsed = parse_platform_uri(text)
        if parsed is None or parsed.kind not in PLAIN_CODE_KINDS.values():
            raise IdentifierError(f"{text!r} is not a product code of the platform")
        return CodeRef(key=parsed.uri, kind="platform", path=f"/t/{parsed.value}", platform_kind=parsed.kind)
    plain = "".join(ch for ch in text if ch not in " -")
    kind = PLAIN_CODE_KINDS.get(len(plain))
    if kind is None or not plain.isdigit():
        raise IdentifierError(
            f"{text!r} is not a platform code: expected 20 (drug), 22 (platform trace code), "
            "24 (veterinary drug) or 32 (pesticide) digits"
        )
    uri = platform_uri(kind, plain)
    value = uri.rsplit(":", 1)[-1]
    return CodeRef(key=uri, kind="platform", path=f"/t/{value}", platform_kind=kind)


def from_text(text: str) -> CodeRef:
    """Whatever a person typed in the search box -> CodeRef; IdentifierError saying why not."""
    value = text.strip()
    if not value:
        raise IdentifierError("no code given")
    if len(value) > 500:
        raise IdentifierError("the code is too long")
    lowered = value[:13].lower()
    if lowered.startswith(("http://", "https://")):
        path = urlsplit(value).path
        if path.startswith("/t/"):  # the link of a platform code's QR label, on any host
            return from_platform_code(unquote(path[3:]))
        return from_digital_link(value)
    if value.startswith("/"):
        path, _, query = value.partition("?")
        if path.startswith("/t/"):
            return from_platform_code(path[3:])
        return from_resolver_path(path, query)
    if lowered.startswith("urn:epc:"):
        return from_digital_link(epc_urn_to_digital_link(value))
    if lowered == "urn:tracehub:":
        return from_platform_code(value)
    compact = "".join(ch for ch in value if ch not in " -")
    if compact.isdigit() and len(compact) in (8, 12, 13, 14):
        gtin = validate_gtin(compact)
        return _from_pairs(("01", gtin.zfill(14)), ())
    if compact.isdigit() and len(compact) in PLAIN_CODE_KINDS and not compact.startswith(("01", "00")):
        return from_platform_code(compact)
    if value.startswith("(") or compact.isdigit() or compact[:2] in ("01", "00", "41", "80"):
        pairs = parse_element_strings(value.replace(" ", ""))
        return from_digital_link(element_strings_to_digital_link_pairs(pairs))
    if compact.isdigit() and len(compact) in PLAIN_CODE_KINDS:
        return from_platform_code(compact)
    raise IdentifierError(f"{value!r} is not a code this platform knows")


def element_strings_to_digital_link_pairs(pairs) -> str:
    from tracehub.identifiers import format_element_strings

    return element_strings_to_digital_link(format_element_strings(pairs))
