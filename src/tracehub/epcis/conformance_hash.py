"""Run the published CBV 2.0 event-hash vectors against :mod:`tracehub.epcis.hashing`.

The vectors (``epcis-event-hash-generator/examples`` in the shared conformance data) are EPCIS
documents, JSON-LD (``.jsonld``) and XML (``.xml``), each with the expected event hash IDs, one per
event in document order (``<stem>.hashes``) and mostly also the expected pre-hash strings
(``<stem>.prehashes``); a JSON-LD document and its XML twin share the stem and so the expectations.
``make conformance`` prints the outcome as ``hash vectors: N/M``. Django-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from tracehub.epcis.hashing import event_hash, event_prehash
from tracehub.epcis.jsonld import context_namespaces
from tracehub.epcis.xmlformat import parse_xml_document

__all__ = [
    "HASH",
    "KNOWN_WRONG",
    "PREHASH_ONLY",
    "HashVectorResult",
    "classify_hash_vectors",
    "document_events",
    "hash_vector_results",
    "run_hash_vectors",
    "vector_documents",
]

#: Document kinds the vectors come in, by file suffix.
SUFFIXES = (".jsonld", ".xml")


# -- vectors that are wrong in the data itself (docs/conformance.md) --------------------------

HASH = frozenset({"hash", "prehash"})
PREHASH_ONLY = frozenset({"prehash"})

DAMAGED_PREHASH = (
    "the .prehashes line is damaged (garbled, truncated or another event's): it does not hash to the "
    ".hashes line of the same event, and our pre-hash, which does, matches that hash"
)
LIST_ORDER = (
    "puts destinationList before sourceList and/or bizTransactionList after sensorElementList; CBV 2.0 "
    "§8.9's canonical property order is bizTransactionList, sourceList, destinationList, "
    "sensorElementList (20-23). The vector follows a defect of the reference implementation: its "
    "PROP_ORDER entries for these three lists never match, so they fall into its sorted remainder"
)
IGNORE_FIELDS = (
    "leaves out the extension fields named by a document-level repository-x:ignoreFields list; CBV "
    "2.0 §8.9 rule 20 hashes every user extension and has no exclusion mechanism (a post-2.0 feature "
    "of the reference implementation, in an example.com namespace)"
)
UNEXPANDED_CURIE = (
    "keeps a CURIE over a namespace the document declares (example:…) unexpanded in an IRI-valued "
    "sensorReport field (type, component); §8.9 rule 15 expands every CURIE, and the same event "
    "written with the full IRI must hash alike"
)
STRING_VALUE_AS_FLOAT = (
    "also hashes stringValue 111100001111000011110000 as the float 111100001111000003641344; "
    "stringValue is xsd:string and rule 6 concerns quantitative values only"
)
CBVMDA_SPELLING = (
    "also writes the CBV master-data namespace as urn:epcglobal:cbv:mda (the XML spelling) where its "
    "JSON-LD twins write urn:epcglobal:cbv:mda: (epcisDocWithVariousEventTypes): one attribute, one hash"
)
QUERY_DOCUMENT_SHAPE = (
    "not an EPCISQueryDocument the query XSD allows (queryName and resultsBody sit directly under the "
    "root, without EPCISBody/QueryResults), so it is refused as unreadable; it also relies on "
    "ignoreFields"
)

#: (document, event index) -> (what differs from the expectation, why the data is wrong).
KNOWN_WRONG: dict[tuple[str, int], tuple[frozenset[str], str]] = {
    ("epcisDocWithAllGS1Keys.jsonld", 0): (PREHASH_ONLY, DAMAGED_PREHASH),
    ("epcisDocWithCustomSchemaInContext.jsonld", 1): (PREHASH_ONLY, DAMAGED_PREHASH),
    ("epcisDocWithDefaultSchemaInContext.jsonld", 1): (PREHASH_ONLY, DAMAGED_PREHASH),
    ("ReferenceEventHashAlgorithm3.jsonld", 0): (HASH, LIST_ORDER),
    ("ReferenceEventHashAlgorithm3.xml", 0): (HASH, LIST_ORDER),
    ("epcisDocWithShippingAndTransportingEvent.jsonld", 0): (HASH, LIST_ORDER),
    ("epcisDocWithShippingAndTransportingEvent.xml", 0): (HASH, LIST_ORDER),
    ("epcisDocWithVariousEventTypes.jsonld", 0): (HASH, LIST_ORDER),
    ("epcisDocWithVariousEventTypes.jsonld", 1): (HASH, LIST_ORDER),
    ("epcisDocWithVariousEventTypes.xml", 0): (HASH, LIST_ORDER),
    ("epcisDocWithVariousEventTypes.xml", 1): (HASH, LIST_ORDER),
    ("SensorDataExamples.xml", 10): (HASH, LIST_ORDER),
    ("epcisDocHavingEventWithIgnoreFields.jsonld", 0): (HASH, IGNORE_FIELDS),
    ("epcisQueryDocHavingEventWithIgnoreFields.jsonld", 0): (HASH, IGNORE_FIELDS),
    ("epcisXmlDocHavingEventWithIgnoreFields.xml", 0): (HASH, IGNORE_FIELDS),
    ("epcisXmlDocHavingEventWithIgnoreFields.xml", 1): (HASH, IGNORE_FIELDS),
    ("epcisXmlQueryDocHavingEventWithIgnoreFields.xml", 0): (HASH, QUERY_DOCUMENT_SHAPE),
    ("epcisXmlQueryDocHavingEventWithIgnoreFields.xml", 1): (HASH, QUERY_DOCUMENT_SHAPE),
    ("SensorDataExamples.xml", 5): (HASH, UNEXPANDED_CURIE),
    ("SensorDataExamples.xml", 6): (HASH, f"{UNEXPANDED_CURIE}; {STRING_VALUE_AS_FLOAT}"),
    ("SensorDataExamples.xml", 7): (HASH, UNEXPANDED_CURIE),
    ("SensorDataExamples.xml", 9): (HASH, UNEXPANDED_CURIE),
    ("SensorDataExamples.xml", 11): (HASH, f"{UNEXPANDED_CURIE}; {CBVMDA_SPELLING}"),
}


@dataclass(frozen=True, slots=True)
class HashVectorResult:
    """One event of one vector document against its expected hash and pre-hash."""

    document: str
    index: int
    expected_hash: str
    expected_prehash: str | None
    hash: str | None
    prehash: str | None
    error: str | None = None

    @property
    def mismatches(self) -> frozenset[str]:
        """Which of ``hash`` and ``prehash`` differ from the expectation (both after an error)."""
        if self.error is not None:
            return frozenset({"hash", "prehash"} if self.expected_prehash is not None else {"hash"})
        wrong = set()
        if self.hash != self.expected_hash:
            wrong.add("hash")
        if self.expected_prehash is not None and self.prehash != self.expected_prehash:
            wrong.add("prehash")
        return frozenset(wrong)

    def describe(self) -> str:
        where = f"{self.document} event {self.index}"
        if self.error is not None:
            return f"{where}: {self.error}"
        if self.expected_prehash is not None and self.prehash != self.expected_prehash:
            got, want = self.prehash or "", self.expected_prehash
            at = next(
                (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b),
                min(len(got), len(want)),
            )
            return (
                f"{where}: pre-hash differs at character {at}: "
                f"got …{got[max(0, at - 40) : at + 80]!r}, expected …{want[max(0, at - 40) : at + 80]!r}"
            )
        return f"{where}: hash {self.hash} != expected {self.expected_hash}"


def _lines(path: Path) -> list[str] | None:
    if not path.exists():
        return None
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line]


def document_events(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The events of an EPCIS document or query document, in document order."""
    body = document.get("epcisBody") or {}
    if "eventList" in body:
        return list(body["eventList"] or [])
    if "queryResults" in body:
        return list(((body["queryResults"] or {}).get("resultsBody") or {}).get("eventList") or [])
    if "event" in body:
        return [body["event"]]
    return []


