"""Complete GS1 Digital Link URIs: element strings <-> URIs, uncompressed and compressed.

:mod:`tracehub.identifiers.digital_link` reads the *key* of a Digital Link for the event store; this
module reads and writes the whole URI as GS1 Digital Link URI Syntax 1.2 defines it:

* ``{stem}/{primary AI}/{value}[/{qualifier AI}/{value}…][?{attribute AI}={value}&…&{other}={…}]``
  (§4.4-§4.8): the primary key, its key qualifiers in the order of one qualifier path of the ABNF
  (§4.5, e.g. ``/01/…/22/…/10/…/21/…``), GS1 data attributes in the query string, and any other
  (non-GS1) query parameters, which must not have all-numeric names (§4.8);
* the GS1 DL 1.0 short names (``/gtin/…/ser/…``, ``?exp=…``) are read everywhere and written on
  request;
* the *stem* is the URI's scheme, authority and any path prefix in front of the primary key
  (``https://example.com/resolve``), kept as given except that the scheme and host are lower-cased,
  a default port is dropped and so is a trailing slash;
* compression (§8; :mod:`tracehub.identifiers.dl_compression`): *fully compressed*
  ``{stem}/{base64}`` and *partially compressed* ``{stem}/{primary AI}/{value}/{base64}``, where
  the primary key stays readable.

Values are percent-encoded on output where GS1 DL 1.2 §7.1 (Table 7-1) and RFC 3986 require it:
``! " # % & ' ( ) * + , / : ; < = > ?``. GTIN-8/12/13 in a URI are read as the GTIN-14 they stand for
(§4.4). Everything is validated against the AI table; errors are :class:`IdentifierError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .ai_table import AI_TABLE, SHORT_NAME_TO_AI, SHORT_NAMES, check_ai_value
from .dl_compression import compress_pairs, decompress_segment, is_safe64
from .element_strings import format_element_strings, parse_element_strings
from .gs1 import IdentifierError, percent_decode

__all__ = [
    "DigitalLink",
    "build_digital_link",
    "compress_digital_link",
    "decompress_digital_link",
    "digital_link_to_element_strings",
    "element_strings_to_digital_link",
    "read_digital_link",
]

CANONICAL_STEM = "https://id.gs1.org"
_ENCODE = {ord(char): f"%{ord(char):02X}" for char in "!\"#%&'()*+,/:;<=>?"}
#: Characters RFC 3986 allows unencoded in a query (§3.4: pchar / "/" / "?"), besides %XX escapes.
_QUERY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?%")
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-._~%!$&'()*+,;=[]:")
_PATH_CHARS = _QUERY_CHARS - {"?"}

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class DigitalLink:
    """A GS1 Digital Link URI taken apart; values are decoded, GTINs written with 14 digits.

    ``attributes`` are the GS1 data attributes (query string or compressed), ``other`` the non-GS1
    ``key=value`` parameters (raw, still percent-encoded as they came), ``other_query`` query items
    without ``=``, ``form`` one of ``uncompressed``, ``partially compressed``, ``compressed``.
    """

    stem: str
    primary: tuple[str, str]
    qualifiers: Pairs = ()
    attributes: Pairs = ()
    other: Pairs = ()
    other_query: tuple[str, ...] = ()
    fragment: str | None = None
    form: str = "uncompressed"

    @property
    def pairs(self) -> Pairs:
        """Every AI/value pair: primary key, key qualifiers, data attributes."""
        return (self.primary, *self.qualifiers, *self.attributes)

    def element_strings(self, *, brackets: bool = True) -> str:
        """The element strings: primary key, qualifiers in path order, attributes by AI (GS1 GS §4.15)."""
        ordered = (self.primary, *self.qualifiers, *sorted(self.attributes))
        return format_element_strings(ordered, brackets=brackets)

    def uri(
        self,
        *,
        compression: str = "none",
        short_names: bool = False,
        optimise: bool = False,
        compress_other: bool = False,
        stem: str | None = None,
    ) -> str:
        """Write this Digital Link again, with any compression (``none``, ``partial``, ``full``)."""
        return build_digital_link(
            self.pairs,
            stem=stem if stem is not None else self.stem,
            short_names=short_names,
            compression=compression,
            optimise=optimise,
            other=self.other,
            compress_other=compress_other,
            other_query=self.other_query,
            fragment=self.fragment,
        )


# --------------------------------------------------------------------------------------------
# Stems and encoding.
# --------------------------------------------------------------------------------------------


def normalise_stem(stem: str | None) -> str:
    """Check and normalise a URI stem: ``http(s)://host[:port][/path]``, default ports dropped."""
    if stem is None or not stem.strip():
        return CANONICAL_STEM
    text = stem.strip()
    if "://" not in text:
        text = "https://" + text  # a bare host name: GS1 resolvers answer on HTTPS (DL 1.2 §5)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise IdentifierError(
            f"the Digital Link URI stem {stem!r} is invalid (bad authority or port)"
        ) from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in ("http", "https"):
        raise IdentifierError(
            f"the Digital Link URI stem {stem!r} is invalid: the scheme must be http or https"
        )
    if not host or not set(host) <= _HOST_CHARS or parts.query or parts.fragment:
        raise IdentifierError(f"the Digital Link URI stem {stem!r} is invalid: no valid host")
    if not set(parts.path) <= _PATH_CHARS or "//" in parts.path:
        raise IdentifierError(
            f"the Digital Link URI stem {stem!r} is invalid: its path has illegal characters"
        )
    authority = host
    if port is not None and port != (443 if scheme == "https" else 80):
        authority = f"{host}:{port}"
    return f"{scheme}://{authority}{parts.path.rstrip('/')}"


