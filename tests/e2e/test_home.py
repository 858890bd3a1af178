"""The home page on a phone, in Chinese, and the switch to English."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_home_page_in_chinese_on_a_phone_and_switch_to_english(page, shoot):
    page.goto("/")
    expect(page).to_have_title("厦门市重要产品追溯平台")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("厦门市重要产品追溯平台")
    expect(page.locator(".slogan")).to_have_text("来源可查、去向可追、责任可究。")
    # the code lookup is open: the portal's search box (tests/portal/test_lookup.py)
    expect(page.get_by_role("searchbox")).to_be_enabled()
    expect(page.get_by_role("button", name="查询")).to_be_enabled()
    # laid out for the phone: nothing wider than the screen, so no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the stylesheet and htmx came from the platform itself and are in effect
    assert page.evaluate("typeof htmx") == "object"
    header = page.locator(".site-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(11, 83, 148)"
    shoot(page, "zh")

    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Xiamen Important Product Traceability Platform"
    )
    expect(page.locator(".slogan")).to_have_text(
        "Source traceable, destination trackable, responsibility accountable."
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "en")

    # and back: the switch now offers Chinese by its own name
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")


def test_home_links_lead_to_the_console_sign_in(page, shoot):
    page.goto("/")
    page.get_by_role("link", name="登录管理控制台").click()
    page.wait_for_url("**/accounts/login/?next=/console/")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录管理控制台")
    shoot(page, "login")
