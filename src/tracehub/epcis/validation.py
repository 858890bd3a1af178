"""Structural and semantic validation of captured EPCIS 2.0 events, and their normalised values.

The platform's one internal form of an EPCIS document is the EPCIS 2.0 JSON-LD form as Python
dicts (XML is converted to it by :mod:`tracehub.epcis.xmlformat`). This module checks that form
against the rules of EPCIS 2.0 §7 (the event types and their fields), the EPCIS 2.0 JSON schema
(``EPCIS-JSON-Schema.json``: required fields, allowed fields, value shapes), the XML schema where
it is the more precise one (``EPCglobal-epcis-2_0.xsd``) and CBV 2.0 (the standard vocabularies),
and adds the semantic checks neither schema makes: a bare word that is not a CBV term, an extension
field without a declared namespace, a malformed GS1 key, a time without a UTC offset.

While checking an event it produces the values the event store indexes (:class:`NormalizedEvent`):
the event time in UTC, canonical CBV values and every identifier under its canonical GS1 key
(:func:`tracehub.identifiers.parse_identifier`) with its role.

Every problem becomes a :class:`FieldError` naming the JSON path of the wrong field from the
document root and saying, in English, what is wrong and what is expected; all errors of a document
are reported, up to :data:`MAX_ERRORS`.

Decisions where the sources disagree (see also ``docs/conformance.md``):

* ``persistentDisposition`` is allowed on all five event types, as in the XSD and the valid
  OpenEPCIS document ``AggregationEvent_with_persistentDisposition``; the JSON schema lists it only
  for ObjectEvent and TransformationEvent.
* A sensorReport may lack ``type``: the XSD and the EPCIS 2.0 data model make it optional, only the
  JSON schema requires it; the same event must not be valid in XML and invalid in JSON-LD. So
  ``SensorData_with_combined_events`` of the OpenEPCIS test resources is captured.
* A sensorReport ``type`` that is neither a standard measurement type nor a URI is accepted: the
  GS1 Web Vocabulary's measurement types grow independently of EPCIS, and valid OpenEPCIS data uses
  ``EffectiveDoseRate``, which the EPCIS 2.0 schema does not list.
* Only the five EPCIS 2.0 event types are captured; the JSON schema's "Extended-Event" (any URI
  as type) has no meaning to the platform's event store and is refused.
* ``EPCISQueryDocument`` is accepted for capture, as the EPCIS 2.0 REST binding (``POST /capture``:
  "should support both EPCISDocument and EPCISQueryDocument") asks; its events are at
  ``epcisBody.queryResults.resultsBody.eventList`` (:func:`event_list_path`).
* A GS1 key that does not parse is refused wherever it appears, on any Digital Link domain: a
  wrong check digit is a wrong identifier. (OpenEPCIS's ``Combination_of_different_event`` and
  1.2 ``All_eventTypes_in_single_document`` carry such a GRAI and are refused.)
* An EPC listed twice in one list is accepted (the XSD allows it, a valid OpenEPCIS XML document
  does it); the index keeps it once. The JSON schema's ``uniqueItems`` is not enforced.
* Element order in XML is invisible in the dict form; refusing XML that breaks the XSD's order is
  the XML reader's job.

This module imports no Django code and is on the hot capture path: it avoids regular expressions,
caches identifier parsing and keeps allocations per event to a minimum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from tracehub.epcis import vocab
from tracehub.epcis.jsonld import ContextError, context_namespaces, expand_term
from tracehub.identifiers import CANONICAL_BASE, IdentifierError, parse_identifier
from tracehub.identifiers.gs1 import dl_encode

__all__ = [
    "MAX_ERRORS",
    "ROLES",
    "SCHEMA_VERSIONS",
    "ErrorDeclarationInfo",
    "FieldError",
    "IndexEntry",
    "NormalizedEvent",
    "check_document",
    "check_document_header",
    "check_event",
    "event_list_path",
    "is_uri",
    "parse_time",
]

#: At most this many errors are reported for one document (or one event); a final entry says so.
MAX_ERRORS = 1000

ROLES = (
    "epc",
    "parent",
    "child",
    "input",
    "output",
    "class",
    "child_class",
    "input_class",
    "output_class",
    "read_point",
    "biz_location",
    "biz_transaction",
    "source",
    "destination",
    "lot",
)

#: Accepted ``schemaVersion`` values: EPCIS 2.0 itself, and the 1.x versions because XML documents
#: of EPCIS 1.0-1.2 are converted to the 2.0 JSON-LD form on capture.
SCHEMA_VERSIONS = frozenset({"2.0", "2", "1.2", "1.1", "1.0"})

#: Storage limits (``tracehub.epcis.models``): an identifier key, a CBV value, a bizTransaction or
#: source/destination type is at most 300 characters, an eventID at most 500. Longer values are
#: refused here so that a capture never fails in the database.
MAX_KEY_LENGTH = 300
MAX_EVENT_ID_LENGTH = 500
#: Identifiers longer than this are not even parsed (nothing in EPCIS comes close).
_MAX_URI_LENGTH = 2048


# ------------------------------------------------------------------------------------------------
# Results.
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem in a captured document."""

    index: int | None  # event index in the document (0-based); None for document-level
    event_id: str | None  # the event's eventID if it has one
    path: str  # JSON path from the document root, e.g. "epcisBody.eventList[3].epcList[0]"
    message: str  # English: what is wrong and what is expected

    def as_dict(self) -> dict[str, Any]:
        """The error as the capture job reports it (EPCIS 2.0 REST binding spelling ``eventID``)."""
        return {"index": self.index, "eventID": self.event_id, "path": self.path, "message": self.message}


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One identifier of an event for the per-identifier index."""

    key: str  # canonical identifier key, or the value itself for a non-GS1 URI
    role: str  # one of ROLES
    qualifier: str = ""  # bizTransaction/source/destination type (canonical CBV word or URI)
    prefix_length: int | None = None  # GS1 company-prefix length when the input told it (EPC URN)


@dataclass(frozen=True, slots=True)
class ErrorDeclarationInfo:
    """The errorDeclaration of an event (EPCIS 2.0 §7.4.1.4)."""

    declaration_time: datetime  # aware, UTC
    reason: str | None  # canonical CBV error reason (bare word) or URI
    corrective_event_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NormalizedEvent:
    """What the event store needs of a valid event, in canonical form."""

    event_type: str
    event_time: datetime  # aware, UTC
    event_time_zone_offset: str  # "+08:00"
    action: str | None
    biz_step: str | None  # canonical (bare CBV word or URI)
    disposition: str | None
    read_point: str | None  # canonical key
    biz_location: str | None
    event_id: str | None  # as given
    error_declaration: ErrorDeclarationInfo | None
    certification: bool  # has certificationInfo
    sensor: bool  # has sensorElementList
    index: tuple[IndexEntry, ...]  # every identifier for the per-identifier index, deduplicated


# ------------------------------------------------------------------------------------------------
# Value checks shared by events and documents.
# ------------------------------------------------------------------------------------------------

_MISSING: Any = object()

#: Every UTC offset EPCIS allows: the JSON schema's eventTimeZoneOffset pattern
#: ``^([+]|[-])((0[0-9]|1[0-3]):([0-5][0-9])|14:00)$``, which is also the offset part of the XSD's
#: DateTimeStamp pattern. A set look-up is faster than any pattern match.
_OFFSETS = frozenset(
    [f"{sign}{hour:02d}:{minute:02d}" for sign in "+-" for hour in range(14) for minute in range(60)]
    + ["+14:00", "-14:00"]
)


def parse_time(value: Any) -> datetime | None:
    """An aware datetime for an EPCIS time stamp, or None if ``value`` is not one.

    EPCIS 2.0 times are xsd:dateTime values *with* a time zone (JSON schema ``time``: format
    date-time, i.e. RFC 3339; XSD ``DateTimeStamp``): ``YYYY-MM-DDThh:mm:ss[.fff…](Z|±hh:mm)``,
    the offset at most 14:00. ``datetime.fromisoformat`` alone would also take a bare date, a
    time without seconds, the basic format and a missing offset, so the shape is checked first.
    """
    if type(value) is not str:
        return None
    length = len(value)
    if (
        length < 20
        or value[10] != "T"
        or value[4] != "-"
        or value[7] != "-"
        or value[13] != ":"
        or value[16] != ":"
        or not value.isascii()
    ):
        return None
    if value[-1] == "Z":
        zone = length - 1
    else:
        zone = length - 6
        if value[zone:] not in _OFFSETS:
            return None
    if zone != 19 and (zone < 21 or value[19] != "." or not value[20:zone].isdigit()):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _to_utc(moment: datetime) -> datetime | None:
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 has no UTC equivalent in datetime's range
        return None


_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")
#: Characters RFC 3986 / RFC 3987 never allow in a URI: white space, controls and ``<>"{}|\^```.
_NOT_IN_URI = frozenset(' <>"{}|\\^`\x7f' + "".join(chr(code) for code in range(0x20)))


def is_uri(value: Any) -> bool:
    """True for an absolute URI (RFC 3986 §3: ``scheme ":" …``), IRIs with non-ASCII letters included.

    This is what the JSON schema's ``format: uri`` and the XSD's ``xsd:anyURI`` mean for EPCIS
    identifiers and user vocabulary; it takes ``urn:…``, ``https://…``, ``ni:///…`` and a CURIE such
    as ``ext1:summarising_discharge`` alike.
    """
    if type(value) is not str:
        return False
    colon = value.find(":")
    if colon < 1 or colon == len(value) - 1:
        return False
    first = value[0]
    if not ("a" <= first <= "z" or "A" <= first <= "Z"):
        return False
    return _SCHEME_CHARS.issuperset(value[:colon]) and _NOT_IN_URI.isdisjoint(value)


def _show(value: Any) -> str:
    """A value for an error message: quoted and shortened; a list or object by its kind."""
    if isinstance(value, str):
        return repr(value if len(value) <= 120 else value[:117] + "...")
    if isinstance(value, list | dict):
        return _kind(value)  # never the repr of a whole structure, which may be huge
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _kind(value: Any) -> str:
    """The JSON kind of a value, for messages such as "must be a list, not a string"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _is_whole(value: int | float | Decimal) -> bool:
    if type(value) is float:
        return value.is_integer()
    if type(value) is Decimal:
        return value == value.to_integral_value()
    return True


