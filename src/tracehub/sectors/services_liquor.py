"""Writes of the liquor distribution subsystem (酒类流通, G3): step entries with the accompanying slip
(随附单) allocated from the wholesale shipment, operator filing (登记备案) and its public notice (公示),
product information and certification (认证).

It also holds :class:`SectorEntry`, the way a sector registers all its steps at once with the
framework's entry registry (``tracehub.sectors.entry``; the enterprise subsystem uses it too): one
input table, one builder and one input check for the sector's steps. The entries are recorded by the
framework's ``services.steps_record`` — form, Excel and API alike, so they give the same events;
:func:`record_steps`, :func:`template_xlsx`, :func:`step_import_create` … are the names the liquor and
enterprise pages and API call, kept as thin wrappers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tracehub.accounts.services import audit_record
from tracehub.epcis.hashing import event_hash
from tracehub.epcis.profiles import CaptureBatch
from tracehub.identifiers import canonical_key
from tracehub.identifiers.cn_codes import make_liquor_slip_number, parse_liquor_slip_number
from tracehub.registry.actors import Actor
from tracehub.registry.models import FilingStatus, Location, Party, Product
from tracehub.sectors import entry, imports, services
from tracehub.sectors.entry import (
    CHINA,
    NAMESPACES,
    Input,
    StepEntry,
    party_key,
    party_uri,
    seller_of,
    signed_decimal,
)
from tracehub.sectors.messages import define, message, refusal
from tracehub.sectors.models import StepImport
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
# A sector's steps registered at once (the liquor and enterprise entries).
# ================================================================================================

#: Kept for callers of this module's old name.
require_location = services._require_location


@dataclass(frozen=True)
class SectorEntry:
    """How one sector's steps are entered: their inputs (form fields, Excel columns, API fields),
    the event of a clean entry (``make``: step, clean inputs -> event and extra results, e.g. the
    slip a shipment allocated), a check of inputs that parse but cannot make an entry (``check``:
    step, clean -> errors by input), and what is derived after capture (``after``: records such as
    production checks and findings, in the same transaction). Creating it registers one
    :class:`~tracehub.sectors.entry.StepEntry` per step (uploads kept as ``<sector>:<step>``)."""

    sector: str
    inputs: Mapping[str, tuple[Input, ...]]
    make: Callable[[str, dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]]
    examples: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    parse_extra: Callable[[Input, str], Any] | None = None
    after: Callable[..., None] | None = None
    check: Callable[[str, dict[str, Any]], dict[str, str]] | None = None

    def __post_init__(self) -> None:
        for step, inputs in self.inputs.items():
            entry.register_entry(
                StepEntry(
                    self.sector,
                    step,
                    inputs,
                    (lambda clean, step=step: self.make(step, clean)),
                    after=self.after,
                    example=self.examples.get(step, {}),
                    parse_extra=self.parse_extra,
                    check=(lambda clean, step=step: self.check(step, clean)) if self.check else None,
                )
            )

    def step_inputs(self, step: str) -> tuple[Input, ...]:
        if step not in self.inputs:
            raise StepRefused(
                {0: [refusal("step", message("step_unknown", step=repr(step), steps=", ".join(self.inputs)))]}
            )
        return self.inputs[step]


def parse_step(spec_entry: SectorEntry, step: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Clean inputs of one entry; raises ``InputErrors`` naming every wrong one."""
    spec_entry.step_inputs(step)
    return entry.parse_entry(entry.entry_for(spec_entry.sector, step), raw)


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


def record_steps(
    *,
    actor: Actor,
    spec: SectorEntry,
    step: str,
    rows: Sequence[Mapping[str, Any]],
    dry_run: bool = False,
) -> list[StepResult]:
    """Record ``rows`` of one ``step`` of a sector, all or nothing: the framework's ``steps_record``."""
    spec.step_inputs(step)
    return services.steps_record(actor=actor, sector=spec.sector, step=step, rows=rows, dry_run=dry_run)


