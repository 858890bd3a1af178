"""Demo data of the liquor (G3) and enterprise full-chain (E2) subsystems: every step, entered
through the same services as the phone forms, the Excel import and the sectors API.

Liquor: a local distillery (厦门鹭峰酒业, 同安) bottles a lot of sorghum liquor with GS1 QR labels
allocated by the platform; a wholesaler (厦门鹭通酒类批发, 湖里) buys it with an accompanying slip
and sells on to a wine shop (醇境酒业, slip 2), which receives it against the slip and sells retail;
the wine importer (海韵进口酒业) labels the imported Bordeaux at source and ships it to a restaurant
(鹭江大酒楼, slip 3), which records what it serves. The operators are filed and publicly noticed
(the wine shop 鹭韵酒行's filing is still under review, so it is not on the public list); both
products are certified and promoted in the public catalogue (/liquor/catalogue/).

Enterprise: a central kitchen (厦门鹭味轩食品, 湖里) receives pork belly and soy sauce, cooks two
batches of braised pork topping by its recipe (the second with too little pork: a recipe mismatch),
monitors cooking (CCP1 ≥ 72 °C; the second batch reads 68 °C: a deviation) and cold storage
(CCP2 0-4 °C; 6.5 °C once: a deviation), moves the goods to its cold store and shop, ships to the
supermarket in a refrigerated truck and sells in its shop. Accounts ``demo-distillery``,
``demo-liquor-wholesaler`` and ``demo-kitchen`` share the demo password.

Idempotent: the events have fixed times; the shipments, whose slips are new each time, are entered
only while the seller has issued no slip.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from stdnum import ean

from tracehub.accounts.models import Role, Sector
from tracehub.demo import data as d
from tracehub.demo.events import BASE_DATE
from tracehub.registry import services as registry_services
from tracehub.registry.actors import Actor
from tracehub.registry.models import CodeAllocation, IdKind, Location, LocationKind, Party, PartyType, Product
from tracehub.registry.selectors import code_allocation_codes
from tracehub.sectors.demo import _recorder
from tracehub.sectors.models_enterprise import ControlPoint, Recipe
from tracehub.sectors.models_liquor import (
    LiquorFilingStatus,
    LiquorOperatorFiling,
    LiquorProduct,
    LiquorProductStatus,
    LiquorSlip,
)
from tracehub.sectors.services_enterprise import control_point_create, enterprise_step_record, recipe_create
from tracehub.sectors.services_liquor import (
    liquor_filing_approve,
    liquor_filing_submit,
    liquor_product_certify,
    liquor_product_register,
    liquor_step_record,
)

ACTOR = Actor.system("demo loader")
SHARED_PASSWORD_OF = "demo-operator"
DAY = 2  # days after BASE_DATE


def gtin13(prefix: str, item: str) -> str:
    body = prefix + item
    return body + ean.calc_check_digit(body)


def _at(clock: str, days: int = DAY) -> str:
    return f"{(BASE_DATE + dt.timedelta(days=days)).isoformat()} {clock}"


def _date(days: int = DAY) -> str:
    return (BASE_DATE + dt.timedelta(days=days)).isoformat()


# -- the parties of this demo ------------------------------------------------------------------------
DISTILLERY = {
    "key": "distillery",
    "name": "厦门鹭峰酒业有限公司",
    "name_en": "Xiamen Lufeng Distillery Co., Ltd.",
    "party_type": PartyType.MANUFACTURER,
    "uscc": d.make_uscc("91", "350212", "MA37L2F6"),
    "district": "350212",
    "prefix": "693466102",
    "sectors": [Sector.LIQUOR, Sector.FOOD],
    "site": ("001", "鹭峰酒业同安酒厂灌装车间", LocationKind.PLANT, "同安区西柯街道酒厂路8号"),
}
WHOLESALER = {
    "key": "liquor_wholesaler",
    "name": "厦门鹭通酒类批发有限公司",
    "name_en": "Xiamen Lutong Liquor Wholesale Co., Ltd.",
    "party_type": PartyType.WHOLESALER,
    "uscc": d.make_uscc("91", "350206", "MA38T4W1"),
    "district": "350206",
    "prefix": "693466215",
    "sectors": [Sector.LIQUOR],
    "site": ("001", "鹭通酒类批发湖里仓库", LocationKind.WAREHOUSE, "湖里区金尚路66号"),
}
RESTAURANT = {
    "key": "restaurant",
    "name": "厦门鹭江大酒楼有限公司",
    "name_en": "Xiamen Lujiang Restaurant Co., Ltd.",
    "party_type": PartyType.CATERING,
    "uscc": d.make_uscc("91", "350203", "MA39R5Q2"),
    "district": "350203",
    "prefix": "",
    "sectors": [Sector.LIQUOR, Sector.FOOD],
    "site": ("1", "鹭江大酒楼鹭江道店", LocationKind.SHOP, "思明区鹭江道88号"),
}
KITCHEN = {
    "key": "kitchen",
    "name": "厦门鹭味轩食品有限公司",
    "name_en": "Xiamen Luweixuan Foods Co., Ltd.",
    "party_type": PartyType.PROCESSOR,
    "uscc": d.make_uscc("91", "350206", "MA3AK7D3"),
    "district": "350206",
    "prefix": "693317208",
    "sectors": [Sector.ENTERPRISE, Sector.FOOD],
    "site": ("002", "鹭味轩中央厨房加工车间", LocationKind.PLANT, "湖里区护安路18号"),
}
KITCHEN_COLD_STORE = ("003", "鹭味轩中央厨房冷库", LocationKind.WAREHOUSE)
KITCHEN_SHOP = ("005", "鹭味轩枋湖门店", LocationKind.SHOP)

ACCOUNTS = {
    "demo-distillery": (Role.ENTERPRISE_ADMIN, "distillery"),
    "demo-liquor-wholesaler": (Role.ENTERPRISE_ADMIN, "liquor_wholesaler"),
    "demo-kitchen": (Role.ENTERPRISE_ADMIN, "kitchen"),
}


def site_id(spec: dict, ref: str) -> str:
    if spec["prefix"]:
        return f"urn:epc:id:sgln:{spec['prefix']}.{ref}.0"
    return f"urn:tracehub:loc:{spec['uscc']}:{ref}"


# -- the liquor steps -----------------------------------------------------------------------------
SORGHUM_GTIN = gtin13(DISTILLERY["prefix"], "010")
SORGHUM_LOT_NUMBER = f"L{_date().replace('-', '')[2:]}"
SORGHUM_LOT = f"https://id.gs1.org/01/{SORGHUM_GTIN.zfill(14)}/10/{SORGHUM_LOT_NUMBER}"
WINE_LOT_NUMBER = "BSC22-0419"
WINE_LOT = f"https://id.gs1.org/01/{(d.WINE.gtin or '').zfill(14)}/10/{WINE_LOT_NUMBER}"
LIQUOR_PLANT = site_id(DISTILLERY, "001")
LIQUOR_STORE = site_id(WHOLESALER, "001")
RESTAURANT_SITE = site_id(RESTAURANT, "1")


def liquor_labelling_steps(
    bottles: list[str], wine_codes: list[str] | None = None
) -> list[tuple[str, dict[str, str]]]:
    """The distillery's production of the coded lot and the importer's labelling of the wine at
    source (when the wine is in the demo registry with its codes)."""
    steps: list[tuple[str, dict[str, str]]] = [
        (
            "production",
            {
                "location": LIQUOR_PLANT,
                "lot": SORGHUM_LOT,
                "quantity": "12",
                "codes": ",".join(bottles),
                "production_date": _date(DAY - 1),
                "origin": "福建省厦门市同安区",
                "time": _at("08:00", DAY - 1),
            },
        ),
    ]
    if wine_codes is not None:
        steps.append(
            (
                "source_labelling",
                {
                    "location": d.IMPORTER_WAREHOUSE.id,
                    "lot": WINE_LOT,
                    "codes": ",".join(wine_codes),
                    "origin": "法国波尔多 Bordeaux, France",
                    "customs_declaration": "370020261000482913",
                    "time": _at("09:00", DAY - 1),
                },
            )
        )
    return steps


def liquor_shipments(*, with_wine: bool = True) -> list[tuple[str, str, str, str, str, str, str, str]]:
    """Each shipment with an accompanying slip: (origin site, buyer USCC, buyer's site, seller USCC,
    items, clock, consignor, vehicle plate). Each is two events: the sale and the buyer's receipt."""
    shipments = [
        (
            LIQUOR_PLANT,
            WHOLESALER["uscc"],
            LIQUOR_STORE,
            DISTILLERY["uscc"],
            f"{SORGHUM_LOT}=12@88",
            "10:00",
            "王建国",
            "闽D·3K721",
        ),
        (
            LIQUOR_STORE,
            d.WINE_SHOP_A.uscc or "",
            d.WINE_SHOP_A_STORE.id,
            WHOLESALER["uscc"],
            f"{SORGHUM_LOT}=6@108",
            "14:00",
            "陈丽",
            "闽D·5A208",
        ),
    ]
    if with_wine:
        shipments.append(
            (
                d.IMPORTER_WAREHOUSE.id,
                RESTAURANT["uscc"],
                RESTAURANT_SITE,
                d.IMPORTER.uscc or "",
                f"{WINE_LOT}=6@268",
                "15:00",
                "林海",
                "闽D·7F316",
            )
        )
    return shipments


