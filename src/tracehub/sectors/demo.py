"""The sector part of the demo data set (issue #6 item 7): every meat_veg step, entered through the
same service as the phone forms, the Excel import and the sectors API.

A second pork batch on day 1 of the demo: the farm tags and ships six pigs (the farm's own system,
plain EPCIS capture), the slaughterhouse records their entry with the quarantine certificate, the
slaughter, the meat inspection; the meat trader's stall at the wholesale market takes the lots in
(进场准入 with the certificates) and sells to the supermarket and to a school canteen, each sale
issuing a trace voucher; the supermarket's entry and the canteen's receipt quote those vouchers;
the supermarket sells retail. Also files the canteen, and the console accounts ``demo-stall``
(the meat trader's stall holder), ``demo-supermarket`` and ``demo-canteen``.

Idempotent: the events have fixed times (the same event twice is stored once), and the sales, whose
vouchers are new each time, are entered only while the demo stall has issued no voucher that day.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction

from tracehub.accounts.models import Role, Sector
from tracehub.demo import data as d
from tracehub.demo.events import BASE_DATE
from tracehub.epcis.services import capture_document_store
from tracehub.registry import services as registry_services
from tracehub.registry.actors import Actor, ActorKind
from tracehub.registry.models import IdKind, Location, LocationKind, Party, PartyType
from tracehub.sectors import entry
from tracehub.sectors.models import TradeVoucher
from tracehub.sectors.services import step_record

ACTOR = Actor.system("demo loader")


def _recorder() -> Actor:
    """Events are recorded by the demo loader's API client, like the rest of the demo (O3)."""
    from tracehub.demo.management.commands.load_demo import _demo_client

    return Actor(kind=ActorKind.PLATFORM_CLIENT, client=_demo_client(), label="demo loader")


CANTEEN_USCC = d.make_uscc("12", "350206", "MB0X4721")
CANTEEN_NAME = "厦门市湖里区枋湖实验小学食堂"
CANTEEN_LOCATION = "urn:tracehub:loc:{uscc}:1"
#: Demo console accounts of this module: username -> (role, party USCC getter key).
ACCOUNTS = {
    "demo-stall": (Role.ENTERPRISE_STAFF, "meat_trader"),
    "demo-supermarket": (Role.ENTERPRISE_STAFF, "supermarket"),
    "demo-canteen": (Role.ENTERPRISE_STAFF, "canteen"),
}
DAY = 1  # days after BASE_DATE
#: The registry demo account whose password this module's accounts share.
SHARED_PASSWORD_OF = "demo-operator"
BATCH = f"{(BASE_DATE + dt.timedelta(days=DAY - 1)).strftime('%Y%m%d')}-31"
PIGS = [d.ear_tag(d.PIG_FARM.district or "", 95_000 + n) for n in range(4)]
LOTS = {
    "carcass": d.PORK_CARCASS.lot(BATCH),
    "belly": d.PORK_BELLY.lot(BATCH),
    "ribs": d.PORK_RIBS.lot(BATCH),
}


def _at(days: int, clock: str) -> str:
    return f"{(BASE_DATE + dt.timedelta(days=days)).isoformat()} {clock}"


def _ymd(days: int) -> str:
    return (BASE_DATE + dt.timedelta(days=days)).strftime("%Y%m%d")


def _canteen() -> tuple[Party, Location]:
    party = Party.objects.filter(uscc=CANTEEN_USCC).first()
    if party is None:
        party = registry_services.party_create(
            actor=ACTOR,
            name=CANTEEN_NAME,
            name_en="Fanghu Experimental Primary School canteen, Huli",
            party_type=PartyType.CATERING,
            id_kind=IdKind.USCC,
            uscc=CANTEEN_USCC,
            sectors=[Sector.MEAT_VEG, Sector.FOOD],
            district="350206",
        )
        filing = registry_services.filing_submit(actor=ACTOR, party=party, note="示范数据 demo data")
        registry_services.filing_approve(actor=ACTOR, filing=filing, reason="示范数据 demo data")
        party.refresh_from_db()
    identifier = CANTEEN_LOCATION.format(uscc=CANTEEN_USCC)
    location = Location.objects.filter(identifier=identifier).first()
    if location is None:
        location = registry_services.location_create(
            actor=ACTOR,
            party=party,
            identifier=identifier,
            name="枋湖实验小学食堂库房",
            name_en="Fanghu school canteen store room",
            kind=LocationKind.OTHER,
            address="湖里区枋湖路99号",
            district="350206",
        )
    return party, location


