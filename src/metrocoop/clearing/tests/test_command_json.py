"""`metrocoop clearing … --json`: objects with named fields (never bare arrays), parsed as a tool would."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _json(*args: str) -> dict:
    out = io.StringIO()
    call_command("clearing", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def _objects_only(value, path="$"):
    """Every list in the output holds objects or scalars, never a bare array (a tuple serialised)."""
    if isinstance(value, dict):
        for key, item in value.items():
            _objects_only(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            assert not isinstance(item, list), f"{path}[{n}] is a bare array: {item!r}"
            _objects_only(item, f"{path}[{n}]")


def test_ingest_close_and_verify_print_labelled_objects(world, tmp_path):
    from metrocoop.clearing.models import Period, PeriodPosition, SettlementInstruction
    from metrocoop.clearing.reader import write_claims_file

    # given a claims file ingested through the command line
    path = tmp_path / "claims.csv"
    write_claims_file(path, world.rows)
    ingest = _json("ingest", str(path), "--user", "office")
    _objects_only(ingest)
    assert ingest["received"] == len(world.rows) == ingest["posted"] + ingest["rejected"] + ingest["duplicates"]

    # when a period is closed with --json
    closed = _json("close", "--period", "2026-02", "--user", "office")

    # then the positions are objects {city, receivable_fen, payable_fen, net_fen} matching the stored ones
    _objects_only(closed)
    period = Period.objects.get(year=2026, month=2)
    assert closed["period"] == "2026-02" and closed["status"] == "closed"
    assert all(set(p) == {"city", "receivable_fen", "payable_fen", "net_fen"} for p in closed["positions"])
    stored = {
        p.city.code: (p.receivable_fen, p.payable_fen, p.net_fen)
        for p in PeriodPosition.objects.filter(period=period).select_related("city")
    }
    assert {p["city"]: (p["receivable_fen"], p["payable_fen"], p["net_fen"]) for p in closed["positions"]} == stored
    assert all(p["net_fen"] == p["receivable_fen"] - p["payable_fen"] for p in closed["positions"])
    assert sum(p["net_fen"] for p in closed["positions"]) == 0
    # and the instructions are objects {payer, payee, amount_fen} that settle every net position
    assert closed["instructions"], "a period with cross-city claims has something to settle"
    assert all(set(i) == {"payer", "payee", "amount_fen"} for i in closed["instructions"])
    assert len(closed["instructions"]) == SettlementInstruction.objects.filter(period=period).count()
    settled = {p["city"]: 0 for p in closed["positions"]}
    for i in closed["instructions"]:
        settled[i["payer"]] -= i["amount_fen"]
        settled[i["payee"]] += i["amount_fen"]
    assert settled == {p["city"]: p["net_fen"] for p in closed["positions"]}

    # and verify prints objects too
    verify = _json("verify")
    _objects_only(verify)
    assert verify["ok"] is True and verify["ledger"]["mismatched_balances"] == []


def test_verify_names_the_fields_of_a_mismatched_balance(world):
    from metrocoop.clearing.services import do_ingest_claims
    from metrocoop.clearing.tests.conftest import source_of
    from metrocoop.ledger.models import Account

    do_ingest_claims(source_of(world.rows[:60]), actor=world.office)
    account = Account.objects.filter(balance_fen__gt=0).order_by("code").first()
    Account.objects.filter(pk=account.pk).update(balance_fen=account.balance_fen + 7)  # what no service does
    out = io.StringIO()
    with pytest.raises(Exception, match="invariant"):
        call_command("clearing", "verify", "--json", stdout=out)
    report = json.loads(out.getvalue())
    _objects_only(report)
    assert report["ledger"]["mismatched_balances"] == [
        {"account": account.code, "stored_fen": account.balance_fen + 7, "recomputed_fen": account.balance_fen}
    ]
