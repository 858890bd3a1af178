"""Helpers of the bulk-import tests: fill a downloaded template the way a user does in Excel."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def fill_xlsx(template: bytes, rows: list[dict[str, Any]]) -> bytes:
    """The template with ``rows`` typed below its header row, each a {header: value} dict."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    for row in rows:
        unknown = set(row) - set(headers)
        assert not unknown, f"not in the template: {unknown}"
        sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_xlsx(headers: list[str], rows: list[list[Any]], *, title: str = "Sheet1") -> bytes:
    """A workbook made from scratch (not from a template), as another program would write it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_csv(headers: list[str], rows: list[list[Any]], *, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(data: bytes, name: str = "import.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX if name.endswith(".xlsx") else "text/csv")


def errors_of(batch) -> list[tuple[int | None, str, str]]:
    """(row, column, message) of each error of a batch."""
    return [(e["row"], e["column"], e["message"]) for e in batch.errors]
