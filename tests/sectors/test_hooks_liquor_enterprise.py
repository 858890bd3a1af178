"""Capture hooks of liquor (G3) and the enterprise full chain (E2): what the entry services derive
in their own transaction — a slip received, control-point and recipe findings — also comes from a
subsystem's raw EPCIS capture, once it commits, without any further call."""

from __future__ import annotations

from tracehub.accounts.models import AuditEntry
from tracehub.demo import data as d
from tracehub.registry.models import Party
from tracehub.sectors.entry import entry_for, parse_entry
from tracehub.sectors.models_enterprise import EnterpriseFinding, FindingKind
from tracehub.sectors.models_liquor import LiquorSlip, LiquorSlipStatus
from tracehub.sectors.services_liquor import finish

from .test_enterprise_chain import BATCH_A
from .test_liquor_rules import ship
from .test_liquor_support import COLD, capture
from .test_liquor_support import world as _world

world = _world  # the fixture


def test_a_receipt_captured_by_raw_epcis_marks_its_slip_received(
    world, api, django_capture_on_commit_callbacks
):
    slip = ship().extra["slip"]
    wholesaler = Party.objects.get(name="厦门鹭通酒类批发有限公司").uscc
    spec = entry_for("liquor", "receiving")
    data = {
        "location": d.WINE_SHOP_A_STORE.id,
        "supplier": wholesaler,
        "slip": slip,
        "time": "2026-11-20 11:00",
    }
    event, _extra = spec.make(parse_entry(spec, data))
    assert LiquorSlip.objects.get(number=slip).status == LiquorSlipStatus.ISSUED
    with django_capture_on_commit_callbacks(execute=True):
        assert capture(api, event).status_code == 202
    received = LiquorSlip.objects.get(number=slip)
    assert received.status == LiquorSlipStatus.RECEIVED
    audit = AuditEntry.objects.get(action="sectors.liquor.slip.received")
    assert (audit.object_id, audit.after) == (str(received.pk), {"number": slip, "status": "received"})


def test_a_control_point_reading_pushed_by_epcis_raises_its_finding_at_once(
    world, api, django_capture_on_commit_callbacks
):
    event = finish(
        {
            "type": "ObjectEvent",
            "eventTime": "2026-11-19T20:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "quantityList": [{"epcClass": f"https://id.gs1.org/{BATCH_A}"}],
            "action": "OBSERVE",
            "bizStep": "urn:tracehub:cbv:bizstep:ccp_monitoring",
            "readPoint": {"id": COLD},
            "bizLocation": {"id": COLD},
            "sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": 9, "uom": "CEL"}]}],
            "tracehub:controlPoint": "CCP2",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert capture(api, event).status_code == 202
    finding = EnterpriseFinding.objects.get(event_id=event["eventID"])
    assert (finding.kind, finding.message) == (
        FindingKind.CCP_DEVIATION,
        "CCP2 冷藏温度: 9 CEL above the limit ≥ 0 ≤ 4 CEL",
    )
    # Sent again, the event is a duplicate: no hook run, no second finding.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert capture(api, event).status_code == 202
    assert callbacks == [] and EnterpriseFinding.objects.filter(event_id=event["eventID"]).count() == 1
