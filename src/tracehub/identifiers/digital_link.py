"""GS1 Digital Link URIs <-> canonical GS1 keys.

Reads uncompressed GS1 Digital Link URIs (GS1 Digital Link URI Syntax 1.x) on any domain and
under any path prefix: ``https://id.gs1.org/01/09521234567899/21/ABC``,
``https://example.com/some/prefix/01/…?17=261231``. The primary key is found by walking the path
from the right over (AI, value) pairs of key qualifiers until a primary-key AI is reached, which is
how GS1 Digital Link URI Syntax separates the brand's own path prefix from the GS1 part.
Query strings (data attributes) and fragments are not part of the key. Numeric AIs and the
GS1 Digital Link 1.0 short names (``gtin``, ``ser``, ``lot`` …) are both accepted.

A URI on another domain is taken for a GS1 Digital Link only when its primary-key value starts
with four digits (as every GS1 key does: they start with a company prefix or an indicator digit),
so that ``https://example.com/blog/2024/01/15`` stays an ordinary web URI; on ``id.gs1.org``
every path is meant as GS1, so anything malformed there raises :class:`IdentifierError`.
"""

from __future__ import annotations

from .gs1 import (
    PRIMARY_AIS,
    QUALIFIER_AIS,
    SHORT_NAMES,
    Gs1Id,
    IdentifierError,
    build_id,
    parse_key,
    split_key_segments,
)

__all__ = ["CANONICAL_BASE", "parse_digital_link", "to_digital_link"]

#: The canonical resolver (GS1 Digital Link; CBV 2.0 §8.9 writes every GS1 key on it).
CANONICAL_BASE = "https://id.gs1.org"
_GS1_HOST = "id.gs1.org"


def _split_http(uri: str) -> tuple[str, list[str]] | None:
    """``(host, path segments)`` of an http(s) URI without query and fragment, else None."""
    lowered_scheme = uri[:8].lower()
    if lowered_scheme.startswith("https://"):
        rest = uri[8:]
    elif lowered_scheme.startswith("http://"):
        rest = uri[7:]
    else:
        return None
    for stop in ("#", "?"):
        cut = rest.find(stop)
        if cut >= 0:
            rest = rest[:cut]
    authority, _, path = rest.partition("/")
    host = authority.rpartition("@")[2].partition(":")[0].lower()
    segments = path.split("/")
    while segments and segments[-1] == "":
        segments.pop()  # a trailing slash is not a segment
    return host, segments


def _looks_like_key(value: str) -> bool:
    return len(value) >= 4 and value[:4].isascii() and value[:4].isdigit()


def parse_digital_link(uri: str) -> Gs1Id | None:
    """Read a GS1 Digital Link URI into a :class:`Gs1Id` (``company_prefix_length`` is None).

    Returns None for web URIs that carry no GS1 key (and for compressed Digital Link URIs, which
    this platform does not decompress); raises :class:`IdentifierError` when the URI is a GS1
    Digital Link with a malformed key (wrong check digit, wrong length, a character outside set 82,
    qualifiers out of order …).
    """
    split = _split_http(uri)
    if split is None:
        return None
    host, segments = split
    strict = host == _GS1_HOST
    index = len(segments) - 2
    while index >= 0:
        ai = SHORT_NAMES.get(segments[index], segments[index])
        if ai in PRIMARY_AIS:
            if not strict and not _looks_like_key(segments[index + 1]):
                return None
            value, qualifiers = split_key_segments(
                ai, segments[index + 1], segments[index + 2 :], what=f"GS1 Digital Link {uri!r}"
            )
            return build_id(ai, value, qualifiers, company_prefix_length=None)
        if ai not in QUALIFIER_AIS:
            break
        index -= 2
    if strict:
        _explain_failure(uri, segments)
    return None


def _explain_failure(uri: str, segments: list[str]) -> None:
    """On id.gs1.org a path without a well-formed key is an error: say what is wrong."""
    for index, segment in enumerate(segments):
        ai = SHORT_NAMES.get(segment, segment)
        if ai in PRIMARY_AIS and index + 1 < len(segments):
            split_key_segments(
                ai, segments[index + 1], segments[index + 2 :], what=f"GS1 Digital Link {uri!r}"
            )
    if len(segments) == 1 and segments[0] and not segments[0].isdigit():
        return  # a compressed GS1 Digital Link URI (DL compression standard): not decompressed here
    if segments:
        raise IdentifierError(
            f"GS1 Digital Link {uri!r} has no GS1 primary key in its path (expected e.g. /01/{{GTIN}})"
        )


def to_digital_link(key: str, base: str = CANONICAL_BASE) -> str:
    """The GS1 Digital Link URI of canonical ``key`` on ``base`` (default ``https://id.gs1.org``)."""
    parse_key(key)  # validates; cached
    return f"{base.rstrip('/')}/{key}"
