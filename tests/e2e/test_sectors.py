"""A stall holder's sale on a phone (issue #6 items 5 and 6; E1, P3): the meat trader at the wholesale
market records a sale in a few taps and shows the trace voucher (追溯凭证码) and its QR code; the
school canteen records its receipt quoting the voucher; then the lot is traced back to the pig farm.
(A voucher quoted by the wrong buyer is refused: tests/sectors/test_entry_channels.py.)
On a phone (390×844), in Chinese, with a screenshot of every step.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tracehub.demo import data as d
from tracehub.demo.events import ymd
from tracehub.sectors.models import TradeVoucher, VoucherStatus

pytestmark = pytest.mark.e2e

PASSWORD = "Xiamen-Sectors-2026"
LOT = d.PORK_BELLY.lot(f"{ymd(0)}-31")  # the sector demo's second pork batch, from the pig farm


@pytest.fixture
def demo(transactional_db, monkeypatch):
    monkeypatch.setenv("TRACEHUB_DEMO_PASSWORD", PASSWORD)
    call_command("load_demo", stdout=io.StringIO())


def _login(tab, username: str) -> None:
    tab.context.clear_cookies()
    tab.goto("/accounts/login/")
    tab.get_by_label("用户名").fill(username)
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    expect(tab).to_have_url("/console/")


def test_stall_sale_voucher_buyer_entry_and_trace_back_to_the_farm(demo, page, shoot):
    _login(page, "demo-stall")
    page.goto("/console/sectors/")
    shoot(page, "1-sector-menu")
    page.get_by_test_id("step-market_trading").click()
    expect(page.get_by_role("heading", name="电子交易")).to_be_visible()
    # The stall is the holder's only location: preselected. Buyer, lot, weight, price: four taps.
    page.get_by_label("买方").select_option(label="厦门市湖里区枋湖实验小学食堂")
    page.get_by_label("商品批次").fill(LOT)
    page.get_by_label("重量（千克）").fill("6.5")
    page.get_by_label("单价（元/千克）").fill("30")
    shoot(page, "2-sale-form")
    page.get_by_test_id("submit").click()

    voucher = TradeVoucher.objects.filter(status=VoucherStatus.ISSUED).get()
    expect(page).to_have_url(f"/console/sectors/vouchers/{voucher.code}/")
    expect(page.get_by_test_id("voucher-code")).to_have_text(voucher.grouped)
    expect(page.get_by_test_id("voucher-qr").locator("svg")).to_be_visible()
    shoot(page, "3-voucher")

    _login(page, "demo-canteen")
    page.goto("/console/sectors/meat_veg/canteen_receiving/")
    page.get_by_label("供货方").select_option(label=d.MEAT_TRADER.name)
    page.get_by_label("商品批次").fill(LOT)
    page.get_by_label("重量（千克）").fill("6.5")
    page.get_by_label("产地").fill("厦门市翔安区")
    page.get_by_label("商品类别").select_option(label="畜肉")
    page.get_by_label("上游追溯凭证码").fill(voucher.grouped)
    shoot(page, "4-canteen-receipt")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("recorded")).to_contain_text("已记录")
    shoot(page, "5-recorded")
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.QUOTED

    # The platform operator traces the lot back: it reaches the pig farm through the slaughter.
    _login(page, "demo-operator")
    answer = page.request.get("/api/v1/trace/back", params={"id": LOT})
    assert answer.status == 200
    trace = answer.json()
    assert d.PIG_FARM_SITE.id in {place["id"] for place in trace["locations"]}
    page.goto(f"/api/v1/trace/back?id={LOT}")
    shoot(page, "7-trace-back")
