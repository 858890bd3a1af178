"""Entry for food operators (G1, P3): every food step by the phone form, the Excel template and the
API gives the very same event; an upload with a wrong row stores nothing and names each row, column
and reason; a receipt refused at market access explains why in Chinese on the form; the form needs
its CSRF token; nobody records at another party's location."""

from __future__ import annotations

import io

import orjson
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tracehub.accounts.models import AuditEntry, Notification
from tracehub.demo import data as d
from tracehub.demo.events import ymd
from tracehub.epcis.models import Event
from tracehub.identifiers import canonical_key
from tracehub.registry.actors import Actor, ActorKind
from tracehub.registry.models import Party
from tracehub.sectors.demo_food import EVENT_COUNT, LOT, food_steps
from tracehub.sectors.entry import entries_of, party_uri
from tracehub.sectors.models import StepImport
from tracehub.sectors.profile import platform_step, registry
from tracehub.sectors.services import MARKET_ACCESS_MESSAGE, steps_record

from .test_drug_entry import form_data, member, workbook
from .test_drug_world import console, event_of

BASE = "/console/sectors/food"
NEW_LOT = d.PORK_SHOULDER.lot("20261127-G9")
TODAY = timezone.localdate().isoformat()

ROWS = {
    "market_declaration": (
        d.SUPERMARKET.uscc,
        {
            "location": d.SUPERMARKET_STORE.id,
            "lot": NEW_LOT,
            "quantity": "80",
            "supplier": d.SLAUGHTERHOUSE.uscc,
            "declaration_number": "SB20261127-0001",
            "time": f"{TODAY} 06:00",
        },
    ),
    "product_inspection": (
        d.SLAUGHTERHOUSE.uscc,
        {
            "location": d.SLAUGHTER_PLANT.id,
            "lot": NEW_LOT,
            "sample": "YP20261127-001",
            "item": "克伦特罗",
            "method": "GB/T 22286-2008",
            "result": "pass",
            "laboratory": "厦门市食品药品质量检验研究院",
            "report": "JC20261127-0001",
            "time": f"{TODAY} 06:30",
        },
    ),
    "ticket_receiving": (
        d.SUPERMARKET.uscc,
        {
            "location": d.SUPERMARKET_STORE.id,
            "supplier": d.SLAUGHTERHOUSE.uscc,
            "lot": NEW_LOT,
            "quantity": "80",
            "invoice": "FP20261127-0001",
            "certificate_kind": "test_report",
            "certificate": "JC20261127-0001",
            "time": f"{TODAY} 08:00",
        },
    ),
    "inspection_check": (
        d.SUPERMARKET.uscc,
        {
            "location": d.SUPERMARKET_STORE.id,
            "lot": NEW_LOT,
            "item": "标签",
            "result": "pass",
            "time": f"{TODAY} 10:00",
        },
    ),
}


def test_every_food_step_has_an_entry_and_the_demo_records_each(demo):
    steps = [s.key for s in registry["food"].steps]
    assert [e.step for e in entries_of("food")] == steps
    assert [step for step, _data in food_steps()] == steps == list(ROWS)
    assert EVENT_COUNT == 4
    for step in steps:
        assert Event.objects.filter(biz_step=registry["food"].step(step).biz_step).count() == 1
    assert "  food ticket_receiving     stored" in demo.splitlines()


def test_loading_the_demo_twice_adds_nothing(demo):
    before = (Event.objects.count(), AuditEntry.objects.filter(action__startswith="sectors.food").count())
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    after = (Event.objects.count(), AuditEntry.objects.filter(action__startswith="sectors.food").count())
    assert after == before
    assert "  food ticket_receiving     already stored" in out.getvalue().splitlines()


def test_the_demo_receipt_carries_ticket_and_certificate(demo):
    event = orjson.loads(
        Event.objects.get(biz_step=registry["food"].step("ticket_receiving").biz_step).document
    )
    assert event["quantityList"] == [{"epcClass": LOT, "quantity": 120, "uom": "KGM"}]
    assert event["bizTransactionList"] == [
        {"type": "inv", "bizTransaction": f"urn:tracehub:bt:{d.SLAUGHTERHOUSE.uscc}:FP{ymd(2)}-0088"},
        {"type": "cert", "bizTransaction": f"urn:tracehub:doc:test_report:JC{ymd(2)}-0417"},
    ]


