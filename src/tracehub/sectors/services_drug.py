"""Writes of the drug subsystem (G2), and the step entry of the G2/G6 sectors.

**Step entry.** The framework's entry (``tracehub.sectors.entry``, ``services.steps_record``)
describes the meat_veg steps; the drug and imported-food steps are described here the same way —
:class:`StepEntry`: the step's :class:`~tracehub.sectors.entry.Input` s (form fields, Excel columns
and API fields at once), a builder of its EPCIS event, an optional hook run after capture in the
same transaction (the import record) — and recorded by :func:`record_rows`, which the phone form,
the Excel import and the API all call: inputs checked (each wrong one named), events built with
their event hash as eventID (so the three channels give the very same event), captured through
the event store's pipeline (the profile checks them as any subsystem's capture), audited, all in
one transaction, whole or not at all.

**Drug records.** Drug information of products, medical institution licences, enforcement cases,
and the double-dispensing alerts raised at capture (``profiles.drug.double_dispensing``).
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
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tracehub.accounts.models import Role, UserProfile
from tracehub.accounts.services import audit_record, notification_send
from tracehub.epcis.hashing import event_hash
from tracehub.epcis.models import Event, EventIndex
from tracehub.epcis.services import capture_document_store
from tracehub.epcis.validation import check_event as validate_event
from tracehub.identifiers import IdentifierError, canonical_key
from tracehub.identifiers.cn_codes import parse_customs_declaration_number, parse_drug_trace_code
from tracehub.registry.actors import Actor
from tracehub.registry.capture import SectorResolver
from tracehub.registry.models import Location, Party, Product
from tracehub.sectors import entry
from tracehub.sectors.entry import CHINA, NAMESPACES, Input, InputErrors, party_uri, seller_of
from tracehub.sectors.models import StepImport, StepImportStatus
from tracehub.sectors.models_drug import (
    DispensingAlert,
    DrugCase,
    DrugCaseStatus,
    DrugInfo,
    DrugKind,
    MedicalLicence,
)
from tracehub.sectors.profile import EXTENSION_PREFIX, registry
from tracehub.sectors.profiles import drug as drug_profile
from tracehub.sectors.services import StepRefused, StepResult, _capture_errors, _require_location

# ================================================================================================
# Step entry of the G2/G6 sectors.
# ================================================================================================

COUNTRY = re.compile(r"^[A-Z]{2}$")
DRUG_CODE = re.compile(r"^\d{20}$")


@dataclass(frozen=True)
class StepEntry:
    """How one step of a sector is entered: inputs, event builder, after-capture hook, example row."""

    sector: str
    step: str
    inputs: tuple[Input, ...]
    build: Callable[[Mapping[str, Any]], dict[str, Any]]
    after: Callable[..., Any] | None = None
    example: Mapping[str, str] = field(default_factory=dict)

    @property
    def import_step(self) -> str:
        """The ``StepImport.step`` of its Excel uploads."""
        return f"{self.sector}.{self.step}"


ENTRIES: dict[tuple[str, str], StepEntry] = {}


def register_entry(spec: StepEntry) -> StepEntry:
    ENTRIES[(spec.sector, spec.step)] = spec
    return spec


def entry_for(sector: str, step: str) -> StepEntry | None:
    from tracehub.sectors import services_import  # noqa: F401 - registers the import_food entries

    return ENTRIES.get((sector, step))


def entries_of(sector: str) -> list[StepEntry]:
    from tracehub.sectors import services_import  # noqa: F401

    return [spec for (s, _step), spec in ENTRIES.items() if s == sector]


def _packs(text: str) -> list[str]:
    """Pack, carton or case codes: URIs, bare 20-digit drug trace codes (made platform URIs), or a
    medical device's UDI as its carrier prints it, ``(01)…(17)…(10)…(21)…`` (made a Digital Link)."""
    from tracehub.identifiers.udi import parse_udi

    items = [part.strip() for part in re.split(r"[,，;；\s]+", text) if part.strip()]
    out = []
    for item in items:
        if DRUG_CODE.match(item):
            out.append(drug_profile.DRUG_CODE_PREFIX + parse_drug_trace_code(item).code)
        elif item.startswith("(01)"):
            out.append("https://id.gs1.org/" + parse_udi(item).key)
        else:
            canonical_key(item)
            out.append(item)
    if not out:
        raise ValueError("at least one code is required")
    return out


