"""Writes of the sector subsystems (DESIGN.md §2): step entries, trace vouchers, Excel imports.

Every channel (phone form, Excel upload, ``/api/v1/sectors``) calls :func:`steps_record`: the inputs
are checked (each wrong one named), the events are built (:mod:`tracehub.sectors.entry`) and
captured through the event store's own pipeline, so the standard validation and the sector profile
check them exactly as they check a subsystem's capture. A sale (电子交易) first allocates its trace
voucher (追溯凭证码). Everything of one call (vouchers, events, audit rows) is stored in one
transaction, whole or not at all.
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

from tracehub.accounts.services import audit_record
from tracehub.epcis.models import Event
from tracehub.epcis.services import capture_document_store
from tracehub.identifiers.cn_codes import make_platform_trace_code
from tracehub.registry.actors import Actor
from tracehub.registry.models import Location
from tracehub.sectors import entry
from tracehub.sectors.entry import CHINA, STEP_INPUTS, InputErrors, party_key, seller_of
from tracehub.sectors.models import StepImport, StepImportStatus, TradeVoucher, VoucherStatus
from tracehub.sectors.profiles import meat_veg

#: The most sequences a stall's node allocates in a day (4 digits of the trace code).
MAX_SEQUENCE = 9999


class StepRefused(Exception):
    """A step entry that was not stored: ``rows`` maps a row number (0 for a single entry) to its
    errors, each ``{"field": input key or EPCIS path, "message": …}``."""

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


def _require_step(step: str) -> None:
    if step not in STEP_INPUTS:
        raise StepRefused(
            {0: [{"field": "step", "message": f"unknown step {step!r}; steps: {', '.join(STEP_INPUTS)}"}]}
        )


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
            {
                0: [
                    {
                        "field": "location",
                        "message": f"stall {stall.name} has issued {MAX_SEQUENCE} vouchers today",
                    }
                ]
            }
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
    raise StepRefused(
        {0: [{"field": "location", "message": "no trace voucher could be allocated; try again"}]}
    )


def _row_errors(errors: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"field": key, "message": message} for key, message in errors.items()]


def steps_record(
    *, actor: Actor, step: str, rows: Sequence[Mapping[str, Any]], dry_run: bool = False
) -> list[StepResult]:
    """Record ``rows`` of one meat_veg ``step`` (raw inputs, as a form, a spreadsheet or the API give
    them), all or nothing. Raises :class:`StepRefused` naming every wrong input or event field by
    row (rows are numbered from 1; a single entry is row 0 when ``len(rows) == 1``), and
    ``PermissionDenied`` for a location the actor may not record at. ``dry_run`` checks everything,
    capture included, and stores nothing (the import preview)."""
    _require_step(step)
    single = len(rows) == 1
    number = (lambda i: 0) if single else (lambda i: i + 1)
    cleaned: list[tuple[int, dict[str, Any]]] = []  # (row number, clean inputs) of the rows that parse
    errors: dict[int, list[dict[str, str]]] = {}
    for i, raw in enumerate(rows):
        try:
            cleaned.append((number(i), entry.parse_inputs(step, raw)))
        except InputErrors as exc:
            errors[number(i)] = _row_errors(exc.errors)
    if errors and not dry_run:
        raise StepRefused(errors)
    for _n, clean in cleaned:
        _require_location(actor, clean["location"])
    results: list[StepResult] = []
    try:
        with transaction.atomic():
            events: list[dict[str, Any]] = []
            for _n, clean in cleaned:
                if step == "market_trading":
                    event, voucher = _sale(clean)
                else:
                    event, voucher = entry.build_event(step, clean), None
                events.append(event)
                results.append(StepResult(step=step, event=event, captured=True, voucher=voucher))
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
            for (_n, clean), result in zip(cleaned, results, strict=True):
                result.captured = result.event["eventID"] not in known
                quoted = clean.get("voucher")
                if quoted and result.captured:
                    TradeVoucher.objects.filter(code=quoted).update(status=VoucherStatus.QUOTED)
                location: Location = clean["location"]
                audit_record(
                    **actor.audit,
                    action=f"sectors.{meat_veg.SECTOR}.{step}",
                    object_type="epcis.Event",
                    object_id=result.event["eventID"][:200],
                    after={
                        "step": step,
                        "location": location.key,
                        "voucher": result.voucher.code if result.voucher else None,
                        "captured": result.captured,
                        "captureJob": outcome.job.capture_id,
                    },
                    party_ref=location.operator_id or location.party_id,
                )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return results


class _DryRun(Exception):
    """Undoes a checked-only run."""


def _capture_errors(errors: list[dict[str, Any]], number) -> dict[int, list[dict[str, str]]]:
    """Capture errors by row, each path made relative to its event."""
    refused: dict[int, list[dict[str, str]]] = {}
    for error in errors:
        index = error.get("index")
        key = number(index) if isinstance(index, int) else 0
        path = error.get("path") or ""
        head = f"epcisBody.eventList[{index}]"
        relative = path[len(head) + 1 :] if path.startswith(head) else path
        refused.setdefault(key, []).append({"field": relative or "event", "message": error["message"]})
    return refused


def step_record(*, actor: Actor, step: str, data: Mapping[str, Any]) -> StepResult:
    """Record one entry of a meat_veg step (see :func:`steps_record`)."""
    return steps_record(actor=actor, step=step, rows=[data])[0]


# ------------------------------------------------------------------------------------------------
# Excel imports of step entries: upload (checked in full, nothing stored), then commit.
# ------------------------------------------------------------------------------------------------


def step_import_create(*, actor: Actor, step: str, content: bytes) -> StepImport:
    """Read an uploaded template of ``step`` and check every row (capture included, in a rolled-back
    transaction); the batch keeps the rows and their errors for the preview."""
    from tracehub.sectors.imports import read_rows

    _require_step(step)
    rows = read_rows(step, content)
    errors: dict[int, list[dict[str, str]]] = {}
    try:
        steps_record(actor=actor, step=step, rows=[r for _, r in rows], dry_run=True)
    except StepRefused as exc:
        # steps_record numbers rows from 1 (or 0 for one row): map to the spreadsheet's row numbers.
        for n, row_errors in exc.rows.items():
            sheet_row = rows[max(n - 1, 0)][0]
            errors[sheet_row] = row_errors
    with transaction.atomic():
        batch = StepImport.objects.create(
            step=step,
            uploaded_by=actor.user,
            uploaded_by_client=actor.client,
            party_id=actor.party_id,
            rows=[{"row": n, "values": {k: v for k, v in r.items()}} for n, r in rows],
            errors={str(k): v for k, v in errors.items()},
            status=StepImportStatus.CHECKED if not errors else StepImportStatus.REFUSED,
        )
        audit_record(
            **actor.audit,
            action="sectors.import.upload",
            object_type="sectors.StepImport",
            object_id=str(batch.pk),
            after={"step": step, "rows": len(rows), "errors": len(errors)},
            party_ref=actor.party_id,
        )
    return batch


def step_import_commit(*, actor: Actor, batch: StepImport) -> list[StepResult]:
    """Store every row of a checked batch, all or nothing; only its uploader commits it."""
    if batch.uploaded_by_id != getattr(actor.user, "pk", None) or (
        batch.uploaded_by_client_id != (actor.client.pk if actor.client else None)
    ):
        raise PermissionDenied(_("Only the uploader commits an import."))
    if batch.status != StepImportStatus.CHECKED:
        raise StepRefused(
            {0: [{"field": "status", "message": f"this import is {batch.status}, not checked"}]}
        )
    age = timezone.now() - batch.created_at
    if age.total_seconds() > settings.TRACEHUB_IMPORT_TTL_HOURS * 3600:
        raise StepRefused(
            {0: [{"field": "status", "message": "this import has expired: upload the file again"}]}
        )
    with transaction.atomic():
        results = steps_record(actor=actor, step=batch.step, rows=[r["values"] for r in batch.rows])
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
