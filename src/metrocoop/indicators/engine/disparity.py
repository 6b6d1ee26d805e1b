"""Disparity between the member cities of one indicator (the development gaps of §二(二) and 表1 of the paper).

Measures and their sources (see docs/references.md, section Disparity):

- max/min ratio and range: descriptive; the paper (王丹 等, 2020) quotes max/min ratios of 表1.
- coefficient of variation CV = σ/ȳ with the *population* standard deviation (ddof = 0, Excel ``STDEV.P``).
- Williamson index (population-weighted CV): V_w = √(Σ (pᵢ/P)(yᵢ − ȳ_w)²) / ȳ_w, ȳ_w = Σ pᵢyᵢ / P
  (J. G. Williamson, "Regional inequality and the process of national development", *Economic Development and
  Cultural Change* 13(4), 1965; R package REAT ``williamson``). It measures inequality between *people*, the
  unweighted CV inequality between *cities*: a page should show both.
- Gini (unweighted): G = (2·Σ i·x₍ᵢ₎ − (n+1)·Σx) / (n·Σx), x sorted ascending, i = 1..n (PySAL ``inequality.gini``).
- Theil T: T = Σ sᵢ·ln(n·sᵢ), sᵢ = yᵢ/Σy (H. Theil, *Economics and Information Theory*, 1967; PySAL
  ``inequality.theil.Theil``).
- Theil L (mean log deviation): L = (1/n)·Σ ln(ȳ/yᵢ); population-weighted L_w = Σ (Pᵢ/P)·ln(ȳ_w/yᵢ).
- Population-weighted Theil T: T_w = Σ (Yᵢ/Y)·ln[(Yᵢ/Y)/(Pᵢ/P)], Yᵢ = yᵢ·pᵢ when y is per capita.
- Between/within decomposition of Theil T by group g (size n_g, share s_g of the total):
  B = Σ_g s_g·ln(s_g·n/n_g), W = T − B = Σ_g s_g·T_g with T_g the Theil T inside g (Shorrocks 1980;
  PySAL ``inequality.theil.TheilD``).

All computations sort the cities by code first, so every result is the same whatever the input order.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from metrocoop.indicators.engine import (
    DuplicateCityError,
    EmptyInputError,
    EngineInputError,
    InvalidValueError,
    JsonMixin,
    MissingGroupError,
    MissingPopulationError,
    NonPositiveValueError,
    Step,
    StepWording,
    finite_float,
    require_one_of,
    worded_step,
)

ValueKind = Literal["per_capita", "total"]
Weighting = Literal["equal", "population"]

SOURCE_CV = "Coefficient of variation with the population standard deviation (ddof = 0)"
SOURCE_WILLIAMSON = "Williamson (1965), Economic Development and Cultural Change 13(4); R REAT williamson"
SOURCE_GINI = "Gini, unweighted: G = (2Σ i·x(i) − (n+1)Σx)/(nΣx); PySAL inequality.gini.Gini"
SOURCE_THEIL_T = "Theil (1967), Economics and Information Theory; PySAL inequality.theil.Theil"
SOURCE_THEIL_L = "Theil L / mean log deviation (Theil 1967)"
SOURCE_THEIL_TW = "Population-weighted Theil T: Σ (Yi/Y)·ln[(Yi/Y)/(Pi/P)] (Theil 1967)"
SOURCE_THEIL_LW = "Population-weighted Theil L: Σ (Pi/P)·ln(ȳw/yi) (Theil 1967)"
SOURCE_THEIL_D = "Theil T between/within decomposition (Shorrocks 1980); PySAL inequality.theil.TheilD"


@dataclass(frozen=True)
class CityValue(JsonMixin):
    """One city's value of the indicator, its group (e.g. province) for decomposition and its population.

    ``population`` is only needed by the population-weighted measures; use any consistent unit (万人 is fine).
    """

    city_code: str
    group_code: str | None
    value: float
    population: float | None = None


ObservationLike = CityValue | Sequence[Any]


@dataclass(frozen=True)
class CityWeight(JsonMixin):
    """The weight a city gets in a measure: 1/n when unweighted, pᵢ/P when population-weighted."""

    city_code: str
    weight: float
    population: float | None = None


@dataclass(frozen=True)
class DescriptiveStats(JsonMixin):
    """Mean, population standard deviation (ddof = 0), minimum, maximum and range."""

    n: int
    mean: float
    sd: float
    ddof: int
    minimum: float
    maximum: float
    range: float
    inputs: tuple[CityValue, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class MaxMinRatio(JsonMixin):
    """Highest value over lowest value, naming both cities (ties: every tied city is listed, first by code)."""

    ratio: float
    max_city: str
    max_value: float
    min_city: str
    min_value: float
    range: float
    max_cities: tuple[str, ...]
    min_cities: tuple[str, ...]
    inputs: tuple[CityValue, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class DisparityMeasure(JsonMixin):
    """One inequality measure with its value, the weights used and the explained steps."""

    code: str
    name_en: str
    name_zh: str
    value: float
    weighting: Weighting
    inputs: tuple[CityValue, ...]
    weights: tuple[CityWeight, ...]
    steps: tuple[Step, ...]
    source: str
    note: str = ""


@dataclass(frozen=True)
class GroupTheil(JsonMixin):
    """One group of the Theil decomposition: its share s_g, its inner Theil T_g and its two contributions."""

    group_code: str
    cities: tuple[str, ...]
    n: int
    total: float
    share: float
    theil_within: float
    within_contribution: float
    between_term: float


@dataclass(frozen=True)
class TheilDecomposition(JsonMixin):
    """Theil T = between + within, by group; ``within == Σ within_contribution`` up to rounding."""

    total: float
    between: float
    within: float
    between_share: float | None
    groups: tuple[GroupTheil, ...]
    inputs: tuple[CityValue, ...]
    weights: tuple[CityWeight, ...]
    steps: tuple[Step, ...]
    source: str = SOURCE_THEIL_D


@dataclass(frozen=True)
class UnavailableMeasure(JsonMixin):
    """A measure the report could not compute for these data, and why."""

    code: str
    error_code: str
    message_en: str
    message_zh: str
    city_code: str | None


@dataclass(frozen=True)
class DisparityReport(JsonMixin):
    """Every disparity measure for one indicator and one year; measures that do not apply are ``None``."""

    inputs: tuple[CityValue, ...]
    n: int
    value_kind: ValueKind
    stats: DescriptiveStats
    max_min: MaxMinRatio | None
    cv: DisparityMeasure | None
    gini: DisparityMeasure | None
    theil_t: DisparityMeasure | None
    theil_l: DisparityMeasure | None
    williamson: DisparityMeasure | None
    weighted_theil_t: DisparityMeasure | None
    weighted_theil_l: DisparityMeasure | None
    decomposition: TheilDecomposition | None
    unavailable: tuple[UnavailableMeasure, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- input handling


def _coerce(item: ObservationLike) -> CityValue:
    if isinstance(item, CityValue):
        city, group, value, population = item.city_code, item.group_code, item.value, item.population
    else:
        if len(item) not in (3, 4):
            raise InvalidValueError(
                f"观测值应为（城市代码, 分组代码, 数值[, 人口]），收到 {item!r}。",
                f"An observation is (city_code, group_code, value[, population]); got {item!r}.",
            )
        city, group, value = item[0], item[1], item[2]
        population = item[3] if len(item) == 4 else None
    if not isinstance(city, str) or not city.strip():
        raise InvalidValueError(f"缺少城市代码：{city!r}", f"Every observation needs a city code; got {city!r}.")
    city = city.strip()
    number = finite_float(value, what="value", city_code=city)
    pop: float | None = None
    if population is not None:
        pop = finite_float(population, what="population", city_code=city)
        if pop <= 0:
            raise InvalidValueError(
                f"{city} 的人口必须为正数。", f"The population of {city} must be positive, got {pop:g}.", city_code=city
            )
    grp = group.strip() if isinstance(group, str) and group.strip() else None
    return CityValue(city, grp, number, pop)


def prepare_observations(observations: Iterable[ObservationLike]) -> tuple[CityValue, ...]:
    """Validate and sort the observations by city code (so that every measure is independent of input order).

    Raises :class:`EmptyInputError` for no observations, :class:`DuplicateCityError` if a city appears twice and
    :class:`InvalidValueError` for a value or population that is not a finite number (population also > 0).
    """
    items = [_coerce(o) for o in observations]
    if not items:
        raise EmptyInputError("没有观测值，无法计算差距。", "No observations: a disparity needs at least one city.")
    items.sort(key=lambda o: o.city_code)
    for prev, cur in itertools.pairwise(items):
        if prev.city_code == cur.city_code:
            raise DuplicateCityError(
                f"城市 {cur.city_code} 重复出现。",
                f"City {cur.city_code} appears more than once.",
                city_code=cur.city_code,
            )
    return tuple(items)


def _values(obs: tuple[CityValue, ...]) -> np.ndarray:
    return np.array([o.value for o in obs], dtype=float)


def _equal_weights(obs: tuple[CityValue, ...]) -> tuple[CityWeight, ...]:
    n = len(obs)
    return tuple(CityWeight(o.city_code, 1.0 / n, o.population) for o in obs)


# code -> (English name, Chinese name, weighting, source, note unless the measure writes its own)
_MEASURES: dict[str, tuple[str, str, Weighting, str, str]] = {
    "cv": ("Coefficient of variation", "变异系数", "equal", SOURCE_CV, "Population standard deviation (ddof = 0)."),
    "williamson": (
        "Williamson index (population-weighted CV)",
        "威廉姆森系数（人口加权变异系数）",
        "population",
        SOURCE_WILLIAMSON,
        "Inequality between people (each city counts by its population), unlike the unweighted CV.",
    ),
    "gini": ("Gini coefficient", "基尼系数", "equal", SOURCE_GINI, ""),  # its note names n
    "theil_t": ("Theil T index", "泰尔指数（T）", "equal", SOURCE_THEIL_T, ""),  # its note names ln n
    "theil_l": (
        "Theil L index (mean log deviation)",
        "泰尔指数（L，平均对数偏差）",
        "equal",
        SOURCE_THEIL_L,
        "Unweighted: each city counts once.",
    ),
    "weighted_theil_t": (
        "Population-weighted Theil T",
        "人口加权泰尔指数（T）",
        "population",
        SOURCE_THEIL_TW,
        "Inequality between people: each city counts by its population.",
    ),
    "weighted_theil_l": (
        "Population-weighted Theil L",
        "人口加权泰尔指数（L）",
        "population",
        SOURCE_THEIL_LW,
        "Inequality between people: each city counts by its population.",
    ),
}


def _measure(
    code: str,
    value: float,
    obs: tuple[CityValue, ...],
    steps: tuple[Step, ...],
    *,
    weights: tuple[CityWeight, ...] | None = None,
    note: str | None = None,
) -> DisparityMeasure:
    """The :class:`DisparityMeasure` ``code`` with its names, weighting, source and note from ``_MEASURES``; an
    unweighted measure weights every city 1/n, a population-weighted one passes its ``weights``."""
    name_en, name_zh, weighting, source, usual_note = _MEASURES[code]
    if weights is None:
        weights = _equal_weights(obs)
    return DisparityMeasure(
        code, name_en, name_zh, value, weighting, obs, weights, steps, source, note=usual_note if note is None else note
    )


def _require_non_negative(obs: tuple[CityValue, ...], measure: str) -> None:
    for o in obs:
        if o.value < 0:
            raise InvalidValueError(
                f"{measure} 要求数值非负，{o.city_code} 为 {o.value:g}。",
                f"{measure} needs non-negative values; {o.city_code} has {o.value:g}.",
                city_code=o.city_code,
            )
    if sum(o.value for o in obs) <= 0:
        raise NonPositiveValueError(
            f"{measure} 要求总和为正，所有数值均为零。", f"{measure} needs a positive total; all values are zero."
        )


def _require_positive(obs: tuple[CityValue, ...], measure: str) -> None:
    for o in obs:
        if o.value <= 0:
            raise NonPositiveValueError(
                f"{measure} 需要对数值取对数，{o.city_code} 的数值 {o.value:g} 不是正数。",
                f"{measure} takes the logarithm of each value; {o.city_code} has {o.value:g}, which is not positive.",
                city_code=o.city_code,
            )


def _per_city(obs: tuple[CityValue, ...], numbers: Iterable[float]) -> dict[str, float]:
    return {o.city_code: float(x) for o, x in zip(obs, numbers, strict=True)}


@dataclass(frozen=True)
class _Weighted:
    per_capita: np.ndarray  # yᵢ
    totals: np.ndarray  # Yᵢ
    populations: np.ndarray  # Pᵢ
    weights: tuple[CityWeight, ...]
    step: Step


_WEIGHTS_STEPS: StepWording = {
    "population-weights": (
        "人口权重",
        "Each city is weighted by its share of the total population.",
        "wᵢ = pᵢ / P, P = Σ pᵢ; {conversion}",
    ),
}


def _weighted_inputs(obs: tuple[CityValue, ...], value_kind: ValueKind) -> _Weighted:
    missing = [o.city_code for o in obs if o.population is None]
    if missing:
        raise MissingPopulationError(
            f"人口加权需要每个城市的人口，缺少：{'、'.join(missing)}。",
            f"Population weights need every city's population; missing for {', '.join(missing)}.",
            city_code=missing[0],
        )
    require_one_of("value_kind", value_kind, ("per_capita", "total"))
    pops = np.array([o.population for o in obs], dtype=float)
    vals = _values(obs)
    if value_kind == "per_capita":
        per_capita, totals = vals, vals * pops
        conversion = "Yᵢ = yᵢ·pᵢ (values are per capita)"
    else:
        per_capita, totals = vals / pops, vals
        conversion = "yᵢ = Yᵢ / pᵢ (values are totals)"
    big_p = float(pops.sum())
    weights = tuple(CityWeight(o.city_code, float(p / big_p), float(p)) for o, p in zip(obs, pops, strict=True))
    values = {
        "P": big_p,
        "weights": {w.city_code: w.weight for w in weights},
        "per_capita": _per_city(obs, per_capita),
        "totals": _per_city(obs, totals),
    }
    step = worded_step(_WEIGHTS_STEPS, "population-weights", values, big_p, conversion=conversion)
    return _Weighted(per_capita, totals, pops, weights, step)


# --------------------------------------------------------------------------- measures


_STATS_STEPS: StepWording = {
    "mean": ("均值", "Add the values and divide by the number of cities.", "ȳ = Σ yᵢ / n"),
    "squared-deviations": ("离差平方", "Square each city's deviation from the mean.", "(yᵢ − ȳ)²"),
    "sd": (
        "标准差（总体）",
        "Population standard deviation: divide by n, not n − 1 (ddof = 0, Excel STDEV.P).",
        "σ = √(Σ (yᵢ − ȳ)² / n)",
    ),
    "range": ("极差", "Highest value minus lowest value.", "R = max − min"),
}


def descriptive_stats(observations: Iterable[ObservationLike]) -> DescriptiveStats:
    """Mean, population standard deviation σ = √(Σ(yᵢ − ȳ)²/n) (ddof = 0), minimum, maximum and range."""
    obs = prepare_observations(observations)
    y = _values(obs)
    n = len(obs)
    mean = float(y.sum() / n)
    sq = (y - mean) ** 2
    sd = math.sqrt(float(sq.sum()) / n)
    lo, hi = float(y.min()), float(y.max())
    steps = (
        worded_step(_STATS_STEPS, "mean", {"sum": float(y.sum()), "n": n}, mean),
        worded_step(_STATS_STEPS, "squared-deviations", _per_city(obs, sq), float(sq.sum())),
        worded_step(_STATS_STEPS, "sd", {"sum_squared_deviations": float(sq.sum()), "n": n}, sd),
        worded_step(_STATS_STEPS, "range", {"max": hi, "min": lo}, hi - lo),
    )
    return DescriptiveStats(n, mean, sd, 0, lo, hi, hi - lo, obs, steps)


_MAX_MIN_STEPS: StepWording = {
    "max": ("最大值", "The highest value and its city.", "max yᵢ"),
    "min": ("最小值", "The lowest value and its city.", "min yᵢ"),
    "ratio": ("最大最小比", "Divide the highest value by the lowest.", "max / min"),
}


def max_min_ratio(observations: Iterable[ObservationLike]) -> MaxMinRatio:
    """max/min of the values, naming the two cities; the minimum must be positive.

    On 表1 (2019) of the paper, the data give 1.75 (GDP per capita, 无锡 18.00 / 湖州 10.26), 3.47 (per-capita
    budget revenue, 上海 / 南通) and 1.72 (disposable income, 上海 / 南通). The paper prints 1.23 for GDP per capita:
    that is 上海 / 南通 = 15.73 / 12.83 = 1.226, i.e. the paper compared Shanghai with Nantong for all three
    indicators (for the other two, Shanghai and Nantong happen to be the maximum and the minimum). This engine
    computes the true max/min; a Shanghai-vs-city ratio is a different figure and must be labelled as such.
    """
    obs = prepare_observations(observations)
    y = _values(obs)
    hi, lo = float(y.max()), float(y.min())
    max_cities = tuple(o.city_code for o in obs if o.value == hi)
    min_cities = tuple(o.city_code for o in obs if o.value == lo)
    if lo <= 0:
        raise NonPositiveValueError(
            f"最大值/最小值要求最小值为正，{min_cities[0]} 为 {lo:g}。",
            f"max/min needs a positive minimum; {min_cities[0]} has {lo:g}.",
            city_code=min_cities[0],
        )
    ratio = hi / lo
    steps = (
        worded_step(_MAX_MIN_STEPS, "max", {"cities": list(max_cities)}, hi),
        worded_step(_MAX_MIN_STEPS, "min", {"cities": list(min_cities)}, lo),
        worded_step(_MAX_MIN_STEPS, "ratio", {"max": hi, "min": lo}, ratio),
    )
    return MaxMinRatio(ratio, max_cities[0], hi, min_cities[0], lo, hi - lo, max_cities, min_cities, obs, steps)


_CV_STEPS: StepWording = {"cv": ("变异系数", "Divide the standard deviation by the mean.", "CV = σ / ȳ")}


def coefficient_of_variation(observations: Iterable[ObservationLike]) -> DisparityMeasure:
    """Unweighted CV = σ/ȳ with the population standard deviation (ddof = 0); the mean must be positive."""
    obs = prepare_observations(observations)
    stats = descriptive_stats(obs)
    if stats.mean <= 0:
        raise NonPositiveValueError(
            "变异系数要求均值为正。", f"CV divides by the mean, which is {stats.mean:g}: it must be positive."
        )
    cv = stats.sd / stats.mean
    steps = (*stats.steps[:3], worded_step(_CV_STEPS, "cv", {"sd": stats.sd, "mean": stats.mean}, cv))
    return _measure("cv", cv, obs, steps)


_WEIGHTED_MEAN = ("加权均值", "Population-weighted mean of the per-capita values.", "ȳ_w = Σ (pᵢ/P)·yᵢ")
_WILLIAMSON_STEPS: StepWording = {
    "weighted-mean": _WEIGHTED_MEAN,
    "weighted-variance": ("加权方差", "Weighted squared deviations from the weighted mean.", "Σ (pᵢ/P)(yᵢ − ȳ_w)²"),
    "williamson": (
        "威廉姆森系数",
        "Square root of the weighted variance over the weighted mean.",
        "V_w = √(Σ (pᵢ/P)(yᵢ − ȳ_w)²) / ȳ_w",
    ),
}


def williamson_index(
    observations: Iterable[ObservationLike], *, value_kind: ValueKind = "per_capita"
) -> DisparityMeasure:
    """Population-weighted CV (Williamson 1965): V_w = √(Σ (pᵢ/P)(yᵢ − ȳ_w)²) / ȳ_w, ȳ_w = Σ pᵢyᵢ / P.

    ``value_kind="per_capita"``: values are yᵢ; ``"total"``: values are totals Yᵢ and yᵢ = Yᵢ/pᵢ.
    """
    obs = prepare_observations(observations)
    w = _weighted_inputs(obs, value_kind)
    wt = np.array([cw.weight for cw in w.weights])
    y = w.per_capita
    mean_w = float((wt * y).sum())
    if mean_w <= 0:
        raise NonPositiveValueError(
            "威廉姆森指数要求加权均值为正。",
            f"The Williamson index divides by the weighted mean, which is {mean_w:g}: it must be positive.",
        )
    terms = wt * (y - mean_w) ** 2
    var_w = float(terms.sum())
    vw = math.sqrt(var_w) / mean_w
    steps = (
        w.step,
        worded_step(_WILLIAMSON_STEPS, "weighted-mean", {"terms": _per_city(obs, wt * y)}, mean_w),
        worded_step(_WILLIAMSON_STEPS, "weighted-variance", {"terms": _per_city(obs, terms)}, var_w),
        worded_step(_WILLIAMSON_STEPS, "williamson", {"weighted_sd": math.sqrt(var_w), "weighted_mean": mean_w}, vw),
    )
    return _measure("williamson", vw, obs, steps, weights=w.weights)


_GINI_STEPS: StepWording = {
    "sort": ("升序排列", "Sort the values from lowest to highest and number them i = 1..n.", "x₍₁₎ ≤ … ≤ x₍ₙ₎"),
    "rank-weighted-sum": ("秩加权和", "Multiply each value by its rank and add.", "Σ i·x₍ᵢ₎"),
    "gini": ("基尼系数", "Apply the Gini formula.", "G = (2·Σ i·x₍ᵢ₎ − (n+1)·Σx) / (n·Σx)"),
}


def gini(observations: Iterable[ObservationLike]) -> DisparityMeasure:
    """Unweighted Gini G = (2·Σ i·x₍ᵢ₎ − (n+1)·Σx) / (n·Σx), x ascending, i = 1..n (as PySAL ``Gini``).

    Values must be non-negative with a positive sum. With n cities the largest possible value is (n − 1)/n.
    """
    obs = prepare_observations(observations)
    _require_non_negative(obs, "Gini")
    n = len(obs)
    order = sorted(obs, key=lambda o: (o.value, o.city_code))
    x = np.array([o.value for o in order], dtype=float)
    ranks = np.arange(1, n + 1, dtype=float)
    weighted_sum = float((ranks * x).sum())
    total = float(x.sum())
    g = (2.0 * weighted_sum - (n + 1) * total) / (n * total)
    ranked = {"order": [{"rank": i + 1, "city": o.city_code, "value": o.value} for i, o in enumerate(order)]}
    rank_terms = {f"{i + 1}·{o.city_code}": float((i + 1) * o.value) for i, o in enumerate(order)}
    steps = (
        worded_step(_GINI_STEPS, "sort", ranked),
        worded_step(_GINI_STEPS, "rank-weighted-sum", rank_terms, weighted_sum),
        worded_step(
            _GINI_STEPS,
            "gini",
            {"n": n, "sum": total, "rank_weighted_sum": weighted_sum, "max_possible": (n - 1) / n},
            g,
        ),
    )
    return _measure(
        "gini", g, obs, steps, note=f"Unweighted: each city counts once. With n = {n} the maximum is {(n - 1) / n:.4f}."
    )


def _theil_t_array(y: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Theil T of non-negative y with the limit 0·ln 0 = 0; returns (T, shares, terms)."""
    n = len(y)
    s = y / y.sum()
    terms = np.zeros(n)
    pos = s > 0
    terms[pos] = s[pos] * np.log(n * s[pos])
    return float(terms.sum()), s, terms


