"""Prepared statements of the product page's hot path (PostgreSQL; docs/portal.md "Cost of a page").

The page runs two statements per scan: its own events and the scan itself. Planned afresh each
time, the own-events look-up costs 0.3 ms of the database's CPU to plan and 0.05 ms to run; prepared
once per connection, its plan is kept. Both ``PREPARE`` and ``EXECUTE`` go through Django's cursor,
so the query-count tests and DEBUG's query log see them like any other statement.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import connection

_PLACEHOLDER = re.compile(r"\$(\d+)")


def prepared_fetch(name: str, types: str, definition: str, args: list) -> list[tuple]:
    """``EXECUTE name(args)``, after ``PREPARE name(types) AS definition`` the first time on this
    database connection; the rows. ``definition`` names its parameters ``$1``, ``$2`` …

    A prepared statement lasts as long as the connection, whatever its transactions do. Behind a
    pooler that hands a connection to another client between transactions (PgBouncer in
    transaction mode) set ``TRACEHUB_PORTAL_PREPARED_STATEMENTS = False``: the statement is then
    sent whole each time, with its parameters bound as usual.
    """
    with connection.cursor() as cursor:
        # SQLite has no PREPARE (its driver caches statements itself): the statement is sent whole.
        if connection.vendor != "postgresql" or not getattr(
            settings, "TRACEHUB_PORTAL_PREPARED_STATEMENTS", True
        ):
            order = [int(n) - 1 for n in _PLACEHOLDER.findall(definition)]
            cursor.execute(_PLACEHOLDER.sub("%s", definition), [args[i] for i in order])
            return cursor.fetchall()
        raw = connection.connection
        prepared = getattr(raw, "_tracehub_portal_prepared", None)
        if prepared is None:
            prepared = raw._tracehub_portal_prepared = set()
        if name not in prepared:
            cursor.execute(f"PREPARE {name}({types}) AS {definition}")
            prepared.add(name)
        cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(args))})", args)
        return cursor.fetchall()
