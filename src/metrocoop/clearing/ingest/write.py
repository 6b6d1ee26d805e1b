"""Writing one validated chunk in its own transaction: its claims inserted, its posting groups posted to the ledger,
duplicates and conflicts told apart, the batch's counters advanced. `Ingest` holds one ingest's state and retries
a chunk that met a deadlock with a concurrent ingest (PostgreSQL)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace
from typing import Any

from django.db import connection, transaction
from django.db.models import F

from metrocoop.clearing import ledger_accounts
from metrocoop.clearing.choices import PostingKind, RejectCode
from metrocoop.clearing.errors import ClearingError
from metrocoop.clearing.ingest.context import ingest_context
from metrocoop.clearing.ingest.screen import Checker, ChunkWork
from metrocoop.clearing.ingest.sql import existing_hashes, insert_claims, insert_postings, lock_open_periods
from metrocoop.clearing.models import ClaimPosting, IngestBatch, IngestRejection
from metrocoop.clearing.reader import ClaimSource
from metrocoop.core.audit import acting
from metrocoop.ledger import engine as ledger_engine
from metrocoop.ledger.services import post_transfers


@dataclass
class IngestResult:
    """What an ingest did; received = posted + rejected + duplicates in count and fen."""

    batch_id: int
    source: str
    received: int = 0
    received_fen: int = 0
    posted: int = 0
    posted_fen: int = 0
    rejected: int = 0
    rejected_fen: int = 0
    duplicates: int = 0
    duplicate_fen: int = 0
    conflicts: int = 0
    postings: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    processes: int = 1  # 2 when a forked second process wrote every other chunk
    #: seconds spent (summed over chunks): validating, inserting claims, posting and counting (the rest of a
    #: chunk's transaction), waiting for the writer thread (PostgreSQL, pipelined)
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def timed(result: IngestResult, name: str, started: float) -> None:
    result.timings[name] = round(result.timings.get(name, 0.0) + time.perf_counter() - started, 3)


@dataclass
class Ingest:
    """One ingest's state shared by the processes that write its chunks (copied into the forked one)."""

    checker: Checker
    source: ClaimSource
    chunk_size: int
    batch: IngestBatch
    city_ids: dict[str, int]
    actor: Any
    persons: list[str] | None = None  # the persons whose authorisations were read (None: all)

    @property
    def chunks(self) -> int:
        return (len(self.source) + self.chunk_size - 1) // self.chunk_size

    def do_chunk(
        self, chunk_no: int, result: IngestResult, turn: Any = None, partner_alive: Callable[[], bool] | None = None
    ) -> None:
        """Validate one chunk, then write it in its own transaction (with ``turn`` held, when two processes
        take turns at the database)."""
        checker, started = self.checker, time.perf_counter()
        work = checker.check(self.source, chunk_no, self.chunk_size)
        timed(result, "validate_s", started)
        self.write(chunk_no, work, result, turn, partner_alive, checker)

    def write(
        self, chunk_no: int, work: ChunkWork, result: IngestResult, turn: Any = None,
        partner_alive: Callable[[], bool] | None = None, checker: Checker | None = None,
    ) -> None:  # fmt: skip
        """Write one validated chunk in its own transaction. On PostgreSQL a deadlock with a concurrent ingest of
        an overlapping file (one writer in file order, one in claim-id order) rolls the chunk back whole and it is
        written again (a few times at most)."""
        for attempt in range(_DEADLOCK_RETRIES + 1):
            before = dataclass_replace(result, reasons=dict(result.reasons), timings=dict(result.timings))
            try:
                with taking_turn(turn, partner_alive), transaction.atomic(), acting(self.actor):
                    now_open = lock_open_periods()
                    used = checker or self.checker  # the checker that validated ``work``
                    if now_open != used.context.rules.open_periods:
                        # a period closed or opened since the context was read: validate this chunk again
                        checker = self.checker = Checker(
                            ingest_context(self.persons), used.scope, used.iso_dates, arrow_posted=used.arrow_posted
                        )
                        work = checker.check(self.source, chunk_no, self.chunk_size)
                    write_chunk(self.batch, chunk_no, work, self.city_ids, result, self.actor)
                break
            except Exception as exc:
                if attempt == _DEADLOCK_RETRIES or not _is_deadlock(exc):
                    raise
                for name in result.__dataclass_fields__:
                    setattr(result, name, getattr(before, name))


