"""Meat and vegetable distribution (肉菜流通, E1; 商务局): the sector profile.

The chain of the national meat-and-vegetable traceability scheme (肉菜流通追溯体系): live animals
enter a slaughterhouse with their animal quarantine certificate (屠宰场入场); slaughter turns them
into carcass and cut lots (屠宰, a TransformationEvent); the meat is inspected (肉品品质检验); goods
enter a wholesale market, supermarket or farmers' market only with their upstream source and
certificates or the trace voucher of the sale they came from (进场准入); each sale at a stall is an
electronic trade (电子交易) that issues a trace voucher (追溯凭证码) for the buyer's next entry;
shops sell retail (零售); canteens record their receipts (团体消费).
"""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext_noop

from tracehub.epcis.profiles import ProfileError
from tracehub.identifiers import IdentifierError
from tracehub.identifiers.platform import parse_platform_uri
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
    platform_btt,
    platform_step,
    registry,
    short_text,
)

SECTOR = "meat_veg"

#: bizTransaction type of a trace voucher (追溯凭证) in a sale and in the entry quoting it.
VOUCHER_TYPE = platform_btt("trace_voucher")
VOUCHER_PREFIX = "urn:tracehub:code:trace:"
#: bizTransaction type of a retail receipt (零售小票).
RECEIPT_TYPE = platform_btt("receipt")

GOODS_TYPES = ("meat", "poultry", "vegetable", "fruit", "aquatic", "other")
GOODS_TYPE_LABELS = {
    "meat": ("畜肉", "meat"),
    "poultry": ("禽肉", "poultry"),
    "vegetable": ("蔬菜", "vegetables"),
    "fruit": ("水果", "fruit"),
    "aquatic": ("水产品", "aquatic products"),
    "other": ("其他", "other"),
}


def _voucher_code(value) -> str | None:
    if not isinstance(value, str) or not value.startswith(VOUCHER_PREFIX):
        return message("upstream_source:voucher_format", prefix=VOUCHER_PREFIX)
    try:
        parse_platform_uri(value)
    except IdentifierError as exc:
        return str(exc)
    return None


