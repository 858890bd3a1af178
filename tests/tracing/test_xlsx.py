"""The streaming xlsx writer: what openpyxl reads back is what was written."""

from __future__ import annotations

import io

import openpyxl

from tracehub.tracing.xlsx import workbook


def test_round_trip_through_openpyxl():
    rows = [
        ["a & b <c>", 3, 2.5, None, "", True, " padded ", "bell\x07 removed", "中文 召回"],
        ["x" * 300, -1, 0.1, "end"],
    ]
    data = workbook(
        [("Events", ["H1", "H2", "H3"], rows), ("A title that is far too long for Excel", None, [["only"]])]
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Events", "A title that is far too long fo"]
    sheet = book["Events"]
    assert [cell.value for cell in sheet[1]][:3] == ["H1", "H2", "H3"]
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[2]] == [
        "a & b <c>",
        3,
        2.5,
        None,
        None,
        True,
        " padded ",
        "bell removed",
        "中文 召回",
    ]
    assert [cell.value for cell in sheet[3]][:4] == ["x" * 300, -1, 0.1, "end"]
    other = book.worksheets[1]
    assert other["A1"].value == "only" and other.max_row == 1
