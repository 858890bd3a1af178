"""The CBV 2.0 event hash (CBV 2.0 §8.9): published vectors and fixtures written here.

The vectors are read in place from the shared conformance data (``../shared/conformance``), never
copied. A handful of them contradict the standard or their own twin; those are listed in
``KNOWN_WRONG`` with the reason, and the tests check that they do fail, exactly as described.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracehub.epcis.conformance_hash import (
    HASH,
    KNOWN_WRONG,
    PREHASH_ONLY,
    classify_hash_vectors,
    hash_vector_results,
    run_hash_vectors,
    vector_documents,
)
from tracehub.epcis.hashing import event_hash, event_prehash
from tracehub.epcis.jsonld import (
    STANDARD_CONTEXT_URL,
    STANDARD_CONTEXT_URLS,
    STANDARD_PREFIXES,
    ContextError,
    context_namespaces,
    expand_term,
)

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO.parent / "shared" / "conformance" / "epcis-event-hash-generator" / "examples"

_DOCUMENTS = vector_documents(EXAMPLES) if EXAMPLES.is_dir() else []
JSONLD_DOCUMENTS = [path for path in _DOCUMENTS if path.suffix == ".jsonld"]
XML_DOCUMENTS = [path for path in _DOCUMENTS if path.suffix == ".xml"]

NS = "https://ns.example.com/epcis/"
NAMESPACES = context_namespaces([STANDARD_CONTEXT_URL, {"ex": NS}])
HASH_ID = re.compile(r"ni:///sha-256;[0-9a-f]{64}\?ver=CBV2\.0\Z")


# ------------------------------------------------------------------------------------------------
# published vectors


def _check_vectors(path: Path) -> None:
    results = hash_vector_results(path)
    assert results, f"{path.name}: no events were hashed"
    problems = []
    for result in results:
        known = KNOWN_WRONG.get((path.name, result.index))
        if known is None:
            if result.mismatches:
                problems.append(result.describe())
        elif result.mismatches != known[0]:
            problems.append(
                f"{path.name} event {result.index} is listed as wrong in the data ({known[1]}); expected "
                f"{sorted(known[0])} to differ, got {sorted(result.mismatches)}: {result.describe()}"
            )
    assert not problems, "\n".join(problems)


def test_examples_folder_is_there():
    assert EXAMPLES.is_dir(), f"the shared conformance data is missing: {EXAMPLES}"
    assert JSONLD_DOCUMENTS and XML_DOCUMENTS


@pytest.mark.parametrize("path", JSONLD_DOCUMENTS, ids=lambda p: p.name)
def test_jsonld_vectors(path):
    _check_vectors(path)


@pytest.mark.parametrize("path", XML_DOCUMENTS, ids=lambda p: p.name)
def test_xml_vectors(path):
    _check_vectors(path)


def test_known_wrong_vectors_exist():
    names = {path.name: path for path in _DOCUMENTS}
    for (name, index), (kinds, reason) in KNOWN_WRONG.items():
        assert name in names, name
        expected = [line for line in names[name].with_suffix(".hashes").read_text().splitlines() if line]
        assert index < len(expected), (name, index)
        assert kinds in (HASH, PREHASH_ONLY) and reason


def test_run_hash_vectors_counts_every_event():
    passed, total, failures = run_hash_vectors(EXAMPLES)
    expected_total = sum(
        len([line for line in path.with_suffix(".hashes").read_text().splitlines() if line])
        for path in _DOCUMENTS
    )
    assert total == expected_total
    assert passed + len(failures) == total
    assert len(failures) == len(KNOWN_WRONG)
    assert all(isinstance(failure, str) and " event " in failure for failure in failures)


def test_twins_agree_where_both_are_right():
    """A JSON-LD document and its XML twin give the same pre-hash strings, event by event."""
    for xml_path in XML_DOCUMENTS:
        json_path = xml_path.with_suffix(".jsonld")
        if json_path not in JSONLD_DOCUMENTS:
            continue
        for from_xml, from_json in zip(
            hash_vector_results(xml_path), hash_vector_results(json_path), strict=True
        ):
            assert from_xml.prehash == from_json.prehash, (xml_path.name, from_xml.index)


# ------------------------------------------------------------------------------------------------
# fixtures written here


def base_event() -> dict:
    """An ObjectEvent touching every kind of field, in the JSON-LD spelling."""
    return {
        "type": "ObjectEvent",
        "eventTime": "2024-05-06T10:11:12.345+08:00",
        "eventTimeZoneOffset": "+08:00",
        "certificationInfo": "https://cert.example.org/certificate/42",
        "epcList": ["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2018"],
        "quantityList": [
            {"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 200, "uom": "KGM"}
        ],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "persistentDisposition": {"set": ["recalled"]},
        "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234", "ex:dock": "7"},
        "bizLocation": {"id": "urn:epc:id:sgln:0614141.07346.0"},
        "bizTransactionList": [
            {"type": "po", "bizTransaction": "http://transaction.acme.com/po/12345678"},
            {"type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:1152"},
        ],
        "sourceList": [{"type": "possessing_party", "source": "urn:epc:id:pgln:0614141.00000"}],
        "destinationList": [{"type": "owning_party", "destination": "urn:epc:id:pgln:0614141.00000"}],
        "sensorElementList": [
            {
                "sensorMetadata": {"time": "2024-05-06T10:00:00+08:00"},
                "sensorReport": [
                    {"type": "Temperature", "value": 4.5, "uom": "CEL"},
                    {"type": "RelativeHumidity", "value": 61, "uom": "P1", "component": "x"},
                ],
            }
        ],
        "ex:temperatureLog": {"ex:probe": "P-7", "ex:reading": ["3.9", "4.1"]},
        "ex:note": "cold chain",
    }


def h(event: dict, namespaces=NAMESPACES) -> str:
    return event_hash(event, namespaces)


def reversed_keys(value):
    """The same data with every object's keys in the opposite order (JSON key order is free)."""
    if isinstance(value, dict):
        return {key: reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(item) for item in value]
    return value


