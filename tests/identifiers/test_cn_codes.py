"""Chinese codes and the platform trace code: valid, each kind of corruption, round trips, platform URIs."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracehub.identifiers import (
    IdentifierError,
    canonical_key,
    format_customs_declaration_number,
    format_drug_trace_code,
    format_liquor_slip_number,
    format_pesticide_unit_code,
    format_platform_trace_code,
    format_vet_drug_trace_code,
    make_liquor_slip_number,
    make_platform_trace_code,
    parse_customs_declaration_number,
    parse_drug_trace_code,
    parse_identifier,
    parse_liquor_slip_number,
    parse_pesticide_unit_code,
    parse_platform_trace_code,
    parse_platform_uri,
    parse_vet_drug_trace_code,
    platform_uri,
)
from tracehub.identifiers.cn_codes import pesticide_code_in

DRUG = "81234560000012345678"
PESTICIDE = "11426311110123456789012345678901"
VET = "202301150012345678901234"
CUSTOMS = "370020261000482913"
TRACE = make_platform_trace_code("350203", 12, dt.date(2025, 1, 15), 42)
SLIP = make_liquor_slip_number("3502", 2025, 421)


# --- drug trace code ---------------------------------------------------------------------------


def test_drug_trace_code():
    code = parse_drug_trace_code(DRUG)
    assert (code.drug_identification_code, code.serial, code.verification) == ("8123456", "000001234", "5678")
    assert format_drug_trace_code(DRUG, grouped=True) == "8123456 000001234 5678"
    assert parse_drug_trace_code(format_drug_trace_code(DRUG, grouped=True)).code == DRUG


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (DRUG[:-1], "has 19 digits; 20 required"),
        (DRUG + "0", "has 21 digits"),
        (DRUG[:5] + "O" + DRUG[6:], "character 6 is 'O'"),
        ("８" + DRUG[1:], "character 1 is '８'"),  # full-width digits are not ASCII
    ],
)
def test_corrupt_drug_trace_codes(code, reason):
    with pytest.raises(IdentifierError, match=reason):
        parse_drug_trace_code(code)


# --- pesticide unit code -----------------------------------------------------------------------


def test_pesticide_unit_code():
    code = parse_pesticide_unit_code(PESTICIDE)
    assert (code.category, code.registration_digits, code.production_type, code.specification) == (
        "PD",
        "142631",
        "1",
        "110",
    )
    assert len(code.random) == 21
    assert code.matches_registration("PD20142631") and not code.matches_registration("WP20142631")
    assert format_pesticide_unit_code(PESTICIDE, grouped=True) == "1 142631 1 110 123456789012345678901"
    assert pesticide_code_in(f"https://trace.example.cn/q?c={PESTICIDE}").code == PESTICIDE


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("4" + PESTICIDE[1:], "registration category must be 1 \\(PD\\), 2 \\(WP\\) or 3 \\(LS\\)"),
        (PESTICIDE[:7] + "4" + PESTICIDE[8:], "production type must be 1"),
        (PESTICIDE[:-1], "has 31 digits; 32 required"),
        (PESTICIDE[:-1] + "x", "character 32 is 'x'"),
    ],
)
def test_corrupt_pesticide_codes(code, reason):
    with pytest.raises(IdentifierError, match=reason):
        parse_pesticide_unit_code(code)


# --- veterinary drug ---------------------------------------------------------------------------


def test_vet_drug_trace_code():
    code = parse_vet_drug_trace_code(VET)
    assert (code.applied_on, code.enterprise, code.random) == (dt.date(2023, 1, 15), "00123", "45678901234")
    assert format_vet_drug_trace_code(VET, grouped=True) == "20230115 00123 45678901234"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("20231315" + VET[8:], "not a date YYYYMMDD"),
        ("20100115" + VET[8:], "predates the trace system"),
        (VET[:-2], "has 22 digits; 24 required"),
    ],
)
def test_corrupt_vet_drug_codes(code, reason):
    with pytest.raises(IdentifierError, match=reason):
        parse_vet_drug_trace_code(code)


# --- customs declaration -----------------------------------------------------------------------


def test_customs_declaration_number():
    number = parse_customs_declaration_number(CUSTOMS)
    assert (number.customs_office, number.year, number.direction, number.sequence) == (
        "3700",
        2026,
        "import",
        "000482913",
    )
    assert parse_customs_declaration_number("37002026E000482913").is_manifest
    assert parse_customs_declaration_number("370020260000482913").direction == "export"
    assert format_customs_declaration_number(CUSTOMS, grouped=True) == "3700 2026 1 000482913"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (CUSTOMS[:8] + "2" + CUSTOMS[9:], "import/export flag is 1/0"),
        ("3700" + "1066" + CUSTOMS[8:], "not a plausible year"),
        (CUSTOMS[:-1], "must have 18 characters"),
        ("37A0" + CUSTOMS[4:], "character 3 is 'A'"),
    ],
)
def test_corrupt_customs_numbers(number, reason):
    with pytest.raises(IdentifierError, match=reason):
        parse_customs_declaration_number(number)


# --- liquor accompanying slip (our rule) --------------------------------------------------------


def test_liquor_slip_number():
    slip = parse_liquor_slip_number(SLIP)
    assert (slip.prefecture, slip.year, slip.sequence) == ("3502", 2025, "00421")
    assert format_liquor_slip_number(SLIP, grouped=True) == f"3502 25 {SLIP[6:]}"
    assert parse_liquor_slip_number(format_liquor_slip_number(SLIP, grouped=True)).number == SLIP


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (SLIP[:-1] + str((int(SLIP[-1]) + 1) % 10), "wrong check digit"),
        ("9902" + SLIP[4:], "not a GB/T 2260 prefecture code"),
        (SLIP[:-1], "has 11 digits"),
    ],
)
def test_corrupt_liquor_slips(number, reason):
    with pytest.raises(IdentifierError, match=reason):
        parse_liquor_slip_number(number)


# --- platform trace code (our rule) -------------------------------------------------------------


def test_platform_trace_code():
    code = parse_platform_trace_code(TRACE)
    assert (code.district, code.node, code.day, code.sequence) == (
        "350203",
        "0012",
        dt.date(2025, 1, 15),
        "0042",
    )
    grouped = format_platform_trace_code(TRACE)
    assert grouped == f"{TRACE[:10]}-{TRACE[10:16]}-{TRACE[16:]}" and len(grouped) == 24
    assert parse_platform_trace_code(grouped).code == TRACE
    assert parse_platform_trace_code(grouped.replace("-", " ")).code == TRACE


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (TRACE[:-1] + str((int(TRACE[-1]) + 1) % 10), "wrong check digits"),
        (TRACE[:6] + "0000" + TRACE[10:], "node 0000"),
        ("990203" + TRACE[6:], "not a GB/T 2260 province"),
        ("350200" + TRACE[6:], "is a prefecture code"),
        (TRACE[:10] + "251315" + TRACE[16:], "not a date YYMMDD"),
        (TRACE[:-1], "has 21 digits; 22 required"),
        (TRACE[:3] + "O" + TRACE[4:], "character 4 is 'O'"),
    ],
)
def test_corrupt_platform_trace_codes(code, reason):
    with pytest.raises(IdentifierError, match=reason):
        parse_platform_trace_code(code)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["350203", "350205", "350206", "350211", "350212", "350213", "110101"]),
    st.integers(1, 9999),
    st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)),
    st.integers(0, 9999),
)
def test_random_trace_codes_round_trip(district, node, day, sequence):
    code = make_platform_trace_code(district, node, day, sequence)
    parsed = parse_platform_trace_code(format_platform_trace_code(code))
    assert (parsed.district, int(parsed.node), parsed.day, int(parsed.sequence)) == (
        district,
        node,
        day,
        sequence,
    )


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 21), st.integers(1, 9), st.integers(0, 9999), st.integers(1, 9999))
def test_any_single_wrong_digit_of_a_trace_code_is_caught(position, delta, sequence, node):
    # MOD 97-10 changes its remainder whenever one digit changes (97 is prime to every 10^k).
    code = make_platform_trace_code("350203", node, dt.date(2025, 1, 15), sequence)
    wrong = code[:position] + str((int(code[position]) + delta) % 10) + code[position + 1 :]
    with pytest.raises(IdentifierError):
        parse_platform_trace_code(wrong)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 21), st.integers(0, 9999))
def test_any_adjacent_swap_of_a_trace_code_is_caught(position, sequence):
    code = make_platform_trace_code("350206", 7, dt.date(2025, 3, 1), sequence)
    position = min(position, 20)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    if swapped != code:
        with pytest.raises(IdentifierError):
            parse_platform_trace_code(swapped)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 99999), st.integers(2000, 2099), st.integers(0, 11), st.integers(1, 9))
def test_any_single_wrong_digit_of_a_liquor_slip_is_caught(sequence, year, position, delta):
    # ISO/IEC 7064 MOD 11,10 detects every single substitution.
    number = make_liquor_slip_number("3502", year, sequence)
    wrong = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    with pytest.raises(IdentifierError):
        parse_liquor_slip_number(wrong)


@given(st.text("0123456789", min_size=21, max_size=21))
def test_random_pesticide_codes_round_trip(random):
    code = "2" + "654321" + "3" + "007" + random
    assert parse_pesticide_unit_code(format_pesticide_unit_code(code, grouped=True)).random == random


# --- platform URIs and canonical keys ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "code", "uri"),
    [
        ("drug", DRUG, f"urn:tracehub:code:drug:{DRUG}"),
        ("pesticide", PESTICIDE, f"urn:tracehub:code:pesticide:{PESTICIDE}"),
        ("vetdrug", VET, f"urn:tracehub:code:vetdrug:{VET}"),
        ("trace", format_platform_trace_code(TRACE), f"urn:tracehub:code:trace:{TRACE}"),
        ("customs_declaration", CUSTOMS, f"urn:tracehub:doc:customs_declaration:{CUSTOMS}"),
        ("liquor_slip", SLIP, f"urn:tracehub:doc:liquor_slip:{SLIP}"),
    ],
)
def test_platform_uris_are_their_own_canonical_key(kind, code, uri):
    assert platform_uri(kind, code) == uri
    parsed = parse_platform_uri(uri)
    assert (parsed.kind, parsed.uri) == (kind, uri)
    assert canonical_key(uri) == uri
    assert canonical_key(uri.upper().replace(uri.rpartition(":")[2].upper(), uri.rpartition(":")[2])) == uri
    assert parse_identifier(uri) is None  # not a GS1 key: the registry tells them apart


def test_canonical_key_normalises_grouped_codes_and_refuses_broken_ones():
    assert canonical_key(f"urn:tracehub:code:trace:{format_platform_trace_code(TRACE)}") == (
        f"urn:tracehub:code:trace:{TRACE}"
    )
    with pytest.raises(IdentifierError, match="wrong check digits"):
        canonical_key(f"urn:tracehub:code:trace:{TRACE[:-1]}0" if TRACE[-1] != "0" else TRACE[:-1] + "1")
    # Other platform URIs (parties, locations, other documents) are left alone.
    assert (
        canonical_key("urn:tracehub:loc:91350200MA2XYZ1234:stall-7")
        == "urn:tracehub:loc:91350200MA2XYZ1234:stall-7"
    )
    assert (
        canonical_key("urn:tracehub:doc:bill_of_lading:COSU123") == "urn:tracehub:doc:bill_of_lading:COSU123"
    )
    with pytest.raises(IdentifierError, match="unknown platform code kind"):
        platform_uri("tea", "1")