_THEIL_T_FORMULA = "T = Σ sᵢ·ln(n·sᵢ)"
_THEIL_T_STEPS: StepWording = {
    "shares": ("份额", "Each city's share of the sum of the values.", "sᵢ = yᵢ / Σ y"),
    "terms": ("分项", "Each share times the log of n times the share.", "sᵢ·ln(n·sᵢ)"),
    "theil-t": ("泰尔指数 T", "Add the terms.", _THEIL_T_FORMULA),
}


def theil_t(observations: Iterable[ObservationLike]) -> DisparityMeasure:
    """Unweighted Theil T = Σ sᵢ·ln(n·sᵢ), sᵢ = yᵢ/Σy (Theil 1967; PySAL ``Theil``).

    Values must be non-negative with a positive sum; a zero value contributes 0 (the limit of s·ln s).
    """
    obs = prepare_observations(observations)
    _require_non_negative(obs, "Theil T")
    y = _values(obs)
    t, s, terms = _theil_t_array(y)
    n = len(obs)
    steps = (
        worded_step(_THEIL_T_STEPS, "shares", {"sum": float(y.sum()), "shares": _per_city(obs, s)}),
        worded_step(_THEIL_T_STEPS, "terms", {"n": n, "terms": _per_city(obs, terms)}),
        worded_step(_THEIL_T_STEPS, "theil-t", {}, t),
    )
    return _measure(
        "theil_t", t, obs, steps, note=f"Unweighted: each city counts once; 0 ≤ T ≤ ln n = {math.log(n):.4f}."
    )


