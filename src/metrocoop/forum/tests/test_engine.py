"""The forum's pure rules: working days on China's official calendar, and the duplicate detector measured on the
labelled pairs kept in tests/data."""

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrocoop.forum import engine

PAIRS = json.loads((Path(__file__).parent / "data" / "duplicate_pairs.json").read_text(encoding="utf-8"))["pairs"]


@pytest.mark.parametrize(
    ("start", "days", "due", "why"),
    [
        # received the day before National Day: 1-7 October are holidays, Saturday 10 October is a working day
        (date(2026, 9, 30), 5, date(2026, 10, 13), "National Day week skipped, adjusted Saturday 10 Oct counted"),
        (date(2026, 10, 9), 1, date(2026, 10, 10), "the adjusted working Saturday is the next working day"),
        (date(2026, 9, 4), 1, date(2026, 9, 7), "an ordinary weekend is skipped"),
        (date(2026, 9, 19), 1, date(2026, 9, 20), "Sunday 20 September 2026 is an adjusted working day"),
        (date(2026, 2, 13), 1, date(2026, 2, 14), "Saturday 14 February 2026 is worked before Spring Festival"),
        (date(2026, 2, 14), 1, date(2026, 2, 24), "Spring Festival 15-23 February skipped"),
        (date(2026, 3, 2), 15, date(2026, 3, 23), "three ordinary weeks"),
        (date(2026, 4, 30), 1, date(2026, 5, 6), "Labour Day 1-5 May skipped"),
    ],
)
def test_deadlines_follow_the_official_calendar(start, days, due, why):
    deadline = engine.add_working_days(start, days)
    assert deadline.due_on == due, why
    assert not deadline.provisional


def test_a_naive_weekday_count_would_be_wrong_across_national_day():
    # Given a suggestion received on 30 September 2026 with five working days to answer
    deadline = engine.add_working_days(date(2026, 9, 30), 5)
    # then counting Monday to Friday only would give 7 October, in the middle of the holiday
    assert deadline.due_on != date(2026, 10, 7)
    assert any("2026-10-10" in step and "调休" in step for step in deadline.steps)
    assert sum("holiday skipped" in step for step in deadline.steps) == 5  # 1, 2, 5, 6, 7 October


def test_beyond_the_known_calendar_the_deadline_is_provisional_and_skips_fixed_holidays():
    assert engine.CALENDAR_LAST_YEAR >= 2026
    last = engine.CALENDAR_LAST_YEAR
    # Given a start at the end of the last known year
    deadline = engine.add_working_days(date(last, 12, 31), 1)
    # then 1 January (fixed by law) is skipped although the year's notice is not known, and the result is provisional
    assert deadline.provisional
    assert deadline.due_on > date(last + 1, 1, 1)
    assert deadline.due_on.weekday() < 5


def test_due_state_reminds_two_working_days_ahead_and_is_overdue_the_day_after():
    due = date(2026, 10, 13)
    assert not engine.due_state(due, date(2026, 10, 8)).remind  # 8 Oct → 13 Oct: 3 working days left (9, 10, 12, 13)
    assert engine.due_state(due, date(2026, 10, 12)).remind
    assert not engine.due_state(due, date(2026, 10, 13)).overdue
    assert engine.due_state(due, date(2026, 10, 14)).overdue


def _labelled():
    return [
        (
            engine.suggestion_text(p["a"]["title"], p["a"]["text"]),
            engine.suggestion_text(p["b"]["title"], p["b"]["text"]),
            p["duplicate"],
        )
        for p in PAIRS
    ]


def test_the_labelled_set_is_balanced_enough_to_measure():
    labels = [p["duplicate"] for p in PAIRS]
    assert labels.count(True) >= 10 and labels.count(False) >= 10


def test_precision_and_recall_on_the_labelled_pairs():
    result = engine.evaluate(_labelled())
    # the threshold lies between the two groups on this set: every duplicate found, no unrelated pair listed
    assert result.precision >= 0.9, result
    assert result.recall >= 0.9, result


def test_the_threshold_sits_between_the_labelled_groups():
    scores = [(engine.similarity(a, b), dup) for a, b, dup in _labelled()]
    lowest_duplicate = min(s for s, dup in scores if dup)
    highest_other = max(s for s, dup in scores if not dup)
    assert highest_other < engine.DUPLICATE_THRESHOLD <= lowest_duplicate


def test_exact_match_is_not_required_but_topic_alone_is_not_enough():
    original = "建议开通苏州工业园区到上海虹桥枢纽的夜间公交线路，晚上十点后没有车。"
    reworded = "晚上十点以后苏州工业园区没有去上海虹桥枢纽的公交，希望开通夜间公交线路。"
    same_topic = "建议增加苏州到上海的早班高铁，方便上班族。"
    assert engine.similarity(original, reworded) >= engine.DUPLICATE_THRESHOLD
    assert engine.similarity(original, same_topic) < engine.DUPLICATE_THRESHOLD


def test_likely_duplicates_are_ranked_and_explained():
    candidates = [
        engine.Candidate(1, "开通苏州到上海虹桥的夜间公交", "晚上十点以后没有回苏州的公交了，建议开通夜间公交线路。"),
        engine.Candidate(2, "淀山湖开放水上运动", "建议开放皮划艇、帆船等水上运动。"),
    ]
    found = engine.likely_duplicates(
        "建议开通苏州至上海虹桥夜间公交", "十点以后没有回苏州的公交，希望开通夜间公交线路。", candidates
    )
    assert [m.id for m in found] == [1]
    assert 0 < found[0].similarity <= 1 and "夜间" in found[0].shared


def test_full_width_and_markup_are_text_like_any_other():
    assert engine.similarity("ＡＰＰ一码通", "app一码通") == pytest.approx(1.0)
    assert engine.similarity("<b>夜间公交</b>", "夜间公交") > 0.5


@given(st.text(max_size=60), st.text(max_size=60))
def test_similarity_is_symmetric_and_bounded(a, b):
    s = engine.similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == pytest.approx(engine.similarity(b, a))


@given(st.text(alphabet="苏州上海夜间公交建议地铁港口abc 12", min_size=2, max_size=40))
def test_a_text_is_identical_to_itself(text):
    if engine.features(text):
        assert engine.similarity(text, text) == pytest.approx(1.0)


@given(st.dates(min_value=date(2005, 1, 1), max_value=date(2028, 12, 1)), st.integers(min_value=0, max_value=30))
def test_the_due_day_is_a_working_day_exactly_n_working_days_later(start, n):
    deadline = engine.add_working_days(start, n)
    assert engine.working_days_between(start, deadline.due_on) == n
    if n:
        assert engine.is_working_day(deadline.due_on)
