"""σ- and β-convergence of an indicator across the member cities over years.

Sources (see docs/references.md, section Disparity; R. J. Barro and X. Sala-i-Martin, "Convergence",
*Journal of Political Economy* 100(2), 1992, and *Economic Growth*, 2nd ed., 2004, ch. 11):

- σ-convergence: the dispersion of the cities falls over the years. The dispersion is measured each year by the
  coefficient of variation CV = σ/ȳ (population sd, ddof = 0) and by the standard deviation of the logarithms
  sd(ln y) (ddof = 0); a linear trend (ordinary least squares on the year) gives the yearly change.
- β-convergence (absolute): regress the average annual log growth rate gᵢ = ln(y_{i,T}/y_{i,0}) / T on the log of
  the initial level, gᵢ = a + b·ln y_{i,0} + εᵢ. A negative b means the cities that started lower grew faster.
  The implied speed of convergence is λ = −ln(1 + b·T) / T (Barro and Sala-i-Martin 1992), the half-life
  ln 2 / λ. With the few cities of a metropolitan area the slope's t statistic and p-value matter: a sign alone
  can be chance.

Cities are sorted by code and years ascending, so results do not depend on input order.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from metrocoop.indicators.engine import (
    EmptyInputError,
    InvalidValueError,
    JsonMixin,
    NonPositiveValueError,
    Step,
    StepWording,
    finite_float,
    worded_step,
)

Verdict = Literal["converging", "diverging", "no-trend"]
VERDICT_ZH: dict[str, str] = {
    "converging": "收敛（差距缩小）",
    "diverging": "发散（差距扩大）",
    "no-trend": "无明显趋势",
}

Panel = Mapping[int, Mapping[str, float]]


@dataclass(frozen=True)
class CityYearValue(JsonMixin):
    """One city's value in one year."""

    city_code: str
    year: int
    value: float


@dataclass(frozen=True)
class DroppedCity(JsonMixin):
    """A city left out because it lacks a value in some of the years compared."""

    city_code: str
    missing_years: tuple[int, ...]


@dataclass(frozen=True)
class LinearTrend(JsonMixin):
    """OLS line ``value = intercept + slope·(year − origin_year)``; ``slope`` is the change per year."""

    slope: float
    intercept: float
    origin_year: int
    r_squared: float | None
    n: int


@dataclass(frozen=True)
class SigmaYear(JsonMixin):
    """The dispersion of one year: mean, population sd, CV and sd of the logs (all ddof = 0)."""

    year: int
    n: int
    cities: tuple[str, ...]
    mean: float
    sd: float
    cv: float
    sd_log: float


@dataclass(frozen=True)
class SigmaConvergence(JsonMixin):
    """σ-convergence: the yearly dispersion, its linear trends and a verdict (on the CV; sd of logs beside it)."""

    years: tuple[int, ...]
    cities: tuple[str, ...]
    dropped: tuple[DroppedCity, ...]
    balanced: bool
    by_year: tuple[SigmaYear, ...]
    cv_trend: LinearTrend
    sd_log_trend: LinearTrend
    cv_change: float
    sd_log_change: float
    tolerance: float
    verdict: Verdict
    verdict_zh: str
    verdict_sd_log: Verdict
    inputs: tuple[CityYearValue, ...]
    steps: tuple[Step, ...]
    note: str = ""


@dataclass(frozen=True)
class BetaCity(JsonMixin):
    """One city in the β regression: levels, log initial level, average annual log growth, fit and residual."""

    city_code: str
    initial: float
    final: float
    log_initial: float
    growth_rate: float
    fitted_growth_rate: float
    residual: float


@dataclass(frozen=True)
class BetaConvergence(JsonMixin):
    """β-convergence: OLS of gᵢ on ln y_{i,0}, the implied speed λ, half-life and a verdict on the sign of b."""

    start_year: int
    end_year: int
    period: int
    cities: tuple[BetaCity, ...]
    dropped: tuple[DroppedCity, ...]
    slope: float
    intercept: float
    r_squared: float | None
    slope_se: float | None
    t_stat: float | None
    p_value: float | None
    speed: float | None
    half_life: float | None
    verdict: Verdict
    verdict_zh: str
    steps: tuple[Step, ...]
    note: str = ""


# --------------------------------------------------------------------------- helpers