_THEIL_L_STEPS: StepWording = {
    "mean": ("均值", "Mean of the values.", "ȳ = Σ yᵢ / n"),
    "log-deviations": ("对数离差", "Log of the mean over each value.", "ln(ȳ / yᵢ)"),
    "theil-l": ("泰尔指数 L", "Average the log deviations.", "L = (1/n)·Σ ln(ȳ / yᵢ)"),
}


def theil_l(observations: Iterable[ObservationLike]) -> DisparityMeasure:
    """Unweighted Theil L (mean log deviation) L = (1/n)·Σ ln(ȳ/yᵢ); every value must be positive."""
    obs = prepare_observations(observations)
    _require_positive(obs, "Theil L")
    y = _values(obs)
    n = len(obs)
    mean = float(y.sum() / n)
    logs = np.log(mean / y)
    value = float(logs.sum() / n)
    steps = (
        worded_step(_THEIL_L_STEPS, "mean", {"sum": float(y.sum()), "n": n}, mean),
        worded_step(_THEIL_L_STEPS, "log-deviations", _per_city(obs, logs)),
        worded_step(_THEIL_L_STEPS, "theil-l", {"n": n}, value),
    )
    return _measure("theil_l", value, obs, steps)


_WEIGHTED_THEIL_T_STEPS: StepWording = {
    "total-shares": ("总量份额", "Each city's share of the total (e.g. of GDP).", "Yᵢ / Y"),
    "terms": ("分项", "Total share times the log of total share over population share.", "(Yᵢ/Y)·ln[(Yᵢ/Y)/(Pᵢ/P)]"),
    "theil-t-weighted": ("人口加权泰尔指数 T", "Add the terms.", "T_w = Σ (Yᵢ/Y)·ln[(Yᵢ/Y)/(Pᵢ/P)]"),
}


