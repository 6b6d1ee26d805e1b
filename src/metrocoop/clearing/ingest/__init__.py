"""The claims ingest, in steps: `context` (what is checked against, read once), `screen` (validating a chunk, no
database), `sql` (its statements), `write` (one chunk in one transaction) and `parallel` (running the chunks).
`metrocoop.clearing.services.do_ingest_claims` is the service that calls `ingest_rows`.

## Why claims post in aggregate

The target is 1,000,000 claims ingested, validated, posted and netted in ≤ 10 s on 2 cores, within 2× of a bare
bulk load of the same rows (docs/clearing.md "Figures"). A ledger transfer per claim would double the rows
written and add a SHA-256 chain step per claim: the ledger alone would cost more than the bare load. So claims are
posted per **posting group** = (ingest batch, chunk, period, insured city, service city, scheme): one transfer for
the sum of the group's fund-payable amounts, recorded as a `ClaimPosting` with its claim count. Every claim keeps
its batch, chunk, period, cities and scheme, so `Claim.posting()` finds the transfer its amount went into, and
the posting shows how its amount was computed (Σ of its claims, `verify_clearing` re-adds them). A reversal
posts its own transfer for the one claim.

The rows are processed in chunks (default 20,000); each chunk is one transaction that inserts its claims (bulk
`INSERT … ON CONFLICT DO NOTHING`; on PostgreSQL binary `COPY`, see `sql`), posts its groups to the ledger and
adds its counts to the batch. A process killed mid-file leaves whole chunks; running the file again finds those
claims already there (same content: duplicates, nothing posted twice).

Idempotency: a claim id that exists with the same content hash is a duplicate (no effect); with another hash it
is a conflict, recorded as an `IngestRejection` (never an overwrite). A rejected claim also keeps its id.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from metrocoop.clearing.choices import BatchStatus
from metrocoop.clearing.ingest.context import (
    AUTHORISATIONS_BY_PERSON_UP_TO,
    IngestContext,
    ingest_context,
    month_bounds,
    valid_periods,
)
from metrocoop.clearing.ingest.parallel import collector_paused, ingest_chunks
from metrocoop.clearing.ingest.screen import Checker
from metrocoop.clearing.ingest.write import Ingest, IngestResult
from metrocoop.clearing.ledger_accounts import ensure_city_accounts
from metrocoop.clearing.models import IngestBatch
from metrocoop.clearing.partitions import ensure_partitions
from metrocoop.clearing.policies import submitter_scope
from metrocoop.clearing.reader import ClaimSource
from metrocoop.core.audit import AuditAction, acting, log_event
from metrocoop.core.models import City
from metrocoop.core.permissions import Action, require

DEFAULT_CHUNK = 20_000


def ingest_rows(
    source: ClaimSource,
    *,
    actor: Any,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int, int], None] | None = None,
    parallel: bool = False,
) -> IngestResult:
    """Ingest a readable claims source: each claim posted or rejected with its reason, duplicates ignored,
    conflicts recorded. Chunks commit one by one (see the module docstring); with ``parallel`` a forked second
    process takes every other chunk (`ingest_chunks`; for the command line and the benchmark, not for web
    requests)."""
    started = time.perf_counter()
    scope = submitter_scope(actor)
    with transaction.atomic(), acting(actor):
        batch = IngestBatch(
            source=source.name[:300], file_sha256=source.sha256, city=scope.city, domain=scope.domain,
            submitted_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        require(actor, Action.ADD, batch)
        batch.save()
        log_event(batch, actor=actor, action=AuditAction.CREATE, source=(None, batch.source), rows=(None, len(source)))
    ensure_city_accounts()
    persons = None
    if len(source) <= AUTHORISATIONS_BY_PERSON_UP_TO and not source.streamed:
        persons = sorted({r[5] for r in source.rows if len(r) > 5 and isinstance(r[5], str) and r[5]})
    postgresql = connection.vendor == "postgresql"
    checker = Checker(ingest_context(persons), scope, iso_dates=not postgresql, arrow_posted=postgresql)
    ensure_partitions(checker.context.periods.values())  # periods made without do_open_period (PostgreSQL)
    city_ids = dict(City.objects.values_list("code", "pk"))
    result = IngestResult(batch_id=batch.pk, source=batch.source)
    ingest = Ingest(checker, source, chunk_size, batch, city_ids, actor, persons)
    with collector_paused():
        ingest_chunks(ingest, result, progress, parallel)
    with transaction.atomic(), acting(actor):
        IngestBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.COMPLETED, finished_at=timezone.now())
        batch.refresh_from_db()
        log_event(batch, actor=actor, status=(BatchStatus.RUNNING, BatchStatus.COMPLETED))
    result.seconds = time.perf_counter() - started
    return result


__all__ = [
    "AUTHORISATIONS_BY_PERSON_UP_TO",
    "DEFAULT_CHUNK",
    "IngestContext",
    "IngestResult",
    "collector_paused",
    "ingest_context",
    "ingest_rows",
    "month_bounds",
    "valid_periods",
]
