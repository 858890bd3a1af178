"""The tracing pages in a browser (issue #4 item 5; P5, G2): a demo drug lot's trace graph and
where it went by district, drawn by ECharts under the CSP, on a phone and on a desktop screen."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from tracehub.demo import data as demo
from tracehub.epcis.models import EventIndex

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "Xiamen-Trace-2024"


@pytest.fixture
def drug_lot(transactional_db) -> str:
    """The demo data set loaded; demo-amr (市场监督管理局, food and drugs) may sign in. The drug's lot."""
    call_command("load_demo", verbosity=0)
    user = get_user_model().objects.get(username="demo-amr")
    user.set_password(PASSWORD)
    user.save()
    key = (
        EventIndex.objects.filter(role="lot", key__startswith=f"01/{demo.DRUG.gtin}/10/")
        .values_list("key", flat=True)
        .first()
    )
    assert key, "the demo drug lot"
    return f"https://id.gs1.org/{key}"


def _sign_in(tab) -> None:
    tab.goto("/accounts/login/?next=/console/tracing/")
    tab.get_by_label("用户名").fill("demo-amr")
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    tab.wait_for_url("**/console/tracing/")


def _trace_and_destinations(tab, shoot, lot: str, width: int, size: str) -> None:
    _sign_in(tab)
    expect(tab.get_by_role("heading", level=1)).to_have_text("追溯查询")
    tab.locator("#id_id").fill(lot)
    tab.locator("#id_direction").select_option("forward")
    tab.get_by_role("button", name="追溯查询", exact=True).click()
    expect(tab.locator("#trace-chain[data-ready='1'] canvas")).to_be_visible()
    expect(tab.locator("#trace-graph[data-ready='1'] canvas")).to_be_visible()
    expect(tab.get_by_role("heading", name="产品去向")).to_be_visible()
    # the pharmacies the lot reached, by name, in the locations table
    expect(tab.locator("table").get_by_text("思明区").first).to_be_visible()
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    shoot(tab, f"trace-{size}")

    tab.get_by_role("navigation", name="控制台菜单").get_by_role("link", name="去向").click()
    tab.wait_for_url("**/console/tracing/destinations/")
    tab.locator("#id_id").fill(lot)
    tab.get_by_role("button", name="查看去向").click()
    expect(tab.locator("#destination-chart[data-ready='1'] canvas")).to_be_visible()
    districts = tab.get_by_test_id("district-table")
    expect(districts).to_contain_text("思明区")
    expect(districts).to_contain_text("湖里区")
    expect(tab.get_by_test_id("shop-table")).to_contain_text("药房")
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    shoot(tab, f"destinations-{size}")


def test_a_demo_lot_traced_and_its_destinations_on_a_phone(page, shoot, drug_lot):
    _trace_and_destinations(page, shoot, drug_lot, PHONE["width"], "phone")


def test_a_demo_lot_traced_and_its_destinations_on_a_desktop(browser, live_server, shoot, drug_lot):
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    tab.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 500 else None)
    try:
        _trace_and_destinations(tab, shoot, drug_lot, DESKTOP["width"], "desktop")
    finally:
        context.close()
    assert problems == []
