"""The public product page on a phone (issue #5 "What must show"): a consumer scans the QR code of a
demo drug pack (a compressed GS1 Digital Link) and sees the product, its producer and the whole chain
in Chinese; switches to English and back; sees the recall banner once the lot is recalled; files a
report with a photo; an official of the bureau responsible finds the report in the console and
answers it. Chromium at 390×844 in Chinese; a screenshot of every step (var/test-artefacts/).
"""

from __future__ import annotations

import struct
import zlib
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tracehub.accounts.models import Role
from tracehub.accounts.selectors import department_by_code
from tracehub.accounts.services import user_create
from tracehub.demo import data
from tracehub.demo.events import demo_documents
from tracehub.epcis.models import EventIndex
from tracehub.identifiers import canonical_key, compress_digital_link
from tracehub.portal.models import Report
from tracehub.registry.actors import Actor
from tracehub.tracing.services import recall_declare

from .conftest import PHONE

pytestmark = pytest.mark.e2e

PASSWORD = "Xiamen-Portal-2026"


def _png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    raw = b"".join(b"\x00" + b"\x80" * 8 for _ in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=StringIO())
    user_create(
        username="zheng.amr",
        password=PASSWORD,
        role=Role.OFFICIAL,
        department=department_by_code("amr"),
        districts=["350200"],
        full_name="郑 敏",
    )
    # The pack of the demo drug chain that pharmacy A dispensed, and its lot.
    chain = next(document.events for document in demo_documents() if document.chain == "drug")
    dispensing = next(event for event in chain if event["bizStep"] == "dispensing")
    key = canonical_key(dispensing["epcList"][0])
    commissioning = EventIndex.objects.get(key=key, role="epc", event__biz_step="commissioning").event
    lot = EventIndex.objects.get(event=commissioning, role="lot").key
    return key, lot


def _fits_the_phone(tab) -> None:
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_scan_recall_language_and_report_on_a_phone(page, shoot, browser, live_server, demo):
    key, lot_key = demo
    # -- the QR code carries a compressed Digital Link; the phone opens it on this platform ---------
    scanned = compress_digital_link(f"https://id.gs1.org/{key}").removeprefix("https://id.gs1.org")
    page.goto(scanned)
    expect(page.get_by_role("heading", level=1)).to_have_text(data.DRUG.name)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("filing-status")).to_have_text("已备案")
    steps = page.get_by_test_id("timeline").locator("li strong")
    expect(steps).to_have_text(["生产赋码", "装箱", "发货", "收货", "发货", "收货", "拆箱", "药房售出"])
    expect(page.get_by_test_id("timeline")).to_contain_text("鹭康制药海沧工厂")
    expect(page.get_by_test_id("lookups")).to_contain_text("已查询 1 次")
    # the pack was dispensed already: a copied code would be sold again
    expect(page.locator('.portal-warning[data-kind="already_sold"]')).to_be_visible()
    _fits_the_phone(page)
    shoot(page, "01-scanned")

    # -- typed instead of scanned: the home page's search box (a GET form) leads to the same page ---
    page.goto("/")
    _, gtin, _, serial = key.split("/")
    page.get_by_role("searchbox").fill(f"(01){gtin}(21){serial}")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(data.DRUG.name)
    expect(page.get_by_test_id("lookups")).to_contain_text("已查询 2 次")
    assert page.url.endswith(f"/{key}")

    # -- English and back ---------------------------------------------------------------------------
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="From the source to you")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(data.DRUG.name_en)
    shoot(page, "02-english")
    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", name="从源头到您手中")).to_be_visible()

    # -- the lot is recalled: the banner ---------------------------------------------------------------
    recall_declare(actor=Actor.system(), key=lot_key, identifier=lot_key, reason="溶出度检验不合格")
    page.reload()
    banner = page.get_by_test_id("recall-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("已召回：请勿使用该产品")
    expect(banner).to_contain_text("溶出度检验不合格")
    _fits_the_phone(page)
    shoot(page, "03-recall")

    # -- the consumer reports it ------------------------------------------------------------------------
    page.get_by_text("举报该产品的问题").click()
    page.get_by_label("问题类别").select_option("counterfeit")
    page.get_by_label("问题描述").fill("药盒印刷模糊，与以前买的不一样。")
    page.get_by_label("照片（选填）").set_input_files(
        {"name": "pack.png", "mimeType": "image/png", "buffer": _png()}
    )
    shoot(page, "04-report-form")
    page.get_by_role("button", name="提交投诉举报").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("投诉举报已收到")
    shoot(page, "05-report-sent")
    report = Report.objects.get()
    assert report.department.code == "amr" and report.photo_type == "image/png"

    # -- an official of 市场监督管理局 finds and answers it ---------------------------------------------
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, device_scale_factor=2, locale="zh-CN", is_mobile=True
    )
    context.set_default_timeout(15_000)
    desk = context.new_page()
    problems: list[str] = []
    desk.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    desk.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    desk.goto("/accounts/login/")
    desk.get_by_label("用户名").fill("zheng.amr")
    desk.get_by_label("密码").fill(PASSWORD)
    desk.get_by_role("button", name="登录").click()
    desk.wait_for_url("**/console/")
    desk.get_by_role("navigation", name="控制台菜单").get_by_role("link", name="消费者投诉举报").click()
    row = desk.get_by_test_id("report-list").locator("li", has_text="疑似假冒")
    expect(row).to_be_visible()
    _fits_the_phone(desk)
    shoot(desk, "06-official-list")
    row.get_by_role("link").click()
    expect(desk.get_by_text("药盒印刷模糊，与以前买的不一样。")).to_be_visible()
    desk.get_by_label("答复").fill("已派员到药店核查，感谢您的举报。")
    desk.get_by_role("button", name="保存答复").click()
    expect(desk.get_by_test_id("report-status")).to_have_text("已答复")
    expect(desk.get_by_test_id("report-answer")).to_have_text("已派员到药店核查，感谢您的举报。")
    shoot(desk, "07-official-answered")
    context.close()
    assert problems == []
