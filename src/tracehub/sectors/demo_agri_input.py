"""Demo of the farm inputs records (农资, G5): the catalogue, a designated outlet, the dealer's purchase
and sale ledgers and real-name sales, entered through the services as the console and API do.

The dealer is the demo data set's 丰民农资经营部 in 同安 (``demo.data.AGRI_DEALER``), buying from the
Jiangsu pesticide maker and selling to the family farm (by its credit code) and to a smallholder by
real name (his ID number is made up, with a valid check character, and stored encrypted). The
registration numbers other than the imidacloprid's (PD20142631, the demo data set's product) are
made up in the formats of their kinds. Loading twice changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from stdnum.cn import ric

from tracehub.demo import data as d
from tracehub.demo.events import BASE_DATE
from tracehub.registry.actors import Actor
from tracehub.registry.models import Party
from tracehub.sectors.models_agri import PlantingPlot
from tracehub.sectors.models_agri_input import (
    AgriInputLedgerEntry,
    AgriInputUsage,
    DesignatedOutlet,
    LedgerSource,
)
from tracehub.sectors.services_agri_input import (
    agri_input_product_set,
    designated_outlet_designate,
    input_usage_record,
    ledger_rows_record,
)

ACTOR = Actor.system("demo loader (farm inputs)")
#: Events this demo captures (``load_demo.demo_event_count``): each ledger row is captured as the
#: farm inputs profile's input_purchasing or input_selling event (3 purchases, 3 sales), and the family
#: farm's usage filing (使用备案) on its tea garden as input_usage (loaded after the farm produce demo,
#: which enters the plot).
EVENT_COUNT = 7

CATALOGUE = (
    # registration number, name, kind, holder, restricted, highly toxic
    ("PD20142631", "10%吡虫啉可湿性粉剂", "pesticide", d.PESTICIDE_MAKER.name, False, False),
    ("PD20130412", "3%克百威颗粒剂", "pesticide", d.PESTICIDE_MAKER.name, True, True),
    ("PD20120855", "40%乐果乳油", "pesticide", d.PESTICIDE_MAKER.name, True, False),
    ("兽药字(2020)150012345", "阿莫西林可溶性粉", "vet_drug", "", False, False),
    ("农肥(2019)准字12345号", "复合微生物肥料", "fertiliser", "", False, False),
)


def _smallholder_id() -> str:
    base = "35021119850312041"
    return base + ric.calc_check_digit(base + "0")


def _day(offset: int) -> dt.date:
    return BASE_DATE + dt.timedelta(days=offset)  # before the load day (demo/events.py DAYS_BEFORE_LOAD)


def load_agri_input_demo() -> list[str]:
    """Enter the farm inputs demo; lines describing what was done."""
    dealer = Party.objects.filter(uscc=d.AGRI_DEALER.uscc).first()
    maker = Party.objects.filter(uscc=d.PESTICIDE_MAKER.uscc).first()
    farm = Party.objects.filter(uscc=d.FAMILY_FARM.uscc).first()
    if dealer is None or maker is None:
        return ["  agri_input  skipped: the demo registry has no farm input dealer"]
    lines: list[str] = []
    with transaction.atomic():
        for number, name, kind, holder, restricted, toxic in CATALOGUE:
            agri_input_product_set(
                actor=ACTOR,
                registration_number=number,
                name=name,
                kind=kind,
                holder=holder,
                restricted=restricted,
                highly_toxic=toxic,
            )
        if not DesignatedOutlet.objects.filter(dealer=dealer).exists():
            designated_outlet_designate(
                actor=ACTOR, dealer=dealer, valid_from=_day(-60), document_number="厦农（2026）定点12号"
            )
        if not AgriInputLedgerEntry.objects.filter(dealer=dealer).exists():
            from tracehub.sectors.demo import _recorder

            # The rows' events are captured by the demo loader's API client, like the rest of the demo.
            recorder = _recorder()
            purchases = [
                _product(
                    "PD20142631", "10%吡虫啉可湿性粉剂", "100克/袋", 200, "袋", -11, supplier=maker.uscc
                ),
                _product("PD20130412", "3%克百威颗粒剂", "1千克/袋", 40, "袋", -11, supplier=maker.uscc),
                _product("PD20120855", "40%乐果乳油", "500毫升/瓶", 60, "瓶", -10, supplier=maker.uscc),
            ]
            purchases[0]["unit_code"] = "1" + "142631" + "1" + "001" + "000000000000000004711"
            ledger_rows_record(
                actor=recorder, dealer=dealer, direction="purchase", rows=purchases, source=LedgerSource.API
            )
            sales = [
                {
                    **_product("PD20142631", "10%吡虫啉可湿性粉剂", "100克/袋", 6, "袋", -8),
                    "buyer_uscc": farm.uscc if farm else "",
                    "buyer_name": "" if farm else "碧岭家庭农场",
                    "use_crop": "茶树",
                    "use_target": "茶小绿叶蝉",
                },
                {
                    **_product("PD20130412", "3%克百威颗粒剂", "1千克/袋", 2, "袋", -6),
                    "buyer_name": "林水生",
                    "buyer_id_number": _smallholder_id(),
                    "buyer_phone": "13906001234",
                    "buyer_address": "厦门市同安区汀溪镇造水村12号",
                    "use_crop": "甘蔗",
                    "use_target": "蔗螟",
                },
                {
                    **_product("PD20120855", "40%乐果乳油", "500毫升/瓶", 3, "瓶", -5),
                    "buyer_name": "林水生",
                    "buyer_id_number": _smallholder_id(),
                    "buyer_phone": "13906001234",
                    "buyer_address": "厦门市同安区汀溪镇造水村12号",
                    "use_crop": "柑橘",
                    "use_target": "蚜虫",
                },
            ]
            ledger_rows_record(
                actor=recorder, dealer=dealer, direction="sale", rows=sales, source=LedgerSource.API
            )
        tea = PlantingPlot.objects.filter(party=farm, name="碧岭茶园").first() if farm else None
        if tea is not None and not AgriInputUsage.objects.filter(party=farm).exists():
            from tracehub.sectors.demo import _recorder

            # The farm sprays the imidacloprid it bought on day -8 (safe to pick tea 7 days later).
            input_usage_record(
                actor=_recorder(),
                party=farm,
                plot=tea,
                registration_number="PD20142631",
                product_name="10%吡虫啉可湿性粉剂",
                quantity="300",
                unit="克",
                date=_day(-7),
                crop="茶树",
                target="茶小绿叶蝉",
                operator_name="林秀英",
                pre_harvest_interval_days=7,
                dealer=dealer,
            )
    count = AgriInputLedgerEntry.objects.filter(dealer=dealer).count()
    usages = AgriInputUsage.objects.filter(party=farm).count() if farm else 0
    lines.append(
        f"  agri_input  catalogue {len(CATALOGUE)} products, {dealer.name} designated outlet, "
        f"{count} ledger rows (real-name sales included), {usages} usage filing  (G5)"
    )
    return lines


def _product(number, name, spec, quantity, unit, offset, *, supplier: str | None = None) -> dict[str, str]:
    row = {
        "registration_number": number,
        "product_name": name,
        "specification": spec,
        "quantity": str(quantity),
        "unit": unit,
        "date": _day(offset).isoformat(),
    }
    if supplier:
        row["supplier"] = supplier
    return row
