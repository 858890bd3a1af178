"""Writes of the imported-food subsystem (G6): its step entries (registered with
``entry.register_sector_entry``), foreign producers, the import record kept at the importer's receipt, and the
retention rule on deletion requests.

**Retention (记录保存期限).** Import and sales records are kept at least 6 months past the end of the
food's shelf life, or at least 2 years (from the entry date) for food without one (食品安全法 第七
十九条, 进口食品进出口商备案管理规定). :func:`import_record_delete` refuses any deletion request
before ``retain_until`` and says why; the events themselves are immutable and are never deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tracehub.accounts.services import audit_record
from tracehub.identifiers import IdentifierError, canonical_key
from tracehub.registry.actors import Actor
from tracehub.registry.models import Party, Product
from tracehub.sectors.entry import (
    CHINA,
    Input,
    InputErrors,
    StepEntry,
    doc,
    ext,
    make_event,
    number,
    party_uri,
    register_sector_entry,
    seller_of,
)
from tracehub.sectors.messages import define, message
from tracehub.sectors.models_import import ForeignProducer, ImportRecord
from tracehub.sectors.profiles import import_food as profile
from tracehub.sectors.services_drug import DrugRecordInvalid

SECTOR = profile.SECTOR
#: Retention: 6 months (taken as 183 days) past the shelf life, else 2 years from entry.
RETENTION_PAST_SHELF_LIFE_MONTHS = 6
RETENTION_WITHOUT_SHELF_LIFE_YEARS = 2

_LOCATION = Input("location", "场所", "location", "location", help_zh="场所标识（SGLN 或平台节点）")
_TIME = Input("time", "时间", "time", "time", required=False, help_zh="留空为当前时间；格式 2026-11-16 08:30")
_GOODS = Input(
    "goods",
    "货物（箱、单品或批次）",
    "goods (cases, items or lots)",
    "codes",
    help_zh="SSCC、SGTIN 或 LGTIN；多个以逗号分隔",
)
_DECLARATION = Input("declaration", "报关单号", "customs declaration no.", "declaration", help_zh="18 位")
_INSPECTION = Input(
    "inspection_certificate", "入境货物检验检疫证明编号", "inspection and quarantine certificate no.", "doc"
)
_HEALTH = Input("health_certificate", "官方卫生证书编号", "official health certificate no.", "doc")


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def retain_until(*, production_date: dt.date, shelf_life_days: int | None, entry_date: dt.date) -> dt.date:
    """The first day an import record may be deleted."""
    if shelf_life_days:
        return add_months(
            production_date + dt.timedelta(days=shelf_life_days), RETENTION_PAST_SHELF_LIFE_MONTHS
        )
    return add_months(entry_date, 12 * RETENTION_WITHOUT_SHELF_LIFE_YEARS)


# -- the steps --------------------------------------------------------------------------------------


def _route(source: Party, destination: Party) -> dict[str, Any]:
    return {
        "sourceList": [{"type": "owning_party", "source": party_uri(source)}],
        "destinationList": [{"type": "owning_party", "destination": party_uri(destination)}],
    }


def _build_shipping(clean):
    body = {"epcList": clean["goods"], **_route(seller_of(clean["location"]), clean["buyer"])}
    if clean.get("invoice"):
        body["bizTransactionList"] = [doc("sales_invoice", clean["invoice"])]
    return make_event(SECTOR, "shipping", clean, body, biz_location=False)


def _build_inspection(clean):
    body = {
        "epcList": clean["goods"],
        "bizTransactionList": [
            doc("entry_inspection_certificate", clean["inspection_certificate"]),
            doc("export_health_certificate", clean["health_certificate"]),
        ],
        ext("inspectionConclusion"): "pass",
    }
    return make_event(SECTOR, "import_inspection", clean, body)


def _build_clearance(clean):
    body = {
        "epcList": clean["goods"],
        "bizTransactionList": [
            {
                "type": "urn:tracehub:cbv:btt:customs_declaration",
                "bizTransaction": f"urn:tracehub:doc:customs_declaration:{clean['declaration']}",
            },
            doc("entry_inspection_certificate", clean["inspection_certificate"]),
        ],
    }
    return make_event(SECTOR, "customs_clearance", clean, body, biz_location=False)


def _build_import_receiving(clean):
    importer = seller_of(clean["location"])
    body = {
        "epcList": clean["goods"],
        "quantityList": [
            {"epcClass": clean["lot_class"], "quantity": number(clean["quantity"]), "uom": clean["unit"]}
        ],
        **_route(clean["exporter"], importer),
        "bizTransactionList": [
            {
                "type": "urn:tracehub:cbv:btt:customs_declaration",
                "bizTransaction": f"urn:tracehub:doc:customs_declaration:{clean['declaration']}",
            },
            doc("entry_inspection_certificate", clean["inspection_certificate"]),
            doc("export_health_certificate", clean["health_certificate"]),
            doc("import_contract", clean["contract"]),
        ],
        ext("originCountry"): clean["origin_country"],
        ext("exportingCountry"): clean["exporting_country"],
        ext("foreignProducer"): clean["producer"],
        ext("portOfEntry"): clean["port_of_entry"],
        ext("entryDate"): clean["entry_date"],
        ext("lotNumber"): clean["lot"],
        ext("productionDate"): clean["production_date"],
        ext("declaredValue"): number(clean["value"]),
        ext("brand"): clean["brand"],
        ext("specification"): clean["specification"],
        ext("productName"): clean["name"],
    }
    if clean.get("shelf_life_days"):
        body[ext("shelfLifeDays")] = clean["shelf_life_days"]
    return make_event(SECTOR, "import_receiving", clean, body)


def _product_of(lot_class: str) -> Product | None:
    try:
        key = canonical_key(lot_class)
    except IdentifierError:
        return None
    if key.startswith("01/"):
        return Product.objects.filter(gtin=key.split("/")[1]).first()
    return None


def _keep_import_record(*, actor: Actor, clean: Mapping[str, Any], event: dict[str, Any], captured: bool):
    """After the importer's receipt is captured: keep its import record (进口记录), once per lot."""
    importer = seller_of(clean["location"])
    lot_key = canonical_key(clean["lot_class"])
    existing = ImportRecord.objects.filter(declaration_number=clean["declaration"], lot_key=lot_key).first()
    if existing is not None:
        if existing.event_id != event["eventID"]:
            raise InputErrors(
                {
                    "declaration": message(
                        "import_lot_recorded", lot=clean["lot_class"], declaration=clean["declaration"]
                    )
                }
            )
        return {"importRecord": existing.pk}
    producer = ForeignProducer.objects.get(registration_number=clean["producer"].upper())
    production = dt.date.fromisoformat(clean["production_date"])
    entry_date = dt.date.fromisoformat(clean["entry_date"])
    record = ImportRecord.objects.create(
        importer=importer,
        product=_product_of(clean["lot_class"]),
        name=clean["name"],
        brand=clean["brand"],
        specification=clean["specification"],
        quantity=clean["quantity"],
        unit=clean["unit"],
        value=clean["value"],
        lot=clean["lot"],
        lot_key=lot_key,
        objects_received=[canonical_key(g) for g in clean["goods"]],
        production_date=production,
        shelf_life_days=clean.get("shelf_life_days"),
        origin_country=clean["origin_country"],
        exporting_country=clean["exporting_country"],
        producer=producer,
        exporter=clean["exporter"],
        contract_number=clean["contract"],
        port_of_entry=clean["port_of_entry"],
        declaration_number=clean["declaration"],
        inspection_certificate=clean["inspection_certificate"],
        health_certificate=clean["health_certificate"],
        entry_date=entry_date,
        storage=clean["location"],
        event_id=event["eventID"],
        retain_until=retain_until(
            production_date=production, shelf_life_days=clean.get("shelf_life_days"), entry_date=entry_date
        ),
    )
    audit_record(
        **actor.audit,
        action="sectors.import_food.record_create",
        object_type="sectors.ImportRecord",
        object_id=str(record.pk),
        after={
            "lot": record.lot_key,
            "declaration": record.declaration_number,
            "retainUntil": record.retain_until.isoformat(),
        },
        party_ref=importer.pk,
    )
    return {"importRecord": record.pk}


