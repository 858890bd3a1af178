"""Restore the partial unique index on eventID that 0003 dropped on PostgreSQL.

0003 took ``db_index`` off ``Event.event_id``; on PostgreSQL Django's schema editor then dropped
every index on the column it found by introspection, the partial unique index of the
``event_id_unique_unless_declaration`` constraint included (SQLite rebuilt the table and kept it).
Without it an eventID could be stored twice and the capture's eventID look-up
(``store.stored_event_ids``) read the whole table for every document, so capture slowed down as the
store grew (issue #2). The model state never lost the constraint, so only the database is mended.
"""

from django.db import migrations

NAME = "event_id_unique_unless_declaration"


def restore(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite's table rebuild in 0003 re-created it
    schema_editor.execute(
        f"CREATE UNIQUE INDEX IF NOT EXISTS {NAME} ON epcis_event (event_id) "
        "WHERE declares_error_for_id IS NULL"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("epcis", "0004_foreign_keys_not_declared"),
    ]

    operations = [migrations.RunPython(restore, migrations.RunPython.noop)]
