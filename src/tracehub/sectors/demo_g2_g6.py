"""The drug (G2) and imported-food (G6) part of the demo data set: every step of both profiles,
entered through the same service as the phone forms, the Excel import and the sectors API.

Drugs: the drug information of the demo ibuprofen (批准文号, 本位码, package levels), a hospital in
集美 with its practice licence, two enforcement cases; a new lot of 12 packs is coded, packed in
three cartons and one case, shipped to the distributor, unpacked, and a carton shipped to each of
pharmacy A (思明), pharmacy B (湖里) and the hospital (集美), which receive and open them; pharmacy A
sells a pack, the hospital uses one, and pharmacy B dispenses a pack carrying the same code as the
one pharmacy A sold — a copied code, stored and flagged (重复核销预警).

Imported food: the China registrations of the Bordeaux winery and of a New Zealand dairy (a new
foreign exporter with its infant milk powder); a second wine lot and a milk powder lot each go
from the exporter's shipment through inspection (通检) and clearance (通关) to the importer's
receipt with its import record, a shipment to a shop (the import sales record), its receipt and a
retail sale on a Xiamen shelf.

Idempotent: fixed times, so a second run stores nothing new.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tracehub.accounts.models import Sector
from tracehub.demo import data as d
from tracehub.demo.events import BASE_DATE
from tracehub.epcis.services import capture_document_store
from tracehub.registry import services as registry_services
from tracehub.registry.actors import Actor
from tracehub.registry.models import IdKind, Location, LocationKind, Party, PartyType, Product
from tracehub.sectors import entry
from tracehub.sectors.demo import _recorder
from tracehub.sectors.models_drug import DrugCase, DrugInfo, MedicalLicence
from tracehub.sectors.models_import import ForeignProducer
from tracehub.sectors.services import step_record
from tracehub.sectors.services_drug import drug_case_create, drug_info_set, medical_licence_create
from tracehub.sectors.services_import import foreign_producer_create

ACTOR = Actor.system("demo loader")
DAY = 3  # days after BASE_DATE

HOSPITAL_USCC = d.make_uscc("12", "350211", "48850219")
HOSPITAL_SITE = f"urn:tracehub:loc:{HOSPITAL_USCC}:1"
DRUG_LOT = "2611151"
DRUG_PACKS = [d.DRUG.instance(f"7{n:011d}") for n in range(1, 13)]
DRUG_CARTONS = [d.DRUG_MAKER.sscc(n, extension="5") for n in range(1, 4)]
DRUG_CASE = d.DRUG_MAKER.sscc(1, extension="6")

WINE_PRODUCER = "CIFR2022FRA01537"
WINE_BOTTLES = [d.WINE.instance(f"23C{n:05d}") for n in range(1, 7)]
WINE_CASE = d.WINERY.sscc(1, extension="7")
WINE_LOT = "L2023-07"
WINE_DECLARATION = "370020261000512846"

DAIRY_PREFIX = "9421905"
DAIRY_NAME = "Southern Alps Dairy Limited"
DAIRY_PRODUCER = "CIFR2021NZL00215"
DAIRY_GTIN = d.with_check_digit("0" + DAIRY_PREFIX + "00012")
DAIRY_SITE = f"urn:epc:id:sgln:{DAIRY_PREFIX}.00001.0"
DAIRY_PGLN = f"urn:epc:id:pgln:{DAIRY_PREFIX}.00000"
MILK_TINS = [f"urn:epc:id:sgtin:{DAIRY_PREFIX}.000012.M{n:05d}" for n in range(1, 7)]
MILK_CASE = f"urn:epc:id:sscc:{DAIRY_PREFIX}.0{1:09d}"
MILK_LOT = "NZ261020A"
MILK_DECLARATION = "370020261000513057"


def _at(days: int, clock: str) -> str:
    return f"{(BASE_DATE + dt.timedelta(days=days)).isoformat()} {clock}"


def _iso(days: int) -> str:
    return (BASE_DATE + dt.timedelta(days=days)).isoformat()


def _filed(party: Party) -> Party:
    if party.filing_status != "approved":
        filing = registry_services.filing_submit(actor=ACTOR, party=party, note="示范数据 demo data")
        registry_services.filing_approve(actor=ACTOR, filing=filing, reason="示范数据 demo data")
        party.refresh_from_db()
    return party


# -- drugs ------------------------------------------------------------------------------------------


def _hospital() -> Party:
    party = Party.objects.filter(uscc=HOSPITAL_USCC).first()
    if party is None:
        party = registry_services.party_create(
            actor=ACTOR,
            name="厦门市集美区杏林医院",
            name_en="Xinglin Hospital, Jimei",
            party_type=PartyType.HOSPITAL,
            id_kind=IdKind.USCC,
            uscc=HOSPITAL_USCC,
            sectors=[Sector.DRUG],
            district="350211",
            address="集美区杏林南路36号",
        )
    _filed(party)
    if not Location.objects.filter(identifier=HOSPITAL_SITE).exists():
        registry_services.location_create(
            actor=ACTOR,
            party=party,
            identifier=HOSPITAL_SITE,
            name="杏林医院药剂科",
            name_en="Xinglin Hospital pharmacy department",
            kind=LocationKind.PHARMACY,
            address="集美区杏林南路36号",
            district="350211",
        )
    if not MedicalLicence.objects.filter(party=party).exists():
        medical_licence_create(
            actor=ACTOR,
            party=party,
            number="48850219335021115A1001",
            issuer="厦门市集美区卫生健康局",
            # Dated from the demo day, as the registry demo dates its licences from the load day
            # (issue #6 item 7): the dispensing events fall inside it whatever day the demo is loaded.
            valid_from=BASE_DATE - dt.timedelta(days=1721),
            valid_until=BASE_DATE + dt.timedelta(days=104),
        )
    return party


def _drug_records(hospital: Party) -> None:
    product = Product.objects.get(gtin=d.DRUG.gtin)
    maker = Party.objects.get(uscc=d.DRUG_MAKER.uscc)
    if not DrugInfo.objects.filter(product=product).exists():
        drug_info_set(
            actor=ACTOR,
            product=product,
            holder=maker,
            approval_number="国药准字H35021187",
            standard_code="86901873000128",
            drug_code="8190521",
            dosage_form="胶囊剂",
            strength="0.3g×20粒",
            package_levels=[
                {"level": "pack", "unit": "盒"},
                {"level": "carton", "unit": "中包", "contains": 4},
                {"level": "case", "unit": "箱", "contains": 3},
            ],
        )
    pharmacy_b = Party.objects.get(uscc=d.PHARMACY_B.uscc)
    distributor = Party.objects.get(uscc=d.DRUG_DISTRIBUTOR.uscc)
    cases = [
        (
            pharmacy_b,
            "厦湖市监处罚〔2026〕117号",
            BASE_DATE - dt.timedelta(days=157),
            "未按规定核销药品追溯码，销售记录不完整",
            "警告，罚款人民币二万元",
            "20000",
            "decided",
        ),
        (
            distributor,
            "厦市监药案〔2026〕043号",
            BASE_DATE - dt.timedelta(days=17),
            "冷链药品储存温度记录缺失（涉嫌违反药品经营质量管理规范）",
            "",
            "0",
            "open",
        ),
    ]
    for party, number, opened, violation, decision, penalty, status in cases:
        if not DrugCase.objects.filter(number=number).exists():
            drug_case_create(
                actor=ACTOR,
                party=party,
                number=number,
                opened_on=opened,
                violation=violation,
                decision=decision,
                penalty=penalty,
                status=status,
                product=Product.objects.get(gtin=d.DRUG.gtin),
            )
    del hospital


def drug_steps() -> list[tuple[str, dict[str, str]]]:
    """Every drug step of the demo lot, in order (also the tests' valid entries)."""
    maker, distributor = d.DRUG_MAKER, d.DRUG_DISTRIBUTOR
    steps: list[tuple[str, dict[str, str]]] = [
        (
            "commissioning",
            {
                "location": d.DRUG_PACKAGING_LINE.id,
                "packs": ",".join(DRUG_PACKS),
                "lot": DRUG_LOT,
                "expiry": _iso(715),  # the core drug chain's expiry (demo/events.py), from the demo day
                "production_date": _iso(DAY - 4),
                "time": _at(DAY - 4, "09:10"),
            },
        )
    ]
    for n, carton in enumerate(DRUG_CARTONS):
        steps.append(
            (
                "packing",
                {
                    "location": d.DRUG_PACKAGING_LINE.id,
                    "parent": carton,
                    "children": ",".join(DRUG_PACKS[4 * n : 4 * n + 4]),
                    "time": _at(DAY - 4, f"09:{20 + n}"),
                },
            )
        )
    steps += [
        (
            "packing",
            {
                "location": d.DRUG_PACKAGING_LINE.id,
                "parent": DRUG_CASE,
                "children": ",".join(DRUG_CARTONS),
                "time": _at(DAY - 4, "09:30"),
            },
        ),
        (
            "shipping",
            {
                "location": d.DRUG_WAREHOUSE.id,
                "receiver": distributor.uscc or "",
                "units": DRUG_CASE,
                "invoice": "DN20261115-088",
                "time": _at(DAY - 3, "08:00"),
            },
        ),
        (
            "receiving",
            {
                "location": d.DISTRIBUTOR_WAREHOUSE.id,
                "supplier": maker.uscc or "",
                "units": DRUG_CASE,
                "invoice": "DN20261115-088",
                "time": _at(DAY - 3, "13:00"),
            },
        ),
        (
            "unpacking",
            {"location": d.DISTRIBUTOR_WAREHOUSE.id, "parent": DRUG_CASE, "time": _at(DAY - 3, "14:00")},
        ),
    ]
    destinations = [
        (d.PHARMACY_A.uscc, d.PHARMACY_A_STORE.id, "08:30"),
        (d.PHARMACY_B.uscc, d.PHARMACY_B_STORE.id, "08:40"),
        (HOSPITAL_USCC, HOSPITAL_SITE, "08:50"),
    ]
    for carton, (uscc, site, clock) in zip(DRUG_CARTONS, destinations, strict=True):
        steps += [
            (
                "shipping",
                {
                    "location": d.DISTRIBUTOR_WAREHOUSE.id,
                    "receiver": uscc or "",
                    "units": carton,
                    "time": _at(DAY - 2, clock),
                },
            ),
            (
                "receiving",
                {
                    "location": site,
                    "supplier": distributor.uscc or "",
                    "units": carton,
                    "time": _at(DAY - 2, clock.replace("08", "11")),
                },
            ),
            (
                "unpacking",
                {"location": site, "parent": carton, "time": _at(DAY - 2, clock.replace("08", "12"))},
            ),
        ]
    steps += [
        (
            "dispensing",
            {
                "location": d.PHARMACY_A_STORE.id,
                "packs": DRUG_PACKS[0],
                "dispense_type": "retail",
                "time": _at(DAY - 1, "10:05"),
            },
        ),
        (
            "dispensing",
            {
                "location": HOSPITAL_SITE,
                "packs": DRUG_PACKS[8],
                "dispense_type": "hospital_use",
                "time": _at(DAY - 1, "15:20"),
            },
        ),
        # A copied code: pharmacy B "sells" the pack pharmacy A sold yesterday — stored and flagged.
        (
            "dispensing",
            {
                "location": d.PHARMACY_B_STORE.id,
                "packs": DRUG_PACKS[0],
                "dispense_type": "retail",
                "time": _at(DAY, "09:45"),
            },
        ),
    ]
    return steps


# -- imported food ----------------------------------------------------------------------------------


def _dairy() -> tuple[Party, Product]:
    party = Party.objects.filter(name=DAIRY_NAME, id_kind=IdKind.FOREIGN).first()
    if party is None:
        party = registry_services.party_create(
            actor=ACTOR,
            name=DAIRY_NAME,
            name_en=DAIRY_NAME,
            party_type=PartyType.FOREIGN_EXPORTER,
            id_kind=IdKind.FOREIGN,
            foreign_id="NZBN 9429041234567",
            country="NZ",
            sectors=[Sector.IMPORT_FOOD],
            address="12 Dairy Road, Timaru 7910, New Zealand",
            pgln=DAIRY_PGLN,
            company_prefixes=[DAIRY_PREFIX],
        )
    _filed(party)
    if not Location.objects.filter(identifier=DAIRY_SITE).exists():
        registry_services.location_create(
            actor=ACTOR,
            party=party,
            identifier=DAIRY_SITE,
            name="Southern Alps Dairy, Timaru plant",
            kind=LocationKind.PLANT,
            address="12 Dairy Road, Timaru, New Zealand",
        )
    product = Product.objects.filter(gtin=DAIRY_GTIN).first()
    if product is None:
        product = registry_services.product_create(
            actor=ACTOR,
            party=party,
            gtin=DAIRY_GTIN,
            name="南阿尔卑斯较大婴儿配方奶粉（6-12月龄，2段）800克",
            name_en="Southern Alps follow-on formula stage 2, 800 g",
            brand="Southern Alps",
            specification="800克/罐",
            unit="H87",
            shelf_life_days=730,
            sectors=[Sector.IMPORT_FOOD, Sector.FOOD],
            attributes={"origin_country": "NZ"},
        )
    return party, product


def _producers() -> None:
    for number, name, name_zh, country, products in (
        (WINE_PRODUCER, "SCEA Château Belvue-Sainte-Croix", "贝尔维圣十字城堡", "FR", "葡萄酒"),
        (DAIRY_PRODUCER, DAIRY_NAME, "南阿尔卑斯乳业有限公司", "NZ", "婴幼儿配方乳粉"),
    ):
        if not ForeignProducer.objects.filter(registration_number=number).exists():
            foreign_producer_create(
                actor=ACTOR,
                registration_number=number,
                name=name,
                name_zh=name_zh,
                country=country,
                products=products,
                valid_until=BASE_DATE + dt.timedelta(days=410),  # registered past the demo's imports
            )


def exporter_events(
    *, site: str, items: list[str], case: str, lot: str, when: str, extra_ilmd: dict
) -> list[dict[str, Any]]:
    """The foreign exporter's own system: items coded and packed (plain EPCIS capture)."""
    return [
        {
            "type": "ObjectEvent",
            "eventTime": when,
            "eventTimeZoneOffset": when[-6:],
            "epcList": items,
            "action": "ADD",
            "bizStep": "commissioning",
            "disposition": "active",
            "readPoint": {"id": site},
            "bizLocation": {"id": site},
            "ilmd": {"cbvmda:lotNumber": lot, **extra_ilmd},
        },
        {
            "type": "AggregationEvent",
            "eventTime": when.replace("T10:", "T11:"),
            "eventTimeZoneOffset": when[-6:],
            "parentID": case,
            "childEPCs": items,
            "action": "ADD",
            "bizStep": "packing",
            "disposition": "in_progress",
            "readPoint": {"id": site},
            "bizLocation": {"id": site},
        },
    ]


def _exporter_events(**exporter: Any) -> None:
    outcome = capture_document_store(
        client=_recorder().client, document=entry.document(exporter_events(**exporter))
    )
    if outcome.errors:
        raise RuntimeError(f"G6 demo: exporter events refused: {outcome.errors[:3]}")


def unpacking_event(*, site: str, case: str, when: str = f"{_iso(DAY - 1)}T16:00:00+08:00") -> dict[str, Any]:
    """The shop opens the case before its retail sale (plain EPCIS capture)."""
    return {
        "type": "AggregationEvent",
        "eventTime": when,
        "eventTimeZoneOffset": "+08:00",
        "parentID": case,
        "action": "DELETE",
        "bizStep": "unpacking",
        "disposition": "sellable_accessible",
        "readPoint": {"id": site},
        "bizLocation": {"id": site},
    }


def _unpack(*, site: str, case: str) -> None:
    event = unpacking_event(site=site, case=case)
    outcome = capture_document_store(client=_recorder().client, document=entry.document([event]))
    if outcome.errors:
        raise RuntimeError(f"G6 demo: unpacking refused: {outcome.errors[:3]}")


def import_chain_steps(
    *,
    exporter_site: str,
    exporter: str,
    case: str,
    lot_class: str,
    record: dict[str, str],
    shop: str,
    shop_site: str,
    item: str,
    day: int,
) -> list[tuple[str, dict[str, str]]]:
    """The steps of one imported lot from the exporter's shipment to a retail sale in Xiamen."""
    importer, port = d.IMPORTER, d.PORT_INSPECTION_SITE.id
    return [
        (
            "shipping",
            {
                "location": exporter_site,
                "buyer": importer.uscc or "",
                "goods": case,
                "time": _at(day - 30, "16:00"),
            },
        ),
        (
            "import_inspection",
            {
                "location": port,
                "goods": case,
                "inspection_certificate": record["inspection_certificate"],
                "health_certificate": record["health_certificate"],
                "time": _at(day - 4, "10:30"),
            },
        ),
        (
            "customs_clearance",
            {
                "location": port,
                "goods": case,
                "declaration": record["declaration"],
                "inspection_certificate": record["inspection_certificate"],
                "time": _at(day - 3, "15:00"),
            },
        ),
        (
            "import_receiving",
            {
                "location": d.IMPORTER_WAREHOUSE.id,
                "exporter": exporter,
                "goods": case,
                "lot_class": lot_class,
                **record,
                "time": _at(day - 2, "10:00"),
            },
        ),
        (
            "shipping",
            {
                "location": d.IMPORTER_WAREHOUSE.id,
                "buyer": shop,
                "goods": case,
                "invoice": f"XS{record['lot']}",
                "time": _at(day - 1, "09:00"),
            },
        ),
        (
            "receiving",
            {
                "location": shop_site,
                "supplier": importer.uscc or "",
                "goods": case,
                "time": _at(day - 1, "15:00"),
            },
        ),
        ("retail", {"location": shop_site, "goods": item, "time": _at(day, "19:30")}),
    ]


WINE_RECORD = {
    "name": "贝尔维圣十字城堡波尔多超级干红葡萄酒 2022",
    "brand": "Château Belvue-Sainte-Croix",
    "specification": "750毫升/瓶，13.5%vol",
    "quantity": "6",
    "unit": "H87",
    "value": "1260",
    "lot": WINE_LOT,
    "production_date": "2023-07-12",
    "origin_country": "FR",
    "exporting_country": "FR",
    "producer": WINE_PRODUCER,
    "contract": "HY-FR-2026-031",
    "port_of_entry": "厦门海沧港",
    "declaration": WINE_DECLARATION,
    "inspection_certificate": "370100226041533",
    "health_certificate": "FR-33-2026-051877",
    "entry_date": _iso(DAY - 4),
}
MILK_RECORD = {
    "name": "南阿尔卑斯较大婴儿配方奶粉（2段）",
    "brand": "Southern Alps",
    "specification": "800克/罐",
    "quantity": "6",
    "unit": "H87",
    "value": "1788",
    "lot": MILK_LOT,
    "production_date": _iso(DAY - 30),  # from the demo day, so the tins are in date on entry
    "shelf_life_days": "730",
    "origin_country": "NZ",
    "exporting_country": "NZ",
    "producer": DAIRY_PRODUCER,
    "contract": "HY-NZ-2026-007",
    "port_of_entry": "厦门海沧港",
    "declaration": MILK_DECLARATION,
    "inspection_certificate": "370100226041611",
    "health_certificate": "NZ-MPI-2026-88412",
    "entry_date": _iso(DAY - 4),
}


def wine_steps() -> list[tuple[str, dict[str, str]]]:
    return import_chain_steps(
        exporter_site=d.WINERY_CELLAR.id,
        exporter=d.WINERY.id,
        case=WINE_CASE,
        lot_class=f"urn:epc:class:lgtin:{d.WINERY.company_prefix}.0{d.WINE.item_ref}.{WINE_LOT}",
        record=WINE_RECORD,
        shop=d.WINE_SHOP_A.uscc or "",
        shop_site=d.WINE_SHOP_A_STORE.id,
        item=WINE_BOTTLES[0],
        day=DAY,
    )


def milk_steps() -> list[tuple[str, dict[str, str]]]:
    return import_chain_steps(
        exporter_site=DAIRY_SITE,
        exporter=DAIRY_PGLN,
        case=MILK_CASE,
        lot_class=f"urn:epc:class:lgtin:{DAIRY_PREFIX}.000012.{MILK_LOT}",
        record=MILK_RECORD,
        shop=d.SUPERMARKET.uscc or "",
        shop_site=d.SUPERMARKET_STORE.id,
        item=MILK_TINS[0],
        day=DAY,
    )


def import_chains() -> list[tuple[str, dict[str, Any], list[tuple[str, dict[str, str]]], str, str]]:
    """Each imported lot: (name, its exporter's events, its steps, the shop's site, the case)."""
    return [
        (
            "wine",
            {
                "site": d.WINERY_CELLAR.id,
                "items": WINE_BOTTLES,
                "case": WINE_CASE,
                "lot": WINE_LOT,
                "when": f"{_iso(DAY - 32)}T10:00:00+01:00",
                "extra_ilmd": {"cbvmda:countryOfOrigin": "FR"},
            },
            wine_steps(),
            d.WINE_SHOP_A_STORE.id,
            WINE_CASE,
        ),
        (
            "milk powder",
            {
                "site": DAIRY_SITE,
                "items": MILK_TINS,
                "case": MILK_CASE,
                "lot": MILK_LOT,
                "when": f"{_iso(DAY - 33)}T10:00:00+13:00",
                "extra_ilmd": {
                    "cbvmda:countryOfOrigin": "NZ",
                    "cbvmda:itemExpirationDate": _iso(DAY - 30 + 730),  # the record's 730-day shelf life
                },
            },
            milk_steps(),
            d.SUPERMARKET_STORE.id,
            MILK_CASE,
        ),
    ]


def _import_chain_events(exporter: dict[str, Any], steps: list[tuple[str, dict[str, str]]]) -> int:
    """The events of one imported lot: its exporter's, one per step, and the shop's unpacking before
    each retail sale."""
    return len(exporter_events(**exporter)) + len(steps) + sum(1 for step, _data in steps if step == "retail")


#: Events this module captures on a fresh store: one per drug step, and each imported lot's.
EVENT_COUNT = len(drug_steps()) + sum(
    _import_chain_events(exporter, steps) for _name, exporter, steps, _site, _case in import_chains()
)


def load_g2_g6_demo() -> list[str]:
    """Enter the demo's drug and imported-food steps; lines describing what was done."""
    from django.db import connection

    if not {DrugInfo._meta.db_table, ForeignProducer._meta.db_table} <= set(
        connection.introspection.table_names()
    ):
        # Until the sectors migrations include the G2/G6 models (regenerated at integration).
        return ["  drug and imported-food demo skipped: the sectors tables are not migrated yet"]
    lines = []
    # The steps are recorded by the demo loader's API client, so that every capture job names its
    # sender (O3); the registry records above them are the platform's own (ACTOR).
    recorder = _recorder()
    with transaction.atomic():
        hospital = _hospital()
        _drug_records(hospital)
        for step, data in drug_steps():
            result = step_record(actor=recorder, sector="drug", step=step, data=data)
            lines.append(f"  drug {step:<16} {'stored' if result.captured else 'already stored'}")
        _dairy()
        _producers()
        chains = import_chains()
        for _name, exporter, _steps, _site, _case in chains:
            _exporter_events(**exporter)
        for name, _exporter, steps, shop_site, case in chains:
            for step, data in steps:
                if step == "retail":
                    _unpack(site=shop_site, case=case)
                result = step_record(actor=recorder, sector="import_food", step=step, data=data)
                lines.append(f"  {name} {step:<18} {'stored' if result.captured else 'already stored'}")
    return lines


__all__ = ["EVENT_COUNT", "load_g2_g6_demo"]
