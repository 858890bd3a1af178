"""The sample enterprise connector in docs/connector/ (issue #7 item 4) against a running platform."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tracehub.epcis.models import Event

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "connector" / "tracehub_push.py"
HEADER = "event_time,step,gtin,lot,serial,quantity,uom,location_gln,destination_gln,document\n"
ROWS = (
    "2026-11-20T08:00:00+08:00,commissioning,06901234567892,L20261120,SN0001,,,6901234000009,,\n"
    "2026-11-21T09:30:00,shipping,06901234567892,L20261120,,12.5,KGM,6901234000009,6901234000016,FP/2026-0042\n"
    "2026-11-21T15:00:00+08:00,receiving,06901234567892,L20261120,,12.5,KGM,6901234000016,,FP/2026-0042\n"
)


def _load():
    spec = importlib.util.spec_from_file_location("tracehub_push", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["tracehub_push"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def push():
    return _load()


@pytest.fixture
def key(transactional_db):
    from tracehub.accounts.services import api_client_create

    return api_client_create(name="企业ERP对接")[1]


def _csv(tmp_path, text: str) -> str:
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8-sig")  # as Excel writes "CSV UTF-8"
    return str(path)


def test_rows_are_stored_once_however_often_they_are_sent(push, key, live_server, tmp_path, capsys):
    path = _csv(tmp_path, HEADER + ROWS)
    assert push.main([path, "--url", live_server.url, "--key", key, "--batch", "2"]) == 0
    assert "stored 3, already there 0, refused 0 (of 3 records)" in capsys.readouterr().out
    assert sorted(Event.objects.values_list("biz_step", flat=True)) == [
        "commissioning",
        "receiving",
        "shipping",
    ]
    shipping = Event.objects.get(index__role="destination")
    assert "urn:epcglobal:cbv:bt:6901234000009:FP%2F2026-0042" in shipping.document
    assert shipping.event_time_zone_offset == "+08:00"  # a time without offset is Asia/Shanghai
    # sent again: the row-derived eventIDs make every event a duplicate, nothing new is stored
    assert push.main([path, "--url", live_server.url, "--key", key]) == 0
    assert "stored 0, already there 3, refused 0" in capsys.readouterr().out
    assert Event.objects.count() == 3


def test_a_refused_batch_names_its_line_and_stores_nothing(push, key, live_server, tmp_path, capsys):
    bad = ROWS.replace("receiving", "urn:tracehub:bizstep:no-such-step").replace(",KGM,", ",kilo,", 1)
    path = _csv(tmp_path, HEADER + bad)
    assert push.main([path, "--url", live_server.url, "--key", key]) == 1
    err = capsys.readouterr().err
    assert "line 3: epcisBody.eventList[1].quantityList[0].uom" in err
    assert Event.objects.count() == 0  # the batch is stored whole or not at all


def test_a_file_error_is_reported_before_anything_is_sent(push, key, live_server, tmp_path, capsys):
    path = _csv(
        tmp_path, HEADER + ROWS.replace("06901234567892,L20261120,,12.5", "06901234567893,L20261120,,12.5", 1)
    )
    assert push.main([path, "--url", live_server.url, "--key", key]) == 2
    assert "line 3: gtin '06901234567893' has a wrong check digit" in capsys.readouterr().err
    assert Event.objects.count() == 0


def test_a_wrong_key_and_a_bad_url_are_clear(push, key, live_server, tmp_path, capsys):
    path = _csv(tmp_path, HEADER + ROWS)
    assert push.main([path, "--url", live_server.url, "--key", "th_wrong"]) == 3
    assert "capture answered 401" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        push.main([path, "--url", "file:///etc/passwd", "--key", key])
    assert "must be an http:// or https:// address" in capsys.readouterr().err
