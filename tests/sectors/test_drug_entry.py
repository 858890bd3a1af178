"""Entry for every operator (P3) in the drug and imported-food steps: the phone form, the Excel
template (Chinese headers, preview with per-row errors, all or nothing) and the API give the very
same event; and the drug data centre, cases, alerts and UDI pages and routes."""

from __future__ import annotations

import io

import openpyxl
import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tracehub.accounts.models import AuditEntry, Role
from tracehub.demo import data as d
from tracehub.epcis.models import Event
from tracehub.identifiers import canonical_key
from tracehub.registry import services as registry_services
from tracehub.registry.models import Party
from tracehub.sectors.demo_g2_g6 import DRUG_CARTONS, DRUG_PACKS, WINE_CASE
from tracehub.sectors.entry import entry_for, party_uri
from tracehub.sectors.imports import template_xlsx
from tracehub.sectors.models import StepImport
from tracehub.sectors.models_drug import DrugCase

from .test_drug_world import SYSTEM, console, event_of, load_g2_demo, stored_state


@pytest.fixture
def g2_demo(db, settings):
    return load_g2_demo(settings)


SHIPPING = {
    "location": d.DISTRIBUTOR_WAREHOUSE.id,
    "receiver": d.PHARMACY_A.uscc,
    "units": DRUG_CARTONS[1],
    "invoice": "DN20261119-001",
    "time": "2026-11-19 09:00",
}
CLEARANCE = {
    "location": d.PORT_INSPECTION_SITE.id,
    "goods": WINE_CASE,
    "declaration": "3700 2026 1 000512846",
    "inspection_certificate": "370100226041533",
    "time": "2026-11-19 15:00",
}


def member(uscc: str, username: str) -> str:
    registry_services.party_member_add(
        actor=SYSTEM,
        party=Party.objects.get(uscc=uscc),
        username=username,
        password=None,
        role=Role.ENTERPRISE_STAFF,
    )
    return username


def form_data(sector: str, step: str, data: dict[str, str]) -> dict[str, str]:
    """What the phone form posts: parties are chosen from a list by their identifier."""
    out = dict(data)
    for item in entry_for(sector, step).inputs:
        if item.kind == "party" and out.get(item.key):
            out[item.key] = party_uri(Party.objects.get(uscc=out[item.key]))
    return out