_DEADLOCK_RETRIES = 5


def _is_deadlock(exc: BaseException) -> bool:
    if connection.vendor != "postgresql":
        return False
    import psycopg

    return isinstance(exc, psycopg.errors.DeadlockDetected) or isinstance(
        exc.__cause__, psycopg.errors.DeadlockDetected
    )


@contextlib.contextmanager
def taking_turn(turn: Any, partner_alive: Callable[[], bool] | None):
    """Hold the turn at the database. A process killed while it held the turn never gives it back: the waiter
    checks every 0.2 s that its partner lives, and stops with an error if not (the committed chunks stand; a rerun
    completes the file)."""
    if turn is None:
        yield
        return
    while not turn.acquire(timeout=0.2):
        if partner_alive is not None and not partner_alive():
            raise ClearingError(
                "导入的另一个进程已终止，已写入的分块保留，重新导入可补全。",
                "The other ingest process ended; chunks written stand and a rerun completes the file.",
            )
    try:
        yield
    finally:
        turn.release()


def write_chunk(
    batch: IngestBatch, chunk_no: int, work: ChunkWork, city_ids: dict[str, int], result: IngestResult, actor: Any
) -> None:
    started = time.perf_counter()
    inserted = insert_claims(batch.pk, chunk_no, work)
    timed(result, "insert_claims_s", started)
    started = time.perf_counter()
    rejected_rows = work.rejected
    posted_count, posted_fen_total = work.posted_count(), work.posted_fen()
    duplicates: list[tuple[int, str, int]] = []  # (row number, claim id, amount)
    conflicts: list[IngestRejection] = []
    if inserted == posted_count + len(rejected_rows) and not work.explain:  # the usual case: all new
        sums = work.sums
        posted, posted_fen = posted_count, posted_fen_total
        new_rejected = rejected_rows
    else:  # some claim ids were there before (a re-sent file, a rerun after a crash) or repeat in the chunk
        work.materialise()
        ids = work.posted[0] + [r[0] for r in rejected_rows] + [cid for _, cid, _, _ in work.explain if cid]
        found = existing_hashes(ids)
        mine = {cid for cid, (_h, b, c) in found.items() if b == batch.pk and c == chunk_no}
        existing = {cid: h for cid, (h, b, _c) in found.items() if cid not in mine}

        def is_new(number: int, cid: str, digest: str, amount: int) -> bool:
            if cid in mine:
                return True
            if existing[cid] == digest:
                duplicates.append((number, cid, amount))
            else:
                conflicts.append(_conflict(batch, number, cid, digest, amount, existing[cid]))
            return False

        sums = {}
        posted = posted_fen = 0
        for number, row in zip(work.posted_numbers, work.posted_rows(), strict=True):
            cid, digest, scheme, insured, service, amount, period_id = (*row[:5], row[10], row[11])
            if is_new(number, cid, digest, amount):
                posted += 1
                posted_fen += amount
                acc = sums.setdefault((period_id, insured, service, scheme), [0, 0])
                acc[0] += 1
                acc[1] += amount
        new_rejected = [
            row
            for number, row in zip(work.rejected_numbers, rejected_rows, strict=True)
            if is_new(number, row[0], row[1], row[16])
        ]
        for number, cid, amount, digest in work.explain:
            if not cid:
                conflicts.append(
                    IngestRejection(
                        batch=batch, row_number=number, claim_id="", content_hash=digest,
                        reject_code=RejectCode.MALFORMED_ROW, detail_zh="缺少结算单号", detail_en="no claim id",
                        fund_payable_fen=amount,
                    )
                )  # fmt: skip
            elif (cid in existing and existing[cid] == digest) or (cid in mine and found[cid][0] == digest):
                duplicates.append((number, cid, amount))
            else:
                conflicts.append(_conflict(batch, number, cid, digest, amount, found.get(cid, ("",))[0]))
    rejected = len(new_rejected)
    rejected_fen = 0
    for row in new_rejected:
        rejected_fen += row[16]
        result.reasons[row[5]] = result.reasons.get(row[5], 0) + 1
    transfers, postings = [], []
    for (period_id, insured, service, scheme), (count, amount) in sorted(sums.items(), key=lambda kv: str(kv[0])):
        if amount <= 0:
            continue  # claims with nothing fund-payable move no money; they are posted with no transfer
        client_id = f"clearing:b{batch.pk}:c{chunk_no}:p{period_id}:{insured}>{service}:{scheme}"
        transfers.append(
            ledger_engine.Transfer(
                id=client_id, debit_account=ledger_accounts.account_code(service),
                credit_account=ledger_accounts.account_code(insured),
                amount_fen=amount, code=ledger_accounts.CLAIM_CODE, memo=f"{count} claim(s)",
            )
        )  # fmt: skip
        postings.append(
            ClaimPosting(
                period_id=period_id, batch=batch, chunk_no=chunk_no, kind=PostingKind.CLAIMS,
                insured_city_id=city_ids[insured], service_city_id=city_ids[service], scheme=scheme,
                claim_count=count, amount_fen=amount,
            )
        )  # fmt: skip
    for posting, posted_transfer in zip(postings, post_transfers(transfers, actor=actor), strict=True):
        posting.transfer = posted_transfer.transfer
    insert_postings(postings)
    IngestRejection.objects.bulk_create(conflicts)
    dup_fen = sum(a for _, _, a in duplicates)
    conflict_fen = sum(c.fund_payable_fen for c in conflicts)
    received = posted_count + len(rejected_rows) + len(work.explain)
    received_fen = posted_fen_total + sum(r[16] for r in rejected_rows) + sum(e[2] for e in work.explain)
    IngestBatch.objects.filter(pk=batch.pk).update(
        chunks_done=F("chunks_done") + 1,
        received_count=F("received_count") + received,
        received_fen=F("received_fen") + received_fen,
        posted_count=F("posted_count") + posted,
        posted_fen=F("posted_fen") + posted_fen,
        rejected_count=F("rejected_count") + rejected + len(conflicts),
        rejected_fen=F("rejected_fen") + rejected_fen + conflict_fen,
        duplicate_count=F("duplicate_count") + len(duplicates),
        duplicate_fen=F("duplicate_fen") + dup_fen,
    )
    result.received += received
    result.received_fen += received_fen
    result.posted += posted
    result.posted_fen += posted_fen
    result.rejected += rejected + len(conflicts)
    result.rejected_fen += rejected_fen + conflict_fen
    result.duplicates += len(duplicates)
    result.duplicate_fen += dup_fen
    result.conflicts += sum(1 for c in conflicts if c.reject_code == RejectCode.CONFLICT)
    result.postings += len(postings)
    for c in conflicts:
        result.reasons[c.reject_code] = result.reasons.get(c.reject_code, 0) + 1
    timed(result, "post_and_count_s", started)


def _conflict(batch, number, cid, digest, amount, existing_hash) -> IngestRejection:
    return IngestRejection(
        batch=batch, row_number=number, claim_id=cid, content_hash=digest, reject_code=RejectCode.CONFLICT,
        detail_zh=f"结算单号 {cid} 已存在且内容不同（原内容保留，未覆盖）",
        detail_en=f"claim id {cid} already exists with other content (the original stands; not overwritten)",
        fund_payable_fen=amount,
    )  # fmt: skip
