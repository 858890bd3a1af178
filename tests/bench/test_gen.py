"""The benchmark's documents are valid EPCIS 2.0 in both formats (bench.gen); no timing here."""

from __future__ import annotations

import orjson
import pytest
from lxml import etree

from bench import gen
from tracehub.epcis.validation import check_document
from tracehub.epcis.xmlformat import parse_xml_document
from tracehub.identifiers import canonical_key

SPEC = gen.DocumentSpec(number=7, events=300)


def test_json_document_passes_validation():
    document = orjson.loads(gen.document(SPEC, gen.JSON))
    normalized, errors = check_document(document)
    assert errors == []
    assert len(normalized) == SPEC.events and all(n is not None for n in normalized)
    steps = {n.biz_step for n in normalized}
    assert {"commissioning", "shipping", "receiving"} <= steps
    assert any(n.action == "ADD" for n in normalized) and any(n.action == "OBSERVE" for n in normalized)
    assert any(e.role == "biz_transaction" for n in normalized for e in n.index)


def test_xml_document_converts_in_xsd_order_and_validates():
    converted = parse_xml_document(gen.document(SPEC, gen.XML), check_order=True)
    normalized, errors = check_document(converted)
    assert errors == []
    json_normalized, _ = check_document(orjson.loads(gen.document(SPEC, gen.JSON)))
    assert normalized == json_normalized  # the same events in both formats


def test_xml_document_is_valid_against_the_epcis_2_xsd(conformance_dir):
    schema = etree.XMLSchema(
        etree.parse(str(conformance_dir / "gs1-epcis" / "XSD" / "EPCglobal-epcis-2_0.xsd"))
    )
    document = etree.fromstring(gen.document(gen.DocumentSpec(number=8, events=100), gen.XML))
    assert schema.validate(document), schema.error_log


def test_documents_are_deterministic_and_never_share_an_epc():
    assert gen.document(SPEC, gen.JSON) == gen.document(gen.DocumentSpec(number=7, events=300), gen.JSON)
    epcs = []
    for number in (0, 1, 9, 10):
        for event in gen.events(gen.DocumentSpec(number=number, events=200)):
            assert 1 <= len(event["epcList"]) <= 10
            epcs.extend(event["epcList"])
    assert len(epcs) == len(set(epcs))


def test_check_digits_agree_with_the_identifier_package():
    company = gen.COMPANIES[0]
    item = company.items[0]
    assert canonical_key(company.sgtin(item, "42")) == f"01/{company.gtin(item)}/21/42"
    assert canonical_key(company.sgln(company.sites[0])) == f"414/{company.gln(company.sites[0])}"


def test_streamed_file_equals_the_whole_document(tmp_path):
    spec = gen.DocumentSpec(number=3, events=gen.CHUNK_EVENTS * 2 + 17)
    for fmt in gen.FORMATS:
        path = tmp_path / f"doc.{fmt}"
        size = gen.write_document(spec, fmt, path)
        assert path.read_bytes() == gen.document(spec, fmt) and size == path.stat().st_size


def test_spec_refuses_sizes_that_would_repeat_serials():
    with pytest.raises(ValueError):
        gen.DocumentSpec(number=1, events=10**gen.POSITION_DIGITS + 1)
