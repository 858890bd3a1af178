"""Prepared statements of the page's hot path (portal/sql.py): prepared once per connection on
PostgreSQL and seen by the query log, or sent whole when the settings turn them off (a pooler)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracehub.portal.sql import prepared_fetch

DEFINITION = "SELECT CAST($1 AS text), CAST($2 AS integer) + 1, CAST($1 AS text)"


def test_sent_whole_when_prepared_statements_are_off(db, settings):
    settings.TRACEHUB_PORTAL_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as queries:
        rows = prepared_fetch("tracehub_test_off", "text, integer", DEFINITION, ["a", 41])
    assert [tuple(row) for row in rows] == [("a", 42, "a")]
    assert len(queries.captured_queries) == 1
    assert "PREPARE" not in queries.captured_queries[0]["sql"]


def test_prepared_once_per_connection_on_postgresql_and_sent_whole_on_sqlite(db):
    with CaptureQueriesContext(connection) as queries:
        first = prepared_fetch("tracehub_test_on", "text, integer", DEFINITION, ["b", 1])
        second = prepared_fetch("tracehub_test_on", "text, integer", DEFINITION, ["c", 2])
    assert [tuple(row) for row in first + second] == [("b", 2, "b"), ("c", 3, "c")]
    statements = [q["sql"] for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert statements[0].startswith("PREPARE tracehub_test_on(text, integer) AS SELECT")
        assert statements[1:] == ["EXECUTE tracehub_test_on('b', 1)", "EXECUTE tracehub_test_on('c', 2)"]
    else:
        assert len(statements) == 2 and not any("PREPARE" in sql or "EXECUTE" in sql for sql in statements)
