"""The post-capture hook dispatch of the event store (epcis.profiles): hooks see the events they
asked for once the capture commits, never a rolled-back one; refusal hooks see what a profile
refused after the rollback, in their own transaction; a capture that touches no hooked bizStep
schedules nothing; a hook's failure does not fail the committed capture."""

from __future__ import annotations

import orjson
import pytest
from django.db import connection

from tracehub.epcis import profiles
from tracehub.epcis.models import Event
from tracehub.epcis.profiles import ProfileError
from tracehub.epcis.services import capture_document_store

STEP = "urn:tracehub:cbv:bizstep:hook_test"


def _event(n: int, step: str = STEP) -> dict:
    return {
        "type": "ObjectEvent",
        "eventTime": f"2026-11-20T10:0{n}:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "epcList": [f"urn:epc:id:sgtin:0614141.107346.{n}"],
        "action": "OBSERVE",
        "bizStep": step,
    }


def _doc(*events) -> dict:
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-20T10:00:00+08:00",
        "epcisBody": {"eventList": list(events)},
    }


@pytest.fixture
def hooks():
    seen: dict[str, list] = {"captured": [], "refused": [], "in_atomic": []}

    def captured(batch):
        seen["in_atomic"].append(connection.in_atomic_block)
        seen["captured"].append([(e.event_id, e.event["epcList"][0]) for e in batch.events])

    def refused(batch):
        seen["refused"].append([(e.event["epcList"][0], [x.code for x in e.errors]) for e in batch.events])

    def checker(normalized, event, namespaces, sectors):
        if normalized.biz_step == STEP and event["epcList"][0].endswith(".9"):
            return [ProfileError("epcList", "nine is refused", "nine")]
        return []

    profiles.register_capture_hook(captured, biz_steps=[STEP])
    profiles.register_refusal_hook(refused, biz_steps=[STEP])
    profiles.register_event_checker(checker)
    yield seen
    profiles.unregister_hook(captured)
    profiles.unregister_hook(refused)
    profiles.unregister_event_checker(checker)


def test_capture_hooks_run_on_commit_with_the_stored_events(db, hooks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = capture_document_store(
            client=None, document=_doc(_event(1), _event(2, "shipping"), _event(3))
        )
    assert outcome.errors == [] and hooks["captured"] == []
    assert len(callbacks) == 1
    callbacks[0]()
    ids = dict(Event.objects.filter(biz_step=STEP).values_list("event_id", "document"))
    assert [sorted(x[1] for x in batch) for batch in hooks["captured"]] == [
        ["urn:epc:id:sgtin:0614141.107346.1", "urn:epc:id:sgtin:0614141.107346.3"]
    ]
    assert {x[0] for x in hooks["captured"][0]} == set(ids)
    assert hooks["in_atomic"] == [True]  # each hook in its own transaction
    assert hooks["refused"] == []


def test_a_refused_document_runs_only_the_refusal_hooks_after_its_rollback(
    db, hooks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outcome = capture_document_store(client=None, document=_doc(_event(1), _event(9)))
    assert [e["message"] for e in outcome.errors] == ["nine is refused"]
    assert not Event.objects.filter(biz_step=STEP).exists()
    assert hooks["captured"] == []
    # In the test's transaction the refusal waits for the outer transaction's end (on_commit).
    assert len(callbacks) == 1
    assert hooks["refused"] == [[("urn:epc:id:sgtin:0614141.107346.9", ["nine"])]]


def test_refusals_in_a_scope_that_rolls_back_run_when_it_ends(db, hooks, django_capture_on_commit_callbacks):
    from django.db import transaction

    class Undo(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with profiles.refusal_scope():  # noqa: SIM117 - the scope must end after the atomic block
            with pytest.raises(Undo), transaction.atomic():
                capture_document_store(client=None, document=_doc(_event(9)))
                raise Undo
            assert hooks["refused"] == []  # the scope has not ended yet
        # Ended inside the test's transaction: handed to its commit (outside one it runs at once).
        assert hooks["refused"] == []
    assert len(callbacks) == 1
    assert hooks["refused"] == [[("urn:epc:id:sgtin:0614141.107346.9", ["nine"])]]


def test_a_dry_run_scope_drops_its_refusals(db, hooks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, profiles.refusal_scope(discard=True):
        capture_document_store(client=None, document=_doc(_event(9)))
    assert callbacks == [] and hooks["refused"] == []


def test_a_document_touching_no_hooked_step_schedules_nothing(db, hooks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        capture_document_store(client=None, document=_doc(_event(1, "shipping"), _event(2, "receiving")))
    assert callbacks == []


def test_without_hooks_a_capture_collects_nothing(db):
    assert profiles.hook_collector() is not None  # the sectors register theirs at start-up
    saved = (dict(profiles._capture_hooks.by_step), dict(profiles._refusal_hooks.by_step))
    profiles._capture_hooks.by_step.clear()
    profiles._refusal_hooks.by_step.clear()
    try:
        assert profiles.hook_collector() is None
    finally:
        profiles._capture_hooks.by_step.update(saved[0])
        profiles._refusal_hooks.by_step.update(saved[1])


def test_a_failing_hook_does_not_fail_the_capture(db, django_capture_on_commit_callbacks, caplog):
    def broken(batch):
        raise RuntimeError("boom")

    profiles.register_capture_hook(broken, biz_steps=[STEP])
    try:
        with django_capture_on_commit_callbacks(execute=True):
            outcome = capture_document_store(client=None, document=_doc(_event(4)))
    finally:
        profiles.unregister_hook(broken)
    assert outcome.errors == [] and Event.objects.filter(biz_step=STEP).count() == 1
    assert "capture hook" in caplog.text and "boom" in caplog.text
    assert orjson.loads(Event.objects.get(biz_step=STEP).document)["bizStep"] == STEP
