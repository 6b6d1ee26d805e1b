"""Shared by the clearing migrations that shape the claim table for the ingest's speed (see 0002)."""


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
