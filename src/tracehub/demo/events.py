"""The demo data set's EPCIS 2.0 capture documents: five Xiamen supply chains (issue #2 item 7).

Each chain is one EPCIS 2.0 JSON-LD capture document (``EPCISDocument``, Python dicts exactly as a
subsystem would POST them to ``/epcis/capture``), built from the master data of
:mod:`tracehub.demo.data`; the events carry identifiers only, never names.

* **pork 猪肉** (E1, G4, G1): a farm in 同安 tags pigs and ships them to a slaughterhouse in 翔安 with
  their animal quarantine certificate; slaughter (a TransformationEvent: pigs in, carcass and cut lots
  out by weight), inspection, market entry (进场) at a wholesale market in 湖里, an electronic trade to
  a supermarket in 思明, retail sales by weight.
* **vegetables 蔬菜** (G4, E1, G1): a cooperative in 集美 harvests a lot (with its own residue test);
  a stall of a farmers' market in 海沧 receives it; the market's rapid test (快检); retail sales.
* **wine 进口葡萄酒** (G6, G3): a Bordeaux producer serialises bottles, packs cases and ships them via
  厦门港 (海沧): inspection-quarantine, customs clearance; the importer's warehouse in 湖里 unpacks a
  case and ships to shops in 思明 and 集美, which sell single bottles.
* **drug 药品** (G2): a manufacturer in 海沧 serialises the packs of a lot and packs cases; a
  distributor in 集美 ships cases to pharmacies in 思明 and 湖里; one pack is dispensed.
* **pesticide 农药** (G5): a dealer in 同安 receives a pesticide lot and sells it under real-name
  records (实名购销) to a family farm and to a smallholder.

Times are fixed offsets from :data:`BASE_DATE` (:data:`DAYS_BEFORE_LOAD` days before the load day,
so that they agree with the licences the registry demo dates from that day), with the offset of
where each event happened (+08:00 in China; +02:00 for the French producer's events), so that the
documents are the same on every run of a day and capturing them again stores nothing new (the store
ignores an event whose CBV event hash it already holds). ``seed`` varies weights, quantities, ear tags,
serial and lot numbers deterministically; the default gives the one demo data set everybody sees.

Where CBV 2.0 has no word, the platform's own vocabulary is used: bizSteps under
:data:`PLATFORM_BIZ_STEP_NAMESPACE` (:data:`PLATFORM_BIZ_STEPS`), business transaction types under
:data:`PLATFORM_BIZ_TRANSACTION_TYPE_NAMESPACE`, extension fields under :data:`EXTENSION_NAMESPACE`
(:data:`EXTENSION_TERMS`). Personal data never enters an event: a pesticide buyer appears as a
reference to the dealer's real-name record (G5), never by name or ID number.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.utils import timezone

from tracehub.demo import data as d
from tracehub.epcis.hashing import event_hash
from tracehub.epcis.jsonld import STANDARD_CONTEXT_URL, context_namespaces

#: The default seed: the demo data set ``make run`` loads.
DEFAULT_SEED = 2026

#: How many days before the load day day 0 of the demo falls. The registry demo dates the demo
#: licences from the load day (registry/demo.py ``_licence_dates``), so the events are dated from it
#: too (issue #6 item 7): the latest one (day 3 of the sector demos) is still in the past, and every
#: event falls inside the licences it is checked against, whatever day the demo is loaded.
DAYS_BEFORE_LOAD = 12


def demo_day() -> date:
    """Day 0 of the demo: :data:`DAYS_BEFORE_LOAD` days before today in the platform's time zone
    (``settings.TIME_ZONE``, Asia/Shanghai)."""
    return timezone.localdate() - timedelta(days=DAYS_BEFORE_LOAD)


#: Day 0 of the demo: the morning the pork reaches the wholesale market. Every event time is a
#: fixed offset from it (never ``now()``). It is taken once, when the module is imported (by the
#: ``load_demo`` process), so that every document and sector demo of one load shares it, and the
#: documents are identical on every run of the day.
BASE_DATE = demo_day()

#: UTC offsets of the places events happen: Xiamen, and Bordeaux in summer time (CEST).
CHINA = "+08:00"
FRANCE_SUMMER = "+02:00"

#: The JSON-LD prefix and namespace of TraceHub's extension fields (``tracehub:inspectionResult``).
#: The project controls no domain yet, so the namespace is a URN.
EXTENSION_PREFIX = "tracehub"
EXTENSION_NAMESPACE = "urn:tracehub:epcis:"

#: The ``@context`` of every demo document: the GS1 standard context and the extension namespace.
CONTEXT: list[Any] = [STANDARD_CONTEXT_URL, {EXTENSION_PREFIX: EXTENSION_NAMESPACE}]

#: The namespace of the platform's own bizStep URIs, for Chinese steps CBV 2.0 has no word for
#: (DESIGN.md §3; CBV ``killing`` means disabling a tag, never slaughter).
PLATFORM_BIZ_STEP_NAMESPACE = "urn:tracehub:cbv:bizstep:"

#: The platform bizSteps the demo uses, by word.
PLATFORM_BIZ_STEPS: dict[str, str] = {
    # 屠宰: livestock in, carcasses and cuts out (a TransformationEvent).
    "slaughtering": PLATFORM_BIZ_STEP_NAMESPACE + "slaughtering",
    # 通关/放行: customs releases imported goods for free circulation (G6).
    "customs_clearance": PLATFORM_BIZ_STEP_NAMESPACE + "customs_clearance",
}

#: The namespace of the platform's own business transaction types (bizTransactionList ``type``),
#: for documents CBV 2.0 has no type for.
PLATFORM_BIZ_TRANSACTION_TYPE_NAMESPACE = "urn:tracehub:cbv:btt:"

#: The platform business transaction types the demo uses, by word.
PLATFORM_BIZ_TRANSACTION_TYPES: dict[str, str] = {
    # 报关单: the import customs declaration (G6).
    "customs_declaration": PLATFORM_BIZ_TRANSACTION_TYPE_NAMESPACE + "customs_declaration",
}

#: The extension fields the demo uses (``tracehub:<term>``), with their meaning.
EXTENSION_TERMS: dict[str, str] = {
    "species": "ILMD: animal species (畜种) of commissioned livestock, e.g. 'pig'.",
    "breed": "ILMD: breed (品种) code of livestock: 'DLY' = Duroc × (Landrace × Yorkshire), 杜长大.",
    "birthDate": "ILMD: birth date (出生日期) of commissioned animals, an ISO 8601 date.",
    "slaughterDate": "ILMD: date of slaughter (屠宰日期) of a meat lot, an ISO 8601 date.",
    "productionDate": "ILMD: production date (生产日期) of a lot, an ISO 8601 date.",
    "vintage": "ILMD: harvest year (年份) of a wine.",
    "pesticideResidueTest": (
        "ILMD: the producer's own pesticide-residue test (农残自检) of a harvested lot, an object of "
        "testItem, testMethod, testValue, testUnit and result."
    ),
    "inspectionResult": (
        "Event: the outcome of an inspection or rapid test (检验/快检结果), an object of testItem, "
        "testMethod, testValue, testUnit and result; the disposition says conformant or not."
    ),
    "testItem": "In a test: what was tested for, e.g. 'organophosphate_carbamate_residue'.",
    "testMethod": "In a test: the method or standard, e.g. 'GB/T 5009.199-2003'.",
    "testValue": "In a test: the measured value, a number in testUnit.",
    "testUnit": "In a test: the UN/ECE Recommendation 20 unit of testValue (P1 percent, GL gram per litre).",
    "result": "In a test: 'pass' / 'fail', or 'negative' / 'positive' for a pathogen test.",
    "entryCheck": (
        "Event: the entry check (入场/进场查验) of the certificates and marks goods must arrive with at a "
        "slaughterhouse or market (E1 进场准入): 'pass' or 'fail'."
    ),
    "buyerRecord": (
        "Event: URI of the seller's real-name purchase record (实名购买记录, G5) of an agricultural input. "
        "The record, kept by the dealer and open to the regulator, names the buyer; the event never "
        "carries the buyer's name or ID number."
    ),
}


@dataclass(frozen=True)
class DemoDocument:
    """One chain's capture document."""

    chain: str
    title: str
    requirements: tuple[str, ...]
    document: dict[str, Any]

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.document["epcisBody"]["eventList"]