def liquor_sales_steps(*, with_wine: bool = True) -> list[tuple[str, dict[str, str]]]:
    """The wine shop's retail sale and the restaurant's consumption of the wine."""
    steps = [
        (
            "retail",
            {
                "location": d.WINE_SHOP_A_STORE.id,
                "lot": SORGHUM_LOT,
                "quantity": "1",
                "unit_price": "138",
                "time": _at("18:20"),
            },
        )
    ]
    if with_wine:
        steps.append(
            (
                "consumption",
                {"location": RESTAURANT_SITE, "lot": WINE_LOT, "quantity": "2", "time": _at("19:30")},
            )
        )
    return steps


# -- the enterprise steps -------------------------------------------------------------------------
SOY_GTIN = gtin13(KITCHEN["prefix"], "201")
TOPPING_GTIN = gtin13(KITCHEN["prefix"], "101")
KITCHEN_DAY = _date().replace("-", "")
PORK_LOT = d.PORK_BELLY.lot(f"{_date(DAY - 1).replace('-', '')}-31")
KITCHEN_LINE = site_id(KITCHEN, "002")
KITCHEN_COLD = site_id(KITCHEN, KITCHEN_COLD_STORE[0])
KITCHEN_STORE = site_id(KITCHEN, KITCHEN_SHOP[0])