def workbook(sector: str, step: str, rows: list[dict[str, str]]) -> bytes:
    spec = entry_for(sector, step)
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(spec)))
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append([row.get(i.key, "") for i in spec.inputs])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("sector", "step", "data", "uscc", "base"),
    [
        ("drug", "shipping", SHIPPING, d.DRUG_DISTRIBUTOR.uscc, "/console/sectors/drug"),
        (
            "import_food",
            "customs_clearance",
            CLEARANCE,
            d.PORT_LOGISTICS.uscc,
            "/console/sectors/import_food",
        ),
    ],
)
def test_form_excel_and_api_give_the_identical_event(g2_demo, api, sector, step, data, uscc, base):
    http = console(member(uscc, f"g2-{step}"))
    expected = event_of(sector, step, data)
    response = http.post(f"{base}/steps/{step}/", form_data(sector, step, data))
    assert response.status_code == 200, response.content.decode()[:3000]
    recorded = response.context["recorded"]
    assert recorded.captured and recorded.event == expected
    assert orjson.loads(Event.objects.get(event_id=expected["eventID"]).document) == expected
    count = Event.objects.count()

    response = http.post(
        f"{base}/steps/{step}/import/",
        {"file": SimpleUploadedFile("entries.xlsx", workbook(sector, step, [data]))},
    )
    batch = StepImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{base}/imports/{batch.pk}/"
    assert batch.status == "checked" and batch.errors == {} and batch.step == f"{sector}.{step}"
    assert http.post(f"{base}/imports/{batch.pk}/commit").status_code == 302
    audit = AuditEntry.objects.filter(action=f"sectors.{sector}.{step}").order_by("-id").first()
    assert audit.object_id == expected["eventID"][:200] and audit.after["captured"] is False

    response = api.post(
        f"/api/v1/sectors/{sector}/{step}", data=orjson.dumps(data), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["event"] == expected and response.json()["captured"] is False
    assert Event.objects.count() == count


def test_the_excel_preview_names_row_errors_and_nothing_is_committed(g2_demo):
    http = console(member(d.DRUG_DISTRIBUTOR.uscc, "g2-excel"))
    good = SHIPPING
    unlicensed = {**SHIPPING, "receiver": d.SUPERMARKET.uscc, "time": "2026-11-19 09:10"}
    typo = {**SHIPPING, "time": "19/11/2026"}
    before = stored_state()
    http.post(
        "/console/sectors/drug/steps/shipping/import/",
        {"file": SimpleUploadedFile("e.xlsx", workbook("drug", "shipping", [good, unlicensed, typo]))},
    )
    batch = StepImport.objects.get()
    assert batch.status == "refused"
    # Row 1 is the header, row 2 the template's example: data rows are 3, 4, 5.
    assert sorted(batch.errors) == ["4", "5"]
    assert [e["field"] for e in batch.errors["4"]] == ["destinationList"]
    assert [e["field"] for e in batch.errors["5"]] == ["time"]
    page = http.get(f"/console/sectors/drug/imports/{batch.pk}/").content.decode()
    assert "destinationList" in page and 'data-testid="commit"' not in page
    assert http.post(f"/console/sectors/drug/imports/{batch.pk}/commit").status_code == 409
    assert stored_state()[0] == before[0]


def test_the_templates_have_chinese_headers(g2_demo):
    http = console("demo-operator")
    response = http.get("/console/sectors/drug/steps/dispensing/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [
        "场所 location",
        "药品追溯码 packs",
        "核销方式 dispense_type",
        "时间 time",
    ]
    response = http.get("/console/sectors/import_food/steps/import_receiving/template.xlsx")
    headers = [c.value for c in openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0][1]]
    assert headers[:4] == [
        "存放地点 location",
        "境外出口商 exporter",
        "货物（箱、单品或批次） goods",
        "批次标识 lot_class",
    ]
    assert "报关单号 declaration" in headers and "保质期（天） shelf_life_days" in headers


def test_the_phone_form_names_each_missing_input(g2_demo):
    http = console(member(d.DRUG_DISTRIBUTOR.uscc, "g2-form"))
    before = stored_state()
    response = http.post("/console/sectors/drug/steps/shipping/", {"location": d.DISTRIBUTOR_WAREHOUSE.id})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"receiver", "units"}
    page = http.get("/console/sectors/drug/steps/shipping/")
    assert page.status_code == 200 and "收货方" in page.content.decode()
    assert stored_state() == before


def test_officials_search_enforcement_cases(g2_demo):
    amr = console("demo-amr")
    response = amr.get("/api/v1/sectors/drug/cases", {"q": "追溯码"})
    assert response.status_code == 200
    assert [c["number"] for c in response.json()] == ["厦湖市监处罚〔2026〕117号"]
    assert response.json()[0]["party"]["name"] == "厦门惠众大药房有限公司"
    page = amr.get("/console/sectors/drug/cases/", {"q": "冷链"}).content.decode()
    assert "厦市监药案〔2026〕043号" in page and "厦湖市监处罚〔2026〕117号" not in page
    assert console("demo-importer-admin").get("/api/v1/sectors/drug/cases").status_code == 403
    assert console("demo-importer-admin").get("/console/sectors/drug/cases/").status_code == 403
    assert console("demo-customs").get("/api/v1/sectors/drug/cases").status_code == 403


