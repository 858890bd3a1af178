"""Capture of a document in memory checks it before taking the chain lock (issue #2).

What another writer stores between that check and the lock must still count: the same event is
a duplicate, not a second row; the same eventID on a different event is refused.
"""

from __future__ import annotations

import gc
import io

import pytest

from tracehub.epcis import services
from tracehub.epcis.models import Event
from tracehub.epcis.profiles import ProfileError, register_event_checker, unregister_event_checker
from tracehub.epcis.selectors import chain_verify

from .docs import body, object_event

pytestmark = pytest.mark.django_db


def _run(payload: bytes) -> services.CaptureOutcome:
    job = services.capture_job_create(client=None, media_type="json", size_bytes=len(payload))
    return services.capture_job_run(job=job, stream=io.BytesIO(payload))


@pytest.fixture
def writer_in_between(monkeypatch):
    """Let another writer capture ``payload`` right after a run's look-up, before its lock."""
    pending: list[bytes] = []
    original = services._CaptureRun._look_up_stored

    def look_up_then_race(self, checked):
        original(self, checked)
        while pending:
            outcome = _run(pending.pop())
            assert outcome.job.captured_count > 0, outcome.errors

    monkeypatch.setattr(services._CaptureRun, "_look_up_stored", look_up_then_race)
    return pending


def test_an_event_stored_in_between_is_a_duplicate(writer_in_between):
    shared = object_event(serials=("77",))
    other = object_event(serials=("78",))
    writer_in_between.append(body(shared))
    outcome = _run(body(shared, other))
    assert outcome.job.status == "succeeded", outcome.errors
    assert (outcome.job.captured_count, outcome.job.duplicate_count) == (1, 1)
    assert Event.objects.count() == 2
    assert chain_verify().broken_at is None


def test_an_event_id_taken_in_between_is_refused_and_nothing_stored(writer_in_between):
    first = object_event(serials=("81",), eventID="urn:uuid:6f1f36a0-5f7c-4bd3-8b3a-000000000081")
    clash = object_event(serials=("82",), eventID="urn:uuid:6f1f36a0-5f7c-4bd3-8b3a-000000000081")
    writer_in_between.append(body(first))
    outcome = _run(body(clash, object_event(serials=("83",))))
    assert outcome.job.status == "failed"
    assert outcome.errors[0]["path"] == "epcisBody.eventList[0].eventID"
    assert "already used" in outcome.errors[0]["message"]
    assert list(Event.objects.values_list("event_id", flat=True)) == [first["eventID"]]


def test_without_a_writer_in_between_the_look_up_alone_finds_duplicates():
    event = object_event(serials=("91",))
    assert _run(body(event)).job.captured_count == 1
    again = _run(body(event, object_event(serials=("92",))))
    assert (again.job.captured_count, again.job.duplicate_count) == (1, 1)


@pytest.fixture
def refuse_serial_95():
    def checker(normalized, event, namespaces, sectors):
        if any(epc.endswith(".95") for epc in event.get("epcList", [])):
            return [ProfileError("epcList", "serial 95 is refused by this test's profile", "test:95")]
        return []

    register_event_checker(checker)
    yield
    unregister_event_checker(checker)


def test_errors_are_listed_in_document_order_when_profiles_refuse_after_the_checks(refuse_serial_95):
    # Event 0 passes the EPCIS checks and only its profile refuses it, which now happens under
    # the lock, after event 1's EPCIS error was found; the job still lists them in document order.
    refused = object_event(serials=("95",))
    bad = object_event(serials=("96",), action="SOMETIMES")
    outcome = _run(body(refused, bad))
    assert outcome.job.status == "failed"
    assert [e["index"] for e in outcome.errors] == [0, 1]
    assert outcome.errors[0]["message"] == "serial 95 is refused by this test's profile"
    assert outcome.errors[0]["path"] == "epcisBody.eventList[0].epcList"
    assert Event.objects.count() == 0


# -- the cyclic garbage collector during a capture (issue #2 throughput) ------------------------


@pytest.fixture
def collector_states():
    """What ``gc.isenabled()`` said each time the profiles looked at an event."""
    states: list[bool] = []

    def checker(normalized, event, namespaces, sectors):
        states.append(gc.isenabled())
        return []

    register_event_checker(checker)
    yield states
    unregister_event_checker(checker)


def test_the_collector_is_paused_for_a_capture_and_resumed_after(collector_states):
    assert gc.isenabled()
    outcome = _run(body(object_event(serials=("61",)), object_event(serials=("62",))))
    assert outcome.job.captured_count == 2
    assert collector_states == [False, False]
    assert gc.isenabled()


def test_the_collector_is_resumed_when_a_capture_fails(collector_states):
    outcome = _run(body(object_event(serials=("63",)), object_event(serials=("64",), action="SOMETIMES")))
    assert outcome.job.status == "failed"
    assert gc.isenabled()


def test_a_streamed_document_collects_its_young_objects_once_per_batch(settings, monkeypatch):
    settings.TRACEHUB_CAPTURE_INLINE_MAX_BYTES = 100  # spooled: checked as it streams
    settings.TRACEHUB_CAPTURE_BATCH = 3
    collected: list[int] = []
    original = gc.collect
    monkeypatch.setattr(
        services.gc, "collect", lambda generation=2: collected.append(generation) or original(generation)
    )
    outcome = _run(body(*(object_event(serials=(f"7{i}",)) for i in range(7))))
    assert outcome.job.captured_count == 7
    assert collected == [1, 1]  # after events 3 and 6


def test_a_document_in_memory_is_not_collected_during_its_capture(monkeypatch):
    collected: list[int] = []
    monkeypatch.setattr(services.gc, "collect", lambda generation=2: collected.append(generation))
    assert _run(body(*(object_event(serials=(f"8{i}",)) for i in range(7)))).job.captured_count == 7
    assert collected == []
    assert gc.isenabled()
