"""Code allocation in a browser (issue #5 item 2): an enterprise administrator allocates GS1 serials
for a product and lot from the console menu, sees the allocation with a label preview, and opens
an A4 sheet of labels to print. In Chinese, at phone size, with a screenshot of every step; the
print page runs under the platform's CSP like every page (a violation fails the test).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tracehub.accounts.models import Role
from tracehub.registry import selectors, services
from tracehub.registry.models import CodeAllocation

from ..registry.world import GTIN_A, SYSTEM, file_and_approve, party_fields

pytestmark = pytest.mark.e2e

PASSWORD = "Xiamen-Codes-2026"


@pytest.fixture
def enterprise(transactional_db):
    party = services.party_create(actor=SYSTEM, **party_fields())
    file_and_approve(party)
    services.product_create(
        actor=SYSTEM, party=party, gtin=GTIN_A, name="冷鲜猪白条", sectors=["meat_veg", "food"], unit="KGM"
    )
    services.party_member_add(
        actor=SYSTEM, party=party, username="xiangrun-admin", password=PASSWORD, role=Role.ENTERPRISE_ADMIN
    )
    return party


def test_an_enterprise_allocates_codes_and_prints_labels(enterprise, page, shoot):
    tab = page
    tab.goto("/accounts/login/")
    tab.get_by_label("用户名").fill("xiangrun-admin")
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    tab.wait_for_url("**/console/")

    tab.get_by_role("navigation", name="控制台菜单").get_by_role("link", name="赋码与标签").click()
    tab.wait_for_url("**/console/registry/codes/")
    expect(tab.get_by_role("heading", level=1)).to_have_text("赋码与标签")
    tab.get_by_role("link", name="申请赋码").click()
    tab.wait_for_url("**/console/registry/codes/new/")
    tab.get_by_label("产品").select_option(label="冷鲜猪白条")
    tab.get_by_label("码数量").fill("70")
    tab.get_by_label("批号").fill("L20261128")
    shoot(tab, "01-allocate")
    tab.get_by_role("button", name="分配").click()

    allocation = CodeAllocation.objects.get()
    tab.wait_for_url(f"**/console/registry/codes/{allocation.pk}/")
    first, last = selectors.code_allocation_first_last(allocation)
    expect(tab.get_by_text(first, exact=True)).to_be_visible()
    expect(tab.get_by_text(last, exact=True)).to_be_visible()
    expect(tab.locator(".label-preview svg")).to_have_count(6)
    shoot(tab, "02-allocation")

    tab.goto(f"/console/registry/codes/{allocation.pk}/labels/?layout=a4&pages=1-2&format=html")
    expect(tab.locator("section.sheet")).to_have_count(2)
    expect(tab.locator("figure.label")).to_have_count(70)
    expect(tab.locator("figure.label").first).to_contain_text(f"(21) {first}")
    width = tab.locator("section.sheet").first.evaluate("e => e.getBoundingClientRect().width")
    assert 790 <= width <= 796  # 210 mm at 96 px per inch
    shoot(tab, "03-labels")