# -- fields (采集指标) ------------------------------------------------------------------------------
OBJECTS = Field(
    "goods",
    "商品批次",
    "goods and batch",
    FieldKind.OBJECTS,
    public=True,
    national="商品编码、批次号 goods code, batch",
    note_zh="商品编码与批次号即 epcClass（LGTIN 或平台批次 URI）；活畜为耳标号",
    note_en="goods code and batch are the epcClass (LGTIN or platform lot URI); live animals by ear tag",
)
WEIGHT = Field(
    "weight",
    "重量",
    "weight",
    FieldKind.QUANTITY,
    public=True,
    national="重量 weight",
    note_zh="每个 quantityList 元素须有 quantity 与 uom（千克 KGM）",
    note_en="every quantityList element carries quantity and uom (KGM kilograms)",
)
SUPPLIER = Field(
    "supplier",
    "供货方",
    "supplier",
    FieldKind.SOURCE,
    "owning_party",
    national="供应商编码 supplier",
    note_zh="上游主体的 PGLN 或平台主体 URI",
    note_en="the upstream party's PGLN or platform party URI",
)
RECEIVER = Field(
    "receiver",
    "收货方",
    "receiving party",
    FieldKind.DESTINATION,
    "owning_party",
    note_zh="进场/收货的主体（凭证的买方）",
    note_en="the party taking the goods in (the buyer on a voucher)",
)
BUYER = Field(
    "buyer",
    "买方",
    "buyer",
    FieldKind.DESTINATION,
    "owning_party",
    national="买方编码 buyer",
)
SELLER = Field(
    "seller",
    "卖方（经营户）",
    "seller (stall holder)",
    FieldKind.SOURCE,
    "owning_party",
    national="经营者编码 trader",
)
MARKET = Field(
    "market",
    "市场/场所",
    "market or site",
    FieldKind.CORE,
    "bizLocation.id",
    public=True,
    national="市场编码、摊位号 market id, stall",
    note_zh="场所 SGLN（摊位为 SGLN 扩展码）或平台节点 URI",
    note_en="the site's SGLN (a stall as its extension) or platform node URI",
)
STALL = Field(
    "stall",
    "摊位",
    "stall",
    FieldKind.CORE,
    "bizLocation.id",
    public=True,
    national="市场编码、摊位号 market id, stall",
    note_zh="摊位的 SGLN（市场 GLN + 摊位扩展码）",
    note_en="the stall's SGLN (the market's GLN + the stall as extension)",
)
ORIGIN = Field(
    "origin",
    "产地",
    "origin",
    FieldKind.EXTENSION,
    "origin",
    public=True,
    validator=short_text,
    national="产地 origin",
    note_zh="产地名称或 GB/T 2260 行政区划代码",
    note_en="place name or GB/T 2260 district code",
)
GOODS_TYPE = Field(
    "goods_type",
    "商品类别",
    "goods type",
    FieldKind.EXTENSION,
    "goodsType",
    public=True,
    values=GOODS_TYPES,
)
ENTRY_CHECK = Field(
    "entry_check",
    "入场查验结果",
    "entry check",
    FieldKind.EXTENSION,
    "entryCheck",
    values=("pass",),
    note_zh="查验不合格者不得入场，故只记录 pass",
    note_en="goods failing the check are turned away, so only pass is recorded",
)
QUARANTINE = Field(
    "quarantine_certificate",
    "动物检疫合格证明",
    "animal quarantine certificate",
    FieldKind.DOCUMENT,
    "animal_quarantine_certificate",
    public=True,
    national="检疫证号 quarantine certificate id",
)
MEAT_INSPECTION = Field(
    "meat_inspection_certificate",
    "肉品品质检验合格证",
    "meat inspection certificate",
    FieldKind.DOCUMENT,
    "meat_quality_certificate",
    public=True,
    national="肉品品质检验证号 meat inspection id",
)
PRODUCE_CERTIFICATE = Field(
    "produce_certificate",
    "承诺达标合格证",
    "produce compliance certificate",
    FieldKind.DOCUMENT,
    "produce_compliance_certificate",
    required=False,
    public=True,
    note_zh="无追溯凭证时，蔬菜、水果、水产品及其他须附",
    note_en="required of vegetables, fruit, aquatic and other goods entering without a voucher",
)
VOUCHER = Field(
    "trace_voucher",
    "追溯凭证码",
    "trace voucher",
    FieldKind.TRANSACTION,
    VOUCHER_TYPE,
    public=True,
    validator=_voucher_code,
    national="交易凭证号 transaction id",
    note_zh=f"{VOUCHER_PREFIX}<22位平台追溯码>，由平台在电子交易时开具",
    note_en=f"{VOUCHER_PREFIX}<22-digit platform trace code>, issued by the platform at the sale",
)
QUOTED_VOUCHER = Field(
    "trace_voucher",
    "上游追溯凭证码",
    "upstream trace voucher",
    FieldKind.TRANSACTION,
    VOUCHER_TYPE,
    required=False,
    validator=_voucher_code,
    national="交易凭证号 transaction id",
    note_zh="批发市场购货时开具的凭证；无凭证时须附检疫/检验证明或合格证",
    note_en="the voucher of the purchase; without one, the certificates are required",
)
UNIT_PRICE = Field(
    "unit_price",
    "单价",
    "unit price",
    FieldKind.EXTENSION,
    "unitPrice",
    validator=non_negative_number,
    national="价格 price",
    note_zh="元/计量单位",
    note_en="CNY per unit of measure",
)
RETAIL_WEIGHT = Field(
    "weight",
    "重量",
    "weight",
    FieldKind.QUANTITY,
    required=False,
    public=True,
    national="重量 weight",
    note_zh="按重量零售时，每个 quantityList 元素须有 quantity 与 uom；单品（epcList）零售无需重量",
    note_en="sold by weight: every quantityList element carries quantity and uom; "
    "items sold by EPC need none",
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
    national="价格 price",
)
RECEIPT = Field(
    "receipt",
    "零售交易凭证号",
    "retail receipt number",
    FieldKind.TRANSACTION,
    RECEIPT_TYPE,
    required=False,
    national="零售交易流水号 sale transaction id",
)
INPUTS = Field(
    "inputs", "屠宰活畜", "animals slaughtered", FieldKind.INPUTS, note_zh="耳标号", note_en="ear tags"
)
OUTPUTS = Field(
    "outputs",
    "胴体与分割肉批次",
    "carcass and cut lots",
    FieldKind.OUTPUTS,
    public=True,
    national="批次号、重量 batch, weight",
)
BATCH = Field(
    "batch",
    "屠宰批次号",
    "slaughter batch",
    FieldKind.ILMD,
    "cbvmda:lotNumber",
    public=True,
    validator=short_text,
    national="批次号 batch",
)
SLAUGHTER_DATE = Field(
    "slaughter_date",
    "屠宰日期",
    "slaughter date",
    FieldKind.ILMD,
    "slaughterDate",
    public=True,
    validator=iso_date,
)
INSPECTION_RESULT = Field(
    "inspection_result",
    "检验结果",
    "inspection result",
    FieldKind.EXTENSION,
    "inspectionResult",
    public=True,
    note_zh="对象：testItem、testMethod、result",
    note_en="an object of testItem, testMethod, result",
)


