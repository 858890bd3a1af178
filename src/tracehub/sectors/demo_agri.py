"""Demo data of the farm produce subsystem (农产品, G4), entered through its services.

The vegetable co-operative (绿野蔬菜专业合作社, 集美) records two plots and issues compliance
certificates for two lots of pak choi at its base (two ``certificate_issuing`` events); its own
rapid test of the first lot passes (a ``rapid_test`` event), the district testing station's test
of the second finds carbofuran above the limit, which flags the lot; the family farm (碧岭家庭农场,
同安) records a tea garden and a vegetable plot but issues no certificate (so coverage is partial);
the pig farm records its farm facts. The bureau inspects both lots at the Xinyang farmers' market:
the first admitted, the second removed. Idempotent: each part is entered only once.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tracehub.demo import data as d
from tracehub.demo.events import BASE_DATE
from tracehub.identifiers import canonical_key
from tracehub.registry.models import Location, Party
from tracehub.sectors.models_agri import (
    LivestockFarm,
    MarketInspection,
    PlantingPlot,
    ProduceCertificate,
    RapidTest,
)
from tracehub.sectors.services_agri import (
    certificate_issue,
    farm_create,
    market_inspection_record,
    plot_create,
    rapid_test_record,
)

CHINA = dt.timezone(dt.timedelta(hours=8))
LOTS = ("20261117A", "20261117B")
#: Events captured into an empty store: two certificates and the co-operative's own rapid test.
EVENT_COUNT = 3
ALL_COMMITMENTS = ["no_banned_drugs", "no_illegal_additives", "intervals_kept", "residue_standards"]


def _at(day: int, hour: int) -> dt.datetime:
    return dt.datetime.combine(BASE_DATE + dt.timedelta(days=day), dt.time(hour), tzinfo=CHINA)


def _location(place) -> Location | None:
    return Location.objects.filter(key=canonical_key(place.id)).first()


def load_agri_demo() -> list[str]:
    """Enter the farm produce demo; lines describing what was done."""
    coop = Party.objects.filter(uscc=d.VEG_COOP.uscc).first()
    family = Party.objects.filter(uscc=d.FAMILY_FARM.uscc).first()
    pigs = Party.objects.filter(uscc=d.PIG_FARM.uscc).first()
    base, market = _location(d.COOP_BASE), _location(d.FARMERS_MARKET_SITE)
    if coop is None or base is None or market is None:
        return ["  agri        skipped: the demo registry has no vegetable co-operative"]
    lines: list[str] = []
    # Events are recorded by the demo loader's API client, like the rest of the demo (O3): every
    # capture job names who sent it.
    from tracehub.sectors.demo import _recorder

    actor = _recorder()
    with transaction.atomic():
        plots = [
            (coop, "后溪1号地块", "30", "青菜", "上海青", base),
            (coop, "后溪2号地块", "18", "番茄", "粉果番茄", None),
        ]
        if family is not None:
            plots += [
                (family, "碧岭茶园", "45", "茶叶", "铁观音", _location(d.FAMILY_FARM_SITE)),
                (family, "碧岭菜地", "6", "白菜", "小白菜", None),
            ]
        made = 0
        for party, name, area, crop, variety, location in plots:
            if not PlantingPlot.objects.filter(party=party, name=name).exists():
                plot_create(
                    actor=actor,
                    party=party,
                    name=name,
                    area_mu=area,
                    crop=crop,
                    variety=variety,
                    location=location,
                )
                made += 1
        if pigs is not None and not LivestockFarm.objects.filter(party=pigs).exists():
            farm_create(
                actor=actor,
                party=pigs,
                name="溪源生猪养殖场",
                species="pig",
                head_count=1200,
                annual_output=2400,
                epidemic_certificate="(同)动防合字第350212-0317号",
                location=_location(d.PIG_FARM_SITE),
            )
        lots = [d.PAK_CHOI.lot(n) for n in LOTS]
        plot = PlantingPlot.objects.get(party=coop, name="后溪1号地块")
        if not ProduceCertificate.objects.filter(party=coop).exists():
            for lot, quantity, hour in ((lots[0], "420", 6), (lots[1], "260", 7)):
                certificate_issue(
                    actor=actor,
                    location=base,
                    lot=lot,
                    product_name="上海青",
                    quantity=quantity,
                    unit="KGM",
                    origin="厦门市集美区后溪镇",
                    production_date=BASE_DATE + dt.timedelta(days=1),
                    commitments=ALL_COMMITMENTS,
                    test_basis="self_test",
                    plot=plot,
                    contact_phone="0592-6201234",
                    issued_at=_at(1, hour),
                )
        if not RapidTest.objects.filter(lot__in=lots).exists():
            rapid_test_record(
                actor=actor,
                lot=lots[0],
                sample="上海青",
                item="有机磷和氨基甲酸酯类农药",
                method="酶抑制法",
                value="18.5",
                limit="50",
                unit="%",
                tester="合作社质检员 林秀",
                tested_at=_at(1, 5),
                location=base,
            )
            rapid_test_record(
                actor=actor,
                lot=lots[1],
                sample="上海青",
                item="克百威",
                method="胶体金免疫层析",
                value="0.05",
                limit="0.02",
                unit="mg/kg",
                tester="集美区农产品质量检测站",
                tested_at=_at(1, 10),
            )
        if not MarketInspection.objects.filter(lot__in=lots).exists():
            numbers = dict(ProduceCertificate.objects.filter(lot__in=lots).values_list("lot", "number"))
            market_inspection_record(
                actor=actor,
                market=market,
                seller=coop,
                lot=lots[0],
                certificate_number=numbers.get(lots[0], ""),
                outcome="accepted",
                inspected_at=_at(2, 6),
            )
            market_inspection_record(
                actor=actor,
                market=market,
                seller=coop,
                lot=lots[1],
                certificate_number=numbers.get(lots[1], ""),
                outcome="removed",
                note="克百威超标，责令下架",
                inspected_at=_at(2, 6),
            )
    lines.append(
        f"  agri        {made} plots, {ProduceCertificate.objects.filter(party=coop).count()} certificates, "
        f"{RapidTest.objects.filter(lot__in=lots).count()} rapid tests, "
        f"{MarketInspection.objects.filter(lot__in=lots).count()} market inspections (G4)"
    )
    return lines


__all__ = ["EVENT_COUNT", "load_agri_demo"]