# -- Excel templates and uploads of a sector's steps (the framework's) --------------------------------


def read_rows(inputs: tuple[Input, ...], content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, {input key: value}) of each data row of an uploaded template, with
    the framework's limits (docs/import.md)."""
    return imports.read_rows(inputs, content)


def template_xlsx(spec: SectorEntry, step: str) -> bytes:
    """A step's template: Chinese headers (``中文名 key``), an example row starting with #, notes."""
    spec.step_inputs(step)
    return imports.template_xlsx(entry.entry_for(spec.sector, step))


def import_step(spec: SectorEntry, batch: StepImport) -> str:
    return batch.step.split(":", 1)[1] if batch.step.startswith(f"{spec.sector}:") else ""


def step_import_create(*, actor: Actor, spec: SectorEntry, step: str, content: bytes) -> StepImport:
    """Check every row of an uploaded template (capture included, rolled back) and keep the batch
    (``StepImport`` with step ``<sector>:<step>``) with its per-row errors for the preview."""
    spec.step_inputs(step)
    return services.step_import_create(actor=actor, sector=spec.sector, step=step, content=content)


def step_import_commit(*, actor: Actor, spec: SectorEntry, batch: StepImport) -> list[StepResult]:
    """Store every row of a checked batch, all or nothing; only its uploader commits it."""
    return services.step_import_commit(actor=actor, batch=batch)


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


#: The liquor entries' messages (tracehub.sectors.messages: English to clients, translated on pages).
MESSAGES = define(
    {
        "liquor_items_format": gettext_noop("write each line as lot=quantity@unit price"),
        "liquor_items_numbers": gettext_noop("quantity > 0 and unit price ≥ 0 are required"),
        "liquor_items_required": gettext_noop("at least one line is required"),
        "liquor_seller_unfiled": gettext_noop(
            "%(party)s has no approved liquor filing (酒类流通备案): "
            "only filed operators issue accompanying slips"
        ),
        "liquor_buyer_unfiled": gettext_noop(
            "%(party)s has no approved liquor filing (酒类流通备案): "
            "liquor is sold wholesale to filed operators only"
        ),
        "liquor_lot_unregistered": gettext_noop(
            "%(lot)s is not a lot of a registered liquor product (酒类产品信息)"
        ),
        "liquor_slip_unknown": gettext_noop("accompanying slip %(number)s was never issued"),
        "liquor_slips_exhausted": gettext_noop("no accompanying slip number is left this year"),
        "liquor_slip_unallocated": gettext_noop("no accompanying slip number could be allocated; try again"),
    }
)


def _liquor_parse(spec: Input, text: str) -> Any:
    if spec.kind == "x-items":
        lines = []
        for part in re.split(r"[;；\n]+", text):
            if not part.strip():
                continue
            lot, sep, rest = part.strip().rpartition("=")
            quantity, at, price = rest.partition("@")
            if not sep or not at or not lot.strip():
                raise ValueError(message("liquor_items_format"))
            canonical_key(lot.strip())
            q, p = signed_decimal(quantity.strip()), signed_decimal(price.strip())
            if q <= 0 or p < 0:
                raise ValueError(message("liquor_items_numbers"))
            lines.append(SlipLine(lot.strip(), q, p))
        if not lines:
            raise ValueError(message("liquor_items_required"))
        return lines
    if spec.kind == "x-plate":
        plate = text.strip().upper().replace("•", "·")
        if not liquor.PLATE.match(plate):
            raise ValueError(message("liquor_plate_required"))
        return plate
    if spec.kind == "x-slip":
        return parse_liquor_slip_number(text).number
    raise ValueError(message("input_kind_unknown", kind=spec.kind))


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
            errors["location"] = message("liquor_seller_unfiled", party=seller.name)
        if approved_filing(clean["buyer"]) is None:
            errors["buyer"] = message("liquor_buyer_unfiled", party=clean["buyer"].name)
        for line in clean["items"]:
            product = product_of_lot(line.lot)
            if product is None or not hasattr(product, "liquor"):
                errors["items"] = message("liquor_lot_unregistered", lot=line.lot)
                break
    if step == "receiving":
        slip = LiquorSlip.objects.filter(number=clean["slip"]).first()
        if slip is None:
            errors["slip"] = message("liquor_slip_unknown", number=clean["slip"])
    return errors


