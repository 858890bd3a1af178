"""Enterprise full chain (E2): production checked against its recipe (BOM), key control points
from EPCIS 2.0 sensor data flagged on the lot for the enterprise and its bureau, warehouse stock by
lot computed exactly from events; refused entries leave stored data unchanged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import orjson
import pytest

from tracehub.accounts.models import Notification
from tracehub.demo import data as d
from tracehub.demo.events import BASE_DATE
from tracehub.identifiers import canonical_key
from tracehub.registry.models import Party
from tracehub.sectors import selectors_enterprise
from tracehub.sectors.demo_g3_e2 import KITCHEN, KITCHEN_DAY, gtin13
from tracehub.sectors.demo_g3_e2 import PORK_LOT as DEMO_PORK_LOT
from tracehub.sectors.models_enterprise import EnterpriseFinding, FindingKind, ProductionRecord
from tracehub.sectors.services import StepRefused
from tracehub.sectors.services_enterprise import enterprise_step_record

from .test_liquor_support import COLD, LINE, actor, capture, console, state, user
from .test_liquor_support import world as _world

world = _world  # the fixture

TOPPING = gtin13(KITCHEN["prefix"], "101")
SOY = gtin13(KITCHEN["prefix"], "201")
# The demo kitchen's lots of its production day, and the day after it (the demo is dated from the
# load day: tracehub.demo.events.BASE_DATE).
BATCH_A = f"01/0{TOPPING}/10/{KITCHEN_DAY}A"
BATCH_B = f"01/0{TOPPING}/10/{KITCHEN_DAY}B"
SOY_LOT = f"01/0{SOY}/10/S{KITCHEN_DAY}"
PORK_LOT = canonical_key(DEMO_PORK_LOT)
NEXT = BASE_DATE + dt.timedelta(days=3)
NEXT_DAY = NEXT.strftime("%Y%m%d")
DL = "https://id.gs1.org/"


def kitchen() -> Party:
    return Party.objects.get(name="厦门鹭味轩食品有限公司")


def produce(pork: str, soy: str, output: str, lot: str = "C", **changes):
    return enterprise_step_record(
        actor=actor("demo-kitchen"),
        step="production",
        data={
            "location": LINE,
            "recipe": "R-LRF-01",
            "inputs": f"https://id.gs1.org/{PORK_LOT}={pork}KGM;https://id.gs1.org/{SOY_LOT}={soy}KGM",
            "output_lot": f"https://id.gs1.org/01/0{TOPPING}/10/{NEXT_DAY}{lot}",
            "output_quantity": output,
            "uom": "KGM",
            "production_date": NEXT.isoformat(),
            "time": f"{NEXT} 09:00",
            **changes,
        },
    )


def test_a_production_that_follows_its_recipe_raises_nothing(world):
    before = EnterpriseFinding.objects.count()
    result = produce("6", "1.5", "10")
    record = ProductionRecord.objects.get(event_id=result.event["eventID"])
    assert record.matches_recipe and result.extra == {"findings": 0, "matchesRecipe": True}
    assert [(x["input"], x["expected"], x["actual"], x["status"]) for x in record.details] == [
        ("冷鲜五花肉", "6", "6", "ok"),
        ("卤汁酱油（原料）", "1.5", "1.5", "ok"),
    ]
    assert EnterpriseFinding.objects.count() == before


def test_a_production_off_its_recipe_is_stored_and_flagged_on_the_lot(world):
    notes = Notification.objects.count()
    result = produce("4", "1.6", "10")  # pork 4 of 6 kg (beyond 5 %), soy 1.6 of 1.5 (within 10 %)
    record = ProductionRecord.objects.get(event_id=result.event["eventID"])
    assert not record.matches_recipe
    assert [(x["expected"], x["actual"], x["status"]) for x in record.details] == [
        ("6", "4", "mismatch"),
        ("1.5", "1.6", "ok"),
    ]
    finding = EnterpriseFinding.objects.get(event_id=result.event["eventID"])
    assert (finding.kind, finding.lot, finding.party, finding.limit) == (
        FindingKind.BOM_MISMATCH,
        f"https://id.gs1.org/01/0{TOPPING}/10/{NEXT_DAY}C",
        kitchen(),
        "R-LRF-01",
    )
    assert finding.message == "recipe R-LRF-01: 冷鲜五花肉 (mismatch)"
    # The enterprise's user and the officials overseeing it (商务局 湖里, 市场监管局 food) are notified.
    notified = set(Notification.objects.order_by("id")[notes:].values_list("user__username", flat=True))
    assert notified == {"demo-kitchen", "demo-commerce-huli", "demo-amr"}


def test_an_unknown_recipe_is_refused_and_nothing_is_stored(world):
    before = state()
    with pytest.raises(StepRefused) as refused:
        produce("6", "1.5", "10", recipe="R-NONE")
    assert refused.value.errors[0]["field"] == "tracehub:recipe"
    assert "R-NONE" in refused.value.errors[0]["message"]
    assert state() == before


def test_a_control_point_reading_outside_its_limit_is_flagged_for_the_enterprise_and_its_bureau(world):
    def reading(value: str, clock: str):
        return enterprise_step_record(
            actor=actor("demo-kitchen"),
            step="control_point",
            data={
                "location": LINE,
                "control_point": "CCP1",
                "lots": DL + BATCH_A,
                "value": value,
                "time": f"{NEXT} {clock}",
            },
        )

    ok = reading("72", "09:10")  # the limit itself is within it
    assert ok.extra["findings"] == 0
    assert ok.event["sensorElementList"] == [
        {
            "sensorMetadata": {"time": f"{NEXT}T09:10:00+08:00"},
            "sensorReport": [{"type": "Temperature", "value": 72, "uom": "CEL"}],
        }
    ]
    low = reading("71.5", "09:20")
    finding = EnterpriseFinding.objects.get(event_id=low.event["eventID"])
    assert (finding.kind, finding.lot, finding.value, finding.limit, finding.control_point.code) == (
        FindingKind.CCP_DEVIATION,
        DL + BATCH_A,
        Decimal("71.5"),
        "≥ 72 CEL",
        "CCP1",
    )
    assert finding.message == "CCP1 蒸煮中心温度: 71.5 CEL below the limit ≥ 72 CEL"
    seen = {u: [f.pk for f in selectors_enterprise.findings_for(actor(u), lot=DL + BATCH_A)] for u in (
        "demo-kitchen", "demo-commerce-huli", "demo-importer-admin", "demo-liquor"
    )}  # fmt: skip
    assert finding.pk in seen["demo-kitchen"] and finding.pk in seen["demo-commerce-huli"]
    assert seen["demo-importer-admin"] == [] and seen["demo-liquor"] == []
    page = (
        console("demo-commerce-huli")
        .get(f"/console/sectors/enterprise/findings/?lot={DL}{BATCH_A}")
        .content.decode()
    )
    assert "71.5 CEL 低于限值 ≥ 72 CEL" in page  # the page's language (zh-hans); stored in English
    assert (
        console("demo-importer-admin")
        .get("/console/sectors/enterprise/findings/")
        .content.decode()
        .count("低于限值")
        == 0
    )
    assert Notification.objects.filter(user=user("demo-commerce-huli"), params__lot=DL + BATCH_A).count() == 1


def test_the_cold_chain_limit_checks_storage_temperatures(world):
    def store(temperature: str, clock: str):
        return enterprise_step_record(
            actor=actor("demo-kitchen"),
            step="storing",
            data={
                "location": COLD,
                "lot": DL + BATCH_B,
                "quantity": "1",
                "uom": "KGM",
                "temperature": temperature,
                "time": f"{NEXT} {clock}",
            },
        )

    assert store("3.9", "12:00").extra["findings"] == 0
    too_cold, too_warm = store("-0.5", "12:10"), store("4.2", "12:20")
    assert [
        (f.value, f.message)
        for f in EnterpriseFinding.objects.filter(
            event_id__in=[too_cold.event["eventID"], too_warm.event["eventID"]]
        ).order_by("value")
    ] == [
        (Decimal("-0.5"), "CCP2 冷藏温度: -0.5 CEL below the limit ≥ 0 ≤ 4 CEL"),
        (Decimal("4.2"), "CCP2 冷藏温度: 4.2 CEL above the limit ≥ 0 ≤ 4 CEL"),
    ]


def test_an_unknown_control_point_is_refused_and_nothing_is_stored(world):
    before = state()
    with pytest.raises(StepRefused) as refused:
        enterprise_step_record(
            actor=actor("demo-kitchen"),
            step="control_point",
            data={
                "location": LINE,
                "control_point": "CCP9",
                "lots": DL + BATCH_A,
                "value": "50",
                "time": f"{NEXT} 09:30",
            },
        )
    assert refused.value.errors[0]["field"] == "tracehub:controlPoint"
    assert state() == before


def test_stock_by_lot_is_computed_exactly_from_the_events(world, django_assert_num_queries):
    party = kitchen()
    with django_assert_num_queries(3):
        rows = selectors_enterprise.stock_by_lot(party=party)
    got = [
        (r.location_name, r.lot, r.uom, r.received, r.produced, r.shipped, r.consumed, r.balance)
        for r in rows
    ]
    D = Decimal  # noqa: N806
    assert got == [
        ("鹭味轩中央厨房冷库", BATCH_A, "KGM", D(20), D(0), D(13), D(0), D(7)),
        ("鹭味轩中央厨房冷库", BATCH_B, "KGM", D(10), D(0), D(0), D(0), D(10)),
        ("鹭味轩中央厨房加工车间", BATCH_A, "KGM", D(0), D(20), D(20), D(0), D(0)),
        ("鹭味轩中央厨房加工车间", BATCH_B, "KGM", D(0), D(10), D(10), D(0), D(0)),
        ("鹭味轩中央厨房加工车间", SOY_LOT, "KGM", D(10), D(0), D(0), D("4.5"), D("5.5")),
        ("鹭味轩中央厨房加工车间", PORK_LOT, "KGM", D(30), D(0), D(0), D("16.5"), D("13.5")),
        ("鹭味轩枋湖门店", BATCH_A, "KGM", D(5), D(0), D("1.2"), D(0), D("3.8")),
    ]
    assert [r.product for r in rows][:2] == ["鹭味轩卤肉饭浇头", "鹭味轩卤肉饭浇头"]
    # A further shipment moves exactly its quantity; the query count does not grow with events.
    enterprise_step_record(
        actor=actor("demo-kitchen"),
        step="shipping",
        data={
            "location": COLD,
            "customer": d.SUPERMARKET.uscc,
            "lot": DL + BATCH_B,
            "quantity": "2.5",
            "uom": "KGM",
            "time": f"{NEXT} 15:00",
        },
    )
    with django_assert_num_queries(3):
        rows = selectors_enterprise.stock_by_lot(party=party)
    assert [r.balance for r in rows if r.lot == BATCH_B and r.location_name == "鹭味轩中央厨房冷库"] == [
        D("7.5")
    ]


def test_stock_api_and_page_for_the_enterprise_and_its_bureau(world, api):
    party = kitchen()
    body = console("demo-kitchen").get("/api/v1/sectors/enterprise/stock").json()
    assert body["party"] == party.name and len(body["rows"]) == 7
    assert {"lot": BATCH_A, "locationName": "鹭味轩枋湖门店", "balance": "3.8"}.items() <= next(
        r for r in body["rows"] if r["locationName"] == "鹭味轩枋湖门店"
    ).items()
    assert (
        console("demo-commerce-huli").get(f"/api/v1/sectors/enterprise/stock?party={party.pk}").status_code
        == 200
    )
    assert (
        console("demo-importer-admin").get(f"/api/v1/sectors/enterprise/stock?party={party.pk}").status_code
        == 404
    )
    page = (
        console("demo-commerce-huli")
        .get(f"/console/sectors/enterprise/stock/?party={party.pk}")
        .content.decode()
    )
    assert "鹭味轩枋湖门店" in page and "3.8" in page


def test_an_enterprise_system_pushes_events_by_epcis_and_they_are_checked(world, api):
    event = {
        "type": "ObjectEvent",
        "eventTime": f"{NEXT}T20:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "quantityList": [{"epcClass": f"https://id.gs1.org/{BATCH_A}"}],
        "action": "OBSERVE",
        "bizStep": "urn:tracehub:cbv:bizstep:ccp_monitoring",
        "readPoint": {"id": COLD},
        "bizLocation": {"id": COLD},
        "sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": 9, "uom": "CEL"}]}],
        "tracehub:controlPoint": "CCP2",
    }
    from tracehub.sectors.services_liquor import finish

    event = finish(event)
    missing = {k: v for k, v in event.items() if k != "tracehub:controlPoint"}
    before = state()
    response = capture(api, missing)
    assert response.status_code == 400
    assert any("关键控制点编号" in e["message"] for e in response.json()["errors"])
    assert state() == before
    assert capture(api, event).status_code == 202
    response = console("demo-kitchen").post(
        "/api/v1/sectors/enterprise/evaluate", content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["findings"] >= 1
    finding = EnterpriseFinding.objects.get(event_id=event["eventID"])
    assert finding.message == "CCP2 冷藏温度: 9 CEL above the limit ≥ 0 ≤ 4 CEL"


def test_recipes_and_control_points_by_api_name_each_wrong_field(world):
    http = console("demo-kitchen")
    before = state()
    response = http.post(
        "/api/v1/sectors/enterprise/recipes",
        data=orjson.dumps(
            {"code": "", "name": "x", "outputProduct": TOPPING, "lines": [{"product": SOY, "quantity": -1}]}
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {e["path"] for e in response.json()["errors"]} == {"code", "lines[0].quantity"}
    response = http.post(
        "/api/v1/sectors/enterprise/control-points",
        data=orjson.dumps({"code": "CCP3", "name": "金属检测", "minimum": 5, "maximum": 1}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]] == ["maximum"]
    assert state() == before
    response = http.post(
        "/api/v1/sectors/enterprise/recipes",
        data=orjson.dumps(
            {
                "code": "R-2",
                "name": "酱汁",
                "outputProduct": TOPPING,
                "lines": [{"product": SOY, "quantity": "0.5", "tolerance": 2}],
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["lines"] == 1


def test_every_console_page_renders_for_the_enterprise_and_its_bureau(world):
    from tracehub.sectors.services_enterprise import ENTERPRISE_INPUTS
    from tracehub.sectors.services_liquor import LIQUOR_INPUTS

    pages = [
        "/console/sectors/enterprise/",
        "/console/sectors/enterprise/stock/",
        "/console/sectors/enterprise/findings/",
    ]
    pages += [f"/console/sectors/enterprise/{step}/" for step in ENTERPRISE_INPUTS]
    pages += [f"/console/sectors/enterprise/{step}/import/" for step in ENTERPRISE_INPUTS]
    for page in pages:
        response = console("demo-kitchen").get(page)
        assert response.status_code == 200, page
    liquor = ["/console/sectors/liquor/"] + [f"/console/sectors/liquor/{step}/" for step in LIQUOR_INPUTS]
    for page in liquor:
        assert console("demo-distillery").get(page).status_code == 200, page
    assert console("demo-commerce-huli").get("/console/sectors/enterprise/").status_code == 200
    assert console("demo-liquor").get("/console/sectors/liquor/").status_code == 200
    # Officials read; they do not record.
    assert console("demo-commerce-huli").get("/console/sectors/enterprise/production/").status_code == 403
    response = console("demo-kitchen").get("/console/sectors/enterprise/production/template.xlsx")
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [
        "场所 location",
        "配方编号 recipe",
        "投料（批次=用量） inputs",
        "产出批次 output_lot",
        "产出数量 output_quantity",
        "单位 uom",
        "生产日期 production_date",
        "时间 time",
    ]
