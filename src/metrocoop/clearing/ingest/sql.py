"""The ingest's statements: a chunk's claims inserted (SQLite `executemany`; PostgreSQL `COPY` straight into the
partitioned tables, the rows the screen passed as one text payload built in Arrow, staging only when a claim id
exists), the stored content hashes of re-sent claim ids, the open periods locked against a close, and a chunk's
postings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction

from metrocoop.clearing.choices import PeriodStatus
from metrocoop.clearing.ingest.screen import INSERT_COLUMNS, POSTED, POSTED_COLUMNS, ChunkWork
from metrocoop.clearing.models import Claim, ClaimPosting, Period


def insert_claims(batch_id: int, chunk_no: int, work: ChunkWork) -> int:
    """Insert the chunk's claims, skipping claim ids that already exist; returns how many were inserted."""
    table = Claim._meta.db_table
    batch_id, chunk_no = int(batch_id), int(chunk_no)
    inserted = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the driver's cursor: bulk paths without Django's per-row wrapping
        if connection.vendor == "postgresql":
            return _insert_claims_postgresql(raw, batch_id, chunk_no, work)
        raw = connection.connection  # sqlite3.Connection.executemany: no parameter-style conversion either
        if work.posted_numbers:
            # the constant columns are literals (integers formatted above): 12 bound values a claim, not 18
            done = raw.executemany(
                f"INSERT OR IGNORE INTO {table} ({', '.join(POSTED_COLUMNS)}, batch_id, chunk_no, status, "
                f"reject_code, reject_detail_zh, reject_detail_en) VALUES ({', '.join('?' * len(POSTED_COLUMNS))}, "
                f"{batch_id}, {chunk_no}, '{POSTED}', '', '', '')",
                work.posted_rows(),
            )
            inserted += done.rowcount
        if work.rejected:
            done = raw.executemany(
                f"INSERT OR IGNORE INTO {table} ({', '.join(INSERT_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(INSERT_COLUMNS))})",
                ((*row[:2], batch_id, chunk_no, *row[4:]) for row in work.rejected),
            )
            inserted += done.rowcount
    return inserted


_KEY_COLUMNS = "claim_id, content_hash, batch_id, chunk_no, period_id"
#: What COPY's text format escapes in a value (PostgreSQL, "COPY … Text Format"), backslash first
_TEXT_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
_NEEDS_ESCAPE = (b"\\", b"\t", b"\n", b"\r")


def _escaped(values: Any) -> Any:
    """`values` (an Arrow string array) as COPY's text format writes them; a byte search when nothing needs escaping
    (the usual case: four replacing passes cost a claim file's writer about half a second a million claims)."""
    import pyarrow.compute as pc

    data = values.buffers()[-1]  # the characters (UTF-8: these four bytes never occur inside another character)
    raw = data.to_pybytes() if data is not None else b""
    if not any(byte in raw for byte in _NEEDS_ESCAPE):
        return values
    for plain, escaped in _TEXT_ESCAPES:
        values = pc.replace_substring(values, plain, escaped)
    return values


def _text_payload(columns: list[Any]) -> memoryview | None:
    """Rows of COPY's text format built in Arrow from columns (Arrow string arrays, already escaped, or scalars
    that repeat on every row): one buffer for a chunk, no Python object per claim. None when a value is missing
    or the chunk is too large for one Arrow string array (the caller writes row by row)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        lines = pc.binary_join_element_wise(pc.binary_join_element_wise(*columns, "\t"), pa.scalar(""), "\n")
    except pa.ArrowInvalid:  # offsets past 2 GiB
        return None
    if lines.null_count:
        return None
    _validity, offsets, data = lines.buffers()
    first, last = lines.offset, lines.offset + len(lines)
    bounds = memoryview(offsets).cast("i")
    return memoryview(data)[bounds[first] : bounds[last]]


def _arrow_claims(batch_id: int, chunk_no: int, arrow: list[Any]) -> memoryview | None:
    """The screen's posted claims (`ChunkWork.arrow`) as COPY text rows of `INSERT_COLUMNS`."""
    import pyarrow as pa

    cid, digest, scheme, insured, service, provider, person, day, items, total, payable, period = arrow
    text = pa.string()
    return _text_payload(
        [
            _escaped(cid), digest, pa.scalar(str(batch_id)), pa.scalar(str(chunk_no)), pa.scalar(POSTED),
            pa.scalar(""), pa.scalar(""), pa.scalar(""), _escaped(scheme), _escaped(insured), _escaped(service),
            _escaped(provider), _escaped(person), day.cast(text), _escaped(items), total.cast(text),
            payable.cast(text), period.cast(text),
        ]
    )  # fmt: skip