def test_hash_id_form():
    assert HASH_ID.match(h(base_event()))


def test_prehash_written_out():
    event = {
        "type": "ObjectEvent",
        "eventTime": "2020-03-04T11:00:30+01:00",
        "eventTimeZoneOffset": "+01:00",
        "epcList": ["urn:epc:id:sscc:4012345.0000000333"],
        "action": "OBSERVE",
        "bizStep": "departing",
        "readPoint": {"id": "urn:epc:id:sgln:4012345.00011.987"},
        "ex:f": {"ex:b": "2", "ex:a": "1.50"},
    }
    assert event_prehash(event, NAMESPACES) == (
        "eventType=ObjectEvent"
        "eventTime=2020-03-04T10:00:30.000Z"
        "eventTimeZoneOffset=+01:00"
        "epcListepc=https://id.gs1.org/00/040123450000003338"
        "action=OBSERVE"
        "bizStep=https://ref.gs1.org/cbv/BizStep-departing"
        "readPointid=https://id.gs1.org/414/4012345000115/254/987"
        "{https://ns.example.com/epcis/}f{https://ns.example.com/epcis/}a=1.5{https://ns.example.com/epcis/}b=2"
    )


def test_canonical_order_of_the_lists_and_rule_21():
    prehash = event_prehash(base_event(), NAMESPACES)
    positions = [
        prehash.index(part)
        for part in (
            "eventTimeZoneOffset=",
            "certificationInfo=",
            "epcList",
            "quantityList",
            "action=",
            "bizStep=",
            "disposition=",
            "persistentDispositionset=https://ref.gs1.org/cbv/Disp-recalled",
            "readPointid=https://id.gs1.org/414/0614141073467/254/1234{https://ns.example.com/epcis/}dock=7",
            "bizLocationid=https://id.gs1.org/414/0614141073467",
            "bizTransactionListtype=https://ref.gs1.org/cbv/BTT-desadv",
            "sourceList",
            "destinationList",
            "sensorElementList",
            "{https://ns.example.com/epcis/}note=cold chain",
            "{https://ns.example.com/epcis/}temperatureLog",
        )
    ]
    assert positions == sorted(positions)


