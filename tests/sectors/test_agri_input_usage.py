"""Usage filing (使用备案, G5): a farm records the use of a farm input on one of its planting plots,
audited and captured as the farm inputs profile's input_usage event at the plot's location (else the
farm's first); officials read their districts' filings with a plot's pre-harvest interval state; and
the designated-outlet rule refuses a raw capture of a highly toxic sale by a dealer that is not a
designated outlet, with the stored data unchanged."""

from __future__ import annotations

import datetime as dt
import json

import orjson
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from tracehub.accounts.models import AuditEntry, Role
from tracehub.epcis.models import Event
from tracehub.registry import services as registry
from tracehub.sectors import selectors_agri_input as selectors
from tracehub.sectors import services_agri_input as service
from tracehub.sectors.models_agri_input import AgriInputUsage
from tracehub.sectors.profile import registry as profiles
from tracehub.sectors.services_agri import plot_create

from .test_agri_input_world import (
    DEALER_SHOP,
    DEALER_USCC,
    FARM_USCC,
    ORDINARY,
    PESTICIDE_CODE,
    SYSTEM,
    TOXIC,
    ago,
    build_agri_world,
    today,
)

API = "/api/v1/sectors/agri_input/usages"
FARM_SITE = f"urn:tracehub:loc:{FARM_USCC}:1"
PLOT_SITE = f"urn:tracehub:loc:{FARM_USCC}:2"


@pytest.fixture
def agri(db):
    with translation.override("en"):
        w = build_agri_world()
        registry.location_create(
            actor=SYSTEM, party=w.farm, identifier=FARM_SITE, name="农场场部", kind="farm_plot"
        )
        base = registry.location_create(
            actor=SYSTEM, party=w.farm, identifier=PLOT_SITE, name="一号基地", kind="farm_plot"
        )
        w.users["farm"] = registry.party_member_add(
            actor=SYSTEM, party=w.farm, username="farm-admin", password=None, role=Role.ENTERPRISE_ADMIN
        )
        w.plot = plot_create(
            actor=SYSTEM,
            party=w.farm,
            name="一号地",
            area_mu="12.5",
            crop="柑橘",
            variety="芦柑",
            location=base,
        )
        w.bare_plot = plot_create(
            actor=SYSTEM, party=w.farm, name="二号地", area_mu="3", crop="青菜", variety="上海青"
        )
        w.other_plot = plot_create(
            actor=SYSTEM, party=w.dealer, name="门店后院", area_mu="1", crop="青菜", variety="上海青"
        )
        yield w


def _use(w, actor=None, **over):
    values = {
        "party": w.farm,
        "plot": w.plot,
        "registration_number": ORDINARY,
        "product_name": "10%吡虫啉可湿性粉剂",
        "quantity": "0.5",
        "unit": "千克",
        "date": ago(5),
        "crop": "柑橘",
        "target": "蚜虫",
        "operator_name": "林水生",
        "pre_harvest_interval_days": "14",
    }
    values.update(over)
    return service.input_usage_record(actor=actor or w.actor("farm"), **values)


def _usage_events() -> list[dict]:
    biz_step = profiles["agri_input"].step("input_usage").biz_step
    docs = [json.loads(e.document) for e in Event.objects.order_by("id")]
    return [d for d in docs if d.get("bizStep") == biz_step]


