"""Every state change of the clearing house: ingest, reversal (冲正), period close, payment confirmation, and the
catalogue and authorisation writes. Each checks access through core.permissions and writes its audit entry in
its transaction (CONVENTIONS.md).

## Ingest: why claims post in aggregate

The target is 1,000,000 claims ingested, validated, posted and netted in ≤ 10 s on 2 cores, within 2× of a bare
bulk load of the same rows (DESIGN.md "Targets"). A ledger transfer per claim would double the rows written and
add a SHA-256 chain step per claim: the ledger alone would cost more than the bare load. So claims are posted per
**posting group** = (ingest batch, chunk, period, insured city, service city, scheme): one transfer for the sum of
the group's fund-payable amounts, recorded as a `ClaimPosting` with its claim count. Every claim keeps its batch,
chunk, period, cities and scheme, so `Claim.posting()` finds the transfer its amount went into, and the posting
shows how its amount was computed (Σ of its claims, `verify_clearing` re-adds them). A reversal posts its own
transfer for the one claim.

The rows are processed in chunks (default 20,000); each chunk is one transaction that inserts its claims (bulk
`INSERT … ON CONFLICT DO NOTHING`; on PostgreSQL through `COPY` into a temporary staging table), posts its
groups to the ledger and adds its counts to the batch. A process killed mid-file leaves whole chunks; running
the file again finds those claims already there (same content: duplicates, nothing posted twice).

Idempotency: a claim id that exists with the same content hash is a duplicate (no effect); with another hash it
is a conflict, recorded as an `IngestRejection` (never an overwrite). A rejected claim also keeps its id.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing as mp
import os
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from metrocoop.clearing.choices import (
    AuthorisationStatus,
    BatchStatus,
    ClaimStatus,
    InstructionStatus,
    PeriodStatus,
    PostingKind,
    RejectCode,
)
from metrocoop.clearing.engine import netting
from metrocoop.clearing.engine.validation import (
    ClaimIn,
    ClaimItem,
    ValidationContext,
    explain_claim,
    validate_claim,
)
from metrocoop.clearing.models import (
    Authorisation,
    CatalogueEntry,
    Claim,
    ClaimPosting,
    ClaimReversal,
    IngestBatch,
    IngestRejection,
    Period,
    PeriodPosition,
    Scheme,
    SettlementInstruction,
)
from metrocoop.clearing.reader import ClaimSource, iter_chunks
from metrocoop.core.audit import acting, log_event
from metrocoop.core.choices import Domain, Role
from metrocoop.core.models import City
from metrocoop.core.permissions import Action, can, require, scopes_of
from metrocoop.ledger import engine as ledger_engine
from metrocoop.ledger.models import ChainHead
from metrocoop.ledger.services import ensure_account, post_transfers, verify_ledger

CLEARING_DOMAINS = (Domain.MEDICAL_INSURANCE, Domain.CIVIL_AFFAIRS)
DEFAULT_CHUNK = 20_000
CLAIM_CODE = "clearing.claims"
REVERSAL_CODE = "clearing.reversal"
PAYMENT_CODE = "clearing.payment"


class ClearingError(ValidationError):
    """A refused clearing action, with a bilingual message; nothing was changed."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(f"{zh} {en}")


def account_code(city_code: str) -> str:
    """The ledger account of a city's clearing position (balance = receivable − payable, positive = receives)."""
    return f"clearing:{city_code}"


def ensure_city_accounts(cities: Sequence[City] | None = None) -> None:
    for city in cities if cities is not None else City.objects.all():
        ensure_account(
            account_code(city.code),
            name_zh=f"{city.name_zh}跨市结算头寸",
            name_en=f"{city.name_en} clearing position",
            kind="clearing",
            owner_app="clearing",
            city=city,
        )


# --- validation context --------------------------------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return first, date.fromordinal(nxt.toordinal() - 1)


def build_context() -> ValidationContext:
    """Everything the engine checks against, read once per ingest: members, open periods, authorisations (not
    revoked), catalogues and schemes from the database."""
    open_periods = list(Period.objects.filter(status=PeriodStatus.OPEN).values_list("year", "month"))
    members: set[str] = set()
    for year, month in open_periods:
        first, last = month_bounds(year, month)
        members |= set(City.objects.members_on(first).values_list("code", flat=True))
        members |= set(City.objects.members_on(last).values_list("code", flat=True))
    schemes = dict(Scheme.objects.values_list("code", "needs_authorisation"))
    authorisations: dict[tuple[str, str, str, str], list] = defaultdict(list)
    codes = dict(City.objects.values_list("pk", "code"))
    scheme_codes = dict(Scheme.objects.values_list("pk", "code"))
    days: dict[Any, date | None] = {None: None}

    def day(value: Any) -> date | None:
        # Raw rows: SQLite gives ISO text, PostgreSQL dates; the ORM's per-row converters cost seconds at 10⁵ rows.
        found = days.get(value, False)
        if found is False:
            found = days[value] = value if isinstance(value, date) else date.fromisoformat(value)
        return found

    table = Authorisation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT person_ref, insured_city_id, service_city_id, scheme_id, valid_from, valid_until FROM {table} "
            "WHERE status <> %s",
            [AuthorisationStatus.REVOKED],
        )
        while batch := cursor.fetchmany(50_000):
            for person, insured, service, scheme, start, end in batch:
                key = (person, codes[insured], codes[service], scheme_codes[scheme])
                authorisations[key].append((day(start), day(end)))
    catalogues: dict[tuple[str, str], dict[str, tuple]] = defaultdict(dict)
    for city, scheme, item, start, end in CatalogueEntry.objects.values_list(
        "city__code", "scheme__code", "item_code", "valid_from", "valid_until"
    ):
        catalogues[city, scheme][item] = (start, end)
    return ValidationContext(
        member_cities=frozenset(members),
        open_periods=frozenset(open_periods),
        authorisations=authorisations,
        catalogues=catalogues,
        authorisation_schemes=frozenset(code for code, needs in schemes.items() if needs),
        schemes=frozenset(schemes),
    )