def enterprise_steps(*, pork_lot: str | None = PORK_LOT) -> list[tuple[str, dict[str, str]]]:
    """The central kitchen's steps, in order (the pork receipt and input when the demo registry
    holds the pork belly product)."""
    soy_lot = f"https://id.gs1.org/01/{SOY_GTIN.zfill(14)}/10/S{KITCHEN_DAY}"
    batch_a = f"https://id.gs1.org/01/{TOPPING_GTIN.zfill(14)}/10/{KITCHEN_DAY}A"
    batch_b = f"https://id.gs1.org/01/{TOPPING_GTIN.zfill(14)}/10/{KITCHEN_DAY}B"
    here, cold_id, shop_id = KITCHEN_LINE, KITCHEN_COLD, KITCHEN_STORE
    steps: list[tuple[str, dict[str, str]]] = []
    if pork_lot:
        steps.append(
            (
                "receiving",
                {
                    "location": here,
                    "supplier": d.SLAUGHTERHOUSE.uscc,
                    "lot": pork_lot,
                    "quantity": "30",
                    "uom": "KGM",
                    "time": _at("06:30"),
                },
            )
        )
    steps += [
        (
            "receiving",
            {
                "location": here,
                "supplier": d.SUPERMARKET.uscc,
                "lot": soy_lot,
                "quantity": "10",
                "uom": "KGM",
                "time": _at("06:40"),
            },
        ),
        (
            "production",
            {
                "location": here,
                "recipe": "R-LRF-01",
                "inputs": (f"{pork_lot}=12KGM;" if pork_lot else "") + f"{soy_lot}=3KGM",
                "output_lot": batch_a,
                "output_quantity": "20",
                "uom": "KGM",
                "production_date": _date(),
                "time": _at("09:00"),
            },
        ),
        (
            "control_point",
            {
                "location": here,
                "control_point": "CCP1",
                "lots": batch_a,
                "value": "78.5",
                "time": _at("09:10"),
            },
        ),
        (
            "production",
            {
                "location": here,
                "recipe": "R-LRF-01",
                "inputs": (f"{pork_lot}=4.5KGM;" if pork_lot else "") + f"{soy_lot}=1.5KGM",
                "output_lot": batch_b,
                "output_quantity": "10",
                "uom": "KGM",
                "production_date": _date(),
                "time": _at("10:00"),
            },
        ),
        (
            "control_point",
            {"location": here, "control_point": "CCP1", "lots": batch_b, "value": "68", "time": _at("10:10")},
        ),
        (
            "storing",
            {
                "location": cold_id,
                "lot": batch_a,
                "quantity": "20",
                "uom": "KGM",
                "from_location": here,
                "temperature": "2.5",
                "time": _at("11:00"),
            },
        ),
        (
            "storing",
            {
                "location": cold_id,
                "lot": batch_b,
                "quantity": "10",
                "uom": "KGM",
                "from_location": here,
                "temperature": "6.5",
                "time": _at("11:05"),
            },
        ),
        (
            "control_point",
            {
                "location": cold_id,
                "control_point": "CCP2",
                "lots": f"{batch_a},{batch_b}",
                "value": "3.1",
                "time": _at("12:00"),
            },
        ),
        ("transporting", {"location": cold_id, "lots": batch_a, "temperature": "3.4", "time": _at("13:30")}),
        (
            "shipping",
            {
                "location": cold_id,
                "customer": d.SUPERMARKET.uscc,
                "lot": batch_a,
                "quantity": "8",
                "uom": "KGM",
                "temperature": "3.2",
                "time": _at("13:40"),
            },
        ),
        (
            "storing",
            {
                "location": shop_id,
                "lot": batch_a,
                "quantity": "5",
                "uom": "KGM",
                "from_location": cold_id,
                "time": _at("14:30"),
            },
        ),
        (
            "sales",
            {"location": shop_id, "lot": batch_a, "quantity": "1.2", "uom": "KGM", "time": _at("18:00")},
        ),
    ]
    return steps


