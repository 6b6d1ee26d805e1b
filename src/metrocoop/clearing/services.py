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
import gc
import hashlib
import multiprocessing as mp
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
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
from metrocoop.clearing.engine import columnar, netting
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
from metrocoop.clearing.partitions import ensure_partitions
from metrocoop.clearing.reader import ClaimSource
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


def valid_periods(periods: QuerySet) -> QuerySet:
    """The periods whose year and month a date can hold (the model's range)."""
    return periods.filter(year__gte=Period.MIN_YEAR, year__lte=Period.MAX_YEAR, month__gte=1, month__lte=12)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return first, date.fromordinal(nxt.toordinal() - 1)


#: Up to this many claims an ingest reads only the authorisations of their persons (an API batch of ten claims
#: need not read 10⁵ authorisations); larger sources read them all, once.
AUTHORISATIONS_BY_PERSON_UP_TO = 10_000


def _authorisation_windows(persons: Sequence[str] | None = None) -> columnar.Windows:
    """The authorisations that are not revoked (of ``persons`` only, if given), keyed
    person␟insured␟service␟scheme (one query; the key is put together by the database: 10⁵ rows through the ORM
    cost seconds)."""
    sqlite = connection.vendor == "sqlite"
    key = f" || {'char(31)' if sqlite else 'chr(31)'} || ".join(("a.person_ref", "ic.code", "sc.code", "s.code"))
    # on SQLite the dates come as text (an expression has no declared type, so no per-row date converter)
    start, end = (f"CAST(a.{c} AS TEXT)" if sqlite else f"a.{c}" for c in ("valid_from", "valid_until"))
    city, scheme = City._meta.db_table, Scheme._meta.db_table
    where, params = "a.status <> %s", [AuthorisationStatus.REVOKED]
    if persons is not None:
        if not persons:
            return columnar.windows([])
        where += f" AND a.person_ref IN ({', '.join(['%s'] * len(persons))})"
        params += list(persons)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {key}, {start}, {end} FROM {Authorisation._meta.db_table} a "
            f"JOIN {city} ic ON ic.id = a.insured_city_id JOIN {city} sc ON sc.id = a.service_city_id "
            f"JOIN {scheme} s ON s.id = a.scheme_id WHERE {where} ORDER BY a.id",
            params,
        )
        return columnar.windows(cursor.fetchall())


