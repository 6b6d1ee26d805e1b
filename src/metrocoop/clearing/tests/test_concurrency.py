"""Concurrent ingests of overlapping files on PostgreSQL post each claim exactly once (threads, each with its
own database connection, committing for real)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from metrocoop.clearing.models import Claim, ClaimPosting
from metrocoop.clearing.services import do_ingest_claims, verify_clearing
from metrocoop.clearing.tests.conftest import make_world, source_of

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent writers")


@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_ingests_post_each_claim_once(demo_users):
    world = make_world(demo_users, n=3000, seed=11, bad_share=0.02)
    rows = world.rows
    files = [rows[:2000], rows[1000:], rows[500:2500], list(reversed(rows))]
    errors: list[BaseException] = []
    results = []

    def ingest(part):
        try:
            results.append(do_ingest_claims(source_of(part), actor=world.office, chunk_size=300))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ingest, args=(part,)) for part in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not errors, errors
    assert Claim.objects.count() == len({r[0] for r in rows})
    assert sum(r.posted + r.rejected for r in results) == len(rows)
    assert sum(r.conflicts for r in results) == 0
    posted = sum(Claim.objects.filter(status="posted").values_list("fund_payable_fen", flat=True))
    assert posted == sum(ClaimPosting.objects.values_list("amount_fen", flat=True))
    assert verify_clearing().ok
