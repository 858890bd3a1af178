"""The database holds every constraint and named index the models declare (on SQLite and PostgreSQL).

A migration can lose one on one database only: epcis 0003 took ``db_index`` off ``Event.event_id``
and Django's PostgreSQL schema editor dropped the partial unique index of
``event_id_unique_unless_declaration`` with it, while SQLite's table rebuild kept it; eventIDs were no
longer unique and the capture's eventID look-up scanned the whole table (issue #2). Migration state
and database must agree, so this compares them for every model of the project's apps.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db


def _declared() -> list[tuple[str, str]]:
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("tracehub.") or not model._meta.managed:
            continue
        for item in [*model._meta.constraints, *model._meta.indexes]:
            found.append((model._meta.db_table, item.name))
    return found


def test_every_declared_constraint_and_index_is_in_the_database():
    declared = _declared()
    assert ("epcis_event", "event_id_unique_unless_declaration") in declared
    with connection.cursor() as cursor:
        missing = [
            (table, name)
            for table, name in declared
            if name not in connection.introspection.get_constraints(cursor, table)
        ]
    assert missing == []