def _accounts(parties: dict[str, Party]) -> list[tuple[str, str]]:
    """This module's demo accounts, with the password every demo account shares (README "Demo
    accounts"): the registry demo has just set it on ``demo-operator``, whose hash they take."""
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


def farm_events(pigs: list[str] = PIGS) -> list[dict]:
    """The farm's own system: tagging and shipping of the pigs (plain EPCIS capture, CBV steps)."""
    farm, house = d.PIG_FARM, d.SLAUGHTERHOUSE
    when = BASE_DATE + dt.timedelta(days=DAY)
    return [
        {
            "type": "ObjectEvent",
            "eventTime": f"{(when - dt.timedelta(days=150)).isoformat()}T09:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "epcList": pigs,
            "action": "ADD",
            "bizStep": "commissioning",
            "disposition": "active",
            "readPoint": {"id": d.PIG_FARM_SITE.id},
            "bizLocation": {"id": d.PIG_FARM_SITE.id},
        },
        {
            "type": "ObjectEvent",
            "eventTime": f"{(when - dt.timedelta(days=1)).isoformat()}T14:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "epcList": pigs,
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "readPoint": {"id": d.PIG_FARM_SITE.id},
            "sourceList": [{"type": "owning_party", "source": farm.id}],
            "destinationList": [{"type": "owning_party", "destination": house.id}],
        },
    ]


def _farm_events(pigs: list[str]) -> None:
    outcome = capture_document_store(client=_recorder().client, document=entry.document(farm_events(pigs)))
    if outcome.errors:
        raise RuntimeError(f"sector demo: farm events refused: {outcome.errors[:3]}")


def slaughter_and_market_steps() -> list[tuple[str, dict[str, str]]]:
    """The slaughterhouse's entry, slaughter and meat inspection, then the stall's two market entries."""
    steps: list[tuple[str, dict[str, str]]] = [
        (
            "slaughter_entry",
            {
                "location": d.SLAUGHTER_LAIRAGE.id,
                "supplier": d.PIG_FARM.uscc or "",
                "animals": ",".join(PIGS),
                "origin": "厦门市同安区莲花镇",
                "quarantine_certificate": "3502122611160088",
                "time": _at(DAY - 1, "16:30"),
            },
        ),
        (
            "slaughtering",
            {
                "location": d.SLAUGHTER_LINE.id,
                "animals": ",".join(PIGS),
                "outputs": f"{LOTS['carcass']}=176.4;{LOTS['belly']}=48.2;{LOTS['ribs']}=30.6",
                "batch": BATCH,
                "slaughter_date": (BASE_DATE + dt.timedelta(days=DAY - 1)).isoformat(),
                "time": _at(DAY, "02:20"),
            },
        ),
        (
            "meat_inspection",
            {
                "location": d.SLAUGHTER_LINE.id,
                "lots": ",".join(LOTS.values()),
                "meat_inspection_certificate": f"XR{BATCH}",
                "quarantine_certificate": "3502132611170215",
                "result": "pass",
                "time": _at(DAY, "04:00"),
            },
        ),
    ]
    for lot, weight in ((LOTS["belly"], "48.2"), (LOTS["ribs"], "30.6")):
        steps.append(
            (
                "market_entry",
                {
                    "location": d.MARKET_MEAT_STALL.id,
                    "supplier": d.SLAUGHTERHOUSE.uscc or "",
                    "lot": lot,
                    "weight": weight,
                    "origin": "厦门市翔安区",
                    "goods_type": "meat",
                    "quarantine_certificate": "3502132611170215",
                    "meat_inspection_certificate": f"XR{BATCH}",
                    "time": _at(DAY, "03:50"),
                },
            )
        )
    return steps


