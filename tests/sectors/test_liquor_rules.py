"""The rules of liquor distribution (G3): the accompanying slip of every wholesale shipment (its
fields required, its number allocated once and never reused), receipts against the slip, bottle
codes allocated at source, filed operators only; stored data unchanged on every refusal."""

from __future__ import annotations

import copy

import pytest
from django.db import IntegrityError, transaction

from tracehub.demo import data as d
from tracehub.epcis.models import Event
from tracehub.identifiers.cn_codes import make_liquor_slip_number, parse_liquor_slip_number
from tracehub.registry.models import Party, Product
from tracehub.sectors.models_liquor import LiquorSlip, LiquorSlipStatus
from tracehub.sectors.profile import registry
from tracehub.sectors.services import StepRefused
from tracehub.sectors.services_liquor import finish, liquor_step_record

from .steps import strip
from .test_liquor_support import (  # noqa: F401
    PLANT,
    RESTAURANT_SITE,
    STORE,
    SYSTEM,
    actor,
    capture,
    state,
    stored,
)
from .test_liquor_support import world as _world

world = _world  # the fixture

WHOLESALE = registry["liquor"].step("wholesale")
SLIP_FIELDS = [f for f in WHOLESALE.fields if f.key in (
    "slip", "seller", "buyer", "seller_filing_number", "consignor", "carrier", "vehicle_plate", "items"
)]  # fmt: skip


def sorghum_lot() -> str:
    distillery = Party.objects.get(name="厦门鹭峰酒业有限公司")
    return LiquorSlip.objects.get(seller=distillery).items[0]["epcClass"]


def wholesale(**changes) -> dict:
    data = {
        "location": STORE,
        "buyer": d.WINE_SHOP_A.uscc,
        "items": f"{sorghum_lot()}=2@110",
        "consignor": "陈丽",
        "carrier": "厦门鹭运物流有限公司",
        "vehicle_plate": "闽D·5A208",
        "time": "2026-11-20 09:30",
    }
    return {**data, **changes}


def ship(**changes):
    return liquor_step_record(
        actor=actor("demo-liquor-wholesaler"), step="wholesale", data=wholesale(**changes)
    )


def test_a_wholesale_shipment_carries_its_slip_with_every_field(world):
    before = LiquorSlip.objects.count()
    result = ship()
    slip = LiquorSlip.objects.get(number=result.extra["slip"])
    assert LiquorSlip.objects.count() == before + 1
    parsed = parse_liquor_slip_number(slip.number)
    assert (parsed.prefecture, parsed.year) == ("3502", 2026)
    event = stored(result.event["eventID"])
    assert event == result.event and slip.event_id == event["eventID"]
    assert event["bizStep"] == "urn:tracehub:cbv:bizstep:liquor_wholesale"
    assert event["bizTransactionList"] == [
        {"type": "desadv", "bizTransaction": f"urn:tracehub:doc:liquor_slip:{slip.number}"}
    ]
    assert event["tracehub:sellerFilingNumber"] == slip.seller_filing_number == "350206100001"
    assert (event["tracehub:consignor"], event["tracehub:carrier"], event["tracehub:vehiclePlate"]) == (
        "陈丽",
        "厦门鹭运物流有限公司",
        "闽D·5A208",
    )
    assert event["tracehub:slipItems"] == [
        {
            "epcClass": sorghum_lot(),
            "name": "鹭峰清香型高粱酒 52%vol 500ml",
            "quantity": 2,
            "uom": "H87",
            "unitPrice": 110,
            "origin": "福建省厦门市同安区",
            "lot": sorghum_lot().rsplit("/", 1)[1],
        }
    ]
    assert event["quantityList"] == [{"epcClass": sorghum_lot(), "quantity": 2, "uom": "H87"}]
    assert (slip.seller.name, slip.buyer.name, str(slip.amount)) == (
        "厦门鹭通酒类批发有限公司",
        "厦门醇境酒业有限公司",
        "220.00",
    )


@pytest.mark.parametrize("field", SLIP_FIELDS, ids=lambda f: f.key)
def test_a_wholesale_event_without_a_slip_field_is_refused_naming_it(world, api, field):
    good = stored(ship().event["eventID"])
    retail = finish(
        {
            k: v
            for k, v in {**copy.deepcopy(good), "bizStep": "urn:tracehub:cbv:bizstep:liquor_retail"}.items()
            if not k.startswith("tracehub:")
            and k not in ("bizTransactionList", "sourceList", "destinationList", "eventID")
        }
        | {"eventTime": "2026-11-20T10:00:00+08:00", "disposition": "retail_sold"}
    )
    bad = strip(good, field)
    before = state()
    response = capture(api, retail, bad)
    assert response.status_code == 400, response.content
    errors = [e for e in response.json()["errors"] if e.get("index") == 1]
    assert any(
        e["path"] == f"epcisBody.eventList[1].{field.path()}" and field.zh in e["message"] for e in errors
    ), errors
    assert state() == before  # the valid retail event before it is not stored either


def test_the_entry_names_each_missing_slip_input_and_stores_nothing(world):
    before = state()
    with pytest.raises(StepRefused) as refused:
        ship(consignor="", carrier="", vehicle_plate="", items="")
    assert {e["field"] for e in refused.value.errors} == {"consignor", "carrier", "vehicle_plate", "items"}
    with pytest.raises(StepRefused) as refused:
        ship(vehicle_plate="ABC", items=f"{sorghum_lot()}=2")
    assert {e["field"] for e in refused.value.errors} == {"vehicle_plate", "items"}
    assert state() == before