def _is_number(value: Any) -> bool:
    # bool is an int subclass in Python but not a JSON number.
    kind = type(value)
    if kind is int:
        return True
    if kind is float:
        return math.isfinite(value)
    if kind is Decimal:
        return value.is_finite()
    return False


# (key, prefix_length, scheme, is_class, error): one identifier analysed, cached because the same
# EPCs, locations and classes recur in event after event.
_IdInfo = tuple[str, int | None, str | None, bool, str | None]


def _analyse_identifier(value: str) -> _IdInfo:
    if len(value) > _MAX_URI_LENGTH:
        return value, None, None, False, f"an identifier of {len(value)} characters is far too long"
    if not is_uri(value):
        problem = (
            f"{_show(value)} is not a URI; EPCIS identifiers are URIs: an EPC URN (urn:epc:id:…), "
            "a GS1 Digital Link URI (https://id.gs1.org/…) or another absolute URI"
        )
        return value, None, None, False, problem
    try:
        gs1 = parse_identifier(value)
    except IdentifierError as exc:
        return value, None, None, False, str(exc)
    if gs1 is None:
        key, prefix_length, scheme, is_class = value, None, None, False
    else:
        key, prefix_length, scheme, is_class = gs1.key, gs1.company_prefix_length, gs1.scheme, gs1.is_class
    if len(key) > MAX_KEY_LENGTH:
        problem = (
            f"identifier {_show(value)} is {len(key)} characters long; at most {MAX_KEY_LENGTH} are stored"
        )
        return key, None, None, False, problem
    return key, prefix_length, scheme, is_class, None


_identifier_cached = lru_cache(maxsize=1 << 16)(_analyse_identifier)


def _identifier(value: str) -> _IdInfo:
    # Only short values are cached, so that a flood of huge strings cannot fill the memory.
    return _identifier_cached(value) if len(value) <= MAX_KEY_LENGTH else _analyse_identifier(value)


#: IndexEntry instances are immutable and recur: one shared instance per distinct entry.
_entry = lru_cache(maxsize=1 << 17)(IndexEntry)

#: EPC schemes that name a location: a readPoint or bizLocation is an SGLN (EPC URN or GS1
#: Digital Link with AI 414 [+ 254]) or a URI that is not a GS1 key (EPCIS 2.0 §7.3, "where").
_LOCATION_SCHEMES = frozenset({"sgln"})

_PREFIX_HINT = "an extension field is named 'prefix:name' with a prefix declared in @context"


def _extension_problem(key: Any, namespaces: dict[str, str], where: str) -> str | None:
    """Why ``key`` is not an acceptable extension field name, or None when it is one.

    EPCIS 2.0 extension mechanism / JSON schema ``vocab-uri``: beyond its own terms, an object holds only
    extension fields named by a URI; in JSON-LD that is a compact IRI ``prefix:name`` whose prefix
    a ``@context`` declares (without it the term does not expand and the field would be lost),
    or an absolute ``http(s)://`` / ``urn:`` IRI.
    """
    if type(key) is not str:
        return f"field name {_show(key)} is not a string"
    colon = key.find(":")
    if colon <= 0 or colon == len(key) - 1:
        return f"unknown field {_show(key)} in {where}: it is not an EPCIS 2.0 field, and {_PREFIX_HINT}"
    prefix = key[:colon]
    if prefix in namespaces:
        return None
    if key.startswith(("http://", "https://", "urn:")) and is_uri(key):
        return None
    return (
        f"extension field {_show(key)} in {where} uses the prefix {prefix!r}, which no @context declares; "
        f"{_PREFIX_HINT}"
    )


#: CBV master-data namespace (CBV 2.0 §8): ``urn:epcglobal:cbv:mda`` in XML, with a ``:`` in the
#: EPCIS 2.0 JSON-LD context; some documents end it with ``#``.
_CBV_MDA = "urn:epcglobal:cbv:mda"


def _is_lot_number(key: str, namespaces: dict[str, str]) -> bool:
    """Whether ILMD field ``key`` is the CBV master-data attribute ``lotNumber``."""
    if not key.endswith("lotNumber"):
        return False
    try:
        expanded = expand_term(key, namespaces)
    except ContextError:
        return False
    return expanded is not None and expanded[1] == "lotNumber" and expanded[0].rstrip(":#/") == _CBV_MDA


@lru_cache(maxsize=1 << 14)
def _lot_class_key(gtin: str, lot: str) -> str | None:
    """The canonical key of GTIN + lot (``01/{GTIN}/10/{lot}``), or None for a lot GS1 cannot encode."""
    try:
        gs1 = parse_identifier(f"{CANONICAL_BASE}/01/{gtin}/10/{dl_encode(lot)}")
    except IdentifierError:
        return None
    return gs1.key if gs1 is not None and gs1.scheme == "lgtin" else None


# ------------------------------------------------------------------------------------------------
# Vocabularies beyond vocab.py: sensor data (EPCIS 2.0 §7.3, sensorElementList; JSON schema
# definitions measurementType, sensorAlertType, component, uom).
# ------------------------------------------------------------------------------------------------

_GS1_VOC = (
    "https://gs1.org/voc/",
    "http://gs1.org/voc/",
    "https://www.gs1.org/voc/",
    "http://www.gs1.org/voc/",
)
_ALERT_TYPES = frozenset({"ALARM_CONDITION", "ERROR_CONDITION"})
_COMPONENTS = frozenset(
    {
        "x", "y", "z", "axial_distance", "azimuth", "height", "spherical_radius", "polar_angle",
        "elevation_angle", "easting", "northing", "latitude", "longitude", "altitude",
    }
)  # fmt: skip
_COMPONENT_PREFIXES = ("https://ref.gs1.org/cbv/Comp-", "cbv:Comp-")

