"""Farm produce (农产品, G4; 农业农村局): the sector profile — its steps and their data items.

The compliance certificate (食用农产品承诺达标合格证) issued per lot, rapid residue tests (快检) and
market inspection (市场查验). Capture enforces the data items below. The records beside the events —
plots, livestock farms, certificates (numbers allocated by the platform), rapid tests, market
inspections — and the information evaluation (信息评价) and coverage statistics are in
``models_agri``/``services_agri``/``selectors_agri`` (docs/sectors/agri-evaluation.md).
"""

from __future__ import annotations

from tracehub.sectors.profile import Field, FieldKind, Profile, Step, iso_date, platform_step, registry
from tracehub.sectors.profiles.meat_veg import INSPECTION_RESULT, MARKET, OBJECTS, ORIGIN, WEIGHT

CERTIFICATE = Field(
    "compliance_certificate",
    "承诺达标合格证",
    "compliance certificate",
    FieldKind.DOCUMENT,
    "produce_compliance_certificate",
    public=True,
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
COMMITMENTS = Field(
    "commitments",
    "承诺内容",
    "commitments",
    FieldKind.EXTENSION,
    "commitments",
    note_zh="如：不使用禁用农药兽药、遵守农药安全间隔期",
    note_en="e.g. no banned pesticides or veterinary drugs, pre-harvest intervals kept",
)

PROFILE = registry.register(
    Profile(
        sector="agri",
        zh="农产品",
        en="Farm produce",
        requirements=("G4",),
        department="agri",
        note_zh="农业农村局农产品追溯：主体备案、标识管理、产品检测、市场查验、信息评价。",
        note_en="The agriculture bureau's farm produce traceability: "
        "filing, labels, tests, market inspection, evaluation.",
        codes=(("urn:tracehub:lot:", "平台批次 URI", "platform lot URIs"),),
        steps=(
            Step(
                "certificate_issuing",
                "开具承诺达标合格证",
                "compliance certificate issue",
                platform_step("certificate_issuing"),
                ("ObjectEvent",),
                (OBJECTS, WEIGHT, CERTIFICATE, ORIGIN, PRODUCTION_DATE, COMMITMENTS),
            ),
            Step(
                "rapid_test",
                "农残快检",
                "rapid residue test",
                platform_step("rapid_test"),
                ("ObjectEvent",),
                (OBJECTS, INSPECTION_RESULT),
            ),
            Step(
                "market_inspection",
                "市场查验",
                "market inspection",
                platform_step("market_inspection"),
                ("ObjectEvent",),
                (OBJECTS, MARKET, CERTIFICATE),
            ),
        ),
    )
)