@pytest.mark.parametrize("step", list(ROWS))
def test_form_excel_and_api_give_the_identical_event(demo, api, step):
    uscc, data = ROWS[step]
    http = console(member(uscc, f"food-{step}"))
    expected = event_of("food", step, data)
    response = http.post(f"{BASE}/steps/{step}/", form_data("food", step, data))
    assert response.status_code == 200, response.content.decode()[:3000]
    recorded = response.context["recorded"]
    assert recorded.captured is True and recorded.event == expected
    assert orjson.loads(Event.objects.get(event_id=expected["eventID"]).document) == expected
    count = Event.objects.count()

    response = http.post(
        f"{BASE}/steps/{step}/import/",
        {"file": SimpleUploadedFile("entries.xlsx", workbook("food", step, [data]))},
    )
    batch = StepImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}/imports/{batch.pk}/"
    assert (batch.status, batch.errors, batch.step) == ("checked", {}, f"food.{step}")
    assert http.post(f"{BASE}/imports/{batch.pk}/commit").status_code == 302
    audit = AuditEntry.objects.filter(action=f"sectors.food.{step}").order_by("-id").first()
    assert audit.object_id == expected["eventID"] and audit.after["captured"] is False

    response = api.post(
        f"/api/v1/sectors/food/{step}", data=orjson.dumps(data), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["event"] == expected and response.json()["captured"] is False
    assert Event.objects.count() == count


def test_the_receipt_event_maps_each_input(demo):
    _uscc, data = ROWS["ticket_receiving"]
    event = event_of("food", "ticket_receiving", data)
    assert {k: v for k, v in event.items() if k != "eventID"} == {
        "type": "ObjectEvent",
        "eventTime": f"{TODAY}T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "quantityList": [{"epcClass": NEW_LOT, "quantity": 80, "uom": "KGM"}],
        "action": "OBSERVE",
        "bizStep": platform_step("ticket_receiving"),
        "readPoint": {"id": d.SUPERMARKET_STORE.id},
        "bizLocation": {"id": d.SUPERMARKET_STORE.id},
        "bizTransactionList": [
            {"type": "inv", "bizTransaction": f"urn:tracehub:bt:{d.SLAUGHTERHOUSE.uscc}:FP20261127-0001"},
            {"type": "cert", "bizTransaction": "urn:tracehub:doc:test_report:JC20261127-0001"},
        ],
        "sourceList": [
            {"type": "owning_party", "source": party_uri(Party.objects.get(uscc=d.SLAUGHTERHOUSE.uscc))}
        ],
        "destinationList": [
            {"type": "owning_party", "destination": party_uri(Party.objects.get(uscc=d.SUPERMARKET.uscc))}
        ],
    }


def test_the_excel_preview_names_row_column_and_reason_and_stores_nothing(demo):
    http = console(member(d.SUPERMARKET.uscc, "food-excel"))
    _uscc, good = ROWS["ticket_receiving"]
    typo = {**good, "time": "27/11/2026"}
    unlicensed = {**good, "supplier": d.VEG_COOP.uscc, "time": f"{TODAY} 08:05"}
    missing = {**good, "invoice": "", "time": f"{TODAY} 08:06"}
    before = (Event.objects.count(), AuditEntry.objects.filter(action__startswith="sectors.food").count())
    response = http.post(
        f"{BASE}/steps/ticket_receiving/import/",
        {
            "file": SimpleUploadedFile(
                "e.xlsx", workbook("food", "ticket_receiving", [good, typo, unlicensed, missing])
            )
        },
    )
    batch = StepImport.objects.get()
    assert response.status_code == 302
    assert batch.status == "refused"
    # Row 1 is the header, row 2 the template's example: data rows are 3 to 6.
    assert sorted(batch.errors) == ["4", "5", "6"]
    assert batch.errors["4"] == [
        {
            "field": "time",
            "message": "时间 (time) '27/11/2026': a date and time such as 2026-11-16 08:30 is required",
            # Stored with its code and params (the reason nested), so the preview page translates it.
            "code": "input_invalid",
            "params": {
                "input": "时间 (time)",
                "value": "'27/11/2026'",
                "reason": {
                    "code": "time_required",
                    "params": {},
                    "message": "a date and time such as 2026-11-16 08:30 is required",
                },
            },
        }
    ]
    assert [e["field"] for e in batch.errors["5"]] == ["sourceList"]
    assert batch.errors["5"][0]["message"] == (
        f"supplier {d.VEG_COOP.name} (urn:tracehub:party:{d.VEG_COOP.uscc}) holds no food production or "
        f"business licence valid on {TODAY}"
    )
    assert [e["field"] for e in batch.errors["6"]] == ["invoice"]
    page = http.get(f"{BASE}/imports/{batch.pk}/").content.decode()
    assert "sourceList" in page and "invoice" in page and 'data-testid="commit"' not in page
    assert "时间 (time) &#x27;27/11/2026&#x27;：须为日期和时间，如 2026-11-16 08:30" in page
    assert http.post(f"{BASE}/imports/{batch.pk}/commit").status_code == 409
    after = (Event.objects.count(), AuditEntry.objects.filter(action__startswith="sectors.food").count())
    assert after == before


def test_a_receipt_of_a_failed_lot_is_refused_with_the_reason_in_chinese(
    demo, api, django_capture_on_commit_callbacks
):
    _uscc, inspection = ROWS["product_inspection"]
    failed = {**inspection, "result": "fail"}
    response = api.post(
        "/api/v1/sectors/food/product_inspection", data=orjson.dumps(failed), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    failed_id = response.json()["eventID"]
    http = console(member(d.SUPERMARKET.uscc, "food-refused"))
    _uscc, receipt = ROWS["ticket_receiving"]
    before = Event.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            f"{BASE}/steps/ticket_receiving/",
            form_data("food", "ticket_receiving", receipt),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 400
    errors = response.context["form"].non_field_errors()
    assert list(errors) == [
        # The rule's own message is in Chinese too (tracehub.sectors.messages), decided by its code.
        "quantityList: 市场准入拒绝：该批次产品检验不合格，不得进货。 "
        f"(市场准入拒绝：该批次的产品检验不合格（事件 {failed_id}）；检验不合格的批次不得进货)"
    ]
    assert "市场准入拒绝：该批次产品检验不合格，不得进货。" in response.content.decode()
    assert Event.objects.count() == before
    # The bureau's alert quotes the reason as a message, translated when the notice is shown.
    alerts = Notification.objects.filter(message=MARKET_ACCESS_MESSAGE)
    assert alerts.exists()
    assert all(n.params["reason"][0]["text"].startswith("market access refused") for n in alerts)


def test_the_form_needs_its_csrf_token(demo):
    member(d.SUPERMARKET.uscc, "food-csrf")
    http = Client(enforce_csrf_checks=True)
    http.force_login(get_user_model().objects.get(username="food-csrf"))
    _uscc, data = ROWS["inspection_check"]
    before = Event.objects.count()
    response = http.post(f"{BASE}/steps/inspection_check/", form_data("food", "inspection_check", data))
    assert response.status_code == 403
    page = http.get(f"{BASE}/steps/inspection_check/")
    assert page.status_code == 200 and 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert Event.objects.count() == before


def test_another_partys_location_is_refused(demo):
    http = console(member(d.SUPERMARKET.uscc, "food-other"))
    _uscc, data = ROWS["product_inspection"]  # at the slaughterhouse's plant
    before = Event.objects.count()
    response = http.post(f"{BASE}/steps/product_inspection/", form_data("food", "product_inspection", data))
    assert response.status_code == 400
    assert response.context["form"].errors["location"] == [
        f"选择一个有效的选项。 {d.SLAUGHTER_PLANT.id} 不在可用的选项中。"
    ]
    assert Event.objects.count() == before


def test_an_enterprise_may_not_record_at_another_partys_location(demo):
    _uscc, data = ROWS["product_inspection"]  # at the slaughterhouse's plant
    party = Party.objects.get(uscc=d.SUPERMARKET.uscc)
    actor = Actor(kind=ActorKind.PARTY_CLIENT, party_id=party.pk, label="supermarket system")
    before = Event.objects.count()
    with pytest.raises(PermissionDenied) as refused:
        steps_record(actor=actor, sector="food", step="product_inspection", rows=[data])
    assert str(refused.value) == (
        f"只能在本主体持有或经营的场所记录事件（{canonical_key(d.SLAUGHTER_PLANT.id)} 不属于此类场所）。"
    )
    assert Event.objects.count() == before


def test_the_food_console_lists_every_step(demo):
    http = console(member(d.SUPERMARKET.uscc, "food-index"))
    page = http.get(f"{BASE}/").content.decode()
    for step in ROWS:
        assert f'data-testid="step-{step}"' in page
    assert f'href="{BASE}/steps/ticket_receiving/import/"' in page
    assert http.get(f"{BASE}/steps/ticket_receiving/template.xlsx").status_code == 200