#: Events this module captures on a fresh store: one per liquor and enterprise step, two per slip.
EVENT_COUNT = (
    len(liquor_labelling_steps([], []))
    + 2 * len(liquor_shipments())
    + len(liquor_sales_steps())
    + len(enterprise_steps())
)


def _party(spec: dict) -> Party:
    party = Party.objects.filter(uscc=spec["uscc"]).first()
    if party is None:
        party = registry_services.party_create(
            actor=ACTOR,
            name=spec["name"],
            name_en=spec["name_en"],
            party_type=spec["party_type"],
            id_kind=IdKind.USCC,
            uscc=spec["uscc"],
            sectors=spec["sectors"],
            district=spec["district"],
            address=spec["site"][3],
            company_prefixes=[spec["prefix"]] if spec["prefix"] else [],
        )
        filing = registry_services.filing_submit(actor=ACTOR, party=party, note="示范数据 demo data")
        registry_services.filing_approve(actor=ACTOR, filing=filing, reason="示范数据 demo data")
        party.refresh_from_db()
    _location(party, spec, spec["site"][0], spec["site"][1], spec["site"][2])
    return party


def _location(party: Party, spec: dict, ref: str, name: str, kind: str) -> Location:
    identifier = site_id(spec, ref)
    location = Location.objects.filter(identifier=identifier).first()
    if location is None:
        location = registry_services.location_create(
            actor=ACTOR,
            party=party,
            identifier=identifier,
            name=name,
            kind=kind,
            address=spec["site"][3],
            district=spec["district"],
        )
    return location


def _product(party: Party, gtin: str, name: str, sectors, **fields) -> Product:
    product = (
        Product.objects.filter(gtin=gtin.zfill(14)).first()
        or Product.objects.filter(key=f"01/{gtin.zfill(14)}").first()
    )
    if product is None:
        product = registry_services.product_create(
            actor=ACTOR, party=party, name=name, sectors=sectors, gtin=gtin, **fields
        )
    return product


def _accounts(parties: dict[str, Party]) -> list[tuple[str, str]]:
    users = get_user_model().objects
    shared = users.filter(username=SHARED_PASSWORD_OF).values_list("password", flat=True).first()
    out = []
    for username, (role, key) in ACCOUNTS.items():
        if not users.filter(username=username).exists():
            registry_services.party_member_add(
                actor=ACTOR, party=parties[key], username=username, password=None, role=role
            )
        out.append((username, parties[key].name))
    if shared:
        users.filter(username__in=list(ACCOUNTS)).update(password=shared)
    return out


