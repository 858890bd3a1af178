"""Chinese codes and GS1 keys of the registry: valid check characters pass, corrupted ones fail."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from tracehub.registry import protect, validators

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Xiamen's district codes exist since 2003 (翔安); stdnum checks the code was in force at birth.
XIAMEN = ["350203", "350205", "350206", "350211", "350212", "350213"]


@st.composite
def valid_uscc(draw) -> str:
    head = draw(st.text("0123456789", min_size=8, max_size=8))
    body = draw(st.text(USCC_CHARS, min_size=9, max_size=9))
    base = head + body
    return base + uscc.calc_check_digit(base + "0")


@st.composite
def valid_ric(draw) -> str:
    region = draw(st.sampled_from(XIAMEN))
    birth = draw(st.dates(min_value=date(2004, 1, 1), max_value=date(2025, 12, 31)))
    sequence = draw(st.integers(0, 999))
    base = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return base + ric.calc_check_digit(base + "0")


@given(valid_uscc())
def test_valid_uscc_passes(code):
    assert validators.normalize_uscc(code.lower()) == code


@given(valid_uscc(), st.sampled_from(USCC_CHARS))
def test_uscc_with_a_corrupted_check_character_fails(code, replacement):
    if replacement == code[-1]:
        replacement = "0" if code[-1] != "0" else "1"
    with pytest.raises(ValidationError) as raised:
        validators.normalize_uscc(code[:-1] + replacement)
    assert raised.value.code == "checksum"


@given(valid_uscc(), st.integers(0, 16), st.sampled_from(USCC_CHARS))
def test_uscc_with_a_corrupted_body_character_fails(code, position, replacement):
    if code[position] == replacement or (position < 8 and not replacement.isdigit()):
        return  # not a corruption, or a format error tested elsewhere
    with pytest.raises(ValidationError):
        validators.normalize_uscc(code[:position] + replacement + code[position + 1 :])


@pytest.mark.parametrize("value", ["", "9135020", "91350200MA2XN6Q3I!", "91350200MA2XN6Q3IO1"])
def test_malformed_uscc_fails_with_a_format_message(value):
    with pytest.raises(ValidationError) as raised:
        validators.normalize_uscc(value)
    assert raised.value.code in ("format", "checksum")


@given(valid_ric())
def test_valid_id_number_passes(number):
    assert validators.normalize_ric(number) == number


@given(valid_ric(), st.sampled_from("0123456789X"))
def test_id_number_with_a_corrupted_check_character_fails_without_repeating_it(number, replacement):
    if replacement == number[-1]:
        replacement = "1" if number[-1] != "1" else "2"
    corrupted = number[:-1] + replacement
    with pytest.raises(ValidationError) as raised:
        validators.normalize_ric(corrupted)
    assert raised.value.code == "checksum"
    assert corrupted not in " ".join(raised.value.messages)


def test_id_number_with_an_impossible_birth_date_fails():
    base = "35020320021330123"  # 30 February … month 13
    with pytest.raises(ValidationError):
        validators.normalize_ric(base + ric.calc_check_digit(base + "0"))


def test_protection_roundtrip_digest_and_mask(settings):
    number = "350203200505171238"
    token = protect.encrypt(number)
    assert number not in token and protect.decrypt(token) == number
    assert protect.digest(number) == protect.digest(number.lower()) != protect.digest("350203200505171239")
    assert protect.mask_id_number(number) == "3502**********1238"
    # A new key in front still decrypts old values and keeps the digests.
    digest = protect.digest(number)
    settings.TRACEHUB_FIELD_KEYS = ["a-new-key", *settings.TRACEHUB_FIELD_KEYS]
    assert protect.decrypt(token) == number and protect.digest(number) == digest
    settings.TRACEHUB_FIELD_KEYS = ["another-key-only"]
    with pytest.raises(protect.ProtectedValueError):
        protect.decrypt(token)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9521234000013", ("414/9521234000013", "sgln")),
        ("urn:epc:id:sgln:9521234.00001.0", ("414/9521234000013", "sgln")),
        ("https://id.gs1.org/414/9521234000013", ("414/9521234000013", "sgln")),
        ("urn:epc:id:sgln:695318204.001.A018", ("414/6953182040019/254/A018", "sgln")),
        ("urn:tracehub:loc:91350200MA2XN6Q3XX:1", ("urn:tracehub:loc:91350200MA2XN6Q3XX:1", "platform")),
    ],
)
def test_location_identifiers_have_one_canonical_key(value, expected):
    assert validators.normalize_location_identifier(value)[:2] == expected


@pytest.mark.parametrize(
    "value",
    [
        "9521234000014",
        "https://id.gs1.org/414/9521234000014",
        "urn:epc:id:sgtin:9521234.056789.1",
        "no scheme",
        "",
    ],
)
def test_bad_location_identifiers_fail(value):
    with pytest.raises(ValidationError):
        validators.normalize_location_identifier(value)


def test_gtin_check_digit():
    assert validators.normalize_gtin("6953182040019") == "06953182040019"
    assert validators.normalize_gtin("urn:epc:idpat:sgtin:695318204.0001.*") == "06953182040019"
    with pytest.raises(ValidationError) as raised:
        validators.normalize_gtin("6953182040012")
    assert raised.value.code == "checksum"


@pytest.mark.parametrize(
    ("kind", "number", "ok"),
    [
        ("food_production", "SC10435021300218", True),
        ("food_production", "sc10435021300218", True),
        ("food_production", "SC1043502130021", False),
        ("food_production", "JY10435021300218", False),
        ("food_business", "JY13502030041726", True),
        ("food_business", "JY1350203004172X", False),
        ("drug_distribution", "闽AA5920316", True),
        ("business_licence", "91350213260143759L", True),
        ("business_licence", "91350213260143759A", False),
    ],
)
def test_licence_number_formats(kind, number, ok):
    if ok:
        assert (
            validators.normalize_licence_number(kind, number) == number.upper() or kind == "drug_distribution"
        )
    else:
        with pytest.raises(ValidationError):
            validators.normalize_licence_number(kind, number)


def test_product_attributes_are_checked_per_sector():
    assert validators.check_product_attributes(
        {"approval_number": "国药准字H35021187", "dosage_form": "胶囊剂"}, ["drug"]
    ) == {"approval_number": "国药准字H35021187", "dosage_form": "胶囊剂"}
    with pytest.raises(ValidationError) as raised:
        validators.check_product_attributes(
            {"approval_number": "国药准字X1234", "toxicity": "很毒", "colour": "red"}, ["drug", "liquor"]
        )
    assert set(raised.value.message_dict) == {
        "attributes.approval_number",
        "attributes.toxicity",
        "attributes.colour",
        "attributes.alcohol_strength",
    }
    assert validators.check_product_attributes({"alcohol_strength": "13.5%vol"}, ["liquor"]) == {
        "alcohol_strength": "13.5"
    }
    assert (
        validators.check_product_attributes(
            {"pesticide_registration": "PD20142631", "toxicity": "低毒"}, ["agri_input"]
        )["toxicity"]
        == "低毒"
    )


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"PK\x03\x04", None),
        (b"<html>", None),
    ],
)
def test_documents_are_recognised_by_content(head, kind):
    assert validators.sniff_document_type(head) == kind
