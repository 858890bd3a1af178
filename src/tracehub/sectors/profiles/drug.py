# ruff: noqa: E501 - bilingual data-standard texts, kept one per line
"""Drugs and medical devices (药品与医疗器械, G2; 市场监督管理局): the sector profile.

Every sales pack carries its own code — a 20-digit drug trace code (药品追溯码,
``urn:tracehub:code:drug:<20 digits>``) or a GS1 SGTIN (AIs 01 + 21, with 17 expiry and 10 lot in
the ILMD), a medical device its UDI (GS1 DI + PI). Packs are commissioned with their lot and expiry
(赋码), aggregated pack → carton → case (包装关联, AggregationEvents), shipped and received only
between licensed parties (发货/收货: a shipment or receipt naming a destination without a valid drug
licence is refused), unpacked at the pharmacy, and dispensed (销售/使用: retail sale at a pharmacy or
use in a hospital), which closes the code.

A code dispensed twice is **accepted and flagged**: the second dispensing is stored and a
double-dispensing alert (重复核销预警) is stored with it and sent to the drug bureau. Refusing it
would drop the evidence — a second dispensing is what a copied or reused code looks like in the
field, and the pack has already left the pharmacy; the bureau needs the record to investigate.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_noop

from tracehub.epcis.profiles import CaptureBatch, ProfileError, register_capture_hook
from tracehub.identifiers import IdentifierError
from tracehub.identifiers.platform import parse_platform_uri
from tracehub.sectors.messages import define, profile_error
from tracehub.sectors.profile import (
    CheckContext,
    Field,
    FieldKind,
    Profile,
    Rule,
    Step,
    iso_date,
    registry,
    short_text,
)

SECTOR = "drug"
DRUG_CODE_PREFIX = "urn:tracehub:code:drug:"
#: How a dispensing closes a code: retail sale at a pharmacy, or use in a hospital.
DISPENSE_TYPES = ("retail", "hospital_use")
DISPENSE_TYPE_LABELS = {"retail": ("零售", "retail sale"), "hospital_use": ("医疗机构使用", "hospital use")}


def _pack_code(key: str) -> bool:
    """A sales pack's canonical key: an SGTIN (01/<GTIN>/21/<serial>) or a 20-digit drug trace code."""
    if key.startswith("01/") and "/21/" in key:
        return True
    if key.startswith(DRUG_CODE_PREFIX):
        try:
            return parse_platform_uri(key) is not None
        except IdentifierError:
            return False
    return False


# -- fields (采集指标) ------------------------------------------------------------------------------
PACKS = Field(
    "packs",
    "药品追溯码/单品码",
    "pack codes",
    FieldKind.OBJECTS,
    public=True,
    note_zh="20 位药品追溯码（urn:tracehub:code:drug:…）或 GS1 SGTIN（AI 01 + 21）；医疗器械为 UDI（DI + PI）",
    note_en="20-digit drug trace codes (urn:tracehub:code:drug:…) or GS1 SGTINs (AIs 01 + 21); devices by UDI (DI + PI)",
)
UNITS = Field(
    "units",
    "药品（单品、中包或箱）",
    "packs, cartons or cases",
    FieldKind.OBJECTS,
    note_zh="单品码、中包或箱的 SSCC",
    note_en="pack codes, or the SSCCs of cartons and cases",
)
LOT = Field(
    "lot",
    "生产批号",
    "lot number",
    FieldKind.ILMD,
    "cbvmda:lotNumber",
    public=True,
    validator=short_text,
    note_zh="GS1 AI (10)",
    note_en="GS1 AI (10)",
)
EXPIRY = Field(
    "expiry",
    "有效期至",
    "expiry date",
    FieldKind.ILMD,
    "cbvmda:itemExpirationDate",
    public=True,
    validator=iso_date,
    note_zh="GS1 AI (17)",
    note_en="GS1 AI (17)",
)
PRODUCTION_DATE = Field(
    "production_date",
    "生产日期",
    "production date",
    FieldKind.ILMD,
    "productionDate",
    required=False,
    public=True,
    validator=iso_date,
)
PARENT = Field(
    "parent",
    "上级包装（中包/箱）",
    "parent (carton or case)",
    FieldKind.CORE,
    "parentID",
    note_zh="中包或箱的 SSCC（或其追溯码）",
    note_en="the SSCC (or code) of the carton or case",
)
SITE = Field(
    "site", "场所", "site", FieldKind.CORE, "bizLocation.id", public=True, note_zh="场所 SGLN 或平台节点 URI"
)
READ_POINT = Field("read_point", "发货地点", "shipping point", FieldKind.CORE, "readPoint.id")
SELLER = Field(
    "seller",
    "发货方",
    "consignor",
    FieldKind.SOURCE,
    "owning_party",
    note_zh="持证药品企业的 PGLN 或平台主体 URI",
)
RECEIVER = Field(
    "receiver",
    "收货方",
    "consignee",
    FieldKind.DESTINATION,
    "owning_party",
    note_zh="须持有效药品生产/经营许可证或医疗机构执业许可证",
    note_en="must hold a valid drug manufacturing or distribution licence, or a medical institution licence",
)
INVOICE = Field(
    "invoice", "随货同行单/发票", "delivery note or invoice", FieldKind.TRANSACTION, "inv", required=False
)
DISPENSE_TYPE = Field(
    "dispense_type",
    "核销方式",
    "dispensing type",
    FieldKind.EXTENSION,
    "dispenseType",
    required=False,
    values=DISPENSE_TYPES,
    note_zh="retail 零售；hospital_use 医疗机构使用",
    note_en="retail sale, or use in a hospital",
)


