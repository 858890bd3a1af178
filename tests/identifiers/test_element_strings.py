"""GS1 element strings: bracketed and barcode (FNC1/GS) forms, errors, round trips, biip agreement."""

import datetime as dt

import biip
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracehub.identifiers import (
    IdentifierError,
    format_element_strings,
    gs1_check_digit,
    parse_element_strings,
)
from tracehub.identifiers.element_strings import GS

EXPECTED = (("01", "09521234567899"), ("10", "LOT1"), ("21", "ABC"))


@pytest.mark.parametrize(
    "text",
    [
        "(01)09521234567899(10)LOT1(21)ABC",
        f"010952123456789910LOT1{GS}21ABC",
        f"]d2010952123456789910LOT1{GS}21ABC",
        f"]C1010952123456789910LOT1{GS}21ABC{GS}",
        "]Q3(01)09521234567899(10)LOT1(21)ABC",
        f"0109521234567899{GS}10LOT1{GS}21ABC",  # a separator after a predefined-length string is harmless
    ],
)
def test_both_forms_and_symbology_identifiers(text):
    assert parse_element_strings(text) == EXPECTED


def test_predefined_length_strings_need_no_separator():
    text = f"0105412345000013310300018939232172{GS}10ABC123"
    assert parse_element_strings(text) == (
        ("01", "05412345000013"),
        ("3103", "000189"),
        ("3923", "2172"),
        ("10", "ABC123"),
    )


def test_parentheses_inside_a_value_stay_in_the_value():
    assert parse_element_strings("(10)AB(C)(21)X(1)") == (("10", "AB(C)"), ("21", "X(1)"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("(49)991234567890", r"\(49\) is not a GS1 Application Identifier"),
        ("49991234567890", "no GS1 Application Identifier starts with '49'"),
        ("(01)09521234567898", "wrong GS1 check digit"),
        ("(01)0952123456789(10)A", "too short"),
        ("010952123456789", "ends after"),
        ("(01)09521234567899(17)261331", "month 13"),
        ("(01)09521234567899(15)ABCDEF", r"\(15\) value 'ABCDEF' contains 'A'"),
        ("(10)A(10)B", "occurs twice"),
        ("[)>\x1e06\x1d9N110186865770\x1e\x04", "ISO/IEC 15434"),
        ("(0A)0952", "no valid AI"),
        ("RY9V0U42Y3", r"\(RY\) is not"),
    ],
)
def test_errors_say_why(text, reason):
    with pytest.raises(IdentifierError, match=reason):
        parse_element_strings(text)


def test_without_validation_only_the_split_is_checked():
    assert parse_element_strings("(01)05412345000013(15)ABCDEF", validate=False)[1] == ("15", "ABCDEF")


def test_format_puts_predefined_length_strings_first():
    pairs = (("10", "LOT1"), ("01", "09521234567899"), ("21", "ABC"), ("17", "261231"))
    assert format_element_strings(pairs) == "(10)LOT1(01)09521234567899(21)ABC(17)261231"
    barcode = format_element_strings(pairs, brackets=False, symbology="]d2")
    assert barcode == f"]d201095212345678991726123110LOT1{GS}21ABC"
    assert set(parse_element_strings(barcode)) == set(pairs)


_CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


@st.composite
def element_string_pairs(draw):
    body = draw(st.text("0123456789", min_size=13, max_size=13))
    pairs = [("01", body + gs1_check_digit(body))]
    lot = draw(st.text(_CSET82.replace("(", ""), min_size=1, max_size=20))
    serial = draw(st.text(_CSET82.replace("(", ""), min_size=1, max_size=20))
    day = draw(st.dates(min_value=dt.date(2000, 1, 1)))
    pairs += [("10", lot), ("21", serial), ("17", f"{day:%y%m%d}")]
    if draw(st.booleans()):
        pairs.append(("3103", draw(st.text("0123456789", min_size=6, max_size=6))))
    return tuple(draw(st.permutations(pairs)))


@settings(max_examples=200, deadline=None)
@given(element_string_pairs())
def test_random_element_strings_round_trip_and_agree_with_biip(pairs):
    bracketed = format_element_strings(pairs)
    assert parse_element_strings(bracketed) == pairs
    barcode = format_element_strings(pairs, brackets=False)
    assert set(parse_element_strings(barcode)) == set(pairs)
    # biip reads the barcode form the same way (it is our independent oracle).
    theirs = biip.parse(barcode, config=biip.ParseConfig(gs1_element_strings_verify_date=False))
    assert {(es.ai.ai, es.value) for es in theirs.gs1_message.element_strings} == set(pairs)
