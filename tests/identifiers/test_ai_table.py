"""The GS1 AI table, value checks (character sets, lengths, check digits, dates) and biip agreement."""

import datetime as dt

import pytest
from biip.gs1_application_identifiers import GS1ApplicationIdentifier

from tracehub.identifiers import AI_TABLE, IdentifierError, ai_info, check_ai_value, gs1_date
from tracehub.identifiers.ai_table import AI_LENGTH_BY_PREFIX, PREDEFINED_LENGTH, ai_length

REQUIRED_AIS = [
    "00", "01", "02", "10", "11", "13", "15", "17", "21", "22", "30", "37", "400", "401", "402",
    "410", "411", "412", "413", "414", "415", "416", "417", "7003", "8003", "8004", "8006", "8010",
    "8011", "8017", "8018", "8020", "254", "235", "253", "255",
    *[f"3{a}{b}{n}" for a in "1" for b in "0123456" for n in "012345"],
    *[f"3{a}{b}{n}" for a in "2" for b in "0123456789" for n in "012345"],
]  # fmt: skip


@pytest.mark.parametrize("ai", REQUIRED_AIS)
def test_the_ais_the_platform_needs_are_known(ai):
    assert ai in AI_TABLE
    assert AI_LENGTH_BY_PREFIX[ai[:2]] == len(ai)


def test_weights_and_measures_310n_to_369n_are_all_known():
    measures = [ai for ai in AI_TABLE if len(ai) == 4 and "310" <= ai[:3] <= "369"]
    assert len(measures) > 200
    for ai in measures:
        assert AI_TABLE[ai].format == "N6"
        assert PREDEFINED_LENGTH[ai[:2]] == 10


def test_every_ai_agrees_with_biip():
    # biip ships GS1's AI list; our table was cross-checked against it and must stay so.
    for ai, info in AI_TABLE.items():
        theirs = GS1ApplicationIdentifier.extract(ai)
        assert theirs.format.split("+", 1)[1] == info.format, ai
        assert (theirs.data_title or "-") == info.title, ai
        assert theirs.separator_required == (not info.predefined_length), ai


def test_roles_short_names_and_qualifier_paths():
    assert ai_info("01").role == "I" and ai_info("01").short_name == "gtin"
    assert ai_info("01").qualifier_paths == (("22", "10", "21"), ("235",))
    assert ai_info("21").role == "Q" and ai_info("17").role == "D"
    assert ai_info("414").qualifier_paths == (("254",), ("7040",))
    with pytest.raises(IdentifierError, match=r"\(49\) is not a GS1 Application Identifier"):
        ai_info("49")
    with pytest.raises(IdentifierError, match="no GS1 Application Identifier starts with"):
        ai_length("2699")


@pytest.mark.parametrize(
    ("ai", "value"),
    [
        ("00", "106141412345678908"),
        ("01", "09521234567899"),
        ("02", "09521234567899"),
        ("10", "LOT-1/2"),
        ("11", "250115"),
        ("13", "250100"),  # DD = 00: end of the month
        ("15", "240229"),  # 2024 is a leap year
        ("17", "261231"),
        ("21", "ABC!%&()*+,-./:;<=>?_z"[:20]),
        ("30", "12"),
        ("37", "25"),
        ("3103", "000189"),
        ("3922", "0299"),
        ("400", "PO-1"),
        ("414", "0614141123452"),
        ("7003", "2501151230"),
        ("8003", "006141411234525678"),
        ("8006", "054123450000130201"),
        ("8010", "0614141ABC#-/"),
        ("253", "0614141123452"),
        ("253", "0614141123452ABC"),
        ("255", "401234567890112345"),
        ("4321", "1"),
        ("7007", "250101250131"),
        ("8008", "25011512"),
    ],
)
def test_valid_values(ai, value):
    assert check_ai_value(ai, value).ai == ai


@pytest.mark.parametrize(
    ("ai", "value", "reason"),
    [
        ("01", "09521234567898", "wrong GS1 check digit 8 at position 14; expected 9"),
        ("01", "0952123456789", "too short"),
        ("01", "0952123456789A", "contains 'A'"),
        ("00", "106141412345678909", "wrong GS1 check digit"),
        ("414", "0614141123453", "wrong GS1 check digit"),
        ("253", "0614141123453ABC", "at position 13"),
        ("8003", "006141411234535678", "at position 14"),
        ("10", "", "too short"),
        ("10", "A" * 21, "has 21 characters"),
        ("10", "LOT 1", "contains ' '"),
        ("10", "LOT#1", "contains '#'"),  # '#' is not in character set 82
        ("8010", "0614141abc", "character set 39"),
        ("11", "251315", "month 13"),
        ("11", "250230", "day 30, which 2025-02 does not have"),
        ("15", "250229", "day 29"),  # 2025 is not a leap year
        ("7006", "250100", "day 00"),  # only AIs 11-17 allow DD = 00
        ("7003", "2501152400", "not a valid hhmm"),
        ("4321", "2", "must be 0 (no) or 1 (yes)"),
        ("3103", "0001957", "has 7 characters"),
    ],
)
def test_invalid_values_say_why(ai, value, reason):
    with pytest.raises(IdentifierError) as caught:
        check_ai_value(ai, value)
    assert reason in str(caught.value)
    assert f"({ai})" in str(caught.value)


@pytest.mark.parametrize(
    ("yymmdd", "today", "expected"),
    [
        ("250115", dt.date(2025, 6, 1), dt.date(2025, 1, 15)),
        ("751231", dt.date(2025, 6, 1), dt.date(2075, 12, 31)),  # difference 50: current century
        ("760101", dt.date(2025, 6, 1), dt.date(1976, 1, 1)),  # difference 51: previous century
        ("010101", dt.date(2099, 1, 1), dt.date(2101, 1, 1)),  # difference -98: next century
        ("490101", dt.date(2099, 1, 1), dt.date(2149, 1, 1)),  # difference -50: next century
        ("500101", dt.date(2099, 1, 1), dt.date(2050, 1, 1)),  # difference -49: current century
    ],
)
def test_gs1_century_rule(yymmdd, today, expected):
    assert gs1_date(yymmdd, today=today) == expected


def test_day_zero_means_end_of_month():
    assert gs1_date("240200", zero_day=True, today=dt.date(2025, 1, 1)) == dt.date(2024, 2, 29)
    assert gs1_date("250400", zero_day=True, today=dt.date(2025, 1, 1)) == dt.date(2025, 4, 30)
    with pytest.raises(IdentifierError, match="day 00"):
        gs1_date("250400", today=dt.date(2025, 1, 1))
    with pytest.raises(IdentifierError, match="six digits"):
        gs1_date("25041")