# --- ingest ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitterScope:
    """What a submitter may claim for: the service city and the schemes of its bureau (None: the office, all)."""

    city: City | None
    domain: str
    schemes: frozenset[str] | None

    @property
    def city_code(self) -> str | None:
        return self.city.code if self.city else None


def submitter_scope(actor: Any) -> SubmitterScope:
    """The office submits for every city; a city's medical-insurance or civil-affairs bureau for its own city as
    service city and its own schemes. Anybody else may not submit."""
    scopes = scopes_of(actor)
    if Role.OFFICE in scopes.roles:
        return SubmitterScope(city=None, domain="", schemes=None)
    for city_id, domain in sorted(scopes.department_scopes):
        if domain in CLEARING_DOMAINS:
            schemes = frozenset(Scheme.objects.filter(domain=domain).values_list("code", flat=True))
            return SubmitterScope(city=City.objects.get(pk=city_id), domain=domain, schemes=schemes)
    raise PermissionDenied(_("Only the office or a city's medical-insurance or civil-affairs bureau submits claims."))


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

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


_INSERT_COLUMNS = (
    "claim_id", "content_hash", "batch_id", "chunk_no", "status", "reject_code", "reject_detail_zh",
    "reject_detail_en", "scheme", "insured_city", "service_city", "provider", "person_ref", "service_date", "items",
    "total_fen", "fund_payable_fen", "period_id",
)  # fmt: skip
_POSTED = ClaimStatus.POSTED.value
_REJECTED = ClaimStatus.REJECTED.value


def _to_int(value: Any) -> Any:
    """An int from a file cell, or the value unchanged (the engine then rejects it as inconsistent)."""
    if type(value) is int:
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _parse_item(token: str) -> ClaimItem | None:
    parts = token.split(":")
    if len(parts) != 4:
        return None
    return ClaimItem(parts[0], _to_int(parts[1]), _to_int(parts[2]), _to_int(parts[3]))


class _ChunkWork:
    """The outcome of validating one chunk in Python, before anything is written."""

    __slots__ = ("amounts", "explain", "groups", "numbers", "rows")

    def __init__(self) -> None:
        self.rows: list[tuple] = []  # insert tuples, one per distinct claim id of the chunk
        self.numbers: list[int] = []  # the row number of each insert tuple
        self.amounts: list[int] = []
        self.groups: list[tuple | None] = []  # posting group key of each row (None: rejected)
        self.explain: list[tuple[int, str, int, str]] = []  # repeats: (row number, claim id, payable, hash)


class _Claim:
    """The engine's `ClaimIn` shape as a plain slotted class for the hot loop.

    `validate_claim` and `explain_claim` read attributes only; building a frozen dataclass costs ten
    `object.__setattr__` calls per claim, which at a million claims is a second of the budget. `claim_in()` gives
    the engine's own `ClaimIn` where one is kept or shown."""

    __slots__ = (
        "claim_id",
        "fund_payable_fen",
        "insured_city",
        "items",
        "person_ref",
        "provider",
        "scheme",
        "service_city",
        "service_date",
        "total_fen",
    )  # fmt: skip

    def __init__(self, claim_id, scheme, insured_city, service_city, provider, person_ref, service_date, items,
                 total_fen, fund_payable_fen) -> None:  # fmt: skip
        self.claim_id = claim_id
        self.scheme = scheme
        self.insured_city = insured_city
        self.service_city = service_city
        self.provider = provider
        self.person_ref = person_ref
        self.service_date = service_date
        self.items = items
        self.total_fen = total_fen
        self.fund_payable_fen = fund_payable_fen

    def claim_in(self) -> ClaimIn:
        return ClaimIn(*(getattr(self, name) for name in self.__slots__))