def _build_receiving(clean):
    body = {"epcList": clean["goods"], **_route(clean["supplier"], seller_of(clean["location"]))}
    return make_event(SECTOR, "receiving", clean, body)


def _build_retail(clean):
    return make_event(SECTOR, "retail", clean, {"epcList": clean["goods"]})


IMPORT_ENTRIES = [
    register_sector_entry(
        StepEntry(
            SECTOR,
            "shipping",
            (
                _LOCATION,
                Input("buyer", "收货方", "consignee", "party", help_zh="统一社会信用代码或主体标识"),
                _GOODS,
                Input("invoice", "销售单号", "sales invoice no.", "doc", required=False),
                _TIME,
            ),
            _build_shipping,
        )
    ),
    register_sector_entry(
        StepEntry(
            SECTOR,
            "import_inspection",
            (_LOCATION, _GOODS, _INSPECTION, _HEALTH, _TIME),
            _build_inspection,
        )
    ),
    register_sector_entry(
        StepEntry(
            SECTOR,
            "customs_clearance",
            (_LOCATION, _GOODS, _DECLARATION, _INSPECTION, _TIME),
            _build_clearance,
        )
    ),
    register_sector_entry(
        StepEntry(
            SECTOR,
            "import_receiving",
            (
                Input("location", "存放地点", "storage", "location", help_zh="进口商仓库"),
                Input(
                    "exporter",
                    "境外出口商",
                    "foreign exporter",
                    "party",
                    help_zh="已备案境外出口商的主体标识",
                ),
                _GOODS,
                Input(
                    "lot_class",
                    "批次标识",
                    "lot identifier",
                    "lot",
                    help_zh="LGTIN（EPC URN 或 Digital Link）",
                ),
                Input("name", "品名", "product name", "text"),
                Input("brand", "品牌", "brand", "text"),
                Input("specification", "规格", "specification", "text"),
                Input("quantity", "数量", "quantity", "number"),
                Input(
                    "unit",
                    "单位",
                    "unit",
                    "choice",
                    choices=("H87", "KGM", "LTR", "CT"),
                    help_zh="H87 件/瓶/罐，KGM 千克",
                ),
                Input("value", "货值（元）", "value (CNY)", "number"),
                Input("lot", "批号", "lot number", "text"),
                Input("production_date", "生产日期", "production date", "date"),
                Input(
                    "shelf_life_days",
                    "保质期（天）",
                    "shelf life (days)",
                    "days",
                    required=False,
                    help_zh="无保质期不填",
                ),
                Input(
                    "origin_country", "原产国", "country of origin", "country", help_zh="两位国家代码，如 FR"
                ),
                Input("exporting_country", "输出国家/地区", "exporting country", "country"),
                Input("producer", "境外生产企业在华注册编号", "foreign producer's registration no.", "text"),
                Input("contract", "合同号", "contract no.", "doc"),
                Input("port_of_entry", "入境口岸", "port of entry", "text"),
                _DECLARATION,
                _INSPECTION,
                _HEALTH,
                Input("entry_date", "入境日期", "entry date", "date"),
                _TIME,
            ),
            _build_import_receiving,
            after=_keep_import_record,
        )
    ),
    register_sector_entry(
        StepEntry(
            SECTOR,
            "receiving",
            (_LOCATION, Input("supplier", "供货方", "supplier", "party"), _GOODS, _TIME),
            _build_receiving,
        )
    ),
    register_sector_entry(StepEntry(SECTOR, "retail", (_LOCATION, _GOODS, _TIME), _build_retail)),
]