def test_an_official_records_a_case_and_bad_fields_are_named(g2_demo):
    amr = console("demo-amr")
    pharmacy = Party.objects.get(uscc=d.PHARMACY_A.uscc)
    before = DrugCase.objects.count()
    response = amr.post(
        "/api/v1/sectors/drug/cases",
        data=orjson.dumps(
            {"party": pharmacy.pk, "number": "", "date": "2026-13-01", "violation": "x", "penalty": "-1"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert [e["path"] for e in response.json()["errors"]] == ["date"]
    response = amr.post(
        "/api/v1/sectors/drug/cases",
        data=orjson.dumps(
            {
                "party": pharmacy.pk,
                "number": "",
                "date": "2026-11-20",
                "violation": "",
                "penalty": "-1",
                "status": "decided",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert sorted(e["path"] for e in response.json()["errors"]) == [
        "decision",
        "number",
        "penalty",
        "violation",
    ]
    assert DrugCase.objects.count() == before
    response = amr.post(
        "/api/v1/sectors/drug/cases",
        data=orjson.dumps(
            {
                "party": pharmacy.pk,
                "number": "厦思市监处罚〔2026〕201号",
                "date": "2026-11-20",
                "violation": "超范围经营",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert DrugCase.objects.get(number="厦思市监处罚〔2026〕201号").status == "open"
    assert AuditEntry.objects.filter(action="sectors.drug.case_create").count() == 3


def test_the_data_centre_lists_drug_enterprises_with_licences(g2_demo, django_assert_max_num_queries):
    amr = console("demo-amr")
    with django_assert_max_num_queries(12):
        response = amr.get("/api/v1/sectors/drug/parties", {"type": "hospital"})
    assert [(p["name"], p["licences"][0]["kind"]) for p in response.json()] == [
        ("厦门市集美区杏林医院", "medical_institution")
    ]
    pharmacies = amr.get("/api/v1/sectors/drug/parties", {"type": "pharmacy"}).json()
    assert {p["name"]: p["cases"] for p in pharmacies} == {
        "厦门惠众大药房有限公司": 1,
        "厦门鹭安大药房有限公司": 0,
    }
    page = amr.get("/console/sectors/drug/data-centre/").content.decode()
    assert "国药准字H35021187" in page and "86901873000128" in page and "杏林医院" in page
    # An enterprise sees only itself.
    assert console("demo-importer-admin").get("/api/v1/sectors/drug/parties").json() == []


def test_alerts_page_and_api_for_officials(g2_demo):
    amr = console("demo-amr")
    assert len(amr.get("/api/v1/sectors/drug/alerts").json()) == 1
    page = amr.get("/console/sectors/drug/alerts/")
    assert page.status_code == 200 and canonical_key(DRUG_PACKS[0]) in page.content.decode()
    assert console("demo-importer-admin").get("/api/v1/sectors/drug/alerts").status_code == 403


def test_the_udi_route_reads_a_device_udi(g2_demo, api):
    response = api.get("/api/v1/sectors/drug/udi", {"code": "(01)06932057180012(17)281231(10)LOT7(21)S0001"})
    assert response.json() == {
        "di": "06932057180012",
        "productionDate": None,
        "expiryDate": "2028-12-31",
        "lot": "LOT7",
        "serial": "S0001",
        "key": "01/06932057180012/21/S0001",
    }
    response = api.get("/api/v1/sectors/drug/udi", {"code": "(01)06932057180012"})
    assert response.status_code == 400 and response.json()["errors"][0]["path"] == "code"


def test_foreign_producers_are_recorded_and_listed(g2_demo):
    customs = console("demo-customs")
    response = customs.post(
        "/api/v1/sectors/import_food/producers",
        data=orjson.dumps(
            {"registrationNumber": "cifr2023aus00077", "name": "Murray Dairy Pty Ltd", "country": "AU"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["registrationNumber"] == "CIFR2023AUS00077"
    response = customs.post(
        "/api/v1/sectors/import_food/producers",
        data=orjson.dumps({"registrationNumber": "CIFR2023AUS00077", "name": "", "country": "CN"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert sorted(e["path"] for e in response.json()["errors"]) == ["country", "name", "registrationNumber"]
    listed = customs.get("/api/v1/sectors/import_food/producers").json()
    assert [p["registrationNumber"] for p in listed] == [
        "CIFR2023AUS00077",
        "CIFR2022FRA01537",
        "CIFR2021NZL00215",
    ]
    assert "Murray Dairy" in customs.get("/console/sectors/import_food/producers/").content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/console/sectors/drug/",
        "/console/sectors/import_food/",
        "/console/sectors/import_food/steps/import_receiving/",
    ],
)
def test_the_console_pages_answer(g2_demo, path):
    response = console("demo-operator").get(path)
    assert response.status_code == 200