def _validate_chunk(
    rows: Sequence[Sequence[Any]],
    first_row: int,
    batch_id: int,
    chunk_no: int,
    ctx: ValidationContext,
    scope: SubmitterScope,
    periods: dict[tuple[int, int], int],
    date_cache: dict[Any, tuple[date, Any, int | None] | None],
    item_cache: dict[str, ClaimItem | None],
    iso_dates: bool,
) -> _ChunkWork:
    """The hot loop: parse, validate with the pure engine, hash, and build the insert tuples (no database).

    Kept flat on purpose (no helper calls on the path of a good claim): see the module docstring's target."""
    work = _ChunkWork()
    out_rows, out_groups, out_amounts, out_numbers = work.rows, work.groups, work.amounts, work.numbers
    seen: set[str] = set()
    scope_city, scope_schemes = scope.city_code, scope.schemes
    blake = hashlib.blake2b
    validate = validate_claim
    posted, rejected = _POSTED, _REJECTED
    for number, row in enumerate(rows, first_row):
        if len(row) != 10:
            row = (list(row) + [""] * 10)[:10]
        cid, scheme, insured, service, provider, person, sday, items_s, total, payable = row
        if type(cid) is not str:
            cid = "" if cid is None else str(cid)
        if type(total) is not int:
            try:  # noqa: SIM105  (contextlib.suppress costs a call per claim)
                total = int(total)
            except (TypeError, ValueError):
                pass
        if type(payable) is not int:
            try:  # noqa: SIM105
                payable = int(payable)
            except (TypeError, ValueError):
                pass
        day_info = date_cache.get(sday)
        if day_info is None:
            try:
                parsed = sday if isinstance(sday, date) else date.fromisoformat(str(sday))
                day_info = (
                    parsed,
                    parsed.isoformat() if iso_dates else parsed,
                    periods.get((parsed.year, parsed.month)),
                )
            except ValueError:
                day_info = (None, None, None)
            date_cache[sday] = day_info
        if type(items_s) is not str:
            items_s = "" if items_s is None else str(items_s)
        items = []
        readable = True
        for token in items_s.split(";"):
            item = item_cache.get(token)
            if item is None:
                item = item_cache[token] = _parse_item(token)
                if item is None:
                    readable = False
            items.append(item)
        digest = blake(
            f"{cid}\x1f{scheme}\x1f{insured}\x1f{service}\x1f{provider}\x1f{person}\x1f{sday}\x1f{items_s}\x1f{total}\x1f{payable}".encode(),
            digest_size=16,
        ).hexdigest()
        amount = payable if type(payable) is int else 0
        if not cid or cid in seen:
            work.explain.append((number, cid, amount, digest))
            continue
        seen.add(cid)
        out_numbers.append(number)
        day = day_info[0]
        if (
            day is None
            or not readable
            or type(total) is not int
            or type(payable) is not int
            or len(cid) > 64
            or type(provider) is not str
            or len(provider) > 100
            or type(person) is not str
            or len(person) > 64
        ):
            code = RejectCode.MALFORMED_ROW.value
            what = (
                "service_date" if day is None else "items" if not readable
                else "total_fen/fund_payable_fen" if type(total) is not int or type(payable) is not int
                else "claim_id/provider/person_ref"
            )  # fmt: skip
            detail = (f"无法读取字段 {what}", f"field {what} cannot be read or is too long")
        elif scope_city is not None and (service != scope_city or scheme not in scope_schemes):
            code = RejectCode.OUTSIDE_SCOPE.value
            detail = (
                f"提交方只能提交服务地为 {scope_city}、本部门类别的结算单",
                f"the submitter may only submit claims served in {scope_city} of its own schemes",
            )
        else:
            claim = _Claim(cid, scheme, insured, service, provider, person, day, items, total, payable)
            reason = validate(claim, ctx)  # type: ignore[arg-type]  # ClaimIn's shape, see _Claim
            if reason is None:
                out_groups.append((day_info[2], insured, service, scheme))
                out_amounts.append(amount)
                out_rows.append(
                    (cid, digest, batch_id, chunk_no, posted, "", "", "", scheme, insured, service, provider, person,
                     day_info[1], items_s, total, amount, day_info[2])
                )  # fmt: skip
                continue
            code = reason.value
            verdict = explain_claim(claim, ctx)  # type: ignore[arg-type]
            detail = (verdict.detail_zh[:500], verdict.detail_en[:500]) if verdict else ("", "")
        out_groups.append(None)
        out_amounts.append(amount)
        out_rows.append(
            (
                cid[:64], digest, batch_id, chunk_no, rejected, code, detail[0], detail[1], str(scheme)[:30],
                str(insured)[:8], str(service)[:8], str(provider)[:100], str(person)[:64], day_info[1], items_s,
                total if type(total) is int else 0, amount, day_info[2],
            )
        )  # fmt: skip
    return work


