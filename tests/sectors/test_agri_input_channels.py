"""The three ways into the farm inputs ledgers (G5): the phone forms, the JSON API and the Excel upload
give the same rows through the same checks; the buyer's ID number masked in every page, API answer
and CSV; XSS in the buyer's name escaped; CSRF enforced on the forms."""

from __future__ import annotations

import csv
import io
import logging

import openpyxl
import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tracehub.accounts.models import AuditEntry
from tracehub.sectors.models_agri_input import AgriInputLedgerEntry

from .test_agri_input_world import (
    BUYER_ID,
    ORDINARY,
    RESTRICTED,
    build_agri_world,
    purchase,
    real_name,
    sale,
    stock_up,
)


@pytest.fixture
def agri(db):
    return build_agri_world()


API = "/api/v1/sectors/agri_input"
CONSOLE = "/console/sectors/agri_input"
XSS = '<script>alert("x")</script>'


def _post(http, url, body):
    return http.post(url, data=orjson.dumps(body), content_type="application/json")


def _fields(entry) -> tuple:
    return (
        entry.direction,
        entry.registration_number,
        entry.product_name,
        entry.specification,
        entry.quantity,
        entry.unit,
        entry.day,
        entry.counterparty_id,
        entry.buyer_name,
        entry.buyer_id_digest,
        entry.buyer_id_masked,
        entry.use_crop,
    )


