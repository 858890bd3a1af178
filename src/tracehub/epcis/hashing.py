"""The CBV 2.0 event hash ID (CBV 2.0 §8.9) of an EPCIS event in TraceHub's internal form.

An event arrives here as EPCIS 2.0 JSON-LD dicts (XML documents are converted to that form first)
together with the namespaces of its document (:func:`tracehub.epcis.jsonld.context_namespaces`).
:func:`event_prehash` builds the canonical pre-hash string of §8.9 and :func:`event_hash` wraps its
SHA-256 digest as ``ni:///sha-256;<hex>?ver=CBV2.0`` (RFC 6920, §8.9 rules 22-24).

The pre-hash string, per §8.9:

* fields in the canonical property order, each ``key=value`` or, for a structure, the key followed
  by its parts, all concatenated without separators (rules 1-4);
* values trimmed (rule 5), numbers without trailing zeros (rules 6-7), times in UTC with ``Z`` at
  millisecond precision, rounded half up (rules 8-9);
* the items of a list, and the parts of one level of a structure, sorted by code point (rules
  10-12), a ``type`` attribute written before the value it qualifies (rule 13);
* CBV values as GS1 Web URIs whatever the spelling: URN (rule 14), CURIE (rule 15), bare JSON-LD
  word (rule 16); EPC URNs and GS1 Digital Link URIs as constrained canonical Digital Link URIs on
  id.gs1.org (rules 17-18), through :func:`tracehub.identifiers.to_canonical_digital_link`;
* ILMD and user extension fields as ``{namespace}local=value``, nested ones the same way, sorted
  (rules 19-20); extensions inside readPoint, bizLocation, sensorElement, sensorMetadata and
  sensorReport at the end of their enclosing field (rule 21).

Choices where the rules leave room, each kept to the standard's own terms:

* standard fields the canonical order does not list are left out: ``recordTime`` (set by the
  capturing repository), ``eventID`` (often the hash itself) and ``errorDeclaration`` (added later
  to the same event); so is ``rdfs:comment``, JSON-LD's counterpart of an XML comment.
  ``certificationInfo`` comes right after ``eventTimeZoneOffset``, where the published vectors and
  other implementations put it;
* bizTransactionList, sourceList and destinationList stand at their places 20-22 of the canonical
  order, before sensorElementList (some published vectors disagree: see tests/epcis/test_hashing.py);
* a CURIE in a field the JSON-LD context types as an IRI is expanded with any prefix the document
  declares (rule 15), so ``ex:x`` and its full IRI hash alike; an untyped extension value is text;
* numbers: typed fields (quantity, sensor values) are written as canonical decimals; an untyped
  value is so written only when it reads as a JSON number, so that JSON ``5.0`` and XML ``5.0``
  agree while codes such as ``007`` keep their zeros; ``stringValue`` stays text;
* a key that is neither a standard field nor a namespaced extension still counts: it is appended
  at the end under the path of its structure, as the reference implementation does.

The hash runs for every captured event: the canonical order is a precomputed table of handlers,
vocabulary spellings are one dictionary look-up, regular expressions are compiled once, and
identifier canonicalisation is cached by the identifiers module. Django-free.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from tracehub.epcis import vocab
from tracehub.epcis.jsonld import context_namespaces, expand_term
from tracehub.identifiers import to_canonical_digital_link

__all__ = ["HASH_ALGORITHM_VERSION", "event_hash", "event_prehash"]

#: The CBV version naming the algorithm in the hash ID (§8.9 rule 24).
HASH_ALGORITHM_VERSION = "CBV2.0"

Namespaces = Mapping[str, str]
#: A handler renders one field: (field name, value, namespaces, leftovers) → its pre-hash part.
Handler = Callable[[str, Any, Namespaces, list[str]], str]

# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------

_HALF_MILLISECOND = timedelta(microseconds=500)
#: Beyond xsd:double's range a numeral is not expanded into digits (it would take unbounded memory).
_MAX_EXPONENT = 400
#: Any decimal numeral (xsd:decimal / xsd:double lexical space, without NaN and INF).
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
#: A numeral as JSON writes numbers: an XML text equal to a JSON number's literal must hash alike.
_JSON_NUMBER_RE = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?\Z")

#: Rule 14: the URN forms of the CBV vocabularies and their Web URI forms.
_CBV_URN_PREFIXES = tuple((v.urn_prefix, v.web_prefix) for v in vocab.URN_VOCABULARIES)
_CBV_URN_START = "urn:epcglobal:cbv:"
#: Values rule 17/18 may rewrite; anything else is not an identifier URI.
_IDENTIFIER_STARTS = ("urn:epc:", "http://", "https://")
#: Values that are absolute IRIs already: no CURIE to expand (the common case, kept fast).
_ABSOLUTE = ("urn:", "http://", "https://")


def _text(value: Any) -> str:
    """A scalar as text: JSON booleans as XML writes them, numbers canonical, strings trimmed."""
    if isinstance(value, str):
        return value.strip()
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, Decimal):
        return _decimal_text(str(value))
    return str(value).strip()


def _float_text(value: float) -> str:
    # Rule 6: no trailing zeros, so 26.0 is "26"; the shortest repr keeps 12.1 as "12.1".
    if value.is_integer():
        return str(int(value))
    if value != value or value in (float("inf"), float("-inf")):
        return repr(value)
    return format(Decimal(repr(value)).normalize(), "f")


@lru_cache(maxsize=4096)
def _decimal_text(numeral: str) -> str:
    """Canonical decimal of a numeral: no exponent, no leading '+', no trailing zeros (rule 6)."""
    try:
        number = Decimal(numeral)
    except InvalidOperation:
        return numeral
    if not number.is_finite() or abs(number.adjusted()) > _MAX_EXPONENT:
        return numeral  # written out it would be enormous (1e999999999): kept as written
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _number(value: Any) -> str:
    """A field typed as a number (quantity, sensor values): any numeral is canonicalised."""
    if isinstance(value, str):
        text = value.strip()
        return _decimal_text(text) if _NUMBER_RE.match(text) else text
    return _text(value)


#: xsd:boolean also allows 1 and 0; JSON only has true and false.
_BOOLEAN_DIGITS = {"1": "true", "0": "false"}


def _boolean(value: Any) -> str:
    text = _text(value)
    return _BOOLEAN_DIGITS.get(text, text)


def _time(value: Any) -> str:
    """Rules 8-9: UTC, 'Z', milliseconds; a fourth decimal of 5 or more rounds up."""
    if value.__class__ is not str:
        return _text(value)
    text = value.strip()
    if len(text) == 24 and text[23] == "Z" and text[19] == "." and text[10] == "T":
        return text  # already UTC at millisecond precision, the common case
    try:
        # Half a millisecond added, then the microseconds cut: rounding half up on the fourth
        # decimal. EPCIS requires an offset; a time without one is read as UTC, never as local time.
        moment = datetime.fromisoformat(text) + _HALF_MILLISECOND
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return text  # not a time: hashed as written (validation refuses it)
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"


def _canonical_uri(uri: str) -> str:
    """Rules 14, 17 and 18 for one URI: CBV URN → Web URI, EPC URN / Digital Link → canonical DL.

    Not cached here: :func:`tracehub.identifiers.parse_identifier` behind the conversion is (LRU),
    and most EPCs are seen once, so a second cache in front of it only costs (measured: 7 %).
    """
    if uri.startswith(_CBV_URN_START):
        for urn_prefix, web_prefix in _CBV_URN_PREFIXES:
            if uri.startswith(urn_prefix):
                return web_prefix + uri[len(urn_prefix) :]
        return uri
    if uri.startswith(_IDENTIFIER_STARTS):
        try:
            return to_canonical_digital_link(uri)
        except ValueError:
            # Not a well-formed GS1 key: it has no canonical form, the value stands as given.
            return uri
    return uri


def _iri(value: Any, ns: Namespaces) -> str:
    """A value the JSON-LD context types as an IRI: CURIE expanded (rule 15), then canonical."""
    if value.__class__ is not str:
        return _text(value)
    text = value.strip()
    if not text.startswith(_ABSOLUTE):
        colon = text.find(":")
        if colon > 0:
            base = ns.get(text[:colon])
            if base is not None and not text.startswith("//", colon + 1):
                text = base + text[colon + 1 :]
    return _canonical_uri(text)


def _literal(value: Any) -> str:
    """An untyped value (extension or ILMD field): XML and JSON-LD spell it alike only as text."""
    if not isinstance(value, str):
        return _text(value)
    text = value.strip()
    if _JSON_NUMBER_RE.match(text):
        return _decimal_text(text)
    if text.startswith(_CBV_URN_START) or text.startswith(_IDENTIFIER_STARTS):
        return _canonical_uri(text)
    return text


def _plain(value: Any) -> str:
    """A string kept as written (trimmed): offsets, actions, units, stringValue, hexBinaryValue."""
    return _text(value)


def _vocabulary(table: dict[str, str]) -> Callable[[Any, Namespaces], str]:
    def render(value: Any, ns: Namespaces) -> str:
        if isinstance(value, str):
            web = table.get(value.strip())
            if web is not None:
                return web
        return _iri(value, ns)

    return render


_biz_step = _vocabulary(vocab.BIZ_STEP.spellings())
_disposition = _vocabulary(vocab.DISPOSITION.spellings())
_biz_transaction_type = _vocabulary(vocab.BIZ_TRANSACTION_TYPE.spellings())
_source_dest_type = _vocabulary(vocab.SOURCE_DEST_TYPE.spellings())
_measurement_type = _vocabulary(vocab.MEASUREMENT_TYPE.spellings())
_sensor_alert_type = _vocabulary(vocab.SENSOR_ALERT_TYPE.spellings())
_component = _vocabulary(vocab.COMPONENT.spellings())

# ---------------------------------------------------------------------------------------------
# Extensions and fields outside the canonical order
# ---------------------------------------------------------------------------------------------


#: ``rdfs:comment`` annotates a JSON-LD document the way an XML comment annotates an XML one; it is
#: no event data (GS1's examples carry the same note as ``rdfs:comment`` in JSON-LD and as
#: ``<!-- -->`` in XML), so it is left out like the XML comment.
_ANNOTATION = ("http://www.w3.org/2000/01/rdf-schema#", "comment")


def _generic(name: str, value: Any, ns: Namespaces, out: list[str]) -> None:
    """Append the pre-hash parts of one extension element (one part per repeated element)."""
    if value is None:
        return
    if isinstance(value, list):
        for item in value:
            _generic(name, item, ns, out)
        return
    if isinstance(value, dict):
        if "@context" in value:
            ns = context_namespaces(value["@context"], ns)
        if "@value" in value:
            _generic(name, value["@value"], ns, out)
            return
        children: list[str] = []
        text = ""
        for key, child in value.items():
            if key[:1] == "@":
                continue
            if key == "#text":
                # Text beside attributes or child elements (XML mixed content): the element's value.
                text = _literal(child)
                continue
            term = expand_term(key, ns)
            if term is None:
                _generic(key, child, ns, children)
            elif term != _ANNOTATION:
                _generic("{" + term[0] + "}" + term[1], child, ns, children)
        children.sort()
        out.append(name + ("=" + text if text else "") + "".join(children))
        return
    text = _literal(value)
    out.append(name + "=" + text if text else name)


def _extensions_and_leftovers(
    obj: dict[str, Any], known: frozenset[str], ns: Namespaces, leftovers: list[str]
) -> list[str]:
    """Sorted parts of the extension fields of a standard structure (rule 21).

    A key that is neither a field of the structure nor a namespaced extension is not part of the
    data model; it still counts (a changed value must change the hash), appended at the end of
    the event under the path of its structure, as the reference implementation does.
    """
    parts: list[str] = []
    for key, value in obj.items():
        if key in known or key[:1] == "@":
            continue
        term = expand_term(key, ns)
        if term is None:
            _generic(key, value, ns, leftovers)
        elif term != _ANNOTATION:
            _generic("{" + term[0] + "}" + term[1], value, ns, parts)
    parts.sort()
    return parts


def _nest(name: str, inner: list[str], leftovers: list[str]) -> None:
    """Carry the leftovers of a nested structure up, under its name."""
    if inner:
        inner.sort()
        leftovers.append(name + "".join(inner))


# ---------------------------------------------------------------------------------------------
# Field handlers, in the canonical property order (§8.9)
# ---------------------------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _simple(render: Callable[[Any], str]) -> Handler:
    def handle(name: str, value: Any, ns: Namespaces, leftovers: list[str]) -> str:
        text = render(value)
        return name + "=" + text if text else ""

    return handle


def _simple_ns(render: Callable[[Any, Namespaces], str]) -> Handler:
    def handle(name: str, value: Any, ns: Namespaces, leftovers: list[str]) -> str:
        text = render(value, ns)
        return name + "=" + text if text else ""

    return handle


def _repeated(item_name: str, render: Callable[[Any, Namespaces], str]) -> Handler:
    """A list of values (epcList, certificationInfo): rule 11, items sorted."""
    prefix = item_name + "="

    def handle(name: str, value: Any, ns: Namespaces, leftovers: list[str]) -> str:
        items = []
        for item in value if value.__class__ is list else (value,):
            text = render(item, ns)
            if text:
                items.append(prefix + text)
        if not items:
            return ""
        items.sort()
        return ("" if name == item_name else name) + "".join(items)

    return handle


def _structure(fields: tuple[tuple[str, Handler], ...]) -> Callable[[Any, Namespaces], tuple[str, list[str]]]:
    """A structure's fields in order, then its extensions (rule 21); returns (body, leftovers)."""
    known = frozenset(key for key, _ in fields)

    def render(obj: Any, ns: Namespaces) -> tuple[str, list[str]]:
        if not isinstance(obj, dict):
            return "", []
        parts: list[str] = []
        inner: list[str] = []
        present = 0
        for key, handler in fields:
            value = obj.get(key)
            if value is not None:
                present += 1
                text = handler(key, value, ns, inner)
                if text:
                    parts.append(text)
        if len(obj) > present:
            parts.extend(_extensions_and_leftovers(obj, known, ns, inner))
        return "".join(parts), inner

    return render


