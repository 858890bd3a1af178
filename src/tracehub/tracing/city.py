"""A synthetic city (合成城市): a deterministic supply-chain network of EPCIS 2.0 events.

Issue #4 item 7; for tests and benchmarks (O1, O2 at city scale, DESIGN.md §5). Three kinds of
chain, mixed at random but deterministically for a seed:

* **meat and vegetables** (G1, G4, E1): farms commission lots (kilograms) → ship to a slaughterhouse
  or processor → a TransformationEvent takes 2–4 farm lots in (fan-in) and makes 1–3 product lots
  (fan-out) → wholesale markets → retailers and canteens, which sell;
* **drugs** (G2): a manufacturer transforms an API lot into a drug lot, commissions serialised
  packs (SGTIN) with the lot in ILMD, packs them into cases (SSCC) → distributors, who unpack
  cases and re-pack mixed cases → pharmacies and hospitals, which unpack and dispense single packs;
* **imports** (G6): a foreign exporter's lot → an importer (receiving, customs inspection) →
  distributors → shops.

One "national brand" import lot is distributed far wider than the rest (about one shipment per
hundred events), so a recall benchmark has a lot that reached ≥ 10,000 shipments in a city of a
million events. A few receipts are missing and a few transformations put out more than went in,
so chain-integrity findings have something to find; a few events are declared erroneous.

The events are EPCIS 2.0 JSON-LD dicts, captured through the capture service in documents of
``batch`` events (:func:`tracehub.epcis.services.capture_document_store`): the same checks, event
hashes, hash chain and index rows as ``POST /epcis/capture``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
TZ = timezone(timedelta(hours=8))
OFFSET = "+08:00"
EPOCH = datetime(2026, 1, 1, 6, 0, tzinfo=TZ)

#: Kinds of participant and how many of them a city of ``n`` events has (at least the minimum).
SIZES = {
    "farm": (2000, 6),
    "processor": (20000, 3),
    "market": (50000, 2),
    "retailer": (1500, 8),
    "canteen": (5000, 4),
    "manufacturer": (100000, 2),
    "distributor": (40000, 3),
    "pharmacy": (2500, 6),
    "hospital": (20000, 2),
    "exporter": (100000, 2),
    "importer": (100000, 2),
    "shop": (2000, 6),
}


@dataclass(frozen=True)
class Party:
    """A participant: GS1 company prefix (7 digits), its PGLN and its one location (SGLN)."""

    kind: str
    prefix: str

    @property
    def pgln(self) -> str:
        return f"urn:epc:id:pgln:{self.prefix}.00000"

    @property
    def sgln(self) -> str:
        return f"urn:epc:id:sgln:{self.prefix}.00001.0"


@dataclass
class City:
    """The participants of a city and the counters that keep every identifier unique."""

    rng: random.Random
    parties: dict[str, list[Party]] = field(default_factory=dict)
    serial: int = 0
    case: int = 0
    lot: int = 0
    chain: int = 0

    def pick(self, kind: str) -> Party:
        return self.rng.choice(self.parties[kind])

    def sample(self, kind: str, low: int, high: int) -> list[Party]:
        pool = self.parties[kind]
        return self.rng.sample(pool, min(len(pool), self.rng.randint(low, high)))


def make_city(events: int, seed: int) -> City:
    city = City(rng=random.Random(seed))
    number = 0
    for kind, (per, minimum) in SIZES.items():
        count = max(minimum, events // per)
        # Chinese GS1 company prefixes start 690–699; 7 digits each, one per participant.
        city.parties[kind] = [Party(kind, f"{6900000 + number + i:07d}") for i in range(count)]
        number += count
    return city


class _Chain:
    """Events of one chain, in time order, each with a deterministic eventID."""

    def __init__(self, city: City, start: datetime) -> None:
        self.city = city
        self.rng = city.rng
        self.clock = start
        self.events: list[dict[str, Any]] = []

    def later(self, low_hours: float = 1, high_hours: float = 12) -> str:
        self.clock += timedelta(minutes=self.rng.randint(int(low_hours * 60), int(high_hours * 60)))
        return self.clock.strftime("%Y-%m-%dT%H:%M:%S.000") + OFFSET

    def add(self, kind: str, when: str, where: Party, **fields: Any) -> dict[str, Any]:
        event = {
            "type": kind,
            "eventTime": when,
            "eventTimeZoneOffset": OFFSET,
            "eventID": f"urn:uuid:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}",
            **fields,
            "readPoint": {"id": where.sgln},
            "bizLocation": {"id": where.sgln},
        }
        self.events.append(event)
        return event

    # -- building blocks -------------------------------------------------------------------------
    def gtin_of(self, owner: Party, item: int) -> str:
        return f"{owner.prefix}.{item:06d}"

    def new_lot(self, owner: Party, item: int) -> str:
        self.city.lot += 1
        return f"urn:epc:class:lgtin:{self.gtin_of(owner, item)}.L{self.city.lot}"

    def new_serials(self, owner: Party, item: int, count: int) -> list[str]:
        start = self.city.serial
        self.city.serial += count
        return [f"urn:epc:id:sgtin:{self.gtin_of(owner, item)}.{n}" for n in range(start, start + count)]

    def new_case(self, owner: Party) -> str:
        self.city.case += 1
        return f"urn:epc:id:sscc:{owner.prefix}.{self.city.case % 10**10:010d}"

    def move(
        self,
        sender: Party,
        receiver: Party,
        *,
        epcs: list[str] | None = None,
        classes: list[tuple[str, float, str | None]] | None = None,
        receive: bool = True,
        documents: bool = False,
    ) -> None:
        """A shipment from ``sender`` to ``receiver`` and (usually) its receipt."""
        what: dict[str, Any] = {}
        if epcs:
            what["epcList"] = epcs
        if classes:
            what["quantityList"] = [_quantity(c, q, u) for c, q, u in classes]
        parties = {
            "sourceList": [
                {"type": "owning_party", "source": sender.pgln},
                {"type": "location", "source": sender.sgln},
            ],
            "destinationList": [
                {"type": "owning_party", "destination": receiver.pgln},
                {"type": "location", "destination": receiver.sgln},
            ],
        }
        if documents:
            number = self.rng.getrandbits(32)
            parties["bizTransactionList"] = [
                {"type": "desadv", "bizTransaction": f"urn:epcglobal:cbv:bt:{sender.prefix}000000:{number}"}
            ]
        shipped = self.add(
            "ObjectEvent",
            self.later(),
            sender,
            action="OBSERVE",
            bizStep="shipping",
            disposition="in_transit",
            **what,
            **parties,
        )
        if self.rng.random() < 0.002:
            self.declare(shipped)
        if receive and self.rng.random() > 0.003:  # now and then a receipt is never recorded
            self.add(
                "ObjectEvent",
                self.later(2, 30),
                receiver,
                action="OBSERVE",
                bizStep="receiving",
                disposition="in_progress",
                **what,
            )

    def declare(self, event: dict[str, Any]) -> None:
        """Declare ``event`` erroneous (EPCIS 2.0 §7.4.1.4): it leaves every trace."""
        declared = dict(event)
        declared["errorDeclaration"] = {"declarationTime": self.later(0.1, 1), "reason": "incorrect_data"}
        self.events.append(declared)

    def sell(self, where: Party, *, epcs=None, classes=None, step: str = "retail_selling") -> None:
        what: dict[str, Any] = {}
        if epcs:
            what["epcList"] = epcs
        if classes:
            what["quantityList"] = [_quantity(c, q, u) for c, q, u in classes]
        self.add(
            "ObjectEvent",
            self.later(1, 72),
            where,
            action="OBSERVE",
            bizStep=step,
            disposition="retail_sold" if step == "retail_selling" else "dispensed",
            **what,
        )


def _quantity(epc_class: str, amount: float, uom: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"epcClass": epc_class, "quantity": amount}
    if uom:
        element["uom"] = uom
    return element


def meat_chain(chain: _Chain) -> None:
    """Farms → slaughterhouse/processor (fan-in, fan-out) → wholesale markets → retailers, canteens."""
    city, rng = chain.city, chain.rng
    processor = city.pick("processor")
    inputs = []
    for farm in city.sample("farm", 2, 4):
        lot = chain.new_lot(farm, 1)
        weight = rng.randint(100, 1000)
        chain.add(
            "ObjectEvent",
            chain.later(),
            farm,
            action="ADD",
            bizStep="commissioning",
            disposition="active",
            quantityList=[_quantity(lot, weight, "KGM")],
        )
        chain.move(farm, processor, classes=[(lot, weight, "KGM")])
        inputs.append((lot, weight))
    total = sum(weight for _, weight in inputs)
    outputs = []
    for item in range(2, 2 + rng.randint(1, 3)):
        outputs.append((chain.new_lot(processor, item), round(total * rng.uniform(0.15, 0.3), 1)))
    if rng.random() < 0.01:  # a yield that cannot be: a chain-integrity finding
        outputs[0] = (outputs[0][0], total * 2)
    chain.add(
        "TransformationEvent",
        chain.later(),
        processor,
        bizStep="commissioning",
        inputQuantityList=[_quantity(lot, weight, "KGM") for lot, weight in inputs],
        outputQuantityList=[_quantity(lot, weight, "KGM") for lot, weight in outputs],
    )
    for lot, weight in outputs:
        markets = city.sample("market", 1, 3)
        share = round(weight / len(markets), 1)
        for market in markets:
            chain.move(processor, market, classes=[(lot, share, "KGM")], documents=True)
            buyers = [
                city.pick(rng.choice(("retailer", "retailer", "canteen"))) for _ in range(rng.randint(2, 4))
            ]
            part = round(share / len(buyers), 1)
            for buyer in buyers:
                chain.move(market, buyer, classes=[(lot, part, "KGM")])
                chain.sell(buyer, classes=[(lot, part, "KGM")])


def drug_chain(chain: _Chain) -> None:
    """Manufacturer (lot, serialised packs in cases) → distributors (re-packing) → pharmacies, hospitals."""
    city, rng = chain.city, chain.rng
    maker = city.pick("manufacturer")
    api_lot = chain.new_lot(maker, 1)
    chain.add(
        "ObjectEvent",
        chain.later(),
        maker,
        action="ADD",
        bizStep="commissioning",
        disposition="active",
        quantityList=[_quantity(api_lot, 5, "KGM")],
    )
    item = rng.randint(2, 20)
    drug_lot = chain.new_lot(maker, item)
    lot_number = drug_lot.rsplit(".", 1)[1]
    packs = chain.new_serials(maker, item, 12 * rng.randint(2, 8))
    chain.add(
        "TransformationEvent",
        chain.later(),
        maker,
        bizStep="commissioning",
        inputQuantityList=[_quantity(api_lot, 5, "KGM")],
        outputQuantityList=[_quantity(drug_lot, len(packs), None)],
    )
    when = chain.later()
    for start in range(0, len(packs), 48):
        chain.add(
            "ObjectEvent",
            when,
            maker,
            action="ADD",
            bizStep="commissioning",
            disposition="active",
            epcList=packs[start : start + 48],
            ilmd={"cbvmda:lotNumber": lot_number},
        )
    cases = []
    for start in range(0, len(packs), 12):
        case = chain.new_case(maker)
        chain.add(
            "AggregationEvent",
            chain.later(0.1, 1),
            maker,
            action="ADD",
            bizStep="packing",
            disposition="in_progress",
            parentID=case,
            childEPCs=packs[start : start + 12],
        )
        cases.append((case, packs[start : start + 12]))
    distributors = city.sample("distributor", 1, 2)
    for number, distributor in enumerate(distributors):
        mine = cases[number :: len(distributors)]
        if not mine:
            continue
        chain.move(maker, distributor, epcs=[case for case, _ in mine], documents=True)
        loose = []
        for case, content in mine:
            chain.add(
                "AggregationEvent",
                chain.later(0.5, 4),
                distributor,
                action="DELETE",
                bizStep="unpacking",
                disposition="in_progress",
                parentID=case,
            )
            loose.extend(content)
        rng.shuffle(loose)
        while loose:
            take = loose[: rng.randint(4, 12)]
            loose = loose[len(take) :]
            outlet = city.pick(rng.choice(("pharmacy", "pharmacy", "hospital")))
            case = chain.new_case(distributor)
            chain.add(
                "AggregationEvent",
                chain.later(0.2, 2),
                distributor,
                action="ADD",
                bizStep="packing",
                disposition="in_progress",
                parentID=case,
                childEPCs=take,
            )
            chain.move(distributor, outlet, epcs=[case])
            chain.add(
                "AggregationEvent",
                chain.later(0.5, 6),
                outlet,
                action="DELETE",
                bizStep="unpacking",
                disposition="in_progress",
                parentID=case,
                childEPCs=take,
            )
            for pack in take:
                if rng.random() < 0.8:
                    chain.sell(
                        outlet,
                        epcs=[pack],
                        step="retail_selling" if outlet.kind == "pharmacy" else "dispensing",
                    )


def import_chain(chain: _Chain, *, shipments: int | None = None) -> None:
    """Exporter → importer (receipt, customs inspection) → distributors → shops."""
    city, rng = chain.city, chain.rng
    exporter, importer = city.pick("exporter"), city.pick("importer")
    lot = chain.new_lot(exporter, rng.randint(1, 9))
    outlets = shipments or rng.randint(3, 12)
    bottles = outlets * 24
    chain.add(
        "ObjectEvent",
        chain.later(),
        exporter,
        action="ADD",
        bizStep="commissioning",
        disposition="active",
        quantityList=[_quantity(lot, bottles, None)],
    )
    chain.move(exporter, importer, classes=[(lot, bottles, None)], documents=True)
    chain.add(
        "ObjectEvent",
        chain.later(),
        importer,
        action="OBSERVE",
        bizStep="inspecting",
        disposition="conformant",
        quantityList=[_quantity(lot, bottles, None)],
    )
    distributors = city.sample("distributor", 1, 3 if shipments is None else 20)
    per = outlets // len(distributors) or 1
    for distributor in distributors:
        chain.move(importer, distributor, classes=[(lot, per * 24, None)])
        for _ in range(per):
            shop = city.pick("shop")
            chain.move(distributor, shop, classes=[(lot, 24, None)])
            if shipments is None or rng.random() < 0.5:
                chain.sell(shop, classes=[(lot, rng.randint(1, 24), None)])


CHAINS: list[tuple[Callable[[_Chain], None], float]] = [
    (meat_chain, 0.5),
    (drug_chain, 0.3),
    (import_chain, 0.2),
]


def city_events(events: int, seed: int) -> Iterator[dict[str, Any]]:
    """The events of a city of about ``events`` events (whole chains: it stops after the last one)."""
    city = make_city(events, seed)
    rng = city.rng
    produced = 0
    big_at = rng.randint(0, max(1, events // 2))
    big_done = False
    start = EPOCH
    functions = [function for function, _ in CHAINS]
    weights = [weight for _, weight in CHAINS]
    while produced < events:
        city.chain += 1
        chain = _Chain(city, start)
        if not big_done and produced >= big_at and events >= 20000:
            import_chain(chain, shipments=events // 100)
            big_done = True
        else:
            rng.choices(functions, weights)[0](chain)
        start += timedelta(minutes=rng.randint(1, 20))
        yield from chain.events
        produced += len(chain.events)


def city_documents(events: int, seed: int, *, batch: int = 10000) -> Iterator[dict[str, Any]]:
    """The city as EPCIS 2.0 documents of ``batch`` events each."""
    pending: list[dict[str, Any]] = []
    for event in city_events(events, seed):
        pending.append(event)
        if len(pending) >= batch:
            yield _document(pending)
            pending = []
    if pending:
        yield _document(pending)


def _document(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": EPOCH.isoformat(),
        "epcisBody": {"eventList": events},
    }


def city_build(
    *, events: int, seed: int, batch: int = 10000, progress: Callable[[int], None] | None = None
) -> int:
    """Capture a city of about ``events`` events; returns the number of events stored."""
    from tracehub.epcis.services import capture_document_store

    stored = 0
    for document in city_documents(events, seed, batch=batch):
        outcome = capture_document_store(client=None, document=document)
        if outcome.errors:
            raise ValueError(f"the synthetic city produced invalid events: {outcome.errors[:3]}")
        stored += outcome.job.captured_count
        if progress is not None:
            progress(len(document["epcisBody"]["eventList"]))
    return stored