def _insert_claims(rows: list[tuple]) -> int:
    """Insert the chunk's claims, skipping claim ids that already exist; returns how many were inserted."""
    if not rows:
        return 0
    table = Claim._meta.db_table
    cols = ", ".join(_INSERT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3 cursor: COPY into a staging table, then one INSERT … ON CONFLICT
            raw.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS clearing_claim_staging ON COMMIT DELETE ROWS AS "
                f"SELECT {cols} FROM {table} WITH NO DATA"
            )
            with raw.copy(f"COPY clearing_claim_staging ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            raw.execute(
                # in claim-id order, so that concurrent ingests of overlapping files wait on each other's
                # unique-index entries in one order and cannot deadlock
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM clearing_claim_staging ORDER BY claim_id "
                "ON CONFLICT (claim_id) DO NOTHING"
            )
            inserted = raw.rowcount
            raw.execute("TRUNCATE clearing_claim_staging")
            return inserted
        marks = ", ".join("?" * len(_INSERT_COLUMNS))
        raw = cursor.cursor  # sqlite3 cursor: executemany without Django's per-row wrapping
        raw.executemany(f"INSERT OR IGNORE INTO {table} ({cols}) VALUES ({marks})", rows)
        return raw.rowcount


def _existing_hashes(claim_ids: list[str]) -> dict[str, tuple[str, int, int]]:
    """claim id → (content hash, batch, chunk) of the stored claims among ``claim_ids`` (raw SQL in batches of
    5,000 ids: the duplicate path of a re-sent file looks up every claim)."""
    found: dict[str, tuple[str, int, int]] = {}
    table = Claim._meta.db_table
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


