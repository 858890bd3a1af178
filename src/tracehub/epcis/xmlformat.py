"""EPCIS XML binding <-> the platform's EPCIS 2.0 JSON-LD dict form.

The platform keeps one internal representation of an EPCIS document: the EPCIS 2.0 JSON-LD form
(EPCIS 2.0 §10) as plain Python dicts, exactly what ``orjson.loads`` of a GS1 JSON-LD capture
document gives. This module converts the XML binding (EPCIS 2.0 §9, namespace
``urn:epcglobal:epcis:xsd:2``, and EPCIS 1.0/1.1/1.2, namespace ``urn:epcglobal:epcis:xsd:1``) into
that form on capture, and renders query results from it back to EPCIS 2.0 XML. It imports no Django.

Reading (:class:`XmlDocumentReader`, :func:`parse_xml_document`)
  * Streaming: an lxml pull parser is fed 64 KiB chunks and reports only the end of event elements,
    so the Python side does work per event, not per XML element. Each event is removed from the
    tree as soon as it has been converted, together with anything before it in its EventList, so a
    document of 200,000 events is read in bounded memory.
  * XXE-safe: no entity is resolved, no DTD loaded, no network used. An entity reference left in the
    data is refused rather than silently read as empty text.
  * Faithful, not validating: standard values keep their spelling (URNs stay URNs, ``gs1:Temperature``
    stays as written); the semantic checks happen on the dict elsewhere. Nothing is dropped silently:
    an element that has no place in the JSON-LD form either stays visible in the dict (unknown fields
    under their own name, unknown event types with their element name as ``type``) or makes the
    reader raise :class:`XmlFormatError` naming its path and line.
  * EPCIS 1.x ``extension`` / ``baseExtension`` wrappers are flattened into their EPCIS 2.0
    positions; TransformationEvent and AssociationEvent inside EventList ``extension`` wrappers are
    read like the others. Event child elements qualified with the EPCIS namespace (which the XSD does
    not allow but some producers write) are read as the unqualified standard elements.
  * User extensions (elements and attributes in any other namespace, EPCIS 2.0 §9's ``##other``
    wildcards) become ``"prefix:localName"`` keys: a leaf element is its whitespace-stripped text
    (always a string: the event hash treats extension values as strings), an element with children
    or attributes is a dict of them (a repeated name becomes a list), and text beside children or
    attributes is kept under ``"#text"`` (the key the CBV 2.0 event-hash reference implementation
    reads). Unqualified elements inside an extension element keep their bare local name.
    ``xsi:*`` attributes (``xsi:type``, ``xsi:nil``, ``xsi:schemaLocation``) are schema-instance
    annotations, not event data, and are not carried over; ``xsi:nil`` on ``quantity`` means "no
    quantity" and the key is left out, as the JSON-LD binding does.
  * Namespace prefixes: every extension namespace gets one JSON-LD prefix, the first one the
    document uses for it (later aliases of the same namespace reuse it); a prefix already taken by
    another namespace, a default namespace, or a prefix that the standard EPCIS context defines
    for something else get an invented ``nsN``. Namespaces that the standard context already
    defines (``gs1``, ``cbv``, ``cbvmda`` in either spelling ``urn:epcglobal:cbv:mda`` or
    ``urn:epcglobal:cbv:mda:`` ...) use the standard prefix and are not repeated in
    :attr:`XmlDocumentReader.namespaces`.
  * Accepted roots: ``EPCISDocument`` (EPCIS 1.x or 2.0 namespace), ``EPCISQueryDocument`` with
    ``QueryResults`` over an ``EventList`` (QueryResults' content is also found straight under the
    root, as some producers write it), and a bare event element, read as a one-event document
    (``is_single_event``). Anything else (capture jobs, master-data documents, Poll requests) is
    refused with :class:`XmlFormatError`.
  * Header: the SBDH is kept as a user-extension dict under its prefixed name
    (``"sbdh:StandardBusinessDocumentHeader"``); EPCISHeader master data becomes
    ``epcisHeader.epcisMasterData.vocabularyList`` as in the JSON-LD binding.

Writing (:func:`render_query_document_xml`, :func:`render_event_xml`)
  * Events are written in the element order of EPCglobal-epcis-2_0.xsd inside an
    ``epcisq:EPCISQueryDocument`` (EPCglobal-epcis-query-2_0.xsd); bare CBV words become their URN
    forms (CBV 2.0 §8.2), bare sensor measurement types and exceptions become ``gs1:`` CURIEs and
    bare sensor components ``cbv:Comp-`` CURIEs, as in GS1's XML examples.
  * Extension dicts are written as child elements (the JSON-LD form does not record whether a key
    came from an XML attribute), extension scalars as text.
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from lxml import etree

from tracehub.epcis import vocab

__all__ = [
    "EPCIS_CONTEXT",
    "XmlDocumentReader",
    "XmlFormatError",
    "parse_xml_document",
    "render_event_xml",
    "render_query_document_xml",
]

#: The standard JSON-LD context every EPCIS 2.0 document names first (EPCIS 2.0 §10).
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

NS_EPCIS_1 = "urn:epcglobal:epcis:xsd:1"
NS_EPCIS_2 = "urn:epcglobal:epcis:xsd:2"
NS_QUERY_1 = "urn:epcglobal:epcis-query:xsd:1"
NS_QUERY_2 = "urn:epcglobal:epcis-query:xsd:2"
_NS_MASTERDATA_1 = "urn:epcglobal:epcis-masterdata:xsd:1"
_NS_MASTERDATA_2 = "urn:epcglobal:epcis-masterdata:xsd:2"
_NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NS_XML = "http://www.w3.org/XML/1998/namespace"

#: Namespaces whose elements are the standard's own: read by local name, as if unqualified.
_STANDARD_XML_NAMESPACES = frozenset(
    {NS_EPCIS_1, NS_EPCIS_2, NS_QUERY_1, NS_QUERY_2, _NS_MASTERDATA_1, _NS_MASTERDATA_2}
)

#: Prefixes the standard EPCIS 2.0 JSON-LD context defines, with their URIs.
_STANDARD_PREFIXES = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": "https://ref.gs1.org/cbv/",
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": "https://gs1.org/voc/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}
#: XML namespace -> standard prefix. CBV master data attributes are in ``urn:epcglobal:cbv:mda``
#: in XML (CBV §8) and ``urn:epcglobal:cbv:mda:`` in the JSON-LD context: both are ``cbvmda``.
_STANDARD_URI_PREFIX = {uri: prefix for prefix, uri in _STANDARD_PREFIXES.items()} | {
    "urn:epcglobal:cbv:mda": "cbvmda"
}
#: Standard prefix -> the namespace written in XML output.
_STANDARD_XML_URIS = _STANDARD_PREFIXES | {"cbvmda": "urn:epcglobal:cbv:mda"}
#: Document prefixes never reused as JSON-LD prefixes: standard context terms, and URI schemes
#: (``https:foo`` as a JSON key would read as an IRI to every human).
_RESERVED_PREFIXES = frozenset(_STANDARD_PREFIXES) | {"http", "https", "urn", "xml", "xmlns", "id", "type"}

_EVENT_TYPES = frozenset(vocab.EVENT_TYPES)
#: EPCIS 1.0's QuantityEvent (removed in 2.0) is read like an event so that it stays visible and
#: the validator refuses it by its type, rather than vanishing.
_EVENT_ELEMENT_NAMES = _EVENT_TYPES | {"QuantityEvent"}

_PLAIN_QUANTITY_PARTS = frozenset({"epcClass", "quantity", "uom"})
_QUERY_RESULT_PARTS = frozenset({"queryName", "subscriptionID", "resultsBody"})

_CHUNK = 1 << 16
_MISSING = object()

# xsd:decimal (quantity) and xsd:double (sensor values): anything else stays a string.
_DECIMAL_RE = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*\Z")
_DOUBLE_RE = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*\Z")


class XmlFormatError(ValueError):
    """The XML cannot be read as an EPCIS document: not well-formed, wrong root, impossible structure.

    ``path`` names the place in the JSON-LD form (``epcisBody.eventList[3].epcList``) when known,
    ``line`` the XML source line.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        where = ", ".join(part for part in (path and f"at {path}", line and f"line {line}") if part)
        super().__init__(f"{message} ({where})" if where else message)


