"""The claim and posting tables partitioned by period on PostgreSQL (migration 0005; see docs/clearing.md
"Partitions"). SQLite keeps plain tables: nothing here runs there.

Each table becomes ``PARTITION BY LIST (period_id)`` with one partition per period (``<table>_p<period id>``) and
a default partition (``<table>_default``: rejected claims without a period, and late rows of an archived period).
A unique index on a partitioned table must contain the partition key, so the claim id's global uniqueness (the
ingest's exactly-once key) moves to ``clearing_claim_key`` (claim id → content hash, batch, chunk, period), one
narrow row per claim with the one unique index; the claim partitions keep an index on ``id``. The posting table's
key becomes (id, period_id). Rows are copied over, so a table with data converts too."""

from __future__ import annotations

CLAIM, POSTING, KEY = "clearing_claim", "clearing_claimposting", "clearing_claim_key"

KEY_DDL = (
    f"CREATE TABLE {KEY} (claim_id varchar(64) PRIMARY KEY, content_hash varchar(32) NOT NULL, "
    "batch_id bigint NOT NULL, chunk_no integer NOT NULL, period_id bigint)"
)
#: Django's flush (tests) truncates the model tables only: the key table goes with the claims
TRUNCATE_TRIGGER = (
    f"CREATE FUNCTION {KEY}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN TRUNCATE {KEY}; RETURN NULL; "
    f"END $$; CREATE TRIGGER {CLAIM}_truncate_key AFTER TRUNCATE ON {CLAIM} FOR EACH STATEMENT EXECUTE FUNCTION "
    f"{KEY}_truncate()"
)


def _period_ids(cursor) -> list[int]:
    cursor.execute("SELECT id FROM clearing_period ORDER BY id")
    return [row[0] for row in cursor.fetchall()]


def _max_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
    return int(cursor.fetchone()[0])


def _partitioned_copy(cursor, table: str, periods: list[int]) -> int:
    """``table`` rebuilt as a list-partitioned table with its rows; returns the next id."""
    cursor.execute(f"CREATE TABLE {table}__p (LIKE {table} INCLUDING CONSTRAINTS) PARTITION BY LIST (period_id)")
    for pid in periods:
        cursor.execute(f"CREATE TABLE {table}_p{pid} PARTITION OF {table}__p FOR VALUES IN ({pid})")
    cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {table}__p DEFAULT")
    cursor.execute(f"INSERT INTO {table}__p SELECT * FROM {table}")
    following = _max_id(cursor, table) + 1
    cursor.execute(f"DROP TABLE {table}")
    cursor.execute(f"ALTER TABLE {table}__p RENAME TO {table}")
    cursor.execute(f"CREATE SEQUENCE {table}_id_seq OWNED BY {table}.id")
    cursor.execute(f"SELECT setval('{table}_id_seq', {following}, false)")
    cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')")
    return following


def partition(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # fire pending deferred foreign-key checks now: a table with pending trigger events cannot be dropped
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        periods = _period_ids(cursor)
        cursor.execute(KEY_DDL)
        cursor.execute(
            f"INSERT INTO {KEY} SELECT claim_id, content_hash, batch_id, chunk_no, period_id FROM {CLAIM} "
            "ORDER BY claim_id"
        )
        _partitioned_copy(cursor, CLAIM, periods)
        cursor.execute(f"CREATE INDEX {CLAIM}_id_idx ON {CLAIM} (id)")
        cursor.execute(TRUNCATE_TRIGGER)
        _partitioned_copy(cursor, POSTING, periods)
        cursor.execute(f"ALTER TABLE {POSTING} ADD CONSTRAINT {POSTING}_pkey PRIMARY KEY (id, period_id)")
        cursor.execute(
            f"ALTER TABLE {POSTING} ADD CONSTRAINT {POSTING}_transfer_unique UNIQUE (transfer_id, period_id)"
        )
        for column, target in (
            ("period_id", "clearing_period"), ("batch_id", "clearing_ingestbatch"), ("insured_city_id", "core_city"),
            ("service_city_id", "core_city"), ("transfer_id", "ledger_transfer"),
        ):  # fmt: skip
            cursor.execute(
                f"ALTER TABLE {POSTING} ADD CONSTRAINT {POSTING}_{column}_fk FOREIGN KEY ({column}) "
                f"REFERENCES {target} (id) DEFERRABLE INITIALLY DEFERRED"
            )
            if column != "period_id":
                cursor.execute(f"CREATE INDEX {POSTING}_{column}_idx ON {POSTING} ({column})")


def _plain_copy(cursor, table: str) -> None:
    cursor.execute(f"CREATE TABLE {table}__plain (LIKE {table} INCLUDING CONSTRAINTS)")
    cursor.execute(f"INSERT INTO {table}__plain SELECT * FROM {table}")
    following = _max_id(cursor, table) + 1
    cursor.execute(f"DROP TABLE {table} CASCADE")
    cursor.execute(f"ALTER TABLE {table}__plain RENAME TO {table}")
    cursor.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (id)")
    cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (START {following})")


def unpartition(apps, schema_editor) -> None:
    """Back to plain tables (archived partitions must be restored first: their rows are not found here)."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"DROP TRIGGER {CLAIM}_truncate_key ON {CLAIM}")
        cursor.execute(f"DROP FUNCTION {KEY}_truncate()")
        _plain_copy(cursor, CLAIM)
        cursor.execute(f"CREATE UNIQUE INDEX {CLAIM}_claim_id_key ON {CLAIM} (claim_id)")
        cursor.execute(f"DROP TABLE {KEY}")
        _plain_copy(cursor, POSTING)
        cursor.execute(f"ALTER TABLE {POSTING} ADD CONSTRAINT {POSTING}_transfer_id_key UNIQUE (transfer_id)")
        for column, target in (
            ("period_id", "clearing_period"), ("batch_id", "clearing_ingestbatch"), ("insured_city_id", "core_city"),
            ("service_city_id", "core_city"), ("transfer_id", "ledger_transfer"),
        ):  # fmt: skip
            cursor.execute(
                f"ALTER TABLE {POSTING} ADD CONSTRAINT {POSTING}_{column}_fk FOREIGN KEY ({column}) "
                f"REFERENCES {target} (id) DEFERRABLE INITIALLY DEFERRED"
            )
