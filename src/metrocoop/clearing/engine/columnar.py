"""Columnar screening of claims: the fast path of ingest, over Arrow arrays.

`validate_claim` (validation.py) is the rule book and stays the reference. This module answers a narrower
question for a whole chunk at once, in Arrow's compute kernels instead of a Python loop: *which claims are
certainly valid?* A claim passes the screen only if every check of `validate_claim` passes on values that the
per-claim path would read identically (ASCII digits for numbers, ``YYYY-MM-DD`` dates, ``code:q:p:amount`` items,
lengths within the columns). Everything else (a failed check, an unusual but perhaps valid spelling such as
``" 5"``, a duplicate claim id in the chunk, a person with several authorisation windows whose first does not
cover the day) is handed to the per-claim path, which decides and explains. So the screen can only ever be
*less* generous than the rules, never more: `tests/test_columnar.py` checks that every claim it passes is one
`validate_claim` passes, and that the ingest's result is the same with and without it.

Why: at a million claims the per-claim Python path costs about 10 µs a claim; the screen costs well under one
(docs/design.md "Targets": 1,000,000 claims in ≤ 10 s on 2 cores).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["SEP", "Screen", "ScreenContext", "Windows", "content_digests", "screen_claims", "screen_context", "windows"]

#: Separator of composite keys and of the content-hash input (never in a member city, scheme or item code).
SEP = "\x1f"
#: Stands for "no end" in a validity window.
OPEN_END = date(9999, 12, 31)

_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# canonical spelling only (no leading zero): the content hash covers the amounts as numbers, as the per-claim
# path reads them, and for these the text is the number
_AMOUNT = r"^(0|[1-9][0-9]{0,14})$"
# quantity < 10⁶ and unit price < 10¹² keep quantity × price < 10¹⁸ inside int64; longer spellings go per claim
_ITEM = r"^[^:]*:[0-9]{1,6}:[0-9]{1,12}:[0-9]{1,15}$"
_MAX_ITEMS = 1000  # keeps the int64 sum of ≤ 15-digit amounts exact


@dataclass(frozen=True)
class Windows:
    """Validity windows by key, as Arrow arrays: ``keys`` (string), ``starts`` and ``ends`` (date32; an open end
    is `OPEN_END`). A key may repeat (several windows); the screen tests the first and leaves the rest to the
    per-claim path."""

    keys: pa.Array
    starts: pa.Array
    ends: pa.Array

    def __len__(self) -> int:
        return len(self.keys)

    def index_of(self, keys: pa.Array) -> pa.Array:
        """The position of each key's first window (null where the key has none). A Python dict built once:
        Arrow's `index_in` would hash all of ``self.keys`` again for every chunk (10⁵ authorisations)."""
        positions = self.__dict__.get("_positions")
        if positions is None:
            positions = {}
            for position, key in enumerate(self.keys.to_pylist()):
                positions.setdefault(key, position)
            object.__setattr__(self, "_positions", positions)
        get = positions.get
        return pa.array([get(key) for key in keys.to_pylist()], pa.int64())


def windows(rows: Iterable[tuple[str, date | str, date | str | None]]) -> Windows:
    """`Windows` from (key, start, end or None) rows; dates as `date` or ISO text (as SQLite returns them)."""
    columns = list(zip(*rows, strict=True)) or [(), (), ()]

    def dates(values: Sequence, fill: date | None = None) -> pa.Array:
        if isinstance(next((v for v in values if v is not None), None), str):
            array = pc.cast(pa.array(values, pa.string()), pa.date32())
        else:
            array = pa.array(values, pa.date32())
        return array if fill is None else pc.fill_null(array, pa.scalar(fill, pa.date32()))

    return Windows(keys=pa.array(columns[0], pa.string()), starts=dates(columns[1]), ends=dates(columns[2], OPEN_END))


@dataclass(frozen=True)
class ScreenContext:
    """What the screen checks against, built once per ingest (`ValidationContext`'s facts, as Arrow arrays).

    ``months`` are the open periods as ``year × 100 + month`` with their period ids in ``period_ids``;
    ``authorisations`` are keyed ``person␟insured␟service␟scheme`` and ``catalogue`` ``city␟scheme␟item``.
    ``scope_city``/``scope_schemes``: a city bureau's submissions must be served in its city, of its schemes."""

    members: pa.Array
    months: pa.Array
    period_ids: pa.Array
    schemes: pa.Array
    authorisation_schemes: pa.Array
    authorisations: Windows
    catalogue: Windows
    scope_city: str | None = None
    scope_schemes: pa.Array | None = None