def _lock_open_periods() -> frozenset[tuple[int, int]]:
    """The open periods, locked against a close for the rest of the transaction (FOR SHARE on PostgreSQL; on
    SQLite the write transaction already excludes every other writer)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT year, month FROM {Period._meta.db_table} WHERE status = %s FOR SHARE", [PeriodStatus.OPEN]
            )
            return frozenset(cursor.fetchall())
    return frozenset(Period.objects.filter(status=PeriodStatus.OPEN).values_list("year", "month"))


def _slow_test_hook(name: str) -> None:
    """Crash tests pause here (METROCOOP_CLEARING_TEST_PAUSE="ingest:0.2" or "close:5") to be killed mid-way."""
    spec = os.environ.get("METROCOOP_CLEARING_TEST_PAUSE", "")
    if spec.startswith(name + ":"):
        import sys

        sys.stderr.write(f"clearing-test-pause:{name}\n")
        sys.stderr.flush()
        time.sleep(float(spec.split(":", 1)[1]))


def _producer(send, rows, chunk_size, args) -> None:  # pragma: no cover  (runs in the forked child)
    """The forked validator: validates chunk after chunk and sends them to the writer. Pure work only: the child
    never touches the database connection it inherited, and a writer that dies closes the pipe, which ends it."""
    try:
        for chunk_no, part in iter_chunks(rows, chunk_size):
            send.send((chunk_no, _validate_chunk(part, chunk_no * chunk_size + 2, args[0], chunk_no, *args[1:])))
    except BaseException as exc:
        with contextlib.suppress(Exception):  # the writer may be gone
            send.send(exc)
    finally:
        send.close()


def _validated_chunks(rows, chunk_size, args, parallel: bool):
    """(chunk number, validated work) for each chunk, in order.

    With ``parallel`` (and more than two chunks) a forked child validates chunk k + 1 while this process writes
    chunk k: the two cores of the target machine each take one half of the work (validation is pure Python,
    writing is the database's). The child inherits the rows and the context by fork, so only the validated
    tuples cross the pipe. Without fork (or for small sources) it runs in this process."""
    chunks = (len(rows) + chunk_size - 1) // chunk_size
    if not parallel or chunks < 3 or "fork" not in mp.get_all_start_methods():
        for chunk_no, part in iter_chunks(rows, chunk_size):
            yield chunk_no, _validate_chunk(part, chunk_no * chunk_size + 2, args[0], chunk_no, *args[1:])
        return
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_producer, args=(send, rows, chunk_size, args), daemon=True)
    child.start()
    send.close()
    try:
        for _ in range(chunks):
            message = receive.recv()
            if isinstance(message, BaseException):
                raise message
            yield message
    finally:
        receive.close()
        child.join(timeout=10)
        if child.is_alive():
            child.kill()


def ingest_rows(
    source: ClaimSource,
    *,
    actor: Any,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int, int], None] | None = None,
    parallel: bool = False,
) -> IngestResult:
    """Ingest a readable claims source: each claim posted or rejected with its reason, duplicates ignored,
    conflicts recorded. Chunks commit one by one (see the module docstring); ``parallel`` validates in a forked
    child while this process writes (for the command line and the benchmark, not for web requests)."""
    started = time.perf_counter()
    scope = submitter_scope(actor)
    with transaction.atomic(), acting(actor):
        batch = IngestBatch(
            source=source.name[:300], file_sha256=source.sha256, city=scope.city, domain=scope.domain,
            submitted_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        require(actor, Action.ADD, batch)
        batch.save()
        log_event(batch, actor=actor, action=0, source=(None, batch.source), rows=(None, len(source)))
    ensure_city_accounts()
    ctx = build_context()
    periods = {(y, m): pk for pk, y, m in Period.objects.values_list("pk", "year", "month")}
    city_ids = dict(City.objects.values_list("code", "pk"))
    result = IngestResult(batch_id=batch.pk, source=batch.source)
    date_cache: dict[Any, Any] = {}
    item_cache: dict[str, Any] = {}
    iso = connection.vendor == "sqlite"
    total_rows = len(source)
    args = (batch.pk, ctx, scope, periods, date_cache, item_cache, iso)
    validated_with = ctx.open_periods
    for chunk_no, work in _validated_chunks(source.rows, chunk_size, args, parallel):
        # row numbers as a spreadsheet shows them (the header is row 1)
        first_row = chunk_no * chunk_size + 2
        rows = source.rows[chunk_no * chunk_size : (chunk_no + 1) * chunk_size]
        with transaction.atomic(), acting(actor):
            now_open = _lock_open_periods()
            if now_open != validated_with:  # a period closed or opened meanwhile: validate this chunk again
                if now_open != ctx.open_periods:
                    ctx, date_cache = build_context(), {}
                    periods = {(y, m): pk for pk, y, m in Period.objects.values_list("pk", "year", "month")}
                work = _validate_chunk(
                    rows, first_row, batch.pk, chunk_no, ctx, scope, periods, date_cache, item_cache, iso
                )
            _write_chunk(batch, chunk_no, work, city_ids, result, actor)
        _slow_test_hook("ingest")
        if progress is not None:
            progress(min(total_rows, (chunk_no + 1) * chunk_size), total_rows)
    with transaction.atomic(), acting(actor):
        IngestBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.COMPLETED, finished_at=timezone.now())
        batch.refresh_from_db()
        log_event(batch, actor=actor, status=(BatchStatus.RUNNING, BatchStatus.COMPLETED))
    result.seconds = time.perf_counter() - started
    return result


def _write_chunk(
    batch: IngestBatch, chunk_no: int, work: _ChunkWork, city_ids: dict[str, int], result: IngestResult, actor: Any
) -> None:
    inserted = _insert_claims(work.rows)
    rows, groups, amounts = work.rows, work.groups, work.amounts
    new_flags = [True] * len(rows)
    duplicates: list[tuple[int, str, int]] = []  # (row number, claim id, amount)
    conflicts: list[IngestRejection] = []
    if inserted != len(rows) or work.explain:
        ids = [r[0] for r in rows] + [cid for _, cid, _, _ in work.explain if cid]
        found = _existing_hashes(ids)
        mine = {cid for cid, (_h, b, c) in found.items() if b == batch.pk and c == chunk_no}
        existing = {cid: (h, b) for cid, (h, b, _c) in found.items() if cid not in mine}
        for i, r in enumerate(rows):
            if r[0] in mine:
                continue
            new_flags[i] = False
            digest, amount, number = r[1], r[16], work.numbers[i]
            if existing[r[0]][0] == digest:
                duplicates.append((number, r[0], amount))
            else:
                conflicts.append(_conflict(batch, number, r[0], digest, amount, existing[r[0]][0]))
        for number, cid, amount, digest in work.explain:
            if not cid:
                conflicts.append(
                    IngestRejection(
                        batch=batch, row_number=number, claim_id="", content_hash=digest,
                        reject_code=RejectCode.MALFORMED_ROW, detail_zh="缺少结算单号", detail_en="no claim id",
                        fund_payable_fen=amount,
                    )
                )  # fmt: skip
            elif (cid in existing and existing[cid][0] == digest) or (cid in mine and found[cid][0] == digest):
                duplicates.append((number, cid, amount))
            else:
                conflicts.append(_conflict(batch, number, cid, digest, amount, found.get(cid, ("",))[0]))
    sums: dict[tuple, list[int]] = {}
    posted = posted_fen = rejected = rejected_fen = 0
    for i, r in enumerate(rows):
        if not new_flags[i]:
            continue
        key = groups[i]
        if key is None:
            rejected += 1
            rejected_fen += amounts[i]
            result.reasons[r[5]] = result.reasons.get(r[5], 0) + 1
        else:
            posted += 1
            posted_fen += amounts[i]
            acc = sums.get(key)
            if acc is None:
                sums[key] = [1, amounts[i]]
            else:
                acc[0] += 1
                acc[1] += amounts[i]
    transfers, postings = [], []
    for (period_id, insured, service, scheme), (count, amount) in sorted(sums.items(), key=lambda kv: str(kv[0])):
        if amount <= 0:
            continue  # claims with nothing fund-payable move no money; they are posted with no transfer
        client_id = f"clearing:b{batch.pk}:c{chunk_no}:p{period_id}:{insured}>{service}:{scheme}"
        transfers.append(
            ledger_engine.Transfer(
                id=client_id, debit_account=account_code(service), credit_account=account_code(insured),
                amount_fen=amount, code=CLAIM_CODE, memo=f"{count} claim(s)",
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
    _insert_postings(postings)
    IngestRejection.objects.bulk_create(conflicts)
    dup_fen = sum(a for _, _, a in duplicates)
    conflict_fen = sum(c.fund_payable_fen for c in conflicts)
    received = len(rows) + len(work.explain)
    received_fen = sum(amounts) + sum(e[2] for e in work.explain)
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


_POSTING_COLUMNS = (
    "period_id", "batch_id", "chunk_no", "kind", "insured_city_id", "service_city_id", "scheme", "claim_count",
    "amount_fen", "transfer_id",
)  # fmt: skip


def _insert_postings(postings: list[ClaimPosting]) -> None:
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


def _conflict(batch, number, cid, digest, amount, existing_hash) -> IngestRejection:
    return IngestRejection(
        batch=batch, row_number=number, claim_id=cid, content_hash=digest, reject_code=RejectCode.CONFLICT,
        detail_zh=f"结算单号 {cid} 已存在且内容不同（原内容保留，未覆盖）",
        detail_en=f"claim id {cid} already exists with other content (the original stands; not overwritten)",
        fund_payable_fen=amount,
    )  # fmt: skip


def do_ingest_claims(
    source: ClaimSource, *, actor: Any, chunk_size: int = DEFAULT_CHUNK, progress=None, parallel: bool = False
) -> IngestResult:
    """Ingest claims for `actor` (the office, or a city's bureau for claims served in its city)."""
    return ingest_rows(source, actor=actor, chunk_size=chunk_size, progress=progress, parallel=parallel)


# --- reversal (冲正) and adjustments ------------------------------------------------------------------------------


def _next_open_period(after: Period) -> Period | None:
    return (
        Period.objects.select_for_update()
        .filter(status=PeriodStatus.OPEN)
        .filter(Q(year__gt=after.year) | Q(year=after.year, month__gt=after.month))
        .order_by("year", "month")
        .first()
    )


def do_reverse_claim(claim: Claim, reason: str, *, actor: Any) -> ClaimReversal:
    """冲正 a posted claim: a counter-posting service city → insured city for its fund-payable amount.

    In the claim's own period while it is open; once that period is closed, as an adjustment in the next open
    period (closed periods never change). A claim is reversed at most once; the same request twice is refused.
    """
    if not reason or not reason.strip():
        raise ClearingError("请说明冲正原因。", "Give a reason for the reversal.")
    with transaction.atomic(), acting(actor):
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        require(actor, "reverse", claim)
        if claim.status != ClaimStatus.POSTED:
            raise ClearingError("只有已记账的结算单可以冲正。", "Only a posted claim can be reversed.")
        own = Period.objects.select_for_update().get(pk=claim.period_id)
        period, adjustment = own, False
        if own.status != PeriodStatus.OPEN:
            period, adjustment = _next_open_period(own), True
            if period is None:
                raise ClearingError(
                    "结算期已关闭，且没有之后的开放结算期可记调整。",
                    "The claim's period is closed and no later period is open for the adjustment.",
                )
        cities = dict(City.objects.filter(code__in=[claim.insured_city, claim.service_city]).values_list("code", "pk"))
        amount = int(claim.fund_payable_fen)
        transfer = None
        if amount > 0:
            transfer = post_transfers(
                [
                    ledger_engine.Transfer(
                        id=f"clearing:reversal:{claim.claim_id}", debit_account=account_code(claim.insured_city),
                        credit_account=account_code(claim.service_city), amount_fen=amount, code=REVERSAL_CODE,
                        memo=f"{'adjustment' if adjustment else 'reversal'} of claim {claim.claim_id}"[:300],
                    )
                ],
                actor=actor,
            )[0].transfer  # fmt: skip
        if transfer is None:
            raise ClearingError(
                "该结算单没有基金支付金额，无需冲正。", "The claim has no fund-payable amount to reverse."
            )
        posting = ClaimPosting.objects.create(
            period=period, batch=None, chunk_no=0, kind=PostingKind.REVERSAL,
            insured_city_id=cities[claim.insured_city], service_city_id=cities[claim.service_city],
            scheme=claim.scheme, claim_count=1, amount_fen=amount, transfer=transfer,
        )  # fmt: skip
        reversal = ClaimReversal.objects.create(
            claim=claim, period=period, is_adjustment=adjustment, posting=posting, reason=reason.strip()[:300],
            created_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.REVERSED)
        claim.refresh_from_db()
        log_event(claim, actor=actor, status=(ClaimStatus.POSTED, ClaimStatus.REVERSED))
        require(actor, "reverse", claim)
    return reversal


# --- periods --------------------------------------------------------------------------------------------------


def do_open_period(year: int, month: int, *, actor: Any) -> Period:
    """Open a monthly period (idempotent: an existing period is returned as it is)."""
    with transaction.atomic(), acting(actor):
        period = Period.objects.filter(year=year, month=month).first()
        if period is not None:
            require(actor, Action.VIEW, period)
            return period
        period = Period(year=year, month=month)
        require(actor, Action.ADD, period)
        period.full_clean()
        period.save()
        require(actor, Action.ADD, period)
    return period


def period_obligations(period: Period) -> list[tuple[str, str, int]]:
    """(debtor, creditor, fen) of a period: claims postings less reversals per city pair; a pair whose reversals
    exceed its claims (adjustments of an earlier period) owes the other way."""
    net: dict[tuple[str, str], int] = defaultdict(int)
    rows = (
        ClaimPosting.objects.filter(period=period)
        .values_list("insured_city__code", "service_city__code", "kind")
        .annotate(s=Sum("amount_fen"))
        .order_by()
    )
    for insured, service, kind, amount in rows:
        net[insured, service] += int(amount) if kind == PostingKind.CLAIMS else -int(amount)
    obligations = []
    for (insured, service), amount in sorted(net.items()):
        if amount > 0:
            obligations.append((insured, service, amount))
        elif amount < 0:
            obligations.append((service, insured, -amount))
    return obligations


def preview_period(period: Period) -> netting.ClearingResult:
    first, last = month_bounds(period.year, period.month)
    members = set(City.objects.members_on(first).values_list("code", flat=True)) | set(
        City.objects.members_on(last).values_list("code", flat=True)
    )
    obligations = period_obligations(period)
    members |= {c for d, cr, _ in obligations for c in (d, cr)}
    return netting.clear_obligations(obligations, sorted(members))


@dataclass
class VerifyReport:
    """The invariants: debits = credits, balances recomputed = stored, the chain verifies (ledger); every batch's
    received = posted + rejected + duplicates; every posting's amount = Σ of its claims; the claims of posted
    groups equal the postings per period."""

    ledger: dict[str, Any]
    batches_ok: bool
    bad_batches: list[int]
    postings_ok: bool
    bad_postings: list[str]

    @property
    def ok(self) -> bool:
        return bool(self.ledger["ok"]) and self.batches_ok and self.postings_ok

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, **self.__dict__}


def verify_clearing(period: Period | None = None) -> VerifyReport:
    """Check every invariant (for one period's postings, or all)."""
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
    claim_counts = defaultdict(lambda: [0, 0])
    for batch_id, status, n, s in (
        Claim.objects.values_list("batch_id", "status").annotate(n=Count("pk"), s=Sum("fund_payable_fen")).order_by()
    ):
        if status in (ClaimStatus.POSTED, ClaimStatus.REVERSED):
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
    for r in ClaimReversal.objects.select_related("claim", "posting"):
        if r.posting.amount_fen != r.claim.fund_payable_fen:
            bad_postings.append(f"reversal of {r.claim.claim_id}: {r.posting.amount_fen} ≠ {r.claim.fund_payable_fen}")
    return VerifyReport(ledger, not bad_batches, bad_batches, not bad_postings, bad_postings)


def do_close_period(period: Period, *, actor: Any) -> Period:
    """Close a period atomically: open → closing → closed in one transaction, so a close that fails or is killed
    leaves the period open and unchanged. Checks every invariant first; stores per-city gross receivable, payable
    and net (summing to zero), the gross matrix, and the fewest settlement instructions (engine `settle`)."""
    with transaction.atomic(), acting(actor):
        period = Period.objects.select_for_update().get(pk=period.pk)
        require(actor, "close", period)
        if period.status != PeriodStatus.OPEN:
            raise ClearingError(f"结算期 {period.code} 不是开放状态。", f"Period {period.code} is not open.")
        Period.objects.filter(pk=period.pk).update(status=PeriodStatus.CLOSING)
        report = verify_clearing(period)
        if not report.ok:
            raise ClearingError(
                f"不变量检查未通过，结算期未关闭：{report.as_dict()}",
                f"An invariant does not hold; the period stays open: {report.as_dict()}",
            )
        result = preview_period(period)
        nets = result.net_positions
        if sum(nets.values()) != 0:  # the engine guarantees it; a close must never store anything else
            raise ClearingError("净头寸之和不为零。", "Net positions do not sum to zero.")
        cities = dict(City.objects.values_list("code", "pk"))
        PeriodPosition.objects.bulk_create(
            PeriodPosition(
                period=period, city_id=cities[code], receivable_fen=p.receivable_fen, payable_fen=p.payable_fen,
                net_fen=p.net_fen,
            )
            for code, p in result.positions.items()
        )  # fmt: skip
        SettlementInstruction.objects.bulk_create(
            SettlementInstruction(
                period=period, payer_id=cities[i.payer], payee_id=cities[i.payee], amount_fen=i.amount_fen
            )
            for i in result.plan.instructions
        )
        _slow_test_hook("close")
        claim_count = Claim.objects.filter(period=period).values("status").annotate(n=Count("pk")).order_by()
        head = ChainHead.objects.filter(pk=1).first()
        _mark_authorisations_used(period)
        period.status = PeriodStatus.CLOSED
        period.closed_at = timezone.now()
        period.closed_by = actor if getattr(actor, "pk", None) else None
        period.ledger_head = head.last_hash if head else ledger_engine.GENESIS_HASH
        period.result = {
            "cities": list(result.cities),
            "matrix": {d: dict(row) for d, row in result.matrix.items()},
            "method": result.plan.method,
            "minimal": result.plan.minimal,
            "steps": list(result.plan.steps),
            "groups": [list(g) for g in result.plan.groups],
            "claims": {row["status"]: row["n"] for row in claim_count},
            "obligations": len(period_obligations(period)),
            "verify": report.as_dict(),
        }
        period.save()
        log_event(period, actor=actor, status=(PeriodStatus.OPEN, PeriodStatus.CLOSED))
        require(actor, "close", period)
    return period


def _mark_authorisations_used(period: Period) -> None:
    """Authorisations a posted claim of the period relied on become `used`."""
    first, last = month_bounds(period.year, period.month)
    schemes = list(Scheme.objects.filter(needs_authorisation=True).values_list("code", flat=True))
    refs = (
        Claim.objects.filter(period=period, status=ClaimStatus.POSTED, scheme__in=schemes)
        .values_list("person_ref", flat=True)
        .distinct()
    )
    Authorisation.objects.filter(status=AuthorisationStatus.GRANTED, person_ref__in=refs, valid_from__lte=last).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=first)
    ).update(status=AuthorisationStatus.USED)