# --------------------------------------------------------------------------------------------
# numbers


def _number(text: str, pattern: re.Pattern[str]) -> int | float | str:
    """A JSON number for an xsd:decimal / xsd:double lexical value: int when integral, else float.

    Values that are not numbers (or not finite) stay strings, so that validation can name them.
    """
    if not pattern.match(text):
        return text.strip()
    text = text.strip()
    if "." not in text and "e" not in text and "E" not in text:
        return int(text)
    value = float(text)
    if not math.isfinite(value):
        return text
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _decimal_number(text: str) -> int | float | str:
    return _number(text, _DECIMAL_RE)


def _double_number(text: str) -> int | float | str:
    return _number(text, _DOUBLE_RE)


def _boolean(text: str) -> bool | str:
    value = text.strip()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    return value


#: Typed attributes of sensorMetadata / sensorReport (EPCIS 2.0 §7.3.5.5; XSD SensorReportType).
_SENSOR_ATTRIBUTE_TYPES: dict[str, Callable[[str], Any]] = {
    "value": _double_number,
    "minValue": _double_number,
    "maxValue": _double_number,
    "meanValue": _double_number,
    "sDev": _double_number,
    "percRank": _double_number,
    "percValue": _double_number,
    "booleanValue": _boolean,
}


def _add(target: dict[str, Any], key: str, value: Any) -> None:
    """Put a user-extension value; a repeated name becomes a list (values are never lists)."""
    existing = target.get(key, _MISSING)
    if existing is _MISSING:
        target[key] = value
    elif type(existing) is list:
        existing.append(value)
    else:
        target[key] = [existing, value]


# --------------------------------------------------------------------------------------------
# namespaces


class _Namespaces:
    """Chooses one JSON-LD prefix per extension namespace; ``prefixes`` is the public map.

    The first prefix a document uses for a namespace is kept for it (later aliases of the same
    namespace reuse it); a prefix already taken, reserved, or absent (default namespace) gets ``nsN``.
    """

    __slots__ = ("_by_uri", "_cache", "_counter", "prefixes")

    def __init__(self) -> None:
        self.prefixes: dict[str, str] = {}
        self._by_uri: dict[str, str] = {}
        self._cache: dict[tuple[str, str | None], str] = {}
        self._counter = 0

    def prefix(self, uri: str, hint: str | None) -> str:
        key = (uri, hint)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._choose(uri, hint)
        return found

    def _choose(self, uri: str, hint: str | None) -> str:
        standard = _STANDARD_URI_PREFIX.get(uri)
        if standard is not None:
            return standard
        if uri == _NS_XML:
            self.prefixes["xml"] = uri
            return "xml"
        known = self._by_uri.get(uri)
        if known is not None:
            return known
        if hint and hint not in _RESERVED_PREFIXES and hint not in self.prefixes:
            self.prefixes[hint] = uri
            self._by_uri[uri] = hint
            return hint
        while True:
            self._counter += 1
            invented = f"ns{self._counter}"
            if invented not in self.prefixes:
                break
        self.prefixes[invented] = uri
        self._by_uri[uri] = invented
        return invented


def _split(tag: str) -> tuple[str | None, str]:
    if tag[0] == "{":
        uri, local = tag[1:].split("}", 1)
        return uri, local
    return None, tag


# --------------------------------------------------------------------------------------------
# reading


def _chunks_of(source: Any) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        return _byte_chunks(bytes(source))
    read = getattr(source, "read", None)
    if read is None:
        raise TypeError("XmlDocumentReader needs bytes or a binary file object")
    return _file_chunks(read)


def _byte_chunks(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), _CHUNK):
        yield data[start : start + _CHUNK]


def _file_chunks(read: Callable[[int], Any]) -> Iterator[bytes]:
    while True:
        chunk = read(_CHUNK)
        if not chunk:
            return
        if not isinstance(chunk, bytes | bytearray):
            raise TypeError("XmlDocumentReader needs a binary file object (read() gave text)")
        yield bytes(chunk)


def _parser_options() -> dict[str, Any]:
    # XXE-safe (no entity resolution, no DTD loading, no network); huge_tree lifts libxml2's size
    # limits that a legitimate 200,000-event document can reach.
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "huge_tree": True,
        "remove_comments": False,
    }


def _syntax_error(exc: etree.XMLSyntaxError) -> XmlFormatError:
    line = exc.lineno if getattr(exc, "lineno", None) else None
    message = getattr(exc, "msg", None) or str(exc)
    return XmlFormatError(f"XML is not well-formed: {message}", None, line)


