"""Excel templates of the step entries of every sector (issue #6 item 6, issue #7 item 5), in the
way of the registry's bulk import (docs/import.md): one sheet per step with Chinese headers
(``中文名 key``), an example row, and the same size and row limits; a column is found by its key or
its Chinese name. A step is a registered :class:`~tracehub.sectors.entry.StepEntry`, or a meat_veg
step by its key.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from tracehub.sectors.entry import STEP_INPUTS, Input, StepEntry

#: An example row of each step's template (the demo's parties and locations).
EXAMPLES: dict[str, dict[str, str]] = {
    "market_trading": {
        "location": "urn:epc:id:sgln:694026713.001.A018",
        "buyer": "urn:epc:id:pgln:697240156.000",
        "lot": "urn:epc:class:lgtin:695318204.9002.20261115-07",
        "weight": "20.5",
        "unit_price": "28.60",
        "time": "2026-11-16 05:40",
    },
    "market_entry": {
        "location": "urn:epc:id:sgln:697240156.001.0",
        "supplier": "urn:tracehub:party:<统一社会信用代码>",
        "lot": "urn:epc:class:lgtin:695318204.9002.20261115-07",
        "weight": "20.5",
        "origin": "厦门市翔安区",
        "goods_type": "meat",
        "voucher": "3502060042-261116-000154",
        "time": "2026-11-16 06:50",
    },
}


def _refused(message: str):
    from tracehub.sectors.services import StepRefused

    return StepRefused({0: [{"field": "file", "message": message}]})


def _inputs(step: str | StepEntry | tuple[Input, ...]) -> tuple[Input, ...]:
    if isinstance(step, str):
        return STEP_INPUTS[step]
    return step if isinstance(step, tuple) else step.inputs


def _key_of(header: str, inputs: tuple[Input, ...]) -> str | None:
    text = (header or "").strip()
    for spec in inputs:
        if text in (spec.key, spec.zh, spec.header) or text.endswith(f" {spec.key}"):
            return spec.key
    return None


def read_rows(step: str | StepEntry | tuple[Input, ...], content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, {input key: value}) of each data row of an uploaded template."""
    import openpyxl

    inputs = _inputs(step)

    if not content:
        raise _refused(_("The file is empty."))
    if len(content) > settings.TRACEHUB_IMPORT_MAX_BYTES:
        raise _refused(_("The file is too large."))
    if not content.startswith(b"PK\x03\x04"):
        raise _refused(
            _("This file is not an Excel workbook (.xlsx): download the template, fill it in and upload it.")
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        raise _refused(_("This Excel workbook cannot be read; it may be damaged.")) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        header: list[str | None] | None = None
        rows: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if not any(v not in (None, "") for v in values):
                continue
            if header is None:
                header = [_key_of(str(v or ""), inputs) for v in values]
                unknown = [str(v) for v, k in zip(values, header, strict=True) if v and k is None]
                if unknown:
                    raise _refused(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
                continue
            if str(values[0] or "").startswith("#"):
                continue  # the template's example row
            if len(rows) >= settings.TRACEHUB_IMPORT_MAX_ROWS:
                raise _refused(_("The file has too many rows."))
            rows.append(
                (number, {k: v for k, v in zip(header, values, strict=False) if k and v not in (None, "")})
            )
    finally:
        workbook.close()
    if header is None or not rows:
        raise _refused(_("The file has no rows of data below its header row."))
    return rows


def template_xlsx(
    step: str | StepEntry | tuple[Input, ...],
    *,
    example: dict[str, str] | None = None,
    title: str = "",
    text_columns: tuple[str, ...] = (),
) -> bytes:
    """The template of a step: a header row, an example row (starting with #) and a notes sheet.

    A bare tuple of inputs (an Excel upload of records that are not step entries, e.g. the farm
    produce certificates and tests, issue #6 item 6) gives its ``example`` and sheet ``title``;
    ``text_columns`` are formatted as text, so that long codes keep their digits."""
    import openpyxl
    from openpyxl.styles import Font

    inputs = _inputs(step)
    if example is None:
        example = EXAMPLES.get(step, {}) if isinstance(step, str) else getattr(step, "example", {})
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = (title or (step if isinstance(step, str) else getattr(step, "step", "")) or "data")[:31]
    sheet.append([spec.header for spec in inputs])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(["# " + example.get(inputs[0].key, "示例")] + [example.get(s.key, "") for s in inputs[1:]])
    for index, spec in enumerate(inputs, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(spec.header) * 2)
        if spec.key in text_columns:
            for row in range(2, 502):
                sheet[f"{letter}{row}"].number_format = "@"
    notes = workbook.create_sheet("说明")
    notes.append(["列", "必填", "说明", "column", "required", "notes"])
    for spec in inputs:
        notes.append(
            [
                spec.zh,
                "是" if spec.required else "否",
                spec.help_zh + (f"（{'/'.join(spec.choices)}）" if spec.choices else ""),
                spec.key,
                "yes" if spec.required else "no",
                spec.help_en or spec.en,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
