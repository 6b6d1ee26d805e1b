"""Validating a chunk before anything is written: the columnar screen (engine/columnar.py) passes the claims it
can decide on Arrow columns, the per-claim path (the pure engine's `validate_claim`) decides the rest. Pure work,
no database: it may run in a forked process or beside a writer thread."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from metrocoop.clearing.choices import ClaimStatus, RejectCode
from metrocoop.clearing.engine import columnar
from metrocoop.clearing.engine.validation import (
    ClaimItem,
    ValidationContext,
    explain_claim,
    validate_claim,
)
from metrocoop.clearing.reader import ClaimSource

if TYPE_CHECKING:
    from metrocoop.clearing.ingest.context import IngestContext
    from metrocoop.clearing.policies import SubmitterScope


INSERT_COLUMNS = (
    "claim_id", "content_hash", "batch_id", "chunk_no", "status", "reject_code", "reject_detail_zh",
    "reject_detail_en", "scheme", "insured_city", "service_city", "provider", "person_ref", "service_date", "items",
    "total_fen", "fund_payable_fen", "period_id",
)  # fmt: skip
#: The columns of a posted claim as the ingest binds them (batch, chunk, status and the empty reject fields are
#: constants of the statement)
POSTED_COLUMNS = (
    "claim_id", "content_hash", "scheme", "insured_city", "service_city", "provider", "person_ref", "service_date",
    "items", "total_fen", "fund_payable_fen", "period_id",
)  # fmt: skip
POSTED = ClaimStatus.POSTED.value
REJECTED = ClaimStatus.REJECTED.value


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
    `object.__setattr__` calls per claim, which at a million claims is a second of the budget."""

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


class ChunkWork:
    """The outcome of validating one chunk, before anything is written.

    Posted claims are kept as columns (`POSTED_COLUMNS`): the claims the columnar screen passed, on PostgreSQL, as
    Arrow arrays (``arrow``: `COPY` gets them as one text payload built in Arrow, no Python object per claim),
    otherwise as lists (``posted``; the per-claim path appends to them). The Arrow part comes first: it is the
    order of ``posted_numbers`` and of `posted_rows()`. Rejected claims are whole insert tuples
    (`INSERT_COLUMNS`); ``explain`` holds the rows that repeat a claim id of the chunk or have none. ``sums`` adds
    the posted claims up by posting group (period, insured, service, scheme)."""

    __slots__ = ("arrow", "explain", "posted", "posted_numbers", "rejected", "rejected_numbers", "sums")

    def __init__(self) -> None:
        self.arrow: list[Any] | None = None  # pyarrow arrays, one per POSTED_COLUMNS, or None
        self.posted: list[list] = [[] for _ in POSTED_COLUMNS]
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

    def posted_count(self) -> int:
        return len(self.posted_numbers)

    def posted_fen(self) -> int:
        """The posted claims' fund-payable fen (the Arrow part summed in Arrow)."""
        extra = sum(self.posted[10])
        if self.arrow is None or not len(self.arrow[10]):
            return extra
        import pyarrow.compute as pc

        return pc.sum(self.arrow[10]).as_py() + extra

    def materialise(self) -> None:
        """Fold the Arrow part into the lists (the duplicate path and SQLite read claims one by one)."""
        if self.arrow is not None:
            self.posted = [a.to_pylist() + p for a, p in zip(self.arrow, self.posted, strict=True)]
            self.arrow = None

    def posted_rows(self) -> Iterator[tuple]:
        self.materialise()
        return zip(*self.posted, strict=True)


def _validate_chunk(
    rows: Sequence[Sequence[Any]],
    numbers: Sequence[int],
    work: ChunkWork,
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
    rejected = REJECTED
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


#: The most entries a checker's date or item cache keeps before it starts again (memory bounded by the chunk, not
#: the file; the tokens a chunk repeats are found again at once)
CACHE_ENTRIES = 50_000


class Checker:
    """Validates chunks for one ingest: the columnar screen first (Arrow sources), the per-claim path for the
    rest. Holds the ingest's context and caches; pure work, no database (it may run in a forked child)."""

    def __init__(
        self, context: IngestContext, scope: SubmitterScope, iso_dates: bool, *, arrow_posted: bool = False
    ) -> None:
        """`iso_dates`: service dates as ISO text (SQLite) rather than dates; `arrow_posted`: the screen's posted
        claims stay Arrow arrays (`ChunkWork.arrow`, for PostgreSQL's `COPY`)."""
        self.context, self.scope, self.iso_dates, self.arrow_posted = context, scope, iso_dates, arrow_posted
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

    def check(self, source: ClaimSource, chunk_no: int, chunk_size: int) -> ChunkWork:
        start = chunk_no * chunk_size
        first_row = start + 2  # row numbers as a spreadsheet shows them (the header is row 1)
        work = ChunkWork()
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
            payable = screen.payable[passed]
            if self.arrow_posted:
                work.arrow = [
                    good[0], pa.array(columnar.content_digests(good), pa.string()), good[1], good[2], good[3],
                    good[4], good[5], screen.day.take(take), good[7], pa.array(screen.total[passed]),
                    pa.array(payable), pa.array(screen.period_id[passed]),
                ]  # fmt: skip
            else:
                day = good[6].to_pylist() if self.iso_dates else screen.day.take(take).to_pylist()
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

    def _per_claim(self, rows: Sequence[Sequence[Any]], numbers: Sequence[int], work: ChunkWork) -> None:
        context = self.context
        # The caches hold each distinct date and item text met on the per-claim path; a bad claim's items are
        # mostly unique, so kept for the whole file they grew with it (issue 16): cleared once they are large.
        for cache in (self.date_cache, self.item_cache):
            if len(cache) > CACHE_ENTRIES:
                cache.clear()
        _validate_chunk(
            rows, numbers, work, context.for_rows(rows), self.scope, context.periods, self.date_cache,
            self.item_cache, self.iso_dates,
        )  # fmt: skip
