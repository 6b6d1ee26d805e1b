"""Make posted transfers immutable in the database itself (as core 0002 does for the audit trail).

PostgreSQL: a trigger refuses UPDATE and DELETE of transfers (TRUNCATE, an administrator's reset, stays possible).
SQLite: a trigger refuses UPDATE; SQLite cannot tell a test-database flush from a tampering DELETE, so there the
application's guarantee (no code path and no API deletes a transfer; verify_ledger catches a gap in the chain)
stands alone.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION metrocoop_ledger_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger transfers are immutable (% refused); post a reversal', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER metrocoop_ledger_immutable
    BEFORE UPDATE OR DELETE ON ledger_transfer
    FOR EACH ROW EXECUTE FUNCTION metrocoop_ledger_immutable();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS metrocoop_ledger_immutable ON ledger_transfer;
DROP FUNCTION IF EXISTS metrocoop_ledger_immutable();
"""
SQLITE_UP = """
CREATE TRIGGER metrocoop_ledger_no_update BEFORE UPDATE ON ledger_transfer
BEGIN
    SELECT RAISE(ABORT, 'ledger transfers are immutable (UPDATE refused); post a reversal');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS metrocoop_ledger_no_update;"


def forwards(apps, schema_editor):
    # the chain head row that posters lock; created here so that the first two posters never race to create it
    apps.get_model("ledger", "ChainHead").objects.get_or_create(pk=1)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