class XmlDocumentReader:
    """Streams an EPCIS XML document (1.x or 2.0) as EPCIS 2.0 JSON-LD dicts.

    ``header`` is the document without its events (``@context``, ``type``, ``schemaVersion``,
    ``creationDate``, ``epcisHeader``, ``epcisBody`` without ``eventList`` or, for a query document,
    ``epcisBody.queryResults`` without ``resultsBody.eventList``); reading it parses up to the first
    event. Document-level extensions written after the events are added to the same dict when the
    document ends. ``events()`` yields each event in document order, once. ``namespaces`` is live:
    a namespace first used after the header was read is in it (and in the header's ``@context``,
    which holds this very dict) once iteration has passed it.

    A root that is a single event element (``<ObjectEvent>`` unqualified or in an EPCIS namespace,
    as some capture clients send) is read as a document of that one event;
    ``is_single_event`` tells the caller, which decides whether to accept it.

    With ``check_order`` the direct children of each event must follow the element order of the
    XSD of the document's EPCIS version (standard elements in sequence, user extensions last), as
    schema-valid XML does; otherwise order is not looked at (the dict form has none).
    """

    def __init__(self, source: bytes | IO[bytes], *, check_order: bool = False) -> None:
        self._chunks = _chunks_of(source)
        self._check_order = check_order
        self._version = 2
        self._ns = _Namespaces()
        self.namespaces: dict[str, str] = self._ns.prefixes
        self.document_type: str | None = None
        self.is_single_event = False
        self._header: dict[str, Any] | None = None
        self._pending: deque[dict[str, Any]] = deque()
        self._generator = self._run()
        self._finished = False
        self._index = 0
        self._list_path = "epcisBody.eventList"
        self._std_cache: dict[str, str | None] = {}
        self._ext_key_cache: dict[str, tuple[str | None, str]] = {}
        self._attr_key_cache: dict[str, str] = {}
        text = self._text_reader = self._text
        self._event_fields = {
            "eventTime": text,
            "recordTime": text,
            "eventTimeZoneOffset": text,
            "eventID": text,
            "certificationInfo": text,
            "action": text,
            "bizStep": text,
            "disposition": text,
            "parentID": text,
            "transformationID": text,
            "epcList": self._epc_list,
            "childEPCs": self._epc_list,
            "inputEPCList": self._epc_list,
            "outputEPCList": self._epc_list,
            "quantityList": self._quantity_list,
            "childQuantityList": self._quantity_list,
            "inputQuantityList": self._quantity_list,
            "outputQuantityList": self._quantity_list,
            "bizTransactionList": self._biz_transaction_list,
            "sourceList": self._source_list,
            "destinationList": self._destination_list,
            "readPoint": self._location,
            "bizLocation": self._location,
            "errorDeclaration": self._error_declaration,
            "sensorElementList": self._sensor_element_list,
            "persistentDisposition": self._persistent_disposition,
            "ilmd": self._ilmd,
        }
        self._location_fields = {"id": text}
        self._error_fields = {
            "declarationTime": text,
            "reason": text,
            "correctiveEventIDs": self._corrective_ids,
        }
        self._quantity_fields = {"epcClass": text, "quantity": self._quantity, "uom": text}

    # ---- public API -------------------------------------------------------------------------

    @property
    def header(self) -> dict[str, Any]:
        """The document without its events; parses up to the first event (or the end)."""
        while self._header is None and not self._finished:
            try:
                self._pending.append(next(self._generator))
            except StopIteration:
                self._finished = True
        if self._header is None:
            raise XmlFormatError("the document could not be read (an earlier error stopped the reader)")
        return self._header

    def events(self) -> Iterator[dict[str, Any]]:
        """Each event as an EPCIS 2.0 JSON-LD dict, in document order."""
        while self._pending:
            yield self._pending.popleft()
        if self._finished:
            return
        yield from self._generator
        self._finished = True

    # ---- parsing loop -----------------------------------------------------------------------

    def _run(self) -> Iterator[dict[str, Any]]:
        buffered, root_tag, root_line = self._sniff_root()
        self._classify_root(root_tag, root_line)
        wanted = []
        for name in (*_EVENT_ELEMENT_NAMES, "EventList"):
            wanted += [name, f"{{{NS_EPCIS_1}}}{name}", f"{{{NS_EPCIS_2}}}{name}"]
        parser = etree.XMLPullParser(events=("end",), tag=wanted, **_parser_options())
        chunks = iter(buffered)
        try:
            while True:
                chunk = next(chunks, None)
                if chunk is None:
                    chunk = next(self._chunks, None)
                    if chunk is None:
                        break
                parser.feed(chunk)
                for _action, element in parser.read_events():
                    yield from self._on_end(element)
            root = parser.close()
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(exc) from None
        self._finish(root)

    def _sniff_root(self) -> tuple[list[bytes], str, int | None]:
        """Read just far enough to see the root element, so a wrong document fails at once."""
        sniffer = etree.XMLPullParser(events=("start",), **_parser_options())
        buffered: list[bytes] = []
        try:
            for chunk in self._chunks:
                buffered.append(chunk)
                for start in range(0, len(chunk), 4096):
                    sniffer.feed(chunk[start : start + 4096])
                    for _action, element in sniffer.read_events():
                        return buffered, element.tag, element.sourceline
            sniffer.close()
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(exc) from None
        raise XmlFormatError("XML document has no root element")

    def _classify_root(self, tag: Any, line: int | None) -> None:
        if not isinstance(tag, str):
            raise XmlFormatError("XML document has no root element", None, line)
        uri, local = _split(tag)
        self._version = 1 if uri in (NS_EPCIS_1, NS_QUERY_1) else 2
        if local == "EPCISDocument" and uri in (NS_EPCIS_1, NS_EPCIS_2):
            self.document_type = "EPCISDocument"
        elif local == "EPCISQueryDocument" and uri in (NS_QUERY_1, NS_QUERY_2):
            self.document_type = "EPCISQueryDocument"
            self._list_path = "epcisBody.queryResults.resultsBody.eventList"
        elif local in _EVENT_TYPES and (uri is None or uri in (NS_EPCIS_1, NS_EPCIS_2)):
            self.document_type = "EPCISDocument"
            self.is_single_event = True
        else:
            raise XmlFormatError(
                f"root element {tag} is not an EPCISDocument ({NS_EPCIS_2} or {NS_EPCIS_1}) "
                f"or an EPCISQueryDocument ({NS_QUERY_2} or {NS_QUERY_1})",
                None,
                line,
            )

    def _on_end(self, element: Any) -> Iterator[dict[str, Any]]:
        name = self._std(element.tag)
        parent = element.getparent()
        if name == "EventList":
            if parent is not None and self._std(parent.tag) in ("EPCISBody", "resultsBody"):
                self._ensure_header(element)
                yield from self._drain(element)
            return
        if parent is None:
            if not self.is_single_event:
                return
        elif self.is_single_event or not self._is_container(parent):
            # An event-named element somewhere else (inside an extension, say): it belongs to the
            # element around it and is converted with it.
            return
        self._ensure_header(element)
        if parent is not None:
            yield from self._drain_preceding(element)
        event = self._convert_event(element, name)
        if parent is not None:
            parent.remove(element)
        yield event

    def _is_container(self, element: Any) -> bool:
        # EventList, or an EPCIS 1.x <extension> wrapper (at any depth) inside an EventList.
        while element is not None:
            name = self._std(element.tag)
            if name == "EventList":
                parent = element.getparent()
                return parent is not None and self._std(parent.tag) in ("EPCISBody", "resultsBody")
            if name != "extension":
                return False
            element = element.getparent()
        return False

    def _drain_preceding(self, element: Any) -> Iterator[dict[str, Any]]:
        """Yield and remove what precedes an event in its containers (unknown elements, comments)."""
        node = element
        if element.getprevious() is None and self._std(element.getparent().tag) == "EventList":
            return
        while True:
            parent = node.getparent()
            if parent is None:
                return
            before = list(node.itersiblings(preceding=True))
            before.reverse()
            for sibling in before:
                yield from self._drain_node(sibling)
                parent.remove(sibling)
            if self._std(parent.tag) == "EventList":
                return
            node = parent

    def _drain(self, container: Any) -> Iterator[dict[str, Any]]:
        for child in list(container):
            yield from self._drain_node(child)
            container.remove(child)

    def _drain_node(self, node: Any) -> Iterator[dict[str, Any]]:
        tag = node.tag
        if not isinstance(tag, str):
            self._check_special(node, self._list_path)
            return
        name = self._std(tag)
        if name == "extension":
            if any(True for key in node.attrib if not key.startswith("{" + _NS_XSI)):
                raise XmlFormatError(
                    "attributes on an EventList extension wrapper have no place in EPCIS 2.0",
                    self._list_path,
                    node.sourceline,
                )
            yield from self._drain(node)
            return
        if name in _EVENT_ELEMENT_NAMES:
            yield self._convert_event(node, name)
            return
        # Not an event the standard defines (an EPCIS 2.0 EventList <extension> holds ##other
        # elements): kept as an event of its own element name so that validation refuses it.
        path = f"{self._list_path}[{self._index}]"
        key = name if name is not None else self._ext_key(node)
        event: dict[str, Any] = {"type": key}
        value = self._ext_value(node, path)
        if isinstance(value, dict):
            for sub_key, sub_value in value.items():
                _add(event, sub_key, sub_value)
        elif value:
            event["#text"] = value
        self._index += 1
        yield event

    def _ensure_header(self, element: Any) -> None:
        if self._header is None:
            self._header = self._build_header(element.getroottree().getroot(), final=False)

    def _finish(self, root: Any) -> None:
        header = self._build_header(root, final=True)
        if self._header is None:
            self._header = header
            return
        # Add what came after the events (document-level extensions written after EPCISBody).
        current = self._header
        for key, value in header.items():
            if key not in current:
                current[key] = value
            elif key == "epcisBody" and isinstance(value, dict):
                body = current[key]
                for body_key, body_value in value.items():
                    if body_key not in body:
                        body[body_key] = body_value
                    elif body_key == "queryResults":
                        for result_key, result_value in body_value.items():
                            body[body_key].setdefault(result_key, result_value)

    # ---- header -----------------------------------------------------------------------------

    def _build_header(self, root: Any, *, final: bool) -> dict[str, Any]:
        header: dict[str, Any] = {
            "@context": [EPCIS_CONTEXT, self.namespaces],
            "type": self.document_type,
        }
        if self.is_single_event:
            for key in ("schemaVersion", "creationDate"):
                value = root.get(key)
                if value is not None:
                    header[key] = value.strip()
            header["epcisBody"] = {}
            return header
        for key, value in root.items():
            if key[0] != "{":
                header[key] = value.strip() if key in ("schemaVersion", "creationDate") else value
            elif not key.startswith("{" + _NS_XSI):
                _add(header, self._attr_key(root, key), value)
        body: dict[str, Any] = {}
        for child in root:
            tag = child.tag
            if not isinstance(tag, str):
                self._check_special(child, "")
                continue
            name = self._std(tag)
            if name == "EPCISHeader":
                header["epcisHeader"] = self._epcis_header(child, "epcisHeader")
            elif name == "EPCISBody":
                self._body(child, body)
            elif self.document_type == "EPCISQueryDocument" and name in _QUERY_RESULT_PARTS:
                # Some producers (the CBV 2.0 event-hash examples among them) put QueryResults'
                # content straight under the root; it is read into its standard place.
                self._query_result_part(child, name, body.setdefault("queryResults", {}))
            elif name == "extension":
                self._fill(child, header, "", {})
            elif name is None:
                key = self._ext_key(child)
                _add(header, key, self._ext_value(child, key))
            else:
                _add(header, name, self._ext_value(child, name))
        if self.document_type == "EPCISQueryDocument" and final and "queryResults" not in body:
            raise XmlFormatError(
                "EPCISQueryDocument holds no QueryResults: only query results with an EventList "
                "can be read as events",
                "epcisBody",
            )
        header["epcisBody"] = body
        return header

    def _body(self, element: Any, body: dict[str, Any]) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                self._check_special(child, "epcisBody")
                continue
            name = self._std(tag)
            if name == "EventList" and self.document_type == "EPCISDocument":
                continue
            if name == "QueryResults" and self.document_type == "EPCISQueryDocument":
                body["queryResults"] = self._query_results(child)
            elif name == "extension":
                self._fill(child, body, "epcisBody", {})
            elif name is None:
                key = self._ext_key(child)
                _add(body, key, self._ext_value(child, f"epcisBody.{key}"))
            elif self.document_type == "EPCISQueryDocument":
                raise XmlFormatError(
                    f"EPCISQueryDocument body holds <{name}>, not QueryResults: only query results "
                    "with an EventList can be read as events",
                    "epcisBody",
                    child.sourceline,
                )
            else:
                _add(body, name, self._ext_value(child, f"epcisBody.{name}"))

    def _query_results(self, element: Any) -> dict[str, Any]:
        results: dict[str, Any] = {}
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                self._check_special(child, "epcisBody.queryResults")
                continue
            self._query_result_part(child, self._std(tag), results)
        return results

    def _query_result_part(self, child: Any, name: str | None, results: dict[str, Any]) -> None:
        path = "epcisBody.queryResults"
        if name in ("queryName", "subscriptionID"):
            results[name] = self._text(child, f"{path}.{name}")
        elif name == "resultsBody":
            for part in child:
                if not isinstance(part.tag, str):
                    self._check_special(part, f"{path}.resultsBody")
                    continue
                part_name = self._std(part.tag)
                if part_name != "EventList":
                    raise XmlFormatError(
                        f"query results hold <{part_name or part.tag}>, not an EventList: only event "
                        "results can be read",
                        f"{path}.resultsBody",
                        part.sourceline,
                    )
            results["resultsBody"] = {}
        elif name == "extension":
            self._fill(child, results, path, {})
        elif name is None:
            key = self._ext_key(child)
            _add(results, key, self._ext_value(child, f"{path}.{key}"))
        else:
            _add(results, name, self._ext_value(child, f"{path}.{name}"))

    def _epcis_header(self, element: Any, path: str) -> dict[str, Any]:
        # EPCISHeader: the SBDH (kept as a user-extension dict under its own prefixed name) and
        # <extension><EPCISMasterData> (JSON-LD: epcisHeader.epcisMasterData.vocabularyList).
        header: dict[str, Any] = {}
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                self._check_special(child, path)
                continue
            name = self._std(tag)
            if name == "extension":
                for part in child:
                    if not isinstance(part.tag, str):
                        self._check_special(part, path)
                        continue
                    part_name = self._std(part.tag)
                    if part_name == "EPCISMasterData":
                        header["epcisMasterData"] = self._master_data(part, f"{path}.epcisMasterData")
                    elif part_name == "extension":
                        self._fill(part, header, path, {})
                    else:
                        key = part_name or self._ext_key(part)
                        _add(header, key, self._ext_value(part, f"{path}.{key}"))
            else:
                key = name or self._ext_key(child)
                _add(header, key, self._ext_value(child, f"{path}.{key}"))
        return header

    def _master_data(self, element: Any, path: str) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for child in self._elements(element, path):
            name = self._std(child.tag)
            if name == "VocabularyList":
                vocabularies = []
                for index, item in enumerate(self._elements(child, f"{path}.vocabularyList")):
                    vocabularies.append(self._vocabulary(item, f"{path}.vocabularyList[{index}]"))
                data["vocabularyList"] = vocabularies
            elif name == "extension":
                self._fill(child, data, path, {})
            else:
                key = name or self._ext_key(child)
                _add(data, key, self._ext_value(child, f"{path}.{key}"))
        return data

    def _vocabulary(self, element: Any, path: str) -> dict[str, Any]:
        vocabulary: dict[str, Any] = {}
        self._copy_attributes(element, vocabulary)
        for child in self._elements(element, path):
            name = self._std(child.tag)
            if name == "VocabularyElementList":
                items = []
                for index, item in enumerate(self._elements(child, path)):
                    items.append(self._vocabulary_element(item, f"{path}.vocabularyElementList[{index}]"))
                vocabulary["vocabularyElementList"] = items
            elif name == "extension":
                self._fill(child, vocabulary, path, {})
            else:
                key = name or self._ext_key(child)
                _add(vocabulary, key, self._ext_value(child, f"{path}.{key}"))
        return vocabulary

    def _vocabulary_element(self, element: Any, path: str) -> dict[str, Any]:
        item: dict[str, Any] = {}
        self._copy_attributes(element, item)
        for child in self._elements(element, path):
            name = self._std(child.tag)
            if name == "attribute":
                attribute: dict[str, Any] = {}
                attribute_id = child.get("id")
                if attribute_id is not None:
                    attribute["id"] = attribute_id.strip()
                value = self._ext_value(child, f"{path}.attributes", skip=("id",))
                attribute["attribute"] = value
                item.setdefault("attributes", []).append(attribute)
            elif name == "children":
                item["children"] = self._id_list(child, f"{path}.children", "id")
            elif name == "extension":
                self._fill(child, item, path, {})
            else:
                key = name or self._ext_key(child)
                _add(item, key, self._ext_value(child, f"{path}.{key}"))
        return item

    def _copy_attributes(self, element: Any, target: dict[str, Any]) -> None:
        for key, value in element.items():
            if key[0] != "{":
                target[key] = value.strip()
            elif not key.startswith("{" + _NS_XSI):
                _add(target, self._attr_key(element, key), value)

    # ---- events -----------------------------------------------------------------------------

    def _convert_event(self, element: Any, event_type: str | None) -> dict[str, Any]:
        path = f"{self._list_path}[{self._index}]"
        self._index += 1
        event: dict[str, Any] = {"type": event_type}
        if len(element.attrib):
            for key, value in element.items():
                if key[0] != "{":
                    if self.is_single_event and key in ("schemaVersion", "creationDate"):
                        continue
                    _add(event, key, value)
                elif not key.startswith("{" + _NS_XSI):
                    _add(event, self._attr_key(element, key), value)
        if self._check_order:
            self._check_event_order(element, event_type, path)
        try:
            self._fill(element, event, path, self._event_fields)
        except RecursionError:
            raise XmlFormatError("elements are nested too deeply", path, element.sourceline) from None
        return event

    def _check_event_order(self, element: Any, event_type: str | None, path: str) -> None:
        """Refuse event children out of the XSD's sequence (EPCglobal-epcis-2_0.xsd / 1_2.xsd).

        Standard elements must come in the order of the event type's sequence and user extensions
        (the ``##other`` wildcard) after all of them. Elements the version's sequence does not name
        (2.0 fields written into 1.x documents, unknown names) are left to validation.
        """
        ranks = (_XSD_RANKS_1 if self._version == 1 else _XSD_RANKS_2).get(event_type or "")
        if ranks is None:
            return
        version = "1.x" if self._version == 1 else "2.0"
        highest = -1
        previous = None
        extension_seen = None
        for child in element:
            tag = child.tag
            if tag.__class__ is not str:
                continue
            name = self._std(tag)
            if name is None:
                extension_seen = extension_seen or self._ext_key(child)
                continue
            rank = ranks.get(name)
            if rank is None:
                continue
            if extension_seen is not None:
                raise XmlFormatError(
                    f"<{name}> after the user extension <{extension_seen}>: EPCIS {version} XML puts "
                    "user extensions after the standard elements",
                    f"{path}.{name}",
                    child.sourceline,
                )
            if rank < highest:
                raise XmlFormatError(
                    f"<{name}> after <{previous}>: EPCIS {version} XML requires the element order "
                    f"of {event_type}",
                    f"{path}.{name}",
                    child.sourceline,
                )
            highest, previous = rank, name

    def _fill(
        self,
        element: Any,
        target: dict[str, Any],
        path: str,
        fields: dict[str, Callable[[Any, str], Any]],
    ) -> None:
        """Read the children of a standard structure into ``target``.

        ``fields`` maps the standard child names to their readers; ``extension`` and
        ``baseExtension`` wrappers (EPCIS 1.x, and the 2.0 ``##local`` extension points) are
        flattened into the same dict; elements in other namespaces become user extensions;
        unknown unqualified elements stay visible under their own name.
        """
        text = element.text
        if text and not text.isspace():
            raise XmlFormatError(
                f"text {text.strip()[:40]!r} where elements are expected", path or None, element.sourceline
            )
        std_cache = self._std_cache
        text_reader = self._text_reader
        for child in element:
            tag = child.tag
            if tag.__class__ is not str:
                self._check_special(child, path)
            else:
                name = std_cache.get(tag, _MISSING)
                if name is _MISSING:
                    name = self._std(tag)
                if name is None:
                    key = self._ext_key(child)
                    _add(target, key, self._ext_value(child, f"{path}.{key}" if path else key))
                elif name == "extension" or name == "baseExtension":
                    if len(child.attrib):
                        for key, value in child.items():
                            if not key.startswith("{" + _NS_XSI):
                                _add(target, self._attr_key(child, key), value)
                    self._fill(child, target, path, fields)
                else:
                    reader = fields.get(name)
                    if reader is None:
                        _add(target, name, self._ext_value(child, f"{path}.{name}" if path else name))
                    elif name in target:
                        sub_path = f"{path}.{name}" if path else name
                        if name != "certificationInfo":
                            raise XmlFormatError(
                                f"<{name}> occurs more than once", sub_path, child.sourceline
                            )
                        # certificationInfo may repeat (JSON-LD: string or array of strings).
                        _add(target, name, reader(child, sub_path))
                    elif reader is text_reader and not len(child) and not child.keys():
                        # Fast path for the common simple-typed field.
                        value = child.text
                        target[name] = value.strip() if value else ""
                    else:
                        target[name] = reader(child, f"{path}.{name}" if path else name)
            tail = child.tail
            if tail and not tail.isspace():
                raise XmlFormatError(
                    f"text {tail.strip()[:40]!r} where elements are expected", path or None, child.sourceline
                )

    def _text(self, element: Any, path: str) -> str:
        """Text of a simple-typed standard element, whitespace-stripped."""
        if len(element):
            return self._text_with_specials(element, path)
        if len(element.attrib):
            self._refuse_attributes(element, path)
        text = element.text
        return text.strip() if text else ""

    def _text_with_specials(self, element: Any, path: str) -> str:
        parts = [element.text or ""]
        for child in element:
            if isinstance(child.tag, str):
                raise XmlFormatError(
                    f"<{self._std(element.tag) or element.tag}> must hold text, not elements",
                    path,
                    child.sourceline,
                )
            self._check_special(child, path)
            parts.append(child.tail or "")
        if len(element.attrib):
            self._refuse_attributes(element, path)
        return "".join(parts).strip()

    def _refuse_attributes(self, element: Any, path: str, allowed: tuple[str, ...] = ()) -> None:
        for key in element.attrib:
            if key in allowed or key.startswith("{" + _NS_XSI):
                continue
            raise XmlFormatError(
                f"attribute {key!r} on <{self._std(element.tag) or element.tag}> has no place in EPCIS",
                path,
                element.sourceline,
            )

    def _elements(self, element: Any, path: str) -> Iterator[Any]:
        """Element children of a list-like standard element; text there is impossible."""
        text = element.text
        if text and not text.isspace():
            raise XmlFormatError(
                f"text {text.strip()[:40]!r} where a list is expected", path, element.sourceline
            )
        for child in element:
            if child.tag.__class__ is not str:
                self._check_special(child, path)
                continue
            tail = child.tail
            if tail and not tail.isspace():
                raise XmlFormatError(
                    f"text {tail.strip()[:40]!r} where a list is expected", path, child.sourceline
                )
            yield child

    def _list_items(self, element: Any, path: str, item_name: str) -> Iterator[tuple[Any, str]]:
        if len(element.attrib):
            self._refuse_attributes(element, path)
        for index, child in enumerate(self._elements(element, path)):
            item_path = f"{path}[{index}]"
            if self._std(child.tag) != item_name:
                raise XmlFormatError(
                    f"<{self._describe(child)}> in a list of <{item_name}>", item_path, child.sourceline
                )
            yield child, item_path

    def _epc_list(self, element: Any, path: str) -> list[str]:
        # Fast path for the plain form; anything unusual (comments, qualified or foreign
        # elements, attributes, stray text) goes through the checking reader.
        text = element.text
        if (text and not text.isspace()) or element.keys():
            return self._id_list(element, path, "epc")
        result = []
        append = result.append
        for child in element:
            if child.tag != "epc" or len(child) or child.keys():
                return self._id_list(element, path, "epc")
            tail = child.tail
            if tail and not tail.isspace():
                return self._id_list(element, path, "epc")
            text = child.text
            append(text.strip() if text else "")
        return result

    def _id_list(self, element: Any, path: str, item_name: str) -> list[str]:
        text = self._text
        return [text(child, item_path) for child, item_path in self._list_items(element, path, item_name)]

    def _corrective_ids(self, element: Any, path: str) -> list[str]:
        return self._id_list(element, path, "correctiveEventID")

    def _quantity_list(self, element: Any, path: str) -> list[dict[str, Any]]:
        # Fast path for the plain form (epcClass, quantity, uom as unqualified text elements);
        # anything else is read by the checking reader below.
        text = element.text
        if (text and not text.isspace()) or element.keys():
            return self._quantity_list_checked(element, path)
        result = []
        for child in element:
            if child.tag != "quantityElement" or child.keys():
                return self._quantity_list_checked(element, path)
            item: dict[str, Any] = {}
            for part in child:
                tag = part.tag
                if tag not in _PLAIN_QUANTITY_PARTS or tag in item or len(part) or part.keys():
                    return self._quantity_list_checked(element, path)
                tail = part.tail
                if tail and not tail.isspace():
                    return self._quantity_list_checked(element, path)
                value = part.text
                item[tag] = (
                    _decimal_number(value or "") if tag == "quantity" else (value.strip() if value else "")
                )
            for text in (child.text, child.tail):
                if text and not text.isspace():
                    return self._quantity_list_checked(element, path)
            result.append(item)
        return result

    def _quantity_list_checked(self, element: Any, path: str) -> list[dict[str, Any]]:
        result = []
        for child, item_path in self._list_items(element, path, "quantityElement"):
            item: dict[str, Any] = {}
            self._fill(child, item, item_path, self._quantity_fields)
            if item.get("quantity", "") is _NIL:
                del item["quantity"]
            result.append(item)
        return result

    def _quantity(self, element: Any, path: str) -> Any:
        if element.get(f"{{{_NS_XSI}}}nil") in ("true", "1"):
            return _NIL
        return _decimal_number(self._text(element, path))

    def _typed_list(self, element: Any, path: str, item_name: str) -> list[dict[str, Any]]:
        # bizTransaction / source / destination: text plus the ``type`` attribute. Fast path for
        # the plain form; anything else is read by the checking reader below.
        text = element.text
        if (text and not text.isspace()) or element.keys():
            return self._typed_list_checked(element, path, item_name)
        result = []
        for child in element:
            if child.tag != item_name or len(child):
                return self._typed_list_checked(element, path, item_name)
            tail = child.tail
            if tail and not tail.isspace():
                return self._typed_list_checked(element, path, item_name)
            keys = child.keys()
            text = child.text
            if not keys:
                result.append({item_name: text.strip() if text else ""})
            elif keys == ["type"]:
                result.append({"type": child.get("type").strip(), item_name: text.strip() if text else ""})
            else:
                return self._typed_list_checked(element, path, item_name)
        return result

    def _typed_list_checked(self, element: Any, path: str, item_name: str) -> list[dict[str, Any]]:
        result = []
        for child, item_path in self._list_items(element, path, item_name):
            item: dict[str, Any] = {}
            for key, value in child.items():
                if key == "type":
                    item["type"] = value.strip()
                elif key[0] == "{":
                    if not key.startswith("{" + _NS_XSI):
                        _add(item, self._attr_key(child, key), value)
                else:
                    raise XmlFormatError(
                        f"attribute {key!r} on <{item_name}> has no place in EPCIS",
                        item_path,
                        child.sourceline,
                    )
            item[item_name] = self._text_with_specials(child, item_path) if len(child) else _strip(child.text)
            result.append(item)
        return result

    def _biz_transaction_list(self, element: Any, path: str) -> list[dict[str, Any]]:
        return self._typed_list(element, path, "bizTransaction")

    def _source_list(self, element: Any, path: str) -> list[dict[str, Any]]:
        return self._typed_list(element, path, "source")

    def _destination_list(self, element: Any, path: str) -> list[dict[str, Any]]:
        return self._typed_list(element, path, "destination")

    def _location(self, element: Any, path: str) -> dict[str, Any]:
        if len(element.attrib):
            self._refuse_attributes(element, path)
        location: dict[str, Any] = {}
        self._fill(element, location, path, self._location_fields)
        return location

    def _error_declaration(self, element: Any, path: str) -> dict[str, Any]:
        declaration: dict[str, Any] = {}
        for key, value in element.items():
            if not key.startswith("{" + _NS_XSI):
                _add(declaration, self._attr_key(element, key) if key[0] == "{" else key, value)
        self._fill(element, declaration, path, self._error_fields)
        return declaration

    def _persistent_disposition(self, element: Any, path: str) -> dict[str, Any]:
        if len(element.attrib):
            self._refuse_attributes(element, path)
        result: dict[str, Any] = {}
        counts = {"set": 0, "unset": 0}
        for child in self._elements(element, path):
            name = self._std(child.tag)
            if name in counts:
                item_path = f"{path}.{name}[{counts[name]}]"
                counts[name] += 1
                result.setdefault(name, []).append(self._text(child, item_path))
            else:
                key = name or self._ext_key(child)
                _add(result, key, self._ext_value(child, f"{path}.{key}"))
        return result

    def _ilmd(self, element: Any, path: str) -> dict[str, Any]:
        # ILMD children are all user extensions (EPCIS 2.0 §9, ILMDType ##other; its
        # <extension> holds ##local elements, which stay under their bare names).
        ilmd: dict[str, Any] = {}
        for key, value in element.items():
            if not key.startswith("{" + _NS_XSI):
                _add(ilmd, self._attr_key(element, key) if key[0] == "{" else key, value)
        self._fill(element, ilmd, path, {})
        return ilmd

    def _sensor_element_list(self, element: Any, path: str) -> list[dict[str, Any]]:
        result = []
        for child, item_path in self._list_items(element, path, "sensorElement"):
            result.append(self._sensor_element(child, item_path))
        return result

    def _sensor_element(self, element: Any, path: str) -> dict[str, Any]:
        sensor: dict[str, Any] = {}
        reports: list[dict[str, Any]] = []
        for child in self._elements(element, path):
            name = self._std(child.tag)
            if name == "sensorMetadata":
                if "sensorMetadata" in sensor:
                    raise XmlFormatError(
                        "<sensorMetadata> occurs more than once", f"{path}.sensorMetadata", child.sourceline
                    )
                sensor["sensorMetadata"] = self._sensor_attributes(child, f"{path}.sensorMetadata")
            elif name == "sensorReport":
                if not reports:
                    sensor["sensorReport"] = reports
                reports.append(self._sensor_attributes(child, f"{path}.sensorReport[{len(reports)}]"))
            elif name == "extension":
                self._fill(child, sensor, path, {})
            else:
                key = name or self._ext_key(child)
                _add(sensor, key, self._ext_value(child, f"{path}.{key}"))
        return sensor

    def _sensor_attributes(self, element: Any, path: str) -> dict[str, Any]:
        # sensorMetadata / sensorReport carry their data in attributes (XSD SensorReportType).
        result: dict[str, Any] = {}
        for key, value in element.items():
            if key[0] != "{":
                convert = _SENSOR_ATTRIBUTE_TYPES.get(key)
                result[key] = convert(value) if convert is not None else value.strip()
            elif not key.startswith("{" + _NS_XSI):
                _add(result, self._attr_key(element, key), value)
        content = self._ext_value(element, path, skip_attributes=True)
        if isinstance(content, dict):
            for key, value in content.items():
                _add(result, key, value)
        elif content:
            result["#text"] = content
        return result

    # ---- user extensions --------------------------------------------------------------------

    def _ext_value(
        self,
        element: Any,
        path: str,
        skip: tuple[str, ...] = (),
        *,
        skip_attributes: bool = False,
    ) -> Any:
        """A user-extension element as JSON-LD: leaf text, or a dict of attributes and children."""
        has_attributes = not skip_attributes and len(element.attrib) > 0
        if not len(element) and not has_attributes:
            text = element.text
            return text.strip() if text else ""
        result: dict[str, Any] = {}
        if has_attributes:
            for key, value in element.items():
                if key in skip:
                    continue
                if key[0] != "{":
                    _add(result, key, value)
                elif not key.startswith("{" + _NS_XSI):
                    _add(result, self._attr_key(element, key), value)
        texts = [element.text] if element.text else []
        try:
            for child in element:
                if child.tag.__class__ is not str:
                    self._check_special(child, path)
                else:
                    key = self._ext_key(child)
                    _add(result, key, self._ext_value(child, f"{path}.{key}"))
                if child.tail:
                    texts.append(child.tail)
        except RecursionError:
            raise XmlFormatError("elements are nested too deeply", path, element.sourceline) from None
        text = "".join(texts).strip()
        if not result:
            return text
        if text:
            _add(result, "#text", text)
        return result

    def _ext_key(self, element: Any) -> str:
        tag = element.tag
        if tag[0] != "{":
            return tag
        prefix = element.prefix
        cached = self._ext_key_cache.get(tag)
        if cached is not None and cached[0] == prefix:
            return cached[1]
        uri, local = _split(tag)
        key = local if uri in _STANDARD_XML_NAMESPACES else f"{self._ns.prefix(uri, prefix)}:{local}"
        self._ext_key_cache[tag] = (prefix, key)
        return key

    def _attr_key(self, element: Any, name: str) -> str:
        key = self._attr_key_cache.get(name)
        if key is None:
            uri, local = _split(name)
            if uri is None or uri in _STANDARD_XML_NAMESPACES:
                key = local
            else:
                hint = None
                for prefix, namespace in element.nsmap.items():
                    if namespace == uri and prefix:
                        hint = prefix
                        break
                key = f"{self._ns.prefix(uri, hint)}:{local}"
            self._attr_key_cache[name] = key
        return key

    # ---- small helpers ----------------------------------------------------------------------

    def _std(self, tag: str) -> str | None:
        """Local name of a standard (unqualified or EPCIS-namespace) element; None for extensions."""
        name = self._std_cache.get(tag, _MISSING)
        if name is _MISSING:
            uri, local = _split(tag)
            name = local if uri is None or uri in _STANDARD_XML_NAMESPACES else None
            self._std_cache[tag] = name
        return name  # type: ignore[return-value]

    def _describe(self, element: Any) -> str:
        return self._std(element.tag) or self._ext_key(element)

    def _check_special(self, node: Any, path: str) -> None:
        # Comments and processing instructions carry no event data; an entity reference left
        # unresolved (resolve_entities=False) would silently lose text, so it is refused.
        if node.tag is etree.Entity:
            raise XmlFormatError(
                f"entity reference &{node.name}; is not allowed (entities are not resolved)",
                path or None,
                node.sourceline,
            )


