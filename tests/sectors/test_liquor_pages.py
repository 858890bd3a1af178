"""Liquor entry by form, Excel and API (the same events), the public notice and catalogue (no
sign-in, escaped, filed operators only, a fixed number of queries), and the printable slip."""

from __future__ import annotations

import io

import openpyxl
import orjson
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tracehub.accounts.models import AuditEntry, Sector
from tracehub.demo import data as d
from tracehub.epcis.models import Event
from tracehub.registry import services as registry_services
from tracehub.registry.models import IdKind, Party, PartyType
from tracehub.sectors.models import StepImport
from tracehub.sectors.models_liquor import LiquorFilingStatus, LiquorOperatorFiling, LiquorSlip
from tracehub.sectors.services_liquor import (
    LIQUOR_ENTRY,
    liquor_filing_approve,
    liquor_filing_revoke,
    liquor_filing_submit,
    liquor_product_certify,
    liquor_product_register,
    template_xlsx,
)

from .test_liquor_support import STORE, SYSTEM, console, state
from .test_liquor_support import world as _world

world = _world  # the fixture
XSS = "<script>alert('x')</script>"


def sorghum_lot() -> str:
    return LiquorSlip.objects.order_by("id").first().items[0]["epcClass"]


def retail(**changes) -> dict[str, str]:
    return {
        "location": STORE,
        "lot": sorghum_lot(),
        "quantity": "2",
        "unit_price": "128",
        "time": "2026-11-20 16:00",
        **changes,
    }


