"""GTIN-8/12/13/14, GLN and SSCC on their own: valid, each kind of corruption, stdnum agreement."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from tracehub.identifiers import (
    IdentifierError,
    gs1_check_digit,
    gtin_kind,
    validate_gln,
    validate_gtin,
    validate_sscc,
)


@pytest.mark.parametrize(
    ("gtin", "kind", "gtin14"),
    [
        ("95012346", "GTIN-8", "00000095012346"),
        ("614141000036", "GTIN-12", "00614141000036"),
        ("9521234567899", "GTIN-13", "09521234567899"),
        ("19521234567896", "GTIN-14", "19521234567896"),
    ],
)
def test_valid_gtins(gtin, kind, gtin14):
    assert gtin_kind(gtin) == kind
    assert validate_gtin(gtin) == gtin14


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("9521234567898", "wrong check digit 8; GS1 mod 10 (GS1 GS §7.9.1) gives 9"),
        ("952123456789", "wrong check digit"),  # a GTIN-13 missing a digit reads as a wrong GTIN-12
        ("95212345678", "has 11 digits"),
        ("952123456789O", "character 13 is 'O'"),
        ("", "has 0 digits"),
    ],
)
def test_corrupt_gtins(value, reason):
    with pytest.raises(IdentifierError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        validate_gtin(value)


def test_gln_and_sscc():
    assert validate_gln("0614141123452") == "0614141123452"
    assert validate_sscc("106141412345678908") == "106141412345678908"
    with pytest.raises(IdentifierError, match="GLN '061414112345' has 12 digits; 13 required"):
        validate_gln("061414112345")
    with pytest.raises(IdentifierError, match="SSCC '106141412345678909': wrong check digit"):
        validate_sscc("106141412345678909")


@given(st.text("0123456789", min_size=1, max_size=17))
def test_stdnum_and_our_check_digit_agree(body):
    assert ean.calc_check_digit(body) == gs1_check_digit(body)


@given(st.text("0123456789", min_size=12, max_size=12), st.integers(0, 12), st.integers(1, 9))
def test_any_single_wrong_digit_is_caught(body, position, delta):
    gtin = body + gs1_check_digit(body)
    wrong = gtin[:position] + str((int(gtin[position]) + delta) % 10) + gtin[position + 1 :]
    with pytest.raises(IdentifierError, match="wrong check digit"):
        validate_gtin(wrong)
