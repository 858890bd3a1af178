"""Profile checks add no query per event (issue #6 item 1). Their cost in time is measured, not
asserted: ``python -m bench.profiles`` (run by ``make bench``) captures the capture benchmark's
documents with the profiles plugged in and out; docs/performance.md has the figures."""

from __future__ import annotations

import orjson
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import gen
from tracehub.epcis.profiles import register_event_checker, unregister_event_checker
from tracehub.epcis.services import capture_document_store
from tracehub.sectors import entry
from tracehub.sectors.profile import check_event

from .steps import event_of

EVENTS = 1000


def _bench_document(number: int) -> dict:
    return orjson.loads(gen.document(gen.DocumentSpec(number=number, events=EVENTS), gen.JSON))


def _queries(document: dict, *, profiles: bool) -> int:
    if not profiles:
        unregister_event_checker(check_event)
    try:
        with CaptureQueriesContext(connection) as ctx:
            outcome = capture_document_store(client=None, document=document)
    finally:
        register_event_checker(check_event)
    assert outcome.errors == [] and outcome.job.captured_count == len(document["epcisBody"]["eventList"])
    return len(ctx.captured_queries)


def test_unregistered_goods_cost_the_profiles_no_query_per_event(db):
    # The benchmark's documents bind CBV steps of the drug, imported-food and meat-and-vegetable
    # profiles but name no registered product or location: the sector look-up answers from the
    # registered key heads read once per document (two queries), never once per event.
    off = _queries(_bench_document(1), profiles=False)
    on = _queries(_bench_document(2), profiles=True)
    assert on - off <= 2


def test_checked_steps_add_no_query_per_event(demo):
    def queries(count: int, offset: int) -> int:
        events = []
        for i in range(count):
            event = event_of("retail", time=f"2026-11-2{offset} 10:{i:02d}")
            events.append(event)
        with CaptureQueriesContext(connection) as ctx:
            capture_document_store(client=None, document=entry.document(events))
        return len(ctx.captured_queries)

    assert queries(2, 1) == queries(40, 2)
