"""Fund rules on plain data: hand-worked cases and the laws the issue names."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrocoop.funds.engine import (
    AssessmentRule,
    AssistanceRule,
    CityPerformance,
    ContributionBasis,
    ContributionRule,
    FiscalCapacity,
    FundRuleError,
    PayoutRule,
    compute_assistance,
    compute_contributions,
    compute_payouts,
    largest_remainder,
    score_cities,
)

CODES = ["SH", "SZ", "WX", "CZ", "NT", "NB", "JX", "HZ", "ZS", "YC", "TZ", "SX"]


def test_largest_remainder_hand_worked():
    # 100 fen in thirds: 33.33 each, one fen left goes to the largest remainder, ties by key
    assert largest_remainder(100, {"B": Fraction(1), "A": Fraction(1), "C": Fraction(1)}) == {"A": 34, "B": 33, "C": 33}
    assert largest_remainder(10, {"A": Fraction(0), "B": Fraction(1)}) == {"A": 0, "B": 10}


def test_contributions_hand_worked():
    # two cities, 1,000,000 fen; half equal base, half by GDP 3:1 (revenue weight 0)
    rule = ContributionRule(base_weight="1/2", gdp_weight="1/2", revenue_weight=0)
    result = compute_contributions(1_000_000, [ContributionBasis("A", 3, 1), ContributionBasis("B", 1, 1)], rule)
    by_city = {c.city: c for c in result.cities}
    assert by_city["A"].amount_fen == 625_000  # 1/4 + 1/2·3/4 = 5/8
    assert by_city["B"].amount_fen == 375_000
    assert by_city["A"].share == "5/8"


def test_contributions_floor_and_cap_move_the_rest_to_the_others():
    rule = ContributionRule(base_weight=0, gdp_weight=1, revenue_weight=0, floor_fen=100, cap_fen=600)
    result = compute_contributions(
        1000, [ContributionBasis("A", 90, 0), ContributionBasis("B", 9, 0), ContributionBasis("C", 1, 0)], rule
    )
    by_city = {c.city: c for c in result.cities}
    assert by_city["A"].amount_fen == 600 and by_city["A"].bound == "cap"
    assert by_city["C"].amount_fen == 100 and by_city["C"].bound == "floor"
    assert by_city["B"].amount_fen == 300
    assert result.total_fen == 1000


@pytest.mark.parametrize(
    ("rule", "target"),
    [
        (ContributionRule(base_weight="0.5", gdp_weight="0.3", revenue_weight="0.3"), 100),  # weights sum to 1.1
        (ContributionRule(base_weight=1, gdp_weight=0, revenue_weight=0, floor_fen=60), 100),  # 2 × 60 > 100
        (ContributionRule(base_weight=1, gdp_weight=0, revenue_weight=0, cap_fen=40), 100),  # 2 × 40 < 100
        (ContributionRule(base_weight=1, gdp_weight=0, revenue_weight=0), 10.5),  # not fen
    ],
)
def test_impossible_contribution_rules_are_refused_with_a_reason(rule, target):
    with pytest.raises(FundRuleError) as err:
        compute_contributions(target, [ContributionBasis("A", 1, 1), ContributionBasis("B", 1, 1)], rule)
    assert err.value.message_zh


bases = st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 10**6)), min_size=1, max_size=len(CODES)).map(
    lambda rows: [ContributionBasis(CODES[i], g, r) for i, (g, r) in enumerate(rows)]
)
weights = st.tuples(st.integers(0, 10), st.integers(0, 10), st.integers(0, 10)).filter(lambda w: sum(w) > 0)


@given(bases, weights, st.integers(0, 10**12), st.randoms())
def test_contributions_sum_to_the_target_whatever_the_order(rows, w, target, rnd):
    total = sum(w)
    rule = ContributionRule(Fraction(w[0], total), Fraction(w[1], total), Fraction(w[2], total))
    first = compute_contributions(target, rows, rule)
    assert first.total_fen == target
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert compute_contributions(target, shuffled, rule) == first


@given(bases, st.integers(1, 10**9))
def test_floor_and_cap_hold_for_every_city(rows, target):
    n = len(rows)
    floor, cap = target // (2 * n), -(-2 * target // n)
    rule = ContributionRule("1/5", "2/5", "2/5", floor_fen=floor, cap_fen=cap)
    result = compute_contributions(target, rows, rule)
    assert result.total_fen == target
    assert all(floor <= c.amount_fen <= cap for c in result.cities)


def perf(city, c, t, q, growth):
    return CityPerformance(city, c, t, q, {"gdp-growth": growth})


RULE = AssessmentRule(weights={"completion": "0.4", "timeliness": "0.2", "quality": "0.2", "gdp-growth": "0.2"})


def test_scores_hand_worked():
    scores = score_cities([perf("A", 1, 1, 1, 5), perf("B", "0.5", "0.5", "0.5", 3), perf("C", 0, 0, 0, 1)], RULE)
    by_city = scores.by_city()
    assert by_city["A"].score == 100 and by_city["A"].rank == 1
    assert by_city["B"].score == pytest.approx(50)  # 0.4·0.5 + 0.2·0.5 + 0.2·0.5 + 0.2·(3−1)/(5−1)
    assert by_city["C"].score == 0 and by_city["C"].rank == 3
    assert by_city["B"].contributions["gdp-growth"] == pytest.approx(10)


def test_ties_share_a_rank_and_the_reward_parts():
    scores = score_cities([perf("A", 1, 1, 1, 2), perf("B", 1, 1, 1, 2), perf("C", 0, 0, 0, 2)], RULE)
    assert [c.rank for c in scores.cities] == [1, 1, 3]
    payouts = {p.city: p for p in compute_payouts(scores, PayoutRule(1001, (5, 3, 2))).payouts}
    # A and B share the parts of places 1 and 2 (5 + 3), C gets place 3's 2 parts: 1001 × 4/10, 4/10, 2/10
    assert payouts["A"].reward_fen + payouts["B"].reward_fen == 801 - 0 and payouts["C"].reward_fen == 200
    assert abs(payouts["A"].reward_fen - payouts["B"].reward_fen) <= 1


def test_compensation_for_under_performers():
    scores = score_cities([perf("A", 1, 1, 1, 2), perf("B", "0.5", "0.5", "0.5", 1)], RULE)
    rule = PayoutRule(0, (), compensation_threshold=60, compensation_per_point_fen=1000, compensation_cap_fen=5000)
    payouts = {p.city: p for p in compute_payouts(scores, rule).payouts}
    assert payouts["A"].compensation_fen == 0
    assert payouts["B"].compensation_fen == 5000  # (60 − 40) × 1000 = 20,000, capped at 5,000
    assert "60" in payouts["B"].explanation_zh


performances = st.lists(
    st.tuples(*(st.fractions(0, 1, max_denominator=100) for _ in range(3)), st.integers(-50, 50)),
    min_size=1,
    max_size=len(CODES),
).map(lambda rows: [perf(CODES[i], *row) for i, row in enumerate(rows)])


@given(performances, st.randoms())
def test_scores_are_unchanged_by_the_order_of_cities(rows, rnd):
    first = score_cities(rows, RULE)
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert score_cities(shuffled, RULE) == first
    assert all(0 <= c.score <= 100 + 1e-9 for c in first.cities)


def test_assistance_hand_worked():
    # average = (100 + 20) / (10 + 10) = 6; threshold 0.9 × 6 = 5.4; B has 2 per head: gap 3.4 × 10 × 1/2 = 17
    rule = AssistanceRule(pool_fen=1000, threshold_share="0.9", gap_share="0.5")
    result = compute_assistance([FiscalCapacity("A", 100, 10), FiscalCapacity("B", 20, 10)], rule)
    by_city = {c.city: c for c in result.cities}
    assert result.regional_average == 6 and by_city["A"].amount_fen == 0 and by_city["B"].amount_fen == 17
    small_pool = compute_assistance(
        [FiscalCapacity("A", 100, 10), FiscalCapacity("B", 20, 10)], AssistanceRule(pool_fen=10)
    )
    assert small_pool.total_fen == 10 and small_pool.scale < 1


capacities = st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 10**4)), min_size=1, max_size=len(CODES)).map(
    lambda rows: [FiscalCapacity(CODES[i], r, p) for i, (r, p) in enumerate(rows)]
)


@given(capacities, st.integers(0, 10**9), st.fractions(0, 1, max_denominator=20), st.integers(1, 1000))
def test_assistance_never_exceeds_the_pool(rows, pool, share, unit):
    result = compute_assistance(rows, AssistanceRule(pool_fen=pool, threshold_share=share, fen_per_unit=unit))
    assert 0 <= result.total_fen <= pool
    assert all(c.amount_fen == 0 for c in result.cities if c.gap_per_capita == 0)