def weighted_theil_t(
    observations: Iterable[ObservationLike], *, value_kind: ValueKind = "per_capita"
) -> DisparityMeasure:
    """Population-weighted Theil T_w = Σ (Yᵢ/Y)·ln[(Yᵢ/Y)/(Pᵢ/P)] with Yᵢ = yᵢ·pᵢ for per-capita values.

    ``value_kind="total"`` takes the values as the totals Yᵢ directly. Values must be non-negative (0·ln 0 = 0).
    """
    obs = prepare_observations(observations)
    _require_non_negative(obs, "Weighted Theil T")
    w = _weighted_inputs(obs, value_kind)
    big_y = float(w.totals.sum())
    sy = w.totals / big_y
    sp = np.array([cw.weight for cw in w.weights])
    terms = np.zeros(len(obs))
    pos = sy > 0
    terms[pos] = sy[pos] * np.log(sy[pos] / sp[pos])
    value = float(terms.sum())
    steps = (
        w.step,
        worded_step(_WEIGHTED_THEIL_T_STEPS, "total-shares", {"Y": big_y, "shares": _per_city(obs, sy)}),
        worded_step(_WEIGHTED_THEIL_T_STEPS, "terms", {"terms": _per_city(obs, terms)}),
        worded_step(_WEIGHTED_THEIL_T_STEPS, "theil-t-weighted", {}, value),
    )
    return _measure("weighted_theil_t", value, obs, steps, weights=w.weights)


