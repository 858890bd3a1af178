"""Food (食品, G1; 市场监督管理局): the sector profile — its steps and their data items.

Declared steps of the food bureau's subsystem: market declaration (市场申报), product inspection
(产品检验), receipt with supplier tickets and certificates (索票索证) and inspectors' checks (查验).
Capture enforces the data items below and two rules on a receipt: the supplier is filed and holds a
food licence valid on the day (索证), and a lot whose product inspection failed is not received
(追溯管理与市场准入衔接). A refused receipt is reported to the bureau by the refusal hook at the end
(console notification with the reason, audit row). The steps are entered by phone form, Excel and
``/api/v1/sectors/food/<step>`` through the entries of ``tracehub.sectors.services_food``; the demo
is ``tracehub.sectors.demo_food``.
"""

from __future__ import annotations

import orjson
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from tracehub.epcis.profiles import CaptureBatch, ProfileError, register_refusal_hook
from tracehub.identifiers import IdentifierError, canonical_key
from tracehub.sectors.messages import define, profile_error
from tracehub.sectors.profile import (
    CheckContext,
    Field,
    FieldKind,
    Profile,
    Rule,
    Step,
    platform_step,
    registry,
    short_text,
)
from tracehub.sectors.profiles.meat_veg import INSPECTION_RESULT, MARKET, OBJECTS, SUPPLIER

LABORATORY = Field(
    "laboratory", "检验机构", "laboratory", FieldKind.EXTENSION, "laboratory", validator=short_text
)
REPORT = Field("report", "检验报告编号", "test report number", FieldKind.DOCUMENT, "test_report", public=True)
INVOICE = Field("invoice", "供货票据", "supplier invoice or ticket", FieldKind.TRANSACTION, "inv")
CERTIFICATE = Field(
    "certificate",
    "供货方证明",
    "supplier certificate",
    FieldKind.TRANSACTION,
    "cert",
    note_zh="检验报告、合格证或检疫证明（urn:tracehub:doc:…）",
    note_en="a test report, compliance or quarantine certificate (urn:tracehub:doc:…)",
)
DECLARATION = Field(
    "declaration_number",
    "申报编号",
    "declaration number",
    FieldKind.EXTENSION,
    "declarationNumber",
    validator=short_text,
)

#: Licences that allow a party to supply food (食品生产许可证, 食品经营许可证).
FOOD_LICENCES = ("food_production", "food_business")
PRODUCT_INSPECTION = platform_step("product_inspection")


def _party_of(key: str):
    """The registry party an event names by its canonical key (PGLN, or platform party URI)."""
    from tracehub.registry.models import Party

    if key.startswith("urn:tracehub:party:"):
        return Party.objects.filter(uscc=key.rsplit(":", 1)[1]).first()
    return Party.objects.filter(pgln=key).first()


def supplier_licensed(ctx: CheckContext) -> list[ProfileError]:
    """索证: the supplier is filed (备案 approved) and holds a food licence valid on the day."""
    from tracehub.registry.models import FilingStatus, Licence

    day = timezone.localtime(ctx.normalized.event_time).date()
    suppliers = ctx.index("source", "owning_party")
    errors = []
    for key in suppliers:
        party = _party_of(key)
        if party is None or party.filing_status != FilingStatus.APPROVED:
            if party is None:
                errors.append(profile_error("sourceList", "supplier_licensed:unregistered", key=key))
            else:
                errors.append(
                    profile_error(
                        "sourceList", "supplier_licensed:unfiled", key=key, status=party.filing_status
                    )
                )
            continue
        valid = Licence.objects.filter(party=party, kind__in=FOOD_LICENCES).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )
        if not valid.exists():
            errors.append(
                profile_error("sourceList", "supplier_licensed", party=party.name, key=key, day=day)
            )
    return errors


def _failed(event: dict) -> bool:
    result = event.get("tracehub:inspectionResult")
    return isinstance(result, dict) and result.get("tracehub:result") in ("fail", "positive")


