"""Platform URIs: Chinese codes and TraceHub's own codes standing in EPCIS events like GS1 keys.

EPCIS identifiers are URIs (EPCIS 2.0 §6, §8). Codes without a GS1 key get URIs in the platform's one
documented namespace, ``urn:tracehub:`` (the namespace of :mod:`tracehub.demo.data`, where
``urn:tracehub:doc:<kind>:<number>`` already names official documents):

==============================================  ================================================
``urn:tracehub:code:drug:<20 digits>``          药品追溯码 (a drug sales pack)
``urn:tracehub:code:pesticide:<32 digits>``     农药产品单元识别代码 (a pesticide sales unit)
``urn:tracehub:code:vetdrug:<24 digits>``       兽药产品追溯码 (a veterinary drug sales unit)
``urn:tracehub:code:trace:<22 digits>``         平台追溯码 (an item without a GS1 key)
``urn:tracehub:doc:customs_declaration:<18>``   报关单 (a document, used in bizTransactionList)
``urn:tracehub:doc:liquor_slip:<12 digits>``    酒类流通随附单 (a document)
==============================================  ================================================

The value part is always the plain code (no group separators, upper case), so that the URI itself
is the canonical key: :func:`canonical_platform_uri` turns any accepted spelling (``URN:TRACEHUB:…``,
a grouped trace code) into it, and raises :class:`IdentifierError` when the code inside is malformed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import cn_codes
from .gs1 import IdentifierError

__all__ = ["PLATFORM_URN", "PlatformCode", "canonical_platform_uri", "parse_platform_uri", "platform_uri"]

#: The platform namespace (shared with tracehub.demo.data's ``platform_uri``).
PLATFORM_URN = "urn:tracehub:"

#: kind -> (URI prefix, parser returning the parts, attribute holding the plain code).
_KINDS: dict[str, tuple[str, Callable, str]] = {
    "drug": ("urn:tracehub:code:drug:", cn_codes.parse_drug_trace_code, "code"),
    "pesticide": ("urn:tracehub:code:pesticide:", cn_codes.parse_pesticide_unit_code, "code"),
    "vetdrug": ("urn:tracehub:code:vetdrug:", cn_codes.parse_vet_drug_trace_code, "code"),
    "trace": ("urn:tracehub:code:trace:", cn_codes.parse_platform_trace_code, "code"),
    "customs_declaration": (
        "urn:tracehub:doc:customs_declaration:",
        cn_codes.parse_customs_declaration_number,
        "number",
    ),
    "liquor_slip": ("urn:tracehub:doc:liquor_slip:", cn_codes.parse_liquor_slip_number, "number"),
}
_BY_PREFIX = {prefix: kind for kind, (prefix, _, _) in _KINDS.items()}
KINDS = frozenset(_KINDS)


@dataclass(frozen=True, slots=True)
class PlatformCode:
    """A platform URI read back: its kind, the plain code, and the code's parts."""

    kind: str
    value: str
    uri: str
    parts: object


def platform_uri(kind: str, code: str) -> str:
    """The platform URI of ``code`` (validated) of ``kind`` (drug, pesticide, vetdrug, trace, …)."""
    if kind not in _KINDS:
        raise IdentifierError(f"unknown platform code kind {kind!r}; known: {', '.join(sorted(_KINDS))}")
    prefix, parse, attribute = _KINDS[kind]
    return prefix + getattr(parse(code), attribute)


def parse_platform_uri(uri: str) -> PlatformCode | None:
    """Read a platform URI of one of the coded kinds; None for any other URI (other urn:tracehub
    kinds such as parties and locations included). Raises :class:`IdentifierError` for a coded
    kind whose code is malformed."""
    text = uri.strip()
    if text[:13].lower() != PLATFORM_URN:
        return None
    head, _, value = text.rpartition(":")
    kind = _BY_PREFIX.get(head.lower() + ":")
    if kind is None:
        return None
    prefix, parse, attribute = _KINDS[kind]
    parts = parse(value)
    plain = getattr(parts, attribute)
    return PlatformCode(kind, plain, prefix + plain, parts)


def canonical_platform_uri(uri: str) -> str | None:
    """The canonical spelling of a coded platform URI, or None when ``uri`` is not one."""
    parsed = parse_platform_uri(uri)
    return parsed.uri if parsed is not None else None