def _filed(party: Party, kind: str, *, approve: bool = True) -> LiquorOperatorFiling:
    filing = LiquorOperatorFiling.objects.filter(
        party=party, status__in=[LiquorFilingStatus.SUBMITTED, LiquorFilingStatus.APPROVED]
    ).first()
    if filing is None:
        filing = liquor_filing_submit(actor=ACTOR, party=party, kind=kind, premises=party.address)
    if approve and filing.status == LiquorFilingStatus.SUBMITTED:
        filing = liquor_filing_approve(actor=ACTOR, filing=filing)
    return filing


def _certified(product: Product, producer: str, volume: int, origin: str, certificate: str) -> LiquorProduct:
    info = LiquorProduct.objects.filter(product=product).first() or liquor_product_register(
        actor=ACTOR, product=product, producer_name=producer, volume_ml=volume, origin=origin
    )
    if info.status != LiquorProductStatus.CERTIFIED:
        info = liquor_product_certify(actor=ACTOR, info=info, certificate_number=certificate, promoted=True)
    return info


def _codes(party: Party, product: Product, lot: str, count: int) -> list[str]:
    """GS1 serials allocated (赋码) for a lot, as SGTIN Digital Link URIs; once per lot."""
    allocation = CodeAllocation.objects.filter(product=product, lot=lot).first()
    if allocation is None:
        allocation = registry_services.code_allocation_create(
            actor=ACTOR, party=party, product=product, count=count, scheme="gs1", lot=lot
        )
    return [
        f"https://id.gs1.org/01/{product.gtin.zfill(14)}/21/{s}" for s in code_allocation_codes(allocation)
    ]


def _liquor(lines: list[str]) -> dict[str, Party]:
    distillery, wholesaler, restaurant = _party(DISTILLERY), _party(WHOLESALER), _party(RESTAURANT)
    importer = Party.objects.get(uscc=d.IMPORTER.uscc)
    shop_a = Party.objects.get(uscc=d.WINE_SHOP_A.uscc)
    shop_b = Party.objects.get(uscc=d.WINE_SHOP_B.uscc)
    for party, kind in (
        (distillery, "producer"),
        (wholesaler, "wholesaler"),
        (importer, "importer"),
        (shop_a, "retailer"),
        (restaurant, "catering"),
    ):
        filing = _filed(party, kind)
        lines.append(f"  liquor filing {filing.number} {party.name}")
    _filed(shop_b, "retailer", approve=False)
    sorghum = _product(
        distillery,
        SORGHUM_GTIN,
        "鹭峰清香型高粱酒 52%vol 500ml",
        [Sector.LIQUOR, Sector.FOOD],
        name_en="Lufeng sorghum liquor 52% vol, 500 ml",
        brand="鹭峰",
        category="白酒",
        specification="500ml",
        unit="H87",
        attributes={"alcohol_strength": "52", "origin_region": "福建省厦门市同安区"},
    )
    _certified(sorghum, DISTILLERY["name"], 500, "福建省厦门市同安区", "XMJL-2026-0017")
    wine = Product.objects.filter(gtin=(d.WINE.gtin or "").zfill(14)).first()
    if wine is not None and not wine.brand:
        wine = registry_services.product_update(
            actor=ACTOR, product=wine, brand="Château Belvue-Sainte-Croix"
        )
    if wine is not None:
        _certified(
            wine, "SCEA Château Belvue-Sainte-Croix", 750, "法国波尔多 Bordeaux, France", "XMJL-2026-0021"
        )

    bottles = _codes(distillery, sorghum, SORGHUM_LOT_NUMBER, 12)
    wine_codes = None
    if wine is not None and hasattr(wine, "liquor"):
        wine_codes = _codes(wine.party, wine, WINE_LOT_NUMBER, 6)
    recorder = _recorder()
    for step, data in liquor_labelling_steps(bottles, wine_codes):
        result = liquor_step_record(actor=recorder, step=step, data=data)
        lines.append(f"  liquor {step:<17} {'stored' if result.captured else 'already stored'}")
    if not LiquorSlip.objects.filter(seller=distillery).exists():
        parties = {p.uscc: p for p in (distillery, wholesaler, restaurant, importer, shop_a)}
        for origin_site, buyer, buyer_site, seller, items, clock, consignor, plate in liquor_shipments(
            with_wine=wine_codes is not None
        ):
            sale = liquor_step_record(
                actor=recorder,
                step="wholesale",
                data={
                    "location": origin_site,
                    "buyer": buyer,
                    "items": items,
                    "consignor": consignor,
                    "carrier": "厦门鹭运物流有限公司",
                    "vehicle_plate": plate,
                    "time": _at(clock),
                },
            )
            liquor_step_record(
                actor=recorder,
                step="receiving",
                data={
                    "location": buyer_site,
                    "supplier": seller,
                    "slip": sale.extra["slip"],
                    "time": _at(clock.replace(":00", ":50")),
                },
            )
            names = f"{parties[seller].name} → {parties[buyer].name}"
            lines.append(f"  liquor slip {sale.extra['slip']}: {names}, received")
        for step, data in liquor_sales_steps(with_wine=wine_codes is not None):
            liquor_step_record(actor=recorder, step=step, data=data)
        lines.append("  liquor retail and consumption stored")
    return {"distillery": distillery, "liquor_wholesaler": wholesaler}


