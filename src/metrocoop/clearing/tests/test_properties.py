"""Laws of the clearing house on the database (hypothesis): net positions sum to zero and equal receivables minus
payables; the instructions settle every net exactly; reordering the claims changes nothing; the same file twice
changes nothing."""

from __future__ import annotations

import random

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrocoop.clearing.models import Period
from metrocoop.clearing.services import do_close_period, do_ingest_claims, preview_period
from metrocoop.clearing.tests.conftest import make_world, source_of, state

SETTINGS = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))


def _results():
    return {p.code: preview_period(p) for p in Period.objects.order_by("year", "month")}


@SETTINGS
@given(seed=st.integers(0, 10_000), shuffle=st.integers(0, 10_000), chunk=st.integers(7, 120))
def test_reordering_claims_and_chunking_change_nothing(demo_users, seed, shuffle, chunk):
    with transaction.atomic():
        world = make_world(demo_users, n=120, seed=seed)
        do_ingest_claims(source_of(world.rows), actor=world.office, chunk_size=chunk)
        first = {k: (r.net_positions, r.matrix) for k, r in _results().items()}
        claims = state()["claims"]
        transaction.set_rollback(True)
    with transaction.atomic():
        world = make_world(demo_users, n=120, seed=seed)
        rows = list(world.rows)
        random.Random(shuffle).shuffle(rows)
        do_ingest_claims(source_of(rows), actor=world.office, chunk_size=max(7, 127 - chunk))
        assert {k: (r.net_positions, r.matrix) for k, r in _results().items()} == first
        assert state()["claims"] == claims
        # the same rows again change nothing
        before = state()
        do_ingest_claims(source_of(rows), actor=world.office)
        assert state() == before
        transaction.set_rollback(True)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(5, 150))
def test_a_close_sums_to_zero_and_its_instructions_settle_every_net(demo_users, seed, n):
    with transaction.atomic():
        world = make_world(demo_users, n=n, seed=seed)
        do_ingest_claims(source_of(world.rows), actor=world.office)
        for period in Period.objects.all():
            closed = do_close_period(period, actor=world.office)
            nets = {p.city.code: (p.receivable_fen, p.payable_fen, p.net_fen) for p in closed.positions.all()}
            assert sum(net for _, _, net in nets.values()) == 0
            assert all(net == r - p for r, p, net in nets.values())
            settled = dict.fromkeys(nets, 0)
            for i in closed.instructions.select_related("payer", "payee"):
                assert i.amount_fen > 0
                settled[i.payer.code] -= i.amount_fen
                settled[i.payee.code] += i.amount_fen
            assert settled == {c: net for c, (_, _, net) in nets.items()}
            movers = sum(1 for _, _, net in nets.values() if net)
            assert closed.instructions.count() <= max(0, movers - 1)
        transaction.set_rollback(True)