def test_a_usage_is_stored_audited_and_captured_at_the_plots_location(agri):
    usage = _use(agri, unit_code=PESTICIDE_CODE, dealer=agri.dealer)
    usage.refresh_from_db()
    assert (usage.party, usage.plot, usage.kind, usage.registration_number) == (
        agri.farm,
        agri.plot,
        "pesticide",
        ORDINARY,
    )
    assert str(usage.quantity) == "0.500" and usage.unit == "千克"
    assert usage.pre_harvest_interval_days == 14
    assert usage.interval_ends_on == today() - dt.timedelta(days=5) + dt.timedelta(days=14)
    assert usage.product.registration_number == ORDINARY and usage.dealer == agri.dealer
    assert usage.recorded_by == agri.users["farm"] and usage.source == "api"
    audit = AuditEntry.objects.get(action="sectors.agri_input.usage_record")
    assert audit.object_id == str(usage.pk) and audit.party_ref == agri.farm.pk
    assert audit.after == {
        "plot": agri.plot.pk,
        "registration_number": ORDINARY,
        "quantity": "0.5",
        "unit": "千克",
        "date": ago(5),
        "pre_harvest_interval_days": 14,
        "dealer": agri.dealer.pk,
    }
    [event] = _usage_events()
    assert event["type"] == "ObjectEvent"
    assert event["bizLocation"] == {"id": PLOT_SITE} and event["readPoint"] == {"id": PLOT_SITE}
    assert event["quantityList"] == [
        {"epcClass": f"urn:tracehub:code:pesticide:{PESTICIDE_CODE}", "quantity": 0.5, "uom": "KGM"}
    ]
    assert event["tracehub:usageRecord"] == f"urn:tracehub:doc:agri_input_usage:{usage.pk}"
    assert event["tracehub:registrationNumber"] == ORDINARY
    assert event["eventTime"].startswith(ago(5) + "T12:00:00")


def test_a_plot_without_a_location_is_captured_at_the_farms_first(agri):
    _use(agri, plot=agri.bare_plot, registration_number="农肥(2019)准字12345号", pre_harvest_interval_days="")
    [event] = _usage_events()
    assert event["bizLocation"] == {"id": FARM_SITE}
    assert AgriInputUsage.objects.get().kind == "fertiliser"


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"pre_harvest_interval_days": ""}, "pre_harvest_interval_days"),
        ({"pre_harvest_interval_days": "-3"}, "pre_harvest_interval_days"),
        ({"quantity": "0"}, "quantity"),
        ({"registration_number": "XX123"}, "registration_number"),
        ({"unit_code": "1" + "999999" + "1" + "001" + "000000000000000004711"}, "unit_code"),
        ({"operator_name": ""}, "operator_name"),
        ({"target": ""}, "target"),
        ({"date": "2999-01-01"}, "date"),
    ],
)
def test_each_wrong_input_is_named_and_nothing_stored(agri, over, field):
    with pytest.raises(service.AgriInputInvalid) as caught:
        _use(agri, **over)
    assert set(caught.value.errors) == {field}
    assert AgriInputUsage.objects.count() == 0 and _usage_events() == []


def test_an_unfiled_dealer_and_another_partys_plot_are_refused(agri):
    with pytest.raises(service.AgriInputInvalid) as caught:
        _use(agri, plot=agri.other_plot, dealer=agri.unfiled)
    assert caught.value.errors == {
        "plot": "The plot is not one of the party's planting plots.",
        "dealer": f"{agri.unfiled.name} is not filed (备案).",
    }
    assert AgriInputUsage.objects.count() == 0


def test_only_the_farms_own_users_and_the_platform_file(agri):
    for name in ("dealer", "official", "commerce"):
        with pytest.raises(PermissionDenied):
            _use(agri, actor=agri.actor(name))
    _use(agri, actor=SYSTEM)
    assert AgriInputUsage.objects.count() == 1


def test_officials_read_their_districts_and_the_plots_interval_state(agri):
    _use(agri, date=ago(20), pre_harvest_interval_days="30")  # ends ago(-10)
    last = _use(agri, date=ago(5), pre_harvest_interval_days="3")  # ends ago(2)
    _use(agri, date=ago(4), registration_number="农肥(2019)准字12345号", pre_harvest_interval_days="")
    assert selectors.usages(actor=agri.actor("official")).count() == 3
    assert selectors.usages(actor=agri.actor("official_siming")).count() == 0
    assert selectors.usages(actor=agri.actor("dealer")).count() == 0
    assert selectors.usages(actor=agri.actor("commerce")).count() == 0
    state = selectors.plot_interval(plot=agri.plot, on=today())
    assert state.last_use == last
    assert state.ends_on == today() + dt.timedelta(days=10)  # the earlier use's longer interval
    assert state.ended is False
    assert selectors.plot_interval(plot=agri.plot, on=today() + dt.timedelta(days=10)).ended is True
    before = selectors.plot_interval(plot=agri.plot, on=today() - dt.timedelta(days=21))
    assert (before.last_use, before.ends_on, before.ended) == (None, None, True)


