"""Bulk import (批量导入) of parties, locations and products from Excel or CSV (issue #3 item 7).

P3: the small operators a city must bring onto the platform (farms, stalls, shops), and the
bureaus that register them, keep their master data in spreadsheets. They fill in a template
(``import_templates``), upload it, see every row checked with each error named by the row number
Excel shows, the column header of their file and the reason, and then store the whole file at
once, or nothing of it.

The engine reads the file (xlsx streamed by openpyxl in read-only mode, or CSV in UTF-8 or GBK),
maps its header row onto the columns of the kind (Chinese or English headers, ``COLUMNS``), and
runs each row through the registry's own services (``party_create``, ``location_create``,
``product_create``): the same rules, permissions and audit as the API and the console. A row
that fails leaves nothing behind (a service writes in its own savepoint; a row the engine refuses
itself runs in one that is rolled back), and each row sees the rows before it (a duplicate within
the file is caught). ``import_batch_create`` does this in a
transaction that is rolled back (the dry run) and stores the preview as an ``ImportBatch``;
``import_batch_commit`` reads the stored file again and runs it for real in one transaction that
is kept only if every row passes: data that changed since the preview (a party registered
meanwhile) refuses the whole commit.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tracehub.accounts.models import District, Sector
from tracehub.accounts.services import audit_record
from tracehub.core.errors import Conflict
from tracehub.registry import protect, selectors, services
from tracehub.registry.actors import Actor, ActorKind
from tracehub.registry.models import (
    IdKind,
    ImportBatch,
    ImportKind,
    ImportStatus,
    LocationKind,
    Party,
    PartyType,
)
from tracehub.registry.permissions import can
from tracehub.registry.validators import TOXICITY_CLASSES

log = logging.getLogger(__name__)

#: A number Excel stores as a double holds at most this many exact digits: a longer code typed as
#: a number (an 18-digit ID card number) has lost its last digits and must be typed as text.
_EXACT_FLOAT = 2**53

#: How much an xlsx (a zip) may unpack to, as a multiple of the upload limit: a "zip bomb" of
#: a few kilobytes must not fill the server's memory.
_UNPACK_FACTOR = 20


class ImportFileTooLarge(ValidationError):
    """The uploaded file exceeds ``TRACEHUB_IMPORT_MAX_BYTES`` (the API answers 413)."""


# -- the columns of each kind ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of an import file.

    ``field`` is the service's argument (``attributes.<name>`` for a product's sector attribute,
    ``party``/``operator`` for a party named by its credit code); ``zh`` and ``en`` are the
    template headers, both accepted on upload with the ``aliases``. ``parse`` says how a cell is
    read: text, code (text that must not pass through a number), choice or multi (one or several
    values of the list ``values``), codes (several codes), int, number, party.
    """

    field: str
    zh: str
    en: str
    help: Any
    parse: str = "text"
    values: str = ""
    required: bool = False
    aliases: tuple[str, ...] = ()

    def header(self, language: str | None = None) -> str:
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        return self.zh if language.startswith("zh") else self.en