def _element_list(item_name: str, render_item: Callable[..., tuple[str, list]]) -> Handler:
    """A list of structures (quantityList, sensorElementList): rule 12, elements sorted."""

    def handle(name: str, value: Any, ns: Namespaces, leftovers: list[str]) -> str:
        items: list[str] = []
        inner: list[str] = []
        for element in _as_list(value):
            body, element_leftovers = render_item(element, ns)
            if body:
                items.append(item_name + body)
            _nest(item_name, element_leftovers, inner)
        _nest(name, inner, leftovers)
        if not items:
            return ""
        items.sort()
        return name + "".join(items)

    return handle


def _location() -> Handler:
    """readPoint / bizLocation: ``id`` then extensions."""
    render = _structure((("id", _simple_ns(_iri)),))

    def handle(name: str, value: Any, ns: Namespaces, leftovers: list[str]) -> str:
        body, inner = render(value, ns)
        _nest(name, inner, leftovers)
        return name + body if body else ""

    return handle


def _typed_list(value_key: str, render_type: Callable[[Any, Namespaces], str]) -> Handler:
    """bizTransactionList, sourceList, destinationList: rule 13, ``type=`` before the value."""
    known = frozenset({"type", value_key})
    value_prefix = value_key + "="

    def handle(name: str, value: Any, ns: Namespaces, leftovers: list[str]) -> str:
        items: list[str] = []
        inner: list[str] = []
        for element in _as_list(value):
            if not isinstance(element, dict):
                continue
            text = _iri(element.get(value_key), ns) if element.get(value_key) is not None else ""
            kind = element.get("type")
            kind_text = render_type(kind, ns) if kind is not None else ""
            item = ("type=" + kind_text if kind_text else "") + (value_prefix + text if text else "")
            if not known.issuperset(element):
                # Attributes in other namespaces (the XSD's anyAttribute) follow the item's own.
                element_leftovers: list[str] = []
                item += "".join(_extensions_and_leftovers(element, known, ns, element_leftovers))
                _nest(value_key, element_leftovers, inner)
            if item:
                items.append(item)
        _nest(name, inner, leftovers)
        if not items:
            return ""
        items.sort()
        return name + "".join(items)

    return handle


