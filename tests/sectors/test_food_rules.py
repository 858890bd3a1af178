"""Food (G1): each data item of the food steps is required at capture, and a receipt (索票索证) is
refused from an unfiled or unlicensed supplier and for a lot whose product inspection failed."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.utils import timezone

from tracehub.demo import data as d
from tracehub.epcis.models import Event
from tracehub.sectors.profile import platform_step, registry

from .steps import capture_body, strip

JSONLD = "application/ld+json"
LOT = d.PORK_SHOULDER.lot("20261119-G1")


def _today(clock: str = "09:00") -> str:
    """A time today (licences of the demo are valid around the day it is loaded)."""
    return f"{timezone.localdate().isoformat()}T{clock}:00+08:00"


def _event(step: str, time: str | None = None, **extra: Any) -> dict[str, Any]:
    time = time or _today()
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": time,
        "eventTimeZoneOffset": "+08:00",
        "quantityList": [{"epcClass": LOT, "quantity": 12.5, "uom": "KGM"}],
        "action": "OBSERVE",
        "bizStep": platform_step(step),
        "readPoint": {"id": d.SUPERMARKET_STORE.id},
        "bizLocation": {"id": d.SUPERMARKET_STORE.id},
    }
    if step == "ticket_receiving":
        event["bizTransactionList"] = [
            {"type": "inv", "bizTransaction": d.SLAUGHTERHOUSE.transaction("FP20261119-01")},
            {"type": "cert", "bizTransaction": "urn:tracehub:doc:meat_quality_certificate:XR20261119-G1"},
        ]
        event["sourceList"] = [{"type": "owning_party", "source": d.SLAUGHTERHOUSE.id}]
    elif step == "product_inspection":
        event["bizTransactionList"] = [
            {"type": "testprd", "bizTransaction": "urn:tracehub:doc:test_report:JC2026-1119"}
        ]
        event["tracehub:laboratory"] = "厦门市食品药品质量检验研究院"
        event["tracehub:inspectionResult"] = {
            "tracehub:testItem": "clenbuterol",
            "tracehub:testMethod": "GB/T 22286-2008",
            "tracehub:result": "pass",
        }
    elif step == "market_declaration":
        event["sourceList"] = [{"type": "owning_party", "source": d.SLAUGHTERHOUSE.id}]
        event["tracehub:declarationNumber"] = "SB20261119-0007"
    elif step == "inspection_check":
        event["tracehub:inspectionResult"] = {"tracehub:testItem": "labels", "tracehub:result": "pass"}
    event.update(extra)
    return event


def capture(api, *events):
    return api.post("/epcis/capture", data=capture_body(*events), content_type=JSONLD)


FOOD = registry["food"]
REQUIRED = [(s.key, f.key) for s in FOOD.steps for f in s.fields if f.required]


@pytest.mark.parametrize("step", [s.key for s in FOOD.steps])
def test_a_valid_event_of_every_food_step_is_accepted(demo, api, step):
    response = capture(api, _event(step))
    assert response.status_code == 202, response.content


@pytest.mark.parametrize(("step", "field"), REQUIRED, ids=[f"{s}-{f}" for s, f in REQUIRED])
def test_each_required_food_field_missing_is_refused_naming_it(demo, api, step, field):
    f = next(x for x in FOOD.step(step).fields if x.key == field)
    event = strip(_event(step), f)
    if f.kind.value == "objects":
        event["epcList"] = []  # the standard validation names an empty event first; keep it about the field
        event.pop("epcList")
    before = Event.objects.count()
    response = capture(api, event)
    assert response.status_code == 400, response.content
    paths = {e["path"] for e in response.json()["errors"]}
    expected = {f"epcisBody.eventList[0].{f.path()}"} | (
        {"epcisBody.eventList[0].epcList"} if f.kind.value == "objects" else set()
    )
    assert expected & paths, response.json()
    assert Event.objects.count() == before


def test_a_supplier_without_a_valid_food_licence_is_refused(demo, api):
    coop = _event("ticket_receiving", sourceList=[{"type": "owning_party", "source": d.VEG_COOP.id}])
    before = Event.objects.count()
    response = capture(api, coop)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["path"] == "epcisBody.eventList[0].sourceList"
    assert f"holds no food production or business licence valid on {timezone.localdate()}" in error["message"]
    # The slaughterhouse's licence covers today, not a receipt dated after it expires.
    late = _event("ticket_receiving", time="2099-01-05T09:00:00+08:00")
    response = capture(api, late)
    assert response.status_code == 400
    assert "valid on 2099-01-05" in response.json()["errors"][0]["message"]
    assert Event.objects.count() == before


def test_an_unregistered_supplier_is_refused(demo, api):
    stranger = _event(
        "ticket_receiving",
        sourceList=[{"type": "owning_party", "source": "urn:tracehub:party:91350200MA00000001"}],
    )
    response = capture(api, stranger)
    assert response.status_code == 400
    assert "is not registered" in response.json()["errors"][0]["message"]


def test_a_lot_whose_inspection_failed_cannot_be_received(demo, api):
    assert capture(api, _event("ticket_receiving")).status_code == 202
    failed = _event("product_inspection", time=_today("10:00"))
    failed["tracehub:inspectionResult"] = {**failed["tracehub:inspectionResult"], "tracehub:result": "fail"}
    assert capture(api, failed).status_code == 202
    before = Event.objects.count()
    again = _event("ticket_receiving", time=_today("11:00"))
    response = capture(api, copy.deepcopy(again))
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["path"] == "epcisBody.eventList[0].quantityList"
    assert "market access refused" in error["message"]
    assert Event.objects.count() == before