def _parse_value(spec: Input, text: str) -> Any:
    kind = spec.kind
    if kind == "codes":
        return _packs(text)
    if kind == "country":
        value = text.upper()
        if not COUNTRY.match(value):
            raise ValueError("an ISO 3166-1 two-letter country code such as FR is required")
        return value
    if kind == "days":
        if not text.isdigit() or int(text) <= 0:
            raise ValueError("a whole number of days > 0 is required")
        return int(text)
    if kind == "declaration":
        return parse_customs_declaration_number(text).number
    if kind == "number":
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError("a number ≥ 0 is required") from None
        if not value.is_finite() or value < 0:
            raise ValueError("a number ≥ 0 is required")
        return value
    return entry._parse(spec, text)


def parse_inputs(spec: StepEntry, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Clean values of a step's inputs; raises :class:`InputErrors` naming every wrong or missing one."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for item in spec.inputs:
        text = entry._text(raw.get(item.key))
        if not text:
            if item.required:
                errors[item.key] = f"{item.zh} ({item.en}) is required"
            clean[item.key] = None
            continue
        try:
            clean[item.key] = _parse_value(item, text)
        except (ValueError, IdentifierError, InvalidOperation) as exc:
            errors[item.key] = f"{item.zh} ({item.en}) {text!r}: {exc}"
    for key in sorted(set(raw) - {i.key for i in spec.inputs}):
        errors[key] = f"unknown input {key!r}; step {spec.step} takes {', '.join(i.key for i in spec.inputs)}"
    if errors:
        raise InputErrors(errors)
    return clean


def number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def ext(term: str) -> str:
    return f"{EXTENSION_PREFIX}:{term}"


def doc(kind: str, value: str) -> dict[str, str]:
    return {"type": "cert", "bizTransaction": f"urn:tracehub:doc:{kind}:{value}"}


def make_event(
    sector: str,
    step: str,
    clean: Mapping[str, Any],
    body: Mapping[str, Any],
    *,
    read_point: bool = True,
    biz_location: bool = True,
) -> dict[str, Any]:
    """The event of one entry: type, time, ``body`` (what, why, who), the step's bizStep and
    disposition, the location as readPoint and bizLocation, the event hash as eventID."""
    location: Location = clean["location"]
    when: dt.datetime = clean.get("time") or timezone.now().astimezone(CHINA).replace(microsecond=0)
    profile_step = registry[sector].step(step)
    kind = profile_step.event_types[0]
    event: dict[str, Any] = {
        "type": kind,
        "eventTime": when.astimezone(CHINA).isoformat(),
        "eventTimeZoneOffset": "+08:00",
    }
    what = {k: v for k, v in body.items() if k in ("epcList", "parentID", "childEPCs", "quantityList")}
    event.update(what)
    event.setdefault("action", body.get("action", "OBSERVE"))
    event["bizStep"] = profile_step.biz_step
    if profile_step.disposition:
        event["disposition"] = profile_step.disposition
    if read_point:
        event["readPoint"] = {"id": location.identifier}
    if biz_location:
        event["bizLocation"] = {"id": location.identifier}
    for name in ("bizTransactionList", "sourceList", "destinationList", "ilmd"):
        if body.get(name):
            event[name] = body[name]
    for key, value in body.items():
        if key.startswith(f"{EXTENSION_PREFIX}:"):
            event[key] = value
    event["eventID"] = event_hash(event, NAMESPACES)
    return event


def record_rows(
    *, actor: Actor, sector: str, step: str, rows: Sequence[Mapping[str, Any]], dry_run: bool = False
) -> list[StepResult]:
    """Record ``rows`` of one G2/G6 ``step`` (raw inputs), all or nothing — as
    ``tracehub.sectors.services.steps_record`` does for meat_veg: :class:`StepRefused` names every
    wrong input or refused event field by row (a single entry is row 0), ``PermissionDenied`` for a
    location the actor may not record at; ``dry_run`` checks everything, capture included, and
    stores nothing."""
    spec = entry_for(sector, step)
    if spec is None:
        steps = ", ".join(s.step for s in entries_of(sector))
        raise StepRefused({0: [{"field": "step", "message": f"unknown step {step!r}; steps: {steps}"}]})
    single = len(rows) == 1
    numbered = (lambda i: 0) if single else (lambda i: i + 1)
    cleaned: list[tuple[int, dict[str, Any]]] = []
    errors: dict[int, list[dict[str, str]]] = {}
    for i, raw in enumerate(rows):
        try:
            cleaned.append((numbered(i), parse_inputs(spec, raw)))
        except InputErrors as exc:
            errors[numbered(i)] = [{"field": k, "message": m} for k, m in exc.errors.items()]
    if errors and not dry_run:
        raise StepRefused(errors)
    for _n, clean in cleaned:
        _require_location(actor, clean["location"])
    results: list[StepResult] = []
    try:
        with transaction.atomic():
            events = [spec.build(clean) for _n, clean in cleaned]
            results = [StepResult(step=step, event=e, captured=True) for e in events]
            for (n, _clean), event in zip(cleaned, events, strict=True):
                for problem in _sector_checks(sector, event):
                    errors.setdefault(n, []).append(problem)
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
                row_of = [n for n, _clean in cleaned]
                for n, row_errors in _capture_errors(outcome.errors, lambda i: row_of[i]).items():
                    errors.setdefault(n, []).extend(row_errors)
                raise StepRefused(dict(sorted(errors.items())), forbidden=outcome.forbidden)
            if errors:
                raise StepRefused(errors)
            for (n, clean), result in zip(cleaned, results, strict=True):
                result.captured = result.event["eventID"] not in known
                if spec.after is not None:
                    try:
                        extra = spec.after(
                            actor=actor, clean=clean, event=result.event, captured=result.captured
                        )
                    except InputErrors as exc:
                        errors[n] = [{"field": k, "message": m} for k, m in exc.errors.items()]
                        continue
                    if extra:
                        result.extra.update(extra)
                location: Location = clean["location"]
                audit_record(
                    **actor.audit,
                    action=f"sectors.{sector}.{step}",
                    object_type="epcis.Event",
                    object_id=result.event["eventID"][:200],
                    after={
                        "step": step,
                        "location": location.key,
                        "captured": result.captured,
                        "captureJob": outcome.job.capture_id if outcome else None,
                        **{k: v for k, v in result.extra.items() if isinstance(v, str | int)},
                    },
                    party_ref=location.operator_id or location.party_id,
                )
            if errors:
                raise StepRefused(dict(sorted(errors.items())))
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return results


class _DryRun(Exception):
    """Undoes a checked-only run."""


def _sector_checks(sector: str, event: dict[str, Any]) -> list[dict[str, str]]:
    """The profile errors of an entry's event whose CBV step capture would not check.

    Capture applies a CBV step of a profile only to events it knows to be of the profile's sector
    (from their registered products and locations). An entry names its sector, so an event whose
    objects are only cartons and cases (SSCCs) at a location of another sector — drug cartons
    received by a supermarket — is checked here against the step it was entered as.
    """
    if registry[sector].step(_step_key(sector, event)).platform:
        return []
    normalized, problems = validate_event(event, index=None, path_prefix="", namespaces=NAMESPACES)
    if normalized is None or problems:
        return []  # capture names these
    if sector in SectorResolver().event_sectors(normalized):
        return []  # capture checks it
    found = registry.check_event(normalized, event, NAMESPACES, lambda: frozenset({sector}))
    return [{"field": e.path, "message": e.message} for e in found]


def _step_key(sector: str, event: dict[str, Any]) -> str:
    for step in registry[sector].steps:
        if step.biz_step == event.get("bizStep"):
            return step.key
    raise KeyError(event.get("bizStep"))


def record_one(*, actor: Actor, sector: str, step: str, data: Mapping[str, Any]) -> StepResult:
    return record_rows(actor=actor, sector=sector, step=step, rows=[data])[0]


# -- Excel templates and imports (in the way of tracehub.sectors.imports) -------------------------


def _refused(message: str) -> StepRefused:
    return StepRefused({0: [{"field": "file", "message": message}]})


def template_xlsx(spec: StepEntry) -> bytes:
    """A step's template: Chinese headers (``中文名 key``), an example row starting with #, notes."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = spec.step[:31]
    sheet.append([i.header for i in spec.inputs])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    example = spec.example
    sheet.append(
        ["# " + example.get(spec.inputs[0].key, "示例")] + [example.get(i.key, "") for i in spec.inputs[1:]]
    )
    for index, item in enumerate(spec.inputs, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(14, len(item.header) * 2)
    notes = workbook.create_sheet("说明")
    notes.append(["列", "必填", "说明", "column", "required", "notes"])
    for item in spec.inputs:
        choices = f"（{'/'.join(item.choices)}）" if item.choices else ""
        notes.append(
            [
                item.zh,
                "是" if item.required else "否",
                item.help_zh + choices,
                item.key,
                "yes" if item.required else "no",
                item.en,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _key_of(spec: StepEntry, header: str) -> str | None:
    text = (header or "").strip()
    for item in spec.inputs:
        if text in (item.key, item.zh, item.header) or text.endswith(f" {item.key}"):
            return item.key
    return None


def read_rows(spec: StepEntry, content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, {input key: value}) of each data row of an uploaded template."""
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
        for n, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if not any(v not in (None, "") for v in values):
                continue
            if header is None:
                header = [_key_of(spec, str(v or "")) for v in values]
                unknown = [str(v) for v, k in zip(values, header, strict=True) if v and k is None]
                if unknown:
                    raise _refused(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
                continue
            if str(values[0] or "").startswith("#"):
                continue
            if len(rows) >= settings.TRACEHUB_IMPORT_MAX_ROWS:
                raise _refused(_("The file has too many rows."))
            rows.append(
                (n, {k: v for k, v in zip(header, values, strict=False) if k and v not in (None, "")})
            )
    finally:
        workbook.close()
    if header is None or not rows:
        raise _refused(_("The file has no rows of data below its header row."))
    return rows


def step_import_create(*, actor: Actor, spec: StepEntry, content: bytes) -> StepImport:
    """Check every row of an uploaded template (capture included, rolled back); keep the rows and
    their errors, by spreadsheet row, for the preview."""
    rows = read_rows(spec, content)
    errors: dict[int, list[dict[str, str]]] = {}
    try:
        record_rows(actor=actor, sector=spec.sector, step=spec.step, rows=[r for _, r in rows], dry_run=True)
    except StepRefused as exc:
        for n, row_errors in exc.rows.items():
            errors[rows[max(n - 1, 0)][0]] = row_errors
    with transaction.atomic():
        batch = StepImport.objects.create(
            step=spec.import_step,
            uploaded_by=actor.user,
            uploaded_by_client=actor.client,
            party_id=actor.party_id,
            rows=[{"row": n, "values": {k: entry._text(v) for k, v in r.items()}} for n, r in rows],
            errors={str(k): v for k, v in errors.items()},
            status=StepImportStatus.CHECKED if not errors else StepImportStatus.REFUSED,
        )
        audit_record(
            **actor.audit,
            action="sectors.import.upload",
            object_type="sectors.StepImport",
            object_id=str(batch.pk),
            after={"step": spec.import_step, "rows": len(rows), "errors": len(errors)},
            party_ref=actor.party_id,
        )
    return batch


def step_import_commit(*, actor: Actor, batch: StepImport) -> list[StepResult]:
    """Store every row of a checked batch, all or nothing; only its uploader commits it."""
    sector, _sep, step = batch.step.partition(".")
    spec = entry_for(sector, step)
    if spec is None:
        raise StepRefused({0: [{"field": "step", "message": f"{batch.step} is not a G2/G6 step"}]})
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
        results = record_rows(actor=actor, sector=sector, step=step, rows=[r["values"] for r in batch.rows])
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
# The drug steps.
# ================================================================================================

SECTOR = drug_profile.SECTOR
_LOCATION = Input("location", "场所", "location", "location", help_zh="场所标识（SGLN 或平台节点）")
_TIME = Input("time", "时间", "time", "time", required=False, help_zh="留空为当前时间；格式 2026-11-16 08:30")
_CODES_HELP = "20 位药品追溯码、SGTIN、SSCC 或医疗器械 UDI（(01)…(21)…）；多个以逗号分隔"


def _owner(clean: Mapping[str, Any]) -> Party:
    return seller_of(clean["location"])


def _build_commissioning(clean):
    ilmd = {"cbvmda:lotNumber": clean["lot"], "cbvmda:itemExpirationDate": clean["expiry"]}
    if clean.get("production_date"):
        ilmd[ext("productionDate")] = clean["production_date"]
    return make_event(
        SECTOR, "commissioning", clean, {"epcList": clean["packs"], "action": "ADD", "ilmd": ilmd}
    )


def _build_packing(clean):
    return make_event(
        SECTOR,
        "packing",
        clean,
        {"parentID": clean["parent"], "childEPCs": clean["children"], "action": "ADD"},
    )


def _transactions(clean) -> list[dict[str, str]]:
    if not clean.get("invoice"):
        return []
    owner = _owner(clean) if clean.get("receiver") else clean["supplier"]
    return [{"type": "inv", "bizTransaction": f"urn:tracehub:bt:{owner.uscc or owner.pk}:{clean['invoice']}"}]


def _build_shipping(clean):
    body = {
        "epcList": clean["units"],
        "sourceList": [{"type": "owning_party", "source": party_uri(_owner(clean))}],
        "destinationList": [{"type": "owning_party", "destination": party_uri(clean["receiver"])}],
        "bizTransactionList": _transactions(clean),
    }
    return make_event(SECTOR, "shipping", clean, body, biz_location=False)


def _build_receiving(clean):
    body = {
        "epcList": clean["units"],
        "sourceList": [{"type": "owning_party", "source": party_uri(clean["supplier"])}],
        "destinationList": [{"type": "owning_party", "destination": party_uri(_owner(clean))}],
        "bizTransactionList": _transactions(clean),
    }
    return make_event(SECTOR, "receiving", clean, body)


def _build_unpacking(clean):
    return make_event(SECTOR, "unpacking", clean, {"parentID": clean["parent"], "action": "DELETE"})


def _build_dispensing(clean):
    return make_event(
        SECTOR, "dispensing", clean, {"epcList": clean["packs"], ext("dispenseType"): clean["dispense_type"]}
    )


DRUG_ENTRIES = [
    register_entry(
        StepEntry(
            SECTOR,
            "commissioning",
            (
                _LOCATION,
                Input("packs", "药品追溯码", "pack codes", "codes", help_zh=_CODES_HELP),
                Input("lot", "生产批号", "lot number", "text"),
                Input("expiry", "有效期至", "expiry date", "date"),
                Input("production_date", "生产日期", "production date", "date", required=False),
                _TIME,
            ),
            _build_commissioning,
        )
    ),
    register_entry(
        StepEntry(
            SECTOR,
            "packing",
            (
                _LOCATION,
                Input("parent", "中包/箱码", "carton or case code", "lot", help_zh="SSCC（EPC URN）"),
                Input(
                    "children", "装入的单品或中包", "packs or cartons packed", "codes", help_zh=_CODES_HELP
                ),
                _TIME,
            ),
            _build_packing,
        )
    ),
    register_entry(
        StepEntry(
            SECTOR,
            "shipping",
            (
                _LOCATION,
                Input(
                    "receiver",
                    "收货方",
                    "consignee",
                    "party",
                    help_zh="统一社会信用代码或主体标识；须持药品许可证",
                ),
                Input("units", "发货药品", "packs, cartons or cases", "codes", help_zh=_CODES_HELP),
                Input("invoice", "随货同行单号", "delivery note no.", "doc", required=False),
                _TIME,
            ),
            _build_shipping,
        )
    ),
    register_entry(
        StepEntry(
            SECTOR,
            "receiving",
            (
                _LOCATION,
                Input("supplier", "供货方", "supplier", "party", help_zh="统一社会信用代码或主体标识"),
                Input("units", "收货药品", "packs, cartons or cases", "codes", help_zh=_CODES_HELP),
                Input("invoice", "随货同行单号", "delivery note no.", "doc", required=False),
                _TIME,
            ),
            _build_receiving,
        )
    ),
    register_entry(
        StepEntry(
            SECTOR,
            "unpacking",
            (_LOCATION, Input("parent", "拆开的中包/箱码", "carton or case opened", "lot"), _TIME),
            _build_unpacking,
        )
    ),
    register_entry(
        StepEntry(
            SECTOR,
            "dispensing",
            (
                _LOCATION,
                Input("packs", "药品追溯码", "pack codes", "codes", help_zh=_CODES_HELP),
                Input(
                    "dispense_type",
                    "核销方式",
                    "dispensing type",
                    "choice",
                    choices=drug_profile.DISPENSE_TYPES,
                    help_zh="retail 零售；hospital_use 医疗机构使用",
                ),
                _TIME,
            ),
            _build_dispensing,
        )
    ),
]


# ================================================================================================
# Drug records: drug information, medical licences, cases, alerts.
# ================================================================================================

APPROVAL = re.compile(r"^国药准字[HZSJ]\d{8}$")
STANDARD_CODE = re.compile(r"^86\d{12}$")


class DrugRecordInvalid(Exception):
    """Wrong fields of a drug record: ``errors`` maps each field to what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _require_drug_official(actor: Actor) -> None:
    if actor.sees_all or (actor.oversees and SECTOR in actor.sectors):
        return
    raise PermissionDenied(_("Only the drug bureau's officials and the platform record this."))


def drug_info_set(
    *,
    actor: Actor,
    product: Product,
    holder: Party,
    approval_number: str,
    dosage_form: str,
    strength: str,
    package_levels: list[dict[str, Any]],
    standard_code: str = "",
    drug_code: str = "",
    kind: str = DrugKind.DRUG,
    udi_di: str = "",
) -> DrugInfo:
    """Record or replace the drug information of a product (its owner's people or the platform)."""
    if not (actor.sees_all or actor.party_id in (product.party_id, holder.pk)):
        raise PermissionDenied(_("Only the product's owner records its drug information."))
    errors: dict[str, str] = {}
    approval_number = (approval_number or "").strip()
    if kind == DrugKind.DRUG and not APPROVAL.match(approval_number):
        errors["approval_number"] = "国药准字 + H, Z, S or J + 8 digits is required (e.g. 国药准字H35021187)"
    elif kind == DrugKind.DEVICE and not approval_number:
        errors["approval_number"] = "the device registration certificate number is required"
    if standard_code and not STANDARD_CODE.match(standard_code):
        errors["standard_code"] = "a drug standard code (本位码) is 86 followed by 12 digits"
    if drug_code and not re.fullmatch(r"\d{7}", drug_code):
        errors["drug_code"] = "a drug identification code (药品标识码) is 7 digits"
    if kind not in DrugKind.values:
        errors["kind"] = f"one of {', '.join(DrugKind.values)}"
    if kind == DrugKind.DEVICE:
        from tracehub.identifiers.udi import parse_udi_di

        try:
            udi_di = parse_udi_di(udi_di)
        except IdentifierError as exc:
            errors["udi_di"] = str(exc)
    for name, value in (("dosage_form", dosage_form), ("strength", strength)):
        if not (value or "").strip():
            errors[name] = "required"
    if (
        not isinstance(package_levels, list)
        or not package_levels
        or not all(isinstance(level, dict) and level.get("level") for level in package_levels)
    ):
        errors["package_levels"] = "a list of levels, sales pack first, each {level, unit, contains}"
    if errors:
        raise DrugRecordInvalid(errors)
    with transaction.atomic():
        before = DrugInfo.objects.filter(product=product).first()
        info, _created = DrugInfo.objects.update_or_create(
            product=product,
            defaults={
                "holder": holder,
                "kind": kind,
                "approval_number": approval_number,
                "standard_code": standard_code,
                "drug_code": drug_code,
                "udi_di": udi_di,
                "dosage_form": dosage_form.strip(),
                "strength": strength.strip(),
                "package_levels": package_levels,
            },
        )
        audit_record(
            **actor.audit,
            action="sectors.drug.info_set",
            object_type="sectors.DrugInfo",
            object_id=str(info.pk),
            before={"approval_number": before.approval_number} if before else None,
            after={
                "approval_number": approval_number,
                "product": product.key,
                "standard_code": standard_code,
            },
            party_ref=product.party_id,
        )
    return info


def medical_licence_create(
    *,
    actor: Actor,
    party: Party,
    number: str,
    issuer: str = "",
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> MedicalLicence:
    """Record a hospital's practice licence (医疗机构执业许可证): its own people, officials, the platform."""
    if not (actor.sees_all or actor.party_id == party.pk or (actor.oversees and SECTOR in actor.sectors)):
        raise PermissionDenied(_("You may not record licences of this party."))
    errors = {}
    if not (number or "").strip():
        errors["number"] = "required"
    elif MedicalLicence.objects.filter(number=number.strip()).exists():
        errors["number"] = "another licence has this number"
    if valid_from and valid_until and valid_until < valid_from:
        errors["valid_until"] = "before valid_from"
    if errors:
        raise DrugRecordInvalid(errors)
    with transaction.atomic():
        licence = MedicalLicence.objects.create(
            party=party, number=number.strip(), issuer=issuer, valid_from=valid_from, valid_until=valid_until
        )
        audit_record(
            **actor.audit,
            action="sectors.drug.medical_licence_create",
            object_type="sectors.MedicalLicence",
            object_id=str(licence.pk),
            after={"number": licence.number, "valid_until": valid_until.isoformat() if valid_until else None},
            party_ref=party.pk,
        )
    return licence


def drug_case_create(
    *,
    actor: Actor,
    party: Party,
    number: str,
    opened_on: dt.date,
    violation: str,
    decision: str = "",
    penalty: Decimal | str | int = 0,
    status: str = DrugCaseStatus.OPEN,
    product: Product | None = None,
) -> DrugCase:
    """Record an enforcement case (案件) of the drug bureau."""
    _require_drug_official(actor)
    errors: dict[str, str] = {}
    if not (number or "").strip():
        errors["number"] = "required"
    elif DrugCase.objects.filter(number=number.strip()).exists():
        errors["number"] = "another case has this number"
    if not (violation or "").strip():
        errors["violation"] = "required"
    if status not in DrugCaseStatus.values:
        errors["status"] = f"one of {', '.join(DrugCaseStatus.values)}"
    elif status != DrugCaseStatus.OPEN and not (decision or "").strip():
        errors["decision"] = "a decided or closed case names its decision"
    try:
        amount = Decimal(str(penalty))
        if not amount.is_finite() or amount < 0:
            raise InvalidOperation
    except InvalidOperation:
        errors["penalty"] = "a number ≥ 0 (CNY)"
        amount = Decimal(0)
    if not isinstance(opened_on, dt.date):
        errors["opened_on"] = "a date"
    if errors:
        raise DrugRecordInvalid(errors)
    with transaction.atomic():
        case = DrugCase.objects.create(
            party=party,
            number=number.strip(),
            opened_on=opened_on,
            violation=violation.strip(),
            decision=(decision or "").strip(),
            penalty=amount,
            status=status,
            product=product,
        )
        audit_record(
            **actor.audit,
            action="sectors.drug.case_create",
            object_type="sectors.DrugCase",
            object_id=str(case.pk),
            after={"number": case.number, "party": party.pk, "status": status, "penalty": str(amount)},
            party_ref=party.pk,
        )
    return case


def _drug_officials() -> list:
    rows = UserProfile.objects.filter(
        role=Role.OFFICIAL, department__sectors__sector=SECTOR, user__is_active=True
    ).select_related("user")
    return [p.user for p in rows.distinct()]


def dispensing_alerts_raise(
    *, codes: Sequence[str], event: Mapping[str, Any], namespaces: Mapping[str, str], location: str
) -> list[DispensingAlert]:
    """Called at capture of a dispensing (inside its transaction): for each code already dispensed
    by another live event, store a double-dispensing alert and notify the drug bureau's officials.
    Capturing the same event again raises nothing (it is the same dispensing). Three queries when no
    code was dispensed before."""
    from tracehub.sectors.selectors_drug import g2_tables_ready

    if not codes or not g2_tables_ready():
        return []
    this_hash = event_hash(dict(event), namespaces)
    this_id = event.get("eventID") or this_hash
    if Event.objects.filter(event_id=this_id).exists() or Event.objects.filter(event_hash=this_hash).exists():
        return []  # the same event sent again: the store ignores it, and so do the alerts
    earlier = (
        EventIndex.objects.filter(
            key__in=list(codes), role="epc", event__biz_step="dispensing", event__error_declared=False
        )
        .order_by("event__event_time", "event_id")
        .values_list("key", "event__event_id")
    )
    first: dict[str, str] = {}
    for key, event_id in earlier:
        first.setdefault(key, event_id)
    alerts = []
    for key, first_id in first.items():
        alert, created = DispensingAlert.objects.get_or_create(
            code=key, second_event_id=this_id, defaults={"first_event_id": first_id, "location": location}
        )
        if not created:
            continue
        alerts.append(alert)
        audit_record(
            action="sectors.drug.dispensing_alert",
            object_type="sectors.DispensingAlert",
            object_id=str(alert.pk),
            after={"code": key, "first": first_id[:200], "second": this_id[:200], "location": location},
        )
    if alerts:
        notification_send(
            users=_drug_officials(),
            message=gettext_noop("Drug code %(code)s was dispensed a second time at %(location)s: check it."),
            params={"code": alerts[0].code, "location": location},
            link="/console/sectors/drug/alerts/",
        )
    return alerts


def dispensing_alert_close(*, actor: Actor, alert: DispensingAlert) -> DispensingAlert:
    _require_drug_official(actor)
    with transaction.atomic():
        alert.status = "closed"
        alert.save(update_fields=["status"])
        audit_record(
            **actor.audit,
            action="sectors.drug.dispensing_alert_close",
            object_type="sectors.DispensingAlert",
            object_id=str(alert.pk),
            after={"status": "closed"},
        )
    return alert


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


__all__ = [
    "DRUG_ENTRIES",
    "ENTRIES",
    "DrugRecordInvalid",
    "StepEntry",
    "StepRefused",
    "StepResult",
    "drug_case_create",
    "drug_info_set",
    "entry_for",
    "medical_licence_create",
    "record_one",
    "record_rows",
]