@dataclass(frozen=True)
class IngestContext:
    """What an ingest checks against, read once: the engine's `ValidationContext` without authorisations (each
    chunk's per-claim path gets the few it needs from ``authorisations``), the same facts as Arrow arrays for the
    columnar screen, and the period ids by (year, month)."""

    rules: ValidationContext
    authorisations: columnar.Windows
    periods: dict[tuple[int, int], int]

    def screen(self, scope: SubmitterScope) -> columnar.ScreenContext:
        rules = self.rules
        return columnar.screen_context(
            members=rules.member_cities,
            open_periods={k: v for k, v in self.periods.items() if k in rules.open_periods},
            schemes=rules.schemes,
            authorisation_schemes=rules.authorisation_schemes,
            authorisations=self.authorisations,
            catalogues=rules.catalogues,
            scope_city=scope.city_code,
            scope_schemes=scope.schemes,
        )

    def for_rows(self, rows: Sequence[Sequence[Any]]) -> ValidationContext:
        """The engine's context for these rows: with their persons' authorisations only."""
        sep = columnar.SEP
        keys = {
            f"{r[5]}{sep}{r[2]}{sep}{r[3]}{sep}{r[1]}"
            for r in rows
            if len(r) >= 6 and all(type(v) is str for v in (r[1], r[2], r[3], r[5]))
        }
        return dataclass_replace(self.rules, authorisations=self.authorisations_of(keys))

    def authorisations_of(self, keys: set[str]) -> dict[tuple[str, str, str, str], list]:
        """The engine's authorisation windows of ``keys`` (person␟insured␟service␟scheme)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        found: dict[tuple[str, str, str, str], list] = defaultdict(list)
        table = self.authorisations
        if not len(table) or not keys:
            return found
        hits = pc.is_in(table.keys, value_set=pa.array(sorted(keys), pa.string()))
        columns = (table.keys.filter(hits), table.starts.filter(hits), table.ends.filter(hits))
        sep, open_end = columnar.SEP, columnar.OPEN_END
        for key, start, end in zip(*(c.to_pylist() for c in columns), strict=True):
            person, insured, service, scheme = key.rsplit(sep, 3)
            found[person, insured, service, scheme].append((start, None if end == open_end else end))
        return found


def ingest_context(persons: Sequence[str] | None = None) -> IngestContext:
    """Members, open periods, catalogues and schemes (as the engine's rules) and the authorisations (as Arrow
    arrays; of ``persons`` only, if given), read once per ingest."""
    # A period outside the valid range (left by an older database) is skipped: it must not take every city's
    # submission down (issue 21); migration 0004 and the constraint keep new ones out.
    open_periods = list(valid_periods(Period.objects.filter(status=PeriodStatus.OPEN)).values_list("year", "month"))
    members: set[str] = set()
    for year, month in open_periods:
        first, last = month_bounds(year, month)
        members |= set(City.objects.members_on(first).values_list("code", flat=True))
        members |= set(City.objects.members_on(last).values_list("code", flat=True))
    schemes = dict(Scheme.objects.values_list("code", "needs_authorisation"))
    catalogues: dict[tuple[str, str], dict[str, tuple]] = defaultdict(dict)
    for city, scheme, item, start, end in CatalogueEntry.objects.values_list(
        "city__code", "scheme__code", "item_code", "valid_from", "valid_until"
    ):
        catalogues[city, scheme][item] = (start, end)
    rules = ValidationContext(
        member_cities=frozenset(members),
        open_periods=frozenset(open_periods),
        authorisations={},
        catalogues=catalogues,
        authorisation_schemes=frozenset(code for code, needs in schemes.items() if needs),
        schemes=frozenset(schemes),
    )
    periods = {(y, m): pk for pk, y, m in Period.objects.values_list("pk", "year", "month")}
    return IngestContext(rules=rules, authorisations=_authorisation_windows(persons), periods=periods)


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
    processes: int = 1  # 2 when a forked second process wrote every other chunk
    #: seconds spent (summed over chunks): validating, inserting claims, posting and counting (the rest of a
    #: chunk's transaction), waiting for the writer thread (PostgreSQL, pipelined)
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


_INSERT_COLUMNS = (
    "claim_id", "content_hash", "batch_id", "chunk_no", "status", "reject_code", "reject_detail_zh",
    "reject_detail_en", "scheme", "insured_city", "service_city", "provider", "person_ref", "service_date", "items",
    "total_fen", "fund_payable_fen", "period_id",
)  # fmt: skip
#: The columns of a posted claim as the ingest binds them (batch, chunk, status and the empty reject fields are
#: constants of the statement)
_POSTED_COLUMNS = (
    "claim_id", "content_hash", "scheme", "insured_city", "service_city", "provider", "person_ref", "service_date",
    "items", "total_fen", "fund_payable_fen", "period_id",
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


class _ChunkWork:
    """The outcome of validating one chunk, before anything is written.

    Posted claims are kept as columns (`_POSTED_COLUMNS`: the columnar screen hands them over as such); rejected
    claims as whole insert tuples (`_INSERT_COLUMNS`); ``explain`` holds the rows that repeat a claim id of the
    chunk or have none. ``sums`` adds the posted claims up by posting group (period, insured, service, scheme)."""

    __slots__ = ("explain", "posted", "posted_numbers", "rejected", "rejected_numbers", "sums")

    def __init__(self) -> None:
        self.posted: list[list] = [[] for _ in _POSTED_COLUMNS]
        self.posted_numbers: list[int] = []  # the row number of each posted claim
        self.rejected: list[tuple] = []
        self.rejected_numbers: list[int] = []
        self.explain: list[tuple[int, str, int, str]] = []  # (row number, claim id, payable, hash)
        self.sums: dict[tuple, list[int]] = {}  # posting group → [claims, fen]

    def add_posted(self, values: Sequence[Any], number: int) -> None:
        for column, value in zip(self.posted, values, strict=True):
            column.append(value)
        self.posted_numbers.append(number)
        key = (values[11], values[3], values[4], values[2])
        acc = self.sums.get(key)
        if acc is None:
            self.sums[key] = [1, values[10]]
        else:
            acc[0] += 1
            acc[1] += values[10]

    def posted_rows(self) -> Iterator[tuple]:
        return zip(*self.posted, strict=True)


def _validate_chunk(
    rows: Sequence[Sequence[Any]],
    numbers: Sequence[int],
    work: _ChunkWork,
    ctx: ValidationContext,
    scope: SubmitterScope,
    periods: dict[tuple[int, int], int],
    date_cache: dict[Any, tuple[date, Any, int | None] | None],
    item_cache: dict[str, ClaimItem | None],
    iso_dates: bool,
) -> None:
    """The per-claim path: parse, validate with the pure engine, hash, and add each claim to ``work``. It decides
    every claim the columnar screen does not pass (and all claims of sources that are not Arrow tables)."""
    seen: set[str] = set()
    scope_city, scope_schemes = scope.city_code, scope.schemes
    blake = hashlib.blake2b
    validate = validate_claim
    rejected = _REJECTED
    for number, row in zip(numbers, rows, strict=True):
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
        sep = columnar.SEP
        digest = blake(
            f"{cid}{sep}{scheme}{sep}{insured}{sep}{service}{sep}{provider}{sep}{person}{sep}{sday}{sep}{items_s}"
            f"{sep}{total}{sep}{payable}".encode(),
            digest_size=16,
        ).hexdigest()
        amount = payable if type(payable) is int else 0
        if not cid or cid in seen:
            work.explain.append((number, cid, amount, digest))
            continue
        seen.add(cid)
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
                work.add_posted(
                    (cid, digest, scheme, insured, service, provider, person, day_info[1], items_s, total, amount,
                     day_info[2]),
                    number,
                )  # fmt: skip
                continue
            code = reason.value
            verdict = explain_claim(claim, ctx)  # type: ignore[arg-type]
            detail = (verdict.detail_zh[:500], verdict.detail_en[:500]) if verdict else ("", "")
        work.rejected_numbers.append(number)
        work.rejected.append(
            (
                cid[:64], digest, 0, 0, rejected, code, detail[0], detail[1], str(scheme)[:30],
                str(insured)[:8], str(service)[:8], str(provider)[:100], str(person)[:64], day_info[1], items_s,
                total if type(total) is int else 0, amount, day_info[2],
            )
        )  # fmt: skip


class _Checker:
    """Validates chunks for one ingest: the columnar screen first (Arrow sources), the per-claim path for the
    rest. Holds the ingest's context and caches; pure work, no database (it may run in a forked child)."""

    def __init__(self, context: IngestContext, scope: SubmitterScope, iso_dates: bool) -> None:
        self.context, self.scope, self.iso_dates = context, scope, iso_dates
        self.date_cache: dict[Any, Any] = {}
        self.item_cache: dict[str, Any] = {}
        self._screen: columnar.ScreenContext | None = None

    def _screen_context(self) -> columnar.ScreenContext:
        if self._screen is None:
            self._screen = self.context.screen(self.scope)
        return self._screen

    def prepare(self, source: ClaimSource) -> None:
        """Build the screen's lookups now (they are otherwise built on the first chunk)."""
        if source.table is not None or source.streamed:
            import pyarrow as pa

            self._screen_context().authorisations.index_of(pa.array([], pa.string()))

    def check(self, source: ClaimSource, chunk_no: int, chunk_size: int) -> _ChunkWork:
        start = chunk_no * chunk_size
        first_row = start + 2  # row numbers as a spreadsheet shows them (the header is row 1)
        work = _ChunkWork()
        part = source.part(chunk_no, chunk_size)  # an Arrow table (a file), or None (rows: an API batch)
        if part is None:
            rows = source.rows[start : start + chunk_size]
            self._per_claim(rows, range(first_row, first_row + len(rows)), work)
            return work
        import numpy as np
        import pyarrow as pa

        columns = [c.combine_chunks() for c in part.columns]
        screen = columnar.screen_claims(columns, self._screen_context())
        passed = np.flatnonzero(screen.passed)
        if len(passed):
            take = pa.array(passed)
            good = [c.take(take) for c in columns]
            day = good[6].to_pylist() if self.iso_dates else screen.day.take(take).to_pylist()
            payable = screen.payable[passed]
            work.posted = [
                good[0].to_pylist(), columnar.content_digests(good), good[1].to_pylist(), good[2].to_pylist(),
                good[3].to_pylist(), good[4].to_pylist(), good[5].to_pylist(), day, good[7].to_pylist(),
                screen.total[passed].tolist(), payable.tolist(), screen.period_id[passed].tolist(),
            ]  # fmt: skip
            work.posted_numbers = (passed + first_row).tolist()
            groups = pa.table(
                {"p": screen.period_id[passed], "i": good[2], "s": good[3], "k": good[1], "a": payable}
            ).group_by(["p", "i", "s", "k"]).aggregate([("a", "sum"), ("a", "count")])  # fmt: skip
            for p, i, s, k, total, count in zip(*(c.to_pylist() for c in groups.columns), strict=True):
                work.sums[p, i, s, k] = [count, total]
        slow = np.flatnonzero(~screen.passed)
        if len(slow):
            take = pa.array(slow)
            rows = list(zip(*(c.take(take).to_pylist() for c in columns), strict=True))
            self._per_claim(rows, (slow + first_row).tolist(), work)
        return work

    def _per_claim(self, rows: Sequence[Sequence[Any]], numbers: Sequence[int], work: _ChunkWork) -> None:
        context = self.context
        _validate_chunk(
            rows, numbers, work, context.for_rows(rows), self.scope, context.periods, self.date_cache,
            self.item_cache, self.iso_dates,
        )  # fmt: skip