def _xlsx(headers, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_api_records_purchases_and_sales_and_names_wrong_fields(agri):
    http = agri.http("dealer")
    response = _post(http, f"{API}/ledger/purchases", purchase(RESTRICTED))
    assert response.status_code == 201, response.content
    assert response.json()["supplier"]["id"] == agri.supplier.pk
    response = _post(http, f"{API}/ledger/sales", sale(RESTRICTED, **real_name(buyer_name=XSS)))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["buyer"]["idNumber"] == BUYER_ID[:4] + "*" * 10 + BUYER_ID[-4:]
    assert BUYER_ID not in response.content.decode()
    response = _post(http, f"{API}/ledger/sales", {"rows": [sale(quantity="1"), sale(quantity="x", unit="")]})
    assert response.status_code == 400
    paths = {e["path"] for e in response.json()["errors"]}
    assert {"rows[1].quantity", "rows[1].unit"} <= paths
    assert AgriInputLedgerEntry.objects.count() == 2
    response = _post(http, f"{API}/ledger/sales", sale(RESTRICTED, quantity="1"))
    assert response.status_code == 400 and "buyer_id_number" in {e["path"] for e in response.json()["errors"]}


def test_api_search_by_buyer_id_is_a_post_and_answers_masked(agri):
    stock_up(agri, RESTRICTED)
    _post(agri.http("dealer"), f"{API}/ledger/sales", sale(RESTRICTED, **real_name()))
    official = agri.http("official")
    response = _post(official, f"{API}/ledger/search", {"buyerIdNumber": BUYER_ID, "ledger": "sale"})
    assert response.status_code == 200 and len(response.json()) == 1
    assert BUYER_ID not in response.content.decode()
    response = _post(official, f"{API}/ledger/search", {"buyerIdNumber": "123"})
    assert response.status_code == 400 and response.json()["errors"][0]["path"] == "buyerIdNumber"
    assert (
        _post(agri.http("official_siming"), f"{API}/ledger/search", {"buyerIdNumber": BUYER_ID}).json() == []
    )
    listed = official.get(f"{API}/ledger", {"ledger": "sale"})
    assert listed.status_code == 200 and BUYER_ID not in listed.content.decode()
    entry = AgriInputLedgerEntry.objects.get(direction="sale")
    revealed = _post(official, f"{API}/ledger/{entry.pk}/buyer-id", {})
    assert revealed.status_code == 200 and revealed.json()["idNumber"] == BUYER_ID
    assert _post(agri.http("dealer"), f"{API}/ledger/{entry.pk}/buyer-id", {}).status_code == 403
    stock = agri.http("dealer").get(f"{API}/stock").json()
    assert stock[0]["stock"] == "48"


def test_the_same_row_by_form_api_and_excel_gives_the_same_ledger_entry(agri):
    stock_up(agri, RESTRICTED, quantity="10")
    row = sale(RESTRICTED, quantity="1", **real_name())
    http = agri.http("dealer")
    assert _post(http, f"{API}/ledger/sales", row).status_code == 201
    response = http.post(f"{CONSOLE}/sales/new/", row)
    assert response.status_code == 200, response.content.decode()[:2000]
    from tracehub.sectors.services_agri_input import SALE_INPUTS

    content = _xlsx([i.header for i in SALE_INPUTS], [[row.get(i.key, "") for i in SALE_INPUTS]])
    response = http.post(
        f"{CONSOLE}/sales/import/",
        {"file": SimpleUploadedFile("s.xlsx", content), "action": "import"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    sales = AgriInputLedgerEntry.objects.filter(direction="sale").order_by("id")
    assert [e.source for e in sales] == ["api", "form", "excel"]
    assert len({_fields(e) for e in sales}) == 1


def test_excel_upload_names_row_column_and_reason_and_stores_nothing(agri):
    stock_up(agri)
    from tracehub.sectors.services_agri_input import SALE_INPUTS

    headers = [i.header for i in SALE_INPUTS]
    good = [sale(quantity="1").get(i.key, "") for i in SALE_INPUTS]
    bad = [sale(quantity="-2", date="2026-02-30").get(i.key, "") for i in SALE_INPUTS]
    with_id = [sale(RESTRICTED, quantity="1", **real_name()).get(i.key, "") for i in SALE_INPUTS]
    content = _xlsx(headers, [good, bad, with_id])
    http = agri.http("dealer")
    response = http.post(
        f"{CONSOLE}/sales/import/", {"file": SimpleUploadedFile("s.xlsx", content), "action": "import"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "数量 quantity" in page and "日期 date" in page and "<td>3</td>" in page
    assert BUYER_ID not in page and BUYER_ID[:4] + "**********" in page  # preview masked
    assert AgriInputLedgerEntry.objects.filter(direction="sale").count() == 0
    # A number cell that lost a code's digits is named, not silently rounded.
    lost = [sale(quantity="1", unit_code=float("1.14263110010000E+31")).get(i.key, "") for i in SALE_INPUTS]
    response = http.post(
        f"{CONSOLE}/sales/import/",
        {"file": SimpleUploadedFile("s.xlsx", _xlsx(headers, [lost])), "action": "check"},
    )
    assert response.status_code == 400 and "产品追溯码 unit_code" in response.content.decode()
    template = http.get(f"{CONSOLE}/sales/template.xlsx")
    assert template.status_code == 200 and template.content.startswith(b"PK")


def test_pages_mask_the_id_escape_the_buyer_and_the_csv_is_formula_safe(agri, caplog):
    caplog.set_level(logging.DEBUG)
    stock_up(agri, ORDINARY, RESTRICTED)
    dealer = agri.http("dealer")
    response = dealer.post(f"{CONSOLE}/sales/new/", sale(RESTRICTED, **real_name(buyer_name=XSS)))
    assert response.status_code == 200
    page = response.content.decode()
    assert XSS not in page and "&lt;script&gt;" in page
    assert BUYER_ID not in page and 'data-testid="masked-id"' in page
    dealer.post(f"{CONSOLE}/sales/new/", sale(ORDINARY, buyer_name='=HYPERLINK("http://x")'))
    official = agri.http("official")
    for url in (f"{CONSOLE}/ledger/", f"{CONSOLE}/stock/?dealer={agri.dealer.pk}", f"{CONSOLE}/"):
        for http in (dealer, official):
            response = http.get(url)
            assert response.status_code == 200, url
            assert BUYER_ID not in response.content.decode() and XSS not in response.content.decode()
    searched = official.post(f"{CONSOLE}/ledger/", {"buyer_id_number": BUYER_ID})
    assert searched.status_code == 200 and BUYER_ID not in searched.content.decode()
    assert searched.content.decode().count('data-testid="masked-id"') == 1
    export = official.post(f"{CONSOLE}/ledger/export.csv", {"ledger": "sale"})
    assert export.status_code == 200
    text = export.content.decode("utf-8-sig")
    assert BUYER_ID not in text
    rows = list(csv.reader(io.StringIO(text)))
    names = [r[10] for r in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in names and XSS in names
    assert dealer.post(f"{CONSOLE}/ledger/export.csv").status_code == 403
    # A refused form entry does not write the number back into the page.
    refused = dealer.post(f"{CONSOLE}/sales/new/", sale(RESTRICTED, quantity="999", **real_name()))
    assert refused.status_code == 400 and BUYER_ID not in refused.content.decode()
    assert "库存" in refused.content.decode() or "stock" in refused.content.decode()
    entry = AgriInputLedgerEntry.objects.filter(direction="sale").exclude(buyer_id_digest="").first()
    revealed = official.post(f"{CONSOLE}/ledger/{entry.pk}/buyer-id")
    assert revealed.status_code == 200 and BUYER_ID in revealed.content.decode()
    assert revealed["Cache-Control"].startswith("max-age=0") or "no-cache" in revealed["Cache-Control"]
    assert AuditEntry.objects.filter(action="sectors.agri_input.view_buyer_id").count() == 1
    assert dealer.post(f"{CONSOLE}/ledger/{entry.pk}/buyer-id").status_code == 403
    assert all(BUYER_ID not in record.getMessage() for record in caplog.records)


def test_forms_enforce_csrf_and_show_errors_in_chinese(agri):
    stock_up(agri)
    strict = agri.http("dealer", csrf=True)
    assert strict.post(f"{CONSOLE}/sales/new/", sale()).status_code == 403
    assert strict.post(f"{CONSOLE}/purchases/new/", purchase()).status_code == 403
    official = agri.http("official", csrf=True)
    assert (
        official.post(
            f"{CONSOLE}/outlets/", {"dealer": agri.dealer.pk, "valid_from": "2026-01-01"}
        ).status_code
        == 403
    )
    assert official.post(f"{CONSOLE}/ledger/", {"buyer_id_number": BUYER_ID}).status_code == 403
    assert AgriInputLedgerEntry.objects.filter(direction="sale").count() == 0
    page = agri.http("dealer").post(f"{CONSOLE}/sales/new/", sale(quantity="0")).content.decode()
    assert "数量" in page and "必须是大于 0 的数" in page


def test_officials_keep_the_catalogue_and_designate_outlets_on_the_console(agri):
    official = agri.http("official")
    response = official.post(
        f"{CONSOLE}/catalogue/",
        {
            "registration_number": "PD20180001",
            "name": "甲拌磷颗粒剂",
            "kind": "pesticide",
            "highly_toxic": "on",
        },
    )
    assert response.status_code == 302
    assert "甲拌磷颗粒剂" in official.get(f"{CONSOLE}/catalogue/").content.decode()
    assert agri.http("dealer").post(f"{CONSOLE}/catalogue/", {"name": "x"}).status_code == 403
    response = official.post(f"{CONSOLE}/outlets/", {"dealer": agri.dealer.pk, "valid_from": "2026-01-01"})
    assert response.status_code == 302
    from tracehub.sectors.models_agri_input import DesignatedOutlet

    outlet = DesignatedOutlet.objects.get()
    response = official.post(f"{CONSOLE}/outlets/{outlet.pk}/undesignate", {"reason": "停业"})
    assert response.status_code == 302
    outlet.refresh_from_db()
    assert outlet.valid_until is not None and outlet.end_reason == "停业"
    assert agri.http("dealer").get(f"{CONSOLE}/outlets/").status_code == 200


def test_round_quantities_are_answered_in_plain_digits(agri):
    """Decimal.normalize() alone writes 200 as '2E+2': the API writes plain digits."""
    stock_up(agri, RESTRICTED, quantity="200")
    dealer = agri.http("dealer")
    assert dealer.get(f"{API}/stock").json()[0]["stock"] == "200"
    assert [row["quantity"] for row in dealer.get(f"{API}/ledger", {"ledger": "purchase"}).json()] == ["200"]