def _read(path: Path) -> dict[str, Any]:
    if path.suffix == ".xml":
        return parse_xml_document(path.read_bytes())
    return orjson.loads(path.read_bytes())


def hash_vector_results(path: Path) -> list[HashVectorResult]:
    """Hash every event of one vector document and compare it with the expected lines."""
    expected_hashes = _lines(path.with_suffix(".hashes")) or []
    expected_prehashes = _lines(path.with_suffix(".prehashes"))
    name = path.name

    def expected(index: int) -> tuple[str, str | None]:
        prehash = None
        if expected_prehashes is not None and index < len(expected_prehashes):
            prehash = expected_prehashes[index]
        return expected_hashes[index], prehash

    try:
        document = _read(path)
        events = document_events(document)
        namespaces = context_namespaces(document.get("@context"))
    except Exception as exc:  # any failure to read the document is a failed vector, reported
        message = f"cannot read the document: {type(exc).__name__}: {exc}"
        return [
            HashVectorResult(name, i, *expected(i), None, None, message) for i in range(len(expected_hashes))
        ]

    results = []
    for index in range(max(len(events), len(expected_hashes))):
        if index >= len(expected_hashes):
            results.append(
                HashVectorResult(name, index, "", None, None, None, "event without an expected hash")
            )
            continue
        if index >= len(events):
            results.append(
                HashVectorResult(name, index, *expected(index), None, None, "expected event is missing")
            )
            continue
        try:
            prehash = event_prehash(events[index], namespaces)
            digest = event_hash(events[index], namespaces)
        except Exception as exc:  # reported as a failed vector
            results.append(
                HashVectorResult(name, index, *expected(index), None, None, f"{type(exc).__name__}: {exc}")
            )
            continue
        results.append(HashVectorResult(name, index, *expected(index), digest, prehash))
    return results


