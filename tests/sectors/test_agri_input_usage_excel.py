"""Excel upload of usage filings (使用备案, G5, issue #6 item 6): a template with Chinese headers, a
preview naming each wrong row by (row, column, reason), all rows stored or none; a row makes the same
filing and input_usage event as the phone form and the API; another party's plot is refused. And the
purchase ledger template's example row names a real, valid supplier credit code."""

from __future__ import annotations

import io

import openpyxl
import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tracehub.accounts.models import AuditEntry, Role
from tracehub.epcis.models import Event
from tracehub.registry import services as registry
from tracehub.registry.validators import normalize_uscc
from tracehub.sectors import services_agri_excel as excel
from tracehub.sectors import services_agri_input as service
from tracehub.sectors.models_agri_input import AgriInputUsage, LedgerDirection
from tracehub.sectors.profile import EXTENSION_PREFIX
from tracehub.sectors.services_agri import plot_create

from .test_agri_input_world import DEALER_USCC, FARM_USCC, ORDINARY, SYSTEM, ago, build_agri_world

PAGE = "/console/sectors/agri_input/usages"
PLOT_SITE = f"urn:tracehub:loc:{FARM_USCC}:2"
USAGE = f"{EXTENSION_PREFIX}:usageRecord"


@pytest.fixture
def agri(db):
    with translation.override("en"):
        w = build_agri_world()
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
        w.other_plot = plot_create(
            actor=SYSTEM, party=w.dealer, name="门店后院", area_mu="1", crop="青菜", variety="上海青"
        )
        yield w


