"""What an ingest keeps from chunk to chunk is bounded by the chunk, not the file (issue 16): the per-claim path's
caches of dates and item texts start again once large, and the verdicts do not change."""

from __future__ import annotations

import pytest

from metrocoop.clearing.ingest import screen
from metrocoop.clearing.ingest.context import ingest_context
from metrocoop.clearing.ingest.screen import Checker
from metrocoop.clearing.policies import submitter_scope
from metrocoop.clearing.tests.conftest import make_world, source_of


def _check_every_chunk(world, chunk_size: int) -> tuple[list, list[int]]:
    checker = Checker(ingest_context(), submitter_scope(world.office), iso_dates=True)
    source = source_of(world.rows)
    verdicts, sizes = [], []
    for chunk_no in range((len(source) + chunk_size - 1) // chunk_size):
        work = checker.check(source, chunk_no, chunk_size)
        verdicts.append((list(work.posted_rows()), work.rejected, work.explain))
        sizes.append(len(checker.item_cache) + len(checker.date_cache))
    return verdicts, sizes


@pytest.mark.django_db
def test_the_per_claim_caches_stay_bounded_over_a_long_source(demo_users, monkeypatch):
    world = make_world(demo_users, n=600, seed=4, bad_share=0.2)
    # given the caches' limit as it stands, far above this source: they hold every distinct date and item text
    unbounded, grown = _check_every_chunk(world, chunk_size=50)
    assert grown[-1] > 200 and grown == sorted(grown)
    # when the limit is low, the caches start again whenever they pass it
    monkeypatch.setattr(screen, "CACHE_ENTRIES", 60)
    bounded, sizes = _check_every_chunk(world, chunk_size=50)
    per_chunk = max(b - a for a, b in zip([0, *grown], grown, strict=False))
    assert max(sizes) <= 2 * 60 + 2 * per_chunk and max(sizes) < grown[-1]
    # and every claim gets the same verdict, content hash and posting group as before
    assert bounded == unbounded