# -- foreign producers and the retention rule -------------------------------------------------------


def foreign_producer_create(
    *,
    actor: Actor,
    registration_number: str,
    name: str,
    country: str,
    name_zh: str = "",
    address: str = "",
    products: str = "",
    valid_until: dt.date | None = None,
) -> ForeignProducer:
    """Record a foreign producer registered with China Customs (在华注册): by customs officials,
    importers or the platform."""
    if not (actor.sees_all or actor.acts_for_party or (actor.oversees and SECTOR in actor.sectors)):
        raise PermissionDenied(_("You may not record foreign producers."))
    errors: dict[str, str] = {}
    number_ = (registration_number or "").strip().upper()
    if not number_ or len(number_) > 40:
        errors["registration_number"] = message("import_registration_required")
    elif ForeignProducer.objects.filter(registration_number=number_).exists():
        errors["registration_number"] = message("import_registration_taken")
    if not (name or "").strip():
        errors["name"] = message("drug_required")
    country = (country or "").strip().upper()
    if len(country) != 2 or not country.isalpha() or country == "CN":
        errors["country"] = message("import_country_foreign")
    if errors:
        raise DrugRecordInvalid(errors)
    with transaction.atomic():
        producer = ForeignProducer.objects.create(
            registration_number=number_,
            name=name.strip(),
            name_zh=name_zh,
            country=country,
            address=address,
            products=products,
            valid_until=valid_until,
        )
        audit_record(
            **actor.audit,
            action="sectors.import_food.producer_create",
            object_type="sectors.ForeignProducer",
            object_id=str(producer.pk),
            after={"registration_number": number_, "country": country},
        )
    return producer