_NIL = object()


def _strip(text: str | None) -> str:
    return text.strip() if text else ""


def parse_xml_document(data: bytes, *, check_order: bool = False) -> dict[str, Any]:
    """A whole EPCIS XML document as its EPCIS 2.0 JSON-LD dict (header and all events)."""
    reader = XmlDocumentReader(data, check_order=check_order)
    events = list(reader.events())
    document = reader.header
    body = document["epcisBody"]
    if reader.document_type == "EPCISQueryDocument":
        body["queryResults"].setdefault("resultsBody", {})["eventList"] = events
    else:
        body["eventList"] = events
    return document


# --------------------------------------------------------------------------------------------
# writing

#: EPCIS 2.0 XML element order per event type (EPCglobal-epcis-2_0.xsd: EPCISEventType, then the
#: event type's own sequence).
_COMMON_ORDER = (
    "eventTime",
    "recordTime",
    "eventTimeZoneOffset",
    "eventID",
    "errorDeclaration",
    "certificationInfo",
)
_TAIL_ORDER = ("sourceList", "destinationList", "sensorElementList", "persistentDisposition")
_EVENT_ORDER = {
    "ObjectEvent": (
        *_COMMON_ORDER,
        "epcList",
        "action",
        "bizStep",
        "disposition",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        "quantityList",
        *_TAIL_ORDER,
        "ilmd",
    ),
    "AggregationEvent": (
        *_COMMON_ORDER,
        "parentID",
        "childEPCs",
        "action",
        "bizStep",
        "disposition",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        "childQuantityList",
        *_TAIL_ORDER,
    ),
    "TransactionEvent": (
        *_COMMON_ORDER,
        "bizTransactionList",
        "parentID",
        "epcList",
        "action",
        "bizStep",
        "disposition",
        "readPoint",
        "bizLocation",
        "quantityList",
        *_TAIL_ORDER,
    ),
    "TransformationEvent": (
        *_COMMON_ORDER,
        "inputEPCList",
        "inputQuantityList",
        "outputEPCList",
        "outputQuantityList",
        "transformationID",
        "bizStep",
        "disposition",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        *_TAIL_ORDER,
        "ilmd",
    ),
    "AssociationEvent": (
        *_COMMON_ORDER,
        "parentID",
        "childEPCs",
        "childQuantityList",
        "action",
        "bizStep",
        "disposition",
        "readPoint",
        "bizLocation",
        "bizTransactionList",
        *_TAIL_ORDER,
    ),
}


