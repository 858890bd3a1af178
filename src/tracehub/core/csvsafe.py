"""CSV cells that a spreadsheet will not run (CSV/formula injection, OWASP).

Excel, WPS and LibreOffice treat a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return followed by one) as a formula, even in a CSV file. Names, lot numbers and notes
come from enterprises and the public, so every CSV the platform writes passes its text cells through
:func:`csv_safe`: such a cell is prefixed with an apostrophe, which spreadsheets show as text and
hide. Numbers are left alone (a negative quantity stays a number).
"""

from __future__ import annotations

from typing import Any

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """``value`` unchanged, or with a leading apostrophe when a spreadsheet would read a formula."""
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value
