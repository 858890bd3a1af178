"""Enterprise full chain (企业信息化追溯, E2; 商务局): the sector profile.

Every step has a platform bizStep (``urn:tracehub:cbv:bizstep:enterprise_…``), so that the hot
CBV steps of every other capture (shipping, receiving …) pay nothing for this profile; warehouse
stock counts the CBV words too, for events an enterprise's own system sends without the profile.

One enterprise's own chain: raw materials received (原料收货), production by recipe (配方生产, a
TransformationEvent checked against the recipe/BOM), key control points monitored with EPCIS 2.0
sensor data (关键控制点监测: cooking temperature, cold chain), cold storage (冷库仓储), logistics
(物流运输, with the cold-chain temperature), shipping (发货) and sales (销售). A reading outside a
control point's limits, or a production that differs from its recipe, is flagged on the lot
(``sectors.models_enterprise.EnterpriseFinding``); warehouse stock by lot is computed from these
events. An enterprise that runs its own system pushes the same events through EPCIS capture
(docs/connector.md).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from tracehub.epcis.profiles import CaptureBatch, ProfileError, register_capture_hook
from tracehub.identifiers import IdentifierError, canonical_key
from tracehub.sectors.messages import define, profile_error
from tracehub.sectors.profile import (
    CheckContext,
    Field,
    FieldKind,
    Profile,
    Rule,
    Step,
    iso_date,
    platform_step,
    registry,
    short_text,
)

SECTOR = "enterprise"

OBJECTS = Field(
    "goods",
    "货品批次",
    "goods lots",
    FieldKind.OBJECTS,
    public=True,
    note_zh="批次 LGTIN 或单品 SGTIN",
    note_en="lots (LGTIN) or items (SGTIN)",
)
QUANTITY = Field(
    "quantity",
    "数量",
    "quantity",
    FieldKind.QUANTITY,
    note_zh="quantity 与 uom（KGM、H87 …）",
    note_en="quantity and uom (KGM, H87 …)",
)
SITE = Field(
    "site",
    "场所",
    "site",
    FieldKind.CORE,
    "bizLocation.id",
    public=True,
    note_zh="工厂、车间、冷库的 SGLN",
    note_en="the SGLN of the plant, line or store",
)
SUPPLIER = Field("supplier", "供货方", "supplier", FieldKind.SOURCE, "owning_party")
CUSTOMER = Field("customer", "客户", "customer", FieldKind.DESTINATION, "owning_party")
INPUTS = Field(
    "inputs",
    "投料（原料批次与用量）",
    "inputs (lots and quantities)",
    FieldKind.INPUTS,
    note_zh="inputQuantityList：原料批次、用量与单位，与配方比对",
    note_en="inputQuantityList: input lots, quantities and units, checked against the recipe",
)
OUTPUTS = Field(
    "outputs",
    "产出批次与数量",
    "output lot and quantity",
    FieldKind.OUTPUTS,
    public=True,
    note_zh="outputQuantityList",
    note_en="outputQuantityList",
)
RECIPE = Field(
    "recipe",
    "配方编号",
    "recipe code",
    FieldKind.EXTENSION,
    "recipe",
    validator=short_text,
    note_zh="企业登记的配方（BOM）编号；投料与配方不符时在批次上预警",
    note_en="the enterprise's registered recipe (BOM); inputs that differ from it are flagged on the lot",
)
BATCH = Field(
    "batch",
    "生产批号",
    "production lot number",
    FieldKind.ILMD,
    "cbvmda:lotNumber",
    public=True,
    validator=short_text,
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
SENSORS = Field(
    "sensors",
    "监测读数",
    "sensor readings",
    FieldKind.CORE,
    "sensorElementList",
    note_zh="EPCIS 2.0 sensorElementList：sensorReport 的 type（如 Temperature）、value、uom（CEL）",
    note_en="EPCIS 2.0 sensorElementList: each sensorReport's type (e.g. Temperature), value and uom (CEL)",
)
SENSORS_OPTIONAL = Field(
    "sensors",
    "温度记录",
    "temperature readings",
    FieldKind.CORE,
    "sensorElementList",
    required=False,
    note_zh="冷链温度（sensorElementList），按关键控制点限值检查",
    note_en="cold-chain temperature (sensorElementList), checked against the control points' limits",
)
CONTROL_POINT = Field(
    "control_point",
    "关键控制点编号",
    "control point code",
    FieldKind.EXTENSION,
    "controlPoint",
    validator=short_text,
    note_zh="企业登记的关键控制点（如 CCP1 蒸煮 ≥ 72 °C）",
    note_en="the enterprise's registered control point (e.g. CCP1 cooking ≥ 72 °C)",
)


def _party_of_site(ctx: CheckContext):
    from tracehub.registry.models import Location

    site = ctx.values.get("site")
    try:
        key = canonical_key(site) if isinstance(site, str) else None
    except IdentifierError:
        key = None
    location = Location.objects.filter(key=key).only("party_id", "operator_id").first() if key else None
    return location


def recipe_known(ctx: CheckContext) -> list[ProfileError]:
    from tracehub.sectors.models_enterprise import Recipe, RecipeStatus

    location = _party_of_site(ctx)
    code = ctx.values["recipe"]
    parties = [p for p in (location.party_id, location.operator_id) if p] if location else []
    if not Recipe.objects.filter(party_id__in=parties, code=code, status=RecipeStatus.ACTIVE).exists():
        return [
            profile_error("tracehub:recipe", "recipe_known", code=repr(code), site=ctx.values.get("site"))
        ]
    if not ctx.event.get("inputQuantityList") or not ctx.event.get("outputQuantityList"):
        return [profile_error("inputQuantityList", "recipe_known:quantities")]
    return []


def control_point_known(ctx: CheckContext) -> list[ProfileError]:
    from tracehub.sectors.models_enterprise import ControlPoint, ControlPointStatus

    location = _party_of_site(ctx)
    code = ctx.values["control_point"]
    parties = [p for p in (location.party_id, location.operator_id) if p] if location else []
    if not ControlPoint.objects.filter(
        party_id__in=parties, code=code, status=ControlPointStatus.ACTIVE
    ).exists():
        return [
            profile_error(
                "tracehub:controlPoint", "control_point_known", code=repr(code), site=ctx.values.get("site")
            )
        ]
    return []


#: The rules' messages (tracehub.sectors.messages: translated on pages, English to clients).
MESSAGES = define(
    {
        "recipe_known": gettext_noop(
            "recipe %(code)s is not an active recipe (配方) of the enterprise producing at %(site)s: "
            "register it first (POST /api/v1/sectors/enterprise/recipes)"
        ),
        "recipe_known:quantities": gettext_noop(
            "a production by recipe gives its inputs and output with quantities "
            "(inputQuantityList, outputQuantityList), to be checked against the recipe"
        ),
        "control_point_known": gettext_noop(
            "control point %(code)s is not a monitored control point (关键控制点) of the enterprise "
            "at %(site)s"
        ),
    }
)

RECIPE_KNOWN = Rule(
    "recipe_known",
    "配方须为该企业登记且启用的配方，投料与产出须带数量；投料与配方不符时记录生产并在批次上预警",
    "the recipe is an active recipe of the enterprise and inputs and output carry quantities; inputs that "
    "differ from the recipe are stored and flagged on the lot",
    recipe_known,
)
CONTROL_POINT_KNOWN = Rule(
    "control_point_known",
    "关键控制点须为该企业登记的监控点；读数超出限值时在批次上预警（企业与主管部门可见并收到通知）",
    "the control point is one the enterprise monitors; a reading outside its limits is flagged on the lot "
    "(seen and notified to the enterprise and its bureau)",
    control_point_known,
)

PROFILE = registry.register(
    Profile(
        sector=SECTOR,
        zh="企业全链条追溯",
        en="Enterprise full chain",
        requirements=("E2",),
        department="commerce",
        note_zh=(
            "企业自身的生产、加工、物流、仓储、销售全链条：配方（BOM）生产、关键控制点（HACCP）监测、"
            "批次库存由事件计算。企业自有系统通过 EPCIS 接口推送（docs/connector.md）。"
        ),
        note_en=(
            "One enterprise's production, processing, logistics, warehousing and sales: production by recipe "
            "(BOM), key control points (HACCP), stock by lot computed from the events. An enterprise's own "
            "system pushes the same events through EPCIS capture (docs/connector.md)."
        ),
        codes=(
            (
                "SGTIN / LGTIN",
                "GS1 单品码与批次（企业赋码，每件一个二维码）",
                "GS1 items and lots (one QR code per item)",
            ),
            ("urn:tracehub:code:trace:", "平台追溯码", "platform trace codes"),
        ),
        steps=(
            Step(
                "receiving",
                "原料收货",
                "raw material receipt",
                platform_step("enterprise_receiving"),
                ("ObjectEvent",),
                (OBJECTS, QUANTITY, SITE, SUPPLIER),
                disposition="in_progress",
            ),
            Step(
                "production",
                "配方生产加工",
                "production by recipe",
                platform_step("enterprise_production"),
                ("TransformationEvent",),
                (INPUTS, OUTPUTS, SITE, RECIPE, BATCH, PRODUCTION_DATE),
                rules=(RECIPE_KNOWN,),
                disposition="in_progress",
            ),
            Step(
                "control_point",
                "关键控制点监测",
                "key control point monitoring",
                platform_step("ccp_monitoring"),
                ("ObjectEvent",),
                (OBJECTS, SITE, SENSORS, CONTROL_POINT),
                rules=(CONTROL_POINT_KNOWN,),
                note_zh="如蒸煮中心温度 ≥ 72 °C；超限读数照常记录，并在批次上预警",
                note_en=(
                    "e.g. core cooking temperature ≥ 72 °C; a reading outside the limits is stored "
                    "and flagged"
                ),
            ),
            Step(
                "storing",
                "冷库仓储",
                "cold storage",
                platform_step("enterprise_storing"),
                ("ObjectEvent",),
                (OBJECTS, QUANTITY, SITE, SENSORS_OPTIONAL),
                disposition="sellable_not_accessible",
                note_zh="sourceList 类型 location 为移出库位：库存从该库位转入本场所",
                note_en=(
                    "a sourceList entry of type location names the store moved from: stock moves to this site"
                ),
            ),
            Step(
                "transporting",
                "物流运输（冷链）",
                "logistics (cold chain)",
                platform_step("enterprise_transporting"),
                ("ObjectEvent",),
                (OBJECTS, SITE, SENSORS_OPTIONAL),
                disposition="in_transit",
            ),
            Step(
                "shipping",
                "发货",
                "shipping",
                platform_step("enterprise_shipping"),
                ("ObjectEvent",),
                (OBJECTS, QUANTITY, SITE, CUSTOMER, SENSORS_OPTIONAL),
                disposition="in_transit",
            ),
            Step(
                "sales",
                "门店销售",
                "shop sale",
                platform_step("enterprise_sales"),
                ("ObjectEvent",),
                (OBJECTS, QUANTITY, SITE),
                disposition="retail_sold",
            ),
        ),
    )
)


def _evaluate_captured(batch: CaptureBatch) -> None:
    from tracehub.sectors.services_enterprise import enterprise_captured_evaluate

    enterprise_captured_evaluate(batch=batch)


def _checked(event: dict) -> bool:
    """An event with sensor readings or a recipe: what the control points and recipes check."""
    return "sensorElementList" in event or "tracehub:recipe" in event


# E2: findings from an enterprise's own EPCIS as from its entries, once the capture commits.
register_capture_hook(_evaluate_captured, biz_steps=[s.biz_step for s in PROFILE.steps], when=_checked)