def _encode(value: str) -> str:
    return value.translate(_ENCODE)


def _ai_name(ai: str, short_names: bool) -> str:
    return SHORT_NAMES.get(ai, ai) if short_names else ai


def _normalise_primary(ai: str, value: str) -> str:
    if ai == "01" and len(value) in (8, 12, 13) and value.isascii() and value.isdigit():
        return value.zfill(14)  # GS1 DL 1.2 §4.4: a GTIN-8/12/13 stands for its GTIN-14
    return value


# --------------------------------------------------------------------------------------------
# Building.
# --------------------------------------------------------------------------------------------


def _classify(pairs: Pairs | list[tuple[str, str]]) -> tuple[tuple[str, str], Pairs, Pairs]:
    """Split validated pairs into (primary key, qualifiers in path order, data attributes)."""
    primaries = [(ai, value) for ai, value in pairs if AI_TABLE[ai].role == "I"]
    if len(primaries) != 1:
        found = ", ".join(f"({ai})" for ai, _ in primaries) or "none"
        raise IdentifierError(
            f"a GS1 Digital Link needs exactly one primary key (GS1 DL 1.2 §4.4); found {found}"
        )
    primary_ai, primary_value = primaries[0]
    primary = (primary_ai, _normalise_primary(primary_ai, primary_value))
    paths = AI_TABLE[primary_ai].qualifier_paths
    present = {ai for ai, _ in pairs}
    used = [path for path in paths if present.intersection(path)]
    if len(used) > 1:
        mixed = ", ".join(
            f"({ai})"
            for ai in sorted(
                present.intersection(*map(set, used)) or present.intersection(set().union(*used))
            )
        )
        raise IdentifierError(
            f"invalid sequence of key qualifiers: {mixed} mix qualifier paths of ({primary_ai}); "
            "GS1 DL 1.2 §4.5 allows one of " + " or ".join("/".join(path) or "none" for path in paths)
        )
    path = used[0] if used else ()
    values = dict(pairs)
    qualifiers = tuple((ai, values[ai]) for ai in path if ai in values)
    attributes = tuple((ai, value) for ai, value in pairs if ai != primary_ai and ai not in path)
    return primary, qualifiers, attributes


def _check_other(other: Pairs | list[tuple[str, str]]) -> None:
    for key, value in other:
        if key.isascii() and key.isdigit():
            raise IdentifierError(
                f"'{key}={value}' is invalid: a non-GS1 query parameter must not have an all-numeric name "
                "(GS1 DL 1.2 §4.8)"
            )
        if not key or not set(key) <= _QUERY_CHARS - {"&", "="} or not set(value) <= _QUERY_CHARS - {"&"}:
            raise IdentifierError(
                f"'{key}={value}' is invalid: the parameter contains characters a URI query must "
                "percent-encode (RFC 3986 §3.4)"
            )