def _ranks(order: tuple[str, ...]) -> dict[str, int]:
    return {name: rank for rank, name in enumerate(order)}


#: Element order of event children for ``check_order``: EPCIS 2.0 (baseExtension closes
#: EPCISEventType, extension precedes the ##other wildcard) and EPCIS 1.2 (EPCglobal-epcis-1_2.xsd,
#: where eventID and errorDeclaration sit in baseExtension and most 1.1 fields in extension;
#: AssociationEvent exists only from 2.0 and keeps its 2.0 order).
_XSD_RANKS_2 = {
    event_type: _ranks(
        (*order[: len(_COMMON_ORDER)], "baseExtension", *order[len(_COMMON_ORDER) :], "extension")
    )
    for event_type, order in _EVENT_ORDER.items()
}
_COMMON_ORDER_1 = ("eventTime", "recordTime", "eventTimeZoneOffset", "baseExtension")
_WHAT_WHERE_WHY_1 = ("bizStep", "disposition", "readPoint", "bizLocation")
_XSD_RANKS_1 = {
    "ObjectEvent": _ranks(
        (*_COMMON_ORDER_1, "epcList", "action", *_WHAT_WHERE_WHY_1, "bizTransactionList", "extension")
    ),
    "AggregationEvent": _ranks(
        (
            *_COMMON_ORDER_1,
            "parentID",
            "childEPCs",
            "action",
            *_WHAT_WHERE_WHY_1,
            "bizTransactionList",
            "extension",
        )
    ),
    "QuantityEvent": _ranks(
        (*_COMMON_ORDER_1, "epcClass", "quantity", *_WHAT_WHERE_WHY_1, "bizTransactionList", "extension")
    ),
    "TransactionEvent": _ranks(
        (
            *_COMMON_ORDER_1,
            "bizTransactionList",
            "parentID",
            "epcList",
            "action",
            *_WHAT_WHERE_WHY_1,
            "extension",
        )
    ),
    "TransformationEvent": _ranks(
        (
            *_COMMON_ORDER_1,
            "inputEPCList",
            "inputQuantityList",
            "outputEPCList",
            "outputQuantityList",
            "transformationID",
            *_WHAT_WHERE_WHY_1,
            "bizTransactionList",
            "sourceList",
            "destinationList",
            "ilmd",
            "extension",
        )
    ),
    "AssociationEvent": _XSD_RANKS_2["AssociationEvent"],
}


