"""Writes of the drug subsystem (G2), and the step entries of the G2/G6 sectors.

**Step entry.** The drug steps are registered with the framework's entry registry
(``tracehub.sectors.entry.register_sector_entry``: :class:`StepEntry` — the step's inputs, a builder
of its EPCIS event made with ``entry.make_event``) and recorded by the one entry service
``tracehub.sectors.services.steps_record``, which the phone form, the Excel import and the API all
call, as for every other sector.

**Drug records.** Drug information of products, medical institution licences, enforcement cases,
and the double-dispensing alerts raised after a dispensing is captured, by any path (the capture
hook of ``profiles.drug``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tracehub.accounts.services import audit_record, notification_send
from tracehub.epcis.models import EventIndex
from tracehub.epcis.profiles import CaptureBatch
from tracehub.identifiers import IdentifierError
from tracehub.registry.actors import Actor
from tracehub.registry.capture import SectorResolver
from tracehub.registry.models import Party, Product
from tracehub.sectors import services
from tracehub.sectors.entry import (
    Input,
    StepEntry,
    ext,
    make_event,
    party_uri,
    register_sector_entry,
    seller_of,
)
from tracehub.sectors.messages import define, message
from tracehub.sectors.models_drug import (
    DispensingAlert,
    DrugCase,
    DrugCaseStatus,
    DrugInfo,
    DrugKind,
    MedicalLicence,
)
from tracehub.sectors.profiles import drug as drug_profile

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
    register_sector_entry(
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
    register_sector_entry(
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
    register_sector_entry(
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
    register_sector_entry(
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
    register_sector_entry(
        StepEntry(
            SECTOR,
            "unpacking",
            (_LOCATION, Input("parent", "拆开的中包/箱码", "carton or case opened", "lot"), _TIME),
            _build_unpacking,
        )
    ),
    register_sector_entry(
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


#: The drug records' messages (tracehub.sectors.messages: English to clients, translated on pages).
MESSAGES = define(
    {
        "drug_approval_number": gettext_noop(
            "国药准字 + H, Z, S or J + 8 digits is required (e.g. 国药准字H35021187)"
        ),
        "drug_device_certificate": gettext_noop("the device registration certificate number is required"),
        "drug_standard_code": gettext_noop("a drug standard code (本位码) is 86 followed by 12 digits"),
        "drug_identification_code": gettext_noop("a drug identification code (药品标识码) is 7 digits"),
        "drug_one_of": gettext_noop("one of %(choices)s"),
        "drug_required": gettext_noop("required"),
        "drug_package_levels": gettext_noop(
            "a list of levels, sales pack first, each {level, unit, contains}"
        ),
        "drug_licence_number_taken": gettext_noop("another licence has this number"),
        "drug_before_valid_from": gettext_noop("before valid_from"),
        "drug_case_number_taken": gettext_noop("another case has this number"),
        "drug_case_decision": gettext_noop("a decided or closed case names its decision"),
        "drug_penalty": gettext_noop("a number ≥ 0 (CNY)"),
        "drug_date": gettext_noop("a date"),
    }
)


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
        errors["approval_number"] = message("drug_approval_number")
    elif kind == DrugKind.DEVICE and not approval_number:
        errors["approval_number"] = message("drug_device_certificate")
    if standard_code and not STANDARD_CODE.match(standard_code):
        errors["standard_code"] = message("drug_standard_code")
    if drug_code and not re.fullmatch(r"\d{7}", drug_code):
        errors["drug_code"] = message("drug_identification_code")
    if kind not in DrugKind.values:
        errors["kind"] = message("drug_one_of", choices=", ".join(DrugKind.values))
    if kind == DrugKind.DEVICE:
        from tracehub.identifiers.udi import parse_udi_di

        try:
            udi_di = parse_udi_di(udi_di)
        except IdentifierError as exc:
            errors["udi_di"] = str(exc)
    for name, value in (("dosage_form", dosage_form), ("strength", strength)):
        if not (value or "").strip():
            errors[name] = message("drug_required")
    if (
        not isinstance(package_levels, list)
        or not package_levels
        or not all(isinstance(level, dict) and level.get("level") for level in package_levels)
    ):
        errors["package_levels"] = message("drug_package_levels")
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
        errors["number"] = message("drug_required")
    elif MedicalLicence.objects.filter(number=number.strip()).exists():
        errors["number"] = message("drug_licence_number_taken")
    if valid_from and valid_until and valid_until < valid_from:
        errors["valid_until"] = message("drug_before_valid_from")
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
        errors["number"] = message("drug_required")
    elif DrugCase.objects.filter(number=number.strip()).exists():
        errors["number"] = message("drug_case_number_taken")
    if not (violation or "").strip():
        errors["violation"] = message("drug_required")
    if status not in DrugCaseStatus.values:
        errors["status"] = message("drug_one_of", choices=", ".join(DrugCaseStatus.values))
    elif status != DrugCaseStatus.OPEN and not (decision or "").strip():
        errors["decision"] = message("drug_case_decision")
    try:
        amount = Decimal(str(penalty))
        if not amount.is_finite() or amount < 0:
            raise InvalidOperation
    except InvalidOperation:
        errors["penalty"] = message("drug_penalty")
        amount = Decimal(0)
    if not isinstance(opened_on, dt.date):
        errors["opened_on"] = message("drug_date")
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
    return services.sector_officials(SECTOR)


DISPENSING_MESSAGE = gettext_noop("Drug code %(code)s was dispensed a second time at %(location)s: check it.")


def dispensing_alerts_raise(*, batch: CaptureBatch) -> list[DispensingAlert]:
    """Capture hook of the drug profile (G2 "a code dispensed twice raises an alert"), run after
    every committed capture that stored dispensing events, whatever the path (raw EPCIS, the
    worker, an entry): for each code of a drug dispensing already dispensed by a live event stored
    before it — in an earlier document or earlier in the same one — store a double-dispensing alert
    and notify the drug bureau's officials. A document sent again stores nothing, so raises
    nothing; alerts are unique per (code, second event). One query for the whole batch when no code
    was dispensed before."""
    from tracehub.sectors.selectors_drug import g2_tables_ready

    if not g2_tables_ready():
        return []
    resolver = SectorResolver()
    dispensings = [
        e
        for e in batch.events
        if SECTOR in resolver.event_sectors(e.normalized) and any(x.role == "epc" for x in e.normalized.index)
    ]
    codes = {x.key for e in dispensings for x in e.normalized.index if x.role == "epc"}
    if not codes:
        return []
    rows = (
        EventIndex.objects.filter(
            key__in=codes, role="epc", event__biz_step="dispensing", event__error_declared=False
        )
        .order_by("event__event_time", "event__event_id")
        .values_list("key", "event__event_id", "event_id")
    )
    by_code: dict[str, list[tuple[str, int]]] = {}
    row_of: dict[str, int] = {}
    for key, event_id, row_id in rows:
        by_code.setdefault(key, []).append((event_id, row_id))
        row_of[event_id] = row_id
    if all(len(found) < 2 for found in by_code.values()):
        return []
    audit = {"actor_client": batch.client}
    alerts: list[DispensingAlert] = []
    for hooked in dispensings:
        this_id = hooked.event_id
        this_row = row_of.get(this_id)
        location = hooked.normalized.biz_location or ""
        raised = []
        for key in dict.fromkeys(x.key for x in hooked.normalized.index if x.role == "epc"):
            first = next((eid for eid, row in by_code.get(key, ()) if this_row and row < this_row), None)
            if first is None:
                continue
            alert, created = DispensingAlert.objects.get_or_create(
                code=key, second_event_id=this_id, defaults={"first_event_id": first, "location": location}
            )
            if not created:
                continue
            raised.append(alert)
            audit_record(
                **audit,
                action="sectors.drug.dispensing_alert",
                object_type="sectors.DispensingAlert",
                object_id=str(alert.pk),
                after={"code": key, "first": first[:200], "second": this_id[:200], "location": location},
            )
        if raised:
            notification_send(
                users=_drug_officials(),
                message=DISPENSING_MESSAGE,
                params={"code": raised[0].code, "location": location},
                link="/console/sectors/drug/alerts/",
            )
        alerts.extend(raised)
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
    "DrugRecordInvalid",
    "drug_case_create",
    "drug_info_set",
    "medical_licence_create",
]
