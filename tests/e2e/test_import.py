"""Bulk import in a browser (issue #3 item 7; P3): an enterprise administrator downloads the locations
template, fills it in with one mistake, uploads it, sees the error by row and column, corrects the
file, uploads it again and stores it. On a phone (390×844) and on a desktop screen, in Chinese, with
a screenshot of every step.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tracehub.accounts.models import Role
from tracehub.registry import services
from tracehub.registry.models import Location

from ..registry.importing import fill_xlsx
from ..registry.world import SYSTEM, USCC_A, party_fields
from .conftest import PHONE

pytestmark = pytest.mark.e2e

PASSWORD = "Xiamen-Import-2026"
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def enterprise(transactional_db):
    party = services.party_create(actor=SYSTEM, **party_fields())
    services.party_member_add(
        actor=SYSTEM,
        party=party,
        username="xiangrun-admin",
        password=PASSWORD,
        role=Role.ENTERPRISE_ADMIN,
        full_name="陈 明",
    )
    return party


def _rows(kind_of_second: str) -> list[dict]:
    return [
        {
            "场所编码": f"urn:tracehub:loc:{USCC_A}:cut-1",
            "场所名称": "分割车间",
            "场所类型": "工厂",
            "所在区": "翔安",
        },
        {
            "场所编码": f"urn:tracehub:loc:{USCC_A}:cold-1",
            "场所名称": "一号冷库",
            "场所类型": kind_of_second,
            "所在区": "翔安区",
        },
    ]


def _import_with_one_mistake(tab, shoot, tmp_path, width: int) -> None:
    tab.goto("/accounts/login/")
    tab.get_by_label("用户名").fill("xiangrun-admin")
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    tab.wait_for_url("**/console/")

    tab.get_by_role("navigation", name="控制台菜单").get_by_role("link", name="批量导入").click()
    tab.wait_for_url("**/console/registry/import/")
    expect(tab.get_by_role("heading", level=1)).to_have_text("批量导入")
    expect(tab.get_by_role("radio", name="主体")).to_have_count(0)  # an enterprise imports no parties
    shoot(tab, "01-import")

    with tab.expect_download() as download_info:
        tab.get_by_test_id("template-locations-xlsx").click()
    download = download_info.value
    assert download.suggested_filename == "场所导入模板.xlsx"
    template = tmp_path / "template.xlsx"
    download.save_as(template)

    wrong = tmp_path / "场所.xlsx"
    wrong.write_bytes(fill_xlsx(template.read_bytes(), _rows("冷冻库")))
    tab.get_by_role("radio", name="场所").check()
    tab.locator("input[type=file]").set_input_files(str(wrong))
    tab.get_by_role("button", name="上传并检查").click()
    tab.wait_for_url("**/console/registry/import/*/")
    expect(tab.get_by_test_id("import-status")).to_have_text("有错误")
    errors = tab.locator(".import-errors li")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("第 3 行 · 场所类型")
    expect(errors.first).to_contain_text("未知的值“冷冻库”")
    expect(tab.locator(".import-cell-error")).to_have_text("冷冻库")
    expect(tab.get_by_role("button", name="全部保存")).to_have_count(0)
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    shoot(tab, "02-preview-with-error")

    tab.get_by_role("link", name="上传更正后的文件").click()
    tab.wait_for_url("**/console/registry/import/?kind=locations")
    expect(tab.get_by_role("radio", name="场所")).to_be_checked()
    fixed = tmp_path / "场所-更正.xlsx"
    fixed.write_bytes(fill_xlsx(template.read_bytes(), _rows("仓库")))
    tab.locator("input[type=file]").set_input_files(str(fixed))
    tab.get_by_role("button", name="上传并检查").click()
    tab.wait_for_url("**/console/registry/import/*/")
    expect(tab.get_by_test_id("import-status")).to_have_text("已检查，可保存")
    expect(tab.locator(".import-errors")).to_have_count(0)
    expect(tab.locator(".import-table tbody tr")).to_have_count(2)
    assert not Location.objects.filter(name="一号冷库").exists()  # a preview stores nothing
    shoot(tab, "03-preview-clean")

    tab.get_by_role("button", name="全部保存").click()
    expect(tab.get_by_test_id("import-status")).to_have_text("已保存")
    expect(tab.locator(".messages")).to_contain_text("已保存 2 条记录。")
    created = tab.locator(".import-created a")
    expect(created).to_have_count(2)
    expect(created.last).to_have_text("一号冷库")
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    shoot(tab, "04-stored")
    assert sorted(Location.objects.values_list("name", flat=True)) == ["一号冷库", "分割车间"]

    created.last.click()
    tab.wait_for_url("**/console/registry/locations/*/")
    shoot(tab, "05-location")


def test_import_with_one_error_then_corrected_on_a_phone(page, shoot, tmp_path, enterprise):
    _import_with_one_mistake(page, shoot, tmp_path, PHONE["width"])


def test_import_with_one_error_then_corrected_on_a_desktop(browser, live_server, shoot, tmp_path, enterprise):
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} {r.failure}"))
    tab.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 500 else None)
    try:
        _import_with_one_mistake(tab, shoot, tmp_path, DESKTOP["width"])
    finally:
        context.close()
    assert problems == []