#: The import records' messages (tracehub.sectors.messages: English to clients, translated on pages).
MESSAGES = define(
    {
        "import_registration_required": gettext_noop(
            "the China registration number (在华注册编号) is required"
        ),
        "import_registration_taken": gettext_noop("another producer has this registration number"),
        "import_country_foreign": gettext_noop("a foreign ISO 3166-1 two-letter code"),
        "import_lot_recorded": gettext_noop("lot %(lot)s of declaration %(declaration)s is already recorded"),
        "import_retention_shelf_life": gettext_noop(
            "import record %(record)s (%(name)s, lot %(lot)s) must be kept until %(until)s: "
            "6 months past the end of its shelf life (%(expiry)s)"
        ),
        "import_retention_entry": gettext_noop(
            "import record %(record)s (%(name)s, lot %(lot)s) must be kept until %(until)s: "
            "2 years from entry (%(entry)s) for food without a shelf life"
        ),
    }
)


class RetentionRefused(Exception):
    """A deletion request inside the retention period: ``reason`` says until when and why."""

    def __init__(self, reason: str, *, retain_until: dt.date) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retain_until = retain_until


def import_record_delete(
    *, actor: Actor, record: ImportRecord, reason: str, today: dt.date | None = None
) -> None:
    """Delete an import record on request — only after its retention period (the record's lot
    stays traceable through its immutable events either way). Refused with the reason before."""
    if not (actor.sees_all or actor.party_id == record.importer_id):
        raise PermissionDenied(_("Only the importer asks to delete its import records."))
    today = today or timezone.now().astimezone(CHINA).date()
    if today < record.retain_until:
        if record.shelf_life_days:
            why = message(
                "import_retention_shelf_life",
                record=record.pk,
                name=record.name,
                lot=record.lot,
                until=record.retain_until,
                expiry=record.expiry_date,
            )
        else:
            why = message(
                "import_retention_entry",
                record=record.pk,
                name=record.name,
                lot=record.lot,
                until=record.retain_until,
                entry=record.entry_date,
            )
        raise RetentionRefused(why, retain_until=record.retain_until)
    with transaction.atomic():
        before = {
            "lot": record.lot_key,
            "declaration": record.declaration_number,
            "eventID": record.event_id[:200],
            "retainUntil": record.retain_until.isoformat(),
        }
        pk, importer = record.pk, record.importer_id
        record.delete()
        audit_record(
            **actor.audit,
            action="sectors.import_food.record_delete",
            object_type="sectors.ImportRecord",
            object_id=str(pk),
            before=before,
            after={"reason": reason[:500]},
            party_ref=importer,
        )