def _arrow_keys(batch_id: int, chunk_no: int, arrow: list[Any]) -> memoryview | None:
    """The screen's posted claims as COPY text rows of the key table (`_KEY_COLUMNS`)."""
    import pyarrow as pa

    return _text_payload(
        [
            _escaped(arrow[0]), arrow[1], pa.scalar(str(batch_id)), pa.scalar(str(chunk_no)),
            arrow[11].cast(pa.string()),
        ]
    )  # fmt: skip


def _claim_rows(batch_id: int, chunk_no: int, work: ChunkWork) -> Iterator[tuple]:
    """The chunk's claims held as Python values (not the Arrow part) as `INSERT_COLUMNS` tuples."""
    for cid, digest, scheme, ins, ser, prov, per, day, items, total, pay, period in zip(*work.posted, strict=True):
        yield (cid, digest, batch_id, chunk_no, POSTED, "", "", "", scheme, ins, ser, prov, per, day, items, total,
               pay, period)  # fmt: skip
    for row in work.rejected:
        yield (*row[:2], batch_id, chunk_no, *row[4:])


def _copy_claims(raw: Any, target: str, batch_id: int, chunk_no: int, work: ChunkWork) -> None:
    """COPY (text format) the chunk's claims into `target`: the Arrow part as one payload, the rest row by row."""
    if work.arrow is not None:
        payload = _arrow_claims(batch_id, chunk_no, work.arrow)
        if payload is None:
            work.materialise()
    with raw.copy(f"COPY {target} ({', '.join(INSERT_COLUMNS)}) FROM STDIN") as copy:
        if work.arrow is not None:
            copy.write(payload)
        write = copy.write_row
        for row in _claim_rows(batch_id, chunk_no, work):
            write(row)


def _insert_claims_postgresql(raw: Any, batch_id: int, chunk_no: int, work: ChunkWork) -> int:
    """PostgreSQL: the claim table is partitioned by period (migration 0005) and the claim id's uniqueness is
    kept by `clearing_claim_key` (one narrow row per claim, its only index the unique claim id).

    Fast path, the usual case (every claim id of the chunk new): binary `COPY` of the keys, then of the claims,
    straight into the tables, inside a savepoint. A claim id that exists (a re-sent file, a rerun after a crash,
    an overlapping ingest committing first) makes the key `COPY` fail on its unique index, usually at its first
    row: the savepoint is rolled back and the chunk takes the staging path, which inserts only the new ids
    (`INSERT … ON CONFLICT DO NOTHING` in claim-id order). Either way an existing claim is never overwritten."""
    import psycopg

    from metrocoop.clearing.partitions import KEY

    table = Claim._meta.db_table
    count = work.posted_count() + len(work.rejected)
    if not count:
        return 0
    try:
        with transaction.atomic():  # a savepoint: only this attempt is undone
            keys = _arrow_keys(batch_id, chunk_no, work.arrow) if work.arrow is not None else None
            if keys is None:
                work.materialise()
            with raw.copy(f"COPY {KEY} ({_KEY_COLUMNS}) FROM STDIN") as copy:
                if keys is not None:
                    copy.write(keys)
                write = copy.write_row
                posted = work.posted
                for cid, digest, period in zip(posted[0], posted[1], posted[11], strict=True):
                    write((cid, digest, batch_id, chunk_no, period))
                for row in work.rejected:
                    write((row[0], row[1], batch_id, chunk_no, row[17]))
            _copy_claims(raw, table, batch_id, chunk_no, work)
        return count
    except (psycopg.errors.UniqueViolation, psycopg.errors.DeadlockDetected):
        pass
    cols = ", ".join(INSERT_COLUMNS)
    raw.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS clearing_claim_staging ON COMMIT DELETE ROWS AS "
        f"SELECT {cols} FROM {table} WITH NO DATA"
    )
    _copy_claims(raw, "clearing_claim_staging", batch_id, chunk_no, work)
    raw.execute(
        # in claim-id order, so that concurrent ingests of overlapping files wait on each other's unique-index
        # entries in one order (a deadlock with a fast-path COPY is retried: `Ingest.do_chunk`)
        f"WITH fresh AS (INSERT INTO {KEY} ({_KEY_COLUMNS}) SELECT {_KEY_COLUMNS} FROM clearing_claim_staging "
        "ORDER BY claim_id ON CONFLICT (claim_id) DO NOTHING RETURNING claim_id) "
        f"INSERT INTO {table} ({cols}) SELECT {', '.join('s.' + c for c in INSERT_COLUMNS)} "
        "FROM clearing_claim_staging s JOIN fresh USING (claim_id)"
    )
    inserted = raw.rowcount
    raw.execute("TRUNCATE clearing_claim_staging")
    return inserted