def build_digital_link(
    pairs: Pairs | list[tuple[str, str]],
    *,
    stem: str | None = None,
    short_names: bool = False,
    compression: str = "none",
    optimise: bool = False,
    other: Pairs | list[tuple[str, str]] = (),
    compress_other: bool = False,
    other_query: tuple[str, ...] | list[str] | str = (),
    fragment: str | None = None,
) -> str:
    """Write AI/value pairs as a GS1 Digital Link URI.

    ``compression`` is ``none``, ``partial`` (primary key readable) or ``full``; ``optimise`` uses
    the optimisation codes; ``other`` are non-GS1 ``key=value`` parameters, compressed too when
    ``compress_other``; ``other_query`` are query items without ``=``.
    """
    for ai, value in pairs:
        check_ai_value(ai, _normalise_primary(ai, value) if ai == "01" else value)
    if isinstance(other_query, str):
        other_query = tuple(item for item in other_query.split("&") if item)
    # Query items of the form key=value count as non-GS1 parameters; bare items go last.
    other = (*other, *(tuple(item.split("=", 1)) for item in other_query if "=" in item))
    other_query = tuple(item for item in other_query if "=" not in item)
    _check_other(other)
    primary, qualifiers, attributes = _classify(pairs)
    base = normalise_stem(stem)
    query: list[str] = []
    if compression == "none":
        path = "".join(
            f"/{_ai_name(ai, short_names)}/{_encode(value)}" for ai, value in (primary, *qualifiers)
        )
        query.extend(f"{_ai_name(ai, short_names)}={_encode(value)}" for ai, value in attributes)
    elif compression in ("partial", "full"):
        if compression == "partial":
            rest = (*qualifiers, *attributes)
            path = f"/{_ai_name(primary[0], short_names)}/{_encode(primary[1])}"
        else:
            rest = (primary, *qualifiers, *attributes)
            path = ""
        packed_other = tuple(other) if compress_other else ()
        if rest or packed_other:
            path += "/" + compress_pairs(rest, optimise=optimise, other=packed_other)
    else:
        raise ValueError(f"compression must be 'none', 'partial' or 'full', not {compression!r}")
    if compression == "none" or not compress_other:
        query.extend(f"{key}={value}" for key, value in other)
    query.extend(other_query)
    uri = base + path
    if query:
        uri += "?" + "&".join(query)
    if fragment:
        uri += "#" + fragment
    return uri


# --------------------------------------------------------------------------------------------
# Reading.
# --------------------------------------------------------------------------------------------


def _ai_of(segment: str) -> str | None:
    ai = SHORT_NAME_TO_AI.get(segment, segment)
    return ai if ai in AI_TABLE else None


def _is_primary(segment: str) -> bool:
    ai = _ai_of(segment)
    return ai is not None and AI_TABLE[ai].role == "I"


def read_digital_link(uri: str) -> DigitalLink:
    """Read any GS1 Digital Link URI (uncompressed, partially or fully compressed).

    Raises :class:`IdentifierError` saying what is wrong: not an http(s) URI, no primary key,
    a value that breaks its AI's format or check digit, qualifiers out of order, an all-numeric
    non-GS1 parameter, undecodable compressed data.
    """
    text = uri.strip()
    scheme, sep, rest = text.partition("://")
    if not sep or "/" in scheme or not scheme:
        raise IdentifierError(f"{uri!r} is not a URI, so it cannot be a GS1 Digital Link")
    if scheme.lower() not in ("http", "https"):
        raise IdentifierError(
            f"the Digital Link scheme {scheme!r} is not recognised: it must be https or http"
        )
    rest, _, fragment = rest.partition("#")
    rest, _, query = rest.partition("?")
    authority, _, path = rest.partition("/")
    segments = path.split("/") if path else []
    while segments and segments[-1] == "":
        segments.pop()
    index = len(segments) - 2
    primary_index = -1
    while index >= 0:
        ai = _ai_of(segments[index])
        if ai is not None and AI_TABLE[ai].role == "I":
            primary_index = index
            break
        if ai is None or AI_TABLE[ai].role != "Q":
            break
        index -= 2
    path_pairs: list[tuple[str, str]] = []
    compressed: tuple[Pairs, Pairs] = ((), ())
    if primary_index >= 0:
        form = "uncompressed"
        stem_segments = segments[:primary_index]
        for position in range(primary_index, len(segments), 2):
            path_pairs.append(
                (
                    _ai_of(segments[position]) or "",
                    percent_decode(segments[position + 1], what="a path value"),
                )
            )
    elif len(segments) >= 3 and _is_primary(segments[-3]) and is_safe64(segments[-1]):
        ai = _ai_of(segments[-3]) or ""
        form = "partially compressed"
        stem_segments = segments[:-3]
        path_pairs.append((ai, percent_decode(segments[-2], what="a path value")))
        compressed = decompress_segment(segments[-1])
    elif segments and is_safe64(segments[-1]):
        form = "compressed"
        stem_segments = segments[:-1]
        try:
            compressed = decompress_segment(segments[-1])
        except IdentifierError as error:
            raise IdentifierError(
                f"{uri!r} is not a GS1 Digital Link: no primary key in its path, and "
                f"{segments[-1]!r} is not compressed GS1 data ({error})"
            ) from None
    else:
        raise IdentifierError(
            f"{uri!r} is not a GS1 Digital Link: no primary key in its path and no compressed data"
        )
    attributes: list[tuple[str, str]] = []
    other: list[tuple[str, str]] = []
    other_query: list[str] = []
    for item in query.replace(";", "&").split("&") if query else ():
        if not item:
            continue
        key, sep, value = item.partition("=")
        ai = SHORT_NAME_TO_AI.get(key, key)
        if not sep:
            other_query.append(item)
        elif ai in AI_TABLE:
            attributes.append((ai, percent_decode(value, what=f"the value of ({ai})")))
        else:
            other.append((key, value))
    _check_other(other)
    other.extend(compressed[1])
    if form == "uncompressed":
        _check_path_order(uri, [ai for ai, _ in path_pairs])
        all_pairs = [*path_pairs, *attributes]
    else:
        primary_ais = {ai for ai, _ in path_pairs}
        all_pairs = [*path_pairs, *((ai, v) for ai, v in compressed[0] if ai not in primary_ais), *attributes]
    seen: dict[str, str] = {}
    for ai, value in all_pairs:
        if ai in seen:
            raise IdentifierError(f"{uri!r} gives AI ({ai}) twice")
        seen[ai] = value
        check_ai_value(ai, _normalise_primary(ai, value) if ai == "01" else value)
    primary, qualifiers, extra = _classify(all_pairs)
    if form == "uncompressed" and len(qualifiers) != len(path_pairs) - 1:
        raise IdentifierError(f"{uri!r}: a key qualifier in the path does not qualify ({primary[0]})")
    stem = normalise_stem(f"{scheme}://{authority}" + "".join(f"/{s}" for s in stem_segments))
    return DigitalLink(
        stem=stem,
        primary=primary,
        qualifiers=qualifiers,
        attributes=extra,
        other=tuple(other),
        other_query=tuple(other_query),
        fragment=fragment or None,
        form=form,
    )