def _items(lines: list[SlipLine]) -> list[dict[str, Any]]:
    out = []
    for line in lines:
        product = product_of_lot(line.lot)
        info: LiquorProduct = product.liquor
        item: dict[str, Any] = {
            "epcClass": line.lot,
            "name": product.name,
            "quantity": entry.number(line.quantity),
            "uom": "H87",
            "unitPrice": entry.number(line.unit_price),
            "origin": info.origin,
            "lot": _lot_number(line.lot),
        }
        out.append(item)
    return out


def _allocate_slip(*, prefecture: str, year: int) -> tuple[str, int]:
    last = LiquorSlip.objects.filter(prefecture=prefecture, year=year).aggregate(m=Max("sequence"))["m"]
    sequence = 1 if last is None else last + 1
    if sequence > 99999:
        raise StepRefused({0: [refusal("location", message("liquor_slips_exhausted"))]})
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
    raise StepRefused({0: [refusal("location", message("liquor_slip_unallocated"))]})


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
            {"epcClass": clean["lot"], "quantity": entry.number(clean["quantity"]), "uom": "H87"}
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
            {"epcClass": clean["lot"], "quantity": entry.number(clean["quantity"]), "uom": "H87"}
        ]
        place(event, step_spec, location)
        if step == "retail" and clean.get("unit_price") is not None:
            event["tracehub:unitPrice"] = entry.number(clean["unit_price"])
    else:  # pragma: no cover - LIQUOR_INPUTS and this function list the same steps
        raise KeyError(step)
    return finish(event), extra


def liquor_slips_receive(*, numbers: Sequence[str], audit: Mapping[str, Any] | None = None) -> int:
    """Mark accompanying slips received (已收货); with ``audit`` (the actor's audit keywords), one
    audit row per slip that changed. Returns how many changed."""
    changed = list(
        LiquorSlip.objects.filter(number__in=list(numbers))
        .exclude(status=LiquorSlipStatus.RECEIVED)
        .values_list("pk", "number")
    )
    if not changed:
        return 0
    LiquorSlip.objects.filter(pk__in=[pk for pk, _n in changed]).update(status=LiquorSlipStatus.RECEIVED)
    if audit is not None:
        for pk, number in changed:
            audit_record(
                **audit,
                action="sectors.liquor.slip.received",
                object_type="sectors.LiquorSlip",
                object_id=str(pk),
                after={"number": number, "status": LiquorSlipStatus.RECEIVED},
            )
    return len(changed)


def liquor_receipts_captured(*, batch: CaptureBatch) -> int:
    """Capture hook of the liquor profile (G3): a retail receipt quoting its accompanying slip, by
    any capture path (a shop's own system over EPCIS as well as the entry form), marks the slip
    received. The entry marks it in its own transaction already; here that is a no-op."""
    numbers = []
    for hooked in batch.events:
        for item in hooked.event.get("bizTransactionList") or ():
            uri = item.get("bizTransaction") if isinstance(item, dict) else None
            if isinstance(uri, str) and uri.startswith(liquor.SLIP_PREFIX):
                numbers.append(uri[len(liquor.SLIP_PREFIX) :])
    return liquor_slips_receive(numbers=numbers, audit={"actor_client": batch.client}) if numbers else 0


def _liquor_after(*, actor: Actor, step: str, clean: dict[str, Any], result: StepResult) -> None:
    # The entry's answer shows the slip received at once (the capture hook repeats it, a no-op).
    if step == "receiving" and result.captured:
        liquor_slips_receive(numbers=[clean["slip"]])


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
