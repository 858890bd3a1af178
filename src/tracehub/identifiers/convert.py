"""One entry point for every identifier form: EPC URN or GS1 Digital Link in, canonical key out.

EPCIS 2.0 §8 lets an identifier arrive as an EPC URI or as a GS1 Digital Link URI; TraceHub stores
and matches the canonical GS1 key (see :mod:`tracehub.identifiers.gs1`) and writes identifiers back as
EPC URIs when the company-prefix length is known, else as Digital Link URIs (DESIGN §3). URIs that
carry no GS1 key (``urn:epc:id:bic:…``, ``urn:uuid:…``, ordinary web URIs) are their own key.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import lru_cache

from .digital_link import CANONICAL_BASE, parse_digital_link, to_digital_link
from .epc import parse_epc_urn, to_epc_urn
from .gs1 import Gs1Id, IdentifierError, company_prefix_candidates, parse_key
from .platform import canonical_platform_uri

__all__ = [
    "canonical_key",
    "digital_link_to_epc_urn",
    "epc_urn_to_digital_link",
    "format_identifier",
    "instance_class_key",
    "parse_identifier",
    "prefix_length_lookup",
    "to_canonical_digital_link",
]


def parse_identifier(uri: str) -> Gs1Id | None:
    """Read any GS1 identifier form into a :class:`Gs1Id`; None when ``uri`` carries no GS1 key.

    Accepts EPC pure-identity URIs, ``urn:epc:class:lgtin:…``, EPC pattern URIs whose last
    component is ``*`` (class-level keys such as ``urn:epc:idpat:sgtin:CP.IR.*`` -> GTIN) and
    GS1 Digital Link URIs on any domain. Raises :class:`IdentifierError` (a ``ValueError``) for
    something that claims to be a GS1 key but is malformed. Surrounding white space is ignored.
    Results are cached (identifiers recur from event to event); very long strings are not, so that a
    flood of them cannot fill the memory.
    """
    if len(uri) <= _CACHED_LENGTH:
        return _parse_cached(uri)
    return _parse(uri)


#: GS1 keys are short: the longest EPC URI is far below this (a GIAI of 30 characters, escaped).
_CACHED_LENGTH = 512


@lru_cache(maxsize=65536)
def _parse_cached(uri: str) -> Gs1Id | None:
    return _parse(uri)


def _parse(uri: str) -> Gs1Id | None:
    text = uri.strip()
    head = text[:4].lower()
    if head == "urn:":
        return parse_epc_urn(text)
    if head == "http":
        return parse_digital_link(text)
    return None


def canonical_key(uri: str) -> str:
    """The canonical GS1 key of ``uri``, or the (stripped) URI itself when it carries no GS1 key.

    Platform URIs of coded kinds (``urn:tracehub:code:…``, :mod:`tracehub.identifiers.platform`) are
    checked and written in their canonical spelling, which is the URI ``platform_uri`` builds; a
    malformed code in one raises :class:`IdentifierError` like a malformed GS1 key.
    """
    gs1_id = parse_identifier(uri)
    if gs1_id is not None:
        return gs1_id.key
    text = uri.strip()
    if text[:13].lower() == "urn:tracehub:":
        return canonical_platform_uri(text) or text
    return text


def to_canonical_digital_link(uri: str) -> str:
    """The identifier as the CBV 2.0 event hash writes it (CBV 2.0 §8.9, canonicalisation step).

    GS1 keys become ``https://id.gs1.org/{key}`` (EPC class and ``*``-terminated pattern URIs
    included, e.g. ``urn:epc:idpat:sgtin:4012345.012345.*`` -> ``https://id.gs1.org/01/04012345123456``;
    an SGLN extension ``0`` disappears); any other URI is returned unchanged.
    """
    gs1_id = parse_identifier(uri)
    return f"{CANONICAL_BASE}/{gs1_id.key}" if gs1_id is not None else uri


def format_identifier(key: str, company_prefix_length: int | None, base: str = CANONICAL_BASE) -> str:
    """Write a stored key for output: EPC URI when the prefix length is known, else Digital Link.

    Keys that are not GS1 keys (they are the URIs themselves) come back unchanged, and so does a
    GS1 key with no EPC URI form or whose prefix length does not fit: it is written as a Digital
    Link URI. Cached, so it costs a dictionary look-up per identifier in query output.
    """
    if len(key) <= _CACHED_LENGTH:
        return _format_cached(key, company_prefix_length, base)
    return _format(key, company_prefix_length, base)


@lru_cache(maxsize=131072)
def _format_cached(key: str, company_prefix_length: int | None, base: str) -> str:
    return _format(key, company_prefix_length, base)


def _format(key: str, company_prefix_length: int | None, base: str) -> str:
    if not key or not key[0].isdigit() or ":" in key:
        return key  # a URI (canonical keys start with an AI and never contain ':')
    if company_prefix_length is not None:
        try:
            return to_epc_urn(key, company_prefix_length)
        except IdentifierError:
            pass
    try:
        return to_digital_link(key, base)
    except IdentifierError:
        return key


def instance_class_key(key: str) -> str | None:
    """For an SGTIN key (``01/{GTIN}/21/{serial}``) the GTIN class key ``01/{GTIN}``, else None."""
    if not key.startswith("01/") or "/21/" not in key:
        return None
    try:
        parts = parse_key(key)
    except IdentifierError:
        return None
    return f"01/{parts.value}" if parts.scheme == "sgtin" else None


def prefix_length_lookup(prefixes: Collection[str]) -> Callable[[str], int | None]:
    """A look-up for :func:`digital_link_to_epc_urn` over a collection of GS1 Company Prefixes.

    The returned callable takes a canonical key and answers the length of the registered prefix
    it starts with (the longest, GS1 Company Prefixes being prefix-free by allocation), or None.
    """
    registered = frozenset(prefixes)

    def lookup(key: str) -> int | None:
        for candidate in company_prefix_candidates(key):
            if candidate in registered:
                return len(candidate)
        return None

    return lookup


def digital_link_to_epc_urn(uri: str, prefix_length_of: Callable[[str], int | None]) -> str:
    """The EPC URI of a GS1 Digital Link, with the company-prefix length from ``prefix_length_of``.

    ``prefix_length_of`` is handed the canonical key (``01/09521234567899/21/ABC``) and answers the
    GS1 Company Prefix length registered for it, or None (the registry knows; DESIGN §2 keeps that
    knowledge out of this package; :func:`prefix_length_lookup` builds one from a set of prefixes).
    Compressed Digital Links are decompressed first. An EPC URI passes through (its length is in it).
    Raises :class:`IdentifierError` when the URI carries no GS1 key, when the key has no EPC form, or
    ``company prefix length unknown for …`` when the look-up does not know the prefix.
    """
    gs1_id = parse_identifier(uri)
    if gs1_id is None and uri.strip()[:4].lower() == "http":
        from .dl_uri import read_digital_link

        gs1_id = parse_identifier(read_digital_link(uri).uri())
    if gs1_id is None:
        raise IdentifierError(f"{uri!r} carries no GS1 key, so it has no EPC URI")
    length = gs1_id.company_prefix_length
    if length is None:
        length = prefix_length_of(gs1_id.key)
    if length is None:
        raise IdentifierError(
            f"company prefix length unknown for {gs1_id.key} (from {uri!r}): no registered GS1 Company "
            "Prefix matches it, so its EPC URI cannot be written; use the Digital Link instead"
        )
    return to_epc_urn(gs1_id.key, length)


def epc_urn_to_digital_link(urn: str, base: str = CANONICAL_BASE) -> str:
    """The GS1 Digital Link URI of an EPC URI (pure identity, class or ``*`` pattern of one key)."""
    gs1_id = parse_identifier(urn)
    if gs1_id is None:
        raise IdentifierError(f"{urn!r} is not an EPC URI of a GS1 key")
    return to_digital_link(gs1_id.key, base)