def test_slip_numbers_are_allocated_in_sequence_and_never_reused(world, api):
    first, second = ship(), ship(time="2026-11-20 09:31")
    a, b = parse_liquor_slip_number(first.extra["slip"]), parse_liquor_slip_number(second.extra["slip"])
    assert int(b.sequence) == int(a.sequence) + 1
    # Another shipment quoting an issued slip is refused, whoever captures it.
    other = copy.deepcopy(stored(second.event["eventID"]))
    other["quantityList"][0]["quantity"] = 5
    other["tracehub:slipItems"][0]["quantity"] = 5
    del other["eventID"]
    other = finish(other)
    before = state()
    response = capture(api, other)
    assert response.status_code == 400
    assert any("belongs to another shipment" in e["message"] for e in response.json()["errors"])
    # A well-formed number the platform never issued is refused too.
    never = make_liquor_slip_number("3502", 2026, 99990)
    other["bizTransactionList"][0]["bizTransaction"] = f"urn:tracehub:doc:liquor_slip:{never}"
    del other["eventID"]
    response = capture(api, finish(other))
    assert response.status_code == 400
    assert any("was never issued" in e["message"] for e in response.json()["errors"])
    assert state() == before
    # The database refuses a second slip with the same number or sequence.
    slip = LiquorSlip.objects.get(number=first.extra["slip"])
    with pytest.raises(IntegrityError), transaction.atomic():
        LiquorSlip.objects.create(
            **{
                f.name: getattr(slip, f.name)
                for f in LiquorSlip._meta.concrete_fields
                if f.name not in ("id",)
            }
            | {"seller_id": slip.seller_id, "buyer_id": slip.buyer_id, "location_id": slip.location_id}
        )


def test_a_slip_with_another_seller_or_filing_number_is_refused(world, api):
    event = copy.deepcopy(stored(ship().event["eventID"]))
    event["tracehub:sellerFilingNumber"] = "350206100002"  # the importer's number
    del event["eventID"]
    before = state()
    response = capture(api, finish(event))
    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]][
        -1
    ] == "epcisBody.eventList[0].tracehub:sellerFilingNumber"
    assert state() == before


def test_goods_are_received_only_against_their_own_slip(world):
    slip = ship().extra["slip"]
    wholesaler = Party.objects.get(name="厦门鹭通酒类批发有限公司").uscc
    before = state()
    with pytest.raises(StepRefused) as refused:  # the restaurant quotes the wine shop's slip
        liquor_step_record(
            actor=SYSTEM,
            step="receiving",
            data={
                "location": RESTAURANT_SITE,
                "supplier": wholesaler,
                "slip": slip,
                "time": "2026-11-20 11:00",
            },
        )
    assert refused.value.errors[0]["field"] == "bizTransactionList"
    assert "not issued for a sale" in refused.value.errors[0]["message"]
    assert state() == before
    received = liquor_step_record(
        actor=SYSTEM,
        step="receiving",
        data={
            "location": d.WINE_SHOP_A_STORE.id,
            "supplier": wholesaler,
            "slip": slip,
            "time": "2026-11-20 11:00",
        },
    )
    assert received.captured and LiquorSlip.objects.get(number=slip).status == LiquorSlipStatus.RECEIVED
    assert received.event["quantityList"] == [{"epcClass": sorghum_lot(), "quantity": 2, "uom": "H87"}]


def test_only_filed_operators_ship_and_buy(world):
    before = state()
    with pytest.raises(StepRefused) as refused:
        ship(buyer=d.WINE_SHOP_B.uscc)  # its liquor filing is still under review
    assert [e["field"] for e in refused.value.errors] == ["buyer"]
    assert "酒类流通备案" in refused.value.errors[0]["message"]
    assert state() == before


def test_bottles_carry_only_codes_the_platform_allocated(world):
    sorghum = Product.objects.get(brand="鹭峰")
    forged = f"https://id.gs1.org/01/{sorghum.gtin}/21/9999999999999"
    before = state()
    with pytest.raises(StepRefused) as refused:
        liquor_step_record(
            actor=actor("demo-distillery"),
            step="production",
            data={
                "location": PLANT,
                "lot": f"https://id.gs1.org/01/{sorghum.gtin}/10/L261121",
                "quantity": "1",
                "codes": forged,
                "production_date": "2026-11-21",
                "origin": "福建省厦门市同安区",
                "time": "2026-11-21 08:00",
            },
        )
    assert refused.value.errors[0]["field"] == "epcList[0]"
    assert "not a code allocated by the platform" in refused.value.errors[0]["message"]
    assert state() == before


def test_the_demo_chain_runs_from_production_to_consumption(world):
    steps = registry["liquor"]
    counts = {s.key: Event.objects.filter(biz_step=s.biz_step).count() for s in steps.steps}
    assert counts == {
        "production": 1,
        "source_labelling": 1,
        "wholesale": 3,
        "receiving": 3,
        "retail": 1,
        "consumption": 1,
    }
    assert LiquorSlip.objects.filter(status=LiquorSlipStatus.RECEIVED).count() == 3