_SET_UNSET = frozenset({"set", "unset"})


def _persistent_disposition(name: str, value: Any, ns: Namespaces, leftovers: list[str]) -> str:
    if not isinstance(value, dict):
        return ""
    items = [
        key + "=" + text
        for key in ("set", "unset")
        if value.get(key) is not None
        for text in (_disposition(v, ns) for v in _as_list(value[key]))
        if text
    ]
    inner: list[str] = []
    extensions = _extensions_and_leftovers(value, _SET_UNSET, ns, inner)
    _nest(name, inner, leftovers)
    if not items and not extensions:
        return ""
    items.sort()
    return name + "".join(items) + "".join(extensions)


_quantity_element = _structure(
    (
        ("epcClass", _simple_ns(_iri)),
        ("quantity", _simple(_number)),
        ("uom", _simple(_plain)),
    ),
)

_sensor_metadata = _structure(
    (
        ("time", _simple(_time)),
        ("startTime", _simple(_time)),
        ("endTime", _simple(_time)),
        ("deviceID", _simple_ns(_iri)),
        ("deviceMetadata", _simple_ns(_iri)),
        ("rawData", _simple_ns(_iri)),
        ("dataProcessingMethod", _simple_ns(_iri)),
        ("bizRules", _simple_ns(_iri)),
    ),
)

