"""Excel uploads of the farm produce (G4) and farm inputs (G5) records (issue #6 item 6: "Excel
templates per step with Chinese headers, upload with preview and per-row errors, all-or-nothing").

A co-operative fills a template of compliance certificates (合格证), rapid tests (快检) or planting
plots; a farm one of its usage filings (使用备案). Each row is stored by the very service the phone
form and the API call (``services_agri.certificate_issue``, ``rapid_test_record``, ``plot_create``,
``services_agri_input.input_usage_record``), so a row makes the same record, the same event and the
same audit row as the other channels, with the same checks and permissions. These records are not
plain step entries (a certificate's number is allocated, a test keeps its measured value, a usage
its filing), so the framework's ``StepImport`` pipeline — which stores only events — does not fit;
the upload follows the farm inputs ledger's instead (``services_agri_input.ledger_upload``):
"check" runs every row in a transaction that is rolled back and names each error by (row, column,
reason); "import" runs them again and keeps them all, or nothing if any row is wrong. Nothing of the
file is kept between the two.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tracehub.accounts.services import audit_record
from tracehub.epcis.profiles import refusal_scope
from tracehub.identifiers import IdentifierError, canonical_key
from tracehub.registry.actors import Actor
from tracehub.registry.models import Location, Party
from tracehub.sectors import imports
from tracehub.sectors import selectors_agri as selectors
from tracehub.sectors.entry import CHINA, Input, seller_of
from tracehub.sectors.messages import Message
from tracehub.sectors.models_agri import CertificateCommitment, CommitmentBasis, PlantingPlot
from tracehub.sectors.models_agri_input import LedgerSource
from tracehub.sectors.services import StepRefused
from tracehub.sectors.services_agri import (
    CERTIFICATE_INPUTS,
    AgriInvalid,
    certificate_issue,
    plot_create,
    rapid_test_record,
)
from tracehub.sectors.services_agri_input import USAGE_INPUTS, AgriInputInvalid, input_usage_record

# -- the columns of each template (``中文名 key``; the notes sheet explains each) ------------------

_TIME_HELP = "留空为当前时间；格式 2026-11-16 08:30"
#: The certificate's columns are the certificate entry's inputs (form, API and Excel fill in the
#: same fields); in a spreadsheet the plot is named rather than numbered, and the words of the
#: choices may be written in Chinese.
CERTIFICATE_COLUMNS: tuple[Input, ...] = tuple(
    {
        "unit": replace(item, help_zh="KGM 千克 / TNE 吨 / H87 件 / HEA 头、只"),
        "commitments": replace(
            item,
            help_zh="以逗号分隔：no_banned_drugs 不使用禁限用农药兽药、"
            "no_illegal_additives 不使用非法添加物、intervals_kept 遵守安全间隔期休药期、"
            "residue_standards 符合残留标准；“全部”为四项",
        ),
        "test_basis": replace(
            item,
            help_zh="entrusted_test 委托检测 / self_test 自我检测 / internal_control 内部质量控制 / "
            "self_commitment 自我承诺",
        ),
        "plot": replace(item, zh="地块", en="plot", help_zh="本主体种植地块的名称或编号，可留空"),
        "time": replace(item, zh="开具时间", en="issued at", help_zh=_TIME_HELP),
    }.get(item.key, item)
    for item in CERTIFICATE_INPUTS
)
#: A rapid test's columns are the test form's fields (and the API's certificate and site).
TEST_COLUMNS: tuple[Input, ...] = (
    Input("lot", "产品批次", "lot", "lot", help_zh="批次标识（LGTIN 或平台批次 URI）"),
    Input("sample", "样品", "sample", "text"),
    Input("item", "检测项目", "test item", "text"),
    Input("method", "检测方法", "method", "text", required=False),
    Input("value", "检测值", "measured value", "number"),
    Input("limit", "限量值", "limit", "number", help_zh="检测值不大于限量值为合格"),
    Input("unit", "单位", "unit", "text", help_zh="如 mg/kg、%抑制率"),
    Input("tester", "检测人", "tester", "text"),
    Input("tested_at", "检测时间", "tested at", "time", required=False, help_zh=_TIME_HELP),
    Input("certificate", "合格证编号", "certificate no.", "text", required=False, help_zh="16 位，可留空"),
    Input(
        "location",
        "检测场所",
        "testing site",
        "location",
        required=False,
        help_zh="本主体场所标识；填写则同时上报快检事件",
    ),
)
PLOT_COLUMNS: tuple[Input, ...] = (
    Input("name", "地块名称", "plot name", "text"),
    Input("area_mu", "面积（亩）", "area (mu)", "number"),
    Input("crop", "作物", "crop", "text"),
    Input("variety", "品种", "variety", "text"),
    Input(
        "district",
        "所在区",
        "district",
        "text",
        required=False,
        help_zh="区划代码如 350211，留空为本主体所在区",
    ),
    Input("location", "场所", "location", "location", required=False, help_zh="本主体场所标识，可留空"),
)
#: A usage filing's columns are the usage service's inputs (the form and API fill in the same).
USAGE_COLUMNS: tuple[Input, ...] = tuple(
    replace(item, help_zh="本主体种植地块的名称或编号") if item.key == "plot" else item
    for item in USAGE_INPUTS
)

EXAMPLES: dict[str, dict[str, str]] = {
    "certificates": {
        "location": "urn:tracehub:loc:<统一社会信用代码>:1",
        "lot": "urn:tracehub:lot:<统一社会信用代码>:SHQ:20261120",
        "product_name": "上海青",
        "quantity": "120",
        "unit": "KGM",
        "origin": "厦门市集美区后溪镇",
        "production_date": "2026-11-20",
        "commitments": "全部",
        "test_basis": "self_test",
        "plot": "1号地块",
        "contact_phone": "13800000000",
        "time": "2026-11-20 08:30",
    },
    "tests": {
        "lot": "urn:tracehub:lot:<统一社会信用代码>:SHQ:20261120",
        "sample": "上海青",
        "item": "有机磷和氨基甲酸酯类农药",
        "method": "酶抑制率法",
        "value": "12.5",
        "limit": "50",
        "unit": "%抑制率",
        "tester": "林晓燕",
        "tested_at": "2026-11-20 07:40",
    },
    "plots": {
        "name": "1号地块",
        "area_mu": "12.5",
        "crop": "青菜",
        "variety": "上海青",
        "district": "350211",
    },
    "usages": {
        "plot": "1号地块",
        "registration_number": "PD20142631",
        "product_name": "10%吡虫啉可湿性粉剂",
        "quantity": "0.5",
        "unit": "千克",
        "date": "2026-11-16",
        "crop": "柑橘",
        "target": "蚜虫",
        "operator_name": "林水生",
        "pre_harvest_interval_days": "14",
        # The demo's farm-input dealer (厦门同安绿丰农资经营部), a filed party.
        "dealer": "92350212MA34W2Y7XJ",
    },
}
TITLES = {"certificates": "合格证", "tests": "快检", "plots": "种植地块", "usages": "使用备案"}
#: Columns whose codes a spreadsheet would turn into numbers and round.
TEXT_COLUMNS = ("contact_phone", "certificate", "unit_code", "registration_number", "dealer", "district")

UNITS = {
    "千克": "KGM",
    "公斤": "KGM",
    "kg": "KGM",
    "吨": "TNE",
    "t": "TNE",
    "件": "H87",
    "头": "HEA",
    "只": "HEA",
}
BASES = {
    "委托检测": CommitmentBasis.ENTRUSTED_TEST,
    "自我检测": CommitmentBasis.SELF_TEST,
    "内部质量控制": CommitmentBasis.INTERNAL_CONTROL,
    "自我承诺": CommitmentBasis.SELF_COMMITMENT,
}
COMMITMENTS = {
    "不使用禁限用农药兽药": CertificateCommitment.NO_BANNED_DRUGS,
    "不使用非法添加物": CertificateCommitment.NO_ILLEGAL_ADDITIVES,
    "遵守农药安全间隔期、兽药休药期规定": CertificateCommitment.INTERVALS_KEPT,
    "遵守安全间隔期休药期": CertificateCommitment.INTERVALS_KEPT,
    "符合农药兽药残留食品安全国家标准": CertificateCommitment.RESIDUE_STANDARDS,
    "符合残留标准": CertificateCommitment.RESIDUE_STANDARDS,
}
ALL_COMMITMENTS = ("全部", "all")


@dataclass
class ExcelUpload:
    """A checked (or stored) Excel upload: each row with its spreadsheet row number and values, its
    errors as (row, column, reason), and how many rows were stored."""

    kind: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    stored: int = 0


class _Rollback(Exception):
    """Undoes a check, or an import with a wrong row."""


# -- reading cells -------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    if isinstance(value, dt.datetime):
        return (
            value.strftime("%Y-%m-%d %H:%M")
            if (value.hour, value.minute) != (0, 0)
            else value.date().isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _day(value: Any) -> Any:
    """A date cell as a date; text as it is (the service names a wrong one)."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else _text(value)


