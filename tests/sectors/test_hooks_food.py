"""Food market access (issue #6 item 2, G1): a receipt refused at market access — a lot whose test
failed, a supplier without a valid licence — rolls its capture back, and the refusal hook then
reports it to the food bureau in its own transaction: a console notification with the reason and an
audit row. A receipt refused for another reason (a missing invoice) reports nothing."""

from __future__ import annotations

import pytest
from django.utils import translation

from tracehub.accounts.models import AuditEntry, Notification
from tracehub.demo import data as d
from tracehub.epcis.models import Event
from tracehub.identifiers import canonical_key
from tracehub.sectors.messages import render
from tracehub.sectors.services import MARKET_ACCESS_MESSAGE, sector_officials

from .test_food_rules import LOT, _event, _today, capture


def _alerts() -> list[Notification]:
    return list(Notification.objects.filter(message=MARKET_ACCESS_MESSAGE).order_by("id"))


@pytest.fixture
def failed_lot(demo, api, django_capture_on_commit_callbacks):
    """The demo, and a failed product inspection of LOT."""
    failed = _event("product_inspection", time=_today("10:00"))
    failed["tracehub:inspectionResult"] = {**failed["tracehub:inspectionResult"], "tracehub:result": "fail"}
    with django_capture_on_commit_callbacks(execute=True):
        assert capture(api, failed).status_code == 202
    # The demo records a passing inspection of its own lot too: the failed one is the last stored.
    return Event.objects.filter(biz_step=failed["bizStep"]).latest("id").event_id


def test_a_receipt_of_a_lot_with_a_failed_test_is_refused_and_the_bureau_alerted(
    failed_lot, api, django_capture_on_commit_callbacks
):
    before = Event.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = capture(api, _event("ticket_receiving", time=_today("11:00")))
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert Event.objects.count() == before  # the refusal stores no event
    officials = sector_officials("food")
    assert "demo-amr" in {u.username for u in officials}
    alerts = _alerts()
    assert sorted(n.user.username for n in alerts) == sorted(u.username for u in officials)
    assert {k: v for k, v in alerts[0].params.items() if k != "reason"} == {
        "location": canonical_key(d.SUPERMARKET_STORE.id),
        "lot": canonical_key(LOT),
    }
    # The reason is kept as a message (msgid and params), translated when the notice is shown.
    [reason] = alerts[0].params["reason"]
    assert reason["text"] == error["message"]
    with translation.override("en"):
        assert error["message"] in alerts[0].text
    with translation.override("zh-hans"):
        chinese = alerts[0].text
        expected = translation.gettext(MARKET_ACCESS_MESSAGE) % {
            "location": canonical_key(d.SUPERMARKET_STORE.id),
            "lot": canonical_key(LOT),
            "reason": render(error, "zh-hans"),
        }
    assert chinese == expected
    assert "market access refused" not in chinese and failed_lot in chinese
    assert error["message"].startswith(
        f"market access refused (市场准入): a product inspection of this lot failed (event {failed_lot})"
    )
    audit = AuditEntry.objects.get(action="sectors.food.market_access_refused")
    assert audit.after == {
        "eventID": None,
        "lot": canonical_key(LOT),
        "location": canonical_key(d.SUPERMARKET_STORE.id),
        "reasons": [error["message"]],
    }


def test_the_alert_is_written_only_after_the_rollback(failed_lot, api, django_capture_on_commit_callbacks):
    # Outside a transaction the hook runs at once; the test's own transaction shows it is not
    # deferred to a commit that never comes (the capture rolled back).
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert capture(api, _event("ticket_receiving", time=_today("11:00"))).status_code == 400
    assert len(callbacks) == 1  # in the test's transaction the refusal waits for the outer commit
    assert _alerts() == []
    callbacks[0]()
    assert len(_alerts()) == len(sector_officials("food"))


def test_a_supplier_without_a_licence_is_reported_too(demo, api, django_capture_on_commit_callbacks):
    coop = _event("ticket_receiving", sourceList=[{"type": "owning_party", "source": d.VEG_COOP.id}])
    with django_capture_on_commit_callbacks(execute=True):
        response = capture(api, coop)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert {r["text"] for n in _alerts() for r in n.params["reason"]} == {error["message"]}


def test_a_receipt_refused_for_a_missing_invoice_reports_nothing(
    demo, api, django_capture_on_commit_callbacks
):
    event = _event("ticket_receiving")
    event["bizTransactionList"] = [t for t in event["bizTransactionList"] if t["type"] != "inv"]
    with django_capture_on_commit_callbacks(execute=True):
        assert capture(api, event).status_code == 400
    assert _alerts() == []
    assert not AuditEntry.objects.filter(action="sectors.food.market_access_refused").exists()