def inspection_passed(ctx: CheckContext) -> list[ProfileError]:
    """市场准入: a lot whose product inspection (产品检验) failed is not received."""
    from tracehub.epcis.models import Event

    lots = []
    for item in ctx.event.get("quantityList") or ():
        if isinstance(item, dict) and isinstance(item.get("epcClass"), str):
            try:
                lots.append(canonical_key(item["epcClass"]))
            except IdentifierError:
                continue
    if not lots:
        return []
    inspections = (
        Event.objects.filter(
            biz_step=PRODUCT_INSPECTION, index__key__in=lots, index__role__in=("class", "lot")
        )
        .values_list("event_id", "document")
        .distinct()[:100]
    )
    found = [event_id for event_id, document in inspections if _failed(orjson.loads(document))]
    if not found:
        return []
    return [profile_error("quantityList", "inspection_passed", event=found[0])]


#: The rules' messages (tracehub.sectors.messages: translated on pages, English to clients). The
#: codes start with the rule's key, which the market-access refusal hook and the food form read.
MESSAGES = define(
    {
        "supplier_licensed:unregistered": gettext_noop(
            "supplier %(key)s is not registered: food is received only from filed parties"
        ),
        "supplier_licensed:unfiled": gettext_noop(
            "supplier %(key)s is filed as %(status)s: food is received only from filed parties"
        ),
        "supplier_licensed": gettext_noop(
            "supplier %(party)s (%(key)s) holds no food production or business licence valid on %(day)s"
        ),
        "inspection_passed": gettext_noop(
            "market access refused (市场准入): a product inspection of this lot failed (event %(event)s); "
            "a lot with a failed test cannot be received"
        ),
    }
)

SUPPLIER_LICENSED = Rule(
    "supplier_licensed",
    "索证：供货方须已备案，且进货当日持有有效的食品生产或经营许可证",
    "the supplier is filed and holds a food production or business licence valid on the day of receipt",
    supplier_licensed,
)
INSPECTION_PASSED = Rule(
    "inspection_passed",
    "市场准入：产品检验不合格的批次不得进货",
    "market access: a lot whose product inspection failed is not received",
    inspection_passed,
)

PROFILE = registry.register(
    Profile(
        sector="food",
        zh="食品",
        en="Food",
        requirements=("G1",),
        department="amr",
        note_zh="市场监管局食品追溯：生产、流通、餐饮，从农田到餐桌。",
        note_en="The market supervision bureau's food traceability: "
        "production, distribution, catering; farm to table.",
        codes=(("GTIN / LGTIN", "GS1 商品与批次", "GS1 products and lots"),),
        steps=(
            Step(
                "market_declaration",
                "市场申报",
                "market declaration",
                platform_step("market_declaration"),
                ("ObjectEvent",),
                (OBJECTS, MARKET, SUPPLIER, DECLARATION),
            ),
            Step(
                "product_inspection",
                "产品检验",
                "product inspection",
                platform_step("product_inspection"),
                ("ObjectEvent",),
                (OBJECTS, INSPECTION_RESULT, LABORATORY, REPORT),
            ),
            Step(
                "ticket_receiving",
                "索票索证进货",
                "receipt with tickets and certificates",
                platform_step("ticket_receiving"),
                ("ObjectEvent",),
                (OBJECTS, SUPPLIER, MARKET, INVOICE, CERTIFICATE),
                rules=(SUPPLIER_LICENSED, INSPECTION_PASSED),
            ),
            Step(
                "inspection_check",
                "监督查验",
                "inspector's check",
                platform_step("inspection_check"),
                ("ObjectEvent",),
                (OBJECTS, MARKET, INSPECTION_RESULT),
            ),
        ),
    )
)


def _receipts_refused(batch: CaptureBatch) -> None:
    from tracehub.sectors.services import market_access_refusals_report

    market_access_refusals_report(batch=batch)


# G1 市场准入: a refused receipt is reported to the bureau after its capture rolled back (issue #6
# item 2 "rejected with the reason, alert to the bureau").
register_refusal_hook(_receipts_refused, biz_steps=(PROFILE.step("ticket_receiving").biz_step,))
