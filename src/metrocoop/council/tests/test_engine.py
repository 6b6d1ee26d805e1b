"""Engine rules, table-driven and property-based; no database."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrocoop.council import engine
from metrocoop.council.engine import ItemFacts, ReportFacts, VotingRule

NINE = ["SH", "SZ", "WX", "CZ", "NT", "NB", "JX", "HZ", "ZS"]
TWO_THIRDS = VotingRule(quorum_share=Fraction(2, 3))


@pytest.mark.parametrize(
    ("votes", "rule", "quorum", "passed"),
    [
        (dict.fromkeys(NINE[:6], "yes"), TWO_THIRDS, True, True),
        (dict.fromkeys(NINE[:5], "yes"), TWO_THIRDS, False, False),
        ({**dict.fromkeys(NINE[:3], "yes"), **dict.fromkeys(NINE[3:6], "no")}, TWO_THIRDS, True, False),  # a tie fails
        ({**dict.fromkeys(NINE[:4], "yes"), **dict.fromkeys(NINE[4:8], "abstain")}, TWO_THIRDS, True, False),
        ({**dict.fromkeys(NINE[:8], "yes"), "ZS": "abstain"}, VotingRule(quorum_count=9, unanimity=True), True, False),
        (dict.fromkeys(NINE, "yes"), VotingRule(quorum_count=9, unanimity=True), True, True),
        (dict.fromkeys(NINE[:7], "yes"), VotingRule(quorum_count=5, majority_share=Fraction(2, 3)), True, True),
        (
            {**dict.fromkeys(NINE[:4], "yes"), **dict.fromkeys(NINE[4:6], "no")},
            VotingRule(quorum_count=5, majority_share=Fraction(2, 3)),
            True,
            False,
        ),  # 4/6 is not above 2/3
    ],
)
def test_decide_vote(votes, rule, quorum, passed):
    decision = engine.decide_vote(NINE, votes, rule)
    assert decision.quorum_met is quorum and decision.passed is passed
    assert decision.steps and decision.present == len(votes)


def test_votes_of_cities_without_a_seat_are_ignored():
    decision = engine.decide_vote(NINE[:3], {"SH": "yes", "SZ": "yes", "XX": "no"}, VotingRule(quorum_count=2))
    assert decision.present == 2 and decision.passed and any("ignored" in s for s in decision.steps)


@given(st.lists(st.sampled_from(["yes", "no", "abstain"]), min_size=0, max_size=9))
def test_decision_does_not_depend_on_city_order(choices):
    votes = dict(zip(NINE, choices, strict=False))
    a = engine.decide_vote(NINE, votes, TWO_THIRDS)
    b = engine.decide_vote(list(reversed(NINE)), dict(reversed(list(votes.items()))), TWO_THIRDS)
    assert (a.passed, a.quorum_met, a.yes, a.no) == (b.passed, b.quorum_met, b.yes, b.no)


def _item(i, parent=None, weight=1, percent=0.0, **kw):
    return ItemFacts(
        id=i,
        title=f"i{i}",
        domain="ecology",
        lead_city="SH",
        deadline=date(2025, 12, 31),
        weight=weight,
        parent_id=parent,
        percent=percent,
        reported=percent > 0,
        **kw,
    )


def test_rollup_by_weight_recursively():
    items = [_item(1), _item(2, 1, 3, 100), _item(3, 1, 1, 0), _item(4), _item(5, 4, 1, 50), _item(6, 5, 2, 80)]
    rolled = engine.rollup(items)
    assert rolled[1].percent == 75
    assert rolled[5].percent == 80  # an item with sub-items takes its sub-items' progress, not its own
    assert rolled[4].percent == 80
    assert engine.plan_progress(items).percent == 77.5


@given(st.lists(st.tuples(st.integers(1, 10), st.floats(0, 100)), min_size=1, max_size=8))
def test_rollup_lies_between_the_children(children):
    items = [_item(0)] + [_item(n + 1, 0, w, p) for n, (w, p) in enumerate(children)]
    value = engine.rollup(items)[0].percent
    assert min(p for _, p in children) - 0.01 <= value <= max(p for _, p in children) + 0.01


@pytest.mark.parametrize(
    ("percent", "deadline", "as_of", "reported", "status"),
    [
        (100, date(2025, 6, 30), date(2025, 12, 31), True, "completed"),
        (60, date(2025, 6, 30), date(2025, 7, 1), True, "late"),
        (60, date(2025, 6, 30), date(2025, 6, 30), True, "on_track"),
        (0, date(2025, 6, 30), date(2025, 3, 1), False, "not_started"),
        (0, date(2025, 6, 30), date(2025, 8, 1), False, "late"),
    ],
)
def test_classify_item(percent, deadline, as_of, reported, status):
    assert engine.classify_item(percent, deadline, as_of, reported) == status


def test_report_due_and_quarters_due():
    assert engine.report_due(2026, 1) == date(2026, 4, 15)
    assert engine.report_due(2026, 4) == date(2027, 1, 15)
    assert engine.quarters_due(2026, date(2026, 11, 27)) == [1, 2, 3]
    with pytest.raises(ValueError):
        engine.report_due(2026, 5)


def test_summary_counts_add_up_and_kpi_attainment_is_capped():
    items = [
        _item(1, percent=100, target_value=Decimal(10), kpi_actual=Decimal(12)),
        _item(2, percent=40, target_value=Decimal(10), kpi_actual=Decimal(4)),
        _item(3),
    ]
    s = engine.summarise_year(items, date(2026, 1, 1))
    t = s.totals.as_dict()
    assert t["items"] == 3 == t["completed"] + t["on_track"] + t["late"] + t["not_started"]
    assert t["kpi_attainment"] == pytest.approx((1.0 + 0.4) / 2)
    assert sum(c.items for c in s.by_domain.values()) == sum(c.items for c in s.by_city.values()) == 3


def test_carry_over_takes_unfinished_items_and_their_parents():
    items = [_item(1), _item(2, 1, 1, 100), _item(3, 1, 1, 50), _item(4, percent=100), _item(5)]
    assert engine.carry_over(items) == [1, 3, 5]


def test_city_performance_completion_and_timeliness():
    items = [
        ItemFacts(
            1, "a", "transport", "NB", date(2026, 6, 30), percent=100, reported=True, completed_on=date(2026, 6, 1)
        ),
        ItemFacts(2, "b", "transport", "NB", date(2026, 12, 31), percent=30, reported=True),
    ]
    reports = [
        ReportFacts(1, "NB", 1, date(2026, 4, 10)),
        ReportFacts(1, "NB", 2, date(2026, 7, 20)),  # late: due 15 July
        ReportFacts(2, "NB", 1, date(2026, 4, 15)),
    ]
    perf = engine.city_performance(2026, items, reports, date(2026, 8, 1))["NB"]
    assert (perf.items_led, perf.items_completed, perf.completed_on_time) == (2, 1, 1)
    assert (perf.reports_due, perf.reports_on_time) == (4, 2)
    assert perf.completion_rate == 0.5 and perf.timeliness_rate == 0.5


def test_unserved_articles():
    assert engine.unserved_articles([1, 2, 3], [(10, 1), (11, 1), (12, 3)]) == [2]