def _insert_claims(batch_id: int, chunk_no: int, work: _ChunkWork) -> int:
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
                f"INSERT OR IGNORE INTO {table} ({', '.join(_POSTED_COLUMNS)}, batch_id, chunk_no, status, "
                f"reject_code, reject_detail_zh, reject_detail_en) VALUES ({', '.join('?' * len(_POSTED_COLUMNS))}, "
                f"{batch_id}, {chunk_no}, '{_POSTED}', '', '', '')",
                work.posted_rows(),
            )
            inserted += done.rowcount
        if work.rejected:
            done = raw.executemany(
                f"INSERT OR IGNORE INTO {table} ({', '.join(_INSERT_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_INSERT_COLUMNS))})",
                ((*row[:2], batch_id, chunk_no, *row[4:]) for row in work.rejected),
            )
            inserted += done.rowcount
    return inserted


#: COPY's binary types of `_INSERT_COLUMNS` (psycopg dumps each value in C; the server parses no text)
_CLAIM_TYPES = (
    "varchar", "varchar", "int8", "int4", "varchar", "varchar", "varchar", "varchar", "varchar", "varchar",
    "varchar", "varchar", "varchar", "date", "text", "int8", "int8", "int8",
)  # fmt: skip
_KEY_COLUMNS = "claim_id, content_hash, batch_id, chunk_no, period_id"
_KEY_TYPES = ("varchar", "varchar", "int8", "int4", "int8")