#: UN/ECE Recommendation 20 units of the CBV sensor measurement types whose units are few and
#: certain (see :func:`_uom_problem` for how uom values are checked).
SENSOR_UNITS: dict[str, frozenset[str]] = {
    "Temperature": frozenset({"CEL", "FAH", "KEL", "A48"}),
    # kilogram, gram, milligram, microgram, tonne, pound, ounce, decagram, hectogram, centigram,
    # decigram, kilotonne, short ton, long ton, troy ounce, megagram.
    "Mass": frozenset(
        {
            "KGM",
            "GRM",
            "MGM",
            "MC",
            "TNE",
            "LBR",
            "ONZ",
            "DJ",
            "HGM",
            "CGM",
            "DG",
            "KTN",
            "STN",
            "LTN",
            "APZ",
            "2U",
        }
    ),  # fmt: skip
    # metre, centimetre, millimetre, decimetre, kilometre, micrometre, nanometre, angstrom, inch,
    # foot, yard, mile, nautical mile.
    "Length": frozenset(
        {"MTR", "CMT", "MMT", "DMT", "KMT", "4H", "C45", "A11", "INH", "FOT", "YRD", "SMI", "NMI"}
    ),
}
_UOM_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _uom_problem(value: Any) -> str | None:
    """Why ``value`` is not a unit of measure, or None.

    EPCIS 2.0 gives every ``uom`` (quantity elements and sensor reports) as a UN/ECE Recommendation
    20 common code. The full code list (about 2,000 codes, revised every year) is deliberately not
    embedded: every uom is checked for the *shape* of a common code, 2-3 upper-case letters or
    digits (the JSON schema's ``uom`` pattern ``^[A-Z0-9]{2,3}$``). In addition a sensor report of
    one of the measurement types in :data:`SENSOR_UNITS` (Temperature, Mass, Length) must use one
    of the units listed there, so that a temperature in kilograms is refused and queries can convert
    between units of one kind; other measurement types get the shape check only.
    """
    if type(value) is not str or not 2 <= len(value) <= 3 or not _UOM_CHARS.issuperset(value):
        return (
            f"uom {_show(value)} is not a UN/ECE Recommendation 20 common code "
            "(2 or 3 upper-case letters or digits, e.g. 'KGM', 'CEL', 'MTR')"
        )
    return None


# ------------------------------------------------------------------------------------------------
# Event types and their fields (EPCIS 2.0 §7.4; JSON schema definitions ObjectEvent … AssociationEvent).
# ------------------------------------------------------------------------------------------------

_COMMON = frozenset(
    {"@context", "type", "eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "certificationInfo",
     "errorDeclaration"}
)  # fmt: skip
_WHAT_WHERE_WHY = frozenset(
    {"bizStep", "disposition", "persistentDisposition", "readPoint", "bizLocation", "bizTransactionList",
     "sourceList", "destinationList", "sensorElementList"}
)  # fmt: skip
_FIELDS: dict[str, frozenset[str]] = {
    "ObjectEvent": _COMMON | _WHAT_WHERE_WHY | {"action", "epcList", "quantityList", "ilmd"},
    "AggregationEvent": _COMMON | _WHAT_WHERE_WHY | {"action", "parentID", "childEPCs", "childQuantityList"},
    "TransactionEvent": _COMMON | _WHAT_WHERE_WHY | {"action", "parentID", "epcList", "quantityList"},
    "TransformationEvent": _COMMON
    | _WHAT_WHERE_WHY
    | {
        "inputEPCList",
        "inputQuantityList",
        "outputEPCList",
        "outputQuantityList",
        "transformationID",
        "ilmd",
    },
    "AssociationEvent": _COMMON | _WHAT_WHERE_WHY | {"action", "parentID", "childEPCs", "childQuantityList"},
}
_ALL_EVENT_FIELDS = frozenset().union(*_FIELDS.values())
_A = {name: ("an " if name[0] in "AO" else "a ") + name for name in _FIELDS}
_TYPES_TEXT = ", ".join(vocab.EVENT_TYPES)

_QUANTITY_FIELDS = frozenset({"epcClass", "quantity", "uom"})
_BIZ_TRANSACTION_FIELDS = frozenset({"type", "bizTransaction"})
_ERROR_DECLARATION_FIELDS = frozenset({"declarationTime", "reason", "correctiveEventIDs"})
_SENSOR_ELEMENT_FIELDS = frozenset({"sensorMetadata", "sensorReport"})
_SENSOR_METADATA_URIS = ("deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules")
_SENSOR_METADATA_TIMES = ("time", "startTime", "endTime")
_SENSOR_METADATA_FIELDS = frozenset(_SENSOR_METADATA_URIS + _SENSOR_METADATA_TIMES)
_SENSOR_REPORT_URIS = (
    "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules", "microorganism",
    "chemicalSubstance", "coordinateReferenceSystem", "uriValue",
)  # fmt: skip
_SENSOR_REPORT_NUMBERS = ("value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue")
_SENSOR_REPORT_FIELDS = frozenset(
    _SENSOR_REPORT_URIS
    + _SENSOR_REPORT_NUMBERS
    + ("type", "exception", "time", "component", "stringValue", "booleanValue", "hexBinaryValue", "uom")
)
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