def _clean_panel(panel: Panel) -> dict[int, dict[str, float]]:
    if not panel:
        raise EmptyInputError("没有年份数据。", "No years given: convergence needs at least two years.")
    out: dict[int, dict[str, float]] = {}
    for year, cities in panel.items():
        if isinstance(year, bool) or not isinstance(year, int):
            raise InvalidValueError(f"年份必须为整数：{year!r}", f"Years must be integers, got {year!r}.")
        row: dict[str, float] = {}
        for city, value in cities.items():
            if not isinstance(city, str) or not city.strip():
                raise InvalidValueError(
                    f"城市代码须为非空文本，{year} 年得到 {city!r}。",
                    f"City codes must be non-empty text, got {city!r} in {year}.",
                )
            code = city.strip()
            if code in row:
                raise InvalidValueError(
                    f"城市 {code} 在 {year} 年出现两次。", f"City {code} appears twice in {year}.", city_code=code
                )
            row[code] = finite_float(value, what=f"value in {year}", city_code=code)
        out[year] = row
    return dict(sorted(out.items()))


def panel_from_records(records: Iterable[CityYearValue]) -> dict[int, dict[str, float]]:
    """``{year: {city: value}}`` from records; a city twice in one year is an error."""
    panel: dict[int, dict[str, float]] = {}
    for r in records:
        row = panel.setdefault(r.year, {})
        if r.city_code in row:
            raise InvalidValueError(
                f"城市 {r.city_code} 在 {r.year} 年出现两次。",
                f"City {r.city_code} appears twice in {r.year}.",
                city_code=r.city_code,
            )
        row[r.city_code] = r.value
    return panel


