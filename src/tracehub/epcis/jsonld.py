"""The JSON-LD side of EPCIS 2.0 documents: contexts, namespace prefixes and extension terms.

TraceHub keeps every EPCIS document in one internal form, the EPCIS 2.0 JSON-LD form as Python
dicts (DESIGN.md §3). Standard fields are plain keys (``eventTime``, ``bizStep``); user extension
fields are compact IRIs ``prefix:local`` whose prefix the document's ``@context`` declares. This
module reads those declarations without a JSON-LD processor and without the network: the terms of
the GS1 standard context are written down here, and any remote context other than the standard one
is refused (we never fetch). Django-free.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = [
    "STANDARD_CONTEXT_URL",
    "STANDARD_CONTEXT_URLS",
    "STANDARD_PREFIXES",
    "STANDARD_TERMS",
    "ContextError",
    "context_namespaces",
    "expand_term",
]

#: The URL EPCIS 2.0 documents name for the GS1 standard context (the one TraceHub writes).
STANDARD_CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

#: Every spelling of the standard context's URL met in GS1's and OpenEPCIS's published documents:
#: the versioned one, the unversioned alias and the drafting repository's address.
STANDARD_CONTEXT_URLS = frozenset(
    {
        STANDARD_CONTEXT_URL,
        "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
        "https://gs1.github.io/EPCIS/epcis-context.jsonld",
    }
)

#: The prefixes the standard context defines, exactly as it defines them.
STANDARD_PREFIXES: Mapping[str, str] = MappingProxyType(
    {
        "epcis": "https://ref.gs1.org/epcis/",
        "cbv": "https://ref.gs1.org/cbv/",
        "cbvmda": "urn:epcglobal:cbv:mda:",
        "gs1": "https://gs1.org/voc/",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "owl": "http://www.w3.org/2002/07/owl#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "dcterms": "http://purl.org/dc/terms/",
    }
)

#: The un-prefixed terms the standard context defines (top level and in its scoped contexts):
#: a key among these is an EPCIS field, never a user extension.
STANDARD_TERMS = frozenset(
    [
        "id",
        "type",
        "baseURL",
        "member",
        "eventID",
        "eventTime",
        "recordTime",
        "eventTimeZoneOffset",
        "certificationInfo",
        "ObjectEvent",
        "AggregationEvent",
        "TransformationEvent",
        "AssociationEvent",
        "TransactionEvent",
        "Collection",
        "EPCISDocument",
        "EPCISQueryDocument",
        "epcisHeader",
        "epcisBody",
        "eventList",
        "queryResults",
        "subscriptionID",
        "queryName",
        "resultsBody",
        "masterData",
        "vocabularyList",
        "schemaVersion",
        "creationDate",
        "sender",
        "receiver",
        "instanceIdentifier",
        "action",
        "bizStep",
        "disposition",
        "persistentDisposition",
        "set",
        "unset",
        "readPoint",
        "bizLocation",
        "transformationID",
        "epcList",
        "parentID",
        "childEPCs",
        "inputEPCList",
        "outputEPCList",
        "quantityList",
        "childQuantityList",
        "inputQuantityList",
        "outputQuantityList",
        "epcClass",
        "quantity",
        "uom",
        "bizTransactionList",
        "bizTransaction",
        "sourceList",
        "source",
        "destinationList",
        "destination",
        "sensorElementList",
        "sensorMetadata",
        "sensorReport",
        "time",
        "startTime",
        "endTime",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "dataProcessingMethod",
        "bizRules",
        "exception",
        "coordinateReferenceSystem",
        "microorganism",
        "chemicalSubstance",
        "value",
        "component",
        "stringValue",
        "booleanValue",
        "hexBinaryValue",
        "uriValue",
        "minValue",
        "maxValue",
        "meanValue",
        "sDev",
        "percRank",
        "percValue",
        "errorDeclaration",
        "declarationTime",
        "reason",
        "correctiveEventIDs",
        "ilmd",
        "children",
    ]
)

#: URI schemes whose compact-looking keys are absolute IRIs, not ``prefix:local`` pairs.
_IRI_SCHEMES = frozenset({"http", "https", "urn"})


class ContextError(ValueError):
    """A document's or event's ``@context`` cannot be read (or would have to be fetched)."""


def context_namespaces(context: Any, parent: Mapping[str, str] | None = None) -> dict[str, str]:
    """Prefix → namespace IRI declared by a JSON-LD ``@context``, standard prefixes included.

    ``context`` is what a document (or an event) gives as ``@context``: the standard context URL,
    a dict of definitions, or a list of those. ``parent`` is the enclosing scope's mapping (the
    document's, for an event-level context); without it the scope starts from the standard
    prefixes. Later definitions win, as in JSON-LD; XML documents converted to this form redefine
    some standard prefixes (``cbvmda`` without its colon), and those spellings must be kept because
    the event hash writes the namespace as declared.

    Raises :class:`ContextError` for a context of the wrong shape, a definition that is not an
    IRI, or a remote context other than the standard one (it would have to be fetched; we never do).
    """
    namespaces = dict(STANDARD_PREFIXES if parent is None else parent)
    if context is None:
        return namespaces
    items = context if isinstance(context, list) else (context,)
    for position, item in enumerate(items):
        where = f"@context[{position}]" if isinstance(context, list) else "@context"
        if isinstance(item, str):
            if item not in STANDARD_CONTEXT_URLS:
                raise ContextError(
                    f"{where}: remote context {item!r} is not supported; only the GS1 EPCIS 2.0 "
                    "standard context may be named by URL, other prefixes must be declared inline"
                )
        elif isinstance(item, dict):
            _read_definitions(item, namespaces, where)
        else:
            raise ContextError(
                f"{where}: expected the standard context URL or an object of prefix definitions, "
                f"got {type(item).__name__}"
            )
    return namespaces


def _read_definitions(definitions: dict[str, Any], namespaces: dict[str, str], where: str) -> None:
    for term, definition in definitions.items():
        if not isinstance(term, str) or not term:
            raise ContextError(f"{where}: empty term")
        if term.startswith("@"):
            # Keywords (@version, @protected, @vocab, @base, @language) declare no prefix.
            continue
        if definition is None:
            # JSON-LD: null removes a term from the active context.
            namespaces.pop(term, None)
            continue
        if isinstance(definition, dict):
            definition = definition.get("@id")
            if definition is None:
                continue  # a type coercion or scoped context without an IRI of its own
        if not isinstance(definition, str):
            raise ContextError(f"{where}.{term}: expected an IRI string, got {type(definition).__name__}")
        if definition.startswith("@"):
            continue  # an alias of a keyword ("id": "@id")
        iri = _resolve(definition, namespaces)
        if iri is None:
            raise ContextError(f"{where}.{term}: {definition!r} is not an absolute IRI")
        namespaces[term] = iri


def _resolve(value: str, namespaces: Mapping[str, str]) -> str | None:
    """An IRI for a definition: absolute as written, or a compact IRI over a known prefix."""
    prefix, colon, rest = value.partition(":")
    if not colon or not prefix:
        return None
    if not rest.startswith("//") and prefix in namespaces:
        return namespaces[prefix] + rest
    return value


def expand_term(key: str, namespaces: Mapping[str, str]) -> tuple[str, str] | None:
    """``(namespace, local name)`` of an extension key; None for a standard EPCIS term.

    ``prefix:local`` expands through ``namespaces``; a key written as an absolute IRI
    (``https://ns.example.com/epcis/field``) is split after its last ``/``, ``#`` or ``:``, the
    way an XML namespace and local name would be written. Keys without a colon and JSON-LD
    keywords (``@context``) are EPCIS terms. Raises :class:`ContextError` for an undeclared prefix.
    """
    prefix, colon, local = key.partition(":")
    if not colon or key.startswith("@"):
        return None
    namespace = namespaces.get(prefix)
    if namespace is not None and not local.startswith("//"):
        return namespace, local
    if prefix in _IRI_SCHEMES or local.startswith("//"):
        cut = max(key.rfind("/"), key.rfind("#"), key.rfind(":")) + 1
        return key[:cut], key[cut:]
    raise ContextError(f"{key!r}: namespace prefix {prefix!r} is not declared in @context")