def test_the_api_files_and_answers_the_plots_state(agri):
    client = agri.http("farm")
    body = {
        "plot": agri.plot.pk,
        "registration_number": ORDINARY,
        "product_name": "10%吡虫啉可湿性粉剂",
        "quantity": "200",
        "unit": "毫升",
        "date": ago(3),
        "crop": "柑橘",
        "target": "蚜虫",
        "operator_name": "林水生",
        "pre_harvest_interval_days": 7,
        "dealer": DEALER_USCC,
    }
    response = client.post(API, orjson.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    out = response.json()
    usage = AgriInputUsage.objects.get()
    assert out["id"] == usage.pk and out["dealer"] == {"id": agri.dealer.pk, "name": agri.dealer.name}
    assert out["intervalEndsOn"] == (today() + dt.timedelta(days=4)).isoformat()
    assert out["preHarvestIntervalDays"] == 7 and out["quantity"] == "200" and out["unit"] == "毫升"
    refused = client.post(
        API, orjson.dumps({**body, "pre_harvest_interval_days": None}), content_type="application/json"
    )
    assert refused.status_code == 400
    assert [e["path"] for e in refused.json()["errors"]] == ["pre_harvest_interval_days"]
    assert AgriInputUsage.objects.count() == 1
    official = agri.http("official").get(API, {"plot": agri.plot.pk, "date": today().isoformat()}).json()
    assert [u["id"] for u in official["results"]] == [usage.pk]
    assert official["plot"]["lastPesticideUse"]["id"] == usage.pk
    assert official["plot"]["intervalEndsOn"] == (today() + dt.timedelta(days=4)).isoformat()
    assert official["plot"]["intervalEnded"] is False
    later = (today() + dt.timedelta(days=4)).isoformat()
    assert (
        agri.http("official").get(API, {"plot": agri.plot.pk, "date": later}).json()["plot"]["intervalEnded"]
    )
    assert agri.http("official_siming").get(API, {"plot": agri.plot.pk}).status_code == 404
    assert agri.http("dealer").get(API).json() == {"results": [], "plot": None}
    other = agri.http("dealer").post(
        API, orjson.dumps({**body, "party": agri.farm.pk}), content_type="application/json"
    )
    assert other.status_code == 403


# -- the designated-outlet rule at raw capture -----------------------------------------------------------


def _raw_sale(number: str = TOXIC, site: str = DEALER_SHOP) -> dict:
    return {
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "eventTime": f"{ago(1)}T10:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "quantityList": [{"epcClass": f"urn:tracehub:class:agri_input:{number}", "quantity": 1}],
        "bizStep": profiles["agri_input"].step("input_selling").biz_step,
        "readPoint": {"id": site},
        "bizLocation": {"id": site},
        "tracehub:registrationNumber": number,
        "tracehub:buyerRecord": "urn:tracehub:doc:agri_input_ledger:999999",
    }


def test_a_raw_capture_of_a_highly_toxic_sale_by_a_dealer_not_designated_is_refused(
    agri, api, django_capture_on_commit_callbacks
):
    from tests.sectors.test_food_rules import capture
    from tracehub.accounts.models import Notification
    from tracehub.sectors.services_agri_input import _agri_officials

    before = Event.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = capture(api, _raw_sale())
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert error["path"] == "epcisBody.eventList[0].bizLocation.id"
    assert error["message"] == (
        f"designated outlet rule (高毒农药定点经营): {TOXIC} 3%克百威颗粒剂 is a highly toxic pesticide; "
        f"the dealer of {DEALER_SHOP} is not a designated outlet on {ago(1)}"
    )
    assert Event.objects.count() == before
    # ... and, after the rollback, the bureau is alerted and the refusal audited (the refusal hook).
    [audit] = AuditEntry.objects.filter(action="sectors.agri_input.designated_outlet_refused")
    assert audit.after["product"] == f"urn:tracehub:class:agri_input:{TOXIC}"
    assert audit.after["reasons"] == [error["message"]]
    alerts = Notification.objects.filter(message__contains="without being a designated outlet")
    assert sorted(n.user.username for n in alerts) == sorted(u.username for u in _agri_officials())
    assert alerts and all(
        n.params == {"dealer": agri.dealer.name, "number": audit.after["product"]} for n in alerts
    )


def test_a_raw_capture_at_a_designated_outlet_or_of_an_ordinary_product_passes_the_rule(agri, api):
    from tests.sectors.test_food_rules import capture

    assert capture(api, _raw_sale(number=ORDINARY)).status_code == 202
    service.designated_outlet_designate(
        actor=SYSTEM, dealer=agri.dealer, valid_from=today() - dt.timedelta(days=30)
    )
    response = capture(api, _raw_sale())
    assert response.status_code == 202, response.content


# -- the phone form (issue #6 item 6: a farm files its usage on a phone) ----------------------------------

CONSOLE_USAGES = "/console/sectors/agri_input/usages/"


def _form(agri, **over) -> dict[str, str]:
    return {
        "plot": str(agri.plot.pk),
        "registration_number": ORDINARY,
        "product_name": "10%吡虫啉可湿性粉剂",
        "unit_code": "",
        "quantity": "0.5",
        "unit": "千克",
        "date": ago(2),
        "crop": "柑橘",
        "target": "蚜虫",
        "operator_name": "林水生",
        "pre_harvest_interval_days": "14",
        **over,
    }


def test_a_farm_files_its_usage_by_the_phone_form_and_sees_it_listed(agri):
    client = agri.http("farm")
    page = client.get(CONSOLE_USAGES)
    assert page.status_code == 200
    # Only the farm's own plots are offered.
    assert "一号地" in page.content.decode() and "门店后院" not in page.content.decode()
    response = client.post(CONSOLE_USAGES, _form(agri))
    assert response.status_code == 200, response.content.decode()
    usage = AgriInputUsage.objects.get()
    assert (usage.plot, usage.registration_number, str(usage.quantity), usage.source) == (
        agri.plot,
        ORDINARY,
        "0.500",
        "form",
    )
    assert usage.interval_ends_on == dt.date.fromisoformat(ago(2)) + dt.timedelta(days=14)
    assert len(_usage_events()) == 1
    assert "10%吡虫啉可湿性粉剂" in client.get(CONSOLE_USAGES).content.decode()


def test_the_form_names_each_wrong_input_in_chinese_and_stores_nothing(agri):
    client = agri.http("farm")
    # Another party's plot is not among the choices at all.
    response = client.post(CONSOLE_USAGES, _form(agri, plot=str(agri.other_plot.pk)))
    assert response.status_code == 400
    assert 'data-field="plot">选择一个有效的选项。' in response.content.decode()
    # The service's own checks come back on their fields, in the user's language.
    response = client.post(CONSOLE_USAGES, _form(agri, quantity="-1", pre_harvest_interval_days=""))
    assert response.status_code == 400
    body = response.content.decode()
    with translation.override("zh-hans"):
        from tracehub.sectors.services_agri_input import AgriInputInvalid

        try:
            _use(agri, quantity="-1", pre_harvest_interval_days=None)
        except AgriInputInvalid as exc:
            expected = exc.errors
    assert set(expected) == {"quantity", "pre_harvest_interval_days"}
    for field, message in expected.items():
        assert f'data-field="{field}">{message}<' in body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in expected["quantity"])  # Chinese text
    assert AgriInputUsage.objects.count() == 0 and _usage_events() == []


def test_the_usage_page_is_for_farms_and_the_bureau_and_needs_the_csrf_token(agri):
    from django.test import Client

    assert agri.http("official").get(CONSOLE_USAGES).status_code == 200
    assert agri.http("official").post(CONSOLE_USAGES, _form(agri)).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(agri.users["farm"])
    assert strict.post(CONSOLE_USAGES, _form(agri)).status_code == 403
    assert AgriInputUsage.objects.count() == 0
    anonymous = Client().get(CONSOLE_USAGES)
    assert anonymous.status_code == 302
