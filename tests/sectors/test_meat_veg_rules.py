"""The rules of meat and vegetable distribution (E1): entry admission, trace vouchers, sector scope."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from tracehub.accounts.models import AuditEntry
from tracehub.demo import data as d
from tracehub.epcis.models import Event
from tracehub.identifiers.cn_codes import parse_platform_trace_code
from tracehub.registry.actors import Actor, actor_for_user
from tracehub.sectors.entry import party_key
from tracehub.sectors.models import TradeVoucher, VoucherStatus
from tracehub.sectors.services import StepRefused, step_record

from .steps import INPUTS, UNISSUED_VOUCHER, capture_body, event_of

JSONLD = "application/ld+json"
SYSTEM = Actor.system("test")


def user_actor(username: str) -> Actor:
    return actor_for_user(get_user_model().objects.get(username=username))


def state() -> tuple[int, int, int]:
    return Event.objects.count(), TradeVoucher.objects.count(), AuditEntry.objects.count()


def sell(buyer: str, **changes) -> object:
    return step_record(
        actor=user_actor("demo-stall"),
        step="market_trading",
        data={**INPUTS["market_trading"], "buyer": buyer, **changes},
    )


def supermarket_entry(voucher: str, **changes) -> dict:
    data = {
        "location": d.SUPERMARKET_STORE.id,
        "supplier": d.MEAT_TRADER.uscc,
        "lot": INPUTS["market_trading"]["lot"],
        "weight": "10.5",
        "origin": "厦门市翔安区",
        "goods_type": "meat",
        "voucher": voucher,
        "time": "2026-11-19 06:30",
    }
    return {**data, **changes}


def test_a_sale_issues_a_trace_voucher_on_its_receipt(demo):
    before = state()
    sale = sell(d.SUPERMARKET.uscc)
    voucher = sale.voucher
    code = parse_platform_trace_code(voucher.code)
    assert code.district == "350206"  # the stall's district (湖里)
    assert code.day.isoformat() == "2026-11-19"
    assert voucher.grouped == f"{voucher.code[:10]}-{voucher.code[10:16]}-{voucher.code[16:]}"
    assert voucher.seller.uscc == d.MEAT_TRADER.uscc and voucher.buyer.uscc == d.SUPERMARKET.uscc
    assert str(voucher.amount) == "288.75"  # 10.5 kg × 27.5
    stored = Event.objects.get(event_id=sale.event["eventID"])
    assert stored.biz_step == "urn:tracehub:cbv:bizstep:market_trading"
    assert {"type": "urn:tracehub:cbv:btt:trace_voucher", "bizTransaction": voucher.uri} in sale.event[
        "bizTransactionList"
    ]
    assert sale.event["tracehub:unitPrice"] == 27.5
    assert state() == (before[0] + 1, before[1] + 1, before[2] + 2)  # capture audit + step audit
    second = sell(d.SUPERMARKET.uscc, time="2026-11-19 05:45")
    assert second.voucher.sequence == voucher.sequence + 1 and second.voucher.node == voucher.node


def test_the_buyers_entry_quoting_the_voucher_is_admitted(demo):
    sale = sell(d.SUPERMARKET.uscc)
    entry = step_record(
        actor=user_actor("demo-supermarket"),
        step="market_entry",
        data=supermarket_entry(sale.voucher.grouped),
    )
    assert entry.captured
    assert TradeVoucher.objects.get(pk=sale.voucher.pk).status == VoucherStatus.QUOTED
    assert {"type": "urn:tracehub:cbv:btt:trace_voucher", "bizTransaction": sale.voucher.uri} in entry.event[
        "bizTransactionList"
    ]


def test_an_entry_quoting_a_voucher_never_issued_is_refused(demo):
    before = state()
    with pytest.raises(StepRefused) as caught:
        step_record(
            actor=user_actor("demo-supermarket"),
            step="market_entry",
            data=supermarket_entry(UNISSUED_VOUCHER),
        )
    [error] = caught.value.errors
    assert error["field"] == "bizTransactionList"
    assert "was never issued" in error["message"]
    assert state() == before


def test_an_entry_quoting_a_voucher_issued_to_another_buyer_is_refused(demo):
    sale = sell(d.FARMERS_MARKET.uscc)  # sold to the farmers' market
    before = state()
    with pytest.raises(StepRefused) as caught:
        step_record(
            actor=user_actor("demo-supermarket"),
            step="market_entry",
            data=supermarket_entry(sale.voucher.code),
        )
    [error] = caught.value.errors
    assert "issued to another buyer" in error["message"]
    assert party_key(sale.voucher.buyer) not in error["message"].split("receiving party ")[1]
    assert state() == before
    assert TradeVoucher.objects.get(pk=sale.voucher.pk).status == VoucherStatus.ISSUED


@pytest.mark.parametrize(
    ("goods", "missing"),
    [
        ("meat", ["动物检疫合格证明", "肉品品质检验合格证"]),
        ("poultry", ["动物检疫合格证明"]),
        ("vegetable", ["承诺达标合格证"]),
    ],
)
def test_entry_without_voucher_or_certificates_is_refused_naming_them(demo, api, goods, missing):
    event = event_of(
        "market_entry", goods_type=goods, quarantine_certificate="", meat_inspection_certificate=""
    )
    assert "bizTransactionList" not in event
    before = state()
    response = api.post("/epcis/capture", data=capture_body(event), content_type=JSONLD)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["path"] for e in errors] == ["epcisBody.eventList[0].bizTransactionList"] * len(missing)
    assert [m for m in missing if any(m in e["message"] for e in errors)] == missing
    assert state()[:2] == before[:2]


def test_a_sale_captured_without_the_platforms_voucher_is_refused(demo, api):
    before = state()
    response = api.post("/epcis/capture", data=capture_body(event_of("market_trading")), content_type=JSONLD)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["path"] == "epcisBody.eventList[0].bizTransactionList"
    assert "was not issued by the platform" in error["message"]
    assert state()[:2] == before[:2]


def test_a_wrong_voucher_code_is_refused_naming_the_check_digits(demo, api):
    event = event_of("market_entry")
    event["bizTransactionList"].append(
        {
            "type": "urn:tracehub:cbv:btt:trace_voucher",
            "bizTransaction": "urn:tracehub:code:trace:3502060009261118999977",
        }
    )
    response = api.post("/epcis/capture", data=capture_body(event), content_type=JSONLD)
    assert response.status_code == 400
    messages = " ".join(e["message"] for e in response.json()["errors"])
    assert "check digits" in messages


def test_the_step_decides_the_event_type(demo, api):
    event = event_of("slaughtering")
    event["type"] = "ObjectEvent"
    event["epcList"] = event.pop("inputEPCList")
    event["action"] = "OBSERVE"
    event.pop("outputQuantityList")
    event.pop("ilmd")
    response = api.post("/epcis/capture", data=capture_body(event), content_type=JSONLD)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["path"] == "epcisBody.eventList[0].type"
    assert "TransformationEvent" in error["message"]


def test_cbv_steps_are_checked_only_in_the_profiles_sector(demo, api):
    # retail_selling of a meat lot (meat_veg) without a weight is refused ...
    pork = event_of("retail")
    del pork["quantityList"][0]["quantity"], pork["quantityList"][0]["uom"]
    assert api.post("/epcis/capture", data=capture_body(pork), content_type=JSONLD).status_code == 400
    # ... a pharmacy's retail sale of a drug pack (drug sector) is not a meat_veg step.
    drug = {
        "type": "ObjectEvent",
        "eventTime": "2026-11-19T10:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [d.DRUG.instance("1000000099")],
        "action": "OBSERVE",
        "bizStep": "retail_selling",
        "disposition": "retail_sold",
        "readPoint": {"id": d.PHARMACY_A_STORE.id},
    }
    assert api.post("/epcis/capture", data=capture_body(drug), content_type=JSONLD).status_code == 202


def test_a_stall_holder_records_only_at_their_own_locations(demo):
    before = state()
    with pytest.raises(PermissionDenied):
        step_record(actor=user_actor("demo-stall"), step="retail", data=INPUTS["retail"])
    assert state() == before


def test_inputs_are_checked_and_each_wrong_one_named(demo):
    before = state()
    data = {**INPUTS["market_trading"], "weight": "-1", "buyer": "91350200MA00000000", "colour": "red"}
    del data["unit_price"]
    with pytest.raises(StepRefused) as caught:
        step_record(actor=SYSTEM, step="market_trading", data=data)
    fields = {e["field"]: e["message"] for e in caught.value.errors}
    assert set(fields) == {"weight", "buyer", "unit_price", "colour"}
    assert "≥ 0" in fields["weight"] and "is required" in fields["unit_price"]
    assert state() == before


def test_an_unfiled_buyer_is_refused(demo):
    from tracehub.registry import services

    party = services.party_create(
        actor=SYSTEM,
        name="未备案商户",
        party_type="stall",
        id_kind="uscc",
        uscc=d.make_uscc("92", "350206", "MA9YYY01"),
        sectors=["meat_veg"],
        district="350206",
    )
    with pytest.raises(StepRefused) as caught:
        sell(party.uscc)
    [error] = caught.value.errors
    assert error["field"] == "buyer" and "not filed" in error["message"]