def _urn(vocabulary: vocab.Vocabulary, value: Any) -> str:
    """A standard CBV term in any spelling as its URN (the XML binding's form); others unchanged."""
    text = _scalar(value)
    word = vocabulary.canonical(text)
    return vocabulary.urn_prefix + word if word is not None else text


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    raise TypeError(f"a {type(value).__name__} cannot be written as XML text")


def _decimal_text(value: Any) -> str:
    # xsd:decimal has no exponent: 1e-05 must be written 0.00001.
    if isinstance(value, float):
        text = repr(value)
        return format(Decimal(text), "f") if "e" in text or "E" in text else text
    return _scalar(value)


def _vocab_curie(value: Any, prefix: str) -> str:
    # JSON-LD bare words of the sensor vocabularies (gs1:Temperature, cbv:Comp-x) as CURIEs.
    text = _scalar(value)
    return text if ":" in text else prefix + text


_SENSOR_VALUE_WRITERS: dict[str, Callable[[Any], str]] = {
    "type": lambda value: _vocab_curie(value, "gs1:"),
    "exception": lambda value: _vocab_curie(value, "gs1:"),
    "component": lambda value: _vocab_curie(value, "cbv:Comp-"),
}


class _Writer:
    """Builds EPCIS 2.0 XML elements from event dicts."""

    def __init__(self, namespaces: dict[str, str]) -> None:
        self.uris = {**_STANDARD_XML_URIS, **namespaces}

    def nsmap(self) -> dict[str | None, str]:
        return {prefix: uri for prefix, uri in self.uris.items() if prefix != "xml" and uri != _NS_XML}

    def qname(self, key: str, path: str) -> str:
        prefix, sep, local = key.partition(":")
        if not sep:
            return key
        uri = self.uris.get(prefix)
        if uri is None:
            raise ValueError(f"{path}: namespace prefix {prefix!r} of {key!r} is not defined")
        return f"{{{uri}}}{local}"

    def event(self, parent: Any, event: dict[str, Any], path: str) -> Any:
        event_type = event.get("type")
        order = _EVENT_ORDER.get(event_type)  # type: ignore[arg-type]
        if order is None:
            raise ValueError(f"{path}: cannot write an event of type {event_type!r} as EPCIS 2.0 XML")
        writer = self
        local_context = event.get("@context")
        extra = _context_namespaces(local_context) if local_context is not None else {}
        if extra:
            writer = _Writer({**self.uris, **extra})
        if parent is None:
            element = etree.Element(event_type, nsmap=writer.nsmap())
        else:
            element = etree.SubElement(parent, event_type, nsmap=extra or None)
        for name in order:
            value = event.get(name, _MISSING)
            if value is not _MISSING:
                try:
                    writer.field(element, name, value, f"{path}.{name}")
                except (TypeError, AttributeError) as exc:
                    raise ValueError(f"{path}.{name}: cannot be written as EPCIS XML: {exc}") from None
        for key, value in event.items():
            if key in ("type", "@context") or key in order:
                continue
            try:
                writer.extension(element, key, value, f"{path}.{key}")
            except TypeError as exc:
                raise ValueError(f"{path}.{key}: cannot be written as EPCIS XML: {exc}") from None
        return element

    def field(self, parent: Any, name: str, value: Any, path: str) -> None:
        sub = etree.SubElement
        if name in ("epcList", "childEPCs", "inputEPCList", "outputEPCList"):
            container = sub(parent, name)
            for epc in value:
                sub(container, "epc").text = _scalar(epc)
        elif name in ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"):
            container = sub(parent, name)
            for index, item in enumerate(value):
                self.quantity_element(container, item, f"{path}[{index}]")
        elif name in ("bizTransactionList", "sourceList", "destinationList"):
            if not value:
                return
            item_name = {"bizTransactionList": "bizTransaction", "sourceList": "source"}.get(
                name, "destination"
            )
            type_vocab = (
                vocab.BIZ_TRANSACTION_TYPE if item_name == "bizTransaction" else vocab.SOURCE_DEST_TYPE
            )
            container = sub(parent, name)
            for index, item in enumerate(value):
                child = sub(container, item_name)
                for key, item_value in item.items():
                    if key == "type":
                        if item_value is not None:
                            child.set("type", _urn(type_vocab, item_value))
                    elif key == item_name:
                        child.text = _scalar(item_value)
                    elif ":" in key:
                        # The reader keeps namespaced attributes of these elements this way.
                        child.set(self.qname(key, path), _scalar(item_value))
                    else:
                        raise ValueError(f"{path}[{index}].{key}: <{item_name}> has no place for it")
        elif name in ("readPoint", "bizLocation"):
            child = sub(parent, name)
            if isinstance(value, dict):
                sub(child, "id").text = _scalar(value.get("id"))
                for key, item in value.items():
                    if key != "id":
                        self.extension(child, key, item, f"{path}.{key}")
            else:
                sub(child, "id").text = _scalar(value)
        elif name == "bizStep":
            sub(parent, name).text = _urn(vocab.BIZ_STEP, value)
        elif name == "disposition":
            sub(parent, name).text = _urn(vocab.DISPOSITION, value)
        elif name == "certificationInfo":
            for item in value if isinstance(value, list) else (value,):
                sub(parent, name).text = _scalar(item)
        elif name == "errorDeclaration":
            self.error_declaration(parent, value, path)
        elif name == "sensorElementList":
            if not value:
                return
            container = sub(parent, name)
            for index, item in enumerate(value):
                self.sensor_element(container, item, f"{path}[{index}]")
        elif name == "persistentDisposition":
            child = sub(parent, name)
            for key in ("unset", "set"):
                for item in value.get(key, ()):
                    sub(child, key).text = _urn(vocab.DISPOSITION, item)
            for key, item in value.items():
                if key not in ("set", "unset"):
                    self.extension(child, key, item, f"{path}.{key}")
        elif name == "ilmd":
            child = sub(parent, name)
            for key, item in value.items():
                self.extension(child, key, item, f"{path}.{key}")
        else:
            sub(parent, name).text = _scalar(value)

    def quantity_element(self, parent: Any, item: dict[str, Any], path: str) -> None:
        sub = etree.SubElement
        child = sub(parent, "quantityElement")
        sub(child, "epcClass").text = _scalar(item.get("epcClass"))
        if item.get("quantity") is not None:
            sub(child, "quantity").text = _decimal_text(item["quantity"])
        if item.get("uom") is not None:
            # The XSD wants a quantity before a uom; a uom alone is still written, not dropped.
            sub(child, "uom").text = _scalar(item["uom"])
        for key, value in item.items():
            if key not in ("epcClass", "quantity", "uom"):
                self.extension(child, key, value, f"{path}.{key}")

    def error_declaration(self, parent: Any, value: dict[str, Any], path: str) -> None:
        sub = etree.SubElement
        child = sub(parent, "errorDeclaration")
        if "declarationTime" in value:
            sub(child, "declarationTime").text = _scalar(value["declarationTime"])
        if "reason" in value:
            sub(child, "reason").text = _urn(vocab.ERROR_REASON, value["reason"])
        if "correctiveEventIDs" in value:
            ids = sub(child, "correctiveEventIDs")
            for event_id in value["correctiveEventIDs"]:
                sub(ids, "correctiveEventID").text = _scalar(event_id)
        for key, item in value.items():
            if key not in ("declarationTime", "reason", "correctiveEventIDs"):
                self.extension(child, key, item, f"{path}.{key}")

    def sensor_element(self, parent: Any, value: dict[str, Any], path: str) -> None:
        sub = etree.SubElement
        child = sub(parent, "sensorElement")
        if "sensorMetadata" in value:
            self.sensor_attributes(
                sub(child, "sensorMetadata"), value["sensorMetadata"], f"{path}.sensorMetadata"
            )
        for index, report in enumerate(value.get("sensorReport", ())):
            self.sensor_attributes(sub(child, "sensorReport"), report, f"{path}.sensorReport[{index}]")
        for key, item in value.items():
            if key not in ("sensorMetadata", "sensorReport"):
                self.extension(child, key, item, f"{path}.{key}")

    def sensor_attributes(self, element: Any, values: dict[str, Any], path: str) -> None:
        for key, value in values.items():
            if key == "#text":
                element.text = _scalar(value)
                continue
            if isinstance(value, dict | list):
                raise ValueError(f"{path}.{key}: a sensor attribute must be a single value")
            writer = _SENSOR_VALUE_WRITERS.get(key)
            element.set(self.qname(key, path), writer(value) if writer is not None else _scalar(value))

    def extension(self, parent: Any, key: str, value: Any, path: str) -> None:
        """A user extension (``##other``): dicts become child elements, lists repeat the element."""
        if isinstance(value, list):
            for item in value:
                self.extension(parent, key, item, path)
            return
        try:
            child = etree.SubElement(parent, self.qname(key, path))
        except ValueError as exc:
            raise ValueError(f"{path}: cannot write {key!r} as an XML element: {exc}") from None
        if isinstance(value, dict):
            for sub_key, sub_value in value.items():
                if sub_key in ("#text", "@value"):
                    child.text = _scalar(sub_value)
                elif sub_key != "@context":
                    self.extension(child, sub_key, sub_value, f"{path}.{sub_key}")
        else:
            child.text = _scalar(value)


