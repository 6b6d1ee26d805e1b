"""The claim table keeps one index on its claim id, and on SQLite its key has no AUTOINCREMENT.

Django declares every SQLite AutoField ``AUTOINCREMENT``, which makes SQLite update `sqlite_sequence` for each
inserted row; at a million claims per ingest that is about a fifth of the write time (measured with
benchmarks/clearing.py). Claims are never deleted, so a plain rowid key (max + 1) gives the same ids. The table is
rebuilt with its own DDL minus the keyword, as Django rebuilds tables.

PostgreSQL: Django adds a second index on a unique text column (``…_like``, varchar_pattern_ops) for prefix
searches; nothing searches claim ids by prefix, and every ingested claim would pay for it. It is dropped.
`tests/test_schema.py` fails if a later migration brings either back.
"""

from django.db import migrations

from metrocoop.clearing.migrations._claim_table import without_autoincrement


class Migration(migrations.Migration):
    dependencies = [("clearing", "0001_initial")]

    operations = [migrations.RunPython(without_autoincrement, migrations.RunPython.noop)]