def screen_context(
    *,
    members: Iterable[str],
    open_periods: Mapping[tuple[int, int], int],
    schemes: Iterable[str],
    authorisation_schemes: Iterable[str],
    authorisations: Windows,
    catalogues: Mapping[tuple[str, str], Mapping[str, tuple[date, date | None]]],
    scope_city: str | None = None,
    scope_schemes: Iterable[str] | None = None,
) -> ScreenContext:
    """A `ScreenContext` from plain data: ``open_periods`` maps (year, month) to the period id."""
    catalogue = windows(
        (f"{city}{SEP}{scheme}{SEP}{code}", start, end)
        for (city, scheme), entries in sorted(catalogues.items())
        for code, (start, end) in sorted(entries.items())
    )
    months = sorted(open_periods)
    return ScreenContext(
        members=pa.array(sorted(members), pa.string()),
        months=pa.array([y * 100 + m for y, m in months], pa.int32()),
        period_ids=pa.array([open_periods[k] for k in months], pa.int64()),
        schemes=pa.array(sorted(schemes), pa.string()),
        authorisation_schemes=pa.array(sorted(authorisation_schemes), pa.string()),
        authorisations=authorisations,
        catalogue=catalogue,
        scope_city=scope_city,
        scope_schemes=None if scope_schemes is None else pa.array(sorted(scope_schemes), pa.string()),
    )


@dataclass(frozen=True)
class Screen:
    """The screen of one chunk: ``passed[i]`` is True when claim i is certainly valid; for those claims
    ``day`` (date32), ``period_id``, ``total`` and ``payable`` (int64, numpy) are their parsed values."""

    passed: np.ndarray
    day: pa.Array
    period_id: np.ndarray
    total: np.ndarray
    payable: np.ndarray


def _true(mask: pa.Array) -> np.ndarray:
    """A boolean Arrow array as numpy, null counted as False."""
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False)


def _ints(values: pa.Array, ok: np.ndarray) -> np.ndarray:
    """Digit strings as int64 where ``ok`` (0 elsewhere; the caller only reads the ``ok`` places)."""
    masked = pc.if_else(pa.array(ok), values, "0")
    return pc.cast(masked, pa.int64()).to_numpy(zero_copy_only=False)


def _within(day: pa.Array, index: pa.Array, table: Windows) -> np.ndarray:
    """For each row: the key was found (``index`` not null) and its first window contains ``day``."""
    found = pc.is_valid(index)
    safe = pc.fill_null(index, 0)
    if len(table) == 0:
        return np.zeros(len(day), dtype=bool)
    start = pc.take(table.starts, safe)
    end = pc.take(table.ends, safe)
    inside = pc.and_(pc.greater_equal(day, start), pc.less_equal(day, end))
    return _true(pc.and_(found, inside))


