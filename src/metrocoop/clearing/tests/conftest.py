"""A small clearing world on the test database: schemes, synthetic catalogues for every member city, three open
periods, and a claims stream (rows) with its authorisations granted."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

MONTHS = [(2026, 1), (2026, 2), (2026, 3)]


@dataclass
class World:
    office: object
    rows: list
    catalogue: list
    bad: dict


def make_world(demo_users, n: int = 300, seed: int = 3, bad_share: float = 0.1, months=MONTHS) -> World:
    from metrocoop.clearing.engine.synthetic import synthetic_catalogue, synthetic_claims
    from metrocoop.clearing.reader import pseudonym_key
    from metrocoop.clearing.services import do_open_period
    from metrocoop.clearing.setup import load_authorisations, load_catalogue
    from metrocoop.core.models import City

    office = demo_users["office"]
    cities = sorted(City.objects.values_list("code", flat=True))
    catalogue = synthetic_catalogue(cities, seed)
    stream = synthetic_claims(n, cities, months, catalogue, key=pseudonym_key(), seed=seed, bad_share=bad_share)
    load_catalogue(catalogue, actor=office)
    load_authorisations(stream.authorisations, actor=office)
    for y, m in months:
        do_open_period(y, m, actor=office)
    return World(office=office, rows=[list(r) for r in stream.rows], catalogue=catalogue, bad=stream.bad)


@pytest.fixture
def world(demo_users):
    return make_world(demo_users)


def source_of(rows, name="test"):
    from metrocoop.clearing.reader import ClaimSource

    return ClaimSource(name=name, rows=[list(r) for r in rows])


def state():
    """Everything an ingest or a close may change, for before/after comparisons."""
    from metrocoop.clearing.models import (
        Claim,
        ClaimPosting,
        IngestRejection,
        Period,
        PeriodPosition,
        SettlementInstruction,
    )
    from metrocoop.ledger.models import Account, Transfer

    return {
        "claims": sorted(Claim.objects.values_list("claim_id", "content_hash", "status", "reject_code")),
        "transfers": sorted(Transfer.objects.values_list("client_id", "amount_fen")),
        "balances": sorted(Account.objects.values_list("code", "balance_fen")),
        "postings": ClaimPosting.objects.count(),
        "rejections": IngestRejection.objects.count(),
        "periods": sorted(Period.objects.values_list("year", "month", "status")),
        "positions": PeriodPosition.objects.count(),
        "instructions": SettlementInstruction.objects.count(),
    }
