"""GS1 mod-10 check digits (GS1 General Specifications §7.9.1)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from tracehub.identifiers import IdentifierError, gs1_check_digit, has_valid_check_digit

# Each expected digit below was worked out by hand with weights 3,1,3,... from the right and
# agrees with the worked examples of GS1 TDS 2.x §7 (e.g. GTIN 80614141123458, SSCC
# 106141412345678908, GLN 0614141123452).
KNOWN = [
    ("0952123456789", "9"),  # GTIN-14 09521234567899 (so 09521234567897 is NOT a valid GTIN)
    ("8061414112345", "8"),  # GTIN-14 80614141123458, TDS §7.1 example
    ("1061414107346", "4"),  # GTIN-14 10614141073464 (urn:epc:id:sgtin:0614141.107346.…)
    ("9501234", "6"),  # GTIN-8 95012346
    ("61414100003", "6"),  # GTIN-12 614141000036
    ("10614141234567890", "8"),  # SSCC 106141412345678908
    ("061414112345", "2"),  # GLN 0614141123452
    ("0614141123456789", "0"),  # GSIN 06141411234567890
    ("06141411234567890", "2"),  # GSRN 061414112345678902
    ("401234567890", "1"),  # GCN 4012345678901
    ("0000000000000", "0"),
]


@pytest.mark.parametrize(("body", "check"), KNOWN)
def test_known_check_digits(body, check):
    assert gs1_check_digit(body) == check
    assert has_valid_check_digit(body + check)


@pytest.mark.parametrize("bad", ["", "12a4", "١٢٣", "12 3", "²3"])
def test_check_digit_rejects_non_digits(bad):
    with pytest.raises(IdentifierError, match="digits 0-9"):
        gs1_check_digit(bad)
    assert not has_valid_check_digit(bad + "0")


def test_has_valid_check_digit_needs_two_digits():
    assert not has_valid_check_digit("0")
    assert not has_valid_check_digit("")
    assert has_valid_check_digit("00")


@given(st.text(alphabet="0123456789", min_size=7, max_size=17))
def test_check_digit_agrees_with_python_stdnum(body):
    assert gs1_check_digit(body) == ean.calc_check_digit(body)


@given(
    st.text(alphabet="0123456789", min_size=7, max_size=17),
    st.data(),
)
def test_changing_any_single_digit_breaks_the_check(body, data):
    valid = body + gs1_check_digit(body)
    assert has_valid_check_digit(valid)
    position = data.draw(st.integers(min_value=0, max_value=len(valid) - 1), label="position")
    replacement = data.draw(st.sampled_from([d for d in "0123456789" if d != valid[position]]), label="digit")
    changed = valid[:position] + replacement + valid[position + 1 :]
    assert not has_valid_check_digit(changed)
