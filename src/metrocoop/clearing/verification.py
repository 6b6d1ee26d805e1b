"""The clearing house's invariants, checked by `metrocoop clearing verify`, before every period close and by
backup/restore: the ledger's own check, every batch's counters, every posting against the claims it sums, every
reversal against its claim, and no claim without its batch or period."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Sum

from metrocoop.clearing.choices import ClaimStatus, PostingKind
from metrocoop.clearing.models import Claim, ClaimPosting, ClaimReversal, IngestBatch, Period
from metrocoop.ledger.services import verify_ledger


@dataclass
class VerifyReport:
    """The invariants: debits = credits, balances recomputed = stored, the chain verifies (ledger); every batch's
    received = posted + rejected + duplicates; every posting's amount = Σ of its claims; the claims of posted
    groups equal the postings per period; every claim's batch and period exist (the database does not enforce
    these two keys: see migration 0003)."""

    ledger: dict[str, Any]
    batches_ok: bool
    bad_batches: list[int]
    postings_ok: bool
    bad_postings: list[str]
    orphan_claims: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.ledger["ok"]) and self.batches_ok and self.postings_ok and not self.orphan_claims

    def as_dict(self) -> dict[str, Any]:
        """Objects with named fields throughout (the `--json` output of `metrocoop clearing verify`)."""
        ledger = dict(self.ledger)
        ledger["mismatched_balances"] = [
            {"account": code, "stored_fen": int(pair[0]), "recomputed_fen": int(pair[1])}
            for code, pair in sorted(dict(ledger.get("mismatched_balances") or {}).items())
        ]
        return {"ok": self.ok, **self.__dict__, "ledger": ledger}


def _posted_per_batch() -> list[tuple[int, int, int]]:
    """(batch, posted claims, their fen) over every claim, of archived periods too (read from the archive)."""
    from metrocoop.clearing.partitions import ARCHIVE_SCHEMA, CLAIM, archived_period_ids, partition_name

    tables = [Claim._meta.db_table] + [
        f"{ARCHIVE_SCHEMA}.{partition_name(CLAIM, pid)}" for pid in sorted(archived_period_ids())
    ]
    union = " UNION ALL ".join(f"SELECT batch_id, fund_payable_fen FROM {t} WHERE status IN (%s, %s)" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT batch_id, count(*), sum(fund_payable_fen) FROM ({union}) claims GROUP BY batch_id",
            [ClaimStatus.POSTED.value, ClaimStatus.REVERSED.value] * len(tables),
        )
        return cursor.fetchall()


def verify_clearing(period: Period | None = None) -> VerifyReport:
    """Check every invariant (for one period's postings, or all).

    For one period (a close) the claims are read from that period's partition only (PostgreSQL prunes the
    others): its postings against its claims, its reversals, its orphans, and every batch's own counters. The
    count of each batch's claims against its counters spans periods and is checked by the full verify, which
    also reads archived partitions (`partitions.archive_period`)."""
    ledger = verify_ledger().as_dict()
    bad_batches = []
    for b in IngestBatch.objects.all().values(
        "pk", "received_count", "posted_count", "rejected_count", "duplicate_count",
        "received_fen", "posted_fen", "rejected_fen", "duplicate_fen",
    ):  # fmt: skip
        if (
            b["received_count"] != b["posted_count"] + b["rejected_count"] + b["duplicate_count"]
            or b["received_fen"] != b["posted_fen"] + b["rejected_fen"] + b["duplicate_fen"]
        ):
            bad_batches.append(b["pk"])
    # posted claims per batch and status, against the batch's counters (claims rows = posted + rejected claim rows)
    if period is None:
        claim_counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for batch_id, n, s in _posted_per_batch():
            claim_counts[batch_id][0] += n
            claim_counts[batch_id][1] += int(s or 0)
        for b in IngestBatch.objects.values("pk", "posted_count", "posted_fen"):
            if tuple(claim_counts[b["pk"]]) != (b["posted_count"], b["posted_fen"]) and b["pk"] not in bad_batches:
                bad_batches.append(b["pk"])
    bad_postings = []
    claims_q = Claim.objects.filter(status__in=[ClaimStatus.POSTED, ClaimStatus.REVERSED])
    postings_q = ClaimPosting.objects.filter(kind=PostingKind.CLAIMS)
    if period is not None:
        claims_q, postings_q = claims_q.filter(period=period), postings_q.filter(period=period)
    by_group = {
        (b, c, p, i, s, sc): int(total)
        for b, c, p, i, s, sc, total in claims_q.values_list(
            "batch_id", "chunk_no", "period_id", "insured_city", "service_city", "scheme"
        )
        .annotate(t=Sum("fund_payable_fen"))
        .order_by()
        if total
    }
    postings = {
        (b, c, p, i, s, sc): int(a)
        for b, c, p, i, s, sc, a in postings_q.values_list(
            "batch_id", "chunk_no", "period_id", "insured_city__code", "service_city__code", "scheme", "amount_fen"
        )
    }
    for key in sorted(set(by_group) | set(postings), key=str):
        if by_group.get(key, 0) != postings.get(key, 0):
            bad_postings.append(f"{key}: claims {by_group.get(key, 0)} ≠ posting {postings.get(key, 0)}")
    reversals = ClaimReversal.objects.all() if period is None else ClaimReversal.objects.filter(period=period)
    reversal_rows = list(reversals.values_list("claim_id", "posting_id", "period_id"))
    if reversal_rows:  # a handful; their claims (maybe of earlier periods) are found by id
        claims = {pk: (cid, fen) for pk, cid, fen in Claim.objects.filter(
            pk__in=[c for c, _, _ in reversal_rows]).values_list("pk", "claim_id", "fund_payable_fen")}  # fmt: skip
        amounts = dict(  # a reversal's posting is in the reversal's period (its partition)
            ClaimPosting.objects.filter(
                pk__in=[p for _, p, _ in reversal_rows], period_id__in={r for _, _, r in reversal_rows}
            ).values_list("pk", "amount_fen")
        )
        for claim_pk, posting_pk, _ in reversal_rows:
            cid, fen = claims.get(claim_pk, (f"#{claim_pk}", None))
            if fen is None or amounts.get(posting_pk) != fen:
                bad_postings.append(f"reversal of {cid}: {amounts.get(posting_pk)} ≠ {fen}")
    claim, batch_table, period_table = Claim._meta.db_table, IngestBatch._meta.db_table, Period._meta.db_table
    where, params = "(b.id IS NULL OR (c.period_id IS NOT NULL AND p.id IS NULL))", []
    if period is not None:
        where, params = f"c.period_id = %s AND {where}", [period.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.claim_id FROM {claim} c LEFT JOIN {batch_table} b ON b.id = c.batch_id "
            f"LEFT JOIN {period_table} p ON p.id = c.period_id WHERE {where} ORDER BY c.claim_id LIMIT 100",
            params,
        )
        orphans = [row[0] for row in cursor.fetchall()]
    return VerifyReport(ledger, not bad_batches, bad_batches, not bad_postings, bad_postings, orphans)
