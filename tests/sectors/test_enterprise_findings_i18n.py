"""Findings on lots (E2) are translatable (issue #7 i18n; docs/sectors/README.md "Messages"): a
key-control-point deviation or a recipe mismatch is stored in English with its message code and
params, returned so to machines (API, audit), and shown to the enterprise and its bureau in their
language on the console pages; a row stored before findings had a code is shown as stored."""

from __future__ import annotations

from django.utils import translation

from tracehub.accounts.models import AuditEntry, Notification
from tracehub.sectors.messages import Message, render
from tracehub.sectors.models_enterprise import EnterpriseFinding
from tracehub.sectors.services_enterprise import FINDING_MESSAGE, enterprise_step_record

from .test_enterprise_chain import BATCH_A, DL, NEXT, produce
from .test_liquor_support import LINE, actor, console
from .test_liquor_support import world as _world

world = _world  # the fixture

FINDINGS = "/console/sectors/enterprise/findings/"


def _deviation() -> EnterpriseFinding:
    result = enterprise_step_record(
        actor=actor("demo-kitchen"),
        step="control_point",
        data={
            "location": LINE,
            "control_point": "CCP1",
            "lots": DL + BATCH_A,
            "value": "71.5",
            "time": f"{NEXT} 09:20",
        },
    )
    return EnterpriseFinding.objects.get(event_id=result.event["eventID"])


def test_a_control_point_deviation_is_chinese_on_the_console_and_english_with_code_in_the_api(world):
    finding = _deviation()
    english = "CCP1 蒸煮中心温度: 71.5 CEL below the limit ≥ 72 CEL"
    params = {"point": "CCP1", "name": "蒸煮中心温度", "value": "71.5", "uom": "CEL", "limit": "≥ 72 CEL"}
    assert (finding.message, finding.code, finding.params) == (english, "ccp_deviation:below", params)
    assert finding.message == Message(finding.code, finding.params)
    chinese = "CCP1 蒸煮中心温度：71.5 CEL 低于限值 ≥ 72 CEL"
    # The enterprise and its bureau read it in Chinese ...
    for username in ("demo-kitchen", "demo-commerce-huli"):
        page = console(username).get(FINDINGS, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert chinese in page and "below the limit" not in page
    page = console("demo-kitchen").get("/console/sectors/enterprise/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese in page.content.decode()
    # ... or in English, from the same code and params.
    page = console("demo-kitchen").get(FINDINGS, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert english in page and "低于限值" not in page
    # Machines get the English text with the code and params, whatever the request language.
    body = (
        console("demo-kitchen")
        .get("/api/v1/sectors/enterprise/findings", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .json()
    )
    [row] = [r for r in body if r["id"] == finding.pk]
    assert (row["message"], row["code"], row["params"]) == (english, "ccp_deviation:below", params)
    [audit] = AuditEntry.objects.filter(
        action="sectors.enterprise.finding.ccp_deviation", object_id=str(finding.pk)
    )
    assert (audit.after["message"], audit.after["code"]) == (english, "ccp_deviation:below")
    # The console notification quotes the finding, and is translated when shown, quote included.
    notices = Notification.objects.filter(message=FINDING_MESSAGE, params__lot=finding.lot)
    assert notices.exists()
    for notice in notices:
        assert notice.params["message"]["text"] == english
        with translation.override("zh-hans"):
            assert chinese in notice.text and "below the limit" not in notice.text
        with translation.override("en"):
            assert english in notice.text


def test_a_recipe_mismatch_names_each_wrong_input_in_the_readers_language(world):
    result = produce("4", "3", "10")  # pork 4 of 6 kg, soy 3 of 1.5 kg: both off their tolerance
    finding = EnterpriseFinding.objects.get(event_id=result.event["eventID"])
    assert finding.message == "recipe R-LRF-01: 冷鲜五花肉 (mismatch), 卤汁酱油（原料） (mismatch)"
    assert finding.code == "bom_mismatch" and finding.message == Message(finding.code, finding.params)
    chinese = "配方 R-LRF-01：冷鲜五花肉（用量或单位与配方不符）、卤汁酱油（原料）（用量或单位与配方不符）"
    assert render(finding, "zh-hans") == chinese
    page = console("demo-kitchen").get(FINDINGS, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert chinese in page


def test_a_finding_stored_without_a_code_is_shown_as_stored(world):
    finding = _deviation()
    EnterpriseFinding.objects.filter(pk=finding.pk).update(code="", params={}, message="legacy text")
    page = console("demo-kitchen").get(FINDINGS, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "legacy text" in page
    [row] = [
        r
        for r in console("demo-kitchen").get("/api/v1/sectors/enterprise/findings").json()
        if r["id"] == finding.pk
    ]
    assert (row["message"], row["code"], row["params"]) == ("legacy text", None, None)
