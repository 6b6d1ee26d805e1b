"""Tests of the disparity engine: hand-worked cases, PySAL cross-checks, the paper's 表1 and properties."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import inequality.gini as gini_mod
import inequality.theil as theil_mod
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocoop.indicators.engine import (
    DuplicateCityError,
    EmptyInputError,
    InvalidValueError,
    MissingGroupError,
    MissingPopulationError,
    NonPositiveValueError,
)
from metrocoop.indicators.engine.disparity import (
    CityValue,
    coefficient_of_variation,
    descriptive_stats,
    disparity_report,
    gini,
    max_min_ratio,
    prepare_observations,
    theil_decomposition,
    theil_l,
    theil_t,
    weighted_theil_l,
    weighted_theil_t,
    williamson_index,
)

TABLE1 = Path(__file__).resolve().parents[1] / "data" / "paper_table1_2019.csv"


def obs(values: list[float], groups: list[str] | None = None, pops: list[float] | None = None) -> list[CityValue]:
    codes = [chr(ord("A") + i) for i in range(len(values))]
    return [
        CityValue(c, groups[i] if groups else None, v, pops[i] if pops else None)
        for i, (c, v) in enumerate(zip(codes, values, strict=True))
    ]


# --------------------------------------------------------------------------- hand-worked cases

HAND_CASES = [
    # values, mean, sd (ddof 0), cv, gini, theil T, theil L
    pytest.param(
        [1.0, 2.0, 3.0, 4.0],
        2.5,
        math.sqrt(1.25),
        1 / math.sqrt(5),
        0.25,  # (2·30 − 5·10) / (4·10)
        0.1 * math.log(0.4) + 0.2 * math.log(0.8) + 0.3 * math.log(1.2) + 0.4 * math.log(1.6),
        (math.log(2.5) + math.log(1.25) + math.log(2.5 / 3) + math.log(2.5 / 4)) / 4,
        id="1-2-3-4",
    ),
    pytest.param(
        [1.0, 3.0],
        2.0,
        1.0,
        0.5,
        0.25,  # (2·7 − 3·4) / (2·4)
        0.25 * math.log(0.5) + 0.75 * math.log(1.5),
        (math.log(2.0) + math.log(2 / 3)) / 2,
        id="1-3",
    ),
    pytest.param([5.0, 5.0, 5.0], 5.0, 0.0, 0.0, 0.0, 0.0, 0.0, id="equal"),
    pytest.param([7.0], 7.0, 0.0, 0.0, 0.0, 0.0, 0.0, id="single-city"),
    pytest.param(
        [0.0, 0.0, 0.0, 10.0], 2.5, math.sqrt(18.75), math.sqrt(3), 0.75, math.log(4), None, id="one-city-has-all"
    ),
]


@pytest.mark.parametrize(("values", "mean", "sd", "cv", "g", "t", "ell"), HAND_CASES)
def test_hand_worked_unweighted_measures(
    values: list[float], mean: float, sd: float, cv: float, g: float, t: float, ell: float | None
) -> None:
    data = obs(values)
    stats = descriptive_stats(data)
    assert stats.mean == pytest.approx(mean, abs=1e-12)
    assert stats.sd == pytest.approx(sd, abs=1e-12)
    assert stats.ddof == 0
    assert coefficient_of_variation(data).value == pytest.approx(cv, abs=1e-12)
    assert gini(data).value == pytest.approx(g, abs=1e-12)
    assert theil_t(data).value == pytest.approx(t, abs=1e-12)
    if ell is None:
        with pytest.raises(NonPositiveValueError) as exc:
            theil_l(data)
        assert exc.value.city_code == "A"
    else:
        assert theil_l(data).value == pytest.approx(ell, abs=1e-12)


def test_max_min_ratio_names_the_two_cities_and_lists_ties() -> None:
    result = max_min_ratio([("SH", None, 4.0), ("NT", None, 1.0), ("SZ", None, 4.0), ("HZ", None, 2.0)])
    assert result.ratio == 4.0
    assert result.range == 3.0
    assert (result.max_city, result.min_city) == ("SH", "NT")
    assert result.max_cities == ("SH", "SZ")
    assert result.min_cities == ("NT",)


def test_max_min_ratio_refuses_a_non_positive_minimum() -> None:
    with pytest.raises(NonPositiveValueError) as exc:
        max_min_ratio([("A", None, 0.0), ("B", None, 1.0)])
    assert exc.value.city_code == "A"


WEIGHTED_CASES = [
    # given two cities: y = 1 with 3 people, y = 3 with 1 person (per capita) — the same as totals 3 and 3
    pytest.param([1.0, 3.0], [3.0, 1.0], "per_capita", id="per-capita"),
    pytest.param([3.0, 3.0], [3.0, 1.0], "total", id="totals"),
]


@pytest.mark.parametrize(("values", "pops", "kind"), WEIGHTED_CASES)
def test_hand_worked_weighted_measures(values: list[float], pops: list[float], kind: str) -> None:
    data = obs(values, pops=pops)
    # ȳ_w = (3·1 + 1·3)/4 = 1.5; Σ w(y − ȳ_w)² = .75·.25 + .25·2.25 = .75
    assert williamson_index(data, value_kind=kind).value == pytest.approx(math.sqrt(0.75) / 1.5, abs=1e-12)
    # Y shares .5/.5 against P shares .75/.25
    assert weighted_theil_t(data, value_kind=kind).value == pytest.approx(0.5 * math.log(4 / 3), abs=1e-12)
    expected_l = 0.75 * math.log(1.5) + 0.25 * math.log(0.5)
    assert weighted_theil_l(data, value_kind=kind).value == pytest.approx(expected_l, abs=1e-12)
    weights = williamson_index(data, value_kind=kind).weights
    assert [(w.city_code, w.weight) for w in weights] == [("A", 0.75), ("B", 0.25)]


def test_weighted_measures_equal_unweighted_ones_when_populations_are_equal() -> None:
    data = obs([3.0, 5.0, 11.0, 2.5], pops=[7.0, 7.0, 7.0, 7.0])
    assert williamson_index(data).value == pytest.approx(coefficient_of_variation(data).value, rel=1e-12)
    assert weighted_theil_t(data).value == pytest.approx(theil_t(data).value, rel=1e-12)
    assert weighted_theil_l(data).value == pytest.approx(theil_l(data).value, rel=1e-12)


def test_hand_worked_decomposition_all_between() -> None:
    # groups X = {1, 1}, Y = {2, 2}: nothing within, everything between
    data = obs([1.0, 1.0, 2.0, 2.0], groups=["X", "X", "Y", "Y"])
    result = theil_decomposition(data)
    expected = (1 / 3) * math.log(2 / 3) + (2 / 3) * math.log(4 / 3)
    assert result.total == pytest.approx(expected, abs=1e-12)
    assert result.between == pytest.approx(expected, abs=1e-12)
    assert result.within == pytest.approx(0.0, abs=1e-12)
    assert result.between_share == pytest.approx(1.0)
    assert [g.group_code for g in result.groups] == ["X", "Y"]
    assert [g.share for g in result.groups] == pytest.approx([1 / 3, 2 / 3])


def test_hand_worked_decomposition_all_within() -> None:
    # both groups have the same total and size: nothing between
    data = obs([1.0, 3.0, 3.0, 1.0], groups=["X", "X", "Y", "Y"])
    result = theil_decomposition(data)
    assert result.between == pytest.approx(0.0, abs=1e-12)
    assert result.within == pytest.approx(result.total, abs=1e-12)
    inner = 0.25 * math.log(0.5) + 0.75 * math.log(1.5)
    assert [g.theil_within for g in result.groups] == pytest.approx([inner, inner])
    assert [g.within_contribution for g in result.groups] == pytest.approx([inner / 2, inner / 2])


# --------------------------------------------------------------------------- PySAL

PYSAL_CASES = [
    pytest.param([15.73, 14.32, 11.28, 10.26, 11.70, 17.92, 18.00, 15.64, 12.83], id="table1-gdp-per-capita"),
    pytest.param([1.0, 2.0, 3.0, 4.0, 100.0], id="skewed"),
    pytest.param([0.5, 0.5, 0.5, 8.0, 9.0, 10.0], id="two-clusters"),
]


@pytest.mark.parametrize("values", PYSAL_CASES)
def test_matches_pysal_gini_theil_and_decomposition(values: list[float]) -> None:
    groups = ["P" if i % 3 else "Q" for i in range(len(values))]
    data = obs(values, groups=groups)
    y = np.array(values)
    assert gini(data).value == pytest.approx(gini_mod.Gini(y).g, abs=1e-9)
    assert theil_t(data).value == pytest.approx(float(theil_mod.Theil(y).T), abs=1e-9)
    ref = theil_mod.TheilD(y, np.array(groups))
    result = theil_decomposition(data)
    assert result.total == pytest.approx(float(np.ravel(ref.T)[0]), abs=1e-9)
    assert result.between == pytest.approx(float(np.ravel(ref.bg)[0]), abs=1e-9)
    assert result.within == pytest.approx(float(np.ravel(ref.wg)[0]), abs=1e-9)


values_strategy = st.lists(st.floats(min_value=0.01, max_value=1e6, allow_nan=False), min_size=2, max_size=12)


@settings(max_examples=60, deadline=None)
@given(values=values_strategy, seed=st.integers(0, 3))
def test_property_matches_pysal(values: list[float], seed: int) -> None:
    groups = [f"G{(i * (seed + 1)) % 3}" for i in range(len(values))]
    data = obs(values, groups=groups)
    y = np.array([o.value for o in prepare_observations(data)])
    part = np.array([o.group_code for o in prepare_observations(data)])
    assert gini(data).value == pytest.approx(gini_mod.Gini(y).g, abs=1e-9)
    assert theil_t(data).value == pytest.approx(float(theil_mod.Theil(y).T), abs=1e-9)
    ref = theil_mod.TheilD(y, part)
    assert theil_decomposition(data).between == pytest.approx(float(np.ravel(ref.bg)[0]), abs=1e-9)


# --------------------------------------------------------------------------- the paper's 表1


def read_table1() -> list[dict[str, str]]:
    with TABLE1.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize(
    ("column", "ratio", "max_city", "min_city"),
    [
        ("gdp_per_capita_10k_yuan", 1.75, "WX", "HZ"),
        ("budget_revenue_per_capita_10k_yuan", 3.47, "SH", "NT"),
        ("disposable_income_per_capita_yuan", 1.72, "SH", "NT"),
    ],
)
def test_table1_max_min_ratios(column: str, ratio: float, max_city: str, min_city: str) -> None:
    """The data of 表1 give 1.75, 3.47 and 1.72; the paper prints 1.23, 3.47 and 1.72.

    1.23 is not max/min of GDP per capita (无锡 18.00 / 湖州 10.26 = 1.75), nor max/上海 (18.00/15.73 = 1.14): it is
    上海/南通 = 15.73/12.83 = 1.226. The paper evidently compared Shanghai with Nantong for all three indicators;
    for the other two, Shanghai and Nantong are also the maximum and the minimum, so only the first figure differs.
    """
    rows = read_table1()
    data = [CityValue(r["city_code"], r["province"], float(r[column])) for r in rows]
    result = max_min_ratio(data)
    assert round(result.ratio, 2) == ratio
    assert (result.max_city, result.min_city) == (max_city, min_city)


def test_table1_paper_figure_1_23_is_shanghai_over_nantong() -> None:
    rows = {r["city_code"]: r for r in read_table1()}
    sh, nt = (float(rows[c]["gdp_per_capita_10k_yuan"]) for c in ("SH", "NT"))
    assert round(sh / nt, 2) == 1.23


def test_table1_full_report_with_population_and_provinces() -> None:
    rows = read_table1()
    # population (万人) = GDP (亿元) / GDP per capita (万元)
    data = [
        CityValue(
            r["city_code"],
            r["province"],
            float(r["gdp_per_capita_10k_yuan"]),
            float(r["gdp_100m_yuan"]) / float(r["gdp_per_capita_10k_yuan"]),
        )
        for r in rows
    ]
    report = disparity_report(data)
    assert report.n == 9
    assert report.unavailable == ()
    assert report.williamson is not None and report.decomposition is not None
    # Shanghai's large population near the mean pulls the weighted CV below the unweighted one
    assert report.williamson.value < report.cv.value
    assert {g.group_code for g in report.decomposition.groups} == {"上海", "江苏", "浙江"}
    # weighting by population over totals: the same figure from GDP totals
    totals = [CityValue(o.city_code, o.group_code, o.value * o.population, o.population) for o in data]
    assert williamson_index(totals, value_kind="total").value == pytest.approx(report.williamson.value, rel=1e-12)
    json.dumps(report.to_dict(), ensure_ascii=False, allow_nan=False)


# --------------------------------------------------------------------------- validation


def test_empty_input_is_refused() -> None:
    with pytest.raises(EmptyInputError):
        gini([])


def test_duplicate_city_is_refused_and_named() -> None:
    with pytest.raises(DuplicateCityError) as exc:
        theil_t([("SH", None, 1.0), ("NT", None, 2.0), ("SH", None, 3.0)])
    assert exc.value.city_code == "SH"
    assert "SH" in str(exc.value)


@pytest.mark.parametrize("bad", [math.nan, math.inf, "abc", None, True])
def test_non_numeric_value_is_refused_and_names_the_city(bad: object) -> None:
    with pytest.raises(InvalidValueError) as exc:
        gini([("SH", None, 1.0), ("NT", None, bad)])
    assert exc.value.city_code == "NT"


def test_non_positive_population_is_refused() -> None:
    with pytest.raises(InvalidValueError) as exc:
        prepare_observations([CityValue("NT", None, 1.0, 0.0)])
    assert exc.value.city_code == "NT"


def test_theil_l_names_the_city_with_a_non_positive_value() -> None:
    with pytest.raises(NonPositiveValueError) as exc:
        theil_l([("SH", None, 1.0), ("NT", None, -2.0), ("SZ", None, 3.0)])
    assert exc.value.city_code == "NT"
    assert "NT" in exc.value.message_en and "NT" in exc.value.message_zh


def test_gini_refuses_negative_values_and_all_zero() -> None:
    with pytest.raises(InvalidValueError) as exc:
        gini([("SH", None, 1.0), ("NT", None, -2.0)])
    assert exc.value.city_code == "NT"
    with pytest.raises(NonPositiveValueError):
        gini([("SH", None, 0.0), ("NT", None, 0.0)])


def test_weighted_measures_name_the_cities_without_population() -> None:
    data = [CityValue("SH", None, 1.0, 10.0), CityValue("NT", None, 2.0), CityValue("HZ", None, 2.0)]
    with pytest.raises(MissingPopulationError) as exc:
        williamson_index(data)
    assert exc.value.city_code == "HZ"
    assert "HZ, NT" in str(exc.value)
    with pytest.raises(MissingPopulationError):
        disparity_report(data, weighted=True)


def test_decomposition_names_the_cities_without_group() -> None:
    with pytest.raises(MissingGroupError) as exc:
        theil_decomposition([("SH", "A", 1.0), ("NT", "", 2.0)])
    assert exc.value.city_code == "NT"


def test_report_lists_measures_the_data_do_not_allow() -> None:
    data = [CityValue("SH", "X", 0.0, 1.0), CityValue("NT", "Y", 2.0, 1.0)]
    report = disparity_report(data)
    assert report.theil_l is None and report.max_min is None and report.weighted_theil_l is None
    assert report.gini is not None and report.theil_t is not None and report.decomposition is not None
    codes = {u.code: u for u in report.unavailable}
    assert set(codes) == {"max_min", "theil_l", "weighted_theil_l"}
    assert codes["theil_l"].city_code == "SH"
    with pytest.raises(NonPositiveValueError):
        disparity_report(data, strict=True)


def test_report_skips_weighted_and_decomposition_when_data_lack_them() -> None:
    report = disparity_report([("SH", None, 1.0), ("NT", None, 2.0)])
    assert report.williamson is None and report.weighted_theil_t is None and report.decomposition is None
    assert report.unavailable == ()


def test_steps_explain_each_measure_in_english_with_a_zh_label() -> None:
    data = obs([1.0, 2.0, 4.0], groups=["X", "X", "Y"], pops=[1.0, 2.0, 3.0])
    report = disparity_report(data)
    measures = [report.cv, report.gini, report.theil_t, report.theil_l, report.williamson, report.weighted_theil_t]
    for m in measures:
        assert m is not None and m.steps
        assert all(s.text_en and s.label_zh for s in m.steps)
        assert m.steps[-1].result == pytest.approx(m.value)
        assert m.source
    assert report.decomposition is not None and report.decomposition.steps[-1].result == report.decomposition.within
    as_dict = report.to_dict()
    assert as_dict["gini"]["steps"][-1]["formula"].startswith("G = ")
    assert as_dict["inputs"][0] == {"city_code": "A", "group_code": "X", "value": 1.0, "population": 1.0}


# --------------------------------------------------------------------------- properties

city_rows = st.lists(
    st.tuples(
        st.floats(min_value=0.01, max_value=1e6, allow_nan=False),
        st.floats(min_value=1.0, max_value=1e5, allow_nan=False),
        st.sampled_from(["JS", "SH", "ZJ"]),
    ),
    min_size=1,
    max_size=12,
)


def make(rows: list[tuple[float, float, str]]) -> list[CityValue]:
    return [CityValue(f"C{i:02d}", g, v, p) for i, (v, p, g) in enumerate(rows)]


@settings(max_examples=80, deadline=None)
@given(rows=city_rows)
def test_property_decomposition_adds_up(rows: list[tuple[float, float, str]]) -> None:
    result = theil_decomposition(make(rows))
    assert result.between + result.within == pytest.approx(result.total, abs=1e-12)
    contributions = sum(g.within_contribution for g in result.groups)
    assert contributions == pytest.approx(result.within, abs=1e-9 * max(1.0, result.total))
    assert result.between >= -1e-12 and result.within >= -1e-9


@settings(max_examples=60, deadline=None)
@given(data=st.data(), rows=city_rows)
def test_property_every_measure_is_invariant_to_city_order(
    data: st.DataObject, rows: list[tuple[float, float, str]]
) -> None:
    cities = make(rows)
    shuffled = data.draw(st.permutations(cities))
    assert disparity_report(shuffled).to_dict() == disparity_report(cities).to_dict()


@settings(max_examples=60, deadline=None)
@given(
    value=st.floats(min_value=1e-3, max_value=1e6, allow_nan=False),
    pops=st.lists(st.floats(min_value=1.0, max_value=1e5), min_size=1, max_size=10),
)
def test_property_equal_values_give_zero_inequality(value: float, pops: list[float]) -> None:
    report = disparity_report([CityValue(f"C{i}", "G", value, p) for i, p in enumerate(pops)])
    for m in (report.cv, report.gini, report.theil_t, report.theil_l, report.williamson, report.weighted_theil_t):
        assert m is not None
        assert m.value == pytest.approx(0.0, abs=1e-12)
    assert report.max_min is not None and report.max_min.ratio == 1.0


@settings(max_examples=60, deadline=None)
@given(rows=city_rows, factor=st.floats(min_value=1e-3, max_value=1e3, allow_nan=False))
def test_property_scaling_leaves_relative_measures_unchanged(
    rows: list[tuple[float, float, str]], factor: float
) -> None:
    cities = make(rows)
    scaled = [CityValue(c.city_code, c.group_code, c.value * factor, c.population) for c in cities]
    before, after = disparity_report(cities), disparity_report(scaled)
    for name in ("cv", "gini", "theil_t", "theil_l", "williamson", "weighted_theil_t", "weighted_theil_l"):
        a, b = getattr(before, name), getattr(after, name)
        assert b.value == pytest.approx(a.value, rel=1e-9, abs=1e-12), name
    assert after.max_min.ratio == pytest.approx(before.max_min.ratio, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(rows=city_rows)
def test_property_bounds(rows: list[tuple[float, float, str]]) -> None:
    cities = make(rows)
    n = len(cities)
    assert -1e-12 <= gini(cities).value <= (n - 1) / n + 1e-12
    assert -1e-12 <= theil_t(cities).value <= math.log(n) + 1e-9
    assert theil_l(cities).value >= -1e-12