_WEIGHTED_THEIL_L_STEPS: StepWording = {
    "weighted-mean": _WEIGHTED_MEAN,
    "terms": ("分项", "Population share times the log of the weighted mean over the value.", "(pᵢ/P)·ln(ȳ_w / yᵢ)"),
    "theil-l-weighted": ("人口加权泰尔指数 L", "Add the terms.", "L_w = Σ (pᵢ/P)·ln(ȳ_w / yᵢ)"),
}


def weighted_theil_l(
    observations: Iterable[ObservationLike], *, value_kind: ValueKind = "per_capita"
) -> DisparityMeasure:
    """Population-weighted Theil L_w = Σ (Pᵢ/P)·ln(ȳ_w/yᵢ); every value must be positive."""
    obs = prepare_observations(observations)
    _require_positive(obs, "Weighted Theil L")
    w = _weighted_inputs(obs, value_kind)
    wt = np.array([cw.weight for cw in w.weights])
    mean_w = float((wt * w.per_capita).sum())
    terms = wt * np.log(mean_w / w.per_capita)
    value = float(terms.sum())
    steps = (
        w.step,
        worded_step(_WEIGHTED_THEIL_L_STEPS, "weighted-mean", {}, mean_w),
        worded_step(_WEIGHTED_THEIL_L_STEPS, "terms", {"terms": _per_city(obs, terms)}),
        worded_step(_WEIGHTED_THEIL_L_STEPS, "theil-l-weighted", {}, value),
    )
    return _measure("weighted_theil_l", value, obs, steps, weights=w.weights)


