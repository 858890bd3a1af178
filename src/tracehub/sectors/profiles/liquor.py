"""Liquor distribution (酒类流通, G3; 商务局 / 酒类流通管理局): the sector profile.

The chain of the liquor circulation rules: a producer bottles a lot (生产灌装) and labels each
bottle with a QR trace code at source, as an importer does with imported liquor before it enters
distribution (源头赋码); every wholesale shipment travels with an accompanying slip (随附单) issued by
the platform from the shipping event (批发出货); the retailer receives the goods against the slip
(零售进货), sells them (零售), and restaurants and canteens record what they serve (消费). Operators
are filed (登记备案) and their filing number is printed on every slip (``sectors.models_liquor``).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_noop

from tracehub.epcis.profiles import CaptureBatch, ProfileError, register_capture_hook
from tracehub.identifiers import IdentifierError
from tracehub.identifiers.cn_codes import parse_liquor_slip_number
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

SECTOR = "liquor"
SLIP_KIND = "liquor_slip"
SLIP_PREFIX = f"urn:tracehub:doc:{SLIP_KIND}:"
PLATE = re.compile(r"^[\u4e00-\u9fff][A-Z][·•]?[A-HJ-NP-Z0-9]{5,6}$")
FILING_NUMBER = re.compile(r"^\d{12}$")
#: What every line of a slip (tracehub:slipItems) carries.
ITEM_KEYS = ("epcClass", "name", "quantity", "uom", "unitPrice", "origin")


def _slip_number(value) -> str | None:
    try:
        parse_liquor_slip_number(str(value))
    except IdentifierError as exc:
        return str(exc)
    return None


def _plate(value) -> str | None:
    if not isinstance(value, str) or not PLATE.match(value.strip()):
        return message("liquor_plate_required")
    return None


def _filing_number(value) -> str | None:
    if not isinstance(value, str) or not FILING_NUMBER.match(value):
        return message("liquor_filing_number_required")
    return None


def _slip_items(value) -> str | None:
    if not isinstance(value, list) or not value:
        return message("slip_items_required")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            return message("slip_items:not_object", line=i + 1)
        missing = [k for k in ITEM_KEYS if item.get(k) in (None, "")]
        if not item.get("lot") and not item.get("productionDate"):
            missing.append("lot or productionDate")
        if missing:
            return message("slip_items:missing", line=i + 1, missing=", ".join(missing))
        for key in ("quantity", "unitPrice"):
            if non_negative_number(item[key]):
                return message("slip_items:number", line=i + 1, key=key)
        if item.get("productionDate") and iso_date(item["productionDate"]):
            return message("slip_items:date", line=i + 1)
    return None


# -- fields (采集指标) ------------------------------------------------------------------------------
OBJECTS = Field(
    "goods",
    "酒品（批次或单瓶码）",
    "liquor lot or bottle codes",
    FieldKind.OBJECTS,
    public=True,
    note_zh="批次为 epcClass（LGTIN），单瓶为 SGTIN 或平台追溯码 URI",
    note_en="a lot as epcClass (LGTIN); bottles as SGTINs or platform trace code URIs",
)
QUANTITY = Field(
    "quantity",
    "数量",
    "quantity",
    FieldKind.QUANTITY,
    note_zh="每个 quantityList 元素须有 quantity 与 uom（瓶 H87、箱 CS）",
    note_en="every quantityList element carries quantity and uom (H87 bottles, CS cases)",
)
SITE = Field(
    "site",
    "场所",
    "site",
    FieldKind.CORE,
    "bizLocation.id",
    public=True,
    note_zh="生产厂、仓库或门店的 SGLN 或平台节点 URI",
    note_en="the plant's, warehouse's or shop's SGLN or platform node URI",
)
LOT = Field(
    "lot", "批号", "lot number", FieldKind.ILMD, "cbvmda:lotNumber", public=True, validator=short_text
)
PRODUCTION_DATE = Field(
    "production_date",
    "生产日期",
    "production date",
    FieldKind.ILMD,
    "productionDate",
    public=True,
    validator=iso_date,
)
ORIGIN = Field(
    "origin",
    "产地",
    "origin",
    FieldKind.EXTENSION,
    "origin",
    public=True,
    validator=short_text,
    note_zh="产地（进口酒为原产国与产区）",
    note_en="place of production (for imported liquor, the country and region)",
)
CUSTOMS = Field(
    "customs_declaration",
    "进口货物报关单号",
    "import customs declaration",
    FieldKind.DOCUMENT,
    "customs_declaration",
    public=True,
)
SLIP = Field(
    "slip",
    "随附单编号",
    "accompanying slip number",
    FieldKind.DOCUMENT,
    SLIP_KIND,
    public=True,
    validator=_slip_number,
    note_zh="12 位随附单编号（docs/coding-rules.md），由平台在批发出货时分配，永不重复使用",
    note_en=(
        "the 12-digit slip number (docs/coding-rules.md), allocated by the platform at the shipment, "
        "never reused"
    ),
)
SELLER = Field("seller", "销售方", "seller", FieldKind.SOURCE, "owning_party")
BUYER = Field("buyer", "购货方", "buyer", FieldKind.DESTINATION, "owning_party")
SUPPLIER = Field("supplier", "供货方", "supplier", FieldKind.SOURCE, "owning_party")
RECEIVER = Field("receiver", "收货方", "receiving party", FieldKind.DESTINATION, "owning_party")
SELLER_FILING = Field(
    "seller_filing_number",
    "销售方备案登记号",
    "seller's filing number",
    FieldKind.EXTENSION,
    "sellerFilingNumber",
    validator=_filing_number,
)
CONSIGNOR = Field("consignor", "发货人", "consignor", FieldKind.EXTENSION, "consignor", validator=short_text)
CARRIER = Field("carrier", "承运人", "carrier", FieldKind.EXTENSION, "carrier", validator=short_text)
VEHICLE = Field(
    "vehicle_plate", "车牌号", "vehicle plate", FieldKind.EXTENSION, "vehiclePlate", validator=_plate
)
ITEMS = Field(
    "items",
    "随附单货品明细",
    "slip lines",
    FieldKind.EXTENSION,
    "slipItems",
    validator=_slip_items,
    note_zh=(
        "每行：epcClass、name 品名、quantity 数量、uom、unitPrice 单价（元）、origin 产地、"
        "lot 批号或 productionDate 生产日期"
    ),
    note_en="each line: epcClass, name, quantity, uom, unitPrice (CNY), origin, lot or productionDate",
)
RETAIL_PRICE = Field(
    "unit_price",
    "零售单价",
    "retail unit price",
    FieldKind.EXTENSION,
    "unitPrice",
    required=False,
    public=True,
    validator=non_negative_number,
)


# -- rules --------------------------------------------------------------------------------------
def _slip(number: str):
    from tracehub.sectors.models_liquor import LiquorSlip

    return LiquorSlip.objects.filter(number=number).first()


def slip_issued(ctx: CheckContext) -> list[ProfileError]:
    """批发出货: the slip was allocated by the platform for this very shipment, seller and buyer,
    and the seller's filing number is the one on the slip (the seller's approved filing)."""
    number = ctx.values["slip"]
    slip = _slip(number)
    errors: list[ProfileError] = []
    if slip is None:
        return [profile_error("bizTransactionList", "slip_issued:unknown", number=number)]
    if slip.event_id != ctx.event.get("eventID"):
        errors.append(
            profile_error("bizTransactionList", "slip_issued:reused", number=number, event=slip.event_id)
        )
    sellers = ctx.index("source", "owning_party")
    buyers = ctx.index("destination", "owning_party")
    if slip.seller_key not in sellers or slip.buyer_key not in buyers:
        errors.append(
            profile_error(
                "sourceList",
                "slip_issued:parties",
                number=number,
                seller=slip.seller_key,
                buyer=slip.buyer_key,
                sellers=", ".join(sellers),
                buyers=", ".join(buyers),
            )
        )
    if ctx.values.get("seller_filing_number") != slip.seller_filing_number:
        errors.append(
            profile_error(
                "tracehub:sellerFilingNumber",
                "slip_issued:filing_number",
                number=number,
                expected=slip.seller_filing_number,
                found=ctx.values.get("seller_filing_number"),
            )
        )
    return errors


def slip_received(ctx: CheckContext) -> list[ProfileError]:
    """零售进货: the slip quoted was issued for a sale by the supplier to the receiving party."""
    number = ctx.values["slip"]
    slip = _slip(number)
    receivers = ctx.index("destination", "owning_party")
    suppliers = ctx.index("source", "owning_party")
    if slip is None or slip.buyer_key not in receivers or slip.seller_key not in suppliers:
        return [
            profile_error(
                "bizTransactionList",
                "slip_received",
                number=number,
                suppliers=", ".join(suppliers),
                receivers=", ".join(receivers),
            )
        ]
    return []


def codes_allocated(ctx: CheckContext) -> list[ProfileError]:
    """源头赋码: every bottle code (SGTIN or platform trace code) is one the platform allocated."""
    from tracehub.registry.selectors import code_allocation_find

    errors = []
    for i, uri in enumerate(ctx.event.get("epcList") or ()):
        if not isinstance(uri, str):
            continue
        found = None
        try:
            if uri.startswith("urn:tracehub:code:trace:"):
                found = code_allocation_find(platform_code=uri)
            else:
                from tracehub.identifiers import canonical_key

                key = canonical_key(uri)  # 01/<gtin>/21/<serial>
                parts = key.split("/")
                if len(parts) >= 4 and parts[0] == "01" and parts[2] == "21":
                    found = code_allocation_find(gtin=parts[1], serial=parts[3])
        except IdentifierError:
            found = None
        if found is None:
            errors.append(profile_error(f"epcList[{i}]", "codes_allocated", uri=uri))
    return errors


#: The rules' and validators' messages (tracehub.sectors.messages: translated on pages, English to
#: clients).
MESSAGES = define(
    {
        "liquor_plate_required": gettext_noop("a Chinese vehicle plate such as 闽D·12345 is required"),
        "liquor_filing_number_required": gettext_noop(
            "the 12-digit liquor filing number (备案登记号) is required"
        ),
        "slip_items_required": gettext_noop("a list of the slip's lines is required"),
        "slip_items:not_object": gettext_noop("line %(line)s is not an object"),
        "slip_items:missing": gettext_noop("line %(line)s lacks %(missing)s"),
        "slip_items:number": gettext_noop("line %(line)s: %(key)s must be a number ≥ 0"),
        "slip_items:date": gettext_noop("line %(line)s: productionDate must be a date YYYY-MM-DD"),
        "slip_issued:unknown": gettext_noop(
            "accompanying slip %(number)s was never issued: the platform allocates the slip number when the "
            "wholesale shipment is recorded (form, Excel or POST /api/v1/sectors/liquor/wholesale)"
        ),
        "slip_issued:reused": gettext_noop(
            "accompanying slip %(number)s belongs to another shipment (event %(event)s): "
            "a slip number is used once and never reused"
        ),
        "slip_issued:parties": gettext_noop(
            "accompanying slip %(number)s was issued for a sale by %(seller)s to %(buyer)s, "
            "not by %(sellers)s to %(buyers)s"
        ),
        "slip_issued:filing_number": gettext_noop(
            "the seller's filing number on slip %(number)s is %(expected)s, not %(found)s"
        ),
        "slip_received": gettext_noop(
            "accompanying slip %(number)s was not issued for a sale by %(suppliers)s to "
            "%(receivers)s: goods are received only against the slip of their own shipment"
        ),
        "codes_allocated": gettext_noop(
            "%(uri)s is not a code allocated by the platform (赋码): label liquor only with allocated "
            "QR trace codes (POST /api/v1/codes)"
        ),
    }
)

SLIP_ISSUED = Rule(
    "slip_issued",
    "批发出货的随附单编号须由平台为该次出货、该销售方与购货方分配，一单一号，永不重复使用；销售方备案登记号须与随附单一致",
    "the slip number of a wholesale shipment is allocated by the platform for that shipment, "
    "seller and buyer, "
    "used once and never reused; the seller's filing number matches the slip",
    slip_issued,
)
SLIP_RECEIVED = Rule(
    "slip_received",
    "零售进货须引用供货方开具给收货方的随附单",
    "a retailer receives goods against the slip its supplier issued to it",
    slip_received,
)
CODES_ALLOCATED = Rule(
    "codes_allocated",
    "单瓶码（SGTIN 或平台追溯码）须为平台分配的码",
    "bottle codes (SGTINs or platform trace codes) must have been allocated by the platform",
    codes_allocated,
)

WHOLESALE_FIELDS = (
    OBJECTS,
    QUANTITY,
    SITE,
    SLIP,
    SELLER,
    BUYER,
    SELLER_FILING,
    CONSIGNOR,
    CARRIER,
    VEHICLE,
    ITEMS,
)

PROFILE = registry.register(
    Profile(
        sector=SECTOR,
        zh="酒类流通",
        en="Liquor distribution",
        requirements=("G3",),
        department="liquor",
        note_zh=(
            "商务局酒类流通管理局：经营者登记备案与公示、产品信息与认证、源头二维码追溯标签、"
            "批发随附单、生产 → 批发 → 零售 → 消费全程追溯。公示名单与网络推广目录见 /liquor/。"
        ),
        note_en=(
            "The commerce bureau's liquor circulation office: operator filing and public notice, product "
            "information and certification, QR trace labels at source, the accompanying slip of every "
            "wholesale shipment, production → wholesale → retail → consumption. "
            "Public list and catalogue: /liquor/."
        ),
        codes=(
            ("SGTIN / LGTIN", "GS1 单瓶码与批次（本地生产企业）", "GS1 bottles and lots (local producers)"),
            (
                "urn:tracehub:code:trace:",
                "平台追溯码（无 GS1 前缀的企业、进口酒源头赋码）",
                "platform trace codes (no GS1 prefix; imported liquor labelled at source)",
            ),
            (SLIP_PREFIX, "随附单（12 位编号）", "accompanying slips (12-digit number)"),
        ),
        steps=(
            Step(
                "production",
                "生产灌装",
                "production and bottling",
                platform_step("liquor_production"),
                ("ObjectEvent",),
                (OBJECTS, SITE, LOT, PRODUCTION_DATE, ORIGIN),
                rules=(CODES_ALLOCATED,),
                disposition="active",
                note_zh="action ADD；单瓶贴平台分配的二维码追溯标签（赋码）",
                note_en="action ADD; each bottle carries a QR trace label allocated by the platform",
            ),
            Step(
                "source_labelling",
                "进口酒源头赋码",
                "imported liquor labelled at source",
                platform_step("liquor_source_labelling"),
                ("ObjectEvent",),
                (OBJECTS, SITE, LOT, ORIGIN, CUSTOMS),
                rules=(CODES_ALLOCATED,),
                disposition="active",
                note_zh="进口商在入境后、分销前为每瓶贴追溯二维码，引用报关单",
                note_en=(
                    "the importer labels each bottle after entry and before distribution, "
                    "quoting the customs declaration"
                ),
            ),
            Step(
                "wholesale",
                "批发出货（随附单）",
                "wholesale shipment with accompanying slip",
                platform_step("liquor_wholesale"),
                ("ObjectEvent",),
                WHOLESALE_FIELDS,
                rules=(SLIP_ISSUED,),
                disposition="in_transit",
                note_zh="随附单：编号、日期（eventTime）、购货方、货品数量与价格、产地、批号或生产日期、销售方备案登记号、发货人、承运人、车牌号",
                note_en=(
                    "the slip: number, date (eventTime), buyer, items with quantity and price, origin, "
                    "lot or production date, seller's filing number, consignor, carrier, vehicle plate"
                ),
            ),
            Step(
                "receiving",
                "零售进货（凭随附单）",
                "retailer's receipt against the slip",
                platform_step("liquor_receiving"),
                ("ObjectEvent",),
                (OBJECTS, QUANTITY, SITE, SLIP, SUPPLIER, RECEIVER),
                rules=(SLIP_RECEIVED,),
                disposition="sellable_accessible",
            ),
            Step(
                "retail",
                "零售",
                "retail sale",
                platform_step("liquor_retail"),
                ("ObjectEvent",),
                (OBJECTS, QUANTITY, SITE, RETAIL_PRICE),
                disposition="retail_sold",
            ),
            Step(
                "consumption",
                "餐饮/团体消费",
                "consumption at a restaurant or canteen",
                platform_step("liquor_consumption"),
                ("ObjectEvent",),
                (OBJECTS, QUANTITY, SITE),
                note_zh="饭店、酒楼、单位食堂开瓶消费的记录",
                note_en="bottles opened and served by restaurants and canteens",
            ),
        ),
    )
)


def _receipts_captured(batch: CaptureBatch) -> None:
    from tracehub.sectors.services_liquor import liquor_receipts_captured

    liquor_receipts_captured(batch=batch)


# G3: a receipt quoting its slip marks the slip received, by whatever path it was captured.
register_capture_hook(_receipts_captured, biz_steps=(PROFILE.step("receiving").biz_step,))
