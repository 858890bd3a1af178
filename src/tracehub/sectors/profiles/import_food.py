# ruff: noqa: E501 - bilingual data-standard texts, kept one per line
"""Imported food (进口食品, G6; 海关): the sector profile.

The cross-border chain, from the foreign exporter's shipment (境外发运, CBV shipping) through the
port: inspection and quarantine (通检, platform bizStep ``import_inspection``) and customs clearance
(通关, platform bizStep ``customs_clearance``); the importer's receipt (进口商收货), which carries the
import record of the lot (进口记录: foreign producer, exporter, contract, port, declaration and
certificates, origin, production date and shelf life); then domestic distribution (CBV shipping and
receiving: the importer's shipments are its import sales records, 销售记录) and retail (CBV
retail_selling). The same objects (cases by SSCC, bottles or tins by SGTIN, lots by LGTIN) join all
of it into one trace.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_noop

from tracehub.epcis.profiles import ProfileError
from tracehub.identifiers import IdentifierError
from tracehub.identifiers.cn_codes import parse_customs_declaration_number
from tracehub.sectors.messages import define, message, profile_error
from tracehub.sectors.profile import (
    CheckContext,
    Field,
    FieldKind,
    Profile,
    Rule,
    Step,
    iso_date,
    non_negative_number,
    platform_step,
    registry,
    short_text,
)

SECTOR = "import_food"
COUNTRY = re.compile(r"^[A-Z]{2}$")


def _declaration(value) -> str | None:
    try:
        parse_customs_declaration_number(value)
    except IdentifierError as exc:
        return str(exc)
    return None


def _country(value) -> str | None:
    if not isinstance(value, str) or not COUNTRY.match(value):
        return message("import_country_required")
    return None


def _shelf_life(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return message("import_shelf_life_required")
    return None


# -- fields (采集指标) ------------------------------------------------------------------------------
GOODS = Field(
    "goods",
    "进口食品（箱、单品或批次）",
    "imported goods (cases, items or lots)",
    FieldKind.OBJECTS,
    public=True,
    note_zh="箱 SSCC、单品 SGTIN 或批次 LGTIN",
    note_en="cases by SSCC, items by SGTIN, lots by LGTIN",
)
LOT_QUANTITY = Field(
    "quantity",
    "数量",
    "quantity",
    FieldKind.QUANTITY,
    note_zh="批次（LGTIN）及其数量与单位",
    note_en="the lot (LGTIN) with quantity and unit",
)
SELLER = Field(
    "seller", "发货方", "consignor", FieldKind.SOURCE, "owning_party", note_zh="境外出口商或进口商、经销商"
)
BUYER = Field("buyer", "收货方", "consignee", FieldKind.DESTINATION, "owning_party")
EXPORTER = Field(
    "exporter",
    "境外出口商",
    "foreign exporter",
    FieldKind.SOURCE,
    "owning_party",
    public=True,
    note_zh="已备案境外出口商的 PGLN 或平台主体 URI",
    note_en="the filed foreign exporter's PGLN or platform party URI",
)
IMPORTER = Field(
    "importer",
    "进口商",
    "importer",
    FieldKind.DESTINATION,
    "owning_party",
    public=True,
    note_zh="须持有效进口商备案（进口食品进口商备案号）",
    note_en="must hold a valid importer filing",
)
PORT_SITE = Field(
    "port_site",
    "口岸查验场所",
    "port inspection site",
    FieldKind.CORE,
    "readPoint.id",
    public=True,
    note_zh="海关监管作业场所的 SGLN",
    note_en="SGLN of the customs-controlled site",
)
STORAGE = Field(
    "storage",
    "存放地点",
    "storage",
    FieldKind.CORE,
    "bizLocation.id",
    note_zh="进口商仓库的 SGLN 或平台节点 URI",
    note_en="the importer's warehouse",
)
SITE = Field("site", "场所", "site", FieldKind.CORE, "bizLocation.id", public=True)
DECLARATION = Field(
    "declaration",
    "报关单号",
    "customs declaration number",
    FieldKind.DOCUMENT,
    "customs_declaration",
    public=True,
    validator=_declaration,
    note_zh="18 位：关区代码 4 + 年份 4 + 进出口标志 1 + 顺序号 9",
    note_en="18 digits: customs office, year, flag, sequence",
)
INSPECTION_CERT = Field(
    "inspection_certificate",
    "入境货物检验检疫证明编号",
    "inspection and quarantine certificate",
    FieldKind.DOCUMENT,
    "entry_inspection_certificate",
    public=True,
)
HEALTH_CERT = Field(
    "health_certificate",
    "出口国官方卫生证书编号",
    "official health certificate",
    FieldKind.DOCUMENT,
    "export_health_certificate",
    public=True,
)
CONTRACT = Field("contract", "贸易合同号", "contract number", FieldKind.DOCUMENT, "import_contract")
RESULT = Field(
    "inspection_result",
    "检验检疫结论",
    "inspection result",
    FieldKind.EXTENSION,
    "inspectionConclusion",
    public=True,
    values=("pass",),
    note_zh="不合格者不予放行，故只记录 pass",
    note_en="goods failing are not released: only pass",
)
ORIGIN = Field(
    "origin_country",
    "原产国",
    "country of origin",
    FieldKind.EXTENSION,
    "originCountry",
    public=True,
    validator=_country,
)
EXPORT_COUNTRY = Field(
    "exporting_country",
    "输出国家/地区",
    "exporting country",
    FieldKind.EXTENSION,
    "exportingCountry",
    public=True,
    validator=_country,
)
PRODUCER = Field(
    "producer",
    "境外生产企业在华注册编号",
    "foreign producer's China registration number",
    FieldKind.EXTENSION,
    "foreignProducer",
    public=True,
    validator=short_text,
    note_zh="如 CIFR2021FRA00001",
    note_en="e.g. CIFR2021FRA00001",
)
PORT = Field(
    "port_of_entry",
    "入境口岸",
    "port of entry",
    FieldKind.EXTENSION,
    "portOfEntry",
    public=True,
    validator=short_text,
)
ENTRY_DATE = Field(
    "entry_date", "入境日期", "entry date", FieldKind.EXTENSION, "entryDate", public=True, validator=iso_date
)
LOT = Field("lot", "批号", "lot number", FieldKind.EXTENSION, "lotNumber", public=True, validator=short_text)
PRODUCTION_DATE = Field(
    "production_date",
    "生产日期",
    "production date",
    FieldKind.EXTENSION,
    "productionDate",
    public=True,
    validator=iso_date,
)
SHELF_LIFE = Field(
    "shelf_life",
    "保质期（天）",
    "shelf life (days)",
    FieldKind.EXTENSION,
    "shelfLifeDays",
    required=False,
    public=True,
    validator=_shelf_life,
    note_zh="无保质期的食品不填",
    note_en="left out for food without a shelf life",
)
VALUE = Field(
    "value", "货值（元）", "value (CNY)", FieldKind.EXTENSION, "declaredValue", validator=non_negative_number
)
BRAND = Field("brand", "品牌", "brand", FieldKind.EXTENSION, "brand", public=True, validator=short_text)
SPECIFICATION = Field(
    "specification",
    "规格",
    "specification",
    FieldKind.EXTENSION,
    "specification",
    public=True,
    validator=short_text,
)


# -- rules --------------------------------------------------------------------------------------
def registered_producer(ctx: CheckContext) -> list[ProfileError]:
    """进口商收货: the foreign producer is registered with China Customs (在华注册) and valid."""
    from tracehub.sectors.selectors_import import producer_by_number

    number = ctx.values["producer"]
    producer = producer_by_number(number)
    if producer is None:
        return [profile_error("tracehub:foreignProducer", "registered_producer:unregistered", number=number)]
    day = ctx.normalized.event_time.date()
    if producer.valid_until is not None and producer.valid_until < day:
        return [
            profile_error(
                "tracehub:foreignProducer",
                "registered_producer",
                producer=producer.name,
                number=number,
                day=producer.valid_until,
            )
        ]
    return []


def filed_importer(ctx: CheckContext) -> list[ProfileError]:
    """进口商收货: the importer holds a valid importer filing (进口商备案)."""
    from tracehub.sectors.selectors_drug import party_for_key
    from tracehub.sectors.selectors_import import importer_filed

    errors = []
    for key in ctx.index("destination", "owning_party"):
        party = party_for_key(key)
        if party is None or not importer_filed(party, day=ctx.normalized.event_time.date()):
            name = party.name if party is not None else key
            errors.append(profile_error("destinationList", "filed_importer", importer=name))
    return errors


#: The rules' messages (tracehub.sectors.messages: translated on pages, English to clients).
MESSAGES = define(
    {
        "import_country_required": gettext_noop(
            "an ISO 3166-1 two-letter country code (e.g. FR) is required"
        ),
        "import_shelf_life_required": gettext_noop(
            "a whole number of days > 0 is required (leave it out for food without a shelf life)"
        ),
        "registered_producer:unregistered": gettext_noop(
            "foreign producer %(number)s is not registered (在华注册): import only from registered producers"
        ),
        "registered_producer": gettext_noop(
            "the China registration of %(producer)s (%(number)s) expired on %(day)s"
        ),
        "filed_importer": gettext_noop(
            "importer %(importer)s holds no valid importer filing (进口食品进口商备案): only filed importers "
            "record imports"
        ),
    }
)

REGISTERED_PRODUCER = Rule(
    "registered_producer",
    "境外生产企业须已在华注册且注册有效",
    "the foreign producer is registered with China Customs and its registration is valid",
    registered_producer,
)
FILED_IMPORTER = Rule(
    "filed_importer",
    "进口商须持有效的进口食品进口商备案",
    "the importer holds a valid importer filing",
    filed_importer,
)

PROFILE = registry.register(
    Profile(
        sector=SECTOR,
        zh="进口食品",
        en="Imported food",
        requirements=("G6",),
        department="customs",
        note_zh=(
            "海关进口食品追溯：境外出口商发运，口岸通检、通关，物流，进口商收货（进口记录），国内分销（销售记录）"
            "与零售，同一追溯对象贯穿全链。进口记录与销售记录保存期限不少于保质期满后6个月，无保质期的不少于2年；"
            "期限内的删除请求一律拒绝。"
        ),
        note_en=(
            "Customs' imported-food traceability: the foreign exporter's shipment, inspection and quarantine and "
            "customs clearance at the port, logistics, the importer's receipt (the import record), domestic "
            "distribution (the import sales records) and retail, joined by the same objects. Import and sales "
            "records are kept at least 6 months past the end of the shelf life, or 2 years without one; "
            "deletion requests inside that period are refused."
        ),
        codes=(
            ("SSCC", "箱、托盘（物流单元）", "cases and pallets (logistic units)"),
            ("SGTIN / LGTIN", "GS1 单品与批次", "GS1 items and lots"),
            ("urn:tracehub:doc:customs_declaration:", "18 位报关单号", "18-digit customs declaration number"),
        ),
        steps=(
            Step(
                "shipping",
                "发货（境外发运、国内分销）",
                "shipping (export shipment, domestic distribution)",
                "shipping",
                ("ObjectEvent",),
                (GOODS, SELLER, BUYER),
                disposition="in_transit",
                note_zh="进口商的发货即其销售记录",
                note_en="the importer's shipments are its import sales records",
            ),
            Step(
                "import_inspection",
                "通检（入境检验检疫）",
                "inspection and quarantine at entry",
                platform_step("import_inspection"),
                ("ObjectEvent",),
                (GOODS, PORT_SITE, INSPECTION_CERT, HEALTH_CERT, RESULT),
                disposition="conformant",
                note_zh="口岸海关查验，签发入境货物检验检疫证明",
                note_en="customs inspect at the port and issue the inspection and quarantine certificate",
            ),
            Step(
                "customs_clearance",
                "通关（放行）",
                "customs clearance",
                platform_step("customs_clearance"),
                ("ObjectEvent",),
                (GOODS, PORT_SITE, DECLARATION, INSPECTION_CERT),
                disposition="in_transit",
                note_zh="海关凭报关单放行",
                note_en="customs release the goods on the declaration",
            ),
            Step(
                "import_receiving",
                "进口商收货（进口记录）",
                "importer's receipt (import record)",
                platform_step("import_receiving"),
                ("ObjectEvent",),
                (
                    GOODS,
                    LOT_QUANTITY,
                    STORAGE,
                    EXPORTER,
                    IMPORTER,
                    DECLARATION,
                    INSPECTION_CERT,
                    HEALTH_CERT,
                    CONTRACT,
                    ORIGIN,
                    EXPORT_COUNTRY,
                    PRODUCER,
                    PORT,
                    ENTRY_DATE,
                    LOT,
                    PRODUCTION_DATE,
                    SHELF_LIFE,
                    VALUE,
                    BRAND,
                    SPECIFICATION,
                ),
                rules=(REGISTERED_PRODUCER, FILED_IMPORTER),
                disposition="sellable_not_accessible",
                note_zh="进口记录的全部事项随收货事件采集，平台同时保存进口记录",
                note_en="every item of the import record travels with the receipt; the platform keeps the record",
            ),
            Step(
                "receiving",
                "收货（国内）",
                "receiving (domestic)",
                "receiving",
                ("ObjectEvent",),
                (GOODS, SITE, SELLER, BUYER),
                disposition="sellable_accessible",
            ),
            Step(
                "retail",
                "零售",
                "retail sale",
                "retail_selling",
                ("ObjectEvent",),
                (GOODS, SITE),
                disposition="retail_sold",
            ),
        ),
    )
)
