"""Data entry that fits each operator (issue #6 item 6): the phone form, the Excel template and the
sectors API produce the same events through the same validation."""

from __future__ import annotations

import io

import openpyxl
import orjson
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tracehub.accounts.models import AuditEntry
from tracehub.demo import data as d
from tracehub.epcis.models import Event
from tracehub.identifiers import canonical_key
from tracehub.registry.models import Party
from tracehub.sectors.entry import STEP_INPUTS, party_uri
from tracehub.sectors.imports import template_xlsx
from tracehub.sectors.models import StepImport, TradeVoucher

from .steps import INPUTS

STEP = "/console/sectors/meat_veg"


def console(username: str) -> Client:
    http = Client()
    http.force_login(get_user_model().objects.get(username=username))
    return http


def form_data(step: str, data: dict[str, str]) -> dict[str, str]:
    """What a phone form posts: parties are chosen from a list by their identifier."""
    out = dict(data)
    for spec in STEP_INPUTS[step]:
        if spec.kind == "party" and out.get(spec.key):
            out[spec.key] = party_uri(Party.objects.get(uscc=out[spec.key]))
    return out


def workbook(step: str, rows: list[dict[str, str]]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(step)))
    sheet = book.worksheets[0]
    keys = [spec.key for spec in STEP_INPUTS[step]]
    for row in rows:
        sheet.append([row.get(k, "") for k in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(http: Client, step: str, rows: list[dict[str, str]]):
    content = workbook(step, rows)
    return http.post(
        f"{STEP}/{step}/import/",
        {"file": SimpleUploadedFile("entries.xlsx", content)},
    )


def state():
    return (
        Event.objects.count(),
        TradeVoucher.objects.count(),
        StepImport.objects.exclude(status="refused").count(),
    )


def test_form_excel_and_api_give_the_identical_event(demo, api):
    data = INPUTS["market_entry"]
    stall = console("demo-stall")
    response = stall.post(f"{STEP}/market_entry/", form_data("market_entry", data))
    assert response.status_code == 200
    assert "recorded" in response.context and response.context["recorded"].captured
    event = response.context["recorded"].event
    stored = Event.objects.get(event_id=event["eventID"])
    assert orjson.loads(stored.document) == event
    count = Event.objects.count()

    response = upload(stall, "market_entry", [data])
    batch = StepImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/sectors/imports/{batch.pk}/"
    assert batch.status == "checked" and batch.errors == {}
    assert stall.post(f"/console/sectors/imports/{batch.pk}/commit").status_code == 302
    excel = AuditEntry.objects.filter(action="sectors.meat_veg.market_entry").order_by("-id").first()
    assert excel.object_id == event["eventID"] and excel.after["captured"] is False

    response = api.post(
        "/api/v1/sectors/meat_veg/market_entry", data=orjson.dumps(data), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["event"] == event and body["captured"] is False
    assert Event.objects.count() == count


def test_sales_by_form_excel_and_api_differ_only_in_their_vouchers(demo, api):
    data = INPUTS["market_trading"]
    demo_vouchers = set(TradeVoucher.objects.values_list("pk", flat=True))  # the sector demo's sales
    mine = TradeVoucher.objects.exclude(pk__in=demo_vouchers)
    stall = console("demo-stall")
    response = stall.post(f"{STEP}/market_trading/", form_data("market_trading", data))
    assert response.status_code == 302
    by_form = mine.get()
    assert response["Location"] == f"/console/sectors/vouchers/{by_form.code}/"
    page = stall.get(response["Location"])
    assert by_form.grouped in page.content.decode() and "<svg" in page.content.decode()

    batch_response = upload(stall, "market_trading", [{**data, "time": "2026-11-19 05:31"}])
    batch = StepImport.objects.get()
    assert batch_response.status_code == 302 and batch.status == "checked"
    assert mine.count() == 1  # the check stores nothing, vouchers included
    stall.post(f"/console/sectors/imports/{batch.pk}/commit")
    response = api.post(
        "/api/v1/sectors/meat_veg/market_trading",
        data=orjson.dumps({**data, "time": "2026-11-19 05:32"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["voucher"]["grouped"] == mine.order_by("-id").first().grouped
    events = [
        orjson.loads(e.document)
        for e in Event.objects.filter(event_id__in=mine.values_list("event_id", flat=True)).order_by("id")
    ]
    assert len(events) == 3

    def shape(event):
        return {k: v for k, v in event.items() if k not in ("eventID", "bizTransactionList", "eventTime")}

    assert shape(events[0]) == shape(events[1]) == shape(events[2])
    assert [e["bizTransactionList"][0]["bizTransaction"][-22:] for e in events] == list(
        mine.order_by("id").values_list("code", flat=True)
    )


def test_the_form_names_each_missing_input_and_stores_nothing(demo):
    stall = console("demo-stall")
    before = state()
    data = form_data("market_trading", INPUTS["market_trading"])
    del data["weight"], data["buyer"]
    response = stall.post(f"{STEP}/market_trading/", data)
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"weight", "buyer"}
    assert state() == before


def test_the_form_shows_capture_refusals_and_stores_nothing(demo):
    stall = console("demo-stall")
    before = state()
    data = {**INPUTS["market_entry"], "quarantine_certificate": "", "meat_inspection_certificate": ""}
    response = stall.post(f"{STEP}/market_entry/", form_data("market_entry", data))
    assert response.status_code == 400
    errors = " ".join(response.context["form"].non_field_errors())
    assert "动物检疫合格证明" in errors and "肉品品质检验合格证" in errors and "bizTransactionList" in errors
    assert state() == before


def test_excel_preview_lists_per_row_errors_and_nothing_can_be_committed(demo):
    stall = console("demo-stall")
    good = INPUTS["market_entry"]
    bad = {**good, "weight": "abc", "time": "2026-11-19 04:00"}
    uncertified = {**good, "quarantine_certificate": "", "time": "2026-11-19 04:10"}
    before = state()
    response = upload(stall, "market_entry", [good, bad, uncertified])
    batch = StepImport.objects.get()
    assert response.status_code == 302 and batch.status == "refused"
    # Row 1 is the header, row 2 the template's example: data rows are 3, 4, 5.
    assert sorted(batch.errors) == ["4", "5"]
    assert [e["field"] for e in batch.errors["4"]] == ["weight"]
    assert batch.errors["5"][0]["field"] == "bizTransactionList"
    assert "动物检疫合格证明" in batch.errors["5"][0]["message"]
    page = stall.get(f"/console/sectors/imports/{batch.pk}/")
    assert "动物检疫合格证明" in page.content.decode() and 'data-testid="commit"' not in page.content.decode()
    assert stall.post(f"/console/sectors/imports/{batch.pk}/commit").status_code == 409
    assert state()[:2] == before[:2]


def test_excel_commit_stores_every_row_at_once(demo):
    stall = console("demo-stall")
    rows = [{**INPUTS["market_entry"], "time": f"2026-11-19 04:{m:02d}"} for m in (1, 2, 3)]
    before = Event.objects.count()
    upload(stall, "market_entry", rows)
    batch = StepImport.objects.get()
    assert stall.post(f"/console/sectors/imports/{batch.pk}/commit").status_code == 302
    batch.refresh_from_db()
    assert batch.status == "committed" and Event.objects.count() == before + 3
    # Only the uploader sees and commits it.
    assert console("demo-supermarket").post(f"/console/sectors/imports/{batch.pk}/commit").status_code == 404


def test_the_template_has_chinese_headers(demo):
    response = console("demo-stall").get(f"{STEP}/market_trading/template.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [
        "场所/摊位 location",
        "买方 buyer",
        "商品批次 lot",
        "重量（千克） weight",
        "单价（元/千克） unit_price",
        "时间 time",
    ]


def test_the_api_names_each_wrong_input(demo, api):
    before = state()
    response = api.post(
        "/api/v1/sectors/meat_veg/market_trading",
        data=orjson.dumps({**INPUTS["market_trading"], "weight": "", "unit_price": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {e["path"] for e in response.json()["errors"]} == {"weight", "unit_price"}
    response = api.post(
        "/api/v1/sectors/meat_veg/market_entry",
        data=orjson.dumps(
            {"rows": [INPUTS["market_entry"], {**INPUTS["market_entry"], "goods_type": "fish"}]}
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]] == ["rows[1].goods_type"]
    assert state() == before


def test_the_api_refuses_other_parties_locations_and_unknown_steps(demo, api):
    from tracehub.registry import services
    from tracehub.registry.actors import Actor

    trader = Party.objects.get(uscc=d.MEAT_TRADER.uscc)
    _client, key = services.party_api_client_create(
        actor=Actor.system("test"), party=trader, name="stall POS"
    )
    pos = Client(headers={"Authorization": f"Bearer {key}"})
    before = state()
    response = pos.post(
        "/api/v1/sectors/meat_veg/retail",
        data=orjson.dumps(INPUTS["retail"]),
        content_type="application/json",
    )
    assert response.status_code == 403
    # The refusal names the location by the identifier sent, never by its holder's registered name.
    from tracehub.registry.models import Location

    place = Location.objects.get(key=canonical_key(INPUTS["retail"]["location"]))
    assert place.key in response.json()["detail"] and place.name not in response.json()["detail"]
    assert (
        pos.post("/api/v1/sectors/meat_veg/brewing", data=b"{}", content_type="application/json").status_code
        == 404
    )
    assert state() == before
    response = pos.post(
        "/api/v1/sectors/meat_veg/market_trading",
        data=orjson.dumps(INPUTS["market_trading"]),
        content_type="application/json",
    )
    assert response.status_code == 201
    code = response.json()["voucher"]["code"]
    assert pos.get(f"/api/v1/sectors/vouchers/{code}").json()["buyer"] == f"417/{d.SUPERMARKET.gln}"


def test_the_sector_pages_take_a_fixed_number_of_queries(demo, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    stall = console("demo-stall")

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert stall.get(path).status_code == 200
        return len(ctx.captured_queries)

    before = (count("/console/sectors/"), count(f"{STEP}/market_trading/"))
    for minute in range(5):
        stall.post(
            f"{STEP}/market_trading/",
            form_data("market_trading", {**INPUTS["market_trading"], "time": f"2026-11-19 06:{minute:02d}"}),
        )
    assert (count("/console/sectors/"), count(f"{STEP}/market_trading/")) == before
    code = TradeVoucher.objects.order_by("-id").first().code
    with django_assert_max_num_queries(before[0]):
        assert stall.get(f"/console/sectors/vouchers/{code}/").status_code == 200
