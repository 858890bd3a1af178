"""CSV cells that would run as spreadsheet formulas are neutralised (OWASP CSV injection)."""

import pytest

from tracehub.core.csvsafe import csv_safe


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_cells_are_prefixed(value):
    assert csv_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["L2026-11", "厦门翔润", "", "1=1", 12, -3.5, None])
def test_other_cells_are_unchanged(value):
    assert csv_safe(value) == value