# ------------------------------------------------------------------------------------------------
# Building blocks.
# ------------------------------------------------------------------------------------------------


def at(days: int, clock: str, offset: str = CHINA) -> str:
    """The event time ``days`` after :data:`BASE_DATE` at local ``clock`` (``"hh:mm"``) and ``offset``."""
    return f"{(BASE_DATE + timedelta(days=days)).isoformat()}T{clock}:00{offset}"


def day(offset: int) -> str:
    """An ISO 8601 date ``offset`` days after :data:`BASE_DATE` (for ILMD dates)."""
    return (BASE_DATE + timedelta(days=offset)).isoformat()


def ymd(offset: int) -> str:
    """The date ``offset`` days after :data:`BASE_DATE` as ``YYYYMMDD`` (in lot and document numbers)."""
    return (BASE_DATE + timedelta(days=offset)).strftime("%Y%m%d")


def ext(term: str) -> str:
    """The JSON-LD key of a TraceHub extension term (``tracehub:<term>``)."""
    if term not in EXTENSION_TERMS:
        raise KeyError(f"undocumented extension term {term!r}: add it to EXTENSION_TERMS")
    return f"{EXTENSION_PREFIX}:{term}"


def inspection_outcome(
    item: str, method: str, result: str, *, value: float | None = None, unit: str | None = None
) -> dict[str, Any]:
    """A test's outcome as an extension object (``tracehub:inspectionResult`` and the like)."""
    out: dict[str, Any] = {ext("testItem"): item, ext("testMethod"): method}
    if value is not None:
        out[ext("testValue")] = value
        out[ext("testUnit")] = unit
    out[ext("result")] = result
    return out


def quantity(epc_class: str, amount: float | None = None, uom: str | None = None) -> dict[str, Any]:
    """A quantity element; without ``amount`` it names the class (the whole lot)."""
    element: dict[str, Any] = {"epcClass": epc_class}
    if amount is not None:
        element["quantity"] = amount
        if uom is not None:
            element["uom"] = uom
    return element


def transaction(kind: str, uri: str) -> dict[str, str]:
    return {"type": kind, "bizTransaction": uri}