def do_confirm_payment(instruction: SettlementInstruction, reference: str, *, actor: Any) -> SettlementInstruction:
    """Confirm that an instruction was paid: a ledger transfer payer → payee moves the positions back toward
    zero. Confirming twice is harmless (the same instruction stays paid once)."""
    with transaction.atomic(), acting(actor):
        instruction = (
            SettlementInstruction.objects.select_for_update()
            .select_related("payer", "payee", "period")
            .get(pk=instruction.pk)
        )
        require(actor, "confirm", instruction)
        if instruction.status == InstructionStatus.PAID:
            return instruction
        posted = post_transfers(
            [
                ledger_engine.Transfer(
                    id=f"clearing:payment:{instruction.pk}", debit_account=account_code(instruction.payer.code),
                    credit_account=account_code(instruction.payee.code), amount_fen=int(instruction.amount_fen),
                    code=PAYMENT_CODE, memo=f"{instruction.period.code} {reference}"[:300],
                )
            ],
            actor=actor,
        )[0]  # fmt: skip
        instruction.status = InstructionStatus.PAID
        instruction.paid_at = timezone.now()
        instruction.payment_reference = reference[:100]
        instruction.payment_transfer = posted.transfer
        instruction.save()
        require(actor, "confirm", instruction)
    return instruction