def test_key_order_does_not_matter():
    assert h(reversed_keys(base_event())) == h(base_event())


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(4)), st.permutations(range(2)), st.permutations(range(2)))
def test_list_order_does_not_matter(epc_order, transaction_order, report_order):
    epcs = [f"urn:epc:id:sgtin:0614141.107346.{serial}" for serial in (1, 22, 300, 4000)]
    event = base_event()
    event["epcList"] = epcs
    shuffled = base_event()
    shuffled["epcList"] = [epcs[i] for i in epc_order]
    transactions = shuffled["bizTransactionList"]
    shuffled["bizTransactionList"] = [transactions[i] for i in transaction_order]
    reports = shuffled["sensorElementList"][0]["sensorReport"]
    shuffled["sensorElementList"][0]["sensorReport"] = [reports[i] for i in report_order]
    assert h(shuffled) == h(event)


def xml_spelling(event: dict) -> dict:
    """The event with every CBV value as the XML binding writes it (URNs, gs1:/cbv: CURIEs, text)."""
    event = copy.deepcopy(event)
    event["bizStep"] = "urn:epcglobal:cbv:bizstep:shipping"
    event["disposition"] = "urn:epcglobal:cbv:disp:in_transit"
    event["persistentDisposition"] = {"set": "urn:epcglobal:cbv:disp:recalled"}
    event["bizTransactionList"][0]["type"] = "urn:epcglobal:cbv:btt:po"
    event["bizTransactionList"][1]["type"] = "urn:epcglobal:cbv:btt:desadv"
    event["sourceList"][0]["type"] = "urn:epcglobal:cbv:sdt:possessing_party"
    event["destinationList"][0]["type"] = "urn:epcglobal:cbv:sdt:owning_party"
    reports = event["sensorElementList"][0]["sensorReport"]
    reports[0].update({"type": "gs1:Temperature", "value": "4.50"})
    reports[1].update({"type": "gs1:RelativeHumidity", "value": "61.0", "component": "cbv:Comp-x"})
    event["quantityList"][0]["quantity"] = "200.000"
    return event


def web_uri_spelling(event: dict) -> dict:
    event = copy.deepcopy(event)
    cbv = "https://ref.gs1.org/cbv/"
    event["bizStep"] = cbv + "BizStep-shipping"
    event["disposition"] = cbv + "Disp-in_transit"
    event["persistentDisposition"] = {"set": [cbv + "Disp-recalled"]}
    event["bizTransactionList"][0]["type"] = cbv + "BTT-po"
    event["bizTransactionList"][1]["type"] = "cbv:BTT-desadv"
    event["sourceList"][0]["type"] = cbv + "SDT-possessing_party"
    event["destinationList"][0]["type"] = "cbv:SDT-owning_party"
    reports = event["sensorElementList"][0]["sensorReport"]
    reports[0]["type"] = "https://gs1.org/voc/Temperature"
    reports[1].update({"type": "https://gs1.org/voc/RelativeHumidity", "component": cbv + "Comp-x"})
    event["quantityList"][0]["quantity"] = 200.0
    return event


def test_json_and_xml_spellings_hash_alike():
    assert h(xml_spelling(base_event())) == h(base_event())
    assert h(web_uri_spelling(base_event())) == h(base_event())


