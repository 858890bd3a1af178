"""Excel uploads of the farm produce records (G4, issue #6 item 6): templates with Chinese headers, a
preview naming each wrong row by (row, column, reason), all rows stored or none; a row makes the same
certificate, test and event as the phone form and the API; another party's data is refused."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tracehub.accounts.models import AuditEntry
from tracehub.epcis.models import Event
from tracehub.sectors import services_agri_excel as excel
from tracehub.sectors.models_agri import PlantingPlot, ProduceCertificate, RapidTest

from .agri_world import FAMILY_LOT, LOT, LOT2, build_agri_world, departments
from .test_agri_records import ALL, _certificate, _plot

PAGE = "/console/sectors/agri"
CHINA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def w(db):
    departments()
    return build_agri_world()


def workbook(kind: str, rows: list[dict[str, str]]) -> bytes:
    """The downloaded template of ``kind`` with ``rows`` filled in below its example row."""
    book = openpyxl.load_workbook(io.BytesIO(excel.template_xlsx(kind)))
    sheet = book.worksheets[0]
    # Typed below the example row, as a user would (code columns are formatted down to row 501).
    for number, row in enumerate(rows, start=3):
        for column, item in enumerate(excel.KINDS[kind].columns, start=1):
            sheet.cell(row=number, column=column, value=row.get(item.key) or None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def post(http, kind: str, rows: list[dict[str, str]], action: str):
    return http.post(
        f"{PAGE}/import/{kind}/",
        {"file": SimpleUploadedFile("rows.xlsx", workbook(kind, rows)), "action": action},
    )


def cert_row(w, **over) -> dict[str, str]:
    row = {
        "location": w.base.identifier,
        "lot": LOT,
        "product_name": "上海青",
        "quantity": "350",
        "unit": "千克",
        "origin": "厦门市集美区后溪镇",
        "production_date": "2026-11-20",
        "commitments": "全部",
        "test_basis": "自我检测",
        "contact_phone": "0592-6201234",
        "time": "2026-11-20 07:30",
    }
    row.update(over)
    return row


def state():
    return (
        ProduceCertificate.objects.count(),
        RapidTest.objects.count(),
        PlantingPlot.objects.count(),
        Event.objects.count(),
        AuditEntry.objects.count(),
    )


def test_templates_have_chinese_headers_an_example_row_and_notes(w):
    for kind in excel.AGRI_KINDS:
        response = w.http("coop_admin").get(f"{PAGE}/import/{kind}/template.xlsx")
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[1]]
        assert header == [item.header for item in excel.KINDS[kind].columns]
        assert str(sheet["A2"].value).startswith("# ")
        assert book.sheetnames[1] == "说明"
    sheet = openpyxl.load_workbook(io.BytesIO(excel.template_xlsx("certificates"))).worksheets[0]
    assert "产品批次 lot" in [c.value for c in sheet[1]]
    # The example row is skipped on upload: a template with only it has no data.
    upload = excel.excel_upload(
        actor=w.actor("coop_admin"), kind="certificates", content=workbook("certificates", [])
    )
    assert upload.errors and upload.errors[0]["row"] == 0 and upload.stored == 0


def test_index_links_to_each_upload_and_template(w):
    page = w.http("coop_admin").get(f"{PAGE}/").content.decode()
    for kind in excel.AGRI_KINDS:
        assert f"{PAGE}/import/{kind}/" in page
        assert f"{PAGE}/import/{kind}/template.xlsx" in page
    upload_page = w.http("coop_admin").get(f"{PAGE}/import/certificates/")
    assert upload_page.status_code == 200
    assert "Excel 导入" in upload_page.content.decode()  # Chinese by default
    assert w.http("coop_admin").get(f"{PAGE}/import/nothing/").status_code == 404


def test_the_same_certificate_by_form_excel_and_api_gives_the_same_record_and_event(w):
    plot = _plot(w)
    http = w.http("coop_admin")
    response = http.post(
        f"{PAGE}/certificates/new",
        {
            "location": w.base.pk,
            "lot": LOT,
            "product_name": "上海青",
            "quantity": "350",
            "unit": "KGM",
            "origin": "厦门市集美区后溪镇",
            "production_date": "2026-11-20",
            "commitments": ALL,
            "test_basis": "self_test",
            "plot": plot.pk,
            "contact_phone": "0592-6201234",
        },
    )
    assert response.status_code == 302, response.content
    by_form = ProduceCertificate.objects.get()
    # The form issues now: the other channels quote the same time.
    when = by_form.issued_at.astimezone(CHINA)
    checked = post(
        http, "certificates", [cert_row(w, plot="1号地块", time=f"{when:%Y-%m-%d %H:%M:%S}")], "check"
    )
    assert checked.status_code == 200, checked.context["upload"].errors
    assert ProduceCertificate.objects.count() == 1  # a check stores nothing
    stored = post(
        http, "certificates", [cert_row(w, plot="1号地块", time=f"{when:%Y-%m-%d %H:%M:%S}")], "import"
    )
    assert stored.status_code == 302
    api = http.post(
        "/api/v1/sectors/agri/certificates",
        data=orjson.dumps(
            {
                "location": w.base.identifier,
                "lot": LOT,
                "product": "上海青",
                "quantity": "350",
                "unit": "KGM",
                "origin": "厦门市集美区后溪镇",
                "productionDate": "2026-11-20",
                "commitments": ALL,
                "testBasis": "self_test",
                "plot": plot.pk,
                "contactPhone": "0592-6201234",
                "issuedAt": when.isoformat(),
            }
        ),
        content_type="application/json",
    )
    assert api.status_code == 201, api.content
    certificates = list(ProduceCertificate.objects.order_by("sequence"))
    assert len(certificates) == 3
    numbers = [c.number for c in certificates]
    assert len(set(numbers)) == 3  # each channel's issue is allocated its own number

    def facts(c):
        return (
            c.party_id,
            c.location_id,
            c.plot_id,
            c.product_name,
            c.lot,
            c.quantity,
            c.unit,
            c.origin,
            c.production_date,
            c.commitments,
            c.test_basis,
            c.contact_phone,
            # An issue time given (Excel, API) is kept to the minute; the form issues now.
            c.issued_at.replace(second=0),
            c.status,
        )

    assert facts(certificates[0]) == facts(certificates[1]) == facts(certificates[2])
    events = [orjson.loads(Event.objects.get(event_id=c.event_id).document) for c in certificates]
    for event, number in zip(events, numbers, strict=True):
        assert event["bizTransactionList"][0]["bizTransaction"].endswith(f":{number}")
    # The events differ only by the number each quotes (and so by their hash).
    bare = [{k: v for k, v in e.items() if k not in ("eventID", "bizTransactionList")} for e in events]
    assert bare[1] == bare[2]
    minute = dt.datetime.fromisoformat(bare[0]["eventTime"]).replace(second=0).isoformat()
    assert {**bare[0], "eventTime": minute} == bare[1]
    assert AuditEntry.objects.filter(action="sectors.agri.excel_import").count() == 1


def test_a_wrong_row_is_named_by_row_and_column_and_nothing_is_stored(w):
    _plot(w)
    before = state()
    rows = [
        cert_row(w, plot="1号地块"),
        cert_row(w, lot=LOT2, quantity="-3", unit="桶", production_date="2099-01-01", plot="没有这块地"),
    ]
    http = w.http("coop_admin")
    for action in ("check", "import"):
        response = post(http, "certificates", rows, action)
        assert response.status_code == 400
        errors = response.context["upload"].errors
        assert {e["row"] for e in errors} == {4}  # header 1, example 2, first row 3
        columns = {e["column"] for e in errors}
        assert {"数量 quantity", "单位 unit", "生产/收获日期 production_date", "地块 plot"} <= columns
        assert all(e["message"] for e in errors)
        assert "import-errors" in response.content.decode()
        assert state() == before  # the good row is not stored either
    # The same file, corrected, is stored whole.
    rows[1] = cert_row(w, lot=LOT2)
    assert post(http, "certificates", rows, "import").status_code == 302
    assert ProduceCertificate.objects.filter(lot__in=[LOT, LOT2]).count() == 2


def test_a_row_refused_by_capture_or_a_flagged_lot_stores_nothing(w):
    from tracehub.sectors.services_agri import rapid_test_record

    rapid_test_record(
        actor=w.actor("coop_admin"),
        lot=LOT2,
        sample="上海青",
        item="毒死蜱",
        value="0.5",
        limit="0.1",
        unit="mg/kg",
        tester="质检员",
    )
    before = state()
    upload = excel.excel_upload(
        actor=w.actor("coop_admin"),
        kind="certificates",
        content=workbook("certificates", [cert_row(w), cert_row(w, lot=LOT2)]),
        commit=True,
    )
    assert upload.stored == 0
    assert [(e["row"], e["column"]) for e in upload.errors] == [(4, "产品批次 lot")]
    assert state() == before


def test_another_partys_site_plot_or_certificate_is_refused(w):
    _plot(w)
    before = state()
    # The family farm names the co-operative's base: refused on that row, nothing stored.
    upload = excel.excel_upload(
        actor=w.actor("family_admin"),
        kind="certificates",
        content=workbook(
            "certificates", [cert_row(w, location=w.family_base.identifier, lot=FAMILY_LOT), cert_row(w)]
        ),
        commit=True,
    )
    assert upload.stored == 0
    assert [(e["row"], e["column"]) for e in upload.errors] == [(4, "开具场所 location")]
    # At its own site, the co-operative's plot is not one of its plots.
    upload = excel.excel_upload(
        actor=w.actor("family_admin"),
        kind="certificates",
        content=workbook(
            "certificates", [cert_row(w, location=w.family_base.identifier, lot=FAMILY_LOT, plot="1号地块")]
        ),
        commit=True,
    )
    assert [(e["row"], e["column"]) for e in upload.errors] == [(3, "地块 plot")]
    # A test quoting another party's certificate.
    coop_certificate = _certificate(w)
    before = state()
    upload = excel.excel_upload(
        actor=w.actor("family_admin"),
        kind="tests",
        content=workbook(
            "tests",
            [
                {
                    "lot": LOT,
                    "sample": "上海青",
                    "item": "毒死蜱",
                    "value": "0.01",
                    "limit": "0.1",
                    "unit": "mg/kg",
                    "tester": "质检员",
                    "certificate": coop_certificate.number,
                }
            ],
        ),
        commit=True,
    )
    assert [(e["row"], e["column"]) for e in upload.errors] == [(3, "合格证编号 certificate")]
    assert state() == before
    # Pages: who may not use a form may not upload either.
    assert w.http("agri_jimei").get(f"{PAGE}/import/certificates/").status_code == 403
    assert w.http("agri_jimei").get(f"{PAGE}/import/tests/").status_code == 200
    assert w.http("commerce").get(f"{PAGE}/import/tests/").status_code == 403
    assert w.http("commerce").get(f"{PAGE}/import/tests/template.xlsx").status_code == 403
    assert w.http("anonymous").get(f"{PAGE}/import/tests/").status_code == 302


def test_rapid_tests_by_excel_and_api_give_the_same_test_and_event(w):
    certificate = _certificate(w)
    http = w.http("coop_staff")
    values = {
        "lot": LOT,
        "sample": "上海青",
        "item": "有机磷和氨基甲酸酯类农药",
        "method": "酶抑制率法",
        "value": "62",
        "limit": "50",
        "unit": "%抑制率",
        "tester": "林晓燕",
        "tested_at": "2026-11-21 07:40",
        "certificate": certificate.number,
        "location": w.base.identifier,
    }
    assert post(http, "tests", [values], "import").status_code == 302
    api = http.post(
        "/api/v1/sectors/agri/tests",
        data=orjson.dumps(
            {
                **{
                    k: values[k]
                    for k in ("lot", "sample", "item", "method", "value", "limit", "unit", "tester")
                },
                "testedAt": "2026-11-21T07:40:00+08:00",
                "certificate": certificate.number,
                "location": w.base.identifier,
            }
        ),
        content_type="application/json",
    )
    assert api.status_code == 201, api.content
    first, second = RapidTest.objects.order_by("pk")
    fields = ("party_id", "certificate_id", "lot", "sample", "item", "method", "value", "limit", "unit")
    assert [getattr(first, f) for f in fields] == [getattr(second, f) for f in fields]
    assert (first.passed, first.tested_at, first.event_id) == (
        second.passed,
        second.tested_at,
        second.event_id,
    )
    assert not first.passed and first.event_id  # the same rapid_test event, captured once
    assert Event.objects.filter(event_id=first.event_id).count() == 1
    certificate.refresh_from_db()
    assert certificate.status == "flagged"  # a failed test flags the lot, as by the form


def test_plots_by_excel_all_or_nothing(w):
    http = w.http("coop_admin")
    rows = [
        {
            "name": "2号地块",
            "area_mu": "8",
            "crop": "青菜",
            "variety": "上海青",
            "location": w.base.identifier,
        },
        {"name": "2号地块", "area_mu": "3", "crop": "芥菜", "variety": "大叶芥"},
    ]
    before = state()
    response = post(http, "plots", rows, "import")
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.context["upload"].errors] == [(4, "地块名称 name")]
    assert state() == before
    rows[1]["name"] = "3号地块"
    assert post(http, "plots", rows, "import").status_code == 302
    plots = {p.name: p for p in PlantingPlot.objects.filter(party=w.coop)}
    assert plots["2号地块"].location_id == w.base.pk and plots["3号地块"].district == "350211"
    assert AuditEntry.objects.filter(action="sectors.agri.plot.create").count() == 2
    # A plot of another party's site is refused.
    upload = excel.excel_upload(
        actor=w.actor("family_admin"),
        kind="plots",
        content=workbook(
            "plots",
            [
                {
                    "name": "茶园",
                    "area_mu": "2",
                    "crop": "茶",
                    "variety": "铁观音",
                    "location": w.base.identifier,
                }
            ],
        ),
        commit=True,
    )
    assert [(e["row"], e["column"]) for e in upload.errors] == [(3, "场所 location")]
