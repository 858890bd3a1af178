"""A consumer scans a drug pack's code on a phone (G2, P5): the QR code carries the pack's GS1
Digital Link, which the portal resolves (``/01/{GTIN}/21/{serial}``) to the pack's public page with
its chain from the manufacturer's packaging line through the distributor to the pharmacy."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tracehub.demo import data as demo
from tracehub.identifiers import canonical_key
from tracehub.sectors.demo_g2_g6 import DRUG_PACKS

pytestmark = pytest.mark.e2e

#: A pack of the G2 demo lot, on the shelf of 鹭安大药房 (思明) since the distributor's delivery.
PACK = DRUG_PACKS[1]


@pytest.fixture
def pack_path(transactional_db) -> str:
    call_command("load_demo", verbosity=0)
    return "/" + canonical_key(PACK)  # what the QR code's https://id.gs1.org/01/…/21/… resolves to here


def test_a_consumer_scans_a_drug_pack_and_sees_its_chain(page, shoot, pack_path):
    assert pack_path == f"/01/{demo.DRUG.gtin}/21/700000000002"
    page.goto(pack_path)
    expect(page.get_by_role("heading", level=1)).to_contain_text("布洛芬缓释胶囊")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_be_visible()
    steps = timeline.locator("li")
    expect(steps.first).to_contain_text("鹭康制药包装线2号")
    expect(timeline).to_contain_text("瑞禾医药杏林物流中心")
    expect(steps.last).to_contain_text("鹭安大药房中山路店")
    shoot(page, "drug-pack")
    # The page fits a phone screen: nothing wider than the viewport.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