def test_epc_urn_and_digital_link_hash_alike():
    event = base_event()
    event["epcList"] = [
        "https://id.gs1.org/01/10614141073464/21/2017",
        # A custom resolver domain, a query string and a lot beside the serial: rule 18 drops them.
        "https://resolver.example.com/01/10614141073464/10/LOT9/21/2018?17=250101",
    ]
    event["quantityList"][0]["epcClass"] = "https://id.gs1.org/01/04012345123456/10/998877"
    event["readPoint"]["id"] = "https://id.gs1.org/414/0614141073467/254/1234"
    event["bizLocation"]["id"] = "https://id.gs1.org/414/0614141073467"
    event["sourceList"][0]["source"] = "https://id.gs1.org/417/0614141000005"
    assert h(event) == h(base_event())


@pytest.mark.parametrize(
    "spelling",
    [
        "2024-05-06T02:11:12.345Z",
        "2024-05-06T02:11:12.345+00:00",
        "2024-05-06T04:11:12.345+02:00",
        "2024-05-05T21:11:12.345-05:00",
        "2024-05-06T02:11:12.34500Z",
        "2024-05-06T02:11:12.3451Z",
        "2024-05-06T02:11:12.3449Z",
    ],
)
def test_time_spellings_of_one_instant_hash_alike(spelling):
    event = base_event()
    event["eventTime"] = spelling
    assert h(event) == h(base_event())


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("2023-02-02T11:04:03.1415Z", "2023-02-02T11:04:03.142Z"),
        ("2023-02-02T11:04:03.1414Z", "2023-02-02T11:04:03.141Z"),
        ("2023-12-31T23:59:59.9996+00:00", "2024-01-01T00:00:00.000Z"),
        ("2024-03-01T00:30:00+01:00", "2024-02-29T23:30:00.000Z"),
        ("2005-04-03T20:33:31.116000-06:00", "2005-04-04T02:33:31.116Z"),
        ("2019-10-21T14:45:00Z", "2019-10-21T14:45:00.000Z"),
    ],
)
def test_times_are_utc_milliseconds_rounded_half_up(written, canonical):
    event = {
        "type": "ObjectEvent",
        "eventTime": written,
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
    }
    assert event_prehash(event, NAMESPACES) == (
        f"eventType=ObjectEventeventTime={canonical}eventTimeZoneOffset=+00:00action=OBSERVE"
    )


def _set(path, value):
    def change(event):
        target = event
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _delete(path):
    def change(event):
        target = event
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return change


BUSINESS_CHANGES = {
    "type": _set(("type",), "TransactionEvent"),
    "eventTime by 1 ms": _set(("eventTime",), "2024-05-06T10:11:12.346+08:00"),
    "eventTimeZoneOffset": _set(("eventTimeZoneOffset",), "+09:00"),
    "certificationInfo": _set(("certificationInfo",), "https://cert.example.org/certificate/43"),
    "an EPC": _set(("epcList", 1), "urn:epc:id:sgtin:0614141.107346.2019"),
    "an EPC more": _set(("epcList",), [*base_event()["epcList"], "urn:epc:id:sgtin:0614141.107346.1"]),
    "an EPC less": _set(("epcList",), base_event()["epcList"][:1]),
    "epcClass": _set(("quantityList", 0, "epcClass"), "urn:epc:class:lgtin:4012345.012345.998878"),
    "quantity": _set(("quantityList", 0, "quantity"), 201),
    "uom": _set(("quantityList", 0, "uom"), "LTR"),
    "action": _set(("action",), "ADD"),
    "bizStep": _set(("bizStep",), "receiving"),
    "disposition": _set(("disposition",), "in_progress"),
    "persistentDisposition set -> unset": _set(("persistentDisposition",), {"unset": ["recalled"]}),
    "readPoint": _set(("readPoint", "id"), "urn:epc:id:sgln:0614141.07346.1235"),
    "readPoint extension": _set(("readPoint", "ex:dock"), "8"),
    "bizLocation": _delete(("bizLocation",)),
    "bizTransaction": _set(("bizTransactionList", 0, "bizTransaction"), "http://transaction.acme.com/po/1"),
    "bizTransaction type": _set(("bizTransactionList", 0, "type"), "inv"),
    "source type": _set(("sourceList", 0, "type"), "owning_party"),
    "destination": _set(("destinationList", 0, "destination"), "urn:epc:id:pgln:4012345.00000"),
    "sensor time": _set(("sensorElementList", 0, "sensorMetadata", "time"), "2024-05-06T10:00:01+08:00"),
    "sensor value": _set(("sensorElementList", 0, "sensorReport", 0, "value"), 4.6),
    "sensor type": _set(("sensorElementList", 0, "sensorReport", 0, "type"), "Pressure"),
    "sensor component": _set(("sensorElementList", 0, "sensorReport", 1, "component"), "y"),
    "extension value": _set(("ex:note",), "warm chain"),
    "nested extension value": _set(("ex:temperatureLog", "ex:reading", 1), "4.2"),
    "extension removed": _delete(("ex:note",)),
    "extension moved into another": _set(("ex:temperatureLog", "ex:note"), "cold chain"),
    "ilmd added": _set(("ilmd",), {"ex:lot": "L1"}),
    "an unknown field": _set(("readPoint", "note"), "left of dock"),
    "an extension attribute of a bizTransaction": _set(("bizTransactionList", 0, "ex:line"), "3"),
    "an extension in persistentDisposition": _set(("persistentDisposition", "ex:by"), "QA"),
}


