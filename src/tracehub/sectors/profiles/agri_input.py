"""Farm inputs (农资, G5; 农业农村局): the sector profile — its steps and their data items.

Dealers' purchases and real-name sales (实名购销) and farms' usage filing (使用备案). Capture enforces
the data items below. The dealers' ledgers, real-name sale records, the catalogue and the
designated-outlet rule (高毒农药定点经营) are records of ``sectors.models_agri_input`` (written by
``services_agri_input``; docs/sectors/agri-input-records.md).
"""

from __future__ import annotations

from tracehub.sectors.profile import Field, FieldKind, Profile, Step, platform_step, registry, short_text
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
            ),
            Step(
                "input_usage",
                "使用备案",
                "usage filing",
                platform_step("input_usage"),
                ("ObjectEvent",),
                (OBJECTS, MARKET),
            ),
        ),
    )
)