# --- catalogues and authorisations ---------------------------------------------------------------------------------


def do_save_catalogue_entry(entry: CatalogueEntry, *, actor: Any) -> CatalogueEntry:
    """Add or change a catalogue entry of a city the actor may edit."""
    action = Action.ADD if entry.pk is None else Action.CHANGE
    with transaction.atomic(), acting(actor):
        if entry.pk is not None:
            require(actor, action, CatalogueEntry.objects.get(pk=entry.pk))
        require(actor, action, entry)
        entry.full_clean()
        entry.save()
        require(actor, Action.CHANGE, entry)
    return entry


def do_delete_catalogue_entry(entry: CatalogueEntry, *, actor: Any) -> None:
    with transaction.atomic(), acting(actor):
        require(actor, Action.DELETE, entry)
        entry.delete()


def do_grant_authorisation(authorisation: Authorisation, *, actor: Any) -> Authorisation:
    """Grant a prior authorisation (the insured city's bureau or the office)."""
    with transaction.atomic(), acting(actor):
        require(actor, Action.ADD, authorisation)
        authorisation.full_clean()
        authorisation.save()
        require(actor, Action.ADD, authorisation)
    return authorisation


def do_revoke_authorisation(authorisation: Authorisation, *, actor: Any) -> Authorisation:
    with transaction.atomic(), acting(actor):
        authorisation = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
        require(actor, Action.CHANGE, authorisation)
        if authorisation.status != AuthorisationStatus.REVOKED:
            authorisation.status = AuthorisationStatus.REVOKED
            authorisation.save(update_fields=["status"])
    return authorisation


def can_see_person(user: Any, insured_city_code: str) -> bool:
    """Person references are shown only to the insured city's own bureau (nobody sees another city's)."""
    scopes = scopes_of(user)
    ids = {city_id for city_id, domain in scopes.department_scopes if domain in CLEARING_DOMAINS}
    if not ids:
        return False
    return insured_city_code in _city_codes(frozenset(ids))


_CODE_CACHE: dict[int, str] = {}


def _city_codes(ids: frozenset[int]) -> set[str]:
    missing = [i for i in ids if i not in _CODE_CACHE]
    if missing:
        _CODE_CACHE.update(City.objects.filter(pk__in=missing).values_list("pk", "code"))
    return {_CODE_CACHE[i] for i in ids if i in _CODE_CACHE}


__all__ = [
    "ClearingError",
    "IngestResult",
    "can",
    "can_see_person",
    "do_close_period",
    "do_confirm_payment",
    "do_ingest_claims",
    "do_open_period",
    "do_reverse_claim",
    "verify_clearing",
]
