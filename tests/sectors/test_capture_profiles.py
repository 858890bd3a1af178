"""Capture validates every event against its sector's profile (issue #6 item 1): each required
field missing is a 400 naming it, the document is stored whole or not at all, and the rules hold."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tracehub.accounts.models import Sector
from tracehub.epcis.models import CaptureJob, Event
from tracehub.epcis.profiles import registered_checkers
from tracehub.sectors.models import TradeVoucher
from tracehub.sectors.profile import PLATFORM_BIZ_STEP_NAMESPACE, check_event, registry

from .steps import INPUTS, capture_body, event_of, strip

JSONLD = "application/ld+json"
SRC = Path(__file__).resolve().parents[2] / "src" / "tracehub"

REQUIRED = [(step.key, f.key) for step in registry["meat_veg"].steps for f in step.fields if f.required]


def capture(api, body: bytes):
    return api.post("/epcis/capture", data=body, content_type=JSONLD)


def test_profiles_are_registered_for_accounts_sectors_and_plugged_into_capture():
    assert {"agri", "agri_input", "food", "meat_veg"} <= {p.sector for p in registry}
    assert {p.sector for p in registry} <= set(Sector.values)
    assert check_event in registered_checkers()
    platform_steps = [s.biz_step for p in registry for s in p.steps if s.biz_step.startswith("urn:")]
    assert all(s.startswith(PLATFORM_BIZ_STEP_NAMESPACE) for s in platform_steps)
    assert len(platform_steps) == len(set(platform_steps))


def test_the_event_store_does_not_import_sectors():
    for path in sorted((SRC / "epcis").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.startswith("tracehub.sectors") for n in names), path


@pytest.mark.parametrize("step", sorted(set(INPUTS) - {"market_trading"}))
def test_a_valid_entry_of_every_step_is_accepted(demo, api, step):
    # (A sale's voucher is issued by the entry service: tests/sectors/test_meat_veg_rules.py.)
    before = Event.objects.count()
    response = capture(api, capture_body(event_of(step)))
    assert response.status_code == 202, response.content
    assert Event.objects.count() == before + 1


@pytest.mark.parametrize(("step", "field"), REQUIRED, ids=[f"{s}-{f}" for s, f in REQUIRED])
def test_each_required_field_missing_is_refused_naming_it(demo, api, step, field):
    profile_step = registry["meat_veg"].step(step)
    f = next(x for x in profile_step.fields if x.key == field)
    good = event_of("retail", time="2026-11-19 11:11")  # a valid event before it: rollback
    bad = strip(event_of(step), f)
    before, vouchers = Event.objects.count(), TradeVoucher.objects.count()
    response = capture(api, capture_body(good, bad))
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    paths = {e["path"] for e in errors}
    head = "epcisBody.eventList[1]"
    expected = {f"{head}.{f.path()}"}
    if f.kind.value == "quantity":
        expected = {f"{head}.{'outputQuantityList' if step == 'slaughtering' else 'quantityList'}[0]"}
    # The standard validation already requires what an ObjectEvent is about and a
    # TransformationEvent's inputs and outputs; it names the EPC list.
    standard = {"objects": "epcList", "inputs": "inputEPCList", "outputs": "outputEPCList"}
    if f.kind.value in standard:
        expected.add(f"{head}.{standard[f.kind.value]}")
    assert expected & paths, errors
    named = [e for e in errors if e["path"] in expected]
    assert all(e["index"] == 1 and e["eventID"] == bad["eventID"] for e in named)
    if f.kind.value not in standard:
        assert any(f.zh in e["message"] for e in named), named
    # Stored whole or not at all: the valid event before it is not stored either.
    assert (Event.objects.count(), TradeVoucher.objects.count()) == (before, vouchers)
    assert CaptureJob.objects.order_by("-id").first().status == "failed"


def _xml(event: dict) -> bytes:
    from lxml import etree

    from tracehub.epcis.xmlformat import render_event_xml
    from tracehub.sectors.entry import NAMESPACES

    root = etree.fromstring(
        b'<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:tracehub="urn:tracehub:epcis:" '
        b'schemaVersion="2.0" creationDate="2026-11-19T08:00:00+08:00"><EPCISBody><EventList/></EPCISBody>'
        b"</epcis:EPCISDocument>"
    )
    root.find("EPCISBody/EventList").append(render_event_xml(event, dict(NAMESPACES)))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_an_xml_capture_is_checked_like_json_ld(demo, api):
    # C2: one standard whatever the transmission format.
    good = event_of("market_entry", time="2026-11-19 04:44")
    uncertified = {"quarantine_certificate": "", "meat_inspection_certificate": ""}
    bad = event_of("market_entry", time="2026-11-19 04:45", **uncertified)
    before = Event.objects.count()
    response = api.post("/epcis/capture", data=_xml(bad), content_type="application/xml")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert {e["path"] for e in errors} == {"epcisBody.eventList[0].bizTransactionList"}
    assert any("动物检疫合格证明" in e["message"] for e in errors)
    assert Event.objects.count() == before
    response = api.post("/epcis/capture", data=_xml(good), content_type="application/xml")
    assert response.status_code == 202, response.content
    assert Event.objects.count() == before + 1
