"""PostgreSQL: claims and postings partitioned by period (migration 0005). A close reads only its period's
partition (shown with EXPLAIN on the queries it runs), a closed period's partitions are archived and restored,
claim ids stay unique across periods and archives, and a table with rows converts both ways."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrocoop.clearing.models import Claim, ClaimPosting, Period
from metrocoop.clearing.tests.conftest import source_of, state

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's"),
]


def _relations(sql: str) -> set[str]:
    """The tables and partitions the plan of ``sql`` reads."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if "Relation Name" in node:
                found.add(node["Relation Name"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(plan)
    return found


def test_each_period_has_its_partitions_from_the_moment_it_is_opened(world):
    from metrocoop.clearing.partitions import partitioned

    assert partitioned()
    with connection.cursor() as cursor:
        for period in Period.objects.all():
            for table in ("clearing_claim", "clearing_claimposting"):
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{table}_p{period.pk}"])
                assert cursor.fetchone()[0], (table, period.code)


def test_a_close_reads_only_its_own_partition(world):
    from metrocoop.clearing.services import do_close_period, do_ingest_claims, do_reverse_claim

    # given claims in three periods, and a reversal in the period to be closed
    do_ingest_claims(source_of(world.rows), actor=world.office)
    period = Period.objects.get(year=2026, month=2)
    do_reverse_claim(Claim.objects.filter(period=period, status="posted").first(), "test", actor=world.office)
    others = {
        f"{table}_{suffix}"
        for table in ("clearing_claim", "clearing_claimposting")
        for suffix in [f"p{p.pk}" for p in Period.objects.exclude(pk=period.pk)] + ["default"]
    }
    # when the period is closed
    with CaptureQueriesContext(connection) as captured:
        do_close_period(period, actor=world.office)
    # then every query on the claims or postings reads only this period's partitions (the reversal's claim,
    # which may be of any period, is found by id: the one lookup that probes every partition's id index)
    read: set[str] = set()
    for q in captured.captured_queries:
        sql = q["sql"]
        if "clearing_claim" not in sql or '"clearing_claim"."id" IN' in sql:
            continue
        if sql.lstrip().upper().startswith(("SELECT", "UPDATE", "WITH")):
            read |= _relations(sql)
    assert {f"clearing_claim_p{period.pk}", f"clearing_claimposting_p{period.pk}"} <= read
    assert not read & others, read & others


def test_a_closed_period_is_archived_queried_and_restored(world):
    from metrocoop.clearing.partitions import archived_claims
    from metrocoop.clearing.services import do_close_period, do_ingest_claims, verify_clearing

    do_ingest_claims(source_of(world.rows), actor=world.office)
    period = Period.objects.get(year=2026, month=1)
    do_close_period(period, actor=world.office)
    stored = sorted(Claim.objects.filter(period=period).values_list("claim_id", "status", "fund_payable_fen"))
    postings = ClaimPosting.objects.filter(period=period).count()
    claims = Claim.objects.count()
    assert stored and postings

    # when the closed period is archived
    out = io.StringIO()
    call_command("clearing", "archive", "--period", "2026-01", "--json", stdout=out)
    archived = json.loads(out.getvalue())
    # then its rows leave the live tables, stay readable in the archive, and every invariant still holds
    assert archived["period"] == "2026-01" and len(archived["archived"]) == 2
    assert not Claim.objects.filter(period=period).exists()
    assert not ClaimPosting.objects.filter(period=period).exists()
    assert sorted(archived_claims(period)) == stored
    assert verify_clearing().ok
    # and a claim of the archived period sent again is a duplicate, never a second claim
    again = do_ingest_claims(source_of(world.rows), actor=world.office)
    assert again.posted == 0 and again.conflicts == 0 and again.duplicates == claims

    # when it is restored, the rows are back where they were
    out = io.StringIO()
    call_command("clearing", "restore", "--period", "2026-01", "--json", stdout=out)
    assert json.loads(out.getvalue())["period"] == "2026-01"
    assert sorted(Claim.objects.filter(period=period).values_list("claim_id", "status", "fund_payable_fen")) == stored
    assert ClaimPosting.objects.filter(period=period).count() == postings
    assert verify_clearing().ok


def test_only_a_closed_period_is_archived(world):
    from metrocoop.clearing.services import ClearingError, do_archive_period

    period = Period.objects.get(year=2026, month=3)
    with pytest.raises(ClearingError):
        do_archive_period(period, actor=world.office)


def test_a_claim_id_stays_unique_across_periods(world):
    """The same claim id with a service date in another period is a conflict (the key table is global)."""
    from metrocoop.clearing.services import do_ingest_claims

    row = next(r for r in world.rows if r[6].startswith("2026-01"))
    first = do_ingest_claims(source_of([row]), actor=world.office)
    moved = list(row)
    moved[6] = "2026-02" + row[6][7:]
    second = do_ingest_claims(source_of([moved]), actor=world.office)
    assert first.posted + first.rejected == 1 and second.conflicts == 1
    assert Claim.objects.filter(claim_id=row[0]).count() == 1


def test_tables_with_rows_convert_to_plain_and_back(world):
    from metrocoop.clearing.migrations._partitioning import partition, unpartition
    from metrocoop.clearing.services import do_ingest_claims, verify_clearing

    do_ingest_claims(source_of(world.rows[:150]), actor=world.office)
    before = state()
    with connection.schema_editor() as editor:
        unpartition(None, editor)
        partition(None, editor)
    assert state() == before
    # and ingesting continues with fresh ids and the same exactly-once key
    result = do_ingest_claims(source_of(world.rows), actor=world.office)
    assert result.duplicates + result.posted + result.rejected == len(world.rows)
    assert Claim.objects.count() == len({r[0] for r in world.rows})
    assert verify_clearing().ok