_sensor_report = _structure(
    (
        ("type", _simple_ns(_measurement_type)),
        ("exception", _simple_ns(_sensor_alert_type)),
        ("deviceID", _simple_ns(_iri)),
        ("deviceMetadata", _simple_ns(_iri)),
        ("rawData", _simple_ns(_iri)),
        ("dataProcessingMethod", _simple_ns(_iri)),
        ("time", _simple(_time)),
        ("microorganism", _simple_ns(_iri)),
        ("chemicalSubstance", _simple_ns(_iri)),
        ("value", _simple(_number)),
        ("component", _simple_ns(_component)),
        ("stringValue", _simple(_plain)),
        ("booleanValue", _simple(_boolean)),
        ("hexBinaryValue", _simple(_plain)),
        ("uriValue", _simple_ns(_iri)),
        ("minValue", _simple(_number)),
        ("maxValue", _simple(_number)),
        ("meanValue", _simple(_number)),
        ("sDev", _simple(_number)),
        ("percRank", _simple(_number)),
        ("percValue", _simple(_number)),
        ("uom", _simple(_plain)),
        ("coordinateReferenceSystem", _simple_ns(_iri)),
    ),
)

_SENSOR_ELEMENT_FIELDS = frozenset({"sensorMetadata", "sensorReport"})


