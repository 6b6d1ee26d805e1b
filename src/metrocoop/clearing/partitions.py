"""Period partitions of the claim and posting tables on PostgreSQL (made by migration 0005; SQLite has plain
tables and every function here does nothing there).

- `ensure_partitions`: a period's partitions, made when the period is opened and, for periods made some other
  way, when an ingest or a close first meets them. Rows of the period already in the default partition move in.
- `archive_period`: a closed period's partitions detached and moved to the schema ``clearing_archive`` (the rows
  stay in the database, out of every query on the live tables; `archived_claims` and plain SQL read them).
- `restore_period`: the archived partitions attached again.

DDL on a partitioned table takes strong locks on it: every change here is serialised by one advisory lock and
runs in the caller's transaction (PostgreSQL's DDL is transactional: a killed archive leaves nothing half-done).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from metrocoop.clearing.migrations._partitioning import CLAIM, KEY, POSTING

TABLES = (CLAIM, POSTING)
ARCHIVE_SCHEMA = "clearing_archive"
_LOCK = "hashtext('metrocoop.clearing.partitions')"


def partitioned() -> bool:
    """Whether the claim table is partitioned (PostgreSQL after migration 0005)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [CLAIM])
        row = cursor.fetchone()
    return bool(row and row[0] == "p")


def partition_name(table: str, period_id: int) -> str:
    return f"{table}_p{int(period_id)}"


def _attached(cursor, table: str) -> set[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
        [table],
    )
    return {row[0] for row in cursor.fetchall()}


def _archived(cursor) -> set[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s",
        [ARCHIVE_SCHEMA],
    )
    return {row[0] for row in cursor.fetchall()}


def _attach(cursor, table: str, name: str, period_id: int) -> None:
    """Attach ``name`` as the partition of ``period_id``, moving the period's rows out of the default partition
    first (attaching checks that the default holds none)."""
    cursor.execute(
        f"WITH moved AS (DELETE FROM {table}_default WHERE period_id = %s RETURNING *) "
        f"INSERT INTO {name} SELECT * FROM moved",
        [period_id],
    )
    cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES IN ({int(period_id)})")


def ensure_partitions(period_ids: Iterable[int]) -> list[str]:
    """Make the missing partitions of these periods (not of archived ones); returns the names made."""
    wanted = sorted({int(p) for p in period_ids if p is not None})
    if not wanted or not partitioned():
        return []
    made: list[str] = []
    with transaction.atomic(), connection.cursor() as cursor:
        present = {t: _attached(cursor, t) for t in TABLES}
        missing = [(t, p) for t in TABLES for p in wanted if partition_name(t, p) not in present[t]]
        if not missing:
            return []
        cursor.execute(f"SELECT pg_advisory_xact_lock({_LOCK})")
        present = {t: _attached(cursor, t) for t in TABLES}  # again, under the lock
        archived = _archived(cursor)
        for table, pid in missing:
            name = partition_name(table, pid)
            if name in present[table] or name in archived:
                continue
            cursor.execute(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            _attach(cursor, table, name, pid)
            made.append(name)
    return made


def archive_period(period) -> list[str]:
    """Detach a closed period's partitions into the archive schema; returns their archived names."""
    from metrocoop.clearing.choices import PeriodStatus

    if period.status != PeriodStatus.CLOSED:
        raise ValueError("only a closed period is archived")
    ensure_partitions([period.pk])
    done = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory_xact_lock({_LOCK})")
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {ARCHIVE_SCHEMA}")
        for table in TABLES:
            name = partition_name(table, period.pk)
            if name not in _attached(cursor, table):
                continue
            cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {name}")
            cursor.execute(f"ALTER TABLE {name} SET SCHEMA {ARCHIVE_SCHEMA}")
            done.append(f"{ARCHIVE_SCHEMA}.{name}")
    return done


def restore_period(period) -> list[str]:
    """Attach an archived period's partitions again (rows of the period that came meanwhile move in)."""
    done = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory_xact_lock({_LOCK})")
        archived = _archived(cursor)
        for table in TABLES:
            name = partition_name(table, period.pk)
            if name not in archived:
                continue
            cursor.execute(f"ALTER TABLE {ARCHIVE_SCHEMA}.{name} SET SCHEMA public")
            _attach(cursor, table, name, period.pk)
            done.append(name)
    return done


def archived_period_ids() -> set[int]:
    """The periods whose claim partition is archived."""
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        names = _archived(cursor)
    prefix = f"{CLAIM}_p"
    return {int(n[len(prefix) :]) for n in names if n.startswith(prefix) and n[len(prefix) :].isdigit()}


def archived_claims(period) -> list[tuple]:
    """(claim id, status, fund payable) of an archived period's claims, read from the archive schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT claim_id, status, fund_payable_fen FROM {ARCHIVE_SCHEMA}.{partition_name(CLAIM, period.pk)} "
            "ORDER BY claim_id"
        )
        return cursor.fetchall()


__all__ = [
    "ARCHIVE_SCHEMA",
    "KEY",
    "archive_period",
    "archived_claims",
    "archived_period_ids",
    "ensure_partitions",
    "partitioned",
    "restore_period",
]
