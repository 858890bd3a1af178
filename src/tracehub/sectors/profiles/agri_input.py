"""Farm inputs (农资, G5; 农业农村局): the sector profile — its steps and their data items.

Dealers' purchases and real-name sales (实名购销) and farms' usage filing (使用备案). Capture enforces
the data items below. The dealers' ledgers, real-name sale records, the catalogue and the
designated-outlet rule (高毒农药定点经营) are records of ``sectors.models_agri_input`` (written by
``services_agri_input``; docs/sectors/agri-input-records.md).

Capture enforces one rule on a sale, whoever captures it (the ledgers or a raw ``/epcis/capture``):
a highly toxic pesticide (高毒农药, by the catalogue) is sold only where a designated outlet
(定点经营) holds or operates the sale's location on the sale's date (``designated_outlet``).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_noop

from tracehub.epcis.profiles import ProfileError, register_refusal_hook
from tracehub.identifiers import IdentifierError, canonical_key
from tracehub.sectors.messages import define, message, profile_error
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
from tracehub.sectors.profiles.meat_veg import MARKET, OBJECTS, SUPPLIER

BUYER_RECORD = Field(
    "buyer_record",
    "实名购买记录",
    "real-name purchase record",
    FieldKind.EXTENSION,
    "buyerRecord",
    note_zh="经营者实名记录的 URI；事件不含买方姓名或身份证号",
    note_en="URI of the dealer's real-name record; events never carry the buyer's name or ID number",
)
REGISTRATION = Field(
    "registration_number",
    "农药登记证号",
    "registration number",
    FieldKind.EXTENSION,
    "registrationNumber",
    public=True,
    validator=short_text,
)
INVOICE = Field("invoice", "进货票据", "purchase invoice", FieldKind.TRANSACTION, "inv")
USAGE_RECORD = Field(
    "usage_record",
    "使用备案记录",
    "usage filing record",
    FieldKind.EXTENSION,
    "usageRecord",
    required=False,
    note_zh="农场使用备案记录的 URI（地块、防治对象、安全间隔期在记录中）",
    note_en="URI of the farm's usage filing (plot, target and pre-harvest interval are in the record)",
)


def designated_outlet(ctx: CheckContext) -> list[ProfileError]:
    """高毒农药定点经营: a sale of a highly toxic pesticide (by the catalogue) happens at a location held
    or operated by a designated outlet on the sale's date."""
    from tracehub.registry.models import Location
    from tracehub.sectors.models_agri_input import AgriInputProduct, DesignatedOutlet
    from tracehub.sectors.services_agri_input import normalize_registration

    number = normalize_registration(ctx.values.get("registration_number") or "")
    product = AgriInputProduct.objects.filter(registration_number=number, highly_toxic=True).first()
    if product is None:
        return []
    day = timezone.localtime(ctx.normalized.event_time).date()
    site = ctx.values.get("market")
    location = None
    if isinstance(site, str):
        try:
            location = Location.objects.filter(key=canonical_key(site)).first()
        except IdentifierError:
            location = None
    dealers = [p for p in (location.party_id, location.operator_id) if p] if location else []
    outlets = DesignatedOutlet.objects.filter(dealer_id__in=dealers, valid_from__lte=day)
    if any(o.valid_on(day) for o in outlets):
        return []
    where = message(
        "designated_outlet:dealer_of" if location is not None else "designated_outlet:unregistered", site=site
    )
    return [
        profile_error(
            "bizLocation.id", "designated_outlet", number=number, product=product.name, where=where, day=day
        )
    ]


#: The rule's messages (tracehub.sectors.messages: translated on pages, English to clients).
MESSAGES = define(
    {
        "designated_outlet": gettext_noop(
            "designated outlet rule (高毒农药定点经营): %(number)s %(product)s is a highly toxic "
            "pesticide; %(where)s is not a designated outlet on %(day)s"
        ),
        "designated_outlet:dealer_of": gettext_noop("the dealer of %(site)s"),
        "designated_outlet:unregistered": gettext_noop("%(site)s (not a registered location)"),
    }
)


DESIGNATED_OUTLET = Rule(
    "designated_outlet",
    "高毒农药定点经营：高毒农药仅由销售当日的定点经营者销售",
    "a highly toxic pesticide is sold only by a dealer designated as its outlet on the day of the sale",
    designated_outlet,
)

PROFILE = registry.register(
    Profile(
        sector="agri_input",
        zh="农资",
        en="Farm inputs",
        requirements=("G5",),
        department="agri",
        note_zh="农药、肥料、种子、兽药：电子台账、实名购销、使用备案、高毒农药定点经营。",
        note_en="Pesticides, fertilisers, seeds, veterinary drugs: "
        "ledgers, real-name sales, usage filing, designated outlets.",
        codes=(
            ("urn:tracehub:code:pesticide:", "农药单元识别代码（32 位）", "pesticide unit codes (32 digits)"),
        ),
        steps=(
            Step(
                "input_purchasing",
                "农资进货",
                "input purchase",
                platform_step("input_purchasing"),
                ("ObjectEvent",),
                (OBJECTS, SUPPLIER, MARKET, INVOICE),
            ),
            Step(
                "input_selling",
                "实名销售",
                "real-name sale",
                platform_step("input_selling"),
                ("ObjectEvent",),
                (OBJECTS, MARKET, BUYER_RECORD, REGISTRATION),
                rules=(DESIGNATED_OUTLET,),
            ),
            Step(
                "input_usage",
                "使用备案",
                "usage filing",
                platform_step("input_usage"),
                ("ObjectEvent",),
                (OBJECTS, MARKET, USAGE_RECORD),
                note_zh="农场在自有地块上使用农资的备案，事件记在地块所在场所。",
                note_en="A farm's use of a farm input on one of its plots, captured at the plot's site.",
            ),
        ),
    )
)


def _sales_refused(batch) -> None:
    from tracehub.sectors.services_agri_input import designated_outlet_refusals_report

    designated_outlet_refusals_report(batch=batch)


# G5 高毒农药定点经营: a raw capture of a sale the designated-outlet rule refused is reported to the
# agriculture bureau after its rollback (issue #6 item 4 "rejected at capture and raises an alert").
register_refusal_hook(_sales_refused, biz_steps=(PROFILE.step("input_selling").biz_step,))