_PARTY_REF_HELP = _(
    "The unified social credit code of the party the row belongs to. Enterprises may leave it "
    "empty: the rows are their own party's."
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    ImportKind.PARTIES: (
        Column(
            "name", "名称", "Name", _("The party's registered name."), required=True, aliases=("主体名称",)
        ),
        Column("name_en", "英文名称", "English name", _("Optional.")),
        Column(
            "party_type",
            "主体类型",
            "Party type",
            _("One of the party types listed on this sheet."),
            parse="choice",
            values="party_type",
            required=True,
        ),
        Column(
            "id_kind",
            "证件类型",
            "Identified by",
            _(
                "Optional: worked out from the code given (credit code, ID card number, or a "
                "foreign registration with its country)."
            ),
            parse="choice",
            values="id_kind",
        ),
        Column(
            "uscc",
            "统一社会信用代码",
            "Unified social credit code",
            _("18 characters, check character included; for enterprises and other legal entities."),
            parse="code",
            aliases=("USCC", "信用代码"),
        ),
        Column(
            "id_number",
            "身份证号码",
            "ID card number",
            _("For an individual (a farmer, a stall holder): 18 characters. Stored encrypted, shown masked."),
            parse="code",
            aliases=("身份证号", "居民身份证号码"),
        ),
        Column(
            "foreign_id",
            "境外注册号",
            "Foreign registration number",
            _("For a foreign party: its registration in its country or with China Customs."),
        ),
        Column(
            "country",
            "国家或地区",
            "Country",
            _("ISO 3166-1 two-letter code; empty means CN."),
            aliases=("国家", "国家/地区"),
        ),
        Column(
            "sectors",
            "所属行业",
            "Sectors",
            _("One or more sectors listed on this sheet, separated by 、 or commas."),
            parse="multi",
            values="sector",
            required=True,
            aliases=("行业",),
        ),
        Column(
            "district",
            "所在区",
            "District",
            _("A Xiamen district listed on this sheet (name or GB/T 2260 code); empty outside Xiamen."),
            parse="choice",
            values="district",
            aliases=("区", "行政区"),
        ),
        Column("address", "地址", "Address", _("Optional.")),
        Column("contact_name", "联系人", "Contact person", _("Optional.")),
        Column("contact_phone", "联系电话", "Contact phone", _("Optional."), parse="code"),
        Column("contact_email", "电子邮箱", "Contact e-mail", _("Optional."), aliases=("邮箱",)),
        Column(
            "pgln",
            "主体GLN",
            "PGLN",
            _("Optional: the party's GLN, 13 digits."),
            parse="code",
            aliases=("PGLN", "GLN"),
        ),
        Column(
            "company_prefixes",
            "厂商识别代码",
            "GS1 company prefixes",
            _("Optional: the party's GS1 company prefixes (6 to 12 digits), separated by 、 or commas."),
            parse="codes",
            aliases=("GS1厂商识别代码",),
        ),
    ),
    ImportKind.LOCATIONS: (
        Column(
            "party",
            "所属主体统一社会信用代码",
            "Party credit code",
            _PARTY_REF_HELP,
            parse="party",
            aliases=("主体统一社会信用代码", "所属主体"),
        ),
        Column(
            "identifier",
            "场所编码",
            "Location code",
            _(
                "The location's GLN (13 digits), SGLN (urn:epc:id:sgln:…) or platform node code "
                "(urn:tracehub:loc:<credit code>:…)."
            ),
            parse="code",
            required=True,
            aliases=("SGLN", "GLN"),
        ),
        Column("name", "场所名称", "Name", _("The location's name."), required=True, aliases=("名称",)),
        Column("name_en", "英文名称", "English name", _("Optional.")),
        Column(
            "kind",
            "场所类型",
            "Location kind",
            _("One of the location kinds listed on this sheet."),
            parse="choice",
            values="location_kind",
            required=True,
            aliases=("类型",),
        ),
        Column("address", "地址", "Address", _("Optional.")),
        Column(
            "district",
            "所在区",
            "District",
            _("A Xiamen district listed on this sheet (name or GB/T 2260 code); empty outside Xiamen."),
            parse="choice",
            values="district",
            aliases=("区", "行政区"),
        ),
        Column("latitude", "纬度", "Latitude", _("Optional: decimal degrees, e.g. 24.6178."), parse="number"),
        Column(
            "longitude", "经度", "Longitude", _("Optional: decimal degrees, e.g. 118.2471."), parse="number"
        ),
        Column("area_mu", "面积（亩）", "Area (mu)", _("Farm plots: area in mu (亩)."), parse="number"),
        Column("crop", "作物", "Crop", _("Farm plots: the crop grown.")),
        Column("variety", "品种", "Variety", _("Farm plots: the variety grown.")),
        Column(
            "operator",
            "经营者统一社会信用代码",
            "Operator credit code",
            _("Optional: the credit code of another registered party working there (a stall holder)."),
            parse="party",
        ),
    ),
    ImportKind.PRODUCTS: (
        Column(
            "party",
            "所属主体统一社会信用代码",
            "Party credit code",
            _PARTY_REF_HELP,
            parse="party",
            aliases=("主体统一社会信用代码", "所属主体"),
        ),
        Column(
            "gtin",
            "商品条码",
            "GTIN",
            _("The GTIN (8, 12, 13 or 14 digits, check digit included); without one, give a platform code."),
            parse="code",
            aliases=("GTIN", "商品条码(GTIN)", "条码"),
        ),
        Column(
            "platform_code",
            "平台产品编码",
            "Platform product code",
            _("For products without a GTIN: urn:tracehub:product:<credit code>:…"),
            parse="code",
        ),
        Column("name", "产品名称", "Name", _("The product's name."), required=True, aliases=("名称",)),
        Column("name_en", "英文名称", "English name", _("Optional.")),
        Column(
            "sectors",
            "所属行业",
            "Sectors",
            _("One or more sectors listed on this sheet, separated by 、 or commas."),
            parse="multi",
            values="sector",
            required=True,
            aliases=("行业",),
        ),
        Column("brand", "品牌", "Brand", _("Optional.")),
        Column("category", "品类", "Category", _("Optional."), aliases=("类别",)),
        Column("specification", "规格", "Specification", _("Optional, e.g. 500g/袋.")),
        Column(
            "unit",
            "计量单位",
            "Unit",
            _("A unit listed on this sheet, or any UN/ECE Rec. 20 code (KGM, H87 …)."),
            parse="choice",
            values="unit",
            aliases=("单位",),
        ),
        Column(
            "shelf_life_days",
            "保质期（天）",
            "Shelf life (days)",
            _("Optional: whole days."),
            parse="int",
            aliases=("保质期",),
        ),
        Column(
            "attributes.approval_number",
            "药品批准文号",
            "Drug approval number",
            _("Drugs (required): 国药准字 + H, Z, S or J + 8 digits."),
            parse="code",
            aliases=("批准文号",),
        ),
        Column(
            "attributes.pesticide_registration",
            "农药登记证号",
            "Pesticide registration number",
            _("Pesticides: PD, PDN, LS, WP, WPN or WL + 6 to 8 digits."),
            parse="code",
        ),
        Column(
            "attributes.toxicity",
            "毒性",
            "Toxicity",
            _("Pesticides: one of the toxicity classes listed on this sheet."),
            values="toxicity",
        ),
        Column(
            "attributes.alcohol_strength",
            "酒精度（%vol）",
            "Alcohol strength (% vol)",
            _("Liquor (required): e.g. 13.5."),
            parse="number",
            aliases=("酒精度",),
        ),
        Column(
            "attributes.origin_country",
            "原产国",
            "Origin country",
            _("Imported food (required): ISO 3166-1 two-letter code, e.g. FR."),
        ),
        Column("attributes.origin_region", "产地", "Origin region", _("Optional.")),
        Column("attributes.variety", "品种", "Variety", _("Optional.")),
        Column("attributes.dosage_form", "剂型", "Dosage form", _("Drugs and pesticides: optional.")),
        Column(
            "attributes.active_ingredient",
            "有效成分",
            "Active ingredient",
            _("Drugs and pesticides: optional."),
        ),
    ),
}