# -- rules --------------------------------------------------------------------------------------
def _voucher_of(code_uri: str):
    from tracehub.sectors.models import TradeVoucher

    return TradeVoucher.objects.filter(code=code_uri[len(VOUCHER_PREFIX) :]).first()


#: Without a voucher, the documents each kind of goods must carry into a market (进场准入).
_ENTRY_DOCUMENTS: dict[str, tuple[Field, ...]] = {
    "meat": (QUARANTINE, MEAT_INSPECTION),
    "poultry": (QUARANTINE,),
}
_OTHER_GOODS = (PRODUCE_CERTIFICATE,)


def upstream_source(ctx: CheckContext) -> list[ProfileError]:
    """进场准入: the entry quotes the voucher of its purchase, or carries its certificates."""
    values = ctx.values
    voucher = values.get("trace_voucher")
    if voucher:
        found = _voucher_of(voucher)
        if found is None:
            return [profile_error("bizTransactionList", "upstream_source:voucher_unknown", voucher=voucher)]
        receivers = ctx.index("destination", "owning_party")
        if found.buyer_key not in receivers:
            return [
                profile_error(
                    "bizTransactionList",
                    "upstream_source:voucher_buyer",
                    voucher=voucher,
                    receivers=", ".join(receivers),
                )
            ]
        return []
    goods_type = values.get("goods_type")
    missing = [f for f in _ENTRY_DOCUMENTS.get(goods_type, _OTHER_GOODS) if not values.get(f.key)]
    return [
        profile_error(
            "bizTransactionList",
            "upstream_source",
            field=f.label,
            goods_type=goods_type,
            voucher_type=VOUCHER_TYPE,
        )
        for f in missing
    ]


def voucher_issued(ctx: CheckContext) -> list[ProfileError]:
    """电子交易: the voucher of a sale is one the platform issued for this seller and buyer."""
    voucher = ctx.values["trace_voucher"]
    found = _voucher_of(voucher)
    sellers = ctx.index("source", "owning_party")
    buyers = ctx.index("destination", "owning_party")
    if found is None or found.seller_key not in sellers or found.buyer_key not in buyers:
        return [
            profile_error(
                "bizTransactionList",
                "voucher_issued",
                voucher=voucher,
                sellers=", ".join(sellers),
                buyers=", ".join(buyers),
            )
        ]
    return []


