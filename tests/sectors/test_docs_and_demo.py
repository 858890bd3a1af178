"""The published data standard is generated from the profiles; the demo has every step."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tracehub.epcis.models import Event
from tracehub.sectors import docs
from tracehub.sectors.models import TradeVoucher, VoucherStatus
from tracehub.sectors.profile import registry


def test_committed_docs_are_the_generated_ones():
    assert {"agri.md", "agri_input.md", "food.md", "meat_veg.md"} <= set(docs.generated())
    assert docs.differences() == [], "run `tracehub sector_docs` and commit docs/sectors"
    call_command("sector_docs", "--check", stdout=io.StringIO())


def test_the_check_fails_when_a_document_drifts(tmp_path, monkeypatch):
    docs.write(tmp_path)
    assert docs.differences(tmp_path) == []
    (tmp_path / "food.md").write_text("edited by hand\n", encoding="utf-8")
    assert docs.differences(tmp_path) == ["food.md"]
    monkeypatch.setattr(docs, "DOCS_DIR", tmp_path)
    with pytest.raises(CommandError, match="food.md"):
        call_command("sector_docs", "--check", stdout=io.StringIO())


def test_every_step_and_data_item_is_in_both_languages():
    text = docs.render(registry["meat_veg"])
    for step in registry["meat_veg"].steps:
        assert f"### {step.zh} — {step.en} (`{step.key}`)" in text
        for f in step.fields:
            assert f"| {f.zh} {f.en} | `{f.key}` |" in text
    national = "市场编码 进场日期 供应商 交易凭证号 检疫证号 肉品品质检验证号 产地 批次号"
    national += " 商品编码 重量 价格 摊位号 零售交易流水号"
    for item in national.split():
        assert item in text, item


def test_the_demo_has_a_working_example_of_every_step_and_loads_once(demo):
    from tracehub.demo.management.commands.load_demo import DEMO_CLIENT_NAME, demo_event_count
    from tracehub.epcis.models import CaptureJob

    # The five chains and every sector demo's EVENT_COUNT (meat and vegetables first), exactly.
    assert Event.objects.count() == demo_event_count()
    # Every capture job names who sent it (O3): the demo loader's API client, the one client the
    # demo records with, for the chains and every sector's steps alike.
    assert CaptureJob.objects.filter(client__isnull=True).count() == 0
    assert set(CaptureJob.objects.values_list("client__name", flat=True)) == {DEMO_CLIENT_NAME}
    steps = {s.biz_step for s in registry["meat_veg"].steps}
    stored = set(Event.objects.filter(biz_step__in=steps).values_list("biz_step", flat=True))
    assert stored == steps
    assert set(TradeVoucher.objects.values_list("status", flat=True)) == {VoucherStatus.QUOTED}
    events, vouchers = Event.objects.count(), TradeVoucher.objects.count()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert (Event.objects.count(), TradeVoucher.objects.count()) == (events, vouchers)
    assert "slaughter_entry    already stored" in out.getvalue()