def linear_trend(xs: Iterable[float], ys: Iterable[float], *, origin: int = 0) -> LinearTrend:
    """Ordinary least squares ``y = intercept + slope·(x − origin)``; needs two distinct x."""
    x = np.asarray(list(xs), dtype=float)
    y = np.asarray(list(ys), dtype=float)
    if len(x) != len(y) or len(x) < 2:
        raise InvalidValueError("趋势至少需要两个点。", "A trend needs at least two points.")
    xc = x - x.mean()
    sxx = float((xc**2).sum())
    if sxx == 0:
        raise InvalidValueError("趋势需要至少两个不同的自变量值。", "A trend needs at least two different x values.")
    slope = float((xc * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * (x.mean() - origin))
    fitted = intercept + slope * (x - origin)
    sst = float(((y - y.mean()) ** 2).sum())
    r2 = None if sst == 0 else 1.0 - float(((y - fitted) ** 2).sum()) / sst
    return LinearTrend(slope, intercept, origin, r2, len(x))


def _verdict(slope: float, tolerance: float) -> Verdict:
    if slope < -tolerance:
        return "converging"
    if slope > tolerance:
        return "diverging"
    return "no-trend"


def _trend_step(key: str, trend: LinearTrend) -> Step:
    """The σ step explaining a fitted trend line: its intercept and R² as values, its slope (change per year) as the
    result."""
    values = {"intercept": trend.intercept, "r_squared": trend.r_squared}
    return worded_step(_SIGMA_STEPS, key, values, trend.slope, origin=trend.origin_year)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (Lentz; Numerical Recipes 3rd ed., §6.4)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _regularized_beta(a: float, b: float, x: float) -> float:
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def student_t_two_sided_p(t: float, df: int) -> float:
    """Two-sided p-value of Student's t with ``df`` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2)."""
    if df <= 0:
        raise InvalidValueError("自由度须为正。", "Degrees of freedom must be positive.")
    if math.isinf(t):
        return 0.0
    return _regularized_beta(df / 2.0, 0.5, df / (df + t * t))


# --------------------------------------------------------------------------- σ-convergence


# Which cities a σ-convergence compares, by whether the panel is balanced.
_SIGMA_SAMPLE = {
    True: "Cities with a value in every year take part; the others are dropped.",
    False: "Every year uses the cities it has.",
}
_SIGMA_STEPS: StepWording = {
    "panel": ("样本", "{sample}", ""),
    "dispersion": (
        "逐年离散度",
        "Each year: CV = σ/ȳ and the standard deviation of the logs (both ddof = 0).",
        "CV_t = σ_t / ȳ_t; sd_t(ln y)",
    ),
    "cv-trend": (
        "变异系数趋势",
        "Least-squares line of the CV on the year; the slope is the change per year.",
        "CV_t = a + b·(t − {origin})",
    ),
    "sd-log-trend": (
        "对数标准差趋势",
        "Least-squares line of the sd of logs on the year.",
        "sd_t(ln y) = a + b·(t − {origin})",
    ),
    "verdict": (
        "结论",
        "A falling dispersion (negative slope) is σ-convergence.",
        "b < −{tolerance:g}: converging; b > {tolerance:g}: diverging",
    ),
}


def sigma_convergence(panel: Panel, *, balanced: bool = True, tolerance: float = 0.0) -> SigmaConvergence:
    """σ-convergence over the years of ``panel`` (``{year: {city: value}}``), values positive.

    ``balanced`` (default) keeps only the cities that have a value in every year, so that a change of dispersion
    is not a change of membership; the others are listed in ``dropped``. The verdict is read from the slope of the
    CV trend: below −``tolerance`` per year converging, above +``tolerance`` diverging, otherwise no trend.
    """
    data = _clean_panel(panel)
    years = tuple(data)
    if len(years) < 2:
        raise InvalidValueError("σ收敛至少需要两个年份。", "σ-convergence needs at least two years.")
    all_cities = sorted({c for row in data.values() for c in row})
    dropped: list[DroppedCity] = []
    if balanced:
        keep = [c for c in all_cities if all(c in data[y] for y in years)]
        for c in all_cities:
            if c not in keep:
                dropped.append(DroppedCity(c, tuple(y for y in years if c not in data[y])))
    else:
        keep = all_cities
    rows: list[SigmaYear] = []
    inputs: list[CityYearValue] = []
    for year in years:
        cities = [c for c in keep if c in data[year]]
        if len(cities) < 2:
            raise InvalidValueError(
                f"{year} 年可比较的城市少于两个。", f"Year {year} has fewer than two cities to compare."
            )
        for c in cities:
            if data[year][c] <= 0:
                raise NonPositiveValueError(
                    f"σ收敛需要取对数，{c} 在 {year} 年的数值 {data[year][c]:g} 不是正数。",
                    f"σ-convergence takes logs; {c} has {data[year][c]:g} in {year}, which is not positive.",
                    city_code=c,
                )
            inputs.append(CityYearValue(c, year, data[year][c]))
        y = np.array([data[year][c] for c in cities], dtype=float)
        mean = float(y.mean())
        sd = float(y.std(ddof=0))
        sd_log = float(np.log(y).std(ddof=0))
        rows.append(SigmaYear(year, len(cities), tuple(cities), mean, sd, sd / mean, sd_log))
    origin = years[0]
    cv_trend = linear_trend(years, [r.cv for r in rows], origin=origin)
    log_trend = linear_trend(years, [r.sd_log for r in rows], origin=origin)
    verdict = _verdict(cv_trend.slope, tolerance)
    verdict_log = _verdict(log_trend.slope, tolerance)
    note = ""
    if verdict != verdict_log:
        note = f"The CV says {verdict} but the sd of logs says {verdict_log}: the evidence is mixed."
    if not balanced:
        note = (note + " " if note else "") + "Unbalanced panel: the set of cities changes between years."
    sample = {"cities": list(keep), "dropped": [d.city_code for d in dropped], "years": list(years)}
    dispersion = {str(r.year): {"mean": r.mean, "sd": r.sd, "cv": r.cv, "sd_log": r.sd_log} for r in rows}
    slopes = {"cv_slope": cv_trend.slope, "sd_log_slope": log_trend.slope}
    steps = (
        worded_step(_SIGMA_STEPS, "panel", sample, sample=_SIGMA_SAMPLE[balanced]),
        worded_step(_SIGMA_STEPS, "dispersion", dispersion),
        _trend_step("cv-trend", cv_trend),
        _trend_step("sd-log-trend", log_trend),
        worded_step(_SIGMA_STEPS, "verdict", slopes, verdict, tolerance=tolerance),
    )
    return SigmaConvergence(
        years=years,
        cities=tuple(keep),
        dropped=tuple(dropped),
        balanced=balanced,
        by_year=tuple(rows),
        cv_trend=cv_trend,
        sd_log_trend=log_trend,
        cv_change=rows[-1].cv - rows[0].cv,
        sd_log_change=rows[-1].sd_log - rows[0].sd_log,
        tolerance=tolerance,
        verdict=verdict,
        verdict_zh="σ" + VERDICT_ZH[verdict],
        verdict_sd_log=verdict_log,
        inputs=tuple(inputs),
        steps=steps,
        note=note,
    )


# --------------------------------------------------------------------------- β-convergence


_BETA_STEPS: StepWording = {
    "panel": ("样本", "Cities with a value in both {start} and {end} take part.", ""),
    "growth": ("年均增长率", "Average annual log growth rate of each city.", "gᵢ = ln(y_{i,T} / y_{i,0}) / T"),
    "regression": ("回归", "Least-squares line of the growth rate on the log initial level.", "gᵢ = a + b·ln y_{i,0}"),
    "speed": ("收敛速度", "Implied speed of convergence and half-life.", "λ = −ln(1 + b·T) / T; half-life = ln 2 / λ"),
    "verdict": ("结论", "A negative b (lower start, faster growth) is β-convergence.", "b < 0"),
}


def beta_convergence(
    panel: Panel, *, start_year: int | None = None, end_year: int | None = None, alpha: float = 0.05
) -> BetaConvergence:
    """Absolute β-convergence between ``start_year`` and ``end_year`` (default: first and last year of the panel).

    gᵢ = ln(y_{i,T}/y_{i,0}) / T regressed by OLS on ln y_{i,0}; λ = −ln(1 + b·T)/T (undefined when 1 + b·T ≤ 0).
    Only cities with a value in both years take part; the others are listed in ``dropped``. The verdict follows
    the sign of b; ``p_value`` (two-sided t test, n − 2 degrees of freedom) says whether the sign could be chance
    and the note says so when p ≥ ``alpha``.
    """
    data = _clean_panel(panel)
    years = tuple(data)
    start = years[0] if start_year is None else start_year
    end = years[-1] if end_year is None else end_year
    for y in (start, end):
        if y not in data:
            raise InvalidValueError(f"数据中没有 {y} 年。", f"The panel has no year {y}.")
    period = end - start
    if period <= 0:
        raise InvalidValueError("结束年份必须晚于起始年份。", "The end year must come after the start year.")
    all_cities = sorted(set(data[start]) | set(data[end]))
    keep = [c for c in all_cities if c in data[start] and c in data[end]]
    dropped = tuple(
        DroppedCity(c, tuple(y for y in (start, end) if c not in data[y])) for c in all_cities if c not in keep
    )
    if len(keep) < 2:
        raise InvalidValueError(
            "β收敛至少需要两个城市在两个年份都有数据。",
            "β-convergence needs at least two cities with values in both years.",
        )
    for c in keep:
        for y in (start, end):
            if data[y][c] <= 0:
                raise NonPositiveValueError(
                    f"β收敛需要取对数，{c} 在 {y} 年的数值 {data[y][c]:g} 不是正数。",
                    f"β-convergence takes logs; {c} has {data[y][c]:g} in {y}, which is not positive.",
                    city_code=c,
                )
    y0 = np.array([data[start][c] for c in keep], dtype=float)
    y1 = np.array([data[end][c] for c in keep], dtype=float)
    x = np.log(y0)
    g = np.log(y1 / y0) / period
    if float(((x - x.mean()) ** 2).sum()) == 0:
        raise InvalidValueError(
            "所有城市起始水平相同，无法回归。", "All cities start at the same level: the β regression has no slope."
        )
    trend = linear_trend(x, g)
    b, a = trend.slope, trend.intercept
    fitted = a + b * x
    resid = g - fitted
    n = len(keep)
    se = t_stat = p_value = None
    if n > 2:
        s2 = float((resid**2).sum()) / (n - 2)
        se = math.sqrt(s2 / float(((x - x.mean()) ** 2).sum()))
        if se > 0:
            t_stat = b / se
            p_value = student_t_two_sided_p(t_stat, n - 2)
        else:
            t_stat, p_value = (math.copysign(math.inf, b) if b else 0.0), (0.0 if b else 1.0)
    one_plus_bt = 1.0 + b * period
    speed = -math.log(one_plus_bt) / period if one_plus_bt > 0 else None
    half_life = math.log(2) / speed if speed is not None and speed > 0 else None
    verdict = _verdict(b, 0.0)
    notes = []
    if speed is None:
        notes.append("1 + b·T ≤ 0: the implied speed λ is undefined (overshooting).")
    if p_value is None:
        notes.append("Only two cities: no test of the slope is possible.")
    elif p_value >= alpha:
        notes.append(f"p = {p_value:.3f} ≥ {alpha:g}: the sign of b is not statistically significant.")
    cities = tuple(
        BetaCity(c, float(v0), float(v1), float(lx), float(gr), float(f), float(r))
        for c, v0, v1, lx, gr, f, r in zip(keep, y0, y1, x, g, fitted, resid, strict=True)
    )
    sample = {"cities": list(keep), "dropped": [d.city_code for d in dropped], "T": period}
    growth = {c.city_code: {"ln_y0": c.log_initial, "g": c.growth_rate} for c in cities}
    fit = {"a": a, "b": b, "r_squared": trend.r_squared, "se_b": se, "t": t_stat, "p": p_value, "n": n}
    steps = (
        worded_step(_BETA_STEPS, "panel", sample, start=start, end=end),
        worded_step(_BETA_STEPS, "growth", growth),
        worded_step(_BETA_STEPS, "regression", fit, b),
        worded_step(_BETA_STEPS, "speed", {"b": b, "T": period, "half_life": half_life}, speed),
        worded_step(_BETA_STEPS, "verdict", {"b": b}, verdict),
    )
    return BetaConvergence(
        start_year=start,
        end_year=end,
        period=period,
        cities=cities,
        dropped=dropped,
        slope=b,
        intercept=a,
        r_squared=trend.r_squared,
        slope_se=se,
        t_stat=t_stat,
        p_value=p_value,
        speed=speed,
        half_life=half_life,
        verdict=verdict,
        verdict_zh="β" + VERDICT_ZH[verdict],
        steps=steps,
        note=" ".join(notes),
    )
