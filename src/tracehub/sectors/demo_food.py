"""Demo of the food steps (食品, G1): one working example of every step of the food profile, entered
through the same service as the phone forms, the Excel import and ``/api/v1/sectors/food/…``.

On day 2 of the demo, a pork shoulder lot of the demo data set's slaughterhouse (厦门翔润肉类食品,
which holds a food production licence) is declared to the supermarket (市场申报), inspected at the
slaughterhouse by the city's food inspection institute (产品检验: sample, clenbuterol, GB/T
22286-2008, pass, report number), received at the supermarket with the slaughterhouse's invoice and
the test report (索票索证进货: capture checks the supplier's filing and licence on the day and that
no inspection of the lot failed), and checked by the market supervision bureau's inspector at the
store (监督查验). The events' times are fixed offsets from the demo day (``BASE_DATE``, days
before the load day, as the registry demo dates the licences from it: issue #6 item 7), and a step
whose event is stored is not entered again: loading twice the same day writes nothing (no event, no
audit row).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tracehub.demo import data as d
from tracehub.demo.events import BASE_DATE
from tracehub.epcis.models import Event
from tracehub.registry.models import Location, Party
from tracehub.sectors.demo import _recorder
from tracehub.sectors.entry import entry_for, parse_entry
from tracehub.sectors.services import steps_record

DAY = 2  # days after BASE_DATE
BATCH = f"{(BASE_DATE + dt.timedelta(days=DAY - 1)).strftime('%Y%m%d')}-G1"
LOT = d.PORK_SHOULDER.lot(BATCH)


def _at(clock: str) -> str:
    return f"{(BASE_DATE + dt.timedelta(days=DAY)).isoformat()} {clock}"


def food_steps() -> list[tuple[str, dict[str, str]]]:
    """(step, inputs) of every food step, in the order they are entered."""
    ymd = (BASE_DATE + dt.timedelta(days=DAY)).strftime("%Y%m%d")
    return [
        (
            "market_declaration",
            {
                "location": d.SUPERMARKET_STORE.id,
                "lot": LOT,
                "quantity": "120",
                "supplier": d.SLAUGHTERHOUSE.uscc,
                "declaration_number": f"SB{ymd}-0031",
                "time": _at("06:30"),
            },
        ),
        (
            "product_inspection",
            {
                "location": d.SLAUGHTER_PLANT.id,
                "lot": LOT,
                "sample": f"YP{ymd}-017",
                "item": "克伦特罗",
                "method": "GB/T 22286-2008",
                "result": "pass",
                "laboratory": "厦门市食品药品质量检验研究院",
                "report": f"JC{ymd}-0417",
                "time": _at("07:00"),
            },
        ),
        (
            "ticket_receiving",
            {
                "location": d.SUPERMARKET_STORE.id,
                "supplier": d.SLAUGHTERHOUSE.uscc,
                "lot": LOT,
                "quantity": "120",
                "invoice": f"FP{ymd}-0088",
                "certificate_kind": "test_report",
                "certificate": f"JC{ymd}-0417",
                "time": _at("08:10"),
            },
        ),
        (
            "inspection_check",
            {
                "location": d.SUPERMARKET_STORE.id,
                "lot": LOT,
                "item": "票证与标签",
                "result": "pass",
                "note": "索票索证齐全",
                "time": _at("10:00"),
            },
        ),
    ]


#: Events this module captures on a fresh store: one per step.
EVENT_COUNT = len(food_steps())


def load_food_demo() -> list[str]:
    """Enter the food demo (see the module docstring); lines describing what was done."""
    needed = (
        Party.objects.filter(uscc=d.SLAUGHTERHOUSE.uscc).exists()
        and Location.objects.filter(identifier__in=[d.SUPERMARKET_STORE.id, d.SLAUGHTER_PLANT.id]).count()
        == 2
    )
    if not needed:
        return ["  food  skipped: the demo registry has no slaughterhouse or supermarket"]
    lines = []
    recorder = _recorder()
    with transaction.atomic():
        for step, data in food_steps():
            spec = entry_for("food", step)
            event, _extra = spec.make(parse_entry(spec, data))
            if Event.objects.filter(event_id=event["eventID"]).exists():
                lines.append(f"  food {step:<20} already stored")  # a second load writes nothing
                continue
            steps_record(actor=recorder, sector="food", step=step, rows=[data])
            lines.append(f"  food {step:<20} stored")
    return lines