def sources(party: d.Party, location: d.Location) -> list[dict[str, str]]:
    return [{"type": "owning_party", "source": party.id}, {"type": "location", "source": location.id}]


def destinations(party: d.Party, location: d.Location | None = None) -> list[dict[str, str]]:
    out = [{"type": "owning_party", "destination": party.id}]
    if location is not None:
        out.append({"type": "location", "destination": location.id})
    return out


def event(
    event_type: str,
    time: str,
    *,
    what: dict[str, Any],
    biz_step: str,
    disposition: str | None = None,
    action: str | None = None,
    read_point: d.Location,
    biz_location: d.Location | None = None,
    transactions: list[dict[str, str]] | None = None,
    source_list: list[dict[str, str]] | None = None,
    destination_list: list[dict[str, str]] | None = None,
    ilmd: dict[str, Any] | None = None,
    extensions: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One EPCIS 2.0 event in JSON-LD form, its fields in the order of the GS1 examples.

    ``time`` carries its own offset, which is also the eventTimeZoneOffset.
    """
    out: dict[str, Any] = {"type": event_type, "eventTime": time, "eventTimeZoneOffset": time[-6:]}
    out.update(what)
    if action is not None:
        out["action"] = action
    out["bizStep"] = biz_step
    if disposition is not None:
        out["disposition"] = disposition
    out["readPoint"] = {"id": read_point.id}
    if biz_location is not None:
        out["bizLocation"] = {"id": biz_location.id}
    if transactions:
        out["bizTransactionList"] = transactions
    if source_list:
        out["sourceList"] = source_list
    if destination_list:
        out["destinationList"] = destination_list
    if ilmd:
        out["ilmd"] = ilmd
    if extensions:
        out.update(extensions)
    return out


def document(events: list[dict[str, Any]], *, created: str) -> dict[str, Any]:
    """An EPCISDocument of ``events``, each given its CBV 2.0 event hash as eventID.

    The hash as eventID (EPCIS 2.0 §7.4.1.3 recommends it) makes each ID follow from the content:
    the same event always has the same ID, a different event never shares one.
    """
    namespaces = context_namespaces(CONTEXT)
    for item in events:
        item["eventID"] = event_hash(item, namespaces)
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created,
        "epcisBody": {"eventList": events},
    }


def _kg(value: float) -> float:
    return round(value, 1)


# ------------------------------------------------------------------------------------------------
# The chains.
# ------------------------------------------------------------------------------------------------


def pork_events(rng: random.Random) -> list[dict[str, Any]]:
    """猪肉: farm (同安) → slaughterhouse (翔安) → wholesale market (湖里) → supermarket (思明).

    E1, G4, G1.
    """
    first_tag = rng.randrange(10_000, 90_000)
    pigs = [d.ear_tag(d.PIG_FARM.district or "", first_tag + n) for n in range(6)]
    live = [round(rng.uniform(112.0, 128.0) * 2) / 2 for _ in pigs]
    # Dressing percentage (屠宰率) about 74%: two carcasses stay whole (白条), four are cut up.
    carcass = [w * 0.74 for w in live]
    cut_up = sum(carcass[2:])
    # Slaughter batch (屠宰批次): the date and the batch of the night.
    lot = f"{ymd(-1)}-{rng.randrange(1, 100):02d}"
    outputs = {
        d.PORK_CARCASS: _kg(sum(carcass[:2])),
        d.PORK_SHOULDER: _kg(cut_up * 0.21),
        d.PORK_HAM: _kg(cut_up * 0.27),
        d.PORK_BELLY: _kg(cut_up * 0.14),
        d.PORK_RIBS: _kg(cut_up * 0.09),
    }
    lots = {product: product.lot(lot) for product in outputs}
    sold = {
        d.PORK_SHOULDER: _kg(rng.uniform(18, 24)),
        d.PORK_BELLY: _kg(rng.uniform(12, 16)),
        d.PORK_RIBS: _kg(rng.uniform(8, 11)),
    }
    farm, house, market, trader, shop = (
        d.PIG_FARM,
        d.SLAUGHTERHOUSE,
        d.WHOLESALE_MARKET,
        d.MEAT_TRADER,
        d.SUPERMARKET,
    )
    # The official vet's certificates (G4): for the live pigs (动物A) and for the meat (产品B);
    # with the slaughterhouse's meat quality certificate they are the papers checked at market entry.
    pig_certificate = transaction("cert", d.document_uri("animal_quarantine_certificate", "3502122611140042"))
    meat_certificate = transaction(
        "cert", d.document_uri("animal_quarantine_certificate", "3502132611150107")
    )
    quality_certificate = transaction("cert", d.document_uri("meat_quality_certificate", f"XR{lot}"))
    purchase = transaction("po", house.transaction(f"SG{ymd(-2)}-03"))
    delivery = transaction("desadv", house.transaction(f"FH{ymd(0)}-007"))
    all_lots = [quantity(lots[p], amount, "KGM") for p, amount in outputs.items()]
    return [
        # 打耳标: the pigs get their ear tags a few weeks after birth (G4 畜禽标识).
        event(
            "ObjectEvent",
            at(-155, "09:30"),
            what={"epcList": pigs},
            action="ADD",
            biz_step="commissioning",
            disposition="active",
            read_point=d.PIG_FARM_SITE,
            biz_location=d.PIG_FARM_SITE,
            ilmd={ext("species"): "pig", ext("breed"): "DLY", ext("birthDate"): day(-178)},
        ),
        # 出栏: shipped with the quarantine certificate the official vet issued at the farm.
        event(
            "ObjectEvent",
            at(-2, "14:30"),
            what={"epcList": pigs},
            action="OBSERVE",
            biz_step="shipping",
            disposition="in_transit",
            read_point=d.PIG_FARM_SITE,
            transactions=[purchase, pig_certificate],
            source_list=sources(farm, d.PIG_FARM_SITE),
            destination_list=destinations(house, d.SLAUGHTER_PLANT),
        ),
        # 入场查验: certificate and ear tags checked, pigs rest in the lairage before slaughter.
        event(
            "ObjectEvent",
            at(-2, "16:20"),
            what={"epcList": pigs},
            action="OBSERVE",
            biz_step="receiving",
            disposition="in_progress",
            read_point=d.SLAUGHTER_LAIRAGE,
            biz_location=d.SLAUGHTER_PLANT,
            transactions=[purchase, pig_certificate],
            source_list=sources(farm, d.PIG_FARM_SITE),
            destination_list=destinations(house, d.SLAUGHTER_PLANT),
            extensions={ext("entryCheck"): "pass"},
        ),
        # 屠宰: pigs in, the carcass and cut lots out by weight (DESIGN.md §3: a TransformationEvent).
        event(
            "TransformationEvent",
            at(-1, "02:30"),
            what={"inputEPCList": pigs, "outputQuantityList": all_lots},
            biz_step=PLATFORM_BIZ_STEPS["slaughtering"],
            disposition="in_progress",
            read_point=d.SLAUGHTER_LINE,
            biz_location=d.SLAUGHTER_PLANT,
            ilmd={"cbvmda:lotNumber": lot, ext("slaughterDate"): day(-1), "cbvmda:bestBeforeDate": day(6)},
        ),
        # 肉品品质检验 and the batch test for African swine fever (批批检); the vet's meat certificate.
        event(
            "ObjectEvent",
            at(-1, "04:10"),
            what={"quantityList": [quantity(lots[p]) for p in outputs]},
            action="OBSERVE",
            biz_step="inspecting",
            disposition="conformant",
            read_point=d.SLAUGHTER_LINE,
            biz_location=d.SLAUGHTER_PLANT,
            transactions=[quality_certificate, meat_certificate],
            extensions={
                ext("inspectionResult"): inspection_outcome(
                    "african_swine_fever_virus", "real-time PCR", "negative"
                )
            },
        ),
        # After a day in the chiller, to the meat trader's stall at the wholesale market.
        event(
            "ObjectEvent",
            at(0, "03:00"),
            what={"quantityList": all_lots},
            action="OBSERVE",
            biz_step="shipping",
            disposition="in_transit",
            read_point=d.SLAUGHTER_DISPATCH,
            transactions=[delivery, quality_certificate, meat_certificate],
            source_list=sources(house, d.SLAUGHTER_PLANT),
            destination_list=destinations(trader, d.MARKET_MEAT_STALL),
        ),
        # 进场: market entry admission records the upstream source and checks the papers (E1).
        event(
            "ObjectEvent",
            at(0, "03:50"),
            what={"quantityList": all_lots},
            action="OBSERVE",
            biz_step="receiving",
            disposition="sellable_accessible",
            read_point=d.MARKET_GATE,
            biz_location=d.MARKET_MEAT_STALL,
            transactions=[delivery, quality_certificate, meat_certificate],
            source_list=sources(house, d.SLAUGHTER_PLANT),
            destination_list=destinations(trader, d.MARKET_MEAT_STALL),
            extensions={ext("entryCheck"): "pass"},
        ),
        # 电子交易: the market's settlement system issues the trade record of the sale (E1).
        event(
            "ObjectEvent",
            at(0, "05:40"),
            what={"quantityList": [quantity(lots[p], amount, "KGM") for p, amount in sold.items()]},
            action="OBSERVE",
            biz_step="shipping",
            disposition="in_transit",
            read_point=d.MARKET_MEAT_STALL,
            transactions=[
                transaction("po", shop.transaction(f"PO{ymd(0)}-21")),
                transaction("inv", market.transaction(f"JY{ymd(0)}-0318")),
                meat_certificate,
            ],
            source_list=sources(trader, d.MARKET_MEAT_STALL),
            destination_list=destinations(shop, d.SUPERMARKET_STORE),
        ),
        # 索证索票: the supermarket receives the goods with the trade record and certificate (G1).
        event(
            "ObjectEvent",
            at(0, "06:50"),
            what={"quantityList": [quantity(lots[p], amount, "KGM") for p, amount in sold.items()]},
            action="OBSERVE",
            biz_step="receiving",
            disposition="sellable_accessible",
            read_point=d.SUPERMARKET_STORE,
            biz_location=d.SUPERMARKET_STORE,
            transactions=[
                transaction("po", shop.transaction(f"PO{ymd(0)}-21")),
                transaction("inv", market.transaction(f"JY{ymd(0)}-0318")),
                meat_certificate,
            ],
            source_list=sources(trader, d.MARKET_MEAT_STALL),
            destination_list=destinations(shop, d.SUPERMARKET_STORE),
        ),
        *[
            event(
                "ObjectEvent",
                at(0, clock),
                what={"quantityList": [quantity(lots[product], amount, "KGM")]},
                action="OBSERVE",
                biz_step="retail_selling",
                disposition="retail_sold",
                read_point=d.SUPERMARKET_STORE,
                biz_location=d.SUPERMARKET_STORE,
            )
            for clock, product, amount in (
                ("09:12", d.PORK_BELLY, round(rng.uniform(0.4, 1.2), 2)),
                ("11:47", d.PORK_SHOULDER, round(rng.uniform(0.6, 1.5), 2)),
                ("18:05", d.PORK_RIBS, round(rng.uniform(0.5, 1.3), 2)),
            )
        ],
    ]


def vegetable_events(rng: random.Random) -> list[dict[str, Any]]:
    """蔬菜: cooperative (集美) → stall at a farmers' market (海沧) → consumers. G4, E1, G1."""
    coop, vendor, market = d.VEG_COOP, d.VEG_VENDOR, d.FARMERS_MARKET
    lot_number = f"{ymd(0)}-{rng.randrange(1, 100):02d}"  # harvest date and plot
    lot = d.PAK_CHOI.lot(lot_number)
    harvested = float(rng.randrange(1050, 1300, 10))
    delivered = float(rng.randrange(220, 300, 10))
    # 承诺达标合格证: the producer's certificate that travels with edible farm produce (G4).
    certificate = transaction(
        "cert", d.document_uri("produce_compliance_certificate", f"350211{ymd(0)[2:]}0027")
    )
    arrival = [quantity(lot, delivered, "KGM")]
    return [
        # 采收: the harvested lot is commissioned with its harvest date and the cooperative's residue test.
        event(
            "ObjectEvent",
            at(0, "17:40"),
            what={"quantityList": [quantity(lot, harvested, "KGM")]},
            action="ADD",
            biz_step="commissioning",
            disposition="active",
            read_point=d.COOP_BASE,
            biz_location=d.COOP_BASE,
            ilmd={
                "cbvmda:lotNumber": lot_number,
                "cbvmda:harvestStartDate": day(0),
                "cbvmda:harvestEndDate": day(0),
                ext("pesticideResidueTest"): inspection_outcome(
                    "organophosphate_carbamate_residue",
                    "GB/T 5009.199-2003",
                    "pass",
                    value=round(rng.uniform(6.0, 18.0), 1),
                    unit="P1",
                ),
            },
        ),
        event(
            "ObjectEvent",
            at(1, "04:30"),
            what={"quantityList": arrival},
            action="OBSERVE",
            biz_step="shipping",
            disposition="in_transit",
            read_point=d.COOP_BASE,
            transactions=[
                transaction("inv", coop.transaction(f"XS{ymd(1)}-01")),
                certificate,
            ],
            source_list=sources(coop, d.COOP_BASE),
            destination_list=destinations(vendor, d.VEG_STALL),
        ),
        # 进场: the market records where the lot came from (E1).
        event(
            "ObjectEvent",
            at(1, "05:20"),
            what={"quantityList": arrival},
            action="OBSERVE",
            biz_step="receiving",
            disposition="sellable_accessible",
            read_point=d.FARMERS_MARKET_SITE,
            biz_location=d.VEG_STALL,
            transactions=[
                transaction("inv", coop.transaction(f"XS{ymd(1)}-01")),
                certificate,
            ],
            source_list=sources(coop, d.COOP_BASE),
            destination_list=destinations(vendor, d.VEG_STALL),
            extensions={ext("entryCheck"): "pass"},
        ),
        # 快检: the market's rapid test (enzyme inhibition, below 50% passes) before sale (G1, G4).
        event(
            "ObjectEvent",
            at(1, "06:10"),
            what={"quantityList": [quantity(lot)]},
            action="OBSERVE",
            biz_step="inspecting",
            disposition="conformant",
            read_point=d.FARMERS_MARKET_LAB,
            biz_location=d.VEG_STALL,
            transactions=[transaction("testres", market.transaction(f"KJ{ymd(1)}-031"))],
            extensions={
                ext("inspectionResult"): inspection_outcome(
                    "organophosphate_carbamate_residue",
                    "GB/T 5009.199-2003",
                    "pass",
                    value=round(rng.uniform(5.0, 20.0), 1),
                    unit="P1",
                )
            },
        ),
        *[
            event(
                "ObjectEvent",
                at(1, clock),
                what={"quantityList": [quantity(lot, amount, "KGM")]},
                action="OBSERVE",
                biz_step="retail_selling",
                disposition="retail_sold",
                read_point=d.VEG_STALL,
                biz_location=d.VEG_STALL,
            )
            for clock, amount in (
                ("08:35", round(rng.uniform(0.8, 2.5), 2)),
                ("10:05", round(rng.uniform(0.8, 2.5), 2)),
            )
        ],
    ]


def wine_events(rng: random.Random) -> list[dict[str, Any]]:
    """进口葡萄酒: Bordeaux producer → 厦门港 (海沧) → importer (湖里) → shops (思明, 集美). G6, G3."""
    winery, importer, shop_a, shop_b = d.WINERY, d.IMPORTER, d.WINE_SHOP_A, d.WINE_SHOP_B
    first = rng.randrange(1000, 9000)
    bottles = [d.WINE.instance(f"22B{first + n:05d}") for n in range(18)]
    first_case = rng.randrange(100_000, 990_000) * 10  # SSCC serial references, 7 digits here
    cases = [winery.sscc(first_case + n) for n in range(3)]
    packed = {case: bottles[6 * n : 6 * n + 6] for n, case in enumerate(cases)}
    to_shop_b = packed[cases[0]][:3]
    summer = FRANCE_SUMMER
    order = transaction("po", importer.transaction("PO2026-0815"))
    invoice = transaction("inv", winery.transaction("FA2026-0912"))
    lading = transaction("bol", d.document_uri("bill_of_lading", "CMDU2026FR118305"))
    health = transaction("cert", d.document_uri("export_health_certificate", "FR-33-2026-047125"))
    # 入境货物检验检疫证明: the customs inspection-quarantine certificate every seller must keep (G6, G1).
    entry_certificate = transaction("cert", d.document_uri("entry_inspection_certificate", "370100226031847"))
    declaration = transaction(
        PLATFORM_BIZ_TRANSACTION_TYPES["customs_declaration"],
        d.document_uri("customs_declaration", "370020261000482913"),
    )
    events = [
        # Serialised labels applied when the export order is prepared.
        event(
            "ObjectEvent",
            at(-69, "10:00", summer),
            what={"epcList": bottles},
            action="ADD",
            biz_step="commissioning",
            disposition="active",
            read_point=d.WINERY_CELLAR,
            biz_location=d.WINERY_CELLAR,
            ilmd={
                "cbvmda:lotNumber": f"L2022-{rng.randrange(10, 100)}",
                "cbvmda:countryOfOrigin": "FR",
                ext("vintage"): 2022,
            },
        ),
        *[
            event(
                "AggregationEvent",
                at(-69, f"10:{20 + 5 * n}", summer),
                what={"parentID": case, "childEPCs": packed[case]},
                action="ADD",
                biz_step="packing",
                disposition="in_progress",
                read_point=d.WINERY_CELLAR,
                biz_location=d.WINERY_CELLAR,
            )
            for n, case in enumerate(cases)
        ],
        event(
            "ObjectEvent",
            at(-68, "15:00", summer),
            what={"epcList": cases},
            action="OBSERVE",
            biz_step="shipping",
            disposition="in_transit",
            read_point=d.WINERY_CELLAR,
            transactions=[order, invoice, lading, health],
            source_list=sources(winery, d.WINERY_CELLAR),
            destination_list=destinations(importer, d.IMPORTER_WAREHOUSE),
        ),
        # 通检: inspection-quarantine at the port of entry (G6).
        event(
            "ObjectEvent",
            at(-21, "10:30"),
            what={"epcList": cases},
            action="OBSERVE",
            biz_step="inspecting",
            disposition="conformant",
            read_point=d.PORT_INSPECTION_SITE,
            biz_location=d.PORT_INSPECTION_SITE,
            transactions=[lading, health, entry_certificate],
            extensions={
                ext("inspectionResult"): inspection_outcome(
                    "sulphur_dioxide",
                    "GB 5009.34-2022",
                    "pass",
                    value=round(rng.uniform(0.06, 0.16), 2),
                    unit="GL",
                )
            },
        ),
        # 通关: customs releases the goods (G6).
        event(
            "ObjectEvent",
            at(-20, "15:00"),
            what={"epcList": cases},
            action="OBSERVE",
            biz_step=PLATFORM_BIZ_STEPS["customs_clearance"],
            disposition="in_transit",
            read_point=d.PORT_INSPECTION_SITE,
            transactions=[lading, declaration, entry_certificate],
        ),
        event(
            "ObjectEvent",
            at(-19, "10:00"),
            what={"epcList": cases},
            action="OBSERVE",
            biz_step="receiving",
            disposition="sellable_not_accessible",
            read_point=d.IMPORTER_WAREHOUSE,
            biz_location=d.IMPORTER_WAREHOUSE,
            transactions=[order, invoice, entry_certificate],
            source_list=sources(winery, d.WINERY_CELLAR),
            destination_list=destinations(importer, d.IMPORTER_WAREHOUSE),
        ),
        event(
            "AggregationEvent",
            at(-18, "09:30"),
            what={"parentID": cases[0], "childEPCs": packed[cases[0]]},
            action="DELETE",
            biz_step="unpacking",
            disposition="sellable_not_accessible",
            read_point=d.IMPORTER_WAREHOUSE,
            biz_location=d.IMPORTER_WAREHOUSE,
        ),
    ]
    for shop, store, what, shipped, received, number in (
        (shop_a, d.WINE_SHOP_A_STORE, [cases[1]], "14:00", "16:40", "0437"),
        (shop_b, d.WINE_SHOP_B_STORE, to_shop_b, "15:30", "17:20", "0438"),
    ):
        sale = [
            transaction("po", shop.transaction(f"CG{ymd(-17)}-{number[-1]}")),
            transaction("inv", importer.transaction(f"XS2026-{number}")),
            entry_certificate,
        ]
        events.append(
            event(
                "ObjectEvent",
                at(-17, shipped),
                what={"epcList": what},
                action="OBSERVE",
                biz_step="shipping",
                disposition="in_transit",
                read_point=d.IMPORTER_WAREHOUSE,
                transactions=sale,
                source_list=sources(importer, d.IMPORTER_WAREHOUSE),
                destination_list=destinations(shop, store),
            )
        )
        events.append(
            event(
                "ObjectEvent",
                at(-17, received),
                what={"epcList": what},
                action="OBSERVE",
                biz_step="receiving",
                disposition="sellable_accessible",
                read_point=store,
                biz_location=store,
                transactions=sale,
                source_list=sources(importer, d.IMPORTER_WAREHOUSE),
                destination_list=destinations(shop, store),
            )
        )
    events.append(
        event(
            "AggregationEvent",
            at(-17, "17:00"),
            what={"parentID": cases[1], "childEPCs": packed[cases[1]]},
            action="DELETE",
            biz_step="unpacking",
            disposition="sellable_accessible",
            read_point=d.WINE_SHOP_A_STORE,
            biz_location=d.WINE_SHOP_A_STORE,
        )
    )
    for when, store, bottle in (
        (at(-10, "19:30"), d.WINE_SHOP_A_STORE, packed[cases[1]][0]),
        (at(-5, "18:40"), d.WINE_SHOP_B_STORE, to_shop_b[0]),
        (at(-3, "20:15"), d.WINE_SHOP_A_STORE, packed[cases[1]][1]),
    ):
        events.append(
            event(
                "ObjectEvent",
                when,
                what={"epcList": [bottle]},
                action="OBSERVE",
                biz_step="retail_selling",
                disposition="retail_sold",
                read_point=store,
                biz_location=store,
            )
        )
    return _in_time_order(events)


def drug_events(rng: random.Random) -> list[dict[str, Any]]:
    """药品: manufacturer (海沧) → distributor (集美) → pharmacies (思明, 湖里), one pack dispensed. G2."""
    maker, distributor, pharmacy_a, pharmacy_b = d.DRUG_MAKER, d.DRUG_DISTRIBUTOR, d.PHARMACY_A, d.PHARMACY_B
    serials: list[str] = []
    while len(serials) < 30:  # randomised serial numbers, as drug serialisation asks
        serial = str(rng.randrange(10**11, 10**12))
        if serial not in serials:
            serials.append(serial)
    packs = [d.DRUG.instance(serial) for serial in serials]
    first_case = rng.randrange(100_000, 990_000) * 10
    cases = [maker.sscc(first_case + n) for n in range(3)]
    packed = {case: packs[10 * n : 10 * n + 10] for n, case in enumerate(cases)}
    lot = f"261102{rng.randrange(1, 10)}"  # production date and the shift
    first_leg = [
        transaction("po", distributor.transaction("PO20261103-12")),
        transaction("desadv", maker.transaction("DN20261104-031")),
        transaction("inv", maker.transaction("IV20261104-031")),
    ]
    events = [
        event(
            "ObjectEvent",
            at(-14, "10:15"),
            what={"epcList": packs},
            action="ADD",
            biz_step="commissioning",
            disposition="active",
            read_point=d.DRUG_PACKAGING_LINE,
            biz_location=d.DRUG_PLANT,
            ilmd={
                "cbvmda:lotNumber": lot,
                "cbvmda:itemExpirationDate": day(715),  # about two years, from the demo day
                ext("productionDate"): day(-14),
            },
        ),
        *[
            event(
                "AggregationEvent",
                at(-14, f"10:{40 + 5 * n}"),
                what={"parentID": case, "childEPCs": packed[case]},
                action="ADD",
                biz_step="packing",
                disposition="in_progress",
                read_point=d.DRUG_PACKAGING_LINE,
                biz_location=d.DRUG_PLANT,
            )
            for n, case in enumerate(cases)
        ],
        event(
            "ObjectEvent",
            at(-12, "09:00"),
            what={"epcList": cases},
            action="OBSERVE",
            biz_step="shipping",
            disposition="in_transit",
            read_point=d.DRUG_WAREHOUSE,
            transactions=first_leg,
            source_list=sources(maker, d.DRUG_WAREHOUSE),
            destination_list=destinations(distributor, d.DISTRIBUTOR_WAREHOUSE),
        ),
        event(
            "ObjectEvent",
            at(-12, "14:30"),
            what={"epcList": cases},
            action="OBSERVE",
            biz_step="receiving",
            disposition="sellable_not_accessible",
            read_point=d.DISTRIBUTOR_WAREHOUSE,
            biz_location=d.DISTRIBUTOR_WAREHOUSE,
            transactions=first_leg,
            source_list=sources(maker, d.DRUG_WAREHOUSE),
            destination_list=destinations(distributor, d.DISTRIBUTOR_WAREHOUSE),
        ),
    ]
    for case, pharmacy, store, shipped, received, unpacked, number in (
        (cases[0], pharmacy_a, d.PHARMACY_A_STORE, "08:30", "11:10", "11:30", "0871"),
        (cases[1], pharmacy_b, d.PHARMACY_B_STORE, "08:45", "13:25", "13:45", "0872"),
    ):
        leg = [
            transaction("po", pharmacy.transaction(f"CG20261106-{number[-1]}")),
            transaction("inv", distributor.transaction(f"XS20261107-{number}")),
        ]
        route = {
            "source_list": sources(distributor, d.DISTRIBUTOR_WAREHOUSE),
            "destination_list": destinations(pharmacy, store),
        }
        events += [
            event(
                "ObjectEvent",
                at(-9, shipped),
                what={"epcList": [case]},
                action="OBSERVE",
                biz_step="shipping",
                disposition="in_transit",
                read_point=d.DISTRIBUTOR_WAREHOUSE,
                transactions=leg,
                **route,
            ),
            event(
                "ObjectEvent",
                at(-9, received),
                what={"epcList": [case]},
                action="OBSERVE",
                biz_step="receiving",
                disposition="sellable_not_accessible",
                read_point=store,
                biz_location=store,
                transactions=leg,
                **route,
            ),
            event(
                "AggregationEvent",
                at(-9, unpacked),
                what={"parentID": case, "childEPCs": packed[case]},
                action="DELETE",
                biz_step="unpacking",
                disposition="sellable_accessible",
                read_point=store,
                biz_location=store,
            ),
        ]
    events.append(
        event(
            "ObjectEvent",
            at(-2, "15:20"),
            what={"epcList": [packed[cases[0]][0]]},
            action="OBSERVE",
            biz_step="dispensing",
            disposition="dispensed",
            read_point=d.PHARMACY_A_STORE,
            biz_location=d.PHARMACY_A_STORE,
        )
    )
    return _in_time_order(events)


def pesticide_events(rng: random.Random) -> list[dict[str, Any]]:
    """农药: manufacturer (Jiangsu) → dealer (同安) → a family farm and a smallholder, real-name sales. G5."""
    maker, dealer, farm = d.PESTICIDE_MAKER, d.AGRI_DEALER, d.FAMILY_FARM
    lot = d.PESTICIDE.lot(f"202609{rng.randrange(1, 31):02d}")  # production date
    received = rng.randrange(4, 7) * 50  # cartons of 50 bags
    return [
        # 进货台账: the dealer's electronic purchase ledger entry (G5 电子台账).
        event(
            "ObjectEvent",
            at(-11, "10:00"),
            what={"quantityList": [quantity(lot, received, "H87")]},
            action="OBSERVE",
            biz_step="receiving",
            disposition="sellable_accessible",
            read_point=d.AGRI_DEALER_SHOP,
            biz_location=d.AGRI_DEALER_SHOP,
            transactions=[
                transaction("po", dealer.transaction("CG20261102-02")),
                transaction("desadv", maker.transaction("FH20261103-0417")),
                transaction("inv", maker.transaction("XS20261103-0417")),
            ],
            source_list=sources(maker, d.PESTICIDE_PLANT),
            destination_list=destinations(dealer, d.AGRI_DEALER_SHOP),
        ),
        # 实名销售 to a family farm: the buyer is a registered party; the record holds the person who came.
        event(
            "ObjectEvent",
            at(-8, "08:40"),
            what={"quantityList": [quantity(lot, rng.randrange(4, 9), "H87")]},
            action="OBSERVE",
            biz_step="retail_selling",
            disposition="retail_sold",
            read_point=d.AGRI_DEALER_SHOP,
            biz_location=d.AGRI_DEALER_SHOP,
            transactions=[transaction("inv", dealer.transaction("XS20261108-014"))],
            destination_list=destinations(farm, d.FAMILY_FARM_SITE),
            extensions={ext("buyerRecord"): dealer.realname_record("SM20261108-014")},
        ),
        # 实名销售 to a smallholder, a natural person: only the reference to the real-name record.
        event(
            "ObjectEvent",
            at(-6, "16:15"),
            what={"quantityList": [quantity(lot, rng.randrange(1, 4), "H87")]},
            action="OBSERVE",
            biz_step="retail_selling",
            disposition="retail_sold",
            read_point=d.AGRI_DEALER_SHOP,
            biz_location=d.AGRI_DEALER_SHOP,
            transactions=[transaction("inv", dealer.transaction("XS20261110-031"))],
            extensions={ext("buyerRecord"): dealer.realname_record("SM20261110-031")},
        ),
    ]


def _in_time_order(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Events of different offsets (Bordeaux, Xiamen) compare by their UTC instant.
    return sorted(events, key=lambda item: datetime.fromisoformat(item["eventTime"]).astimezone(UTC))


#: The chains in loading order: (name, English title, requirement IDs, builder).
CHAINS = (
    ("pork", "Pork: farm, slaughterhouse, wholesale market, supermarket", ("E1", "G4", "G1"), pork_events),
    ("vegetables", "Vegetables: cooperative, farmers' market", ("G4", "E1", "G1"), vegetable_events),
    ("wine", "Imported wine: Bordeaux, Xiamen port, importer, shops", ("G6", "G3"), wine_events),
    ("drug", "Drug: manufacturer, distributor, pharmacies", ("G2",), drug_events),
    ("pesticide", "Pesticide: dealer, real-name sales to farms", ("G5",), pesticide_events),
)


def demo_documents(seed: int = DEFAULT_SEED) -> list[DemoDocument]:
    """Every chain's capture document; the same ``seed`` always gives the same documents."""
    out = []
    for name, title, requirements, build in CHAINS:
        # One generator per chain, so that changing one chain leaves the others as they were.
        rng = random.Random(f"{seed}:{name}")
        events = build(rng)
        created = at(2, "20:00")
        out.append(DemoDocument(name, title, requirements, document(events, created=created)))
    return out