def sales() -> list[tuple[str, str, str, str, str, str]]:
    """The stall's sales: (buyer USCC, buyer's site, lot, weight, unit price, clock). Each is two
    events: the sale (market_trading, issuing a trace voucher) and the buyer's entry quoting it."""
    return [
        (d.SUPERMARKET.uscc or "", d.SUPERMARKET_STORE.id, LOTS["belly"], "12.4", "26.80", "05:40"),
        (CANTEEN_USCC, CANTEEN_LOCATION.format(uscc=CANTEEN_USCC), LOTS["ribs"], "9.6", "32.00", "06:10"),
    ]


def retail_steps() -> list[tuple[str, dict[str, str]]]:
    """The supermarket's retail sale of the belly lot."""
    return [
        (
            "retail",
            {
                "location": d.SUPERMARKET_STORE.id,
                "lot": LOTS["belly"],
                "weight": "0.85",
                "unit_price": "39.80",
                "receipt": f"{_ymd(DAY)}-0093",
                "time": _at(DAY, "10:15"),
            },
        )
    ]


#: Events this module captures on a fresh store: the farm's events, one per step, two per sale.
EVENT_COUNT = len(farm_events()) + len(slaughter_and_market_steps()) + 2 * len(sales()) + len(retail_steps())


def load_sectors_demo() -> list[str]:
    """Enter the demo's meat_veg steps (see the module docstring); lines describing what was done."""
    parties = {
        "meat_trader": Party.objects.get(uscc=d.MEAT_TRADER.uscc),
        "supermarket": Party.objects.get(uscc=d.SUPERMARKET.uscc),
    }
    with transaction.atomic():
        canteen, _canteen_site = _canteen()
        parties["canteen"] = canteen
        accounts = _accounts(parties)
        _farm_events(PIGS)
        lines = []
        recorder = _recorder()
        for step, data in slaughter_and_market_steps():
            result = step_record(actor=recorder, step=step, data=data)
            lines.append(f"  {step:<18} {'stored' if result.captured else 'already stored'}")
        stall = Location.objects.get(identifier=d.MARKET_MEAT_STALL.id)
        sale_day = BASE_DATE + dt.timedelta(days=DAY)
        if not TradeVoucher.objects.filter(stall=stall, day=sale_day).exists():
            buyers = {party.uscc: party for party in parties.values()}
            for buyer_uscc, site, lot, weight, price, clock in sales():
                sale = step_record(
                    actor=recorder,
                    step="market_trading",
                    data={
                        "location": d.MARKET_MEAT_STALL.id,
                        "buyer": buyer_uscc,
                        "lot": lot,
                        "weight": weight,
                        "unit_price": price,
                        "time": _at(DAY, clock),
                    },
                )
                step_record(
                    actor=recorder,
                    step="canteen_receiving" if buyer_uscc == CANTEEN_USCC else "market_entry",
                    data={
                        "location": site,
                        "supplier": d.MEAT_TRADER.uscc,
                        "receiver": buyer_uscc,
                        "lot": lot,
                        "weight": weight,
                        "origin": "厦门市翔安区",
                        "goods_type": "meat",
                        "voucher": sale.voucher.code,
                        "time": _at(DAY, "07:30"),
                    },
                )
                buyer = buyers[buyer_uscc].name
                lines.append(f"  sale to {buyer}: trace voucher {sale.voucher.grouped}, entry quoting it")
            for step, data in retail_steps():
                step_record(actor=recorder, step=step, data=data)
                lines.append(f"  {step:<18} stored")
    lines += [f"  account {username}: {name}" for username, name in accounts]
    return lines