# -- rules --------------------------------------------------------------------------------------
def _event_day(ctx: CheckContext) -> dt.date:
    return ctx.normalized.event_time.astimezone(dt.timezone(dt.timedelta(hours=8))).date()


def pack_codes(ctx: CheckContext) -> list[ProfileError]:
    """赋码/核销: every object is a sales pack code (drug trace code or SGTIN)."""
    wrong = [k for k in ctx.index("epc") if not _pack_code(k)]
    return [profile_error("epcList", "pack_codes", key=key, prefix=DRUG_CODE_PREFIX) for key in wrong]


def licensed_receiver(ctx: CheckContext) -> list[ProfileError]:
    """发货/收货: the destination party holds a valid drug licence on the day of the event."""
    from tracehub.sectors.selectors_drug import drug_licence_holders, party_for_key

    errors = []
    day = _event_day(ctx)
    receivers = ctx.index("destination", "owning_party")
    parties = {key: party_for_key(key) for key in receivers}
    licensed = drug_licence_holders([p.pk for p in parties.values() if p is not None], day=day)
    for key, party in parties.items():
        if party is None:
            errors.append(profile_error("destinationList", "licensed_receiver:unfiled", key=key))
        elif party.pk not in licensed:
            errors.append(
                profile_error("destinationList", "licensed_receiver", party=party.name, key=key, day=day)
            )
    return errors


def double_dispensing(ctx: CheckContext) -> list[ProfileError]:
    """销售/使用: a code dispensed before raises a double-dispensing alert (the event is kept).

    Nothing is refused, so there is nothing to check here: the alert is raised by the capture hook
    below once the capture has committed — only then are all of its dispensings stored, so two
    dispensings of one code in one document are caught as well as across documents (G2)."""
    return []


def _dispensing_captured(batch: CaptureBatch) -> None:
    from tracehub.sectors.services_drug import dispensing_alerts_raise

    dispensing_alerts_raise(batch=batch)


register_capture_hook(_dispensing_captured, biz_steps=("dispensing",))


#: The rules' messages (tracehub.sectors.messages: translated on pages, English to clients).
MESSAGES = define(
    {
        "pack_codes": gettext_noop(
            "%(key)s is not a drug pack code: packs are coded and dispensed by 20-digit drug trace code "
            "(%(prefix)s<20 digits>) or GS1 SGTIN (01 + 21)"
        ),
        "licensed_receiver:unfiled": gettext_noop(
            "destination %(key)s is not a party filed on the platform: drugs are shipped only to "
            "parties holding a valid drug licence"
        ),
        "licensed_receiver": gettext_noop(
            "destination %(party)s (%(key)s) holds no valid drug manufacturing or distribution "
            "licence (药品生产/经营许可证) or medical institution licence on %(day)s: drugs "
            "are shipped and received only between licensed parties"
        ),
    }
)

PACK_CODES = Rule(
    "pack_codes",
    "赋码与核销的对象须为药品单品码：20 位药品追溯码或 GS1 SGTIN",
    "commissioned and dispensed objects are drug pack codes: 20-digit drug trace codes or GS1 SGTINs",
    pack_codes,
)
LICENSED_RECEIVER = Rule(
    "licensed_receiver",
    "发货、收货只在持证主体之间：收货方须在事件当日持有效的药品生产/经营许可证或医疗机构执业许可证，否则拒收并指明收货方",
    "shipping and receiving only between licensed parties: the destination must hold a valid drug manufacturing "
    "or distribution licence, or a medical institution licence, on the day; otherwise the event is refused naming it",
    licensed_receiver,
)
DOUBLE_DISPENSING = Rule(
    "double_dispensing",
    "同一追溯码再次核销（销售/使用）时，事件照常保存，同时生成重复核销预警并通知药品监管部门",
    "a code dispensed a second time is stored, and a double-dispensing alert is stored and sent to the drug bureau",
    double_dispensing,
)

