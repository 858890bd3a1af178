"""Writes of the liquor distribution subsystem (酒类流通, G3): step entries with the accompanying slip
(随附单) allocated from the wholesale shipment, operator filing (登记备案) and its public notice (公示),
product information and certification (认证).

It also holds the step entry of sectors other than meat_veg (:class:`SectorEntry`, used by the
enterprise subsystem too): the framework's ``entry``/``services``/``imports`` take meat_veg's steps
only, so this module runs the same pipeline — the framework's :class:`~tracehub.sectors.entry.Input`
parsing, events whose eventID is their CBV hash, capture through the event store, the same
``StepRefused``/``StepResult``, Excel uploads kept as ``StepImport`` rows — for a sector's own
inputs. Form, Excel and API call :func:`record_steps`, so they give the same events.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tracehub.accounts.services import audit_record
from tracehub.epcis.hashing import event_hash
from tracehub.epcis.models import Event
from tracehub.epcis.services import capture_document_store
from tracehub.identifiers import IdentifierError, canonical_key
from tracehub.identifiers.cn_codes import make_liquor_slip_number, parse_liquor_slip_number
from tracehub.registry.actors import Actor
from tracehub.registry.models import FilingStatus, Location, Party, Product
from tracehub.sectors import entry
from tracehub.sectors.entry import CHINA, NAMESPACES, Input, InputErrors, party_key, party_uri, seller_of
from tracehub.sectors.models import StepImport, StepImportStatus
from tracehub.sectors.models_liquor import (
    LiquorFilingStatus,
    LiquorOperatorFiling,
    LiquorOperatorKind,
    LiquorProduct,
    LiquorProductStatus,
    LiquorSlip,
    LiquorSlipStatus,
)
from tracehub.sectors.profile import registry
from tracehub.sectors.profiles import liquor
from tracehub.sectors.services import StepRefused, StepResult

# ================================================================================================
# Step entry of any sector (until the framework's entry takes a sector).
# ================================================================================================


@dataclass(frozen=True)
class SectorEntry:
    """How one sector's steps are entered: their inputs (form fields, Excel columns, API fields),
    the event of a clean entry (``make``: step, clean inputs, actor -> event without eventID and
    extra results, e.g. the slip a shipment allocated), and what is derived after capture
    (``after``: records such as production checks and findings, in the same transaction)."""

    sector: str
    inputs: Mapping[str, tuple[Input, ...]]
    make: Callable[[str, dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]]
    examples: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    parse_extra: Callable[[Input, str], Any] | None = None
    after: Callable[..., None] | None = None
    check: Callable[[str, dict[str, Any]], dict[str, str]] | None = None

    def step_inputs(self, step: str) -> tuple[Input, ...]:
        if step not in self.inputs:
            raise StepRefused(
                {0: [{"field": "step", "message": f"unknown step {step!r}; steps: {', '.join(self.inputs)}"}]}
            )
        return self.inputs[step]


def signed_decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError("a number is required") from None
    if not value.is_finite():
        raise ValueError("a number is required")
    return value


def parse_step(spec_entry: SectorEntry, step: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Clean inputs of one entry; raises ``InputErrors`` naming every wrong one (as the framework's
    ``entry.parse_inputs``, for this sector's inputs)."""
    inputs = spec_entry.step_inputs(step)
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for spec in inputs:
        text = entry._text(raw.get(spec.key))
        if not text:
            if spec.required:
                errors[spec.key] = f"{spec.zh} ({spec.en}) is required"
            clean[spec.key] = None
            continue
        try:
            if spec.kind == "signed":
                clean[spec.key] = signed_decimal(text)
            elif spec_entry.parse_extra is not None and spec.kind.startswith("x-"):
                clean[spec.key] = spec_entry.parse_extra(spec, text)
            else:
                clean[spec.key] = entry._parse(spec, text)
        except (ValueError, IdentifierError, InvalidOperation) as exc:
            errors[spec.key] = f"{spec.zh} ({spec.en}) {text!r}: {exc}"
    for key in sorted(set(raw) - {s.key for s in inputs}):
        errors[key] = f"unknown input {key!r}; step {step} takes {', '.join(s.key for s in inputs)}"
    if not errors and spec_entry.check is not None:
        errors.update(spec_entry.check(step, clean))
    if errors:
        raise InputErrors(errors)
    return clean