def workbook(step: str, rows: list[dict[str, str]]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(LIQUOR_ENTRY, step)))
    sheet = book.worksheets[0]
    keys = [spec.key for spec in LIQUOR_ENTRY.inputs[step]]
    for row in rows:
        sheet.append([row.get(k, "") for k in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(http: Client, step: str, rows):
    return http.post(
        f"/console/sectors/liquor/{step}/import/",
        {"file": SimpleUploadedFile("x.xlsx", workbook(step, rows))},
    )


def test_form_excel_and_api_give_the_identical_event(world, api):
    http = console("demo-liquor-wholesaler")
    response = http.post("/console/sectors/liquor/retail/", retail())
    assert response.status_code == 200, response.content.decode()[:2000]
    recorded = response.context["recorded"]
    assert recorded.captured
    event = recorded.event
    assert orjson.loads(Event.objects.get(event_id=event["eventID"]).document) == event
    assert event["bizStep"] == "urn:tracehub:cbv:bizstep:liquor_retail" and event["tracehub:unitPrice"] == 128
    count = Event.objects.count()

    response = upload(http, "retail", [retail()])
    batch = StepImport.objects.get(step="liquor:retail")
    assert (
        response.status_code == 302 and response["Location"] == f"/console/sectors/liquor/imports/{batch.pk}/"
    )
    assert batch.status == "checked" and batch.errors == {}
    assert http.post(f"/console/sectors/liquor/imports/{batch.pk}/commit").status_code == 302
    excel = AuditEntry.objects.filter(action="sectors.liquor.retail").order_by("-id").first()
    assert excel.object_id == event["eventID"] and excel.after["captured"] is False

    response = api.post(
        "/api/v1/sectors/liquor/retail", data=orjson.dumps(retail()), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["event"] == event and response.json()["captured"] is False
    assert Event.objects.count() == count


def test_a_shipment_by_form_leads_to_its_printable_slip(world):
    http = console("demo-liquor-wholesaler")
    data = {
        "location": STORE,
        "buyer": Party.objects.get(uscc=d.WINE_SHOP_A.uscc).pgln
        or f"urn:tracehub:party:{d.WINE_SHOP_A.uscc}",
        "items": f"{sorghum_lot()}=3@105",
        "consignor": "陈丽",
        "carrier": "厦门鹭运物流有限公司",
        "vehicle_plate": "闽D·5A208",
        "time": "2026-11-20 08:00",
    }
    response = http.post("/console/sectors/liquor/wholesale/", data)
    slip = LiquorSlip.objects.order_by("-id").first()
    assert (
        response.status_code == 302
        and response["Location"] == f"/console/sectors/liquor/slips/{slip.number}/"
    )
    page = http.get(response["Location"]).content.decode()
    for text in (
        slip.grouped,
        "350206100001",
        "厦门醇境酒业有限公司",
        "陈丽",
        "厦门鹭运物流有限公司",
        "闽D·5A208",
        "315.00",
        "<svg",
    ):
        assert text in page, text
    assert http.get(response["Location"] + "?size=a5").content.decode().count("slip-a5") == 1
    # The seller's and buyer's people and the liquor bureau see it; another enterprise does not.
    assert console("demo-liquor").get(response["Location"]).status_code == 200
    assert console("demo-kitchen").get(response["Location"]).status_code == 404
    assert console("demo-amr").get(response["Location"]).status_code == 404


def test_the_form_names_each_missing_input_and_stores_nothing(world):
    before = state()
    response = console("demo-liquor-wholesaler").post(
        "/console/sectors/liquor/wholesale/", {"location": STORE, "items": f"{sorghum_lot()}=1@1"}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"buyer", "consignor", "carrier", "vehicle_plate"}
    assert state() == before


def test_excel_preview_names_row_errors_and_commits_nothing(world):
    http = console("demo-liquor-wholesaler")
    before = state()
    upload(
        http, "retail", [retail(), retail(quantity="many", time="2026-11-20 16:01"), retail(lot="not a lot")]
    )
    batch = StepImport.objects.get(step="liquor:retail")
    assert batch.status == "refused"
    assert sorted(batch.errors) == ["4", "5"]  # row 1 the header, row 2 the example
    assert [e["field"] for e in batch.errors["4"]] == ["quantity"]
    assert [e["field"] for e in batch.errors["5"]] == ["quantityList[0].epcClass"]  # named by capture
    page = http.get(f"/console/sectors/liquor/imports/{batch.pk}/").content.decode()
    assert 'data-testid="commit"' not in page
    assert http.post(f"/console/sectors/liquor/imports/{batch.pk}/commit").status_code == 409
    assert state()[:5] == before[:5]


def test_the_template_has_chinese_headers(world):
    response = console("demo-liquor-wholesaler").get("/console/sectors/liquor/wholesale/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [
        "场所 location",
        "购货方 buyer",
        "货品明细 items",
        "发货人 consignor",
        "承运人 carrier",
        "车牌号 vehicle_plate",
        "时间 time",
    ]


def test_the_api_names_each_wrong_input_and_returns_the_slip(world, api):
    before = state()
    response = api.post(
        "/api/v1/sectors/liquor/wholesale",
        data=orjson.dumps(
            {"location": STORE, "buyer": d.WINE_SHOP_A.uscc, "items": "x", "vehicle_plate": "闽"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {e["path"] for e in response.json()["errors"]} == {
        "items",
        "consignor",
        "carrier",
        "vehicle_plate",
    }
    assert (
        api.post("/api/v1/sectors/liquor/brewing", data=b"{}", content_type="application/json").status_code
        == 404
    )
    assert state() == before
    response = api.post(
        "/api/v1/sectors/liquor/wholesale",
        data=orjson.dumps(
            {
                "location": STORE,
                "buyer": d.WINE_SHOP_A.uscc,
                "items": f"{sorghum_lot()}=1@99",
                "consignor": "陈丽",
                "carrier": "自运",
                "vehicle_plate": "闽D·5A208",
                "time": "2026-11-20 07:00",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    number = response.json()["slip"]
    body = api.get(f"/api/v1/sectors/liquor/slips/{number}").json()
    assert (body["number"], body["seller"]["filingNumber"], body["vehiclePlate"], body["amount"]) == (
        number,
        "350206100001",
        "闽D·5A208",
        "99.00",
    )


def _operator(name: str, district: str = "350203") -> Party:
    from tracehub.sectors.demo_g3_e2 import d as demo

    party = registry_services.party_create(
        actor=SYSTEM,
        name=name,
        party_type=PartyType.RETAILER,
        id_kind=IdKind.USCC,
        uscc=demo.make_uscc("92", district, f"MA4{Party.objects.count():05d}"),
        sectors=[Sector.LIQUOR],
        district=district,
    )
    filing = registry_services.filing_submit(actor=SYSTEM, party=party)
    registry_services.filing_approve(actor=SYSTEM, filing=filing)
    party.refresh_from_db()
    return party


def test_the_public_list_shows_filed_operators_only_escaped_without_sign_in(world):
    evil = _operator(f"{XSS}酒行")
    filing = liquor_filing_submit(actor=SYSTEM, party=evil, kind="retailer", premises=f"{XSS}路1号")
    public = Client()
    page = public.get("/liquor/").content.decode()
    assert "厦门鹭峰酒业有限公司" in page and "350212100001" in page
    assert "厦门市集美区鹭韵酒行" not in page  # filing under review
    assert "酒行" not in page.replace("鹭韵酒行", "")  # the new one is not approved yet
    liquor_filing_approve(actor=SYSTEM, filing=filing)
    response = public.get("/liquor/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;酒行" in page and "<script>alert" not in page
    liquor_filing_revoke(actor=SYSTEM, filing=filing, reason="停业")
    assert "酒行" not in public.get("/liquor/").content.decode().replace("鹭韵酒行", "")
    assert set(
        LiquorOperatorFiling.objects.filter(status=LiquorFilingStatus.APPROVED).values_list(
            "party__name", flat=True
        )
    ) == {
        "厦门鹭峰酒业有限公司",
        "厦门鹭通酒类批发有限公司",
        "厦门海韵进口酒业有限公司",
        "厦门醇境酒业有限公司",
        "厦门鹭江大酒楼有限公司",
    }


def test_the_public_list_takes_a_fixed_number_of_queries(world):
    public = Client()
    public.get("/liquor/")
    with CaptureQueriesContext(connection) as few:
        public.get("/liquor/")
    for n in range(3):
        party = _operator(f"测试酒行{n}")
        liquor_filing_approve(
            actor=SYSTEM, filing=liquor_filing_submit(actor=SYSTEM, party=party, kind="retailer")
        )
    with CaptureQueriesContext(connection) as many:
        page = public.get("/liquor/").content.decode()
    assert "测试酒行2" in page
    assert len(many) == len(few) <= 4


def test_the_catalogue_links_certified_liquor_to_the_portal_escaped(world):
    party = Party.objects.get(name="厦门鹭峰酒业有限公司")
    from tracehub.sectors.demo_g3_e2 import DISTILLERY, gtin13

    product = registry_services.product_create(
        actor=SYSTEM,
        party=party,
        name=f"{XSS}米酒",
        sectors=[Sector.LIQUOR],
        gtin=gtin13(DISTILLERY["prefix"], "011"),
        brand="<b>鹭峰</b>",
        attributes={"alcohol_strength": "15"},
    )
    info = liquor_product_register(
        actor=SYSTEM, product=product, producer_name=party.name, volume_ml=750, origin="同安"
    )
    page = Client().get("/liquor/catalogue/").content.decode()
    assert "米酒" not in page  # not certified yet
    liquor_product_certify(actor=SYSTEM, info=info, certificate_number="XMJL-2026-0099")
    response = Client().get("/liquor/catalogue/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;米酒" in page and "<script>alert" not in page
    assert "&lt;b&gt;鹭峰&lt;/b&gt;" in page
    sorghum = Party.objects.get(name="厦门鹭峰酒业有限公司").products.get(brand="鹭峰")
    assert f'href="/01/{sorghum.gtin}"' in page
    assert f'href="/01/{sorghum.gtin}/10/{sorghum_lot().rsplit("/", 1)[1]}"' in page
    assert page.count('class="catalogue-qr"><svg') == 3  # sorghum, wine, the new one


def test_filing_and_certification_through_the_console_reach_the_public_pages(world):
    from tracehub.accounts.models import Role
    from tracehub.sectors.demo_g3_e2 import DISTILLERY, gtin13
    from tracehub.sectors.models_liquor import LiquorProduct

    shop = _operator("厦门鹭岛名酒行")
    registry_services.party_member_add(
        actor=SYSTEM, party=shop, username="shop-admin", password=None, role=Role.ENTERPRISE_ADMIN
    )
    http = console("shop-admin")
    before = state()
    assert (
        http.post("/console/sectors/liquor/filings/new", {"kind": "shop", "premises": "x"}).status_code == 400
    )
    assert state() == before
    assert (
        http.post(
            "/console/sectors/liquor/filings/new", {"kind": "retailer", "premises": "思明区中山路1号"}
        ).status_code
        == 302
    )
    filing = LiquorOperatorFiling.objects.get(party=shop)
    assert (
        filing.status == LiquorFilingStatus.SUBMITTED
        and "鹭岛名酒行" not in Client().get("/liquor/").content.decode()
    )
    # An enterprise does not approve itself; the liquor bureau does.
    assert http.post(f"/console/sectors/liquor/filings/{filing.pk}/approve").status_code == 403
    bureau = console("demo-liquor")
    assert f"approve-{filing.pk}" in bureau.get("/console/sectors/liquor/").content.decode()
    assert bureau.post(f"/console/sectors/liquor/filings/{filing.pk}/approve").status_code == 302
    filing.refresh_from_db()
    assert filing.status == LiquorFilingStatus.APPROVED and filing.number == "350203100003"
    assert "鹭岛名酒行" in Client().get("/liquor/").content.decode()

    distillery = Party.objects.get(name="厦门鹭峰酒业有限公司")
    product = registry_services.product_create(
        actor=SYSTEM,
        party=distillery,
        name="鹭峰陈酿 45%vol 500ml",
        sectors=[Sector.LIQUOR],
        gtin=gtin13(DISTILLERY["prefix"], "012"),
        brand="鹭峰",
        attributes={"alcohol_strength": "45"},
    )
    maker = console("demo-distillery")
    response = maker.post(
        "/console/sectors/liquor/products/new",
        {"product": product.pk, "producer_name": "", "volume_ml": "0", "origin": "同安"},
    )
    assert (
        response.status_code == 400
        and "producer_name" in response.content.decode()
        and "volume_ml" in response.content.decode()
    )
    assert (
        maker.post(
            "/console/sectors/liquor/products/new",
            {
                "product": product.pk,
                "producer_name": "厦门鹭峰酒业有限公司",
                "volume_ml": "500",
                "origin": "福建省厦门市同安区",
            },
        ).status_code
        == 302
    )
    info = LiquorProduct.objects.get(product=product)
    assert (
        maker.post(
            f"/console/sectors/liquor/products/{info.pk}/certify", {"certificate_number": "X-1234"}
        ).status_code
        == 403
    )
    assert (
        bureau.post(
            f"/console/sectors/liquor/products/{info.pk}/certify", {"certificate_number": "XMJL-2026-0100"}
        ).status_code
        == 302
    )
    assert "鹭峰陈酿" in Client().get("/liquor/catalogue/").content.decode()