_DECOMPOSITION_STEPS: StepWording = {
    "theil-t": ("泰尔指数 T", "Theil T of all cities.", _THEIL_T_FORMULA),
    "group-shares": ("组份额", "Each group's share of the total and its number of cities.", "s_g = Σ_{i∈g} yᵢ / Σ y"),
    "between": (
        "组间差距",
        "Between-group part: groups compared as if every city had its group's mean.",
        "B = Σ_g s_g·ln(s_g·n / n_g)",
    ),
    "within": (
        "组内差距",
        "Within-group part: the rest, equal to the share-weighted Theil T inside each group.",
        "W = T − B = Σ_g s_g·T_g",
    ),
}


def theil_decomposition(observations: Iterable[ObservationLike]) -> TheilDecomposition:
    """Split the unweighted Theil T into between-group and within-group parts (as PySAL ``TheilD``).

    B = Σ_g s_g·ln(s_g·n/n_g) with s_g the group's share of the total and n_g its number of cities;
    W = T − B, which equals Σ_g s_g·T_g (T_g the Theil T of the cities of g among themselves). Every city needs a
    group code (:class:`MissingGroupError` otherwise).
    """
    obs = prepare_observations(observations)
    missing = [o.city_code for o in obs if o.group_code is None]
    if missing:
        raise MissingGroupError(
            f"分解需要每个城市的分组，缺少：{'、'.join(missing)}。",
            f"The decomposition needs every city's group; missing for {', '.join(missing)}.",
            city_code=missing[0],
        )
    _require_non_negative(obs, "Theil decomposition")
    y = _values(obs)
    n = len(obs)
    total_t, _, _ = _theil_t_array(y)
    big_y = float(y.sum())
    groups: list[GroupTheil] = []
    for code in sorted({o.group_code for o in obs if o.group_code is not None}):
        members = [o for o in obs if o.group_code == code]
        yg = np.array([o.value for o in members], dtype=float)
        total_g = float(yg.sum())
        share = total_g / big_y
        t_g = _theil_t_array(yg)[0] if total_g > 0 else 0.0
        between_term = share * math.log(share * n / len(members)) if share > 0 else 0.0
        groups.append(
            GroupTheil(
                code, tuple(o.city_code for o in members), len(members), total_g, share, t_g, share * t_g, between_term
            )
        )
    between = float(sum(g.between_term for g in groups))
    within = total_t - between
    group_shares = {g.group_code: {"share": g.share, "n": g.n, "cities": list(g.cities)} for g in groups}
    within_terms = {g.group_code: {"T_g": g.theil_within, "s_g·T_g": g.within_contribution} for g in groups}
    steps = (
        worded_step(_DECOMPOSITION_STEPS, "theil-t", {"n": n}, total_t),
        worded_step(_DECOMPOSITION_STEPS, "group-shares", group_shares),
        worded_step(_DECOMPOSITION_STEPS, "between", {g.group_code: g.between_term for g in groups}, between),
        worded_step(_DECOMPOSITION_STEPS, "within", within_terms, within),
    )
    return TheilDecomposition(
        total=total_t,
        between=between,
        within=within,
        between_share=between / total_t if total_t > 0 else None,
        groups=tuple(groups),
        inputs=obs,
        weights=_equal_weights(obs),
        steps=steps,
    )


