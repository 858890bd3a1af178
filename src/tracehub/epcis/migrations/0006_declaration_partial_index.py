"""Index only the error declarations' targets (issue #4).

Every trace asks, of each event it reaches, whether an error declaration points at it. The
foreign key's full index held one entry per stored event (all but a few NULL): at ten million
events it no longer stays in memory and each trace read its pages from disk. The partial index
holds the declarations alone.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_departments"),
        ("epcis", "0005_restore_event_id_unique"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="declares_error_for",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="error_declarations",
                to="epcis.event",
                verbose_name="declares an error in",
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("declares_error_for__isnull", False)),
                fields=["declares_error_for"],
                name="event_declares_error_idx",
            ),
        ),
    ]
