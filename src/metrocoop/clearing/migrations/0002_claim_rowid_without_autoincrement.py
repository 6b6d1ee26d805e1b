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


def without_autoincrement(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, "clearing_claim")
            for name, info in constraints.items():
                if name.endswith("_like") and info["columns"] == ["claim_id"]:
                    cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        return
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'clearing_claim'")
        (ddl,) = cursor.fetchone()
        if "AUTOINCREMENT" not in ddl:
            return
        new = ddl.replace(" AUTOINCREMENT", "").replace('"clearing_claim"', '"clearing_claim__new"', 1)
        cursor.execute(new)
        cursor.execute('INSERT INTO "clearing_claim__new" SELECT * FROM "clearing_claim"')
        cursor.execute('DROP TABLE "clearing_claim"')
        cursor.execute('ALTER TABLE "clearing_claim__new" RENAME TO "clearing_claim"')
        cursor.execute("DELETE FROM sqlite_sequence WHERE name = 'clearing_claim'")


class Migration(migrations.Migration):
    dependencies = [("clearing", "0001_initial")]

    operations = [migrations.RunPython(without_autoincrement, migrations.RunPython.noop)]