def vector_documents(examples_dir: Path) -> list[Path]:
    """The vector documents: every JSON-LD or XML file with a ``.hashes`` file beside it."""
    return sorted(
        path
        for path in Path(examples_dir).iterdir()
        if path.suffix in SUFFIXES and path.with_suffix(".hashes").exists()
    )


def run_hash_vectors(examples_dir: Path) -> tuple[int, int, list[str]]:
    """``(passed, total, failure descriptions)`` over every event of every vector document.

    An event passes when its hash ID and, where the vectors give one, its pre-hash string are
    exactly the expected ones.
    """
    passed = total = 0
    failures: list[str] = []
    for path in vector_documents(examples_dir):
        for result in hash_vector_results(path):
            total += 1
            if result.mismatches:
                failures.append(result.describe())
            else:
                passed += 1
    return passed, total, failures


def classify_hash_vectors(examples_dir: Path) -> tuple[int, int, int, list[str]]:
    """``(passed, known wrong and failing as documented, total, unexpected failures)``.

    A vector in KNOWN_WRONG must fail exactly as described there; if it passes or fails in
    another way, that is reported too (the data or our reading of it changed).
    """
    passed = known = total = 0
    problems: list[str] = []
    for path in vector_documents(examples_dir):
        for result in hash_vector_results(path):
            total += 1
            expectation = KNOWN_WRONG.get((path.name, result.index))
            if expectation is None:
                if result.mismatches:
                    problems.append(result.describe())
                else:
                    passed += 1
            elif result.mismatches == expectation[0]:
                known += 1
            else:
                problems.append(
                    f"{path.name} event {result.index} is listed as wrong data "
                    f"({sorted(expectation[0])}) but differs in {sorted(result.mismatches) or 'nothing'}"
                )
    return passed, known, total, problems
