"""Downloadable bulk-import templates (批量导入模板): xlsx with instructions and drop-downs, and CSV.

P3: a small operator fills in a sheet it can open in Excel or WPS. The xlsx has the data sheet
(headers in the user's language, Chinese by default; required columns marked, code columns
formatted as text so Excel keeps leading zeros and long numbers) and a second sheet listing
every column, what goes in it and the allowed values, which the drop-downs of the data sheet use.
The CSV is the header row alone, UTF-8 with a BOM, which Excel needs to show Chinese.
"""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext

from tracehub.registry.imports import COLUMNS, SHEET_NAMES, allowed_values
from tracehub.registry.models import ImportKind

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Value lists shown on the instructions sheet, in this order, each with its drop-down.
_LISTS = {
    ImportKind.PARTIES: ("party_type", "sector", "district", "id_kind"),
    ImportKind.LOCATIONS: ("location_kind", "district"),
    ImportKind.PRODUCTS: ("sector", "unit", "toxicity"),
}
#: Lists whose cells may hold several values or a value not listed: the drop-down only helps.
_OPEN_LISTS = {"sector", "unit"}


def _list_titles() -> dict[str, str]:
    return {
        "party_type": gettext("Party types"),
        "sector": gettext("Sectors"),
        "district": gettext("Districts"),
        "id_kind": gettext("Identified by"),
        "location_kind": gettext("Location kinds"),
        "unit": gettext("Units"),
        "toxicity": gettext("Toxicity classes"),
    }


def _is_zh() -> bool:
    return (translation.get_language() or settings.LANGUAGE_CODE).startswith("zh")


def template_filename(kind: str, file_format: str) -> str:
    name = SHEET_NAMES[kind][0 if _is_zh() else 1]
    return f"{name}{'导入模板' if _is_zh() else '-import-template'}.{file_format}"


def template_csv(kind: str) -> bytes:
    """The header row of ``kind`` in the active language, UTF-8 with a BOM."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([c.header() for c in COLUMNS[kind]])
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(kind: str) -> bytes:
    """The xlsx template of ``kind`` in the active language (the workbook is small: openpyxl's
    normal mode, which writes data validation and comments)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    zh = _is_zh()
    columns = COLUMNS[kind]
    max_rows = settings.TRACEHUB_IMPORT_MAX_ROWS
    workbook = Workbook()
    data = workbook.active
    data.title = SHEET_NAMES[kind][0 if zh else 1]
    guide = workbook.create_sheet(gettext("Instructions"))

    required_fill = PatternFill("solid", fgColor="0B5394")
    optional_fill = PatternFill("solid", fgColor="D9E0E8")
    for i, col in enumerate(columns, start=1):
        cell = data.cell(row=1, column=i, value=col.header())
        cell.font = Font(bold=True, color="FFFFFF" if col.required else "1F2933")
        cell.fill = required_fill if col.required else optional_fill
        cell.comment = Comment(str(col.help), "TraceHub", width=260, height=110)
        letter = get_column_letter(i)
        data.column_dimensions[letter].width = max(14, min(40, len(col.header()) * (2.2 if zh else 1.2) + 4))
        if col.parse in ("code", "codes", "party"):
            # Typed into a text column, 350213… and 069… stay as written (not 3.5E+17, not 69…).
            data.column_dimensions[letter].number_format = "@"
    data.freeze_panes = "A2"

    # The instructions sheet: one line per column, then the value lists the drop-downs use.
    bold = Font(bold=True)
    guide.append([gettext("Bulk import template: %(kind)s") % {"kind": str(ImportKind(kind).label)}])
    guide["A1"].font = Font(bold=True, size=14)
    for line in (
        gettext("Fill in one row per record on the first sheet, below its header row; keep the headers."),
        gettext("Dark columns are required. Chinese and English headers are both accepted."),
        gettext("Several values in one cell (sectors, prefixes) are separated by 、 or commas."),
        gettext(
            "Upload the file in the console (or to the API). Every row is checked first; nothing is "
            "stored until you confirm, and nothing at all if any row has an error."
        ),
        gettext("At most %(rows)d rows and %(size)s MB per file.")
        % {"rows": max_rows, "size": f"{settings.TRACEHUB_IMPORT_MAX_BYTES / (1024 * 1024):g}"},
    ):
        guide.append([line])
    guide.append([])
    guide.append([gettext("Column"), gettext("Also accepted"), gettext("Required"), gettext("What to enter")])
    header_row = guide.max_row
    for cell in guide[header_row]:
        cell.font = bold
    for col in columns:
        other = col.en if zh else col.zh
        guide.append([col.header(), other, gettext("yes") if col.required else "", str(col.help)])
    for letter, width in (("A", 26), ("B", 26), ("C", 8), ("D", 70)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=header_row, max_col=4):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")

    titles = _list_titles()
    first_list_column = 6  # F: a blank column E separates the lists from the column notes
    for offset, name in enumerate(_LISTS[kind]):
        list_column = first_list_column + offset
        letter = get_column_letter(list_column)
        values = allowed_values(name)
        head = guide.cell(row=header_row, column=list_column, value=titles[name])
        head.font = bold
        for j, item in enumerate(values, start=1):
            guide.cell(row=header_row + j, column=list_column, value=str(item.label))
        guide.column_dimensions[letter].width = 30
        source = f"'{guide.title}'!${letter}${header_row + 1}:${letter}${header_row + len(values)}"
        open_list = name in _OPEN_LISTS
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=not open_list,
            errorTitle=gettext("Not in the list"),
            error=gettext("Choose a value from the list (see the instructions sheet)."),
        )
        data.add_data_validation(validation)
        for i, col in enumerate(columns, start=1):
            if col.values == name:
                letter_data = get_column_letter(i)
                validation.add(f"{letter_data}2:{letter_data}{max_rows + 1}")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_response(kind: str, file_format: str) -> HttpResponse:
    """The template of ``kind`` as a download (404 for an unknown kind or format)."""
    if kind not in ImportKind.values or file_format not in ("xlsx", "csv"):
        raise Http404("no such import template")
    if file_format == "xlsx":
        response = HttpResponse(template_xlsx(kind), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=template_filename(kind, file_format)
    )
    return response
