"""Writes of the sector subsystems (DESIGN.md §2): step entries, trace vouchers, Excel imports.

Every channel of every sector (phone form, Excel upload, ``/api/v1/sectors/…``) calls
:func:`steps_record` with the sector and step: the step's registered entry
(:class:`tracehub.sectors.entry.StepEntry`) parses the inputs (each wrong one named) and builds
the events, which are captured through the event store's own pipeline, so the standard validation
and the sector profile check them exactly as they check a subsystem's capture. A meat_veg sale
(电子交易) first allocates its trace voucher (追溯凭证码). Everything of one call (vouchers, events,
records, audit rows) is stored in one transaction, whole or not at all. The meat_veg entries are
registered here; the other sectors register theirs in their own ``services_<sector>`` module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tracehub.accounts.models import Role, UserProfile
from tracehub.accounts.services import audit_record, notification_send
from tracehub.epcis.models import Event
from tracehub.epcis.profiles import CaptureBatch, refusal_scope
from tracehub.epcis.services import capture_document_store
from tracehub.epcis.validation import check_event as validate_event
from tracehub.identifiers.cn_codes import make_platform_trace_code
from tracehub.registry.actors import Actor
from tracehub.registry.capture import SectorResolver
from tracehub.registry.models import Location
from tracehub.sectors import entry, imports
from tracehub.sectors.entry import (
    CHINA,
    NAMESPACES,
    STEP_INPUTS,
    InputErrors,
    StepEntry,
    entries_of,
    entry_for,
    entry_of_import,
    party_key,
    register_entry,
    seller_of,
)
from tracehub.sectors.messages import message, notification_param, refusal, rule_of
from tracehub.sectors.models import StepImport, StepImportStatus, TradeVoucher, VoucherStatus
from tracehub.sectors.profile import registry
from tracehub.sectors.profiles import meat_veg

#: The most sequences a stall's node allocates in a day (4 digits of the trace code).
MAX_SEQUENCE = 9999


class StepRefused(Exception):
    """A step entry that was not stored: ``rows`` maps a row number (0 for a single entry) to its
    errors, each ``{"field": input key or EPCIS path, "message": English text, "code": rule code,
    "params": {…}}`` (``tracehub.sectors.messages.refusal``; pages show ``messages.render(error)``)."""

    def __init__(self, rows: dict[int, list[dict[str, str]]], *, forbidden: bool = False) -> None:
        super().__init__(
            "; ".join(f"row {n}: {e['field']}: {e['message']}" for n, es in rows.items() for e in es)
        )
        self.rows = rows
        self.forbidden = forbidden

    @property
    def errors(self) -> list[dict[str, str]]:
        return [e for es in self.rows.values() for e in es]


@dataclass
class StepResult:
    """One stored entry: its event, whether it was new, and the voucher a sale issued."""

    step: str
    event: dict[str, Any]
    captured: bool
    voucher: TradeVoucher | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _require_location(actor: Actor, location: Location) -> None:
    """Who records at a location: its holder's or its operator's users and clients, or the platform."""
    if actor.sees_all:
        return
    if actor.acts_for_party and actor.party_id in (location.party_id, location.operator_id):
        return
    raise PermissionDenied(
        _("You may record events only at locations your party holds or operates (%(location)s is not one).")
        # The identifier, not the registered name: another party's place names are not disclosed.
        % {"location": location.key}
    )


def _allocate_voucher(*, stall: Location, sold_at: datetime) -> tuple[str, str, int, Any, int]:
    """(code, district, node, day, sequence) of the next trace voucher of a stall on a day."""
    district = stall.district or "350200"
    node = stall.pk % MAX_SEQUENCE + 1
    day = sold_at.astimezone(CHINA).date()
    last = TradeVoucher.objects.filter(district=district, node=node, day=day).aggregate(m=Max("sequence"))[
        "m"
    ]
    sequence = 1 if last is None else last + 1
    if sequence > MAX_SEQUENCE:
        raise StepRefused(
            {0: [refusal("location", message("vouchers_exhausted", stall=stall.name, count=MAX_SEQUENCE))]}
        )
    return make_platform_trace_code(district, node, day, sequence), district, node, day, sequence


def _sale(clean: Mapping[str, Any]) -> tuple[dict[str, Any], TradeVoucher]:
    """Allocate the voucher of a sale, build its event and record the voucher (before capture, whose
    profile rule checks that the voucher was issued for this seller and buyer)."""
    stall: Location = clean["location"]
    sold_at = clean.get("time") or timezone.now().astimezone(CHINA).replace(microsecond=0)
    clean = {**clean, "time": sold_at}
    seller = seller_of(stall)
    for _attempt in range(5):
        code, district, node, day, sequence = _allocate_voucher(stall=stall, sold_at=sold_at)
        event = entry.build_event("market_trading", clean, voucher=code)
        weight, price = clean["weight"], clean["unit_price"]
        try:
            with transaction.atomic():
                voucher = TradeVoucher.objects.create(
                    code=code,
                    district=district,
                    node=node,
                    day=day,
                    sequence=sequence,
                    stall=stall,
                    seller=seller,
                    buyer=clean["buyer"],
                    seller_key=party_key(seller),
                    buyer_key=party_key(clean["buyer"]),
                    lines=[
                        {
                            "epcClass": clean["lot"],
                            "quantity": str(weight),
                            "uom": "KGM",
                            "unitPrice": str(price),
                        }
                    ],
                    amount=(weight * price).quantize(Decimal("0.01")),
                    event_id=event["eventID"],
                    sold_at=sold_at,
                )
        except IntegrityError:
            continue  # another sale took this sequence at the same moment: take the next one
        return event, voucher
    raise StepRefused({0: [refusal("location", message("voucher_unallocated"))]})


def _row_errors(errors: Mapping[str, str]) -> list[dict[str, Any]]:
    return [refusal(key, text) for key, text in errors.items()]


def _entry(sector: str, step: str) -> StepEntry:
    spec = entry_for(sector, step)
    if spec is None:
        steps = ", ".join(s.step for s in entries_of(sector))
        raise StepRefused({0: [refusal("step", message("step_unknown", step=repr(step), steps=steps))]})
    return spec


def steps_record(
    *,
    actor: Actor,
    step: str,
    rows: Sequence[Mapping[str, Any]],
    dry_run: bool = False,
    sector: str = meat_veg.SECTOR,
) -> list[StepResult]:
    """Record ``rows`` of one ``step`` of ``sector`` (raw inputs, as a form, a spreadsheet or the
    API give them), all or nothing. Raises :class:`StepRefused` naming every wrong input or event
    field by row (rows are numbered from 1; a single entry is row 0 when ``len(rows) == 1``), and
    ``PermissionDenied`` for a location the actor may not record at. ``dry_run`` checks everything,
    capture included, and stores nothing (the import preview); the refusal hooks of a dry run are
    dropped, those of a real entry run once its transaction has ended (``epcis.profiles``)."""
    spec = _entry(sector, step)
    single = len(rows) == 1
    number = (lambda i: 0) if single else (lambda i: i + 1)
    cleaned: list[tuple[int, dict[str, Any]]] = []  # (row number, clean inputs) of the rows that parse
    errors: dict[int, list[dict[str, str]]] = {}
    for i, raw in enumerate(rows):
        try:
            cleaned.append((number(i), entry.parse_entry(spec, raw)))
        except InputErrors as exc:
            errors[number(i)] = _row_errors(exc.errors)
    if errors and not dry_run:
        raise StepRefused(errors)
    for _n, clean in cleaned:
        _require_location(actor, clean["location"])
    results: list[StepResult] = []
    with refusal_scope(discard=dry_run):
        try:
            with transaction.atomic():
                results = _record(actor, spec, cleaned, errors, dry_run)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
    return results


def _record(
    actor: Actor,
    spec: StepEntry,
    cleaned: list[tuple[int, dict[str, Any]]],
    errors: dict[int, list[dict[str, str]]],
    dry_run: bool,
) -> list[StepResult]:
    """Build, check, capture and audit the parsed rows (inside the entry's transaction)."""
    events: list[dict[str, Any]] = []
    made: list[tuple[int, dict[str, Any]]] = []
    results: list[StepResult] = []
    unbuilt = False
    for n, clean in cleaned:
        try:
            event, extra = spec.make(clean)
        except InputErrors as exc:
            errors.setdefault(n, []).extend(_row_errors(exc.errors))
            unbuilt = True
            continue
        made.append((n, clean))
        events.append(event)
        voucher = extra.pop("voucher", None)
        results.append(StepResult(step=spec.step, event=event, captured=True, voucher=voucher, extra=extra))
        if spec.check_sector:
            errors.setdefault(n, []).extend(_sector_checks(spec.sector, event))
            if not errors[n]:
                del errors[n]
    if unbuilt and not dry_run:
        raise StepRefused(dict(sorted(errors.items())))
    known = set(
        Event.objects.filter(event_id__in=[e["eventID"] for e in events]).values_list("event_id", flat=True)
    )
    outcome = capture_document_store(client=actor.client, document=entry.document(events)) if events else None
    if outcome is not None and outcome.errors:
        row_of = [n for n, _clean in made]
        for n, row_errors in _capture_errors(outcome.errors, lambda i: row_of[i]).items():
            errors.setdefault(n, []).extend(row_errors)
        raise StepRefused(dict(sorted(errors.items())), forbidden=outcome.forbidden)
    if errors:
        raise StepRefused(dict(sorted(errors.items())))
    for (n, clean), result in zip(made, results, strict=True):
        result.captured = result.event["eventID"] not in known
        if spec.after is not None:
            try:
                spec.after(actor=actor, step=spec.step, clean=clean, result=result)
            except InputErrors as exc:
                errors[n] = _row_errors(exc.errors)
                continue
        location: Location = clean["location"]
        after: dict[str, Any] = {
            "step": spec.step,
            "location": location.key,
            "captured": result.captured,
            "captureJob": outcome.job.capture_id if outcome else None,
            **{k: v for k, v in result.extra.items() if isinstance(v, str | int | float | bool)},
        }
        if result.voucher is not None:
            after["voucher"] = result.voucher.code
        audit_record(
            **actor.audit,
            action=f"sectors.{spec.sector}.{spec.step}",
            object_type="epcis.Event",
            object_id=result.event["eventID"][:200],
            after=after,
            party_ref=location.operator_id or location.party_id,
        )
    if errors:
        raise StepRefused(dict(sorted(errors.items())))
    return results


class _DryRun(Exception):
    """Undoes a checked-only run."""


def sector_officials(sector: str) -> list:
    """The active officials of the departments overseeing ``sector`` (who a sector's alerts notify)."""
    rows = UserProfile.objects.filter(
        role=Role.OFFICIAL, department__sectors__sector=sector, user__is_active=True
    ).select_related("user")
    return [p.user for p in rows.distinct()]


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
    return [refusal(e.path, e.message) for e in found]


def _step_key(sector: str, event: dict[str, Any]) -> str:
    for step in registry[sector].steps:
        if step.biz_step == event.get("bizStep"):
            return step.key
    raise KeyError(event.get("bizStep"))


def _capture_errors(errors: list[dict[str, Any]], number) -> dict[int, list[dict[str, str]]]:
    """Capture errors by row, each path made relative to its event."""
    refused: dict[int, list[dict[str, str]]] = {}
    for error in errors:
        index = error.get("index")
        key = number(index) if isinstance(index, int) else 0
        path = error.get("path") or ""
        head = f"epcisBody.eventList[{index}]"
        relative = path[len(head) + 1 :] if path.startswith(head) else path
        # The profile's code and params come with the message, so pages translate it (messages.render).
        row = {"field": relative or "event", "message": error["message"]}
        if error.get("code"):
            row.update(code=error["code"], params=error.get("params") or {})
        refused.setdefault(key, []).append(row)
    return refused


def step_record(
    *, actor: Actor, step: str, data: Mapping[str, Any], sector: str = meat_veg.SECTOR
) -> StepResult:
    """Record one entry of a step (see :func:`steps_record`)."""
    return steps_record(actor=actor, step=step, rows=[data], sector=sector)[0]


# -- the meat_veg entries ---------------------------------------------------------------------------


def _quote_voucher(*, actor: Actor, step: str, clean: Mapping[str, Any], result: StepResult) -> None:
    """An entry quoting the voucher of its purchase marks the voucher quoted (E1 电子交易)."""
    quoted = clean.get("voucher")
    if quoted and result.captured:
        TradeVoucher.objects.filter(code=quoted).update(status=VoucherStatus.QUOTED)


def _sale_entry(clean: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    event, voucher = _sale(clean)
    return event, {"voucher": voucher}


def _meat_veg_build(step: str):
    if step == "market_trading":
        return _sale_entry
    return lambda clean: entry.build_event(step, clean)


MEAT_VEG_ENTRIES = [
    register_entry(
        StepEntry(
            meat_veg.SECTOR,
            step,
            inputs,
            _meat_veg_build(step),
            after=_quote_voucher if any(i.key == "voucher" for i in inputs) else None,
            example=imports.EXAMPLES.get(step, {}),
            import_key=step,
        )
    )
    for step, inputs in STEP_INPUTS.items()
]


# ------------------------------------------------------------------------------------------------
# Excel imports of step entries: upload (checked in full, nothing stored), then commit.
# ------------------------------------------------------------------------------------------------


def step_import_create(
    *, actor: Actor, step: str, content: bytes, sector: str = meat_veg.SECTOR
) -> StepImport:
    """Read an uploaded template of ``step`` and check every row (capture included, in a rolled-back
    transaction); the batch keeps the rows and their errors, by spreadsheet row, for the preview."""
    spec = _entry(sector, step)
    rows = imports.read_rows(spec, content)
    errors: dict[int, list[dict[str, str]]] = {}
    try:
        steps_record(actor=actor, step=step, sector=sector, rows=[r for _, r in rows], dry_run=True)
    except StepRefused as exc:
        # steps_record numbers rows from 1 (or 0 for one row): map to the spreadsheet's row numbers.
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
            after={"step": batch.step, "rows": len(rows), "errors": len(errors)},
            party_ref=actor.party_id,
        )
    return batch


def step_import_commit(*, actor: Actor, batch: StepImport) -> list[StepResult]:
    """Store every row of a checked batch, all or nothing; only its uploader commits it."""
    spec = entry_of_import(batch.step)
    if spec is None:
        raise StepRefused({0: [refusal("step", message("import_step_unknown", step=batch.step))]})
    if batch.uploaded_by_id != getattr(actor.user, "pk", None) or (
        batch.uploaded_by_client_id != (actor.client.pk if actor.client else None)
    ):
        raise PermissionDenied(_("Only the uploader commits an import."))
    if batch.status != StepImportStatus.CHECKED:
        raise StepRefused({0: [refusal("status", message("import_not_checked", status=batch.status))]})
    age = timezone.now() - batch.created_at
    if age.total_seconds() > settings.TRACEHUB_IMPORT_TTL_HOURS * 3600:
        raise StepRefused({0: [refusal("status", message("import_expired"))]})
    with refusal_scope(), transaction.atomic():
        results = steps_record(
            actor=actor, step=spec.step, sector=spec.sector, rows=[r["values"] for r in batch.rows]
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


# ------------------------------------------------------------------------------------------------
# Food (G1): the market-access alert on a refused receipt (issue #6 item 2).
# ------------------------------------------------------------------------------------------------

#: The refusals of a food receipt that are market-access refusals: a failed test, a supplier without
#: a valid licence (索证), no supplier certificate. Matched on the rule of a code (``supplier_licensed``
#: covers ``supplier_licensed:unfiled`` …), never on the English text (tracehub.sectors.messages).
MARKET_ACCESS_CODES = frozenset({"inspection_passed", "supplier_licensed", "required:certificate"})


def is_market_access(code: str) -> bool:
    return code in MARKET_ACCESS_CODES or rule_of(code) in MARKET_ACCESS_CODES


MARKET_ACCESS_MESSAGE = gettext_noop("Market access refused at %(location)s for %(lot)s: %(reason)s")


def market_access_refusals_report(*, batch: CaptureBatch) -> int:
    """Refusal hook of the food profile (issue #6 item 2: "rejected with the reason, alert to the
    bureau"): a receipt refused at market access rolls its capture back, so the alert is written
    here, after the rollback and in its own transaction — an audit row per refused lot and a console
    notification with the reason to the officials overseeing food. Returns how many were reported."""
    officials = None
    reported = 0
    for refused in batch.events:
        reasons = [str(e.message) for e in refused.errors if is_market_access(e.code)]
        if not reasons:
            continue
        lots = [x.key for x in refused.normalized.index if x.role in ("class", "lot", "epc")]
        lot = ", ".join(dict.fromkeys(lots)) or "?"
        location = refused.normalized.biz_location or refused.normalized.read_point or ""
        sent_id = refused.event.get("eventID")
        audit_record(
            actor_client=batch.client,
            action="sectors.food.market_access_refused",
            object_type="epcis.CaptureJob",
            object_id=batch.capture_id,
            after={
                "eventID": sent_id if isinstance(sent_id, str) else None,
                "lot": lot,
                "location": location,
                "reasons": reasons,
            },
        )
        if officials is None:
            officials = sector_officials("food")
        notification_send(
            users=officials,
            message=MARKET_ACCESS_MESSAGE,
            params={
                "location": location,
                "lot": lot,
                "reason": notification_param([e.message for e in refused.errors if is_market_access(e.code)]),
            },
            link="",
        )
        reported += 1
    return reported