# --------------------------------------------------------------------------- report


def disparity_report(
    observations: Iterable[ObservationLike],
    *,
    value_kind: ValueKind = "per_capita",
    weighted: bool | None = None,
    decompose: bool | None = None,
    strict: bool = False,
) -> DisparityReport:
    """All measures at once.

    ``weighted``: ``None`` computes the population-weighted measures when every city has a population, ``True``
    requires them (:class:`MissingPopulationError`), ``False`` skips them. ``decompose`` likewise for group codes.
    A measure the data do not allow (e.g. a log of a zero value) is listed in ``unavailable`` with the reason, or
    raised when ``strict`` is true. Invalid input (empty, duplicate cities, non-numbers) always raises.
    The unweighted measures always use the values as given; ``value_kind`` only tells the weighted ones whether
    the values are per capita (yᵢ) or totals (Yᵢ).
    """
    obs = prepare_observations(observations)
    unavailable: list[UnavailableMeasure] = []

    def attempt(code: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except EngineInputError as exc:
            if strict:
                raise
            unavailable.append(UnavailableMeasure(code, exc.code, exc.message_en, exc.message_zh, exc.city_code))
            return None

    has_pop = all(o.population is not None for o in obs)
    if weighted is True and not has_pop:
        _weighted_inputs(obs, value_kind)  # raises MissingPopulationError naming the cities
    do_weighted = has_pop if weighted is None else weighted
    has_groups = all(o.group_code is not None for o in obs)
    if decompose is True and not has_groups:
        theil_decomposition(obs)  # raises MissingGroupError naming the cities
    do_decompose = has_groups if decompose is None else decompose

    return DisparityReport(
        inputs=obs,
        n=len(obs),
        value_kind=value_kind,
        stats=descriptive_stats(obs),
        max_min=attempt("max_min", max_min_ratio, obs),
        cv=attempt("cv", coefficient_of_variation, obs),
        gini=attempt("gini", gini, obs),
        theil_t=attempt("theil_t", theil_t, obs),
        theil_l=attempt("theil_l", theil_l, obs),
        williamson=attempt("williamson", williamson_index, obs, value_kind=value_kind) if do_weighted else None,
        weighted_theil_t=attempt("weighted_theil_t", weighted_theil_t, obs, value_kind=value_kind)
        if do_weighted
        else None,
        weighted_theil_l=attempt("weighted_theil_l", weighted_theil_l, obs, value_kind=value_kind)
        if do_weighted
        else None,
        decomposition=attempt("decomposition", theil_decomposition, obs) if do_decompose else None,
        unavailable=tuple(unavailable),
    )
