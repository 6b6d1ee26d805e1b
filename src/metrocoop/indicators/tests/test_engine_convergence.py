"""Tests of the convergence engine: σ and β hand-worked, against statsmodels/scipy, and properties."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.stats as stats
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocoop.indicators.engine import EmptyInputError, InvalidValueError, NonPositiveValueError
from metrocoop.indicators.engine.convergence import (
    CityYearValue,
    beta_convergence,
    linear_trend,
    panel_from_records,
    sigma_convergence,
    student_t_two_sided_p,
)

# --------------------------------------------------------------------------- σ-convergence

SIGMA_CASES = [
    # panel, expected CV per year, expected verdict
    pytest.param({2015: {"A": 1.0, "B": 3.0}, 2019: {"A": 2.0, "B": 3.0}}, [0.5, 0.2], "converging", id="converging"),
    pytest.param({2015: {"A": 2.0, "B": 3.0}, 2019: {"A": 1.0, "B": 3.0}}, [0.2, 0.5], "diverging", id="diverging"),
    pytest.param({2015: {"A": 1.0, "B": 3.0}, 2019: {"A": 2.0, "B": 6.0}}, [0.5, 0.5], "no-trend", id="doubling"),
]


@pytest.mark.parametrize(("panel", "cvs", "verdict"), SIGMA_CASES)
def test_sigma_hand_worked(panel: dict[int, dict[str, float]], cvs: list[float], verdict: str) -> None:
    result = sigma_convergence(panel)
    assert [r.cv for r in result.by_year] == pytest.approx(cvs, abs=1e-12)
    assert result.cv_trend.slope == pytest.approx((cvs[1] - cvs[0]) / 4, abs=1e-12)
    assert result.cv_trend.intercept == pytest.approx(cvs[0], abs=1e-12)
    assert result.cv_trend.origin_year == 2015
    assert result.verdict == verdict
    assert result.verdict_zh.startswith("σ")
    # sd of logs of two values is |ln a − ln b| / 2
    first = panel[2015]
    assert result.by_year[0].sd_log == pytest.approx(abs(math.log(first["A"] / first["B"])) / 2, abs=1e-12)


def test_sigma_trend_over_several_years_and_tolerance() -> None:
    panel = {
        2015: {"A": 10.0, "B": 20.0, "C": 40.0},
        2016: {"A": 11.0, "B": 20.5, "C": 40.5},
        2017: {"A": 12.5, "B": 21.0, "C": 41.0},
        2018: {"A": 13.0, "B": 22.0, "C": 41.0},
    }
    result = sigma_convergence(panel)
    cvs = [r.cv for r in result.by_year]
    slope, intercept = np.polyfit([0, 1, 2, 3], cvs, 1)
    assert result.cv_trend.slope == pytest.approx(slope, abs=1e-12)
    assert result.cv_trend.intercept == pytest.approx(intercept, abs=1e-12)
    assert result.verdict == "converging"
    assert sigma_convergence(panel, tolerance=1.0).verdict == "no-trend"


def test_sigma_balanced_panel_drops_and_names_incomplete_cities() -> None:
    panel = {2015: {"A": 1.0, "B": 3.0, "C": 9.0}, 2017: {"A": 1.5, "B": 3.0}, 2019: {"A": 2.0, "B": 3.0, "D": 1.0}}
    result = sigma_convergence(panel)
    assert result.cities == ("A", "B")
    assert [(d.city_code, d.missing_years) for d in result.dropped] == [("C", (2017, 2019)), ("D", (2015, 2017))]
    unbalanced = sigma_convergence(panel, balanced=False)
    assert unbalanced.dropped == ()
    assert [r.n for r in unbalanced.by_year] == [3, 2, 3]
    assert "Unbalanced" in unbalanced.note


def test_sigma_errors() -> None:
    with pytest.raises(EmptyInputError):
        sigma_convergence({})
    with pytest.raises(InvalidValueError):
        sigma_convergence({2015: {"A": 1.0, "B": 2.0}})
    with pytest.raises(InvalidValueError):
        sigma_convergence({2015: {"A": 1.0, "B": 2.0}, 2016: {"A": 1.0, "C": 2.0}})
    with pytest.raises(NonPositiveValueError) as exc:
        sigma_convergence({2015: {"A": 1.0, "B": 2.0}, 2016: {"A": 0.0, "B": 2.0}})
    assert exc.value.city_code == "A" and "2016" in str(exc.value)


# --------------------------------------------------------------------------- β-convergence


def exact_beta_panel(a: float, b: float, period: int, levels: dict[str, float]) -> dict[int, dict[str, float]]:
    """Final levels that lie exactly on gᵢ = a + b·ln y0."""
    final = {c: y0 * math.exp(period * (a + b * math.log(y0))) for c, y0 in levels.items()}
    return {2000: dict(levels), 2000 + period: final}


BETA_CASES = [
    pytest.param(0.05, -0.02, 10, "converging", id="converging"),
    pytest.param(0.01, 0.015, 5, "diverging", id="diverging"),
    pytest.param(0.03, 0.0, 8, "no-trend", id="flat"),
]


@pytest.mark.parametrize(("a", "b", "period", "verdict"), BETA_CASES)
def test_beta_hand_worked_exact_line(a: float, b: float, period: int, verdict: str) -> None:
    panel = exact_beta_panel(a, b, period, {"A": 1.0, "B": math.e, "C": math.e**2, "D": 5.0})
    result = beta_convergence(panel)
    assert result.slope == pytest.approx(b, abs=1e-12)
    assert result.intercept == pytest.approx(a, abs=1e-12)
    assert result.period == period
    if b != 0:
        assert result.r_squared == pytest.approx(1.0, abs=1e-9)
        assert result.verdict == verdict
    speed = -math.log(1 + b * period) / period
    assert result.speed == pytest.approx(speed, abs=1e-12)
    if speed > 1e-12:
        assert result.half_life == pytest.approx(math.log(2) / speed, rel=1e-9)
    assert [c.growth_rate for c in result.cities] == pytest.approx([a + b * c.log_initial for c in result.cities])


def test_beta_speed_for_the_worked_example() -> None:
    # b = −0.02 over 10 years: λ = −ln(0.8)/10 = 0.0223144, half-life ≈ 31.06 years
    panel = exact_beta_panel(0.05, -0.02, 10, {"A": 1.0, "B": 2.0, "C": 4.0})
    result = beta_convergence(panel)
    assert result.speed == pytest.approx(0.0223143551, abs=1e-9)
    assert result.half_life == pytest.approx(31.0628, abs=1e-3)


def test_beta_overshooting_has_no_speed() -> None:
    # b = −1.5 over one year: 1 + b·T < 0
    panel = exact_beta_panel(1.0, -1.5, 1, {"A": 1.0, "B": math.e, "C": 3.0})
    result = beta_convergence(panel)
    assert result.slope == pytest.approx(-1.5)
    assert result.speed is None and result.half_life is None
    assert "undefined" in result.note


def test_beta_uses_only_cities_in_both_years_and_names_the_others() -> None:
    panel = {2010: {"A": 1.0, "B": 2.0, "C": 3.0}, 2015: {"A": 2.0, "B": 3.0}, 2019: {"A": 2.0, "B": 2.5, "D": 9.0}}
    result = beta_convergence(panel)
    assert (result.start_year, result.end_year) == (2010, 2019)
    assert [c.city_code for c in result.cities] == ["A", "B"]
    assert [(d.city_code, d.missing_years) for d in result.dropped] == [("C", (2019,)), ("D", (2010,))]
    assert result.p_value is None and "two cities" in result.note
    explicit = beta_convergence(panel, start_year=2010, end_year=2015)
    assert [c.city_code for c in explicit.cities] == ["A", "B"]
    assert [d.city_code for d in explicit.dropped] == ["C"]


def test_beta_errors() -> None:
    with pytest.raises(InvalidValueError):
        beta_convergence({2010: {"A": 1.0, "B": 2.0}, 2015: {"A": 2.0, "B": 3.0}}, start_year=2011)
    with pytest.raises(InvalidValueError):
        beta_convergence({2010: {"A": 1.0, "B": 2.0}, 2015: {"A": 2.0, "B": 3.0}}, start_year=2015, end_year=2010)
    with pytest.raises(InvalidValueError):
        beta_convergence({2010: {"A": 1.0, "B": 1.0}, 2015: {"A": 2.0, "B": 3.0}})
    with pytest.raises(InvalidValueError):
        beta_convergence({2010: {"A": 1.0, "B": 2.0}, 2015: {"A": 2.0, "C": 3.0}})
    with pytest.raises(NonPositiveValueError) as exc:
        beta_convergence({2010: {"A": 1.0, "B": -2.0}, 2015: {"A": 2.0, "B": 3.0}})
    assert exc.value.city_code == "B"


def test_beta_matches_statsmodels_ols() -> None:
    y0 = {"SH": 15.73, "NB": 14.32, "JX": 11.28, "HZ": 10.26, "ZS": 11.70, "SZ": 17.92, "WX": 18.0, "CZ": 15.64}
    y1 = {"SH": 17.0, "NB": 16.1, "JX": 13.9, "HZ": 12.0, "ZS": 13.1, "SZ": 19.0, "WX": 19.9, "CZ": 17.5}
    result = beta_convergence({2019: y0, 2023: y1})
    codes = sorted(y0)
    x = np.log([y0[c] for c in codes])
    g = np.log([y1[c] / y0[c] for c in codes]) / 4
    ref = sm.OLS(g, sm.add_constant(x)).fit()
    assert result.intercept == pytest.approx(ref.params[0], abs=1e-12)
    assert result.slope == pytest.approx(ref.params[1], abs=1e-12)
    assert result.r_squared == pytest.approx(ref.rsquared, abs=1e-12)
    assert result.slope_se == pytest.approx(ref.bse[1], rel=1e-9)
    assert result.t_stat == pytest.approx(ref.tvalues[1], rel=1e-9)
    assert result.p_value == pytest.approx(ref.pvalues[1], rel=1e-7)
    json.dumps(result.to_dict(), allow_nan=False)


@pytest.mark.parametrize(("t", "df"), [(0.0, 3), (0.5, 1), (1.96, 7), (-2.5, 4), (4.0, 30), (12.0, 2), (0.1, 200)])
def test_student_t_p_value_matches_scipy(t: float, df: int) -> None:
    assert student_t_two_sided_p(t, df) == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-9, abs=1e-15)


def test_linear_trend_and_records() -> None:
    trend = linear_trend([2015, 2016, 2017], [1.0, 3.0, 5.0], origin=2015)
    assert (trend.slope, trend.intercept, trend.r_squared) == (2.0, 1.0, 1.0)
    with pytest.raises(InvalidValueError):
        linear_trend([2015, 2015], [1.0, 2.0])
    panel = panel_from_records([CityYearValue("A", 2015, 1.0), CityYearValue("B", 2015, 2.0)])
    assert panel == {2015: {"A": 1.0, "B": 2.0}}
    with pytest.raises(InvalidValueError):
        panel_from_records([CityYearValue("A", 2015, 1.0), CityYearValue("A", 2015, 2.0)])


# --------------------------------------------------------------------------- properties

panels = st.dictionaries(
    st.sampled_from(["A", "B", "C", "D", "E", "F"]),
    st.tuples(st.floats(0.1, 1e4, allow_nan=False), st.floats(0.1, 1e4, allow_nan=False)),
    min_size=3,
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), cities=panels)
def test_property_order_of_cities_does_not_matter(data: st.DataObject, cities: dict[str, tuple[float, float]]) -> None:
    items = list(cities.items())
    shuffled = data.draw(st.permutations(items))
    panel = {2010: {c: v[0] for c, v in items}, 2020: {c: v[1] for c, v in items}}
    panel2 = {2020: {c: v[1] for c, v in shuffled}, 2010: {c: v[0] for c, v in shuffled}}
    assert sigma_convergence(panel2).to_dict() == sigma_convergence(panel).to_dict()
    # β regresses on the logs: values that differ can still have equal logs as floats (0.1 and 0.10000000000000002)
    if len({math.log(v[0]) for v in cities.values()}) > 1:
        assert beta_convergence(panel2).to_dict() == beta_convergence(panel).to_dict()


@settings(max_examples=60, deadline=None)
@given(cities=panels, factor=st.floats(0.01, 100, allow_nan=False))
def test_property_scaling_every_value_leaves_sigma_unchanged(
    cities: dict[str, tuple[float, float]], factor: float
) -> None:
    panel = {2010: {c: v[0] for c, v in cities.items()}, 2020: {c: v[1] for c, v in cities.items()}}
    scaled = {y: {c: v * factor for c, v in row.items()} for y, row in panel.items()}
    a, b = sigma_convergence(panel), sigma_convergence(scaled)
    assert [r.cv for r in b.by_year] == pytest.approx([r.cv for r in a.by_year], rel=1e-9, abs=1e-12)
    assert [r.sd_log for r in b.by_year] == pytest.approx([r.sd_log for r in a.by_year], rel=1e-9, abs=1e-9)