def existing_hashes(claim_ids: list[str]) -> dict[str, tuple[str, int, int]]:
    """claim id → (content hash, batch, chunk) of the stored claims among ``claim_ids`` (raw SQL in batches of
    5,000 ids: the duplicate path of a re-sent file looks up every claim)."""
    found: dict[str, tuple[str, int, int]] = {}
    table = Claim._meta.db_table
    if connection.vendor == "postgresql":  # the key table holds every claim id, of archived periods too
        from metrocoop.clearing.partitions import KEY

        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT claim_id, content_hash, batch_id, chunk_no FROM {KEY} WHERE claim_id = ANY(%s)", [claim_ids]
            )
            return {cid: (h, b, c) for cid, h, b, c in cursor.fetchall()}
    with connection.cursor() as cursor:
        for start in range(0, len(claim_ids), 5000):
            part = claim_ids[start : start + 5000]
            cursor.execute(
                f"SELECT claim_id, content_hash, batch_id, chunk_no FROM {table} "
                f"WHERE claim_id IN ({', '.join(['%s'] * len(part))})",
                part,
            )
            found.update((cid, (h, b, c)) for cid, h, b, c in cursor.fetchall())
    return found


def lock_open_periods() -> frozenset[tuple[int, int]]:
    """The open periods, locked against a close for the rest of the transaction (FOR SHARE on PostgreSQL; on
    SQLite the write transaction already excludes every other writer)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT year, month FROM {Period._meta.db_table} WHERE status = %s FOR SHARE", [PeriodStatus.OPEN]
            )
            return frozenset(cursor.fetchall())
    return frozenset(Period.objects.filter(status=PeriodStatus.OPEN).values_list("year", "month"))


_POSTING_COLUMNS = (
    "period_id", "batch_id", "chunk_no", "kind", "insured_city_id", "service_city_id", "scheme", "claim_count",
    "amount_fen", "transfer_id",
)  # fmt: skip


def insert_postings(postings: list[ClaimPosting]) -> None:
    """One `executemany` for a chunk's postings (Django's bulk_create costs about a millisecond a row)."""
    if not postings:
        return
    params = [
        (p.period_id, p.batch_id, p.chunk_no, p.kind, p.insured_city_id, p.service_city_id, p.scheme, p.claim_count,
         p.amount_fen, p.transfer_id)
        for p in postings
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {ClaimPosting._meta.db_table} ({', '.join(_POSTING_COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(_POSTING_COLUMNS))})",
            params,
        )