def _sensor_element(element: Any, ns: Namespaces) -> tuple[str, list[str]]:
    """sensorMetadata, the sensorReports sorted, then the element's own extensions (rule 21)."""
    if not isinstance(element, dict):
        return "", []
    parts: list[str] = []
    inner: list[str] = []
    metadata = element.get("sensorMetadata")
    if metadata is not None:
        body, metadata_leftovers = _sensor_metadata(metadata, ns)
        if body:
            parts.append("sensorMetadata" + body)
        _nest("sensorMetadata", metadata_leftovers, inner)
    reports = element.get("sensorReport")
    if reports is not None:
        texts: list[str] = []
        for report in _as_list(reports):
            body, report_leftovers = _sensor_report(report, ns)
            if body:
                texts.append("sensorReport" + body)
            _nest("sensorReport", report_leftovers, inner)
        texts.sort()
        parts.extend(texts)
    parts.extend(_extensions_and_leftovers(element, _SENSOR_ELEMENT_FIELDS, ns, inner))
    return "".join(parts), inner


#: §8.9 canonical property order (eventType first, written separately; ILMD and user
#: extensions last, see :func:`event_prehash`).
_CANONICAL_ORDER: tuple[tuple[str, Handler], ...] = (
    ("eventTime", _simple(_time)),
    ("eventTimeZoneOffset", _simple(_plain)),
    ("certificationInfo", _repeated("certificationInfo", _iri)),
    ("epcList", _repeated("epc", _iri)),
    ("parentID", _simple_ns(_iri)),
    ("inputEPCList", _repeated("epc", _iri)),
    ("childEPCs", _repeated("epc", _iri)),
    ("quantityList", _element_list("quantityElement", _quantity_element)),
    ("childQuantityList", _element_list("quantityElement", _quantity_element)),
    ("inputQuantityList", _element_list("quantityElement", _quantity_element)),
    ("outputEPCList", _repeated("epc", _iri)),
    ("outputQuantityList", _element_list("quantityElement", _quantity_element)),
    ("action", _simple(_plain)),
    ("transformationID", _simple_ns(_iri)),
    ("bizStep", _simple_ns(_biz_step)),
    ("disposition", _simple_ns(_disposition)),
    ("persistentDisposition", _persistent_disposition),
    ("readPoint", _location()),
    ("bizLocation", _location()),
    ("bizTransactionList", _typed_list("bizTransaction", _biz_transaction_type)),
    ("sourceList", _typed_list("source", _source_dest_type)),
    ("destinationList", _typed_list("destination", _source_dest_type)),
    ("sensorElementList", _element_list("sensorElement", _sensor_element)),
)