def finish(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its CBV event hash as eventID."""
    event["eventID"] = event_hash(event, NAMESPACES)
    return event


def event_base(step_spec, clean: Mapping[str, Any], location: Location) -> dict[str, Any]:
    """The common head of an entered event: type, time (Asia/Shanghai), action, bizStep, places."""
    when: dt.datetime = clean.get("time") or timezone.now().astimezone(CHINA).replace(microsecond=0)
    event: dict[str, Any] = {
        "type": step_spec.event_types[0],
        "eventTime": when.astimezone(CHINA).isoformat(),
        "eventTimeZoneOffset": "+08:00",
    }
    return event


def place(event: dict[str, Any], step_spec, location: Location, *, action: str | None = "OBSERVE") -> None:
    if action and "TransformationEvent" not in step_spec.event_types:
        event["action"] = action
    event["bizStep"] = step_spec.biz_step
    if step_spec.disposition:
        event["disposition"] = step_spec.disposition
    event["readPoint"] = {"id": location.identifier}
    event["bizLocation"] = {"id": location.identifier}


def require_location(actor: Actor, location: Location) -> None:
    """Who records at a location: its holder's or operator's people and clients, or the platform."""
    if actor.sees_all:
        return
    if actor.acts_for_party and actor.party_id in (location.party_id, location.operator_id):
        return
    raise PermissionDenied(
        _("You may record events only at locations your party holds or operates (%(location)s is not one).")
        % {"location": location.name}
    )


class _DryRun(Exception):
    """Undoes a checked-only run."""


def _capture_errors(errors: list[dict[str, Any]], number) -> dict[int, list[dict[str, str]]]:
    refused: dict[int, list[dict[str, str]]] = {}
    for error in errors:
        index = error.get("index")
        key = number(index) if isinstance(index, int) else 0
        path = error.get("path") or ""
        head = f"epcisBody.eventList[{index}]"
        relative = path[len(head) + 1 :] if path.startswith(head) else path
        refused.setdefault(key, []).append({"field": relative or "event", "message": error["message"]})
    return refused


def record_steps(
    *,
    actor: Actor,
    spec: SectorEntry,
    step: str,
    rows: Sequence[Mapping[str, Any]],
    dry_run: bool = False,
) -> list[StepResult]:
    """Record ``rows`` of one ``step`` of a sector, all or nothing (the framework's ``steps_record``
    for this sector's inputs): every wrong input or refused event field is named by row (a single
    entry is row 0, several are numbered from 1); ``PermissionDenied`` for another party's location;
    ``dry_run`` checks everything, capture included, and stores nothing."""
    spec.step_inputs(step)
    single = len(rows) == 1
    number = (lambda i: 0) if single else (lambda i: i + 1)
    cleaned: list[tuple[int, dict[str, Any]]] = []
    errors: dict[int, list[dict[str, str]]] = {}
    for i, raw in enumerate(rows):
        try:
            cleaned.append((number(i), parse_step(spec, step, raw)))
        except InputErrors as exc:
            errors[number(i)] = [{"field": k, "message": m} for k, m in exc.errors.items()]
    if errors and not dry_run:
        raise StepRefused(errors)
    for _n, clean in cleaned:
        require_location(actor, clean["location"])
    results: list[StepResult] = []
    try:
        with transaction.atomic():
            events = []
            made: list[tuple[int, dict[str, Any]]] = []
            for n, clean in cleaned:
                try:
                    event, extra = spec.make(step, clean)
                except InputErrors as exc:
                    errors.setdefault(n, []).extend({"field": k, "message": m} for k, m in exc.errors.items())
                    continue
                made.append((n, clean))
                events.append(event)
                results.append(StepResult(step=step, event=event, captured=True, extra=extra))
            if errors and not dry_run:
                raise StepRefused(dict(sorted(errors.items())))
            known = set(
                Event.objects.filter(event_id__in=[e["eventID"] for e in events]).values_list(
                    "event_id", flat=True
                )
            )
            outcome = (
                capture_document_store(client=actor.client, document=entry.document(events))
                if events
                else None
            )
            if outcome is not None and outcome.errors:
                row_of = [n for n, _clean in made]
                for n, row_errors in _capture_errors(outcome.errors, lambda i: row_of[i]).items():
                    errors.setdefault(n, []).extend(row_errors)
                raise StepRefused(dict(sorted(errors.items())), forbidden=outcome.forbidden)
            if errors:
                raise StepRefused(dict(sorted(errors.items())))
            for (_n, clean), result in zip(made, results, strict=True):
                result.captured = result.event["eventID"] not in known
                location: Location = clean["location"]
                if spec.after is not None:
                    spec.after(actor=actor, step=step, clean=clean, result=result)
                audit_record(
                    **actor.audit,
                    action=f"sectors.{spec.sector}.{step}",
                    object_type="epcis.Event",
                    object_id=result.event["eventID"][:200],
                    after={
                        "step": step,
                        "location": location.key,
                        "captured": result.captured,
                        "captureJob": outcome.job.capture_id if outcome else None,
                        **{k: v for k, v in result.extra.items() if isinstance(v, str | int | float | bool)},
                    },
                    party_ref=location.operator_id or location.party_id,
                )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return results


# -- Excel templates and uploads of a sector's steps ------------------------------------------------


def _refused(message: str) -> StepRefused:
    return StepRefused({0: [{"field": "file", "message": message}]})


def _key_of(header: str, inputs: tuple[Input, ...]) -> str | None:
    text = (header or "").strip()
    for spec in inputs:
        if text in (spec.key, spec.zh, spec.header) or text.endswith(f" {spec.key}"):
            return spec.key
    return None


def read_rows(inputs: tuple[Input, ...], content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, {input key: value}) of each data row of an uploaded template, with
    the framework's limits (docs/import.md)."""
    import openpyxl

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
                continue
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


def template_xlsx(spec: SectorEntry, step: str) -> bytes:
    """A step's template: Chinese headers (``中文名 key``), an example row starting with #, notes."""
    import openpyxl
    from openpyxl.styles import Font

    inputs = spec.step_inputs(step)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = step[:31]
    sheet.append([s.header for s in inputs])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    example = spec.examples.get(step, {})
    sheet.append(["# " + example.get(inputs[0].key, "示例")] + [example.get(s.key, "") for s in inputs[1:]])
    for index, s in enumerate(inputs, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(14, len(s.header) * 2)
    notes = workbook.create_sheet("说明")
    notes.append(["列", "必填", "说明", "column", "required", "notes"])
    for s in inputs:
        notes.append(
            [
                s.zh,
                "是" if s.required else "否",
                s.help_zh + (f"（{'/'.join(s.choices)}）" if s.choices else ""),
                s.key,
                "yes" if s.required else "no",
                s.help_en or s.en,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def import_step(spec: SectorEntry, batch: StepImport) -> str:
    return batch.step.split(":", 1)[1] if batch.step.startswith(f"{spec.sector}:") else ""


def step_import_create(*, actor: Actor, spec: SectorEntry, step: str, content: bytes) -> StepImport:
    """Check every row of an uploaded template (capture included, rolled back) and keep the batch
    (``StepImport`` with step ``<sector>:<step>``) with its per-row errors for the preview."""
    inputs = spec.step_inputs(step)
    rows = read_rows(inputs, content)
    errors: dict[int, list[dict[str, str]]] = {}
    try:
        record_steps(actor=actor, spec=spec, step=step, rows=[r for _, r in rows], dry_run=True)
    except StepRefused as exc:
        for n, row_errors in exc.rows.items():
            errors[rows[max(n - 1, 0)][0]] = row_errors
    with transaction.atomic():
        batch = StepImport.objects.create(
            step=f"{spec.sector}:{step}",
            uploaded_by=actor.user,
            uploaded_by_client=actor.client,
            party_id=actor.party_id,
            rows=[
                {"row": n, "values": {k: str(v) if not isinstance(v, str) else v for k, v in r.items()}}
                for n, r in rows
            ],
            errors={str(k): v for k, v in errors.items()},
            status=StepImportStatus.CHECKED if not errors else StepImportStatus.REFUSED,
        )
        audit_record(
            **actor.audit,
            action="sectors.import.upload",
            object_type="sectors.StepImport",
            object_id=str(batch.pk),
            after={"step": batch.step, "rows": len(rows), "errors": len(errors)},
            party_ref=actor.party_id,
        )
    return batch


def step_import_commit(*, actor: Actor, spec: SectorEntry, batch: StepImport) -> list[StepResult]:
    """Store every row of a checked batch, all or nothing; only its uploader commits it."""
    if batch.uploaded_by_id != getattr(actor.user, "pk", None) or (
        batch.uploaded_by_client_id != (actor.client.pk if actor.client else None)
    ):
        raise PermissionDenied(_("Only the uploader commits an import."))
    if batch.status != StepImportStatus.CHECKED:
        raise StepRefused(
            {0: [{"field": "status", "message": f"this import is {batch.status}, not checked"}]}
        )
    if (timezone.now() - batch.created_at).total_seconds() > settings.TRACEHUB_IMPORT_TTL_HOURS * 3600:
        raise StepRefused(
            {0: [{"field": "status", "message": "this import has expired: upload the file again"}]}
        )
    with transaction.atomic():
        results = record_steps(
            actor=actor, spec=spec, step=import_step(spec, batch), rows=[r["values"] for r in batch.rows]
        )
        batch.status = StepImportStatus.COMMITTED
        batch.committed_at = timezone.now()
        batch.save(update_fields=["status", "committed_at"])
        audit_record(
            **actor.audit,
            action="sectors.import.commit",
            object_type="sectors.StepImport",
            object_id=str(batch.pk),
            after={"step": batch.step, "rows": len(results)},
            party_ref=actor.party_id,
        )
    return results


# ================================================================================================
# Liquor: the inputs of each step and their events.
# ================================================================================================

_LOCATION = Input("location", "场所", "site", "location", help_zh="生产厂、仓库或门店标识（SGLN 或平台节点）")
_TIME = Input("time", "时间", "time", "time", required=False, help_zh="留空为当前时间；格式 2026-11-16 08:30")
_LOT = Input("lot", "酒品批次", "liquor lot", "lot", help_zh="批次标识（LGTIN，如 urn:epc:class:lgtin:…）")
_QUANTITY = Input("quantity", "数量（瓶）", "quantity (bottles)", "number")
_ORIGIN = Input("origin", "产地", "origin", "text")

LIQUOR_INPUTS: dict[str, tuple[Input, ...]] = {
    "production": (
        _LOCATION,
        _LOT,
        _QUANTITY,
        Input(
            "codes",
            "单瓶追溯码",
            "bottle codes",
            "lots",
            required=False,
            help_zh="平台分配的 SGTIN 或平台追溯码；逗号分隔",
        ),
        Input("production_date", "生产日期", "production date", "date"),
        _ORIGIN,
        _TIME,
    ),
    "source_labelling": (
        _LOCATION,
        _LOT,
        Input("codes", "单瓶追溯码", "bottle codes", "lots", help_zh="平台分配的追溯码；逗号分隔"),
        _ORIGIN,
        Input("customs_declaration", "报关单号", "customs declaration no.", "doc"),
        _TIME,
    ),
    "wholesale": (
        _LOCATION,
        Input(
            "buyer", "购货方", "buyer", "party", help_zh="购货方统一社会信用代码或主体标识（须已酒类备案）"
        ),
        Input(
            "items",
            "货品明细",
            "items",
            "x-items",
            help_zh="批次=数量@单价；多行以分号分隔，如 urn:epc:class:lgtin:…=24@168",
            help_en="lot=quantity@unit price; several separated by ;",
        ),
        Input("consignor", "发货人", "consignor", "text"),
        Input("carrier", "承运人", "carrier", "text"),
        Input("vehicle_plate", "车牌号", "vehicle plate", "x-plate", help_zh="如 闽D·12345"),
        _TIME,
    ),
    "receiving": (
        _LOCATION,
        Input("supplier", "供货方", "supplier", "party"),
        Input("slip", "随附单编号", "slip number", "x-slip", help_zh="12 位随附单编号"),
        _TIME,
    ),
    "retail": (
        _LOCATION,
        _LOT,
        _QUANTITY,
        Input("unit_price", "零售单价（元）", "retail price (CNY)", "number", required=False),
        _TIME,
    ),
    "consumption": (_LOCATION, _LOT, _QUANTITY, _TIME),
}


@dataclass(frozen=True)
class SlipLine:
    lot: str
    quantity: Decimal
    unit_price: Decimal


def _liquor_parse(spec: Input, text: str) -> Any:
    if spec.kind == "x-items":
        lines = []
        for part in re.split(r"[;；\n]+", text):
            if not part.strip():
                continue
            lot, sep, rest = part.strip().rpartition("=")
            quantity, at, price = rest.partition("@")
            if not sep or not at or not lot.strip():
                raise ValueError("write each line as lot=quantity@unit price")
            canonical_key(lot.strip())
            q, p = signed_decimal(quantity.strip()), signed_decimal(price.strip())
            if q <= 0 or p < 0:
                raise ValueError("quantity > 0 and unit price ≥ 0 are required")
            lines.append(SlipLine(lot.strip(), q, p))
        if not lines:
            raise ValueError("at least one line is required")
        return lines
    if spec.kind == "x-plate":
        plate = text.strip().upper().replace("•", "·")
        if not liquor.PLATE.match(plate):
            raise ValueError("a Chinese vehicle plate such as 闽D·12345 is required")
        return plate
    if spec.kind == "x-slip":
        return parse_liquor_slip_number(text).number
    raise ValueError(f"unknown input kind {spec.kind}")


def approved_filing(party: Party) -> LiquorOperatorFiling | None:
    return LiquorOperatorFiling.objects.filter(party=party, status=LiquorFilingStatus.APPROVED).first()


def product_of_lot(lot: str) -> Product | None:
    """The registered product of a lot (LGTIN or platform lot URI), by its GTIN or platform code."""
    key = canonical_key(lot)
    if key.startswith("01/"):
        gtin = key.split("/")[1]
        return Product.objects.select_related("party").filter(key=f"01/{gtin}").first()
    head = key.rsplit(":", 1)[0] if key.startswith("urn:tracehub:lot:") else key
    code = head.replace("urn:tracehub:lot:", "urn:tracehub:product:", 1)
    return Product.objects.select_related("party").filter(platform_code=code).first()


def _lot_number(lot: str) -> str:
    key = canonical_key(lot)
    if key.startswith("01/") and "/10/" in key:
        return key.split("/10/", 1)[1]
    return key.rsplit(":", 1)[-1]


def _liquor_check(step: str, clean: dict[str, Any]) -> dict[str, str]:
    """Inputs that parse but cannot make a valid entry (named by input, before any event)."""
    errors: dict[str, str] = {}
    if step == "wholesale":
        seller = seller_of(clean["location"])
        if approved_filing(seller) is None:
            errors["location"] = (
                f"{seller.name} has no approved liquor filing (酒类流通备案): "
                "only filed operators issue accompanying slips"
            )
        if approved_filing(clean["buyer"]) is None:
            errors["buyer"] = (
                f"{clean['buyer'].name} has no approved liquor filing (酒类流通备案): "
                "liquor is sold wholesale to filed operators only"
            )
        for line in clean["items"]:
            product = product_of_lot(line.lot)
            if product is None or not hasattr(product, "liquor"):
                errors["items"] = f"{line.lot} is not a lot of a registered liquor product (酒类产品信息)"
                break
    if step == "receiving":
        slip = LiquorSlip.objects.filter(number=clean["slip"]).first()
        if slip is None:
            errors["slip"] = f"accompanying slip {clean['slip']} was never issued"
    return errors


def _items(lines: list[SlipLine]) -> list[dict[str, Any]]:
    out = []
    for line in lines:
        product = product_of_lot(line.lot)
        info: LiquorProduct = product.liquor
        item: dict[str, Any] = {
            "epcClass": line.lot,
            "name": product.name,
            "quantity": entry._number(line.quantity),
            "uom": "H87",
            "unitPrice": entry._number(line.unit_price),
            "origin": info.origin,
            "lot": _lot_number(line.lot),
        }
        out.append(item)
    return out


def _allocate_slip(*, prefecture: str, year: int) -> tuple[str, int]:
    last = LiquorSlip.objects.filter(prefecture=prefecture, year=year).aggregate(m=Max("sequence"))["m"]
    sequence = 1 if last is None else last + 1
    if sequence > 99999:
        raise StepRefused(
            {0: [{"field": "location", "message": "no accompanying slip number is left this year"}]}
        )
    return make_liquor_slip_number(prefecture, year, sequence), sequence


def _wholesale(step_spec, clean: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Allocate the slip of a shipment, build its event and record the slip before capture (whose
    rule checks the slip was issued for this very event)."""
    location: Location = clean["location"]
    when = clean.get("time") or timezone.now().astimezone(CHINA).replace(microsecond=0)
    clean = {**clean, "time": when}
    seller = seller_of(location)
    buyer: Party = clean["buyer"]
    filing = approved_filing(seller)
    items = _items(clean["items"])
    prefecture = (location.district or "350200")[:4]
    year = when.astimezone(CHINA).year
    for _attempt in range(5):
        number, sequence = _allocate_slip(prefecture=prefecture, year=year)
        event = event_base(step_spec, clean, location)
        event["quantityList"] = [
            {"epcClass": item["epcClass"], "quantity": item["quantity"], "uom": "H87"} for item in items
        ]
        place(event, step_spec, location)
        event["bizTransactionList"] = [{"type": "desadv", "bizTransaction": f"{liquor.SLIP_PREFIX}{number}"}]
        event["sourceList"] = [{"type": "owning_party", "source": party_uri(seller)}]
        event["destinationList"] = [{"type": "owning_party", "destination": party_uri(buyer)}]
        event["tracehub:sellerFilingNumber"] = filing.number
        event["tracehub:consignor"] = clean["consignor"]
        event["tracehub:carrier"] = clean["carrier"]
        event["tracehub:vehiclePlate"] = clean["vehicle_plate"]
        event["tracehub:slipItems"] = items
        finish(event)
        amount = sum((Decimal(str(i["quantity"])) * Decimal(str(i["unitPrice"])) for i in items), Decimal(0))
        try:
            with transaction.atomic():
                slip = LiquorSlip.objects.create(
                    number=number,
                    prefecture=prefecture,
                    year=year,
                    sequence=sequence,
                    seller=seller,
                    buyer=buyer,
                    seller_key=party_key(seller),
                    buyer_key=party_key(buyer),
                    seller_filing_number=filing.number,
                    location=location,
                    consignor=clean["consignor"],
                    carrier=clean["carrier"],
                    vehicle_plate=clean["vehicle_plate"],
                    items=items,
                    amount=amount.quantize(Decimal("0.01")),
                    shipped_at=when,
                    event_id=event["eventID"],
                )
        except IntegrityError:
            continue  # another shipment took this number at the same moment: take the next one
        return event, {"slip": slip.number}
    raise StepRefused(
        {0: [{"field": "location", "message": "no accompanying slip number could be allocated; try again"}]}
    )


def _liquor_make(step: str, clean: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    step_spec = registry[liquor.SECTOR].step(step)
    location: Location = clean["location"]
    if step == "wholesale":
        return _wholesale(step_spec, clean)
    event = event_base(step_spec, clean, location)
    extra: dict[str, Any] = {}
    if step == "production":
        if clean.get("codes"):
            event["epcList"] = list(clean["codes"])
        event["quantityList"] = [
            {"epcClass": clean["lot"], "quantity": entry._number(clean["quantity"]), "uom": "H87"}
        ]
        place(event, step_spec, location, action="ADD")
        event["ilmd"] = {
            "cbvmda:lotNumber": _lot_number(clean["lot"]),
            "tracehub:productionDate": clean["production_date"],
        }
        event["tracehub:origin"] = clean["origin"]
    elif step == "source_labelling":
        event["epcList"] = list(clean["codes"])
        place(event, step_spec, location, action="ADD")
        event["bizTransactionList"] = [
            {
                "type": "cert",
                "bizTransaction": f"urn:tracehub:doc:customs_declaration:{clean['customs_declaration']}",
            }
        ]
        event["ilmd"] = {"cbvmda:lotNumber": _lot_number(clean["lot"])}
        event["tracehub:origin"] = clean["origin"]
    elif step == "receiving":
        slip = LiquorSlip.objects.get(number=clean["slip"])
        receiver = seller_of(location)
        event["quantityList"] = [
            {"epcClass": item["epcClass"], "quantity": item["quantity"], "uom": item.get("uom", "H87")}
            for item in slip.items
        ]
        place(event, step_spec, location)
        event["bizTransactionList"] = [{"type": "desadv", "bizTransaction": slip.uri}]
        event["sourceList"] = [{"type": "owning_party", "source": party_uri(clean["supplier"])}]
        event["destinationList"] = [{"type": "owning_party", "destination": party_uri(receiver)}]
        extra["slip"] = slip.number
    elif step in ("retail", "consumption"):
        event["quantityList"] = [
            {"epcClass": clean["lot"], "quantity": entry._number(clean["quantity"]), "uom": "H87"}
        ]
        place(event, step_spec, location)
        if step == "retail" and clean.get("unit_price") is not None:
            event["tracehub:unitPrice"] = entry._number(clean["unit_price"])
    else:  # pragma: no cover - LIQUOR_INPUTS and this function list the same steps
        raise KeyError(step)
    return finish(event), extra


def _liquor_after(*, actor: Actor, step: str, clean: dict[str, Any], result: StepResult) -> None:
    if step == "receiving" and result.captured:
        LiquorSlip.objects.filter(number=clean["slip"]).update(status=LiquorSlipStatus.RECEIVED)


LIQUOR_EXAMPLES: dict[str, dict[str, str]] = {
    "wholesale": {
        "location": "urn:epc:id:sgln:694877301.001.0",
        "buyer": "91350203MA32P7E4XX",
        "items": "urn:epc:class:lgtin:694877301.0210.L2611=24@168",
        "consignor": "张明",
        "carrier": "厦门鹭运物流有限公司",
        "vehicle_plate": "闽D·12345",
        "time": "2026-11-16 09:00",
    },
    "receiving": {
        "location": "urn:tracehub:loc:<统一社会信用代码>:1",
        "supplier": "<统一社会信用代码>",
        "slip": "350226000011",
    },
}

LIQUOR_ENTRY = SectorEntry(
    sector=liquor.SECTOR,
    inputs=LIQUOR_INPUTS,
    make=_liquor_make,
    examples=LIQUOR_EXAMPLES,
    parse_extra=_liquor_parse,
    after=_liquor_after,
    check=_liquor_check,
)


def liquor_steps_record(*, actor: Actor, step: str, rows: Sequence[Mapping[str, Any]]) -> list[StepResult]:
    """Record liquor entries (form, Excel commit, API): see :func:`record_steps`."""
    return record_steps(actor=actor, spec=LIQUOR_ENTRY, step=step, rows=rows)


def liquor_step_record(*, actor: Actor, step: str, data: Mapping[str, Any]) -> StepResult:
    return liquor_steps_record(actor=actor, step=step, rows=[data])[0]


# ================================================================================================
# Operator filing (登记备案), public notice (公示), products and certification (认证).
# ================================================================================================

#: Days a new filing or certification is publicly noticed (公示).
NOTICE_DAYS = 7


def _decides(actor: Actor, party: Party) -> bool:
    """The liquor bureau's officials (or 商务局's, which covers it) in the party's district, or the
    platform."""
    if actor.sees_all:
        return True
    if not actor.oversees or liquor.SECTOR not in actor.sectors:
        return False
    return actor.districts is None or party.district in actor.districts


def _member(actor: Actor, party: Party) -> bool:
    return actor.sees_all or (actor.acts_for_party and actor.party_id == party.pk)


def liquor_filing_submit(
    *, actor: Actor, party: Party, kind: str, premises: str = ""
) -> LiquorOperatorFiling:
    """An operator applies for liquor filing (登记备案); the party must be filed with the platform."""
    if not (_member(actor, party) or _decides(actor, party)):
        raise PermissionDenied(_("Only the operator or the liquor bureau files a liquor operator."))
    errors: dict[str, list[str]] = {}
    if kind not in LiquorOperatorKind.values:
        errors["kind"] = [
            _("Expected one of: %(choices)s.") % {"choices": ", ".join(LiquorOperatorKind.values)}
        ]
    # The filing as stored now, not as the caller's copy of the party remembers it.
    status = Party.objects.filter(pk=party.pk).values_list("filing_status", flat=True).first()
    if status != FilingStatus.APPROVED:
        errors["party"] = [_("The party's filing with the platform (主体备案) must be approved first.")]
    if len(premises) > 300:
        errors["premises"] = [_("At most 300 characters.")]
    if LiquorOperatorFiling.objects.filter(
        party=party, status__in=[LiquorFilingStatus.SUBMITTED, LiquorFilingStatus.APPROVED]
    ).exists():
        errors["party"] = [*errors.get("party", []), _("The party already has an open liquor filing.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        filing = LiquorOperatorFiling.objects.create(party=party, kind=kind, premises=premises.strip())
        audit_record(
            **actor.audit,
            action="sectors.liquor.filing.submit",
            object_type="sectors.LiquorOperatorFiling",
            object_id=str(filing.pk),
            after={"kind": kind},
            party_ref=party.pk,
        )
    return filing


def liquor_filing_approve(*, actor: Actor, filing: LiquorOperatorFiling) -> LiquorOperatorFiling:
    """The bureau approves a filing: it gets its filing number (district + sequence) and is publicly
    noticed for :data:`NOTICE_DAYS` days."""
    party = filing.party
    if not _decides(actor, party):
        raise PermissionDenied(_("Only the liquor bureau overseeing the operator approves its filing."))
    if filing.status != LiquorFilingStatus.SUBMITTED:
        raise ValidationError({"status": [_("Only a submitted filing is approved.")]})
    district = party.district if party.district and len(party.district) == 6 else "350200"
    with transaction.atomic():
        taken = LiquorOperatorFiling.objects.filter(number__startswith=district).aggregate(m=Max("number"))[
            "m"
        ]
        sequence = int(taken[6:]) + 1 if taken else 100001
        filing.number = f"{district}{sequence:06d}"
        filing.status = LiquorFilingStatus.APPROVED
        filing.approved_at = timezone.now()
        filing.notice_until = timezone.localdate() + dt.timedelta(days=NOTICE_DAYS)
        filing.decided_by = str(actor)[:200]
        filing.save(update_fields=["number", "status", "approved_at", "notice_until", "decided_by"])
        audit_record(
            **actor.audit,
            action="sectors.liquor.filing.approve",
            object_type="sectors.LiquorOperatorFiling",
            object_id=str(filing.pk),
            after={"number": filing.number, "noticeUntil": filing.notice_until.isoformat()},
            party_ref=party.pk,
        )
    return filing


def liquor_filing_revoke(*, actor: Actor, filing: LiquorOperatorFiling, reason: str) -> LiquorOperatorFiling:
    """The bureau revokes a filing (注销): the operator leaves the public list; its number stays taken."""
    if not _decides(actor, filing.party):
        raise PermissionDenied(_("Only the liquor bureau overseeing the operator revokes its filing."))
    if not reason.strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    with transaction.atomic():
        before = filing.status
        filing.status = LiquorFilingStatus.REVOKED
        filing.save(update_fields=["status"])
        audit_record(
            **actor.audit,
            action="sectors.liquor.filing.revoke",
            object_type="sectors.LiquorOperatorFiling",
            object_id=str(filing.pk),
            before={"status": before},
            after={"status": filing.status, "reason": reason.strip()},
            party_ref=filing.party_id,
        )
    return filing


def liquor_product_register(
    *, actor: Actor, product: Product, producer_name: str, volume_ml: int, origin: str
) -> LiquorProduct:
    """Record a liquor's product information (品牌、生产商、酒精度、净含量、产地): brand and strength
    are the registry product's (``brand``, ``attributes.alcohol_strength``)."""
    if not (_member(actor, product.party) or _decides(actor, product.party)):
        raise PermissionDenied(_("Only the product's owner registers its liquor information."))
    errors: dict[str, list[str]] = {}
    if liquor.SECTOR not in product.sector_codes:
        errors["product"] = [_("The product is not registered in the liquor sector.")]
    if not product.brand:
        errors["brand"] = [_("The product has no brand: set it in the registry.")]
    if not (product.attributes or {}).get("alcohol_strength"):
        errors["alcohol_strength"] = [_("The product has no alcohol strength: set it in the registry.")]
    if not producer_name.strip() or len(producer_name) > 200:
        errors["producer_name"] = [_("A text of 1-200 characters is required.")]
    if isinstance(volume_ml, bool) or not isinstance(volume_ml, int) or not 1 <= volume_ml <= 100_000:
        errors["volume_ml"] = [_("Expected a whole number from 1 to %(n)d.") % {"n": 100_000}]
    if not origin.strip() or len(origin) > 200:
        errors["origin"] = [_("A text of 1-200 characters is required.")]
    if LiquorProduct.objects.filter(product=product).exists():
        errors["product"] = [
            *errors.get("product", []),
            _("The product's liquor information is already recorded."),
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        info = LiquorProduct.objects.create(
            product=product, producer_name=producer_name.strip(), volume_ml=volume_ml, origin=origin.strip()
        )
        audit_record(
            **actor.audit,
            action="sectors.liquor.product.register",
            object_type="sectors.LiquorProduct",
            object_id=str(info.pk),
            after={"product": product.key, "volumeMl": volume_ml, "origin": info.origin},
            party_ref=product.party_id,
        )
    return info


def liquor_product_certify(
    *, actor: Actor, info: LiquorProduct, certificate_number: str, promoted: bool = True
) -> LiquorProduct:
    """The bureau certifies a liquor product (认证) and may list it in the public catalogue (网络推广)."""
    if not _decides(actor, info.product.party):
        raise PermissionDenied(_("Only the liquor bureau certifies liquor products."))
    number = certificate_number.strip()
    if not re.fullmatch(r"[0-9A-Za-z\-]{4,40}", number):
        raise ValidationError({"certificate_number": [_("4-40 letters, digits or hyphens.")]})
    if LiquorProduct.objects.filter(certificate_number=number).exclude(pk=info.pk).exists():
        raise ValidationError({"certificate_number": [_("This certificate number is already used.")]})
    with transaction.atomic():
        info.certificate_number = number
        info.status = LiquorProductStatus.CERTIFIED
        info.certified_at = timezone.now()
        info.promoted = bool(promoted)
        info.save(update_fields=["certificate_number", "status", "certified_at", "promoted"])
        audit_record(
            **actor.audit,
            action="sectors.liquor.product.certify",
            object_type="sectors.LiquorProduct",
            object_id=str(info.pk),
            after={"certificate": number, "promoted": info.promoted},
            party_ref=info.product.party_id,
        )
    return info