PROFILE = registry.register(
    Profile(
        sector=SECTOR,
        zh="药品与医疗器械",
        en="Drugs and medical devices",
        requirements=("G2",),
        department="amr",
        note_zh=(
            "市场监管局药品追溯：生产企业（上市许可持有人）赋码并逐级包装关联，经批发企业发往药店与医疗机构，"
            "零售或使用时核销。发货、收货只在持证主体之间；同一追溯码重复核销时保存事件并预警"
            "（不拒收：第二次核销正是假冒、复用追溯码的证据，监管部门须据此核查）。"
        ),
        note_en=(
            "The market supervision bureau's drug traceability: the manufacturer (marketing authorisation "
            "holder) codes every pack and aggregates packs into cartons and cases; wholesalers ship to "
            "pharmacies and hospitals, where a pack is dispensed (sold or used), closing its code. Shipping "
            "and receiving only between licensed parties; a code dispensed twice is stored and flagged, not "
            "refused (the second dispensing is the evidence of a copied or reused code the bureau acts on)."
        ),
        codes=(
            (
                "urn:tracehub:code:drug:",
                "20 位药品追溯码（7 位药品标识码 + 9 位序列号 + 4 位校验）",
                "20-digit drug trace code",
            ),
            (
                "SGTIN",
                "GS1 药品单品码：AI 01 + 21，AI 17 有效期与 10 批号记入 ILMD",
                "GS1 drug pack: AIs 01 + 21; 17 and 10 in ILMD",
            ),
            ("SSCC", "中包与箱（物流单元）", "cartons and cases (logistic units)"),
            (
                "UDI",
                "医疗器械唯一标识：DI（GTIN）+ PI（AI 11/17/10/21）",
                "medical device UDI: DI (GTIN) + PI (AIs 11/17/10/21)",
            ),
        ),
        steps=(
            Step(
                "commissioning",
                "赋码",
                "commissioning",
                "commissioning",
                ("ObjectEvent",),
                (PACKS, LOT, EXPIRY, PRODUCTION_DATE),
                rules=(PACK_CODES,),
                disposition="active",
                note_zh="生产企业在包装线上为每个销售包装赋码，记录批号与有效期",
                note_en="the manufacturer codes each sales pack on the packaging line, with lot and expiry",
            ),
            Step(
                "packing",
                "包装关联",
                "packing (pack → carton → case)",
                "packing",
                ("AggregationEvent",),
                (PARENT, UNITS),
                disposition="in_progress",
                note_zh="单品装入中包、中包装入箱，逐级关联",
                note_en="packs into cartons, cartons into cases, one level at a time",
            ),
            Step(
                "shipping",
                "发货",
                "shipping",
                "shipping",
                ("ObjectEvent",),
                (UNITS, READ_POINT, SELLER, RECEIVER, INVOICE),
                rules=(LICENSED_RECEIVER,),
                disposition="in_transit",
                note_zh="收货方无有效药品许可证时拒收，并指明收货方",
                note_en="refused, naming the destination, when it holds no valid drug licence",
            ),
            Step(
                "receiving",
                "收货",
                "receiving",
                "receiving",
                ("ObjectEvent",),
                (UNITS, SITE, SELLER, RECEIVER, INVOICE),
                rules=(LICENSED_RECEIVER,),
                disposition="sellable_not_accessible",
            ),
            Step(
                "unpacking",
                "拆包",
                "unpacking",
                "unpacking",
                ("AggregationEvent",),
                (PARENT, SITE),
                disposition="sellable_accessible",
            ),
            Step(
                "dispensing",
                "销售/使用（核销）",
                "dispensing (sale or use)",
                "dispensing",
                ("ObjectEvent",),
                (PACKS, SITE, DISPENSE_TYPE),
                rules=(PACK_CODES, DOUBLE_DISPENSING),
                disposition="dispensed",
                note_zh="药店零售或医疗机构使用，追溯码随之关闭；重复核销保存并预警",
                note_en="retail sale at a pharmacy or use in a hospital closes the code; a second one is stored and flagged",
            ),
        ),
    )
)