def _claim_rows(batch_id: int, chunk_no: int, work: _ChunkWork) -> Iterator[tuple]:
    """The chunk's claims as `_INSERT_COLUMNS` tuples."""
    for cid, digest, scheme, ins, ser, prov, per, day, items, total, pay, period in work.posted_rows():
        yield (cid, digest, batch_id, chunk_no, _POSTED, "", "", "", scheme, ins, ser, prov, per, day, items, total,
               pay, period)  # fmt: skip
    for row in work.rejected:
        yield (*row[:2], batch_id, chunk_no, *row[4:])


def _copy_claims(raw: Any, target: str, batch_id: int, chunk_no: int, work: _ChunkWork) -> None:
    with raw.copy(f"COPY {target} ({', '.join(_INSERT_COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(_CLAIM_TYPES)
        write = copy.write_row
        for row in _claim_rows(batch_id, chunk_no, work):
            write(row)


def _insert_claims_postgresql(raw: Any, batch_id: int, chunk_no: int, work: _ChunkWork) -> int:
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
    count = len(work.posted_numbers) + len(work.rejected)
    if not count:
        return 0
    try:
        with transaction.atomic():  # a savepoint: only this attempt is undone
            with raw.copy(f"COPY {KEY} ({_KEY_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(_KEY_TYPES)
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
    cols = ", ".join(_INSERT_COLUMNS)
    raw.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS clearing_claim_staging ON COMMIT DELETE ROWS AS "
        f"SELECT {cols} FROM {table} WITH NO DATA"
    )
    _copy_claims(raw, "clearing_claim_staging", batch_id, chunk_no, work)
    raw.execute(
        # in claim-id order, so that concurrent ingests of overlapping files wait on each other's unique-index
        # entries in one order (a deadlock with a fast-path COPY is retried: `_Ingest.do_chunk`)
        f"WITH fresh AS (INSERT INTO {KEY} ({_KEY_COLUMNS}) SELECT {_KEY_COLUMNS} FROM clearing_claim_staging "
        "ORDER BY claim_id ON CONFLICT (claim_id) DO NOTHING RETURNING claim_id) "
        f"INSERT INTO {table} ({cols}) SELECT {', '.join('s.' + c for c in _INSERT_COLUMNS)} "
        "FROM clearing_claim_staging s JOIN fresh USING (claim_id)"
    )
    inserted = raw.rowcount
    raw.execute("TRUNCATE clearing_claim_staging")
    return inserted


def _existing_hashes(claim_ids: list[str]) -> dict[str, tuple[str, int, int]]:
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
    """Crash tests pause here (METROCOOP_CLEARING_TEST_PAUSE="ingest:0.2", "ingest-write:0.3" or "close:5") to be
    killed mid-way; the pause is announced on stderr with the process id."""
    spec = os.environ.get("METROCOOP_CLEARING_TEST_PAUSE", "")
    if spec.startswith(name + ":"):
        import sys

        sys.stderr.write(f"clearing-test-pause:{name}:{os.getpid()}\n")
        sys.stderr.flush()
        time.sleep(float(spec.split(":", 1)[1]))


@dataclass
class _Ingest:
    """One ingest's state shared by the processes that write its chunks (copied into the forked one)."""

    checker: _Checker
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
        _timed(result, "validate_s", started)
        self.write(chunk_no, work, result, turn, partner_alive, checker)

    def write(
        self, chunk_no: int, work: _ChunkWork, result: IngestResult, turn: Any = None,
        partner_alive: Callable[[], bool] | None = None, checker: _Checker | None = None,
    ) -> None:  # fmt: skip
        """Write one validated chunk in its own transaction. On PostgreSQL a deadlock with a concurrent ingest of
        an overlapping file (one writer in file order, one in claim-id order) rolls the chunk back whole and it is
        written again (a few times at most)."""
        for attempt in range(_DEADLOCK_RETRIES + 1):
            before = dataclass_replace(result, reasons=dict(result.reasons), timings=dict(result.timings))
            try:
                with _taking_turn(turn, partner_alive), transaction.atomic(), acting(self.actor):
                    now_open = _lock_open_periods()
                    used = checker or self.checker  # the checker that validated ``work``
                    if now_open != used.context.rules.open_periods:
                        # a period closed or opened since the context was read: validate this chunk again
                        checker = self.checker = _Checker(ingest_context(self.persons), used.scope, used.iso_dates)
                        work = checker.check(self.source, chunk_no, self.chunk_size)
                    _write_chunk(self.batch, chunk_no, work, self.city_ids, result, self.actor)
                    _slow_test_hook("ingest-write")  # holding the turn, before the commit
                break
            except Exception as exc:
                if attempt == _DEADLOCK_RETRIES or not _is_deadlock(exc):
                    raise
                for name in result.__dataclass_fields__:
                    setattr(result, name, getattr(before, name))
        _slow_test_hook("ingest")


_DEADLOCK_RETRIES = 5


def _is_deadlock(exc: BaseException) -> bool:
    if connection.vendor != "postgresql":
        return False
    import psycopg

    return isinstance(exc, psycopg.errors.DeadlockDetected) or isinstance(
        exc.__cause__, psycopg.errors.DeadlockDetected
    )


@contextlib.contextmanager
def _taking_turn(turn: Any, partner_alive: Callable[[], bool] | None):
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


def _timed(result: IngestResult, name: str, started: float) -> None:
    result.timings[name] = round(result.timings.get(name, 0.0) + time.perf_counter() - started, 3)


def _merge(result: IngestResult, other: IngestResult) -> None:
    for name in ("received", "received_fen", "posted", "posted_fen", "rejected", "rejected_fen", "duplicates",
                 "duplicate_fen", "conflicts", "postings"):  # fmt: skip
        setattr(result, name, getattr(result, name) + getattr(other, name))
    for reason, count in other.reasons.items():
        result.reasons[reason] = result.reasons.get(reason, 0) + count
    for name, seconds in other.timings.items():
        result.timings[name] = round(result.timings.get(name, 0.0) + seconds, 3)


def _die_with_parent() -> None:  # pragma: no cover  (runs in the forked child)
    """Ask Linux to kill this process when its parent dies (a killed ingest leaves no writer behind)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL


def _second_writer(ingest: _Ingest, send: Any, turn: Any, parent: int) -> None:  # pragma: no cover  (the child)
    """The forked half: chunks 1, 3, 5 … validated and written by this process, in its own database connection
    (the inherited one belongs to the parent and is dropped unused)."""
    from django.db import connections

    _die_with_parent()
    for conn in connections.all(initialized_only=True):
        conn.connection = None
    result = IngestResult(batch_id=ingest.batch.pk, source=ingest.batch.source)
    try:
        for chunk_no in range(1, ingest.chunks, 2):
            if os.getppid() != parent:
                os._exit(1)
            ingest.do_chunk(chunk_no, result, turn, lambda: os.getppid() == parent)
            send.send(("chunk", chunk_no))
        send.send(("result", result))
    except BaseException as exc:
        with contextlib.suppress(Exception):
            send.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        with contextlib.suppress(Exception):
            connections.close_all()
        send.close()


def _ingest_chunks(
    ingest: _Ingest, result: IngestResult, progress: Callable[[int, int], None] | None, parallel: bool
) -> None:
    """Every chunk validated and written, each in its own transaction.

    With ``parallel`` (SQLite, at least two chunks) a forked second process takes the odd chunks: each process
    validates its next chunk while the other writes, and they take turns at the database (a lock between the
    two, so the turn passes at once; SQLite has one writer at a time anyway). Nothing crosses between them but
    "chunk k done" and the counts at the end: each chunk is validated and written by one process, in one
    transaction, as without ``parallel``; so a kill of either leaves whole chunks, and a rerun completes the
    file. Not for web requests."""
    chunks, size, total = ingest.chunks, ingest.chunk_size, len(ingest.source)
    done = 0

    def advance() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(total, done * size), total)

    # One process inside a caller's transaction (a second connection could not see the batch). On PostgreSQL one
    # process (its server processes need the second core: measured, two client processes were slower than one),
    # with a writer thread: see `_ingest_chunks_pipelined`.
    if parallel and connection.vendor == "postgresql" and not connection.in_atomic_block and chunks >= 2:
        _ingest_chunks_pipelined(ingest, result, advance)
        return
    parallel = (
        parallel
        and connection.vendor == "sqlite"
        and not connection.in_atomic_block
        and "fork" in mp.get_all_start_methods()
    )
    if not parallel or chunks < 2:
        for chunk_no in range(chunks):
            ingest.do_chunk(chunk_no, result)
            advance()
        return
    ingest.checker.prepare(ingest.source)  # once, before the fork, for both processes
    ctx = mp.get_context("fork")
    turn = ctx.Lock()
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_second_writer, args=(ingest, send, turn, os.getpid()), daemon=True)
    child.start()
    send.close()
    try:
        outcome = None

        def drain(block: bool) -> None:
            nonlocal outcome
            while outcome is None and (block or receive.poll()):
                try:
                    kind, value = receive.recv()
                except EOFError:
                    outcome = ("error", "the second ingest process ended without a result")
                    return
                if kind == "chunk":
                    advance()
                else:
                    outcome = (kind, value)

        for chunk_no in range(0, chunks, 2):
            ingest.do_chunk(chunk_no, result, turn, child.is_alive)
            advance()
            drain(block=False)
        drain(block=True)
        kind, value = outcome  # type: ignore[misc]
        if kind == "error":
            raise ClearingError(
                f"导入的第二个进程出错，已写入的分块保留，重新导入可补全：{value}",
                f"The second ingest process failed; chunks written stand and a rerun completes the file: {value}",
            )
        _merge(result, value)
        result.processes = 2
    finally:
        receive.close()
        child.join(timeout=30)
        if child.is_alive():
            child.kill()


def _ingest_chunks_pipelined(ingest: _Ingest, result: IngestResult, advance: Callable[[], None]) -> None:
    """PostgreSQL: this thread validates chunk k + 1 while a writer thread (with its own connection) writes
    chunk k in its transaction and the server stores it, so the client's Python and the server's work overlap
    on two cores. At most one validated chunk waits for the writer (memory stays bounded). Each chunk is still
    one transaction written by one connection: a kill leaves whole chunks, and a rerun completes the file."""
    import queue
    import threading

    from django.db import connections

    handover: queue.Queue = queue.Queue(maxsize=1)
    failure: list[BaseException] = []

    def writer() -> None:
        try:
            while True:
                item = handover.get()
                if item is None:
                    return
                if failure:
                    continue  # drain: the main thread stops at its next hand-over
                chunk_no, work, checker = item
                ingest.write(chunk_no, work, result, checker=checker)
                advance()
        except BaseException as exc:  # reported by the main thread
            failure.append(exc)
            with contextlib.suppress(queue.Empty):
                while handover.get_nowait() is not None:
                    pass
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer, name="clearing-ingest-writer", daemon=True)
    thread.start()
    try:
        for chunk_no in range(ingest.chunks):
            if failure:
                break
            checker, started = ingest.checker, time.perf_counter()
            work = checker.check(ingest.source, chunk_no, ingest.chunk_size)
            _timed(result, "validate_s", started)
            started = time.perf_counter()
            while not failure:
                try:
                    handover.put((chunk_no, work, checker), timeout=0.2)
                    break
                except queue.Full:
                    continue
            _timed(result, "wait_for_writer_s", started)
    finally:
        while thread.is_alive():
            try:
                handover.put(None, timeout=0.2)
                break
            except queue.Full:
                continue
        thread.join()
    if failure:
        raise failure[0]
    result.processes = 1


@contextlib.contextmanager
def collector_paused():
    """No cyclic garbage collection while a million rows of tuples and strings are made (none of them is in a
    cycle; the collector would walk them again and again, seconds of the budget)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
    process takes every other chunk (`_ingest_chunks`; for the command line and the benchmark, not for web
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
        log_event(batch, actor=actor, action=0, source=(None, batch.source), rows=(None, len(source)))
    ensure_city_accounts()
    persons = None
    if len(source) <= AUTHORISATIONS_BY_PERSON_UP_TO and not source.streamed:
        persons = sorted({r[5] for r in source.rows if len(r) > 5 and isinstance(r[5], str) and r[5]})
    checker = _Checker(ingest_context(persons), scope, iso_dates=connection.vendor == "sqlite")
    ensure_partitions(checker.context.periods.values())  # periods made without do_open_period (PostgreSQL)
    city_ids = dict(City.objects.values_list("code", "pk"))
    result = IngestResult(batch_id=batch.pk, source=batch.source)
    ingest = _Ingest(checker, source, chunk_size, batch, city_ids, actor, persons)
    with collector_paused():
        _ingest_chunks(ingest, result, progress, parallel)
    with transaction.atomic(), acting(actor):
        IngestBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.COMPLETED, finished_at=timezone.now())
        batch.refresh_from_db()
        log_event(batch, actor=actor, status=(BatchStatus.RUNNING, BatchStatus.COMPLETED))
    result.seconds = time.perf_counter() - started
    return result


def _write_chunk(
    batch: IngestBatch, chunk_no: int, work: _ChunkWork, city_ids: dict[str, int], result: IngestResult, actor: Any
) -> None:
    started = time.perf_counter()
    inserted = _insert_claims(batch.pk, chunk_no, work)
    _timed(result, "insert_claims_s", started)
    started = time.perf_counter()
    rejected_rows = work.rejected
    payables = work.posted[10]
    duplicates: list[tuple[int, str, int]] = []  # (row number, claim id, amount)
    conflicts: list[IngestRejection] = []
    if inserted == len(payables) + len(rejected_rows) and not work.explain:  # the usual case: all new
        sums = work.sums
        posted, posted_fen = len(payables), sum(payables)
        new_rejected = rejected_rows
    else:  # some claim ids were there before (a re-sent file, a rerun after a crash) or repeat in the chunk
        ids = work.posted[0] + [r[0] for r in rejected_rows] + [cid for _, cid, _, _ in work.explain if cid]
        found = _existing_hashes(ids)
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
    received = len(payables) + len(rejected_rows) + len(work.explain)
    received_fen = sum(payables) + sum(r[16] for r in rejected_rows) + sum(e[2] for e in work.explain)
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
    _timed(result, "post_and_count_s", started)


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
        ensure_partitions([period.pk])  # its claim and posting partitions (PostgreSQL), in this transaction
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


def do_close_period(period: Period, *, actor: Any) -> Period:
    """Close a period atomically: open → closing → closed in one transaction, so a close that fails or is killed
    leaves the period open and unchanged. Checks every invariant first; stores per-city gross receivable, payable
    and net (summing to zero), the gross matrix, and the fewest settlement instructions (engine `settle`)."""
    with transaction.atomic(), acting(actor):
        period = Period.objects.select_for_update().get(pk=period.pk)
        require(actor, "close", period)
        if period.status != PeriodStatus.OPEN:
            raise ClearingError(f"结算期 {period.code} 不是开放状态。", f"Period {period.code} is not open.")
        if not valid_periods(Period.objects.filter(pk=period.pk)).exists():
            raise ValidationError(
                {
                    "year": _("Period %(code)s lies outside the years %(min)s-%(max)s and cannot be closed.")
                    % {"code": period.code, "min": Period.MIN_YEAR, "max": Period.MAX_YEAR}
                }
            )
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


def do_archive_period(period: Period, *, actor: Any) -> list[str]:
    """Detach a closed period's claim and posting partitions into the archive schema (PostgreSQL): its rows
    leave every query on the live tables (and their indexes) but stay in the database, readable there and
    restorable (`do_restore_period`). Its claim ids stay in the key table: a claim re-sent later is still a
    duplicate or a conflict, never a second claim."""
    from metrocoop.clearing import partitions

    with transaction.atomic(), acting(actor):
        period = Period.objects.select_for_update().get(pk=period.pk)
        require(actor, "close", period)
        if not partitions.partitioned():
            raise ClearingError("只有 PostgreSQL 按结算期分区，无法归档。", "Only PostgreSQL partitions by period.")
        if period.status != PeriodStatus.CLOSED:
            raise ClearingError(f"结算期 {period.code} 尚未关闭，不能归档。", f"Period {period.code} is not closed.")
        names = partitions.archive_period(period)
        log_event(period, actor=actor, archived=(None, ", ".join(names)))
    return names


def do_restore_period(period: Period, *, actor: Any) -> list[str]:
    """Attach an archived period's partitions again."""
    from metrocoop.clearing import partitions

    with transaction.atomic(), acting(actor):
        period = Period.objects.select_for_update().get(pk=period.pk)
        require(actor, "close", period)
        if not partitions.partitioned():
            raise ClearingError("只有 PostgreSQL 按结算期分区，无法恢复。", "Only PostgreSQL partitions by period.")
        names = partitions.restore_period(period)
        log_event(period, actor=actor, restored=(None, ", ".join(names)))
    return names


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
