"""The columnar screen (engine/columnar.py) is never more generous than the rules, and the ingest gives the same
result with it as without it; the two-process ingest gives the same result as one process.

Rows are drawn from the synthetic stream and then spoilt in the ways files spoil them: leading zeros, spaces,
signs, full-width digits, impossible dates, compact dates, empty and trailing item separators, repeated claim ids,
unknown cities, overlong fields, persons with several authorisation windows."""

from __future__ import annotations

import random
from datetime import date

import pyarrow as pa
import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrocoop.clearing.engine import columnar
from metrocoop.clearing.engine.synthetic import synthetic_catalogue, synthetic_claims
from metrocoop.clearing.engine.validation import ClaimIn, ClaimItem, ValidationContext, validate_claim
from metrocoop.clearing.reader import COLUMNS, ClaimSource
from metrocoop.clearing.tests.conftest import make_world

CITIES = ["HZ", "JX", "NB", "NT", "SH", "SZ", "WX", "ZS"]
MONTHS = [(2026, 1), (2026, 2), (2026, 3)]
KEY = b"columnar-test-key" * 2


def _spoil(row: list, rng: random.Random) -> list:
    """One way a real file differs from the canonical spelling (or no change)."""
    row = [str(v) for v in row]
    kind = rng.randrange(16)
    if kind == 0:
        row[8] = "0" + row[8]  # a leading zero: same amount, other text
    elif kind == 1:
        row[9] = f" {row[9]}"  # a space: Python's int() reads it, the screen leaves it to the per-claim path
    elif kind == 2:
        row[9] = f"+{row[9]}"
    elif kind == 3:
        row[8] = row[8].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    elif kind == 4:
        row[6] = row[6][:8] + "31"  # perhaps an impossible date
    elif kind == 5:
        row[6] = row[6].replace("-", "")  # compact ISO date: date.fromisoformat reads it
    elif kind == 6:
        row[7] = row[7] + ";"
    elif kind == 7:
        row[7] = ""
    elif kind == 8:
        row[2] = "XX"
    elif kind == 9:
        row[4] = "P" * 101
    elif kind == 10:
        row[9] = "-1"
    elif kind == 11:
        row[7] = row[7].replace(":", ":0", 1)  # quantity with a leading zero
    elif kind == 12:
        row[6] = "2026-1-05"
    return row


def _rows(seed: int, n: int) -> tuple[list[list], list, list]:
    rng = random.Random(seed)
    catalogue = synthetic_catalogue(CITIES, seed)
    stream = synthetic_claims(n, CITIES, MONTHS, catalogue, key=KEY, seed=seed, bad_share=0.2)
    rows = [_spoil(list(r), rng) for r in stream.rows]
    for _ in range(max(1, n // 20)):  # repeated claim ids, same or other content
        i, j = rng.randrange(n), rng.randrange(n)
        rows[j] = list(rows[i]) if rng.random() < 0.5 else [rows[i][0], *rows[j][1:]]
    return rows, catalogue, list(stream.authorisations)


def _rules(catalogue, authorisations, extra_windows: bool) -> ValidationContext:
    auth: dict = {}
    for a in authorisations:
        windows = auth.setdefault((a.person_ref, a.insured_city, a.service_city, a.scheme), [])
        if extra_windows:  # an earlier window that does not cover the day comes first
            windows.append((date(2020, 1, 1), date(2020, 12, 31)))
        windows.append((a.valid_from, a.valid_until))
    catalogues: dict = {}
    for item in catalogue:
        catalogues.setdefault((item.city, item.scheme), {})[item.item_code] = (date(2020, 1, 1), None)
    return ValidationContext(
        member_cities=frozenset(CITIES), open_periods=frozenset(MONTHS[:2]), authorisations=auth,
        catalogues=catalogues,
    )  # fmt: skip


def _screen(rows: list[list], rules: ValidationContext) -> columnar.Screen:
    table = [pa.array([str(r[i]) for r in rows], pa.string()) for i in range(len(COLUMNS))]
    auth = columnar.windows(
        (columnar.SEP.join(key), start, end) for key, windows in rules.authorisations.items() for start, end in windows
    )
    ctx = columnar.screen_context(
        members=rules.member_cities, open_periods={m: n for n, m in enumerate(MONTHS[:2], 1)},
        schemes=rules.schemes, authorisation_schemes=rules.authorisation_schemes, authorisations=auth,
        catalogues=rules.catalogues,
    )  # fmt: skip
    return columnar.screen_claims(table, ctx)


def _valid_by_the_rules(row: list, rules: ValidationContext) -> bool:
    """What the per-claim path decides, written out from the rules (validation.py) for canonical reading."""
    try:
        items = []
        for token in row[7].split(";"):
            code, q, p, a = token.split(":")
            items.append(ClaimItem(code, int(q), int(p), int(a)))
        claim = ClaimIn(row[0], row[1], row[2], row[3], row[4], row[5], date.fromisoformat(row[6]), tuple(items),
                        int(row[8]), int(row[9]))  # fmt: skip
    except ValueError:
        return False
    return len(row[4]) <= 100 and len(row[5]) <= 64 and validate_claim(claim, rules) is None


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 100_000), extra_windows=st.booleans())
def test_the_screen_passes_only_claims_the_rules_accept(seed, extra_windows):
    rows, catalogue, authorisations = _rows(seed, 400)
    rules = _rules(catalogue, authorisations, extra_windows)
    screen = _screen(rows, rules)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[0]] = counts.get(row[0], 0) + 1
    for i, row in enumerate(rows):
        if screen.passed[i]:
            assert counts[row[0]] == 1, row  # a repeated claim id is always left to the per-claim path
            assert _valid_by_the_rules(row, rules), row
            assert screen.total[i] == int(row[8]) and screen.payable[i] == int(row[9])


