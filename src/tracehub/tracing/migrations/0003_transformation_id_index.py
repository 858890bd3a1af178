"""A partial expression index on the transformationID of TransformationEvents (EPCIS 2.0 §7.4.6).

Events sharing a transformationID are one transformation (tracehub.tracing.genealogy). The event
store does not index that field; the trace finds the events of one transformationID through this
index on the stored document, built only over TransformationEvents so that it costs other
captures nothing. The expression is ``genealogy.transformation_id_sql`` (the trace's queries use
the same one, so the planner matches it).
"""

from django.db import migrations

NAME = "tracing_event_tid_idx"


def create(apps, schema_editor):
    table = apps.get_model("epcis", "Event")._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        expression = "(document::jsonb ->> 'transformationID')"
    else:
        expression = "json_extract(document, '$.transformationID')"
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON {table} (({expression})) "
        "WHERE event_type = 'TransformationEvent'"
    )


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("epcis", "0004_foreign_keys_not_declared"),
        ("tracing", "0002_recall_codes_sectors_official"),
    ]

    operations = [migrations.RunPython(create, drop)]