#: Names of the data sheet of each kind in the templates (both languages are recognised on upload).
SHEET_NAMES: dict[str, tuple[str, str]] = {
    ImportKind.PARTIES: ("主体", "Parties"),
    ImportKind.LOCATIONS: ("场所", "Locations"),
    ImportKind.PRODUCTS: ("产品", "Products"),
}


def column(kind: str, field: str) -> Column:
    return next(c for c in COLUMNS[kind] if c.field == field)


# -- the allowed values ------------------------------------------------------------------------------

#: Units of measure offered in the templates: UN/ECE Rec. 20 codes (the Product.unit field).
UNITS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("KGM", _("kilogram (千克)"), ("公斤",)),
    ("GRM", _("gram (克)"), ()),
    ("TNE", _("tonne (吨)"), ("公吨",)),
    ("LTR", _("litre (升)"), ("公升",)),
    ("MLT", _("millilitre (毫升)"), ()),
    ("H87", _("piece (件)"), ("个",)),
    ("HEA", _("head (头)"), ("只",)),
    ("BX", _("box (箱)"), ()),
    ("BO", _("bottle (瓶)"), ()),
    ("BG", _("bag (袋)"), ()),
    ("PK", _("pack (包)"), ()),
)
_UNECE_CODE = re.compile(r"^[A-Z0-9]{2,3}$")


@dataclass(frozen=True)
class Allowed:
    """One allowed value: what the service takes, its label (translated when shown), more spellings."""

    value: str
    label: Any
    aliases: tuple[str, ...] = ()


def allowed_values(name: str) -> list[Allowed]:
    """The values of one list (party types, sectors, districts …) as the templates list them."""
    if name == "party_type":
        return [Allowed(v, label) for v, label in PartyType.choices]
    if name == "id_kind":
        return [Allowed(v, label) for v, label in IdKind.choices]
    if name == "sector":
        return [Allowed(v, label) for v, label in Sector.choices]
    if name == "district":
        # The city as a whole (350200) is an official's scope, never a party's or a site's district.
        return [Allowed(v, label) for v, label in District.choices if v != District.CITY]
    if name == "location_kind":
        return [Allowed(v, label) for v, label in LocationKind.choices]
    if name == "unit":
        return [Allowed(code, label, aliases) for code, label, aliases in UNITS]
    if name == "toxicity":
        return [Allowed(v, v) for v in TOXICITY_CLASSES]
    raise KeyError(name)


def _norm(text: Any) -> str:
    """A header or a value as compared: full-width forms folded (NFKC), no spaces or marks, any case."""
    return re.sub(r"[\s*:]+", "", unicodedata.normalize("NFKC", str(text))).casefold()


_PARENS = re.compile(r"^(.*?)\s*\((.+)\)\s*$")


@cache
def _lookup(name: str) -> dict[str, str]:
    """Every accepted spelling of the values of one list → the value: the code, the label in
    English and in Chinese, the English words and the Chinese term of a label such as
    "Slaughterhouse (屠宰场)", and a district's name without 区."""
    table: dict[str, str] = {}
    for item in allowed_values(name):
        spellings = {item.value, *item.aliases}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                label = str(item.label)
            spellings.add(label)
            match = _PARENS.match(label)
            if match:
                # "Farm (养殖场/种植场)": the English words, the Chinese term, and each of its names.
                spellings.update(match.groups())
                spellings.update(re.split(r"[/、]", match.group(2)))
        if name == "district":
            spellings.update(s.removesuffix("区") for s in list(spellings) if s.endswith("区"))
        for spelling in spellings:
            table.setdefault(_norm(spelling), item.value)
    return table


@cache
def _labels(name: str) -> dict[str, Any]:
    return {item.value: item.label for item in allowed_values(name)}


def _label(name: str, value: str) -> str:
    """A value as the preview shows it: its label in the active language."""
    return str(_labels(name).get(value, value))


# -- reading a file ----------------------------------------------------------------------------------


@dataclass
class Table:
    """A file's header row and data rows, each with the row number a spreadsheet shows."""

    file_format: str
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[Any]]]


def _file_error(message) -> ValidationError:
    return ValidationError({"file": [message]})