#: The messages of the rules above (tracehub.sectors.messages: translated on pages, English to clients).
MESSAGES = define(
    {
        "upstream_source:voucher_format": gettext_noop(
            "a trace voucher is %(prefix)s<22-digit platform trace code>"
        ),
        "upstream_source:voucher_unknown": gettext_noop(
            "trace voucher %(voucher)s was never issued: entry admission (进场准入) needs the voucher "
            "printed on the receipt of an electronic trade recorded on the platform"
        ),
        "upstream_source:voucher_buyer": gettext_noop(
            "trace voucher %(voucher)s was issued to another buyer, not to the receiving party "
            "%(receivers)s: a voucher is quoted only by the buyer of its sale"
        ),
        "upstream_source": gettext_noop(
            "%(field)s is required for entry admission (进场准入) of %(goods_type)s goods without a trace "
            "voucher (%(voucher_type)s): the upstream source must be proven by one or the other"
        ),
        "voucher_issued": gettext_noop(
            "trace voucher %(voucher)s was not issued by the platform for a sale by %(sellers)s to "
            "%(buyers)s: record sales through the sale form or "
            "POST /api/v1/sectors/meat_veg/market_trading, which issues the voucher"
        ),
    }
)

UPSTREAM = Rule(
    "upstream_source",
    "进场准入：须引用上游追溯凭证码，或附检疫证明与肉品品质检验合格证（畜肉）、检疫证明（禽肉）、承诺达标合格证（其他）；"
    "凭证须为平台开具给收货方的",
    "entry admission: quote the upstream trace voucher, or carry the quarantine and meat inspection "
    "certificates (meat), the quarantine certificate (poultry) or the compliance certificate (other goods); "
    "a voucher must have been issued by the platform to the receiving party",
    upstream_source,
)
VOUCHER_ISSUED = Rule(
    "voucher_issued",
    "电子交易的追溯凭证码须由平台为该卖方与买方开具",
    "the trace voucher of a sale must have been issued by the platform for that seller and buyer",
    voucher_issued,
)

ENTRY_FIELDS = (
    OBJECTS,
    WEIGHT,
    SUPPLIER,
    RECEIVER,
    MARKET,
    ORIGIN,
    GOODS_TYPE,
    QUOTED_VOUCHER,
    replace(
        QUARANTINE,
        required=False,
        note_zh="无追溯凭证时，畜肉、禽肉须附",
        note_en="required of meat and poultry entering without a voucher",
    ),
    replace(
        MEAT_INSPECTION,
        required=False,
        note_zh="无追溯凭证时，畜肉须附",
        note_en="required of meat entering without a voucher",
    ),
    PRODUCE_CERTIFICATE,
)