def test_the_screen_passes_every_canonical_valid_claim():
    """Not a screen that passes nothing: on canonical rows it passes exactly the claims the rules accept."""
    catalogue = synthetic_catalogue(CITIES, 11)
    stream = synthetic_claims(3000, CITIES, MONTHS, catalogue, key=KEY, seed=11, bad_share=0.2)
    rules = _rules(catalogue, stream.authorisations, extra_windows=False)
    rows = [list(r) for r in stream.rows]
    screen = _screen(rows, rules)
    expected = [_valid_by_the_rules(r, rules) for r in rows]
    assert 0 < sum(expected) < len(rows)
    assert list(screen.passed) == expected


def test_content_digests_are_the_per_claim_digests():
    import hashlib

    rows = [
        ["C1", "medical_outpatient", "SZ", "SH", "医院", "p", "2026-01-05", "A:1:2:2", "2", "1"],
        ["", "a", "b", "", "c", "", "d", "", "", "e"],
    ]
    columns = [pa.array([r[i] for r in rows], pa.string()) for i in range(10)]
    expected = [hashlib.blake2b("\x1f".join(r).encode(), digest_size=16).hexdigest() for r in rows]
    assert columnar.content_digests(columns) == expected
    assert columnar.content_digests([c.slice(1) for c in columns]) == expected[1:]


def _table(rows: list[list]) -> pa.Table:
    return pa.table({c: pa.array([str(r[i]) for r in rows], pa.string()) for i, c in enumerate(COLUMNS)})


