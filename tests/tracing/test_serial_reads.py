"""A trace's look-ups run without parallel workers and without JIT compilation on PostgreSQL.

Issue #4: the planner's row estimates grow with the store, and at ten million events they pushed
one-millisecond look-ups past ``jit_above_cost`` (96 ms of compilation each). The settings hold
for the trace's transaction only.
"""

from __future__ import annotations

import pytest
from django.db import connection

from tracehub.tracing.genealogy import serial_reads

# No test transaction around it: SET LOCAL lasts until the outermost transaction ends.
pytestmark = pytest.mark.django_db(transaction=True)


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def test_serial_reads_turn_jit_and_parallel_workers_off_for_the_trace_only():
    if connection.vendor != "postgresql":
        with serial_reads():  # nothing to set on SQLite: it plans neither
            assert connection.vendor == "sqlite"
        return
    before = (_setting("jit"), _setting("max_parallel_workers_per_gather"))
    with serial_reads():
        assert (_setting("jit"), _setting("max_parallel_workers_per_gather")) == ("off", "0")
    assert (_setting("jit"), _setting("max_parallel_workers_per_gather")) == before