PROFILE = registry.register(
    Profile(
        sector=SECTOR,
        zh="肉菜流通",
        en="Meat and vegetable distribution",
        requirements=("E1",),
        department="commerce",
        note_zh=(
            "商务局肉菜流通追溯体系：屠宰场、批发市场、农贸市场、超市与团体消费单位。"
            "全国肉菜追溯数据项（市场编码、进场日期、供应商、交易凭证号、检疫证号、肉品品质检验证号、"
            "产地、批次号、商品编码、重量、价格、"
            "摊位号、零售交易流水号）均由下表字段承载，进场日期即 eventTime。"
        ),
        note_en=(
            "The commerce bureau's meat-and-vegetable traceability scheme: slaughterhouses, wholesale "
            "markets, farmers' markets, supermarkets and canteens. Every data item of the national scheme "
            "(market id, entry date, supplier, transaction id, "
            "quarantine certificate id, meat inspection id, "
            "origin, batch, goods code, weight, price, stall, sale transaction id) is carried by a field "
            "below; the entry date is the eventTime."
        ),
        codes=(
            (
                "LGTIN / SGTIN",
                "GS1 批次与单品码（变量计量 GTIN 指示符 9）",
                "GS1 lots and items (variable-measure GTIN, indicator 9)",
            ),
            (
                "urn:tracehub:lot:",
                "平台批次 URI（无 GS1 前缀的农户、摊位）",
                "platform lot URIs (farms, stalls without a GS1 prefix)",
            ),
            ("urn:tracehub:eartag:", "畜禽标识（耳标，15 位）", "livestock ear tags (15 digits)"),
            (
                "urn:tracehub:code:trace:",
                "追溯凭证码（22 位平台追溯码）",
                "trace voucher codes (22-digit platform trace code)",
            ),
        ),
        steps=(
            Step(
                "slaughter_entry",
                "屠宰场入场查验",
                "slaughterhouse entry",
                platform_step("slaughter_entry"),
                ("ObjectEvent",),
                (OBJECTS, SUPPLIER, MARKET, ORIGIN, QUARANTINE, ENTRY_CHECK),
                disposition="in_progress",
                note_zh="活畜凭动物检疫合格证明（动物A证）与耳标入场",
                note_en="live animals enter with their animal quarantine certificate and ear tags",
            ),
            Step(
                "slaughtering",
                "屠宰",
                "slaughter",
                platform_step("slaughtering"),
                ("TransformationEvent",),
                (INPUTS, OUTPUTS, BATCH, SLAUGHTER_DATE),
                disposition="in_progress",
                note_zh="活畜输入，胴体与分割肉批次按重量输出（CBV killing 指标签失效，不是屠宰）",
                note_en="animals in, carcass and cut lots out by weight "
                "(CBV killing disables a tag; it is not slaughter)",
            ),
            Step(
                "meat_inspection",
                "肉品品质检验",
                "meat inspection",
                platform_step("meat_inspection"),
                ("ObjectEvent",),
                (OBJECTS, MEAT_INSPECTION, QUARANTINE, INSPECTION_RESULT),
                disposition="conformant",
                note_zh="肉品品质检验合格证与动物产品检疫合格证明（产品B证）",
                note_en="the meat inspection certificate and the animal product quarantine certificate",
            ),
            Step(
                "market_entry",
                "进场准入",
                "market entry admission",
                platform_step("market_entry"),
                ("ObjectEvent",),
                ENTRY_FIELDS,
                rules=(UPSTREAM,),
                disposition="sellable_accessible",
                note_zh="批发市场、农贸市场、超市进货；无凭证无证明者拒绝入场",
                note_en="wholesale markets, farmers' markets, supermarkets; "
                "refused without voucher or certificates",
            ),
            Step(
                "market_trading",
                "电子交易",
                "electronic trading",
                platform_step("market_trading"),
                ("ObjectEvent",),
                (OBJECTS, WEIGHT, STALL, SELLER, BUYER, VOUCHER, UNIT_PRICE),
                rules=(VOUCHER_ISSUED,),
                disposition="in_transit",
                note_zh="每笔交易生成交易记录与追溯凭证码，打印在小票上，买方下次进场引用",
                note_en="each sale records the trade and a trace voucher printed on the receipt, "
                "quoted at the buyer's next entry",
            ),
            Step(
                "retail",
                "零售",
                "retail sale",
                "retail_selling",
                ("ObjectEvent",),
                (OBJECTS, RETAIL_WEIGHT, RETAIL_PRICE, RECEIPT),
                disposition="retail_sold",
                note_zh="超市、农贸市场摊位零售（CBV retail_selling）",
                note_en="retail at supermarkets and market stalls (CBV retail_selling)",
            ),
            Step(
                "canteen_receiving",
                "团体消费进货",
                "canteen receipt",
                platform_step("canteen_receiving"),
                ("ObjectEvent",),
                ENTRY_FIELDS,
                rules=(UPSTREAM,),
                disposition="in_progress",
                note_zh="学校、机关、企业食堂等团体消费单位的进货，同进场准入规则",
                note_en="receipts of school, office and factory canteens; the entry admission rule applies",
            ),
        ),
    )
)