@pytest.mark.parametrize("change", list(BUSINESS_CHANGES.values()), ids=list(BUSINESS_CHANGES))
def test_any_business_change_changes_the_hash(change):
    event = base_event()
    change(event)
    assert h(event) != h(base_event())


def test_fields_outside_the_canonical_order_do_not_change_the_hash():
    event = base_event()
    event["recordTime"] = "2024-05-06T02:20:00.000Z"
    event["eventID"] = "urn:uuid:0b7b8a9e-58a6-4f3a-9d15-7b3c6fb1a2c4"
    event["errorDeclaration"] = {"declarationTime": "2024-05-07T00:00:00Z", "reason": "incorrect_data"}
    event["rdfs:comment"] = "a note for human readers"
    event["@context"] = [{"ex": NS}]
    assert h(event) == h(base_event())


def test_numbers_are_written_without_trailing_zeros():
    event = base_event()
    event["sensorElementList"][0]["sensorReport"][0].update({"value": 0.0000001, "minValue": "1E+2"})
    prehash = event_prehash(event, NAMESPACES)
    assert "value=0.0000001" in prehash and "minValue=100" in prehash
    assert "quantity=200uom=KGM" in prehash


def test_untyped_values_keep_their_text_but_not_trailing_zeros():
    as_json = {"type": "ObjectEvent", "action": "OBSERVE", "ex:count": 5.0, "ex:code": "007", "ex:on": True}
    as_xml = {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "ex:count": "5.0",
        "ex:code": "007",
        "ex:on": "true",
    }
    assert event_prehash(as_json, NAMESPACES) == event_prehash(as_xml, NAMESPACES)
    assert event_prehash(as_json, NAMESPACES).endswith(
        "{https://ns.example.com/epcis/}code=007{https://ns.example.com/epcis/}count=5{https://ns.example.com/epcis/}on=true"
    )


def test_string_sensor_values_are_not_numbers():
    event = {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "sensorElementList": [
            {"sensorReport": [{"stringValue": "0011.50", "hexBinaryValue": "00F0", "uom": "05"}]}
        ],
    }
    assert "stringValue=0011.50hexBinaryValue=00F0uom=05" in event_prehash(event, NAMESPACES)


def test_curies_in_iri_fields_are_expanded():
    compact = base_event()
    compact["sensorElementList"][0]["sensorReport"][0]["type"] = "ex:CoreTemperature"
    full = base_event()
    full["sensorElementList"][0]["sensorReport"][0]["type"] = NS + "CoreTemperature"
    assert h(compact) == h(full)
    # In an untyped extension value the same text is a literal, not an IRI.
    literal = {"type": "ObjectEvent", "action": "OBSERVE", "ex:ref": "ex:CoreTemperature"}
    assert event_prehash(literal, NAMESPACES).endswith(
        "{https://ns.example.com/epcis/}ref=ex:CoreTemperature"
    )


