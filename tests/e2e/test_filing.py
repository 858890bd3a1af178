"""Filing and approval in a phone browser (issue #3 "What must show": a browser test of filing and
approval in Chromium; G3, G4).

An enterprise signs up, adds its food production licence with the scan and submits its filing; an
official of the responsible bureau finds it in the review queue and asks for more information; the
enterprise sees the notification and resubmits; the official approves; the enterprise sees
"approved" and its filing number. Two browser contexts, both at 390×844 in Chinese; a screenshot of
every step (docs/consoles.md "Screens").
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tracehub.accounts.models import Role
from tracehub.accounts.selectors import department_by_code
from tracehub.accounts.services import user_create
from tracehub.registry.models import Party

from ..registry.world import PDF, make_uscc
from .conftest import PHONE

pytestmark = pytest.mark.e2e

PASSWORD = "Xiamen-Filing-2026"
USCC = make_uscc("350213", "3FT5X7Q24")


@pytest.fixture
def official(transactional_db):
    return user_create(
        username="lin.commerce",
        password=PASSWORD,
        role=Role.OFFICIAL,
        department=department_by_code("commerce"),
        districts=["350213"],
        full_name="海 林",
    )


def _second_phone(browser, live_server):
    """A context of its own for the official (another phone), failing on the same problems."""
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, device_scale_factor=2, locale="zh-CN", is_mobile=True
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 500 else None)
    return context, tab, problems


def _fits_the_phone(tab) -> None:
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_filing_and_approval_on_a_phone(page, shoot, browser, live_server, official):
    # -- the enterprise signs up ------------------------------------------------------------
    page.goto("/console/registry/register/")
    expect(page.get_by_role("heading", level=1)).to_have_text("企业注册")
    # the identity fields of the other kinds stay out of the way (console.js)
    expect(page.locator("#id_id_number")).to_be_hidden()
    shoot(page, "01-register")
    page.locator("#id_username").fill("xiangan-pork")
    page.locator("#id_full_name").fill("陈明")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_name").fill("厦门翔安鲜达肉类有限公司")
    page.get_by_label("主体类型").select_option("slaughterhouse")
    page.get_by_role("textbox", name="统一社会信用代码").fill(USCC[:-1] + ("0" if USCC[-1] != "0" else "1"))
    page.get_by_role("checkbox", name="肉菜流通").check()
    page.get_by_label("辖区").select_option("350213")
    page.get_by_label("地址").fill("翔安区马巷镇舫山南路8号")
    page.get_by_label("联系电话").fill("0592-7061234")
    page.get_by_role("button", name="注册").click()
    # a wrong check character is named on its field, in Chinese, and nothing is stored
    expect(page.locator(".field-invalid .field-error").first).to_contain_text("校验码错误")
    assert not Party.objects.filter(name="厦门翔安鲜达肉类有限公司").exists()
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("textbox", name="统一社会信用代码").fill(USCC)
    page.get_by_role("button", name="注册").click()
    page.wait_for_url(re.compile(r"/console/registry/parties/\d+/$"))
    party_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("厦门翔安鲜达肉类有限公司")
    expect(page.locator("#filing .status")).to_have_text("未备案")
    _fits_the_phone(page)
    shoot(page, "02-registered")

    # -- adds its licence with the scan -------------------------------------------------------
    page.get_by_role("link", name="添加证照").click()
    page.get_by_label("类型").select_option("food_production")
    page.get_by_label("编号").fill("SC10435021300877")
    page.get_by_label("发证机关").fill("厦门市市场监督管理局")
    page.get_by_label("有效期起").fill((timezone.localdate() - timedelta(days=200)).isoformat())
    page.get_by_label("有效期至").fill((timezone.localdate() + timedelta(days=900)).isoformat())
    page.get_by_label("扫描件").set_input_files(
        {"name": "食品生产许可证.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    shoot(page, "03-licence")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("证照已登记")

    # -- submits the filing --------------------------------------------------------------------
    page.goto(party_url)
    page.get_by_role("link", name="提交备案").click()
    expect(page.get_by_text("已附扫描件")).to_be_visible()
    page.get_by_label("给审核人员的说明").fill("新建屠宰车间，申请备案。")
    _fits_the_phone(page)
    shoot(page, "04-submit")
    page.get_by_role("button", name="提交备案申请").click()
    expect(page.get_by_role("status")).to_contain_text("备案已提交")
    expect(page.locator(".filing-card .status")).to_have_text("待审核")
    shoot(page, "05-submitted")

    # -- the official asks for more --------------------------------------------------------------
    context, desk, problems = _second_phone(browser, live_server)
    desk.goto("/accounts/login/")
    desk.get_by_label("用户名").fill("lin.commerce")
    desk.get_by_label("密码").fill(PASSWORD)
    desk.get_by_role("button", name="登录").click()
    desk.wait_for_url("**/console/")
    desk.get_by_role("navigation", name="控制台菜单").get_by_role("link", name="待审核备案").click()
    row = desk.locator(".rows li", has_text="厦门翔安鲜达肉类有限公司")
    expect(row).to_be_visible()
    _fits_the_phone(desk)
    shoot(desk, "06-review-queue")
    row.get_by_role("link", name="审核").click()
    desk.get_by_role("link", name="要求补正").click()
    # htmx opens the confirmation inside the filing page
    expect(desk.locator("#filing-action")).to_contain_text("要求补正：请确认")
    desk.get_by_label("理由").fill("请补充食品经营许可证扫描件。")
    shoot(desk, "07-request-info")
    desk.get_by_role("button", name="确认要求补正").click()
    expect(desk.get_by_role("status")).to_contain_text("待补正")

    # -- the enterprise sees it and resubmits ------------------------------------------------------
    page.goto(party_url)
    expect(page.get_by_test_id("notification-badge").locator(".badge")).to_have_text("1")
    expect(page.locator("#filing .status")).to_have_text("待补正")
    expect(page.locator("#filing")).to_contain_text("请补充食品经营许可证扫描件。")
    expect(page.get_by_text("的备案需补正材料")).to_be_visible()
    shoot(page, "08-notified")
    page.locator("#filing").get_by_role("link", name="重新提交").click()
    expect(page.locator("#filing-action")).to_contain_text("重新提交：请确认")
    page.get_by_label("给审核人员的说明").fill("已补充。")
    shoot(page, "09-resubmit")
    page.get_by_role("button", name="确认重新提交").click()
    expect(page.get_by_role("status")).to_contain_text("待审核")

    # -- the official approves ----------------------------------------------------------------------
    desk.reload()
    desk.get_by_role("link", name="批准").click()
    expect(desk.locator("#filing-action")).to_contain_text("批准：请确认")
    shoot(desk, "10-approve")
    desk.get_by_role("button", name="确认批准").click()
    expect(desk.get_by_role("status")).to_contain_text("备案已批准，备案编号：XMZS-")
    context.close()
    assert problems == []

    # -- the enterprise sees "approved" and its filing number ------------------------------------------
    page.goto(party_url)
    expect(page.locator("#filing .status")).to_have_text("已备案")
    number = Party.objects.get(uscc=USCC).filing_number
    assert number.startswith("XMZS-")
    expect(page.locator("#filing").get_by_test_id("filing-number")).to_have_text(number)
    expect(page.get_by_test_id("notification-badge").locator(".badge")).to_have_text("2")
    _fits_the_phone(page)
    shoot(page, "11-approved")
