"""Printing a liquor accompanying slip (随附单, issue #7 item 2) in Chromium: the wholesaler opens the
slip of its demo shipment, the page is laid out for print (A4, then A5), every slip field and the
QR code are on the printed page, and the PDF Chromium prints is kept as the artefact."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tracehub.sectors.models_liquor import LiquorSlip

from .conftest import ARTEFACTS

pytestmark = pytest.mark.e2e

PASSWORD = "Xiamen-Trace-2024"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def slip(transactional_db) -> LiquorSlip:
    """The demo data set loaded; demo-liquor-wholesaler may sign in. Its demo slip to the wine shop."""
    call_command("load_demo", verbosity=0)
    user = get_user_model().objects.get(username="demo-liquor-wholesaler")
    user.set_password(PASSWORD)
    user.save()
    return LiquorSlip.objects.select_related("seller", "buyer").get(seller__name="厦门鹭通酒类批发有限公司")


def test_printing_a_liquor_accompanying_slip(browser, live_server, shoot, slip):
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    tab.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    try:
        tab.goto("/accounts/login/?next=/console/sectors/liquor/")
        tab.get_by_label("用户名").fill("demo-liquor-wholesaler")
        tab.get_by_label("密码").fill(PASSWORD)
        tab.get_by_role("button", name="登录").click()
        tab.wait_for_url("**/console/sectors/liquor/")
        tab.get_by_role("link", name=slip.grouped).click()
        tab.wait_for_url(f"**/console/sectors/liquor/slips/{slip.number}/")
        shoot(tab, "slip-screen")

        tab.emulate_media(media="print")
        expect(tab.locator(".site-header")).to_be_hidden()
        expect(tab.locator(".slip-actions")).to_be_hidden()
        card = tab.get_by_test_id("slip")
        expect(card).to_be_visible()
        expect(tab.get_by_test_id("slip-number")).to_have_text(slip.grouped)
        expect(tab.get_by_test_id("slip-date")).to_have_text(
            timezone.localtime(slip.shipped_at).date().isoformat()
        )
        expect(tab.get_by_test_id("slip-seller")).to_have_text("厦门鹭通酒类批发有限公司")
        expect(tab.get_by_test_id("slip-filing")).to_have_text(slip.seller_filing_number)
        expect(tab.get_by_test_id("slip-buyer")).to_have_text("厦门醇境酒业有限公司")
        expect(tab.get_by_test_id("slip-consignor")).to_have_text(slip.consignor)
        expect(tab.get_by_test_id("slip-carrier")).to_have_text(slip.carrier)
        expect(tab.get_by_test_id("slip-plate")).to_have_text(slip.vehicle_plate)
        expect(tab.get_by_test_id("slip-amount")).to_have_text(str(slip.amount))
        items = tab.get_by_test_id("slip-items")
        expect(items).to_contain_text("鹭峰清香型高粱酒")
        expect(items).to_contain_text("福建省厦门市同安区")
        expect(items).to_contain_text(slip.items[0]["lot"])
        qr = tab.get_by_test_id("slip-qr").locator("svg")
        expect(qr).to_be_visible()
        box = qr.bounding_box()
        assert box and box["width"] >= 80 and abs(box["width"] - box["height"]) < 2  # a square QR, ~30 mm
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        pdf = tab.pdf(
            path=str(ARTEFACTS / "test_printing_a_liquor_accompanying_slip-a4.pdf"), prefer_css_page_size=True
        )
        assert (
            pdf.startswith(b"%PDF")
            and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type/Page") >= 1
        )
        shoot(tab, "slip-print-a4")

        tab.goto(f"/console/sectors/liquor/slips/{slip.number}/?size=a5")
        tab.emulate_media(media="print")
        expect(tab.locator("body.slip-a5")).to_have_count(1)
        expect(tab.get_by_test_id("slip-number")).to_have_text(slip.grouped)
        pdf = tab.pdf(
            path=str(ARTEFACTS / "test_printing_a_liquor_accompanying_slip-a5.pdf"), prefer_css_page_size=True
        )
        assert pdf.startswith(b"%PDF")
        shoot(tab, "slip-print-a5")
    finally:
        context.close()
    assert problems == []
