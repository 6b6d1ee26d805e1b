"""The claim's batch and period without database foreign-key constraints (the relations stay in the ORM).

A deferred foreign key is checked for every inserted row: on PostgreSQL a trigger per claim and key, which cost
more than half of the server's time in a million-claim ingest (benchmarks/clearing.py: 9.8 s → 7.0 s for 300,000
claims). Only the ingest writes claims, with the batch it has just created and periods it holds locked; batches
and periods are never deleted. `verify_clearing` checks that every claim's batch and period exist, and a test
shows it catching one that does not. Django rebuilds the SQLite table for this, so the rowid key is restored
without AUTOINCREMENT again (see 0002).
"""

import django.db.models.deletion
from django.db import migrations, models

from metrocoop.clearing.migrations._claim_table import without_autoincrement


class Migration(migrations.Migration):
    dependencies = [("clearing", "0002_claim_rowid_without_autoincrement")]

    operations = [
        migrations.AlterField(
            model_name="claim",
            name="batch",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="claims",
                to="clearing.ingestbatch",
                verbose_name="batch",
            ),
        ),
        migrations.AlterField(
            model_name="claim",
            name="period",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="claims",
                to="clearing.period",
                verbose_name="period",
            ),
        ),
        migrations.RunPython(without_autoincrement, migrations.RunPython.noop),
    ]