#: Field → (position in the canonical order, handler), for a single pass over an event's keys.
_POSITIONS: dict[str, tuple[int, Handler]] = {
    key: (position, handler) for position, (key, handler) in enumerate(_CANONICAL_ORDER)
}
#: Standard fields the canonical order leaves out: the event type (written first), the
#: repository's record time, the event's own identifier (JSON-LD ``id`` is the same ``@id``), and an
#: error declaration added afterwards. ILMD is written with the extensions.
_EXCLUDED = frozenset({"type", "recordTime", "eventID", "id", "errorDeclaration"})


def event_prehash(event: dict[str, Any], namespaces: Namespaces) -> str:
    """The §8.9 pre-hash string of one event (its own ``@context``, if any, extends ``namespaces``)."""
    event_type = event.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise ValueError("an EPCIS event needs its type to be hashed")
    if "@context" in event:
        namespaces = context_namespaces(event["@context"], namespaces)
    fields: list[tuple[int, str]] = []
    # Rules 19-20: ILMD, then user extensions, each part sorted; ``ilmd`` sorts before any
    # ``{namespace}`` part, so one sort over both keeps the canonical order. Leftovers (keys
    # outside the data model) join the same sort, as in the reference implementation.
    tail: list[str] = []
    for key, value in event.items():
        entry = _POSITIONS.get(key)
        if entry is not None:
            if value is not None:
                text = entry[1](key, value, namespaces, tail)
                if text:
                    fields.append((entry[0], text))
        elif key in _EXCLUDED or key[:1] == "@":
            continue
        elif key == "ilmd":
            if value:
                _generic("ilmd", value, namespaces, tail)
        else:
            term = expand_term(key, namespaces)
            if term is None:
                _generic(key, value, namespaces, tail)
            elif term != _ANNOTATION:
                _generic("{" + term[0] + "}" + term[1], value, namespaces, tail)
    fields.sort()
    parts = ["eventType=", event_type]
    parts.extend([text for _, text in fields])
    if tail:
        tail.sort()
        parts.extend(tail)
    return "".join(parts)


def event_hash(event: dict[str, Any], namespaces: Namespaces) -> str:
    """The event hash ID: ``ni:///sha-256;<lowercase hex>?ver=CBV2.0`` (§8.9 rules 22-24)."""
    digest = hashlib.sha256(event_prehash(event, namespaces).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver={HASH_ALGORITHM_VERSION}"