def _check_path_order(uri: str, ais: list[str]) -> None:
    """Key qualifiers must follow one qualifier path of the primary key, in order (DL 1.2 §4.5)."""
    paths = AI_TABLE[ais[0]].qualifier_paths
    for path in paths:
        position = -1
        for ai in ais[1:]:
            if ai not in path or path.index(ai) <= position:
                break
            position = path.index(ai)
        else:
            return
    allowed = " or ".join("/".join(path) for path in paths if path) or "none"
    raise IdentifierError(
        f"invalid sequence of key qualifiers in {uri!r}: after ({ais[0]}) GS1 DL 1.2 §4.5 allows {allowed}, "
        "each at most once and in that order"
    )


# --------------------------------------------------------------------------------------------
# Conversions.
# --------------------------------------------------------------------------------------------


def element_strings_to_digital_link(
    text: str,
    *,
    stem: str | None = None,
    short_names: bool = False,
    compression: str = "none",
    optimise: bool = False,
    other: Pairs | list[tuple[str, str]] = (),
    compress_other: bool = False,
    fragment: str | None = None,
) -> str:
    """GS1 element strings (bracketed or barcode form) -> GS1 Digital Link URI."""
    return build_digital_link(
        parse_element_strings(text),
        stem=stem,
        short_names=short_names,
        compression=compression,
        optimise=optimise,
        other=other,
        compress_other=compress_other,
        fragment=fragment,
    )


def digital_link_to_element_strings(uri: str, *, brackets: bool = True) -> str:
    """GS1 Digital Link URI (any compression) -> element strings, bracketed or barcode form."""
    return read_digital_link(uri).element_strings(brackets=brackets)


def compress_digital_link(
    uri: str,
    *,
    partial: bool = False,
    short_names: bool = False,
    optimise: bool = False,
    compress_other: bool = False,
) -> str:
    """Compress a GS1 Digital Link fully (or partially: primary key left readable)."""
    link = read_digital_link(uri)
    return link.uri(
        compression="partial" if partial else "full",
        short_names=short_names,
        optimise=optimise,
        compress_other=compress_other,
    )


def decompress_digital_link(uri: str, *, short_names: bool = False) -> str:
    """Decompress a (partially) compressed GS1 Digital Link; an uncompressed one is rewritten as is."""
    return read_digital_link(uri).uri(short_names=short_names)