def _enterprise(lines: list[str]) -> Party:
    kitchen = _party(KITCHEN)
    line = Location.objects.get(identifier=site_id(KITCHEN, "002"))
    cold = _location(kitchen, KITCHEN, *KITCHEN_COLD_STORE)
    _location(kitchen, KITCHEN, *KITCHEN_SHOP)
    soy = _product(
        kitchen,
        SOY_GTIN,
        "卤汁酱油（原料）",
        [Sector.ENTERPRISE, Sector.FOOD],
        name_en="braising soy sauce (raw material)",
        unit="KGM",
    )
    topping = _product(
        kitchen,
        TOPPING_GTIN,
        "鹭味轩卤肉饭浇头",
        [Sector.ENTERPRISE, Sector.FOOD],
        name_en="Luweixuan braised pork rice topping",
        brand="鹭味轩",
        unit="KGM",
        shelf_life_days=5,
    )
    pork = Product.objects.filter(gtin=(d.PORK_BELLY.gtin or "").zfill(14)).first()
    if not Recipe.objects.filter(party=kitchen, code="R-LRF-01").exists():
        recipe_lines = [{"product": soy, "quantity": "0.15", "uom": "KGM", "tolerance": "10"}]
        if pork is not None:
            recipe_lines.insert(0, {"product": pork, "quantity": "0.6", "uom": "KGM", "tolerance": "5"})
        recipe_create(
            actor=ACTOR,
            party=kitchen,
            code="R-LRF-01",
            name="卤肉饭浇头标准配方",
            output_product=topping,
            output_uom="KGM",
            lines=recipe_lines,
        )
    if not ControlPoint.objects.filter(party=kitchen).exists():
        control_point_create(
            actor=ACTOR,
            party=kitchen,
            code="CCP1",
            name="蒸煮中心温度",
            minimum="72",
            hazard="致病菌存活",
            location=line,
        )
        control_point_create(
            actor=ACTOR,
            party=kitchen,
            code="CCP2",
            name="冷藏温度",
            minimum="0",
            maximum="4",
            hazard="致病菌繁殖",
            location=cold,
        )
    _codes(kitchen, topping, f"{KITCHEN_DAY}A", 40)  # a QR code per 500 g pack of batch A (赋码)
    recorder = _recorder()
    for step, data in enterprise_steps(pork_lot=PORK_LOT if pork is not None else None):
        result = enterprise_step_record(actor=recorder, step=step, data=data)
        lines.append(
            f"  enterprise {step:<13} {'stored' if result.captured else 'already stored'}"
            + (f", {result.extra.get('findings')} finding(s)" if result.extra.get("findings") else "")
        )
    return kitchen


def load_g3_e2_demo() -> list[str]:
    """Enter the liquor and enterprise demo (see the module docstring); lines describing what was done."""
    lines: list[str] = []
    with transaction.atomic():
        parties = _liquor(lines)
        parties["kitchen"] = _enterprise(lines)
        accounts = _accounts(parties)
    lines += [f"  account {username}: {name}" for username, name in accounts]
    return lines