def row(**over) -> dict[str, str]:
    values = {
        "plot": "一号地",
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
    return values


def workbook(rows: list[dict[str, str]]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(excel.template_xlsx("usages")))
    sheet = book.worksheets[0]
    # Typed below the example row, as a user would (code columns are formatted down to row 501).
    for number, values in enumerate(rows, start=3):
        for column, item in enumerate(excel.USAGE_COLUMNS, start=1):
            sheet.cell(row=number, column=column, value=values.get(item.key) or None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def post(http, rows: list[dict[str, str]], action: str):
    return http.post(
        f"{PAGE}/import/", {"file": SimpleUploadedFile("usages.xlsx", workbook(rows)), "action": action}
    )


def state():
    return AgriInputUsage.objects.count(), Event.objects.count(), AuditEntry.objects.count()


def test_the_template_has_chinese_headers_an_example_and_notes(agri):
    response = agri.http("farm").get(f"{PAGE}/template.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == [i.header for i in excel.USAGE_COLUMNS]
    assert sheet["A1"].value == "地块 plot" and str(sheet["A2"].value).startswith("# ")
    assert book.sheetnames[1] == "说明"
    assert normalize_uscc(excel.EXAMPLES["usages"]["dealer"])
    page = agri.http("farm").get(f"{PAGE}/").content.decode()
    assert f"{PAGE}/import/" in page and f"{PAGE}/template.xlsx" in page


def test_the_same_usage_by_form_excel_and_api_gives_the_same_filing_and_event(agri):
    http = agri.http("farm")
    form = {**row(), "plot": agri.plot.pk, "unit_code": ""}
    assert http.post(f"{PAGE}/", form).status_code == 200
    assert AgriInputUsage.objects.count() == 1
    checked = post(http, [row()], "check")
    assert checked.status_code == 200, checked.context["upload"].errors
    assert AgriInputUsage.objects.count() == 1  # a check stores nothing
    assert post(http, [row()], "import").status_code == 302
    api = http.post(
        "/api/v1/sectors/agri_input/usages",
        orjson.dumps({**row(), "plot": agri.plot.pk, "pre_harvest_interval_days": 14}),
        content_type="application/json",
    )
    assert api.status_code == 201, api.content
    usages = list(AgriInputUsage.objects.order_by("pk"))
    assert [u.source for u in usages] == ["form", "excel", "api"]
    fields = (
        "party_id",
        "plot_id",
        "product_id",
        "kind",
        "registration_number",
        "product_name",
        "unit_code",
        "quantity",
        "unit",
        "day",
        "crop",
        "target",
        "operator_name",
        "pre_harvest_interval_days",
        "dealer_id",
    )
    facts = [tuple(getattr(u, f) for f in fields) for u in usages]
    assert facts[0] == facts[1] == facts[2]
    events = [orjson.loads(e.document) for e in Event.objects.order_by("pk")]
    events = [e for e in events if e.get(USAGE)]
    assert [e[USAGE] for e in events] == [service.usage_uri(u) for u in usages]
    # The events differ only by the filing each stands for (and so by their hash).
    bare = [{k: v for k, v in e.items() if k not in ("eventID", USAGE)} for e in events]
    assert bare[0] == bare[1] == bare[2]
    assert AuditEntry.objects.filter(action="sectors.agri_input.excel_import").count() == 1


def test_a_wrong_row_is_named_by_row_and_column_and_nothing_is_stored(agri):
    http = agri.http("farm")
    before = state()
    rows = [
        row(),
        row(quantity="-1", pre_harvest_interval_days="", date="2099-01-01", dealer="91350200XXXXXXXXXX"),
    ]
    for action in ("check", "import"):
        response = post(http, rows, action)
        assert response.status_code == 400
        errors = response.context["upload"].errors
        assert {e["row"] for e in errors} == {4}
        assert {"用量 quantity", "使用日期 date", "购自经营者 dealer"} <= {e["column"] for e in errors}
        assert state() == before
    # A row naming another party's plot stores nothing either.
    response = post(http, [row(), row(plot="门店后院")], "import")
    assert [(e["row"], e["column"]) for e in response.context["upload"].errors] == [(4, "地块 plot")]
    assert state() == before
    # Corrected, the file is stored whole, with the dealer it names.
    rows[1] = row(dealer=DEALER_USCC)
    assert post(http, rows, "import").status_code == 302
    assert AgriInputUsage.objects.filter(source="excel").count() == 2
    assert AgriInputUsage.objects.filter(dealer=agri.dealer).count() == 1


def test_who_may_upload_usage(agri):
    assert agri.http("official").get(f"{PAGE}/import/").status_code == 403
    assert agri.http("official").get(f"{PAGE}/template.xlsx").status_code == 403
    # A dealer's user files for its own party only: the farm's plot is not one of the dealer's.
    before = state()
    upload = excel.excel_upload(
        actor=agri.actor("dealer"), kind="usages", content=workbook([row()]), commit=True
    )
    assert [(e["row"], e["column"]) for e in upload.errors] == [(3, "地块 plot")]
    assert state() == before
    # The ledgers' patterns still answer, and "usages" is not taken for a ledger.
    assert agri.http("dealer").get("/console/sectors/agri_input/purchases/import/").status_code == 200


def test_the_purchase_templates_example_row_reads_and_parses(agri):
    """The example supplier is the demo's pesticide maker's real credit code (check character
    included), so the example row passes the row checks once that supplier is filed."""
    maker = registry.party_create(
        actor=SYSTEM,
        name="江苏禾盛农化有限公司（示例）",
        party_type="manufacturer",
        id_kind="uscc",
        uscc=service.EXAMPLES[LedgerDirection.PURCHASE]["supplier"],
        sectors=["agri_input"],
        district="",
    )
    registry.filing_approve(actor=SYSTEM, filing=registry.filing_submit(actor=SYSTEM, party=maker))
    book = openpyxl.load_workbook(io.BytesIO(service.ledger_template_xlsx(LedgerDirection.PURCHASE)))
    sheet = book.worksheets[0]
    example = [c.value for c in sheet[2]]
    assert str(example[0]).startswith("# ")
    example[0] = example[0][2:]
    inputs = service.INPUTS[LedgerDirection.PURCHASE]
    raw = {i.key: v for i, v in zip(inputs, example, strict=True) if v not in (None, "")}
    assert normalize_uscc(raw["supplier"]) == raw["supplier"]
    clean = service.parse_row(LedgerDirection.PURCHASE, raw, catalogue={})
    assert clean.values["supplier"] == maker
    # And as a data row of an uploaded file, it is read and checked without an error.
    sheet.cell(row=3, column=1, value=example[0])
    for column, value in enumerate(example[1:], start=2):
        sheet.cell(row=3, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    upload = service.ledger_upload(
        actor=agri.actor("dealer"), direction=LedgerDirection.PURCHASE, content=out.getvalue()
    )
    assert upload.errors == [] and len(upload.rows) == 1
