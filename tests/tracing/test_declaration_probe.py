"""A trace asks about error declarations per event it answers, never of every declaration stored.

Issue #4: a trace's cost grows with the answer, not with the store. PostgreSQL turns a plain
``NOT EXISTS`` into an anti join over every declaration of the store (merge or hash), so the
genealogy's look-ups keep it a per-row probe of the partial index ``event_declares_error_idx``
(``tracehub.tracing.genealogy.undeclared_sql``), and so does the public page's look-up.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracehub.portal import selectors
from tracehub.portal.selectors import own_events
from tracehub.tracing.genealogy import GenealogyStore

from .builders import at, capture, commission, declaration, key, sgtin, ship

pytestmark = pytest.mark.django_db


@pytest.fixture
def store_with_declarations(api):
    """One serial with two live events, and 20 other events each declared erroneous."""
    traced = sgtin("500")
    capture(api, commission([traced], when=at(1)), ship([traced], when=at(2)))
    others = [commission([sgtin(f"6{n:02}")], when=at(1)) for n in range(20)]
    capture(api, *others)
    capture(api, *(declaration(event) for event in others))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the planner sees the declarations as they are
    return key(traced)


def _plan(sql: str, params) -> object:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
            return plan if not isinstance(plan, str) else json.loads(plan)
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [row[-1] for row in cursor.fetchall()]


def _declaration_rows_read(plan) -> tuple[int, list[str]]:
    """Rows read from the declarations' index and every join type, over a PostgreSQL plan."""
    rows, joins = 0, []

    def walk(node):
        nonlocal rows
        if node.get("Index Name") == "event_declares_error_idx" or (
            node.get("Node Type") == "Seq Scan" and node.get("Alias") == "d"
        ):
            rows += node["Actual Rows"] * node["Actual Loops"]
        if "Join Type" in node:
            joins.append(node["Join Type"])
        for child in node.get("Plans", ()):
            walk(child)

    walk(plan[0]["Plan"])
    return rows, joins


def _assert_probed_per_row(sql: str, params, answered: int) -> None:
    plan = _plan(sql, params)
    if connection.vendor == "postgresql":
        rows, joins = _declaration_rows_read(plan)
        assert "Anti" not in joins, joins
        assert rows <= answered  # a probe per answered row finds nothing; a join reads all 20
    else:
        assert any("CORRELATED" in step for step in plan), plan
        assert any("event_declares_error_idx" in step for step in plan), plan


def test_the_genealogy_probes_declarations_per_event(store_with_declarations):
    with CaptureQueriesContext(connection) as queries:
        rows = list(GenealogyStore().events_of([store_with_declarations]))
    assert len(rows) == 2
    (query,) = [q["sql"] for q in queries.captured_queries]
    # The logged SQL has its parameters inlined: explain it as it ran.
    _assert_probed_per_row(query, None, answered=2)


def test_the_public_page_probes_declarations_per_event(store_with_declarations):
    assert len(own_events(store_with_declarations).roles) == 1
    if connection.vendor == "postgresql":
        sql = selectors._OWN_EVENTS_SQL.replace("$1", "%s")
        _assert_probed_per_row(sql, [store_with_declarations], answered=2)
    else:
        with CaptureQueriesContext(connection) as queries:
            own_events(store_with_declarations)
        (query,) = [q["sql"] for q in queries.captured_queries if "declares_error_for_id" in q["sql"]]
        _assert_probed_per_row(query, None, answered=2)