def test_extension_from_xml_attributes_and_text():
    """What the XML reader gives for <ex:probe ex:unit="C">4.5</ex:probe> (text under "#text")."""
    event = {"type": "ObjectEvent", "action": "OBSERVE", "ex:probe": {"ex:unit": "C", "#text": "4.50"}}
    assert event_prehash(event, NAMESPACES).endswith(
        "{https://ns.example.com/epcis/}probe=4.5{https://ns.example.com/epcis/}unit=C"
    )


def test_event_level_context_extends_the_document_namespaces():
    event = {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "@context": {"own": "urn:example:own:"},
        "own:field": "1",
    }
    assert event_prehash(event, NAMESPACES).endswith("{urn:example:own:}field=1")


def test_an_event_without_type_is_refused():
    with pytest.raises(ValueError, match="type"):
        event_hash({"action": "OBSERVE"}, NAMESPACES)


def test_an_undeclared_extension_prefix_is_refused():
    with pytest.raises(ContextError, match="nope"):
        event_hash({"type": "ObjectEvent", "nope:field": "1"}, NAMESPACES)


# ------------------------------------------------------------------------------------------------
# jsonld


def test_standard_context_is_known_without_reading_it():
    assert "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld" in STANDARD_CONTEXT_URLS
    assert STANDARD_PREFIXES["gs1"] == "https://gs1.org/voc/"
    assert STANDARD_PREFIXES["cbvmda"] == "urn:epcglobal:cbv:mda:"
    assert context_namespaces(STANDARD_CONTEXT_URL) == dict(STANDARD_PREFIXES)
    assert context_namespaces(None) == dict(STANDARD_PREFIXES)


def test_context_namespaces_reads_lists_and_dicts():
    namespaces = context_namespaces(
        [
            "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
            {"ex": NS, "@version": 1.1, "term": {"@id": "ex:term", "@type": "@id"}},
            {"cbvmda": "urn:epcglobal:cbv:mda"},
        ]
    )
    assert namespaces["ex"] == NS
    assert namespaces["term"] == NS + "term"
    assert namespaces["cbvmda"] == "urn:epcglobal:cbv:mda"
    assert namespaces["epcis"] == "https://ref.gs1.org/epcis/"
    assert context_namespaces({"own": "urn:own:"}, parent={"ex": NS}) == {"ex": NS, "own": "urn:own:"}


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ("https://example.com/my-context.jsonld", "remote context"),
        (["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", "https://x.example/c"], "remote"),
        ([STANDARD_CONTEXT_URL, 42], "expected the standard context URL"),
        ({"ex": 7}, "expected an IRI"),
        ({"ex": "not an iri"}, "not an absolute IRI"),
        (42, "expected the standard context URL"),
    ],
)
def test_malformed_contexts_are_refused(context, message):
    with pytest.raises(ContextError, match=message):
        context_namespaces(context)


def test_expand_term():
    assert expand_term("eventTime", NAMESPACES) is None
    assert expand_term("@context", NAMESPACES) is None
    assert expand_term("ex:field", NAMESPACES) == (NS, "field")
    assert expand_term("cbvmda:lotNumber", NAMESPACES) == ("urn:epcglobal:cbv:mda:", "lotNumber")
    assert expand_term("https://ns.example.com/epcis/field", NAMESPACES) == (NS, "field")
    assert expand_term("urn:example:ns:field", NAMESPACES) == ("urn:example:ns:", "field")
    with pytest.raises(ContextError, match="not declared"):
        expand_term("nope:field", NAMESPACES)


def test_classify_hash_vectors_counts_known_data_errors_apart():
    passed, known, total, problems = classify_hash_vectors(EXAMPLES)
    assert problems == []
    assert known == len(KNOWN_WRONG)
    assert passed + known == total
