"""The claim table's shape that the ingest's speed depends on (docs/design.md "Targets")."""

from __future__ import annotations

import pytest
from django.db import connection

from metrocoop.clearing.models import Claim


@pytest.mark.django_db
def test_the_claim_table_has_one_index_and_on_sqlite_no_autoincrement():
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Claim._meta.db_table)
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [Claim._meta.db_table])
            ddl = cursor.fetchone()[0]
            # a migration that rebuilds the table brings Django's AUTOINCREMENT back: see migration 0002
            assert "AUTOINCREMENT" not in ddl
    indexed = sorted(
        tuple(c["columns"]) for c in indexes.values() if (c["index"] or c["unique"]) and not c["primary_key"]
    )
    if connection.vendor == "sqlite":  # the claim id's unique index and the key
        assert indexed == [("claim_id",)]
        return
    # PostgreSQL: the table is partitioned by period (migration 0005) and indexed on its id only; the claim id's
    # uniqueness is the key table's one index (no second …_like index on the claim id anywhere)
    from metrocoop.clearing.partitions import KEY

    assert indexed == [("id",)]
    with connection.cursor() as cursor:
        keys = connection.introspection.get_constraints(cursor, KEY)
    assert sorted((tuple(c["columns"]), c["unique"]) for c in keys.values() if c["index"] or c["unique"]) == [
        (("claim_id",), True)
    ]


@pytest.mark.django_db
def test_claim_ids_keep_rising_without_autoincrement(world):
    from metrocoop.clearing.services import do_ingest_claims
    from metrocoop.clearing.tests.conftest import source_of

    do_ingest_claims(source_of(world.rows[:50]), actor=world.office)
    first = list(Claim.objects.order_by("id").values_list("id", flat=True))
    do_ingest_claims(source_of(world.rows[50:80]), actor=world.office)
    second = list(Claim.objects.order_by("id").values_list("id", flat=True))[len(first) :]
    assert first == sorted(first) and second and min(second) > max(first)


@pytest.mark.django_db
def test_verify_finds_a_claim_whose_batch_or_period_is_missing(world):
    """The database does not enforce the claim's batch and period (migration 0003); verify does."""
    from metrocoop.clearing.services import do_ingest_claims, verify_clearing
    from metrocoop.clearing.tests.conftest import source_of

    do_ingest_claims(source_of(world.rows[:40]), actor=world.office)
    assert verify_clearing().ok
    first, second = Claim.objects.order_by("claim_id").values_list("claim_id", flat=True)[:2]
    with connection.cursor() as cursor:  # what no code path does: a key pointing nowhere
        cursor.execute(f"UPDATE {Claim._meta.db_table} SET batch_id = 987654 WHERE claim_id = %s", [first])
        cursor.execute(f"UPDATE {Claim._meta.db_table} SET period_id = 987654 WHERE claim_id = %s", [second])
    report = verify_clearing()
    assert not report.ok and report.orphan_claims == [first, second]


@pytest.mark.django_db
def test_a_small_ingest_reads_only_the_authorisations_of_its_persons(world):
    from metrocoop.clearing.engine.columnar import SEP
    from metrocoop.clearing.services import ingest_context

    everyone = ingest_context().authorisations.keys.to_pylist()
    person = everyone[0].split(SEP)[0]
    some = ingest_context([person]).authorisations.keys.to_pylist()
    assert some and all(key.split(SEP)[0] == person for key in some)
    assert len(everyone) > len(some)
    assert len(ingest_context([]).authorisations) == 0