def _ingested(rows: list[list], as_table: bool, world) -> dict:
    """What an ingest did, without the database's ids (they differ between transactions on PostgreSQL)."""
    from metrocoop.clearing.models import Claim, ClaimPosting, IngestRejection
    from metrocoop.clearing.services import do_ingest_claims

    rows = [[str(v) for v in r] for r in rows]
    source = ClaimSource("t", table=_table(rows)) if as_table else ClaimSource("t", rows=rows)
    result = do_ingest_claims(source, actor=world.office, chunk_size=97)
    claims = Claim.objects.values_list(
        "claim_id", "content_hash", "status", "reject_code", "reject_detail_en", "period__month", "service_date",
        "items", "total_fen", "fund_payable_fen", "chunk_no",
    )  # fmt: skip
    postings = ClaimPosting.objects.values_list(
        "chunk_no", "period__month", "insured_city__code", "service_city__code", "scheme", "claim_count", "amount_fen"
    )
    rejections = IngestRejection.objects.values_list("row_number", "claim_id", "reject_code", "detail_en")
    return {
        "result": {k: v for k, v in result.as_dict().items() if k not in ("batch_id", "seconds", "timings")},
        "claims": sorted(claims, key=str),
        "postings": sorted(postings),
        "rejections": sorted(rejections),
    }


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000))
def test_an_ingest_is_the_same_with_and_without_the_screen(demo_users, seed):
    outcomes = []
    for as_table in (False, True):
        with transaction.atomic():
            world = make_world(demo_users, n=300, seed=seed, bad_share=0.2)
            rng = random.Random(seed)
            rows = [_spoil(r, rng) for r in world.rows]
            rows += [list(rows[3]), [rows[5][0], *rows[6][1:]]]  # a repeat and a conflict within the file
            first = _ingested(rows, as_table, world)
            again = _ingested(rows, as_table, world)  # the same rows again: all duplicates
            outcomes.append((first, again))
            transaction.set_rollback(True)
    assert outcomes[0] == outcomes[1]
    first, again = outcomes[1]
    assert first["result"]["posted"] > 0 and first["result"]["rejected"] > 0
    # the same rows again: all duplicates, but for the row that conflicts with an earlier one of the file
    assert again["result"]["duplicates"] == again["result"]["received"] - 1


@pytest.mark.django_db(transaction=True)
def test_two_processes_ingest_what_one_process_does(demo_users, tmp_path):
    """The forked second writer takes every other chunk; the outcome is the one-process outcome."""
    from metrocoop.clearing.models import Claim, ClaimPosting
    from metrocoop.clearing.services import do_ingest_claims, verify_clearing

    world = make_world(demo_users, n=2000, seed=21, bad_share=0.1)
    rows = [[str(v) for v in r] for r in world.rows]
    one = do_ingest_claims(ClaimSource("one", table=_table(rows)), actor=world.office, chunk_size=150)
    renamed = [[f"two-{r[0]}", *r[1:]] for r in rows]
    two = do_ingest_claims(ClaimSource("two", table=_table(renamed)), actor=world.office, chunk_size=150, parallel=True)
    keep = ("received", "received_fen", "posted", "posted_fen", "rejected", "rejected_fen", "duplicates", "reasons")
    assert {k: getattr(two, k) for k in keep} == {k: getattr(one, k) for k in keep}
    assert one.posted > 0 and one.rejected > 0
    # two processes on SQLite; on PostgreSQL one (its server needs the second core)
    assert (one.processes, two.processes) == (1, 2 if connection.vendor == "sqlite" else 1)

    def outcome(batch_id: int, prefix: str) -> list:
        claims = Claim.objects.filter(batch_id=batch_id).values_list("claim_id", "status", "reject_code", "chunk_no")
        return sorted((cid.removeprefix(prefix), status, code, chunk) for cid, status, code, chunk in claims)

    assert outcome(two.batch_id, "two-") == outcome(one.batch_id, "")
    chunks = set(Claim.objects.filter(batch_id=two.batch_id).values_list("chunk_no", flat=True))
    assert chunks == set(range(14))  # 2,000 rows in chunks of 150, odd ones written by the second process

    def sums(batch_id: int) -> list:
        postings = ClaimPosting.objects.filter(batch_id=batch_id)
        return sorted(postings.values_list("chunk_no", "period_id", "scheme", "claim_count", "amount_fen"))

    assert sums(two.batch_id) == sums(one.batch_id)
    assert verify_clearing().ok


def test_an_impossible_date_is_left_to_the_rules():
    """Arrow's strptime would read 2026-02-31 as 3 March; the screen must not pass it."""
    catalogue = synthetic_catalogue(CITIES, 4)
    stream = synthetic_claims(400, CITIES, MONTHS, catalogue, key=KEY, seed=4, bad_share=0.0)
    rules = _rules(catalogue, stream.authorisations, extra_windows=False)
    rows = [[str(v) for v in r] for r in stream.rows if str(r[6]).startswith("2026-01")]
    screen = _screen(rows, rules)
    assert screen.passed.any()
    spoilt = [[*r[:6], "2026-01-32" if n % 2 else "2026-02-31", *r[7:]] for n, r in enumerate(rows)]
    assert not _screen(spoilt, rules).passed.any()