def _time(errors: dict[str, str], key: str, value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        when = value
    else:
        text = _text(value)
        try:
            when = dt.datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
        except ValueError:
            errors[key] = _("A date and time such as 2026-11-16 08:30 is required.")
            return None
    return when.replace(tzinfo=CHINA) if when.tzinfo is None else when


def _location(errors: dict[str, str], key: str, value: Any) -> Location | None:
    text = _text(value)
    if not text:
        return None
    try:
        found = Location.objects.select_related("party", "operator").filter(key=canonical_key(text)).first()
    except IdentifierError:
        found = None
    if found is None or not found.active:
        errors[key] = _("No active location of the registry has this identifier.")
        return None
    return found


def _alias(value: Any, aliases: Mapping[str, str]) -> str:
    text = _text(value)
    return aliases.get(text, aliases.get(text.lower(), text))


def _plot_of(party_id: int, value: Any) -> PlantingPlot | None:
    """A plot of the party by its name, else by its number."""
    text = _text(value)
    plots = PlantingPlot.objects.filter(party_id=party_id)
    return plots.filter(name=text).first() or (plots.filter(pk=int(text)).first() if text.isdigit() else None)


# -- one row of each kind: the service the form and the API call -----------------------------------


def _certificate_row(actor: Actor, values: Mapping[str, Any]) -> None:
    errors: dict[str, str] = {}
    location = _location(errors, "location", values.get("location"))
    if location is None:
        errors.setdefault("location", _("This field is required."))
        raise AgriInvalid(errors)
    producer = seller_of(location)
    if not selectors.may_edit_party(actor, producer):
        # Before the plot is looked up: another party's plots are not disclosed.
        raise PermissionDenied(_("Only the party's own users and the platform record its farm produce data."))
    plot = None
    if _text(values.get("plot")):
        plot = _plot_of(producer.pk, values.get("plot"))
        if plot is None:
            errors["plot"] = _("No plot of the producer has this name or number.")
    issued_at = _time(errors, "time", values.get("time"))
    text = _text(values.get("commitments"))
    if text in ALL_COMMITMENTS:
        commitments = list(CertificateCommitment.values)
    else:
        commitments = [_alias(c, COMMITMENTS) for c in re.split(r"[,，、;；\s]+", text) if c]
    # The service names the other wrong values; all of a row's errors are shown at once (a row
    # stored with an error of its own here is undone with the rest).
    try:
        certificate_issue(
            actor=actor,
            location=location,
            lot=_text(values.get("lot")),
            product_name=_text(values.get("product_name")),
            quantity=_text(values.get("quantity")),
            unit=_alias(values.get("unit"), UNITS),
            origin=_text(values.get("origin")),
            production_date=_day(values.get("production_date")),
            commitments=commitments,
            test_basis=_alias(values.get("test_basis"), BASES),
            plot=plot,
            contact_phone=_text(values.get("contact_phone")),
            issued_at=issued_at,
        )
    except AgriInvalid as exc:
        raise AgriInvalid({**exc.errors, **errors}) from None
    if errors:
        raise AgriInvalid(errors)


def _test_row(actor: Actor, values: Mapping[str, Any]) -> None:
    errors: dict[str, str] = {}
    certificate = None
    number = _text(values.get("certificate"))
    if number:
        certificate = selectors.certificate_get(actor, number=number)
        if certificate is None:
            errors["certificate"] = _("No certificate you may see has this number.")
    location = _location(errors, "location", values.get("location"))
    tested_at = _time(errors, "tested_at", values.get("tested_at"))
    if errors:
        raise AgriInvalid(errors)
    rapid_test_record(
        actor=actor,
        lot=_text(values.get("lot")),
        sample=_text(values.get("sample")),
        item=_text(values.get("item")),
        value=_text(values.get("value")),
        limit=_text(values.get("limit")),
        unit=_text(values.get("unit")),
        tester=_text(values.get("tester")),
        method=_text(values.get("method")),
        tested_at=tested_at,
        certificate=certificate,
        location=location,
    )


def _own_party(actor: Actor) -> Party:
    party = Party.objects.filter(pk=actor.party_id).first() if actor.acts_for_party else None
    if party is None:
        raise PermissionDenied(_("Only a farm's or co-operative's users record this."))
    return party


def _plot_row(actor: Actor, values: Mapping[str, Any]) -> None:
    party = _own_party(actor)
    errors: dict[str, str] = {}
    location = _location(errors, "location", values.get("location"))
    if errors:
        raise AgriInvalid(errors)
    plot_create(
        actor=actor,
        party=party,
        name=_text(values.get("name")),
        area_mu=_text(values.get("area_mu")),
        crop=_text(values.get("crop")),
        variety=_text(values.get("variety")),
        district=_text(values.get("district")),
        location=location,
    )


def _usage_row(actor: Actor, values: Mapping[str, Any]) -> None:
    from tracehub.sectors.services_agri_input import _filed_party

    party = _own_party(actor)
    errors: dict[str, str] = {}
    dealer = None
    text = _text(values.get("dealer"))
    if text:
        dealer = _filed_party(text)
        if dealer is None:
            errors["dealer"] = _("No registered party has the credit code %(code)s.") % {"code": text}
    # All of a row's errors at once: the service names the others (a row stored with an error of its
    # own here is undone with the rest).
    try:
        input_usage_record(
            actor=actor,
            party=party,
            plot=_plot_of(party.pk, values.get("plot")),
            registration_number=_text(values.get("registration_number")),
            product_name=_text(values.get("product_name")),
            quantity=_text(values.get("quantity")),
            unit=_text(values.get("unit")),
            date=_day(values.get("date")),
            crop=_text(values.get("crop")),
            target=_text(values.get("target")),
            operator_name=_text(values.get("operator_name")),
            pre_harvest_interval_days=_text(values.get("pre_harvest_interval_days")) or None,
            unit_code=_text(values.get("unit_code")),
            dealer=dealer,
            source=LedgerSource.EXCEL,
        )
    except AgriInputInvalid as exc:
        raise AgriInputInvalid({**exc.errors, **errors}) from None
    if errors:
        raise AgriInputInvalid(errors)


@dataclass(frozen=True)
class Kind:
    """One kind of upload: its columns, the service storing a row, the sector of its audit row, and
    the column a refused permission is shown on."""

    columns: tuple[Input, ...]
    store: Callable[[Actor, Mapping[str, Any]], None]
    sector: str
    denied_column: str = ""


KINDS: dict[str, Kind] = {
    "certificates": Kind(CERTIFICATE_COLUMNS, _certificate_row, "agri", "location"),
    "tests": Kind(TEST_COLUMNS, _test_row, "agri", "lot"),
    "plots": Kind(PLOT_COLUMNS, _plot_row, "agri"),
    "usages": Kind(USAGE_COLUMNS, _usage_row, "agri_input", "plot"),
}
#: The kinds of the farm produce console (/console/sectors/agri/).
AGRI_KINDS = ("certificates", "tests", "plots")


def _kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise ValueError(f"unknown upload kind {kind!r}")
    return KINDS[kind]


def column_label(item: Input) -> str:
    return item.zh if (get_language() or "zh-hans").startswith("zh") else item.en


def template_xlsx(kind: str) -> bytes:
    """The template of a kind: headers ``中文名 key``, an example row starting with #, code columns
    formatted as text, and a sheet of notes (``tracehub.sectors.imports.template_xlsx``)."""
    spec = _kind(kind)
    return imports.template_xlsx(
        spec.columns, example=EXAMPLES[kind], title=TITLES[kind], text_columns=TEXT_COLUMNS
    )


def excel_upload(*, actor: Actor, kind: str, content: bytes, commit: bool = False) -> ExcelUpload:
    """Check every row of an uploaded template of ``kind`` (``commit=False``, the preview: each row
    is stored by its service in a transaction that is then rolled back) or store them all
    (``commit=True``), all or nothing: one wrong row and nothing is kept. Errors name the
    spreadsheet row, the column and the reason; a refused permission is a row error too, so that a
    file naming another party's site or lot stores nothing (issue #6 item 6)."""
    spec = _kind(kind)
    try:
        numbered = imports.read_rows(spec.columns, content)
    except StepRefused as exc:
        return ExcelUpload(
            kind, errors=[{"row": 0, "column": "", "message": e["message"]} for e in exc.errors]
        )
    headers = {item.key: item.header for item in spec.columns}
    upload = ExcelUpload(
        kind,
        rows=[
            {"row": n, "values": [_text(values.get(item.key)) for item in spec.columns]}
            for n, values in numbered
        ],
    )

    def refuse(row: int, key: str, message: Any, error: Mapping[str, Any] | None = None) -> None:
        # A catalogue message is kept with its code and params, never translated here: the page
        # renders it in the reader's language (sector_message; issue #7 i18n).
        coded = {k: error[k] for k in ("code", "params") if error and error.get(k) is not None}
        if not coded and isinstance(message, Message):
            coded = {"code": message.code, "params": message.params}
        upload.errors.append({"row": row, "column": headers.get(key, key), "message": message, **coded})

    stored = 0
    try:
        # A check drops the capture refusal hooks (alerts) of its rolled-back captures.
        with refusal_scope(discard=not commit), transaction.atomic():
            for row, values in numbered:
                try:
                    with transaction.atomic():
                        spec.store(actor, values)
                except (AgriInvalid, AgriInputInvalid) as exc:
                    for key, message in exc.errors.items():
                        refuse(row, key, message)
                except StepRefused as exc:
                    for error in exc.errors:
                        # A capture refusal: English with its code and params (sectors.messages).
                        refuse(row, error["field"], error["message"], error)
                except PermissionDenied as exc:
                    refuse(row, spec.denied_column, str(exc) or _("You may not record this."))
                else:
                    stored += 1
            if upload.errors or not commit:
                raise _Rollback
            audit_record(
                **actor.audit,
                action=f"sectors.{spec.sector}.excel_import",
                object_type="sectors.ExcelUpload",
                object_id=kind,
                after={"kind": kind, "rows": stored},
                party_ref=actor.party_id,
            )
    except _Rollback:
        return upload
    upload.stored = stored
    return upload