#: First bytes of files people upload by mistake, and what to call them in the message.
_NOT_A_TABLE = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
    (b"{\\rtf", "RTF"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Control characters no CSV text holds (tab, line feed and carriage return excepted).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _size_mb(limit: int) -> str:
    return f"{limit / (1024 * 1024):g}"


def read_table(data: bytes, *, kind: str) -> Table:
    """The table in an uploaded file, recognised by its content, never by its name.

    Raises ``ValidationError({"file": [...]})`` for a file that is empty, not a spreadsheet, damaged
    or too long, with a message the uploader can act on."""
    if not data:
        raise _file_error(gettext("The file is empty."))
    for signature, what in _NOT_A_TABLE:
        if data.startswith(signature):
            raise _file_error(
                gettext(
                    "This file is a %(type)s file, not an Excel workbook (.xlsx) or a CSV file. "
                    "Download the template, fill it in and upload it."
                )
                % {"type": what}
            )
    if data.startswith(_OLE2):
        raise _file_error(
            gettext(
                "This is an old Excel 97-2003 workbook (.xls), a password-protected workbook or another "
                "Office file. Save it as an Excel workbook (.xlsx) or as CSV, without a password, "
                "and upload that."
            )
        )
    # An xlsx is a zip archive; anything else must be CSV text.
    table = _read_xlsx(data, kind=kind) if data.startswith(b"PK\x03\x04") else _read_csv(data)
    if not table.headers:
        raise _file_error(gettext("The file has no header row: its first row names the columns."))
    if not table.rows:
        raise _file_error(gettext("The file has no rows of data below its header row."))
    return table


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _too_many_rows(limit: int) -> ValidationError:
    return _file_error(
        gettext("The file has more than %(n)d rows of data: split it into files of at most %(n)d rows.")
        % {"n": limit}
    )


def _collect(numbered_rows, *, file_format: str) -> Table:
    """Header = the first row that is not empty; data = the non-empty rows after it."""
    limit = settings.TRACEHUB_IMPORT_MAX_ROWS
    header_row, headers, rows = 0, [], []
    for number, values in numbered_rows:
        values = list(values)
        while values and _blank(values[-1]):
            values.pop()
        if not values:
            continue
        if not header_row:
            header_row = number
            headers = ["" if _blank(v) else _cell_text(v) for v in values]
            continue
        if len(rows) >= limit:
            raise _too_many_rows(limit)
        rows.append((number, values))
    return Table(file_format=file_format, header_row=header_row, headers=headers, rows=rows)


def _read_xlsx(data: bytes, *, kind: str) -> Table:
    import openpyxl

    damaged = _file_error(
        gettext(
            "This Excel workbook cannot be read; it may be damaged. Open it in Excel or WPS, save it "
            "again as an Excel workbook (.xlsx), and upload it."
        )
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise damaged from None
    if "xl/workbook.xml" not in names:
        raise _file_error(
            gettext(
                "This file is a ZIP archive (a Word document, for example), not an Excel workbook. "
                "Upload the filled-in template as .xlsx or CSV."
            )
        )
    if unpacked > settings.TRACEHUB_IMPORT_MAX_BYTES * _UNPACK_FACTOR:
        raise _file_error(
            gettext("This workbook unpacks to far more data than a table of rows: it is refused.")
        )
    workbook = None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        names = {_norm(n) for n in SHEET_NAMES[kind]}
        sheets = workbook.worksheets
        if not sheets:
            raise damaged
        sheet = next((s for s in sheets if _norm(s.title) in names), sheets[0])
        # Some writers record a wrong sheet size; read every row there is (openpyxl read-only docs).
        sheet.reset_dimensions()
        return _collect(enumerate(sheet.iter_rows(values_only=True), start=1), file_format="xlsx")
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises anything on a damaged file
        # A damaged upload is the uploader's problem to fix, not a server error: say so, keep a trace.
        log.info("unreadable xlsx upload: %s: %s", type(exc).__name__, exc)
        raise damaged from None
    finally:
        if workbook is not None:
            workbook.close()


def _decode(data: bytes) -> str:
    # Excel for Chinese Windows saves "CSV" in GBK (its ANSI code page), "CSV UTF-8" with a BOM;
    # GB 18030 decodes every GBK file, so it is the fallback.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _file_error(
        gettext(
            "This file is neither an Excel workbook (.xlsx) nor a CSV text file in UTF-8 or GBK. "
            "Download the template, fill it in and upload it."
        )
    )


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    if _CONTROL.search(text):
        raise _file_error(
            gettext(
                "This file is neither an Excel workbook (.xlsx) nor a CSV text file in UTF-8 or GBK. "
                "Download the template, fill it in and upload it."
            )
        )
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    if delimiter == "," and "；" not in first_line and ";" in first_line and "," not in first_line:
        delimiter = ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _collect(enumerate(reader, start=1), file_format="csv")
    except csv.Error as exc:
        raise _file_error(
            gettext("This CSV file cannot be read (%(reason)s). Save it again from Excel as CSV.")
            % {"reason": str(exc)}
        ) from None


# -- cells ---------------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_FLOAT:
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _lost_digits(value: Any) -> bool:
    """A code that went through an Excel number: rounded (long codes) or in exponent form."""
    return isinstance(value, float) and (not value.is_integer() or abs(value) >= _EXACT_FLOAT)


_SEPARATORS = re.compile(r"[,，、;；/\n]+")


def _split(text: str) -> list[str]:
    return [part.strip() for part in _SEPARATORS.split(text) if part.strip()]


@dataclass
class Cell:
    """A cell as read: what the service gets, what the preview shows, and what was wrong with it."""

    value: Any
    display: str
    error: Any = None


def _parse(col: Column, raw: Any) -> Cell:
    text = _cell_text(raw)
    if col.parse in ("code", "party", "codes") and _lost_digits(raw):
        return Cell(
            "",
            text,
            _(
                "Excel stored this code as a number and lost digits: format the column as text and "
                "type the code again."
            ),
        )
    if col.parse in ("text", "code", "party"):
        return Cell(text, text)
    if col.parse == "codes":
        parts = _split(text)
        return Cell(parts, "、".join(parts))
    if col.parse == "number":
        return Cell(text or None, text)
    if col.parse == "int":
        if not text:
            return Cell(None, "")
        if re.fullmatch(r"\d{1,9}", text):
            return Cell(int(text), text)
        return Cell(None, text, _("Expected a whole number."))
    if col.parse == "choice":
        if not text:
            return Cell("", "")
        value = _lookup(col.values).get(_norm(text))
        if value is None:
            if col.values == "unit" and _UNECE_CODE.match(text.upper()):
                return Cell(text.upper(), text.upper())
            return Cell(None, text, _unknown_value(text))
        return Cell(value, _label(col.values, value))
    if col.parse == "multi":
        values, unknown = [], []
        for part in _split(text):
            value = _lookup(col.values).get(_norm(part))
            if value is None:
                unknown.append(part)
            elif value not in values:
                values.append(value)
        display = "、".join(_label(col.values, v) for v in values)
        if unknown:
            return Cell(None, text, _unknown_value("、".join(unknown)))
        return Cell(values, display)
    raise ValueError(col.parse)


def _unknown_value(text: str):
    return _(
        'Unknown value "%(value)s": use one of the values listed on the instructions sheet of the template.'
    ) % {"value": text[:50]}


# -- headers ---------------------------------------------------------------------------------------------


@dataclass
class Mapping:
    """Which column of the file is which field, by index, with the header as written in the file."""

    kind: str
    index: dict[str, int]
    headers: dict[str, str]

    def header(self, field: str) -> str:
        """The column as the user knows it: its header in the file, else the template's."""
        if field in self.headers:
            return self.headers[field]
        try:
            return column(self.kind, field).header()
        except StopIteration:
            return ""


def map_headers(kind: str, headers: list[str], *, party_column_required: bool) -> Mapping:
    """Match the header row onto the kind's columns; every problem in one file-level error."""
    by_name: dict[str, Column] = {}
    for col in COLUMNS[kind]:
        for name in (col.zh, col.en, col.field, *col.aliases):
            by_name.setdefault(_norm(name), col)
    errors: list[str] = []
    index: dict[str, int] = {}
    found: dict[str, str] = {}
    for i, header in enumerate(headers):
        if not header:
            continue
        col = by_name.get(_norm(header))
        if col is None:
            errors.append(
                gettext(
                    'Unknown column "%(column)s": the template\'s headers name the columns this import reads.'
                )
                % {"column": header[:50]}
            )
        elif col.field in index:
            errors.append(
                gettext('The columns "%(first)s" and "%(second)s" are the same column.')
                % {"first": found[col.field], "second": header}
            )
        else:
            index[col.field] = i
            found[col.field] = header
    required = [c for c in COLUMNS[kind] if c.required or (c.field == "party" and party_column_required)]
    for col in required:
        if col.field not in index:
            errors.append(
                gettext('The column "%(column)s" is missing: every row needs it.') % {"column": col.header()}
            )
    if kind == ImportKind.PRODUCTS and "gtin" not in index and "platform_code" not in index:
        errors.append(
            gettext('The file needs a column "%(gtin)s" or "%(code)s" identifying each product.')
            % {"gtin": column(kind, "gtin").header(), "code": column(kind, "platform_code").header()}
        )
    if errors:
        raise ValidationError({"file": errors})
    return Mapping(kind=kind, index=index, headers=found)


# -- running the rows through the services ------------------------------------------------------------


@dataclass
class Outcome:
    rows: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    created_ids: list[int]


class _RowRefused(Exception):
    """Rolls back a row's savepoint when the row had errors of its own the service did not see."""


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


#: The field whose value identifies a row's object: a second row with the same value is a duplicate.
_KEY_FIELDS = {
    ImportKind.PARTIES: ("uscc", "id_number", "pgln"),
    ImportKind.LOCATIONS: ("identifier",),
    ImportKind.PRODUCTS: ("gtin", "platform_code"),
}


class _Run:
    """One pass over a table: each row parsed, checked, and written by its service."""

    def __init__(self, *, actor: Actor, kind: str, table: Table, mapping: Mapping) -> None:
        self.actor = actor
        self.kind = kind
        self.table = table
        self.mapping = mapping
        self.columns = [column(kind, f) for f in sorted(mapping.index, key=mapping.index.get)]
        self.own_party = selectors.party_get(actor=actor, pk=actor.party_id) if actor.acts_for_party else None
        self._parties: dict[str, Party | None] = {}
        self._operators: dict[str, Party | None] = {}
        self._seen: dict[tuple[str, str], int] = {}

    def party(self, uscc: str) -> Party | None:
        """A party the actor may see, by credit code (cached: a file names few parties, many times)."""
        code = uscc.strip().upper()
        if code not in self._parties:
            try:
                self._parties[code] = selectors.party_by_uscc(actor=self.actor, uscc=code)
            except Party.DoesNotExist:
                self._parties[code] = None
        return self._parties[code]

    def operator(self, uscc: str) -> Party | None:
        """A location's operator: any registered party, as the API's operatorId is (docs/registry.md)."""
        code = uscc.strip().upper()
        if code not in self._operators:
            self._operators[code] = Party.objects.filter(uscc=code).first()
        return self._operators[code]

    def run(self) -> Outcome:
        rows, errors, created = [], [], []
        for number, cells in self.table.rows:
            row_errors: list[tuple[str, str, Any]] = []  # (field, column shown, message)
            parsed: dict[str, Cell] = {}
            for col in self.columns:
                i = self.mapping.index[col.field]
                cell = _parse(col, cells[i] if i < len(cells) else None)
                parsed[col.field] = cell
                if cell.error is not None:
                    row_errors.append((col.field, self.mapping.header(col.field), cell.error))
            for i, value in enumerate(cells):
                if (i >= len(self.table.headers) or not self.table.headers[i]) and not _blank(value):
                    message = _(
                        "A value in a column without a header: give the column a header or move the value."
                    )
                    row_errors.append(("", _column_letter(i), message))
            preview = {"row": number, "values": {f: c.display for f, c in parsed.items() if c.display}}
            if "id_number" in preview["values"] and preview["values"]["id_number"]:
                # Personal data (docs/registry.md): the preview shows the number masked, as everywhere.
                preview["values"]["id_number"] = protect.mask_id_number(preview["values"]["id_number"])
            obj = self._row(number, parsed, row_errors)
            if obj is not None:
                created.append(obj.pk)
            preview["ok"] = not row_errors
            rows.append(preview)
            row_errors.sort(key=lambda e: self.mapping.index.get(e[0], len(self.mapping.index)))
            errors.extend(
                {"row": number, "column": shown, "field": field, "message": str(message)}
                for field, shown, message in row_errors
            )
        return Outcome(rows=rows, errors=errors, created_ids=created)

    def _duplicates(self, number: int, parsed: dict[str, Cell], row_errors: list) -> bool:
        duplicate = False
        for field in _KEY_FIELDS[self.kind]:
            cell = parsed.get(field)
            if cell is None or cell.error is not None or not isinstance(cell.value, str) or not cell.value:
                continue
            key = (field, cell.value.upper())
            if key in self._seen:
                row_errors.append(
                    (
                        field,
                        self.mapping.header(field),
                        _("The same code is in row %(row)d: each row registers one thing once.")
                        % {"row": self._seen[key]},
                    )
                )
                duplicate = True
            else:
                self._seen[key] = number
        return duplicate

    def _row(self, number: int, parsed: dict[str, Cell], row_errors: list):
        if self._duplicates(number, parsed, row_errors):
            return None
        flagged = {field for field, _shown, _message in row_errors}
        try:
            call = self._call(parsed, row_errors)
        except _RowRefused:
            return None
        if call is None:
            return None
        try:
            if row_errors:
                # Refused already; the service still names the row's other errors, and whatever
                # it writes meanwhile is rolled back with the savepoint.
                with transaction.atomic():
                    call()
                    raise _RowRefused
            # A service writes nothing when it refuses (its writes run in their own savepoint).
            return call()
        except _RowRefused:
            return None
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            for key, texts in messages.items():
                field = self._field_of(key)
                if field in flagged:
                    continue  # the cell's own message already says what is wrong, and better
                for text in texts:
                    row_errors.append((field, self.mapping.header(field) if field else "", text))
        except PermissionDenied as exc:
            row_errors.append(("", "", str(exc) or gettext("You may not do this.")))
        except Conflict as exc:
            key = _KEY_FIELDS[self.kind][0]
            row_errors.append((key, self.mapping.header(key), str(exc.message)))
        except ObjectDoesNotExist:
            row_errors.append(("party", self.mapping.header("party"), _party_unknown()))
        return None

    def _field_of(self, key: str) -> str:
        if key in ("", "__all__"):
            return ""
        if key.startswith("attributes."):
            return key
        return key.split(".", 1)[0]

    def _owner(self, parsed: dict[str, Cell], row_errors: list) -> Party | None:
        cell = parsed.get("party")
        code = cell.value if cell is not None and cell.error is None else ""
        if not code:
            if cell is not None and cell.error is not None:
                return None
            if self.own_party is None:
                row_errors.append(
                    (
                        "party",
                        self.mapping.header("party"),
                        _("Name the party by its unified social credit code."),
                    )
                )
            return self.own_party
        party = self.party(code)
        if party is None:
            row_errors.append(("party", self.mapping.header("party"), _party_unknown()))
        return party

    def _call(self, parsed: dict[str, Cell], row_errors: list) -> Callable[[], Any] | None:
        """The service call of one row, or None when the row cannot be sent (its errors are recorded)."""
        values = {field: cell.value for field, cell in parsed.items()}
        if self.kind == ImportKind.PARTIES:
            return self._party_call(values, row_errors)
        owner = self._owner(parsed, row_errors)
        if owner is None:
            return None
        if self.kind == ImportKind.LOCATIONS:
            operator = None
            if values.get("operator"):
                operator = self.operator(values["operator"])
                if operator is None:
                    row_errors.append(
                        (
                            "operator",
                            self.mapping.header("operator"),
                            _("No party with this credit code is registered."),
                        )
                    )
                    return None
            fields = {
                name: values[name] if values.get(name) is not None else default
                for name, default in (
                    ("identifier", ""),
                    ("name", ""),
                    ("kind", ""),
                    ("name_en", ""),
                    ("address", ""),
                    ("district", ""),
                    ("latitude", None),
                    ("longitude", None),
                    ("area_mu", None),
                    ("crop", ""),
                    ("variety", ""),
                )
            }
            return lambda: services.location_create(
                actor=self.actor, party=owner, operator=operator, **fields
            )
        attributes = {
            name.removeprefix("attributes."): value
            for name, value in values.items()
            if name.startswith("attributes.") and value not in (None, "")
        }
        fields = {
            name: values[name] if values.get(name) is not None else default
            for name, default in (
                ("gtin", ""),
                ("platform_code", ""),
                ("name", ""),
                ("name_en", ""),
                ("brand", ""),
                ("category", ""),
                ("specification", ""),
                ("unit", ""),
                ("shelf_life_days", None),
            )
        }
        # An unreadable sectors cell is already reported; the service must still refuse the row.
        sectors = values.get("sectors") or []
        return lambda: services.product_create(
            actor=self.actor, party=owner, sectors=sectors, attributes=attributes, **fields
        )

    def _party_call(self, values: dict[str, Any], row_errors: list) -> Callable[[], Any]:
        fields = {
            name: values.get(name) or ""
            for name in (
                "name",
                "name_en",
                "party_type",
                "uscc",
                "id_number",
                "foreign_id",
                "district",
                "address",
                "contact_name",
                "contact_phone",
                "contact_email",
                "pgln",
            )
        }
        fields["country"] = (values.get("country") or "CN").upper()
        fields["sectors"] = values.get("sectors") or []
        fields["company_prefixes"] = values.get("company_prefixes") or []
        id_kind = values.get("id_kind")
        if not id_kind:
            # P3: a small operator's sheet gives the code it has; which kind it is follows from it.
            if fields["uscc"]:
                id_kind = IdKind.USCC
            elif fields["id_number"]:
                id_kind = IdKind.RIC
            elif fields["foreign_id"] or fields["country"] != "CN":
                id_kind = IdKind.FOREIGN
            elif not {"id_kind", "uscc", "id_number", "foreign_id", "country"} & {
                f for f, _s, _m in row_errors
            }:
                row_errors.append(
                    (
                        "uscc",
                        self.mapping.header("uscc"),
                        _(
                            "Give the unified social credit code, or for an individual the ID card "
                            "number, or for a foreign party its country."
                        ),
                    )
                )
                raise _RowRefused
            else:
                raise _RowRefused
        fields["id_kind"] = id_kind or ""
        return lambda: services.party_create(actor=self.actor, **fields)


def _party_unknown():
    # One message for "no such party" and "not yours": existence must not leak (docs/permissions.md).
    return _("No party with this credit code whose data you may manage.")


def run_rows(*, actor: Actor, kind: str, table: Table) -> tuple[Mapping, Outcome]:
    """Map the headers and run every row through its service, in the caller's transaction."""
    mapping = map_headers(kind, table.headers, party_column_required=not actor.acts_for_party)
    return mapping, _Run(actor=actor, kind=kind, table=table, mapping=mapping).run()


# -- who may import what ----------------------------------------------------------------------------


def import_kinds_for(actor: Actor) -> list[str]:
    """The kinds the actor may import. Parties: whoever may register parties (operators, platform
    clients, officials); locations and products: whoever writes a party's locations and products
    (the platform, an enterprise administrator or a party's own system, docs/permissions.md)."""
    kinds = []
    if can(actor, "party.create"):
        kinds.append(ImportKind.PARTIES.value)
    if actor.sees_all or (
        actor.kind in (ActorKind.ENTERPRISE_ADMIN, ActorKind.PARTY_CLIENT) and actor.party_id is not None
    ):
        kinds += [ImportKind.LOCATIONS.value, ImportKind.PRODUCTS.value]
    return kinds


def _require_kind(actor: Actor, kind: str) -> None:
    if kind not in ImportKind.values:
        raise ValidationError(
            {
                "kind": [
                    _("Unknown kind; expected one of %(values)s.") % {"values": ", ".join(ImportKind.values)}
                ]
            }
        )
    if kind not in import_kinds_for(actor):
        raise PermissionDenied(
            _("You may not import %(kind)s.") % {"kind": str(ImportKind(kind).label).lower()}
        )


def _is_uploader(actor: Actor, batch: ImportBatch) -> bool:
    if actor.client is not None:
        return batch.created_by_client_id == actor.client.pk
    return actor.user is not None and batch.created_by_id == actor.user.pk


# -- selectors --------------------------------------------------------------------------------------------


def import_batch_get(*, actor: Actor, pk: int) -> ImportBatch:
    """A batch its uploader (or the platform) may see; DoesNotExist for anybody else's (404)."""
    batch = ImportBatch.objects.filter(pk=pk).first()
    if batch is None or not (_is_uploader(actor, batch) or actor.sees_all):
        raise ImportBatch.DoesNotExist("import batch not found")
    return batch


def import_batch_list(*, actor: Actor, limit: int = 10) -> list[ImportBatch]:
    """The actor's own latest batches, without their (large) rows."""
    if actor.client is not None:
        qs = ImportBatch.objects.filter(created_by_client=actor.client)
    elif actor.user is not None:
        qs = ImportBatch.objects.filter(created_by=actor.user)
    else:
        return []
    return list(qs.defer("rows", "errors", "columns").order_by("-created_at", "-id")[:limit])


# -- services --------------------------------------------------------------------------------------------


def _read_upload(content) -> bytes:
    limit = settings.TRACEHUB_IMPORT_MAX_BYTES
    too_large = ImportFileTooLarge(
        {
            "file": [
                _("The file is larger than %(size)s MB: split it into smaller files.")
                % {"size": _size_mb(limit)}
            ]
        }
    )
    size = getattr(content, "size", None)
    if size is not None and size > limit:
        raise too_large
    data = content.read(limit + 1) if hasattr(content, "read") else bytes(content)
    if len(data) > limit:
        raise too_large
    return data


def _batch_snapshot(batch: ImportBatch) -> dict[str, Any]:
    return {
        "kind": batch.kind,
        "status": batch.status,
        "filename": batch.filename,
        "file_format": batch.file_format,
        "file_size": batch.file_size,
        "file_sha256": batch.file_sha256,
        "row_count": batch.row_count,
        "error_count": batch.error_count,
        "created_count": len(batch.created_ids),
    }


def _audit(actor: Actor, action: str, batch: ImportBatch, *, before=None) -> None:
    audit_record(
        **actor.audit,
        action=action,
        object_type="registry.ImportBatch",
        object_id=str(batch.pk),
        before=before,
        after=_batch_snapshot(batch),
        party_ref=batch.party_id,
    )


def _drop_file(batch: ImportBatch) -> None:
    """Forget the stored file once the batch can no longer be committed (it may hold ID numbers)."""
    if batch.file:
        name, storage = batch.file.name, batch.file.storage
        batch.file = ""
        transaction.on_commit(lambda: storage.delete(name))


def import_batches_expire(*, now: datetime | None = None) -> int:
    """Expire the batches whose preview is older than ``TRACEHUB_IMPORT_TTL_HOURS`` and drop their
    files. Run at each upload; returns how many expired."""
    now = now or timezone.now()
    count = 0
    for batch in ImportBatch.objects.filter(status=ImportStatus.READY, expires_at__lte=now).defer("rows"):
        with transaction.atomic():
            before = _batch_snapshot(batch)
            batch.status = ImportStatus.EXPIRED
            _drop_file(batch)
            batch.save(update_fields=["status", "file"])
            audit_record(
                action="registry.import.expire",
                object_type="registry.ImportBatch",
                object_id=str(batch.pk),
                before=before,
                after=_batch_snapshot(batch),
                party_ref=batch.party_id,
            )
        count += 1
    return count


def import_batch_create(*, actor: Actor, kind: str, content, filename: str = "") -> ImportBatch:
    """Upload a file and check it (批量导入预览): every row goes through its service in a dry run
    that is rolled back; the preview (rows, errors) is stored as a batch with the file.

    File-level problems (not a spreadsheet, too large, empty, a required column missing) raise
    ``ValidationError({"file": …})`` (``ImportFileTooLarge`` for size) and store nothing; a kind
    the actor may not import raises ``PermissionDenied``. Row errors are the batch's ``errors``:
    a batch with errors is INVALID and can never be committed."""
    _require_kind(actor, kind)
    data = _read_upload(content)
    table = read_table(data, kind=kind)
    with transaction.atomic():
        mapping, outcome = run_rows(actor=actor, kind=kind, table=table)
        # The dry run: nothing of it stays, not even its audit rows.
        transaction.set_rollback(True)
    import_batches_expire()
    ttl = timedelta(hours=settings.TRACEHUB_IMPORT_TTL_HOURS)
    batch = ImportBatch(
        kind=kind,
        status=ImportStatus.INVALID if outcome.errors else ImportStatus.READY,
        created_by=actor.user,
        created_by_client=actor.client,
        actor_label=str(actor)[:200],
        party_id=actor.party_id if actor.acts_for_party else None,
        filename=(filename or "").replace("\\", "/").rsplit("/", 1)[-1][:200],
        file_format=table.file_format,
        file_size=len(data),
        file_sha256=hashlib.sha256(data).hexdigest(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        row_count=len(table.rows),
        error_count=len(outcome.errors),
        columns=[
            {"field": field, "header": mapping.headers[field]}
            for field in sorted(mapping.index, key=mapping.index.get)
        ],
        rows=outcome.rows,
        errors=outcome.errors,
        expires_at=timezone.now() + ttl,
    )
    storage_name = None
    try:
        with transaction.atomic():
            if batch.status == ImportStatus.READY:
                # The stored name is generated: the uploaded name may carry a person's name.
                batch.file.save(f"{uuid.uuid4().hex}.{table.file_format}", ContentFile(data), save=False)
                storage_name = batch.file.name
            batch.save()
            _audit(actor, "registry.import.create", batch)
    except BaseException:
        if storage_name:
            batch.file.storage.delete(storage_name)
        raise
    return batch


def import_batch_commit(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    """Store a checked batch (批量导入提交): its file runs again through the services, for real, in
    one transaction kept only if every row passes. Rows that fail now (the data changed since the
    preview) refuse the whole batch: it becomes FAILED with those errors and nothing is stored.

    Only its uploader commits a batch, once, while it is READY and not expired; otherwise
    ``Conflict`` (or ``PermissionDenied`` for somebody else's batch)."""
    if not _is_uploader(actor, batch):
        if not actor.sees_all:
            raise ImportBatch.DoesNotExist("import batch not found")
        raise PermissionDenied(_("Only whoever uploaded the file may store it."))
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        before = _batch_snapshot(batch)
        if batch.status == ImportStatus.READY and batch.expires_at <= timezone.now():
            batch.status = ImportStatus.EXPIRED
            _drop_file(batch)
            batch.save(update_fields=["status", "file"])
            _audit(actor, "registry.import.expire", batch, before=before)
            expired = True
        else:
            expired = False
    if expired:
        raise Conflict(_("This preview has expired: upload the file again."))
    if batch.status == ImportStatus.COMMITTED:
        raise Conflict(_("This file is already stored."))
    if batch.status == ImportStatus.INVALID:
        raise Conflict(
            _("This file has errors: nothing of it can be stored. Correct them and upload it again.")
        )
    if batch.status != ImportStatus.READY:
        raise Conflict(_("This import can no longer be stored: upload the file again."))
    failed: Outcome | None = None
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportStatus.READY:
            raise Conflict(_("This file is already stored."))
        try:
            with batch.file.open("rb") as handle:
                data = handle.read()
        except (OSError, ValueError):
            raise Conflict(_("The stored file is gone: upload the file again.")) from None
        if hashlib.sha256(data).hexdigest() != batch.file_sha256:
            raise Conflict(_("The stored file has changed since its preview: upload the file again."))
        try:
            table = read_table(data, kind=batch.kind)
            with transaction.atomic():
                _mapping, outcome = run_rows(actor=actor, kind=batch.kind, table=table)
                if outcome.errors:
                    failed = outcome
                    transaction.set_rollback(True)
        except ValidationError as exc:
            # The file was fine at the preview; a file-level refusal now is the same kind of change.
            failed = Outcome(
                rows=batch.rows,
                errors=[{"row": None, "column": "", "field": "", "message": m} for m in exc.messages],
                created_ids=[],
            )
        if failed is None:
            batch.status = ImportStatus.COMMITTED
            batch.created_ids = outcome.created_ids
            batch.committed_at = timezone.now()
        else:
            batch.status = ImportStatus.FAILED
            batch.errors = failed.errors
            batch.error_count = len(failed.errors)
            batch.rows = failed.rows
        _drop_file(batch)
        batch.save()
        _audit(
            actor,
            "registry.import.commit" if failed is None else "registry.import.commit_refused",
            batch,
            before=before,
        )
    return batch
