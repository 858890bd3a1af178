"""Writing keys back out, class keys, company prefixes, and the Gs1Id value object."""

import dataclasses

import pytest

from tracehub.identifiers import (
    Gs1Id,
    IdentifierError,
    canonical_key,
    company_prefix_candidates,
    company_prefix_of,
    format_identifier,
    instance_class_key,
    parse_identifier,
)


@pytest.mark.parametrize(
    ("key", "prefix_length", "expected"),
    [
        ("01/80614141123458/21/6789", 7, "urn:epc:id:sgtin:0614141.812345.6789"),
        ("01/80614141123458/21/6789", None, "https://id.gs1.org/01/80614141123458/21/6789"),
        ("01/80614141123458/10/L1", 7, "urn:epc:class:lgtin:0614141.812345.L1"),
        ("01/80614141123458", 7, "urn:epc:idpat:sgtin:0614141.812345.*"),
        ("414/0614141123452", 7, "urn:epc:id:sgln:0614141.12345.0"),
        ("414/0614141123452/254/5678", None, "https://id.gs1.org/414/0614141123452/254/5678"),
        ("00/106141412345678908", 7, "urn:epc:id:sscc:0614141.1234567890"),
        # no EPC form, or a prefix length that does not fit: Digital Link instead of an error
        ("8006/806141411234580102/10/L1", 7, "https://id.gs1.org/8006/806141411234580102/10/L1"),
        ("8004/0614141AB", 12, "https://id.gs1.org/8004/0614141AB"),
        ("01/80614141123458/21/6789", 13, "https://id.gs1.org/01/80614141123458/21/6789"),
        # keys that are not GS1 keys are the URIs themselves
        ("urn:epc:id:bic:CSQU3054383", 7, "urn:epc:id:bic:CSQU3054383"),
        ("https://example.com/things/1", None, "https://example.com/things/1"),
        (
            "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8",
            None,
            "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8",
        ),
        ("", None, ""),
    ],
)
def test_format_identifier(key, prefix_length, expected):
    assert format_identifier(key, prefix_length) == expected


def test_format_identifier_on_another_base():
    assert format_identifier("01/80614141123458", None, base="https://trace.example.gov.cn") == (
        "https://trace.example.gov.cn/01/80614141123458"
    )


def test_format_identifier_round_trips_through_canonical_key():
    for uri in (
        "urn:epc:id:sgtin:0614141.812345.6789%2F%26",
        "urn:epc:id:cpi:0614141.5PQ7%2FZ43%23.12345",
        "urn:epc:id:giai:0614141.A%25B",
        "urn:epc:id:itip:0614141.812345.01.02.987",
    ):
        gs1_id = parse_identifier(uri)
        assert format_identifier(gs1_id.key, gs1_id.company_prefix_length) == uri


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("01/80614141123458/21/6789", "01/80614141123458"),
        ("01/80614141123458/10/L1", None),
        ("01/80614141123458", None),
        ("01/80614141123458/235/T", None),
        ("8006/806141411234580102/21/987", None),
        ("414/0614141123452/254/21", None),
        ("urn:epc:id:sgtin:0614141.812345.6789", None),
        ("01/80614141123457/21/6789", None),  # not a valid key
    ],
)
def test_instance_class_key(key, expected):
    assert instance_class_key(key) == expected


@pytest.mark.parametrize(
    ("key", "length", "prefix"),
    [
        ("01/80614141123458/21/6789", 7, "0614141"),
        ("00/106141412345678908", 7, "0614141"),
        ("8003/006141411234525678", 7, "0614141"),
        ("414/0614141123452", 12, "061414112345"),
        ("8004/061414112345400", 6, "061414"),
        ("8006/806141411234580102/21/987", 7, "0614141"),
    ],
)
def test_company_prefix_of(key, length, prefix):
    assert company_prefix_of(key, length) == prefix


def test_company_prefix_of_errors():
    with pytest.raises(IdentifierError, match="6 to 12 digits"):
        company_prefix_of("01/80614141123458", 5)
    with pytest.raises(IdentifierError, match="8-digit GS1 Company Prefix"):
        company_prefix_of("8004/0614141AB", 8)
    with pytest.raises(IdentifierError, match="not a canonical GS1 key"):
        company_prefix_of("urn:epc:id:bic:CSQU3054383", 7)


def test_company_prefix_candidates():
    assert company_prefix_candidates("01/80614141123458/21/6789") == (
        "061414112345",
        "06141411234",
        "0614141123",
        "061414112",
        "06141411",
        "0614141",
        "061414",
    )
    assert company_prefix_candidates("8004/0614141AB") == ("0614141", "061414")


def test_canonical_key_strips_white_space():
    assert canonical_key("  urn:epc:id:sgtin:0614141.812345.6789\n") == "01/80614141123458/21/6789"
    assert canonical_key(" urn:example:foo ") == "urn:example:foo"


def test_gs1_id_is_a_frozen_slotted_value():
    gs1_id = parse_identifier("urn:epc:id:sgtin:0614141.812345.6789")
    assert gs1_id == Gs1Id("sgtin", "01/80614141123458/21/6789", 7, False)
    assert not hasattr(gs1_id, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        gs1_id.key = "x"
    assert hash(gs1_id) == hash(Gs1Id("sgtin", "01/80614141123458/21/6789", 7, False))


def test_identifier_error_is_a_value_error():
    assert issubclass(IdentifierError, ValueError)