def _context_namespaces(context: Any) -> dict[str, str]:
    """Prefix definitions in a JSON-LD ``@context`` (string, dict, or list of them)."""
    found: dict[str, str] = {}
    for item in context if isinstance(context, list) else (context,):
        if isinstance(item, dict):
            for prefix, uri in item.items():
                if isinstance(uri, str) and not prefix.startswith("@"):
                    found[prefix] = uri
    return found


def render_event_xml(event: dict[str, Any], namespaces: dict[str, str]) -> Any:
    """One event dict as an EPCIS 2.0 XML element (element order per EPCglobal-epcis-2_0.xsd)."""
    element = _Writer(namespaces).event(None, event, "event")
    etree.cleanup_namespaces(element)
    return element


def render_query_document_xml(
    *,
    events: Iterable[dict[str, Any]],
    namespaces: dict[str, str],
    query_name: str | None = None,
    subscription_id: str | None = None,
    creation_date: str,
) -> bytes:
    """Query results as an EPCIS 2.0 XML ``epcisq:EPCISQueryDocument`` (EPCglobal-epcis-query-2_0.xsd).

    ``queryName`` is required by the XSD: without ``query_name`` it is ``SimpleEventQuery``, the
    query whose results ``GET /events`` gives.
    """
    writer = _Writer(namespaces)
    nsmap = writer.nsmap()
    nsmap["epcisq"] = NS_QUERY_2
    root = etree.Element(
        f"{{{NS_QUERY_2}}}EPCISQueryDocument",
        {"schemaVersion": "2.0", "creationDate": creation_date},
        nsmap=nsmap,
    )
    body = etree.SubElement(root, "EPCISBody")
    results = etree.SubElement(body, f"{{{NS_QUERY_2}}}QueryResults")
    etree.SubElement(results, "queryName").text = query_name or "SimpleEventQuery"
    if subscription_id is not None:
        etree.SubElement(results, "subscriptionID").text = subscription_id
    event_list = etree.SubElement(etree.SubElement(results, "resultsBody"), "EventList")
    for index, event in enumerate(events):
        writer.event(event_list, event, f"epcisBody.queryResults.resultsBody.eventList[{index}]")
    etree.cleanup_namespaces(root, keep_ns_prefixes=["epcisq"])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
