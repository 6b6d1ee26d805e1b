"""The claim and posting tables partitioned by period on PostgreSQL (declarative LIST partitioning on period_id;
SQLite keeps plain tables). See ``_partitioning.py`` and docs/clearing.md "Partitions".

A foreign key cannot point into a partitioned table by ``id`` alone (its unique key must contain the partition
key), so a reversal's claim and posting keep their relation in the ORM without a database constraint (as the
claim's batch and period, migration 0003); `verify_clearing` checks every reversal against its claim and posting.
"""

import django.db.models.deletion
from django.db import migrations, models

from metrocoop.clearing.migrations._partitioning import partition, unpartition


class Migration(migrations.Migration):
    dependencies = [("clearing", "0004_period_year_range")]

    operations = [
        migrations.AlterField(
            model_name="claimreversal",
            name="claim",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reversal",
                to="clearing.claim",
                verbose_name="claim",
            ),
        ),
        migrations.AlterField(
            model_name="claimreversal",
            name="posting",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reversal",
                to="clearing.claimposting",
                verbose_name="posting",
            ),
        ),
        migrations.RunPython(partition, unpartition),
    ]