class _Checker:
    """The state of checking one event: where it is, its namespaces, errors and index entries."""

    __slots__ = ("index", "event_id", "base", "ns", "errors", "entries", "overflow")

    def __init__(self, index: int | None, event_id: str | None, base: str, ns: dict[str, str]) -> None:
        self.index = index
        self.event_id = event_id
        self.base = base
        self.ns = ns
        self.errors: list[FieldError] = []
        self.entries: list[tuple[str, str, str, int | None]] = []
        self.overflow = False

    def err(self, path: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(FieldError(self.index, self.event_id, self.base + path, message))
        else:
            self.overflow = True

    # -- simple values ----------------------------------------------------------------------------

    def time(self, path: str, value: Any, name: str) -> datetime | None:
        moment = parse_time(value)
        if moment is None:
            self.err(
                path,
                f"{name} {_show(value)} is not a valid time: expected an ISO 8601 / RFC 3339 date-time with "
                "seconds and a UTC offset, e.g. '2024-03-01T08:30:00.000+08:00' or '2024-03-01T00:30:00Z'",
            )
            return None
        utc = _to_utc(moment)
        if utc is None:
            self.err(path, f"{name} {_show(value)} is outside the representable range of times")
        return utc

    def uri(self, path: str, value: Any, name: str) -> bool:
        if is_uri(value):
            return True
        self.err(path, f"{name} must be a URI (e.g. 'https://example.com/…' or 'urn:…'), not {_show(value)}")
        return False

    def string(self, path: str, value: Any, name: str) -> None:
        if type(value) is not str:
            self.err(path, f"{name} must be a string, not {_kind(value)}")

    def obj(self, path: str, value: Any, name: str) -> bool:
        if isinstance(value, dict):
            return True
        self.err(path, f"{name} must be a JSON object, not {_kind(value)}")
        return False

    def lst(self, path: str, value: Any, name: str) -> bool:
        if type(value) is list:
            return True
        self.err(path, f"{name} must be a list, not {_kind(value)}")
        return False

    def keys(self, path: str, value: dict, allowed: frozenset[str], name: str, *, extensions: bool) -> None:
        """Refuse fields of ``value`` outside ``allowed`` (and, if ``extensions``, outside prefix:name)."""
        for key in value:
            if key in allowed:
                continue
            if extensions:
                problem = _extension_problem(key, self.ns, name)
                if problem is not None:
                    self.err(f"{path}.{key}", problem)
            else:
                expected = ", ".join(sorted(allowed))
                self.err(f"{path}.{key}", f"unknown field {_show(key)} in {name}; the fields are: {expected}")

    def cbv(self, path: str, value: Any, vocabulary: vocab.Vocabulary, name: str) -> str | None:
        """Canonical form of a CBV-typed value: the bare word of a standard term, else the URI.

        CBV 2.0 §6 and §8.2, EPCIS 2.0 §7.3: a standard term in any spelling (bare word, URN,
        GS1 Web URI, ``cbv:`` compact IRI), or a URI for a user-defined term. A compact IRI with a
        declared prefix is expanded (JSON-LD ``@type: @vocab`` does the same). A bare word that is
        not a CBV term, or a CBV URI naming no term, is refused.
        """
        if type(value) is not str:
            self.err(path, f"{name} must be a string (a CBV term or a URI), not {_kind(value)}")
            return None
        if value in vocabulary.terms:  # the common case, before the cached look-up of other spellings
            return value
        word = vocabulary.canonical(value)
        if word is not None:
            return word
        canonical = value
        colon = value.find(":")
        if colon > 0 and not value.startswith("//", colon + 1):
            iri = self.ns.get(value[:colon])
            if iri is not None:
                canonical = iri + value[colon + 1 :]
                word = vocabulary.canonical(canonical)
                if word is not None:
                    return word
        if canonical.startswith((vocabulary.urn_prefix, vocabulary.web_prefix, _cbv_curie(vocabulary))):
            self.err(
                path, f"{name} {_show(value)} names no CBV 2.0 {vocabulary.name}; {_terms_hint(vocabulary)}"
            )
            return None
        if colon > 0 and is_uri(canonical):
            if len(canonical) > MAX_KEY_LENGTH:
                self.err(path, f"{name} {_show(value)} is longer than {MAX_KEY_LENGTH} characters")
                return None
            return canonical
        self.err(
            path,
            f"{name} {_show(value)} is not a CBV 2.0 {vocabulary.name}; {_terms_hint(vocabulary)}, "
            "or a URI for a user-defined one",
        )
        return None

    # -- identifiers ------------------------------------------------------------------------------

    def identifier(self, path: str, value: Any, name: str) -> _IdInfo | None:
        if type(value) is not str:
            self.err(path, f"{name} must be a URI string, not {_kind(value)}")
            return None
        info = _identifier(value)
        if info[4] is not None:
            self.err(path, f"{name}: {info[4]}")
            return None
        return info

    def epcs(self, field: str, value: Any, role: str) -> bool:
        """An EPC list (EPCIS 2.0 §7.3, EPC): instance-level identifiers; True when non-empty."""
        if type(value) is not list:
            self.err(field, f"{field} must be a list of URIs, not {_kind(value)}")
            return False
        entries = self.entries
        for position, epc in enumerate(value):
            if type(epc) is str:
                info = _identifier(epc)
                if info[4] is None and not info[3]:
                    entries.append((info[0], role, "", info[1]))
                    continue
            info = self.identifier(f"{field}[{position}]", epc, field)
            if info is not None:  # a class-level key
                self.err(
                    f"{field}[{position}]",
                    f"{_show(epc)} identifies a class of objects, not one object; {field} takes instance "
                    "identifiers (SGTIN, SSCC, GRAI with serial …); a class and its quantity go in a "
                    "quantity list",
                )
        # An EPC listed twice is accepted: the XSD allows it (valid OpenEPCIS data does it) and the
        # index keeps each identifier once; the JSON schema's uniqueItems is not enforced.
        return bool(value)

    def quantities(self, field: str, value: Any, role: str) -> bool:
        """A quantity list (EPCIS 2.0 §7.3, QuantityElement; JSON schema ``quantityElement``).

        True when non-empty.
        """
        if type(value) is not list:
            self.err(field, f"{field} must be a list of quantity elements, not {_kind(value)}")
            return False
        for position, element in enumerate(value):
            path = f"{field}[{position}]"
            if not self.obj(path, element, "a quantity element"):
                continue
            if not _QUANTITY_FIELDS.issuperset(element):
                self.keys(path, element, _QUANTITY_FIELDS, "a quantity element", extensions=False)
            epc_class = element.get("epcClass", _MISSING)
            if epc_class is _MISSING:
                self.err(f"{path}.epcClass", "epcClass is required in a quantity element")
            else:
                info = self.identifier(f"{path}.epcClass", epc_class, "epcClass")
                if info is not None:
                    if info[2] is not None and not info[3]:
                        self.err(
                            f"{path}.epcClass",
                            f"{_show(epc_class)} identifies one object, not a class; epcClass takes a "
                            "class identifier (GTIN, GTIN + lot, e.g. urn:epc:class:lgtin:…, "
                            "urn:epc:idpat:sgtin:….*)",
                        )
                    else:
                        self.entries.append((info[0], role, "", info[1]))
            quantity = element.get("quantity", _MISSING)
            uom = element.get("uom", _MISSING)
            if quantity is not _MISSING:
                if not _is_number(quantity):
                    self.err(f"{path}.quantity", f"quantity must be a number, not {_show(quantity)}")
                elif quantity < 0:
                    self.err(f"{path}.quantity", f"quantity {quantity} is negative; it must be 0 or more")
                elif uom is _MISSING and not _is_whole(quantity):
                    # EPCIS 2.0 §7.3 QuantityElement: without a uom the quantity counts instances
                    # of the class, so it is a whole number.
                    self.err(
                        f"{path}.quantity",
                        f"quantity {quantity} without a uom counts objects and must be a whole number; "
                        "give a uom for a measured amount",
                    )
            if uom is not _MISSING:
                problem = _uom_problem(uom)
                if problem is not None:
                    self.err(f"{path}.uom", problem)
                elif quantity is _MISSING:
                    # XSD QuantityElementType: uom only follows a quantity.
                    self.err(f"{path}.uom", "a uom needs a quantity in the same quantity element")
        return bool(value)

    def single_id(self, field: str, value: Any, role: str) -> None:
        """parentID (EPCIS 2.0 §7.4): one instance-level identifier."""
        info = self.identifier(field, value, field)
        if info is None:
            return
        if info[3]:
            self.err(field, f"{field} {_show(value)} identifies a class of objects; {field} names one object")
            return
        self.entries.append((info[0], role, "", info[1]))

    def location(self, field: str, value: Any, role: str) -> str | None:
        """readPoint / bizLocation (EPCIS 2.0 §7.3): ``{"id": location URI}`` plus extensions."""
        if not self.obj(field, value, field):
            return None
        location = value.get("id", _MISSING)
        if len(value) != 1 or location is _MISSING:
            self.keys(field, value, _ID_ONLY, field, extensions=True)
        if location is _MISSING:
            self.err(f"{field}.id", f"{field}.id is required")
            return None
        info = self.identifier(f"{field}.id", location, f"{field}.id")
        if info is None:
            return None
        if info[2] is not None and info[2] not in _LOCATION_SCHEMES:
            self.err(
                f"{field}.id",
                f"{field}.id {_show(location)} is a GS1 {info[2].upper()} key, not a location; use an SGLN "
                "(urn:epc:id:sgln:… or a GS1 Digital Link with AI 414) or another location URI",
            )
            return None
        self.entries.append((info[0], role, "", info[1]))
        return info[0]

    def biz_transactions(self, field: str, value: Any) -> bool:
        """bizTransactionList (EPCIS 2.0 §7.3, JSON schema ``bizTransaction``): no other fields."""
        if not self.lst(field, value, field):
            return False
        for position, item in enumerate(value):
            path = f"{field}[{position}]"
            if not self.obj(path, item, "a business transaction"):
                continue
            if not _BIZ_TRANSACTION_FIELDS.issuperset(item):
                self.keys(path, item, _BIZ_TRANSACTION_FIELDS, "a business transaction", extensions=False)
            qualifier = ""
            kind = item.get("type", _MISSING)
            if kind is not _MISSING:
                qualifier = (
                    self.cbv(f"{path}.type", kind, vocab.BIZ_TRANSACTION_TYPE, "bizTransaction type") or ""
                )
            ident = item.get("bizTransaction", _MISSING)
            if ident is _MISSING:
                self.err(f"{path}.bizTransaction", "bizTransaction (the transaction's URI) is required")
                continue
            info = self.identifier(f"{path}.bizTransaction", ident, "bizTransaction")
            if info is not None:
                self.entries.append((info[0], "biz_transaction", qualifier, info[1]))
        return bool(value)

    def parties(self, field: str, value: Any, member: str) -> None:
        """sourceList / destinationList (EPCIS 2.0 §7.3; JSON schema ``source``, ``destination``).

        Each item is ``{"type", "source"}`` (or ``"destination"``), both required, nothing else.
        """
        if not self.lst(field, value, field):
            return
        allowed = _SOURCE_FIELDS if member == "source" else _DESTINATION_FIELDS
        for position, item in enumerate(value):
            path = f"{field}[{position}]"
            if not self.obj(path, item, f"a {member}"):
                continue
            if not allowed.issuperset(item):
                self.keys(path, item, allowed, f"a {member}", extensions=False)
            kind = item.get("type", _MISSING)
            qualifier = None
            if kind is _MISSING:
                self.err(f"{path}.type", f"type is required in a {member} (e.g. 'owning_party', 'location')")
            else:
                qualifier = self.cbv(f"{path}.type", kind, vocab.SOURCE_DEST_TYPE, f"{member} type")
            ident = item.get(member, _MISSING)
            if ident is _MISSING:
                self.err(f"{path}.{member}", f"{member} (the party's or location's URI) is required")
                continue
            info = self.identifier(f"{path}.{member}", ident, member)
            if info is not None and qualifier is not None:
                self.entries.append((info[0], member, qualifier, info[1]))

    # -- the rest of the event --------------------------------------------------------------------

    def persistent_disposition(self, field: str, value: Any) -> None:
        """persistentDisposition (EPCIS 2.0 §7.3; JSON schema ``persistentDisposition``)."""
        if not self.obj(field, value, field):
            return
        if not _SET_UNSET.issuperset(value):
            self.keys(field, value, _SET_UNSET, field, extensions=False)
        if "set" not in value and "unset" not in value:
            self.err(f"{field}.set", "persistentDisposition needs 'set', 'unset' or both")
        for part in ("set", "unset"):
            items = value.get(part, _MISSING)
            if items is _MISSING:
                continue
            path = f"{field}.{part}"
            if not self.lst(path, items, path):
                continue
            if not items:
                self.err(path, f"{part} must list at least one disposition")
            for position, item in enumerate(items):
                self.cbv(f"{path}[{position}]", item, vocab.DISPOSITION, "disposition")
            words = [item for item in items if type(item) is str]
            if len(set(words)) < len(words):
                self.err(path, f"{part} lists a disposition twice")

    def certification(self, field: str, value: Any) -> None:
        """certificationInfo (JSON schema ``certificationInfo``): a URI or a list of URIs."""
        if type(value) is list:
            for position, item in enumerate(value):
                self.uri(f"{field}[{position}]", item, "certificationInfo")
        else:
            self.uri(field, value, "certificationInfo (a URI or a list of URIs)")

    def error_declaration(self, field: str, value: Any) -> ErrorDeclarationInfo | None:
        """errorDeclaration (EPCIS 2.0 §7.4.1.4; JSON schema ``errorDeclaration``)."""
        if not self.obj(field, value, field):
            return None
        if not _ERROR_DECLARATION_FIELDS.issuperset(value):
            self.keys(field, value, _ERROR_DECLARATION_FIELDS, field, extensions=True)
        when = value.get("declarationTime", _MISSING)
        declared = None
        if when is _MISSING:
            self.err(f"{field}.declarationTime", "declarationTime is required in an errorDeclaration")
        else:
            declared = self.time(f"{field}.declarationTime", when, "declarationTime")
        reason = value.get("reason", _MISSING)
        canonical_reason = None
        if reason is not _MISSING:
            canonical_reason = self.cbv(f"{field}.reason", reason, vocab.ERROR_REASON, "error reason")
        corrective = value.get("correctiveEventIDs", _MISSING)
        corrective_ids: tuple[str, ...] = ()
        if corrective is not _MISSING and self.lst(
            f"{field}.correctiveEventIDs", corrective, "correctiveEventIDs"
        ):
            for position, item in enumerate(corrective):
                self.uri(f"{field}.correctiveEventIDs[{position}]", item, "a corrective eventID")
            corrective_ids = tuple(item for item in corrective if type(item) is str)
        if declared is None:
            return None
        return ErrorDeclarationInfo(declared, canonical_reason, corrective_ids)

    def ilmd(self, field: str, value: Any) -> str | None:
        """ilmd (EPCIS 2.0 §7.3): only extension fields (JSON schema ``ilmd``: URI property names).

        Returns the CBV master-data lot number (``cbvmda:lotNumber``, CBV 2.0 §8) when one is given.
        """
        lot = None
        if self.obj(field, value, field):
            for key in value:
                problem = _extension_problem(key, self.ns, "ilmd")
                if problem is not None:
                    self.err(f"{field}.{key}", problem)
                elif lot is None and type(value[key]) is str and _is_lot_number(key, self.ns):
                    lot = value[key]
        return lot

    def lot_entries(self, lot: str, roles: tuple[str, str]) -> None:
        """Index an ILMD lot under its class (role ``lot``) for the objects this event creates.

        An instance commissioned with a lot number belongs to that lot's class
        ``01/{GTIN}/10/{lot}`` (issue #4, O2): the index row lets a lot's forward trace find the
        serialised items of the lot. Instances (SGTIN) and GTIN-only quantities of the event's
        ``roles`` (``epc``/``class`` or ``output``/``output_class``) get one row per GTIN.
        """
        instance_role, class_role = roles
        for key, role, _qualifier, _length in list(self.entries):
            if role == instance_role and key.startswith("01/") and "/21/" in key:
                gtin = key[3:17]
            elif role == class_role and key.startswith("01/") and len(key) == 17:
                gtin = key[3:]
            else:
                continue
            lot_key = _lot_class_key(gtin, lot)
            if lot_key is not None:
                self.entries.append((lot_key, "lot", "", None))

    def sensors(self, field: str, value: Any) -> bool:
        """sensorElementList (EPCIS 2.0 §7.3; JSON schema ``sensorElement``); True when non-empty."""
        if not self.lst(field, value, field):
            return False
        for position, element in enumerate(value):
            path = f"{field}[{position}]"
            if not self.obj(path, element, "a sensorElement"):
                continue
            if not _SENSOR_ELEMENT_FIELDS.issuperset(element):
                self.keys(path, element, _SENSOR_ELEMENT_FIELDS, "a sensorElement", extensions=True)
            metadata = element.get("sensorMetadata", _MISSING)
            if metadata is not _MISSING:
                self.sensor_metadata(f"{path}.sensorMetadata", metadata)
            reports = element.get("sensorReport", _MISSING)
            if reports is _MISSING:
                self.err(f"{path}.sensorReport", "a sensorElement needs a sensorReport list")
                continue
            if not self.lst(f"{path}.sensorReport", reports, "sensorReport"):
                continue
            if not reports:
                self.err(f"{path}.sensorReport", "sensorReport must hold at least one report")
            for number, report in enumerate(reports):
                self.sensor_report(f"{path}.sensorReport[{number}]", report)
        return bool(value)

    def sensor_metadata(self, path: str, value: Any) -> None:
        if not self.obj(path, value, "sensorMetadata"):
            return
        if not _SENSOR_METADATA_FIELDS.issuperset(value):
            self.keys(path, value, _SENSOR_METADATA_FIELDS, "sensorMetadata", extensions=True)
        for name in _SENSOR_METADATA_TIMES:
            item = value.get(name, _MISSING)
            if item is not _MISSING:
                self.time(f"{path}.{name}", item, name)
        for name in _SENSOR_METADATA_URIS:
            item = value.get(name, _MISSING)
            if item is not _MISSING:
                self.uri(f"{path}.{name}", item, name)

    def sensor_report(self, path: str, value: Any) -> None:
        if not self.obj(path, value, "a sensorReport"):
            return
        if not _SENSOR_REPORT_FIELDS.issuperset(value):
            self.keys(path, value, _SENSOR_REPORT_FIELDS, "a sensorReport", extensions=True)
        kind = value.get("type", _MISSING)
        measurement = None
        if kind is _MISSING:
            # Optional: the XSD (SensorReportType, use="optional") and the EPCIS 2.0 data model let
            # a report carry no measurement type (an alert or a string reading); only the JSON
            # schema requires it. One rule for both bindings: accept (docs/conformance.md).
            pass
        elif type(kind) is not str or not kind or not _NOT_IN_URI.isdisjoint(kind):
            self.err(
                f"{path}.type",
                f"type must be a measurement type such as 'Temperature' or a URI, not {_show(kind)}",
            )
        else:
            measurement = _measurement_word(kind, self.ns)
        exception = value.get("exception", _MISSING)
        if exception is not _MISSING and not _alert_ok(exception, self.ns):
            self.err(
                f"{path}.exception",
                f"exception {_show(exception)} must be ALARM_CONDITION, ERROR_CONDITION or a URI that is not "
                "in the GS1 Web Vocabulary",
            )
        component = value.get("component", _MISSING)
        if component is not _MISSING and not _component_ok(component):
            self.err(
                f"{path}.component",
                f"component {_show(component)} must be a CBV component ("
                + ", ".join(sorted(_COMPONENTS))
                + ") or a URI",
            )
        for name in _SENSOR_REPORT_NUMBERS:
            item = value.get(name, _MISSING)
            if item is not _MISSING and not _is_number(item):
                self.err(f"{path}.{name}", f"{name} must be a number, not {_show(item)}")
        for name in _SENSOR_REPORT_URIS:
            item = value.get(name, _MISSING)
            if item is not _MISSING:
                self.uri(f"{path}.{name}", item, name)
        item = value.get("time", _MISSING)
        if item is not _MISSING:
            self.time(f"{path}.time", item, "time")
        item = value.get("stringValue", _MISSING)
        if item is not _MISSING:
            self.string(f"{path}.stringValue", item, "stringValue")
        item = value.get("booleanValue", _MISSING)
        if item is not _MISSING and type(item) is not bool:
            self.err(f"{path}.booleanValue", f"booleanValue must be true or false, not {_show(item)}")
        item = value.get("hexBinaryValue", _MISSING)
        if item is not _MISSING and (type(item) is not str or not item or not _HEX_DIGITS.issuperset(item)):
            self.err(
                f"{path}.hexBinaryValue", f"hexBinaryValue must be hexadecimal digits, not {_show(item)}"
            )
        uom = value.get("uom", _MISSING)
        if uom is not _MISSING:
            problem = _uom_problem(uom)
            if problem is not None:
                self.err(f"{path}.uom", problem)
            elif measurement in SENSOR_UNITS and uom not in SENSOR_UNITS[measurement]:
                self.err(
                    f"{path}.uom",
                    f"uom {uom!r} is not a unit of {measurement}; expected one of "
                    + ", ".join(sorted(SENSOR_UNITS[measurement])),
                )


@lru_cache(maxsize=16)
def _cbv_curie(vocabulary: vocab.Vocabulary) -> str:
    # The compact form of the vocabulary's Web URI prefix under the standard 'cbv' prefix.
    return "cbv:" + vocabulary.web_prefix.rsplit("/", 1)[-1]


@lru_cache(maxsize=16)
def _terms_hint(vocabulary: vocab.Vocabulary) -> str:
    terms = sorted(vocabulary.terms)
    if len(terms) <= 15:
        return "the standard terms are " + ", ".join(terms)
    return f"the {len(terms)} standard terms are listed in CBV 2.0 §7 (e.g. {', '.join(terms[:4])} …)"


_ID_ONLY = frozenset({"id"})
_SET_UNSET = frozenset({"set", "unset"})
_SOURCE_FIELDS = frozenset({"type", "source"})
_DESTINATION_FIELDS = frozenset({"type", "destination"})


def _measurement_word(kind: str, namespaces: dict[str, str]) -> str | None:
    """The GS1 Web Vocabulary term of a measurement type (``gs1:Temperature`` -> ``Temperature``)."""
    if ":" not in kind:
        return kind
    expanded = kind
    prefix, _, rest = kind.partition(":")
    iri = namespaces.get(prefix)
    if iri is not None:
        expanded = iri + rest
    elif prefix == "gs1":
        expanded = _GS1_VOC[0] + rest
    for base in _GS1_VOC:
        if expanded.startswith(base):
            return expanded[len(base) :]
    return None


def _alert_ok(value: Any, namespaces: dict[str, str]) -> bool:
    # JSON schema sensorAlertType: ALARM_CONDITION / ERROR_CONDITION (bare or gs1:) or a URI
    # outside the GS1 Web Vocabulary.
    if type(value) is not str:
        return False
    if value in _ALERT_TYPES:
        return True
    word = _measurement_word(value, namespaces)
    if word is not None and ":" in value:
        return word in _ALERT_TYPES
    return ":" in value and is_uri(value)


def _component_ok(value: Any) -> bool:
    # JSON schema component: a CBV component word (bare, cbv:Comp-…, https://ref.gs1.org/cbv/Comp-…)
    # or another URI.
    if type(value) is not str:
        return False
    if value in _COMPONENTS:
        return True
    for prefix in _COMPONENT_PREFIXES:
        if value.startswith(prefix):
            return value[len(prefix) :] in _COMPONENTS
    return is_uri(value)


# ------------------------------------------------------------------------------------------------
# check_event.
# ------------------------------------------------------------------------------------------------


def check_event(
    event: dict, *, index: int | None, path_prefix: str, namespaces: dict[str, str]
) -> tuple[NormalizedEvent | None, list[FieldError]]:
    """Check one event; its normalised values when it is valid, and every error found.

    ``path_prefix`` is the event's JSON path in its document (``epcisBody.eventList[3]``), or ``""``
    for a single-event capture; ``namespaces`` the prefixes its document's ``@context`` declares
    (an ``@context`` on the event itself adds to them).
    """
    base = f"{path_prefix}." if path_prefix else ""
    if not isinstance(event, dict):
        return None, [
            FieldError(index, None, path_prefix or "$", f"an event must be a JSON object, not {_kind(event)}")
        ]
    get = event.get
    event_id = get("eventID")
    if type(event_id) is not str:
        event_id = None
    c = _Checker(index, event_id, base, namespaces)

    context = get("@context", _MISSING)
    if context is not _MISSING:
        try:
            c.ns = context_namespaces(context, namespaces)
        except ContextError as exc:
            c.err("@context", str(exc))

    event_type = get("type", _MISSING)
    fields = _FIELDS.get(event_type) if type(event_type) is str else None
    if fields is None:
        if event_type is _MISSING:
            c.err("type", f"type is required: one of {_TYPES_TEXT}")
        else:
            c.err(
                "type",
                f"type {_show(event_type)} is not an EPCIS 2.0 event type; expected one of {_TYPES_TEXT}",
            )
        return None, _finish(c)

    # Fields that are not this event type's: another type's field, or an extension.
    if not fields.issuperset(event):
        for key in event:
            if key in fields:
                continue
            if key in _ALL_EVENT_FIELDS:
                c.err(key, f"{key} is not a field of {_A[event_type]} (EPCIS 2.0 §7.4)")
            else:
                problem = _extension_problem(key, c.ns, _A[event_type])
                if problem is not None:
                    c.err(key, problem)

    # -- when ----------------------------------------------------------------------------------
    event_time = None
    value = get("eventTime", _MISSING)
    if value is _MISSING:
        c.err("eventTime", "eventTime is required")
    else:
        event_time = c.time("eventTime", value, "eventTime")
    offset = get("eventTimeZoneOffset", _MISSING)
    if offset is _MISSING:
        c.err("eventTimeZoneOffset", "eventTimeZoneOffset is required, e.g. '+08:00'")
    elif type(offset) is not str or offset not in _OFFSETS:
        c.err(
            "eventTimeZoneOffset",
            f"eventTimeZoneOffset {_show(offset)} must be '+hh:mm' or '-hh:mm', from 00:00 to 14:00",
        )
    value = get("recordTime", _MISSING)
    if value is not _MISSING:
        c.time("recordTime", value, "recordTime")
    if event_id is not None:
        if not is_uri(event_id):
            c.err(
                "eventID", f"eventID {_show(event_id)} must be a URI (e.g. 'ni:///sha-256;…' or 'urn:uuid:…')"
            )
        elif len(event_id) > MAX_EVENT_ID_LENGTH:
            c.err(
                "eventID",
                f"eventID is {len(event_id)} characters long; at most {MAX_EVENT_ID_LENGTH} are stored",
            )
    elif "eventID" in event:
        c.err("eventID", f"eventID must be a URI string, not {_kind(get('eventID'))}")
    value = get("certificationInfo", _MISSING)
    if value is not _MISSING:
        c.certification("certificationInfo", value)
    declaration = None
    value = get("errorDeclaration", _MISSING)
    if value is not _MISSING:
        declaration = c.error_declaration("errorDeclaration", value)

    # -- what ----------------------------------------------------------------------------------
    action = get("action", _MISSING)
    if "action" in fields:
        if action is _MISSING:
            c.err("action", f"action is required in {_A[event_type]}: ADD, OBSERVE or DELETE")
            action = None
        elif type(action) is not str or action not in vocab.ACTIONS:
            c.err("action", f"action {_show(action)} is not ADD, OBSERVE or DELETE")
            action = None
    else:
        action = None
    has_epcs = has_quantities = has_inputs = has_outputs = False
    parent = get("parentID", _MISSING)
    if parent is not _MISSING and "parentID" in fields:
        c.single_id("parentID", parent, "parent")
    if event_type == "ObjectEvent" or event_type == "TransactionEvent":
        value = get("epcList", _MISSING)
        if value is not _MISSING:
            has_epcs = c.epcs("epcList", value, "epc")
        value = get("quantityList", _MISSING)
        if value is not _MISSING:
            has_quantities = c.quantities("quantityList", value, "class")
    elif event_type == "TransformationEvent":
        value = get("inputEPCList", _MISSING)
        if value is not _MISSING:
            has_inputs = c.epcs("inputEPCList", value, "input")
        value = get("inputQuantityList", _MISSING)
        if value is not _MISSING:
            has_inputs = c.quantities("inputQuantityList", value, "input_class") or has_inputs
        value = get("outputEPCList", _MISSING)
        if value is not _MISSING:
            has_outputs = c.epcs("outputEPCList", value, "output")
        value = get("outputQuantityList", _MISSING)
        if value is not _MISSING:
            has_outputs = c.quantities("outputQuantityList", value, "output_class") or has_outputs
        value = get("transformationID", _MISSING)
        if value is not _MISSING:
            c.uri("transformationID", value, "transformationID")
    else:  # AggregationEvent, AssociationEvent
        value = get("childEPCs", _MISSING)
        if value is not _MISSING:
            has_epcs = c.epcs("childEPCs", value, "child")
        value = get("childQuantityList", _MISSING)
        if value is not _MISSING:
            has_quantities = c.quantities("childQuantityList", value, "child_class")

    # -- why -----------------------------------------------------------------------------------
    biz_step = disposition = None
    value = get("bizStep", _MISSING)
    if value is not _MISSING:
        biz_step = c.cbv("bizStep", value, vocab.BIZ_STEP, "bizStep")
    value = get("disposition", _MISSING)
    if value is not _MISSING:
        disposition = c.cbv("disposition", value, vocab.DISPOSITION, "disposition")
    value = get("persistentDisposition", _MISSING)
    if value is not _MISSING:
        c.persistent_disposition("persistentDisposition", value)
    value = get("bizTransactionList", _MISSING)
    if value is not _MISSING:
        c.biz_transactions("bizTransactionList", value)
    value = get("sourceList", _MISSING)
    if value is not _MISSING:
        c.parties("sourceList", value, "source")
    value = get("destinationList", _MISSING)
    if value is not _MISSING:
        c.parties("destinationList", value, "destination")

    # -- where ---------------------------------------------------------------------------------
    read_point = biz_location = None
    value = get("readPoint", _MISSING)
    if value is not _MISSING:
        read_point = c.location("readPoint", value, "read_point")
    value = get("bizLocation", _MISSING)
    if value is not _MISSING:
        biz_location = c.location("bizLocation", value, "biz_location")

    # -- how -------------------------------------------------------------------------------------
    has_sensors = False
    value = get("sensorElementList", _MISSING)
    if value is not _MISSING:
        has_sensors = c.sensors("sensorElementList", value)
    ilmd = get("ilmd", _MISSING)
    if ilmd is not _MISSING and "ilmd" in fields:
        lot = c.ilmd("ilmd", ilmd)
        if lot is not None:
            c.lot_entries(
                lot, ("output", "output_class") if event_type == "TransformationEvent" else ("epc", "class")
            )

    # -- what each event type needs (JSON schema anyOf branches of each event type) ---------------
    if event_type == "ObjectEvent":
        if not (has_epcs or has_quantities or (has_sensors and "readPoint" in event)):
            c.err(
                "epcList",
                "an ObjectEvent needs a non-empty epcList or quantityList (or, for a sensor reading alone, "
                "a sensorElementList and a readPoint)",
            )
        if ilmd is not _MISSING and action is not None and action != "ADD":
            # EPCIS 2.0 §7.4 ObjectEvent / JSON schema: ILMD describes objects as they are created,
            # so only an ADD carries it.
            c.err("ilmd", f"ilmd is only allowed when action is ADD, not {action}")
    elif event_type == "AggregationEvent":
        if parent is _MISSING and action is not None and action != "OBSERVE":
            c.err("parentID", f"parentID is required in an AggregationEvent whose action is {action}")
        if not (has_epcs or has_quantities) and action != "DELETE":
            c.err(
                "childEPCs",
                "an AggregationEvent needs a non-empty childEPCs or childQuantityList "
                "(only a DELETE may leave both out)",
            )
    elif event_type == "AssociationEvent":
        if parent is _MISSING:
            c.err("parentID", "parentID is required in an AssociationEvent")
        if not (has_epcs or has_quantities) and action != "DELETE":
            c.err(
                "childEPCs",
                "an AssociationEvent needs a non-empty childEPCs or childQuantityList "
                "(only a DELETE may leave both out)",
            )
    elif event_type == "TransactionEvent":
        transactions = get("bizTransactionList", _MISSING)
        if transactions is _MISSING or (type(transactions) is list and not transactions):
            c.err("bizTransactionList", "a TransactionEvent needs a non-empty bizTransactionList")
        if not (has_epcs or has_quantities) and action != "DELETE":
            c.err(
                "epcList",
                "a TransactionEvent needs a non-empty epcList or quantityList "
                "(only a DELETE may leave both out)",
            )
    elif "transformationID" in event:
        if not (has_inputs or has_outputs):
            c.err(
                "inputEPCList",
                "a TransformationEvent needs at least one input or output "
                "(inputEPCList, inputQuantityList, outputEPCList or outputQuantityList)",
            )
    elif not (has_inputs and has_outputs):
        c.err(
            "inputEPCList" if not has_inputs else "outputEPCList",
            "a TransformationEvent without a transformationID needs at least one input (inputEPCList or "
            "inputQuantityList) and at least one output (outputEPCList or outputQuantityList)",
        )

    if c.errors or event_time is None:
        return None, _finish(c)
    entries = c.entries
    if len(entries) > 1:
        entries = list(dict.fromkeys(entries))
    return (
        NormalizedEvent(
            event_type,
            event_time,
            offset,
            action,
            biz_step,
            disposition,
            read_point,
            biz_location,
            event_id,
            declaration,
            "certificationInfo" in event,
            has_sensors,
            tuple([_entry(*item) for item in entries]),
        ),
        c.errors,
    )


def _finish(c: _Checker) -> list[FieldError]:
    if c.overflow:
        c.errors.append(_too_many(c.index, c.event_id, c.base.rstrip(".") or "$"))
    return c.errors


def _too_many(index: int | None, event_id: str | None, path: str) -> FieldError:
    return FieldError(index, event_id, path, f"too many errors: only the first {MAX_ERRORS:,} are reported")


# ------------------------------------------------------------------------------------------------
# Documents.
# ------------------------------------------------------------------------------------------------

_DOCUMENT_FIELDS = frozenset(
    {"@context", "id", "type", "schemaVersion", "creationDate", "instanceIdentifier", "sender", "receiver",
     "epcisHeader", "epcisBody"}
)  # fmt: skip
_QUERY_DOCUMENT_FIELDS = frozenset({"@context", "id", "type", "schemaVersion", "creationDate", "epcisBody"})
_EVENT_LIST_PATHS = {
    "EPCISDocument": "epcisBody.eventList",
    "EPCISQueryDocument": "epcisBody.queryResults.resultsBody.eventList",
}


def event_list_path(document: Any) -> str | None:
    """Where a capture document keeps its events: ``epcisBody.eventList`` for an EPCISDocument,
    ``epcisBody.queryResults.resultsBody.eventList`` for an EPCISQueryDocument; None otherwise."""
    if isinstance(document, dict):
        kind = document.get("type")
        if type(kind) is str:
            return _EVENT_LIST_PATHS.get(kind)
    return None


def _events_of(document: dict) -> tuple[str, list] | None:
    path = event_list_path(document)
    if path is None:
        return None
    node: Any = document
    for step in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(step)
    return (path, node) if type(node) is list else None


def check_document_header(
    document: dict, *, single_event: bool = False
) -> tuple[dict[str, str], list[FieldError]]:
    """Check a capture document apart from its events; the namespaces its ``@context`` declares.

    EPCIS 2.0 §8 / JSON schema ``epcisDocument`` and ``epcisQueryDocument``: ``@context`` present and
    readable, ``type`` EPCISDocument (or EPCISQueryDocument), ``schemaVersion`` and ``creationDate``
    (both required for an EPCISDocument), ``epcisBody`` with its event list as a list (an empty list
    is valid), the optional header fields and master data, no unknown fields.

    ``single_event`` is for the header the capture path makes around one event sent on its own
    (REST binding ``POST /events``, or a bare event element as XML root): it has the event's
    ``@context`` but no ``schemaVersion``, ``creationDate`` or ``epcisBody`` of a document, so those
    are not required.
    """
    errors: list[FieldError] = []

    def err(path: str, message: str) -> None:
        errors.append(FieldError(None, None, path, message))

    if not isinstance(document, dict):
        err("$", f"an EPCIS document must be a JSON object, not {_kind(document)}")
        return {}, errors
    namespaces: dict[str, str] = {}
    context = document.get("@context", _MISSING)
    if context is _MISSING or context is None:
        err(
            "@context",
            "@context is required: the EPCIS 2.0 JSON-LD context, e.g. "
            '["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]',
        )
    else:
        try:
            namespaces = context_namespaces(context)
        except ContextError as exc:
            err("@context", str(exc))

    kind = document.get("type", _MISSING)
    if kind == "EPCISDocument":
        allowed = _DOCUMENT_FIELDS
    elif kind == "EPCISQueryDocument":
        allowed = _QUERY_DOCUMENT_FIELDS
    else:
        if kind is _MISSING:
            err("type", "type is required: 'EPCISDocument'")
        else:
            err("type", f"type {_show(kind)} is not a capture document type; expected 'EPCISDocument'")
        return namespaces, errors
    where = f"an {kind}"
    for key in document:
        if key not in allowed:
            problem = _extension_problem(key, namespaces, where)
            if problem is not None:
                err(str(key), problem)

    whole = kind == "EPCISDocument" and not single_event
    version = document.get("schemaVersion", _MISSING)
    if version is _MISSING:
        if whole:
            err("schemaVersion", "schemaVersion is required, e.g. '2.0'")
    elif type(version) is not str or version not in SCHEMA_VERSIONS:
        err(
            "schemaVersion",
            f"schemaVersion {_show(version)} is not supported; expected '2.0' (or 1.0-1.2 for XML)",
        )
    created = document.get("creationDate", _MISSING)
    if created is _MISSING:
        if whole:
            err("creationDate", "creationDate is required, e.g. '2024-03-01T08:30:00+08:00'")
    elif parse_time(created) is None:
        err(
            "creationDate",
            f"creationDate {_show(created)} is not a valid time: expected an ISO 8601 date-time with seconds "
            "and a UTC offset, e.g. '2024-03-01T08:30:00+08:00'",
        )
    ident = document.get("id", _MISSING)
    if ident is not _MISSING and not is_uri(ident):
        err("id", f"id must be a URI, not {_show(ident)}")
    for name in ("instanceIdentifier", "sender", "receiver"):
        value = document.get(name, _MISSING)
        if value is not _MISSING and type(value) is not str:
            err(name, f"{name} must be a string, not {_kind(value)}")
    header = document.get("epcisHeader", _MISSING)
    if header is not _MISSING:
        _check_header(header, namespaces, err)

    body = document.get("epcisBody", _MISSING)
    if body is _MISSING:
        if not single_event:
            err("epcisBody", "epcisBody is required")
    elif single_event and isinstance(body, dict) and not body:
        pass  # the XML reader's header around a bare event element
    elif not isinstance(body, dict):
        err("epcisBody", f"epcisBody must be a JSON object, not {_kind(body)}")
    elif kind == "EPCISDocument":
        _check_members(body, frozenset({"eventList"}), namespaces, "epcisBody", err)
        _check_event_list(body, "epcisBody", err)
    else:
        _check_members(body, frozenset({"queryResults"}), namespaces, "epcisBody", err)
        results = body.get("queryResults", _MISSING)
        if results is _MISSING:
            err("epcisBody.queryResults", "queryResults is required in an EPCISQueryDocument")
        elif not isinstance(results, dict):
            err("epcisBody.queryResults", f"queryResults must be a JSON object, not {_kind(results)}")
        else:
            path = "epcisBody.queryResults"
            _check_members(
                results, frozenset({"queryName", "subscriptionID", "resultsBody"}), namespaces, path, err
            )
            name = results.get("queryName", _MISSING)
            if type(name) is not str:
                err(f"{path}.queryName", "queryName (a string) is required")
            subscription = results.get("subscriptionID", _MISSING)
            if subscription is not _MISSING and type(subscription) is not str:
                err(f"{path}.subscriptionID", f"subscriptionID must be a string, not {_kind(subscription)}")
            results_body = results.get("resultsBody", _MISSING)
            if not isinstance(results_body, dict):
                err(f"{path}.resultsBody", "resultsBody (an object with an eventList) is required")
            else:
                path = f"{path}.resultsBody"
                _check_members(
                    results_body, frozenset({"eventList", "vocabularyList"}), namespaces, path, err
                )
                _check_event_list(results_body, path, err)
                vocabularies = results_body.get("vocabularyList", _MISSING)
                if vocabularies is not _MISSING:
                    _check_vocabularies(vocabularies, f"{path}.vocabularyList", err)
    return namespaces, errors


def _check_members(value: dict, allowed: frozenset[str], namespaces: dict[str, str], path: str, err) -> None:
    for key in value:
        if key not in allowed:
            problem = _extension_problem(key, namespaces, path)
            if problem is not None:
                err(f"{path}.{key}", problem)


def _check_event_list(body: dict, path: str, err) -> None:
    events = body.get("eventList", _MISSING)
    if events is _MISSING:
        err(f"{path}.eventList", "eventList is required (it may be an empty list)")
    elif type(events) is not list:
        err(f"{path}.eventList", f"eventList must be a list of events, not {_kind(events)}")


def _check_header(header: Any, namespaces: dict[str, str], err) -> None:
    """epcisHeader: master data and extensions (JSON schema ``epcisHeader``, ``vocabulary``)."""
    if not isinstance(header, dict):
        err("epcisHeader", f"epcisHeader must be a JSON object, not {_kind(header)}")
        return
    _check_members(header, frozenset({"epcisMasterData"}), namespaces, "epcisHeader", err)
    master = header.get("epcisMasterData", _MISSING)
    if master is _MISSING:
        return
    if not isinstance(master, dict):
        err("epcisHeader.epcisMasterData", f"epcisMasterData must be a JSON object, not {_kind(master)}")
        return
    vocabularies = master.get("vocabularyList", _MISSING)
    if vocabularies is not _MISSING:
        _check_vocabularies(vocabularies, "epcisHeader.epcisMasterData.vocabularyList", err)


def _check_vocabularies(vocabularies: Any, path: str, err) -> None:
    if type(vocabularies) is not list:
        err(path, f"vocabularyList must be a list, not {_kind(vocabularies)}")
        return
    for position, vocabulary in enumerate(vocabularies):
        here = f"{path}[{position}]"
        if not isinstance(vocabulary, dict):
            err(here, f"a vocabulary must be a JSON object, not {_kind(vocabulary)}")
            continue
        if not is_uri(vocabulary.get("type")):
            err(
                f"{here}.type",
                "type (the vocabulary's URI, e.g. 'urn:epcglobal:epcis:vtype:BusinessLocation') is required",
            )
        elements = vocabulary.get("vocabularyElementList", _MISSING)
        if elements is _MISSING:
            continue
        if type(elements) is not list:
            err(
                f"{here}.vocabularyElementList",
                f"vocabularyElementList must be a list, not {_kind(elements)}",
            )
            continue
        for number, element in enumerate(elements):
            where = f"{here}.vocabularyElementList[{number}]"
            if not isinstance(element, dict):
                err(where, f"a vocabulary element must be a JSON object, not {_kind(element)}")
                continue
            if not is_uri(element.get("id")):
                err(f"{where}.id", "id (the element's URI) is required")
            attributes = element.get("attributes", _MISSING)
            if attributes is not _MISSING:
                if type(attributes) is not list:
                    err(f"{where}.attributes", f"attributes must be a list, not {_kind(attributes)}")
                else:
                    for item, attribute in enumerate(attributes):
                        if not isinstance(attribute, dict) or not is_uri(attribute.get("id")):
                            err(f"{where}.attributes[{item}]", "an attribute is an object with an 'id' URI")
            children = element.get("children", _MISSING)
            if children is not _MISSING:
                if type(children) is not list:
                    err(f"{where}.children", f"children must be a list of URIs, not {_kind(children)}")
                else:
                    for item, child in enumerate(children):
                        if not is_uri(child):
                            err(f"{where}.children[{item}]", f"a child must be a URI, not {_show(child)}")


def check_document(document: dict) -> tuple[list[NormalizedEvent | None], list[FieldError]]:
    """Check a whole capture document: its header and every event.

    Returns one entry per event (its :class:`NormalizedEvent`, or None when it has errors) and all
    errors, at most :data:`MAX_ERRORS` of them followed by a "too many errors" entry.
    """
    namespaces, errors = check_document_header(document)
    located = _events_of(document) if isinstance(document, dict) else None
    if located is None:
        return [], errors
    path, events = located
    normalized: list[NormalizedEvent | None] = []
    for position, event in enumerate(events):
        if len(errors) > MAX_ERRORS:
            normalized.extend([None] * (len(events) - position))
            break
        result, event_errors = check_event(
            event, index=position, path_prefix=f"{path}[{position}]", namespaces=namespaces
        )
        normalized.append(result)
        errors.extend(event_errors)
    if len(errors) > MAX_ERRORS:
        errors = errors[:MAX_ERRORS]
        errors.append(_too_many(None, None, "$"))
    return normalized, errors
