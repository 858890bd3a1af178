"""Signing in to the console and out again, in a phone browser."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def official(transactional_db):
    return get_user_model().objects.create_user(
        "chen.jing", password="Xiamen-Trace-2024", first_name="静", last_name="陈"
    )


def test_sign_in_to_the_console_and_sign_out(page, shoot, official):
    page.goto("/console/")
    page.wait_for_url("**/accounts/login/?next=/console/")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录管理控制台")

    page.get_by_label("用户名").fill("chen.jing")
    page.get_by_label("密码").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("请输入一个正确的")
    shoot(page, "login-refused")

    page.get_by_label("密码").fill("Xiamen-Trace-2024")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/console/")
    expect(page.get_by_role("heading", level=1)).to_have_text("管理控制台")
    expect(page.locator(".welcome-line")).to_contain_text("陈静，您好")
    expect(
        page.get_by_role("navigation", name="控制台菜单").get_by_role("link", name="概览")
    ).to_have_attribute("aria-current", "page")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "console")

    # the user menu (a <details>, no script needed) holds the sign-out button
    page.locator(".user-menu summary").click()
    expect(page.get_by_role("link", name="修改密码")).to_be_visible()
    shoot(page, "user-menu")
    page.get_by_role("link", name="修改密码").click()
    page.wait_for_url("**/accounts/password/")
    expect(page.get_by_role("heading", level=1)).to_have_text("修改密码")
    expect(page.get_by_label("旧密码")).to_be_visible()
    shoot(page, "password")

    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/")
    expect(page.get_by_role("link", name="登录", exact=True)).to_be_visible()

    # signed out for real: the console asks for a sign-in again
    page.goto("/console/")
    page.wait_for_url("**/accounts/login/?next=/console/")
