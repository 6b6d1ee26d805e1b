"""Tests of multilateral netting and the fewest settlement payments (no database).

Laws from docs/references.md, "Ledgers and clearing": nets sum to zero; at most n − 1 payments; the
minimum is n − (largest number of disjoint zero-sum groups); greedy is not always minimal (debtors {10,3,3},
creditors {6,5,5}: greedy 5, optimum 4); each party only pays or only receives.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocoop.clearing.engine.netting import (
    CityPosition,
    SettlementInstruction,
    SettlementPlan,
    _non_zero_parties,
    _zero_sum_groups,
    clear_obligations,
    gross_matrix,
    gross_positions,
    net_positions,
    settle,
    settle_brute_force,
    settle_greedy,
)

MEMBERS = ("SH", "SZ", "WX", "CZ", "NT", "NB", "JX", "HZ", "ZS")
KNOWN_CASE = {"D1": -10, "D2": -3, "D3": -3, "C1": 6, "C2": 5, "C3": 5}

obligation = st.tuples(st.sampled_from(MEMBERS), st.sampled_from(MEMBERS), st.integers(0, 10**9)).filter(
    lambda o: o[0] != o[1]
)
obligation_lists = st.lists(obligation, max_size=60)


@st.composite
def positions(draw: st.DrawFn, max_parties: int = 7, max_amount: int = 8) -> dict[str, int]:
    """Net positions summing to zero; small amounts make many zero-sum subgroups (the interesting cases)."""
    amounts = draw(st.lists(st.integers(-max_amount, max_amount).filter(bool), min_size=1, max_size=max_parties - 1))
    amounts.append(-sum(amounts))
    zeros = draw(st.integers(0, 2))
    names = draw(st.permutations([f"C{i:02d}" for i in range(len(amounts) + zeros)]))
    result = dict(zip(names, amounts, strict=False))
    result.update(dict.fromkeys(names[len(amounts) :], 0))
    return result


def assert_settles(plan: SettlementPlan, nets: Mapping[str, int]) -> None:
    """Every net position is settled exactly; each party only pays or only receives; amounts positive."""
    after = dict(nets)
    for instruction in plan:
        assert instruction.amount_fen > 0
        after[instruction.payer] += instruction.amount_fen
        after[instruction.payee] -= instruction.amount_fen
    assert all(value == 0 for value in after.values())
    payers = {i.payer for i in plan}
    payees = {i.payee for i in plan}
    assert not payers & payees
    assert all(nets[city] < 0 for city in payers)
    assert all(nets[city] > 0 for city in payees)
    assert plan.total_fen == sum(v for v in nets.values() if v > 0)
    pairs = [(i.payer, i.payee) for i in plan]
    assert len(pairs) == len(set(pairs))
    assert list(plan.instructions) == sorted(plan.instructions)


def parties_count(nets: Mapping[str, int]) -> int:
    return sum(1 for v in nets.values() if v)


# --- positions and matrix ------------------------------------------------------------------------------------


def test_positions_and_matrix_of_a_small_period() -> None:
    # given claims where SZ and WX patients were treated in SH, and SH patients in SZ
    obligations = [("SZ", "SH", 500), ("WX", "SH", 300), ("SH", "SZ", 200), ("SZ", "SH", 100)]
    # then
    assert net_positions(obligations) == {"SH": 700, "SZ": -400, "WX": -300}
    assert gross_matrix(obligations) == {
        "SH": {"SH": 0, "SZ": 200, "WX": 0},
        "SZ": {"SH": 600, "SZ": 0, "WX": 0},
        "WX": {"SH": 300, "SZ": 0, "WX": 0},
    }
    assert gross_positions(obligations)["SH"] == CityPosition("SH", receivable_fen=900, payable_fen=200)
    assert gross_positions(obligations)["SH"].net_fen == 700


def test_member_cities_without_obligations_appear_with_zeros() -> None:
    nets = net_positions([("SZ", "SH", 5)], cities=MEMBERS)
    assert list(nets) == sorted(MEMBERS)
    assert nets["ZS"] == 0
    assert gross_matrix([], cities=["SH", "SZ"]) == {"SH": {"SH": 0, "SZ": 0}, "SZ": {"SH": 0, "SZ": 0}}


@given(obligation_lists)
def test_net_positions_sum_to_zero_and_equal_receivable_minus_payable(obligations: list) -> None:
    nets = net_positions(obligations)
    gross = gross_positions(obligations)
    matrix = gross_matrix(obligations)
    assert sum(nets.values()) == 0
    assert set(nets) == set(gross) == set(matrix)
    for city, position in gross.items():
        assert nets[city] == position.receivable_fen - position.payable_fen
        assert position.payable_fen == sum(matrix[city].values())
        assert position.receivable_fen == sum(row[city] for row in matrix.values())
        assert matrix[city][city] == 0
    total = sum(amount for _, _, amount in obligations)
    assert sum(p.receivable_fen for p in gross.values()) == total == sum(p.payable_fen for p in gross.values())


@given(obligation_lists, st.randoms(use_true_random=False))
def test_reordering_obligations_changes_nothing(obligations: list, rnd) -> None:
    # given the same obligations in another order
    shuffled = list(obligations)
    rnd.shuffle(shuffled)
    # then the whole close is identical, instructions and explanation included
    assert clear_obligations(shuffled, MEMBERS) == clear_obligations(obligations, MEMBERS)


@pytest.mark.parametrize(
    ("obligations", "error"),
    [
        ([("SH", "SH", 1)], ValueError),
        ([("SH", "SZ", -1)], ValueError),
        ([("SH", "SZ", 1.5)], TypeError),
        ([("SH", "SZ", True)], TypeError),
        ([("SH", "", 1)], ValueError),
        ([("SH", "SZ")], ValueError),
        ([("SH", "XX", 1)], ValueError),  # outside the given members
    ],
)
def test_malformed_obligations_are_refused(obligations: list, error: type[Exception]) -> None:
    with pytest.raises(error):
        clear_obligations(obligations, MEMBERS)


# --- settlement ----------------------------------------------------------------------------------------------


def test_known_case_greedy_five_payments_exact_four() -> None:
    # given debtors {10, 3, 3} and creditors {6, 5, 5} (docs/references.md)
    greedy = settle_greedy(KNOWN_CASE)
    exact = settle(KNOWN_CASE)
    # then greedy needs 5 payments and the exact method 4, found by splitting two zero-sum groups
    assert len(greedy) == 5
    assert len(exact) == 4
    assert exact.groups == (("C1", "D2", "D3"), ("C2", "C3", "D1"))
    assert exact.instructions == (
        SettlementInstruction("D1", "C2", 5),
        SettlementInstruction("D1", "C3", 5),
        SettlementInstruction("D2", "C1", 3),
        SettlementInstruction("D3", "C1", 3),
    )
    assert exact.method == "exact"
    assert exact.minimal
    assert not greedy.minimal
    assert len(settle_brute_force(KNOWN_CASE)) == 4
    assert any("2 disjoint zero-sum group(s)" in step for step in exact.steps)
    assert any("6 − 2 = 4" in step for step in exact.steps)
    assert "D1 pays C2 5 fen" in exact.steps
    assert_settles(exact, KNOWN_CASE)
    assert_settles(greedy, KNOWN_CASE)


@pytest.mark.parametrize(
    ("nets", "payments"),
    [
        ({}, 0),
        ({"SH": 0, "SZ": 0}, 0),
        ({"SH": 5, "SZ": -5}, 1),
        ({"SH": 5, "SZ": -3, "WX": -2}, 2),
        ({"SH": 5, "SZ": -5, "WX": 7, "NB": -7}, 2),  # two pairs
        ({"SH": 1, "SZ": 1, "WX": 1, "NB": -1, "HZ": -1, "JX": -1}, 3),
        ({"SH": 4, "SZ": 3, "WX": -2, "NB": -5}, 3),
    ],
)
def test_table_of_settlements(nets: dict[str, int], payments: int) -> None:
    plan = settle(nets)
    assert len(plan) == payments
    assert_settles(plan, nets)


def test_an_exact_limit_that_would_exhaust_memory_is_refused() -> None:
    with pytest.raises(ValueError):
        settle(KNOWN_CASE, max_exact_parties=30)


def test_more_than_the_exact_limit_falls_back_to_greedy_and_says_so() -> None:
    plan = settle(KNOWN_CASE, max_exact_parties=5)
    assert plan.method == "greedy_fallback"
    assert not plan.minimal
    assert len(plan) <= 5
    assert any("exact search skipped" in step for step in plan.steps)
    assert_settles(plan, KNOWN_CASE)


@pytest.mark.parametrize(
    ("nets", "error"),
    [({"SH": 1, "SZ": 0}, ValueError), ({"SH": 1.0, "SZ": -1.0}, TypeError), ({"SH": True, "SZ": -1}, TypeError)],
)
def test_positions_that_do_not_balance_or_are_not_ints_are_refused(nets: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        settle(nets)
    with pytest.raises(error):
        settle_greedy(nets)


@given(positions())
def test_exact_settlement_is_minimal_against_brute_force(nets: dict[str, int]) -> None:
    # given up to 7 non-zero parties
    plan = settle(nets)
    brute = settle_brute_force(nets)
    # then both settle exactly and the exact method uses no more payments than exhaustive search
    assert_settles(plan, nets)
    assert_settles(brute, nets)
    assert len(plan) == len(brute)
    assert len(plan) <= len(settle_greedy(nets))


@given(positions(max_parties=7, max_amount=10**6))
def test_exact_settlement_is_minimal_against_brute_force_with_realistic_amounts(nets: dict[str, int]) -> None:
    assert len(settle(nets)) == len(settle_brute_force(nets))


@settings(max_examples=40, deadline=None)
@given(positions(max_parties=20, max_amount=12))
def test_never_more_than_n_minus_1_and_groups_explain_the_count(nets: dict[str, int]) -> None:
    plan = settle(nets)
    n = parties_count(nets)
    assert_settles(plan, nets)
    assert len(plan) <= max(n - 1, 0)
    # the groups partition the parties, each sums to zero, and each takes size − 1 payments
    members = [city for group in plan.groups for city in group]
    assert sorted(members) == sorted(city for city, v in nets.items() if v)
    assert all(sum(nets[city] for city in group) == 0 for group in plan.groups)
    assert len(plan) == n - len(plan.groups)
    for group in plan.groups:
        inside = [i for i in plan if i.payer in group]
        assert len(inside) == len(group) - 1
        assert all(i.payee in group for i in inside)


@settings(max_examples=40, deadline=None)
@given(positions(max_parties=12, max_amount=3))
def test_chain_search_and_layered_dp_find_the_same_number_of_groups(nets: dict[str, int]) -> None:
    parties = _non_zero_parties(nets)
    if not parties:
        return
    by_chain = _zero_sum_groups(parties, search="chain")
    by_layers = _zero_sum_groups(parties, search="layers")
    assert len(by_chain) == len(by_layers)
    for groups in (by_chain, by_layers):
        assert all(sum(net for _, net in group) == 0 for group in groups)
        assert sorted(p for g in groups for p in g) == parties


@given(positions(max_parties=10, max_amount=50), st.randoms(use_true_random=False))
def test_settlement_does_not_depend_on_the_order_of_the_positions(nets: dict[str, int], rnd) -> None:
    items = list(nets.items())
    rnd.shuffle(items)
    assert settle(dict(items)) == settle(nets)
    assert settle_greedy(dict(items)) == settle_greedy(nets)


@given(positions(max_parties=12, max_amount=10**9))
def test_greedy_also_settles_within_n_minus_1(nets: dict[str, int]) -> None:
    plan = settle_greedy(nets)
    assert_settles(plan, nets)
    assert len(plan) <= max(parties_count(nets) - 1, 0)


@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(1, 10**10), min_size=19, max_size=19), st.data())
def test_twenty_cities_with_realistic_amounts(amounts: list[int], data: st.DataObject) -> None:
    signs = data.draw(st.lists(st.sampled_from((-1, 1)), min_size=19, max_size=19))
    values = [a * s for a, s in zip(amounts, signs, strict=True)]
    values.append(-sum(values))
    nets = {f"C{i:02d}": v for i, v in enumerate(values)}
    plan = settle(nets)
    assert plan.method == "exact"
    assert_settles(plan, nets)
    assert len(plan) <= parties_count(nets) - 1


def test_close_of_a_period_brings_everything_together() -> None:
    obligations = [("SZ", "SH", 1_000), ("SH", "SZ", 400), ("NT", "SH", 250), ("SH", "NT", 250)]
    result = clear_obligations(obligations, cities=["SH", "SZ", "NT", "WX"])
    assert result.cities == ("NT", "SH", "SZ", "WX")
    assert result.net_positions == {"NT": 0, "SH": 600, "SZ": -600, "WX": 0}
    assert result.positions["SH"] == CityPosition("SH", receivable_fen=1_250, payable_fen=650)
    assert result.matrix["SZ"]["SH"] == 1_000
    assert result.plan.instructions == (SettlementInstruction("SZ", "SH", 600),)