def screen_claims(columns: Sequence[pa.Array], ctx: ScreenContext) -> Screen:
    """Screen one chunk. ``columns`` are the ten claim columns as string arrays in the reader's order: claim_id,
    scheme, insured_city, service_city, provider, person_ref, service_date, items, total_fen, fund_payable_fen."""
    cid, scheme, insured, service, provider, person, sday, items, total_s, payable_s = (
        c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c for c in columns
    )
    n = len(cid)
    ok = _true(pc.and_(pc.greater(pc.utf8_length(cid), 0), pc.less_equal(pc.utf8_length(cid), 64)))
    # a claim id twice in the chunk: the per-claim path keeps the first and explains the rest
    counts = pc.value_counts(cid)
    repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    if len(repeated):
        ok &= ~_true(pc.is_in(cid, value_set=repeated))
    ok &= _true(pc.less_equal(pc.utf8_length(provider), 100)) & _true(pc.less_equal(pc.utf8_length(person), 64))
    ok &= _true(pc.is_in(insured, value_set=ctx.members)) & _true(pc.is_in(service, value_set=ctx.members))
    ok &= _true(pc.not_equal(insured, service))
    ok &= _true(pc.is_in(scheme, value_set=ctx.schemes))
    if ctx.scope_city is not None:
        ok &= _true(pc.equal(service, ctx.scope_city))
        if ctx.scope_schemes is not None:
            ok &= _true(pc.is_in(scheme, value_set=ctx.scope_schemes))
    # service date → open period
    ok &= _true(pc.match_substring_regex(sday, _DATE))
    day = pc.strptime(pc.if_else(pa.array(ok), sday, "2000-01-01"), format="%Y-%m-%d", unit="s", error_is_null=True)
    day = pc.cast(pc.fill_null(day, pa.scalar(0, pa.timestamp("s"))), pa.date32())
    # strptime rolls 2026-02-31 over into March: only a date that prints back as written is a date
    ok &= _true(pc.equal(pc.strftime(day, format="%Y-%m-%d"), sday))
    month = pc.add(pc.multiply(pc.cast(pc.year(day), pa.int32()), 100), pc.cast(pc.month(day), pa.int32()))
    month_index = pc.index_in(month, value_set=ctx.months)
    ok &= _true(pc.is_valid(month_index))
    period_id = pc.take(ctx.period_ids, pc.fill_null(month_index, 0)).to_numpy(zero_copy_only=False)
    # amounts: digits only, 0 ≤ payable ≤ total
    ok &= _true(pc.match_substring_regex(total_s, _AMOUNT)) & _true(pc.match_substring_regex(payable_s, _AMOUNT))
    total = _ints(total_s, ok)
    payable = _ints(payable_s, ok)
    ok &= payable <= total
    # prior authorisation where the scheme needs one: the first window of (person, insured, service, scheme)
    needs = _true(pc.is_in(scheme, value_set=ctx.authorisation_schemes)) & ok
    if needs.any():
        rows = pa.array(np.flatnonzero(needs))
        key = pc.binary_join_element_wise(*(pc.take(c, rows) for c in (person, insured, service, scheme)), SEP)
        covered = _within(pc.take(day, rows), ctx.authorisations.index_of(key), ctx.authorisations)
        ok[needs] &= covered
    # items: every token well formed, in the insured city's catalogue on the day, amount = quantity × price,
    # and the amounts summing to the total
    tokens = pc.split_pattern(pc.if_else(pa.array(ok), pc.fill_null(items, ""), ""), ";")
    lengths = pc.list_value_length(tokens).to_numpy(zero_copy_only=False)
    ok &= lengths <= _MAX_ITEMS
    parent = pc.list_parent_indices(tokens)
    flat = pc.list_flatten(tokens)
    good = _true(pc.match_substring_regex(flat, _ITEM))
    # well-formed tokens have exactly four parts; the others stand in as ":0:0:0" (already marked bad)
    pieces = pc.list_flatten(pc.split_pattern(pc.if_else(pa.array(good), flat, ":0:0:0"), ":"))
    fourth = np.arange(len(flat), dtype=np.int64) * 4
    code = pc.take(pieces, pa.array(fourth))
    quantity, price, amount = (
        pc.cast(pc.take(pieces, pa.array(fourth + k)), pa.int64()).to_numpy(zero_copy_only=False) for k in (1, 2, 3)
    )
    good &= (quantity > 0) & (amount == quantity * price)
    item_key = pc.binary_join_element_wise(pc.take(insured, parent), pc.take(scheme, parent), code, SEP)
    item_day = pc.take(day, parent)
    good &= _within(item_day, pc.index_in(item_key, value_set=ctx.catalogue.keys), ctx.catalogue)
    # every claim has at least one token ("" splits into [""]), so each claim's tokens start at its offset
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if n else np.zeros(0, dtype=np.int64)
    bad_items = np.add.reduceat((~good).astype(np.int64), starts) if n else np.zeros(0, dtype=np.int64)
    sums = np.add.reduceat(np.where(good, amount, 0), starts) if n else np.zeros(0, dtype=np.int64)
    ok &= (bad_items == 0) & (sums == total)
    return Screen(passed=ok, day=day, period_id=period_id, total=total, payable=payable)


def content_digests(columns: Sequence[pa.Array]) -> list[str]:
    """The content hash of each claim (BLAKE2b-128, hex) over its ten values joined by `SEP`: the same digest the
    per-claim path computes from the same text. Hashes slices of one joined buffer (no string per claim)."""
    joined = pc.binary_join_element_wise(*columns, SEP)
    if isinstance(joined, pa.ChunkedArray):
        joined = joined.combine_chunks()
    if len(joined) == 0:
        return []
    if joined.null_count:
        raise ValueError("content_digests: a value is missing")
    _validity, offsets_buffer, data_buffer = joined.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[joined.offset : joined.offset + len(joined) + 1]
    data = memoryview(data_buffer) if data_buffer is not None else memoryview(b"")
    blake = hashlib.blake2b
    bounds = offsets.tolist()
    return [blake(data[a:b], digest_size=16).hexdigest() for a, b in pairwise(bounds)]
