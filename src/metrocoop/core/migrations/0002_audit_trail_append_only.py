"""Make the audit trail append-only in the database itself.

PostgreSQL: a trigger refuses UPDATE and DELETE of audit rows (TRUNCATE, an administrator's reset of a whole
database, stays possible). SQLite: a trigger refuses UPDATE. SQLite cannot tell a test-database flush from a
tampering DELETE, so there the application's guarantee (no code path and no API deletes an entry) stands alone.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION metrocoop_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER metrocoop_audit_append_only
    BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION metrocoop_audit_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS metrocoop_audit_append_only ON auditlog_logentry;
DROP FUNCTION IF EXISTS metrocoop_audit_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER metrocoop_audit_no_update BEFORE UPDATE ON auditlog_logentry
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only (UPDATE refused)');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS metrocoop_audit_no_update;"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)  # None: the % in RAISE is not a placeholder
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
