"""Cross-border commuting: origin–destination flows, shares, a gravity model and great-circle distances.

Sources (see docs/references.md, section Commuting):

- Shares and counts are different quantities. 表2 of the paper gives *percentages* (of Shanghai's cross-border
  inflow by origin city, of its outflow by destination city); mobile-signalling reports give sampled *counts*
  that are expanded later (one report: people ≈ 4 × counted users). :class:`CountTable` and :class:`ShareTable`
  are separate types and every operation that would mix them raises :class:`MixedFlowKindsError`; counted and
  expanded counts cannot be added either.
- Gravity model Tᵢⱼ = k·Pᵢ^α·Pⱼ^β·f(dᵢⱼ), f = d^−γ (power) or exp(−γ·d) (exponential), calibrated as a Poisson
  GLM with log link (R. Flowerdew and M. Aitkin, "A method of fitting the gravity model based on the Poisson
  distribution", *Journal of Regional Science* 22(2), 1982; A. G. Wilson, 1971; PySAL ``spint``). The fit here is
  iteratively reweighted least squares (P. McCullagh and J. A. Nelder, *Generalized Linear Models*, 2nd ed.,
  1989, §2.5) in numpy; its results equal statsmodels' ``GLM(family=Poisson())``.
- Haversine great-circle distance d = 2R·asin(√(sin²(Δφ/2) + cos φ₁·cos φ₂·sin²(Δλ/2))), R = 6371.0088 km
  (the IUGG mean Earth radius).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from metrocoop.indicators.engine import (
    EmptyInputError,
    EngineInputError,
    InvalidValueError,
    JsonMixin,
    Matrix,
    NonPositiveValueError,
    Step,
    finite_float,
    require_one_of,
)

CountMeasure = Literal["counted", "expanded"]
ShareBasis = Literal["origin", "destination"]
Deterrence = Literal["power", "exponential"]

EARTH_RADIUS_KM = 6371.0088


class MixedFlowKindsError(EngineInputError, TypeError):
    """Counts and shares (or counted and expanded counts) were about to be mixed."""

    code = "mixed-flow-kinds"


@dataclass(frozen=True)
class FlowCount(JsonMixin):
    """A number of commuters (or counted users) from ``origin`` to ``destination``."""

    origin: str
    destination: str
    count: float


@dataclass(frozen=True)
class FlowShare(JsonMixin):
    """A percentage (0–100) of a total; which total is said by the :class:`ShareTable` basis."""

    origin: str
    destination: str
    percent: float


def _check_pair(origin: Any, destination: Any) -> tuple[str, str]:
    for code in (origin, destination):
        if not isinstance(code, str) or not code.strip():
            raise InvalidValueError(
                f"出发地和目的地须为非空代码，得到 {code!r}。",
                f"Origin and destination must be non-empty codes, got {code!r}.",
            )
    return origin.strip(), destination.strip()


# What a table's rows are called and hold: Chinese name of the data, Chinese name of the table, English name, the
# field with the amount and its unit.
_ROW_KINDS: dict[type, tuple[str, str, str, str, str]] = {
    FlowCount: ("人数", "计数表", "count", "count", ""),
    FlowShare: ("比例", "比例表", "share", "percent", "%"),
}


def _table_rows(flows: Iterable[Any], kind: type) -> Iterator[tuple[str, str, float]]:
    """(origin, destination, amount) of each row of a table of ``kind`` (:class:`FlowCount` or :class:`FlowShare`),
    codes stripped and the amount a finite number; a row of the other kind is a :class:`MixedFlowKindsError`, any
    other row an :class:`InvalidValueError`."""
    data_zh, table_zh, name, amount, _ = _ROW_KINDS[kind]
    for f in flows:
        if type(f) in _ROW_KINDS and not isinstance(f, kind):
            other_zh, _, other, other_amount, unit = _ROW_KINDS[type(f)]
            raise MixedFlowKindsError(
                f"{other_zh}数据不能放入{data_zh}表。",
                f"A {other} ({f.origin}→{f.destination}, {getattr(f, other_amount)}{unit}) cannot go into a table of "
                f"{name}s.",
            )
        if not isinstance(f, kind):
            raise InvalidValueError(
                f"{table_zh}只接受 {kind.__name__} 行，得到 {f!r}。",
                f"A {name} table takes {kind.__name__} rows, got {f!r}.",
            )
        o, d = _check_pair(f.origin, f.destination)
        yield o, d, finite_float(getattr(f, amount), what=f"{name} {o}→{d}", city_code=o)


def _amount(flows: Iterable[Any], origin: str, destination: str, field: str) -> float | None:
    """The ``field`` (count or percent) of the row of the pair, or ``None`` if there is none."""
    for f in flows:
        if f.origin == origin and f.destination == destination:
            return getattr(f, field)
    return None


def _sum_by(flows: Iterable[Any], city: str, field: str) -> dict[str, float]:
    """The sum of each row's ``field`` (count or percent) per its ``city`` ("origin" or "destination")."""
    out: dict[str, float] = {}
    for f in flows:
        key = getattr(f, city)
        out[key] = out.get(key, 0.0) + getattr(f, field)
    return out


def _sorted_once(flows: list[Any]) -> tuple[Any, ...]:
    """A table's rows (counts or shares) sorted by (origin, destination); :class:`InvalidValueError` if a pair is
    given twice."""
    flows = sorted(flows, key=lambda f: (f.origin, f.destination))
    for a, b in itertools.pairwise(flows):
        if (a.origin, a.destination) == (b.origin, b.destination):
            raise InvalidValueError(
                f"流量 {a.origin}→{a.destination} 重复给出。",
                f"The flow {a.origin}→{a.destination} is given twice.",
                city_code=a.origin,
            )
    return tuple(flows)


@dataclass(frozen=True)
class CountTable(JsonMixin):
    """Origin–destination *counts*. ``measure`` says whether they are counted (sampled) or expanded people.

    Flows are sorted by (origin, destination); a pair given twice is an error. ``expansion_factor`` records how
    expanded counts were derived from counted ones (``None`` when unknown or not expanded).
    """

    flows: tuple[FlowCount, ...]
    measure: CountMeasure = "counted"
    expansion_factor: float | None = None
    source: str = ""

    def __post_init__(self) -> None:
        require_one_of("measure", self.measure, ("counted", "expanded"))
        clean: list[FlowCount] = []
        for o, d, c in _table_rows(self.flows, FlowCount):
            if c < 0:
                raise InvalidValueError(f"{o}→{d} 人数为负。", f"The count {o}→{d} is negative ({c:g}).", city_code=o)
            clean.append(FlowCount(o, d, c))
        object.__setattr__(self, "flows", _sorted_once(clean))

    @classmethod
    def from_mapping(
        cls, counts: Mapping[tuple[str, str], float], *, measure: CountMeasure = "counted", source: str = ""
    ) -> CountTable:
        """Build from ``{(origin, destination): count}``."""
        return cls(tuple(FlowCount(o, d, v) for (o, d), v in counts.items()), measure, source=source)

    def count(self, origin: str, destination: str) -> float | None:
        """The count of the pair, or ``None`` if the table does not have it."""
        return _amount(self.flows, origin, destination, "count")

    def outflows(self) -> dict[str, float]:
        """Total leaving each origin."""
        return _sum_by(self.flows, "origin", "count")

    def inflows(self) -> dict[str, float]:
        """Total arriving at each destination."""
        return _sum_by(self.flows, "destination", "count")

    def expanded(self, factor: float) -> CountTable:
        """Counted users × ``factor`` = expanded people; only a counted table can be expanded."""
        if self.measure != "counted":
            raise MixedFlowKindsError("该表已经是扩样后的人数。", "This table is already expanded.")
        k = finite_float(factor, what="expansion factor")
        if k <= 0:
            raise InvalidValueError("扩样系数必须为正。", "The expansion factor must be positive.")
        return CountTable(
            tuple(FlowCount(f.origin, f.destination, f.count * k) for f in self.flows), "expanded", k, self.source
        )

    def merged(self, other: CountTable) -> CountTable:
        """Add two count tables of the same measure (and expansion factor) pair by pair."""
        if not isinstance(other, CountTable):
            raise MixedFlowKindsError(
                "人数只能与人数相加。", f"Counts can only be added to counts, not to {type(other).__name__}."
            )
        if other.measure != self.measure or other.expansion_factor != self.expansion_factor:
            raise MixedFlowKindsError(
                "样本人数与扩样人数不能相加。",
                f"Cannot add {self.measure} counts (factor {self.expansion_factor}) to {other.measure} counts "
                f"(factor {other.expansion_factor}).",
            )
        total: dict[tuple[str, str], float] = {}
        for f in (*self.flows, *other.flows):
            total[(f.origin, f.destination)] = total.get((f.origin, f.destination), 0.0) + f.count
        sources = " + ".join(s for s in (self.source, other.source) if s)
        return CountTable(
            tuple(FlowCount(o, d, v) for (o, d), v in total.items()), self.measure, self.expansion_factor, sources
        )

    def __add__(self, other: object) -> CountTable:
        return self.merged(other)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ShareTable(JsonMixin):
    """Origin–destination *percentages*. ``basis="origin"``: percent of the origin's outflow going to the
    destination; ``basis="destination"``: percent of the destination's inflow coming from the origin.

    Shares of different totals cannot be added; turning them into counts needs the totals (:meth:`to_counts`).
    """

    flows: tuple[FlowShare, ...]
    basis: ShareBasis
    source: str = ""

    def __post_init__(self) -> None:
        require_one_of("basis", self.basis, ("origin", "destination"))
        clean: list[FlowShare] = []
        for o, d, p in _table_rows(self.flows, FlowShare):
            if not 0 <= p <= 100:
                raise InvalidValueError(
                    f"比例 {o}→{d} 须在 0–100 % 之间，得到 {p:g}。",
                    f"The share {o}→{d} must be 0–100 %, got {p:g}.",
                    city_code=o,
                )
            clean.append(FlowShare(o, d, p))
        object.__setattr__(self, "flows", _sorted_once(clean))

    def percent(self, origin: str, destination: str) -> float | None:
        return _amount(self.flows, origin, destination, "percent")

    def totals(self) -> dict[str, float]:
        """Sum of the percentages per basis city (origin or destination); about 100 when the table is complete."""
        return _sum_by(self.flows, self.basis, "percent")

    def to_counts(self, totals: Mapping[str, float], *, measure: CountMeasure = "counted") -> CountTable:
        """Counts = percent/100 × the total of the basis city (``totals`` per origin or destination)."""
        flows = []
        for f in self.flows:
            key = f.origin if self.basis == "origin" else f.destination
            if key not in totals:
                raise InvalidValueError(f"缺少 {key} 的总量。", f"No total given for {key}.", city_code=key)
            total = finite_float(totals[key], what="total", city_code=key)
            flows.append(FlowCount(f.origin, f.destination, f.percent / 100.0 * total))
        return CountTable(tuple(flows), measure, source=self.source)

    def __add__(self, other: object) -> ShareTable:
        raise MixedFlowKindsError(
            "比例是不同总量的百分比，不能相加；请使用人数。",
            "Shares are percentages of different totals and cannot be added; add counts instead.",
        )


def _require_counts(table: object) -> CountTable:
    if isinstance(table, ShareTable):
        raise MixedFlowKindsError(
            "此计算需要人数，而非比例。", "This needs counts; a share table holds percentages of different totals."
        )
    if not isinstance(table, CountTable):
        raise InvalidValueError(
            f"需要 CountTable，得到 {type(table).__name__}。", f"Expected a CountTable, got {type(table).__name__}."
        )
    return table


def shares_by_origin(table: CountTable) -> ShareTable:
    """Percent of each origin's outflow going to each destination: 100·Tᵢⱼ / Σⱼ Tᵢⱼ (origins with 0 omitted)."""
    counts = _require_counts(table)
    out = counts.outflows()
    flows = tuple(
        FlowShare(f.origin, f.destination, 100.0 * f.count / out[f.origin]) for f in counts.flows if out[f.origin] > 0
    )
    return ShareTable(flows, "origin", counts.source)


def shares_by_destination(table: CountTable) -> ShareTable:
    """Percent of each destination's inflow coming from each origin: 100·Tᵢⱼ / Σᵢ Tᵢⱼ (destinations with 0 omitted)."""
    counts = _require_counts(table)
    inn = counts.inflows()
    flows = tuple(
        FlowShare(f.origin, f.destination, 100.0 * f.count / inn[f.destination])
        for f in counts.flows
        if inn[f.destination] > 0
    )
    return ShareTable(flows, "destination", counts.source)


# --------------------------------------------------------------------------- distance


def _check_coordinate(lat: float, lon: float, what: str) -> tuple[float, float]:
    la = finite_float(lat, what=f"latitude of {what}")
    lo = finite_float(lon, what=f"longitude of {what}")
    if not -90 <= la <= 90:
        raise InvalidValueError(
            f"{what}的纬度须在 ±90° 之内，得到 {la:g}。", f"The latitude of {what} must be within ±90°, got {la:g}."
        )
    if not -180 <= lo <= 180:
        raise InvalidValueError(
            f"{what}的经度须在 ±180° 之内，得到 {lo:g}。", f"The longitude of {what} must be within ±180°, got {lo:g}."
        )
    return la, lo


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float, *, radius_km: float = EARTH_RADIUS_KM) -> float:
    """Great-circle distance in km between two points given in decimal degrees (haversine formula)."""
    la1, lo1 = _check_coordinate(lat1, lon1, "the first point")
    la2, lo2 = _check_coordinate(lat2, lon2, "the second point")
    phi1, phi2 = math.radians(la1), math.radians(la2)
    dphi = phi2 - phi1
    dlmb = math.radians(lo2 - lo1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2.0 * radius_km * math.asin(min(1.0, math.sqrt(a)))


def pair_distances(coordinates: Mapping[str, tuple[float, float]]) -> dict[tuple[str, str], float]:
    """Haversine km for every ordered pair of distinct places of ``{code: (lat, lon)}``."""
    codes = sorted(coordinates)
    out: dict[tuple[str, str], float] = {}
    for a, b in itertools.combinations(codes, 2):
        d = haversine_km(*coordinates[a], *coordinates[b])
        out[(a, b)] = out[(b, a)] = d
    return out


def distance_matrix(coordinates: Mapping[str, tuple[float, float]]) -> Matrix:
    """Haversine km between all places, as a symmetric matrix with a zero diagonal (codes sorted)."""
    codes = sorted(coordinates)
    d = pair_distances(coordinates)
    return Matrix(tuple(codes), tuple(codes), tuple(tuple(0.0 if a == b else d[(a, b)] for b in codes) for a in codes))


# --------------------------------------------------------------------------- gravity


@dataclass(frozen=True)
class FittedFlow(JsonMixin):
    """One flow of the gravity fit: observed and fitted counts with the masses and distance used."""

    origin: str
    destination: str
    observed: float
    fitted: float
    distance_km: float
    origin_population: float
    destination_population: float


@dataclass(frozen=True)
class GravityFit(JsonMixin):
    """Poisson-GLM gravity model Tᵢⱼ = k·Pᵢ^α·Pⱼ^β·f(dᵢⱼ); ``std_errors`` assume Poisson dispersion 1.

    ``dispersion`` (Pearson χ² / (n − 4)) well above 1 means overdispersed flows: the standard errors are then
    too small (the coefficients stay consistent).
    """

    deterrence: Deterrence
    alpha: float
    beta: float
    gamma: float
    k: float
    log_k: float
    std_errors: Mapping[str, float]
    deviance: float
    null_deviance: float
    pseudo_r2: float | None
    pearson_chi2: float
    dispersion: float | None
    n: int
    iterations: int
    converged: bool
    measure: CountMeasure
    fitted: tuple[FittedFlow, ...]
    excluded: tuple[tuple[str, str], ...]
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def predict(self, origin_population: float, destination_population: float, distance_km: float) -> float:
        """Tᵢⱼ predicted by the fitted model."""
        f = distance_km**-self.gamma if self.deterrence == "power" else math.exp(-self.gamma * distance_km)
        return self.k * origin_population**self.alpha * destination_population**self.beta * f


@dataclass(frozen=True)
class PoissonIRLSResult(JsonMixin):
    """Raw output of :func:`poisson_irls`."""

    coefficients: tuple[float, ...]
    std_errors: tuple[float, ...]
    fitted: tuple[float, ...]
    deviance: float
    null_deviance: float
    pearson_chi2: float
    iterations: int
    converged: bool


def poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    """D = 2·Σ [yᵢ·ln(yᵢ/μᵢ) − (yᵢ − μᵢ)], with y·ln(y/μ) = 0 when y = 0."""
    term = np.zeros_like(y, dtype=float)
    pos = y > 0
    term[pos] = y[pos] * np.log(y[pos] / mu[pos])
    return float(2.0 * (term - (y - mu)).sum())


def poisson_irls(x: np.ndarray, y: np.ndarray, *, max_iter: int = 100, tol: float = 1e-12) -> PoissonIRLSResult:
    """Poisson GLM with log link by iteratively reweighted least squares (McCullagh and Nelder 1989, §2.5).

    Each step solves the weighted least squares of the working response z = η + (y − μ)/μ on X with weights μ;
    it stops when the relative change of the deviance |D − D_old| / (|D| + 0.1) falls below ``tol`` (R's rule)
    or the coefficients stop moving.
    ``x`` must contain the intercept column; ``y`` non-negative with a positive sum.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n, p = x.shape
    if np.linalg.matrix_rank(x) < p:
        raise InvalidValueError(
            "设计矩阵秩亏：系数无法识别。", "The design matrix is rank-deficient: the coefficients are not identified."
        )
    mu = (y + y.mean()) / 2.0  # statsmodels' starting values
    eta = np.log(mu)
    dev_old = poisson_deviance(y, mu)
    converged = False
    iterations = 0
    beta = np.full(p, np.inf)
    while iterations < max_iter:
        iterations += 1
        z = eta + (y - mu) / mu
        sw = np.sqrt(mu)
        beta_old = beta
        beta, *_ = np.linalg.lstsq(x * sw[:, None], z * sw, rcond=None)
        eta = np.clip(x @ beta, -700.0, 700.0)
        mu = np.exp(eta)
        dev = poisson_deviance(y, mu)
        # The coefficient test stops a near-perfect fit whose deviance only moves by rounding noise.
        step = float(np.max(np.abs(beta - beta_old))) / (1.0 + float(np.max(np.abs(beta))))
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol or step < 1e-14:
            converged = True
            break
        dev_old = dev
    cov = np.linalg.inv(x.T @ (x * mu[:, None]))
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    null_mu = np.full(n, y.mean())
    return PoissonIRLSResult(
        coefficients=tuple(float(b) for b in beta),
        std_errors=tuple(float(s) for s in se),
        fitted=tuple(float(m) for m in mu),
        deviance=poisson_deviance(y, mu),
        null_deviance=poisson_deviance(y, null_mu),
        pearson_chi2=float(((y - mu) ** 2 / mu).sum()),
        iterations=iterations,
        converged=converged,
    )


def _lookup_distance(distances: Mapping[tuple[str, str], float], o: str, d: str) -> float:
    if (o, d) in distances:
        return finite_float(distances[(o, d)], what=f"distance {o}→{d}", city_code=o)
    if (d, o) in distances:
        return finite_float(distances[(d, o)], what=f"distance {d}→{o}", city_code=o)
    raise InvalidValueError(f"缺少 {o}→{d} 的距离。", f"No distance given for {o}→{d}.", city_code=o)


def _mass(masses: Mapping[str, float], code: str, what: str) -> float:
    if code not in masses:
        raise InvalidValueError(f"缺少 {code} 的{what}。", f"No {what} given for {code}.", city_code=code)
    v = finite_float(masses[code], what=what, city_code=code)
    if v <= 0:
        raise NonPositiveValueError(
            f"{code} 的{what}必须为正。", f"The {what} of {code} must be positive.", city_code=code
        )
    return v


def gravity_fit(
    table: CountTable,
    populations: Mapping[str, float],
    *,
    distances: Mapping[tuple[str, str], float] | None = None,
    coordinates: Mapping[str, tuple[float, float]] | None = None,
    destination_populations: Mapping[str, float] | None = None,
    deterrence: Deterrence = "power",
    max_iter: int = 100,
    tol: float = 1e-12,
) -> GravityFit:
    """Fit Tᵢⱼ = k·Pᵢ^α·Pⱼ^β·d^−γ (or ·exp(−γ·d)) to the counts by Poisson GLM (log link, IRLS).

    ln μᵢⱼ = ln k + α·ln Pᵢ + β·ln Pⱼ − γ·ln dᵢⱼ (power) or − γ·dᵢⱼ (exponential). Distances come from
    ``distances`` (``{(origin, destination): km}``, either direction) or, failing that, from ``coordinates`` by
    haversine. ``destination_populations`` lets the destination mass differ (e.g. jobs); default ``populations``.
    Flows within one place (origin = destination) are excluded (distance 0). A :class:`ShareTable` is refused:
    percentages of different totals are not flows.
    """
    counts = _require_counts(table)
    require_one_of("deterrence", deterrence, ("power", "exponential"))
    if distances is None and coordinates is None:
        raise InvalidValueError("需要距离或坐标。", "Give distances or coordinates.")
    dists = distances if distances is not None else pair_distances(coordinates or {})
    dest_pop = destination_populations if destination_populations is not None else populations
    excluded = tuple((f.origin, f.destination) for f in counts.flows if f.origin == f.destination)
    flows = [f for f in counts.flows if f.origin != f.destination]
    if len(flows) < 4:
        raise EmptyInputError(
            "重力模型需要至少 4 条城市间流量。",
            f"A gravity fit estimates 4 parameters and needs at least 4 flows between places; got {len(flows)}.",
        )
    y = np.array([f.count for f in flows], dtype=float)
    if y.sum() <= 0:
        raise NonPositiveValueError("所有流量均为零。", "All flows are zero.")
    p_o = np.array([_mass(populations, f.origin, "population") for f in flows])
    p_d = np.array([_mass(dest_pop, f.destination, "population") for f in flows])
    dist = np.array([_lookup_distance(dists, f.origin, f.destination) for f in flows])
    for f, dv in zip(flows, dist, strict=True):
        if dv <= 0:
            raise NonPositiveValueError(
                f"{f.origin}→{f.destination} 的距离须为正，得到 {dv:g}。",
                f"The distance {f.origin}→{f.destination} must be positive, got {dv:g}.",
                city_code=f.origin,
            )
    deter_col = np.log(dist) if deterrence == "power" else dist
    x = np.column_stack([np.ones(len(y)), np.log(p_o), np.log(p_d), deter_col])
    for col, name in ((1, "origin populations"), (2, "destination populations"), (3, "distances")):
        if np.ptp(x[:, col]) == 0:
            raise InvalidValueError(
                f"{name} 全部相同，无法估计指数。", f"All {name} are equal: their exponent cannot be told apart from k."
            )
    res = poisson_irls(x, y, max_iter=max_iter, tol=tol)
    b0, b1, b2, b3 = res.coefficients
    n = len(y)
    dispersion = res.pearson_chi2 / (n - 4) if n > 4 else None
    pseudo = 1.0 - res.deviance / res.null_deviance if res.null_deviance > 0 else None
    fitted = tuple(
        FittedFlow(f.origin, f.destination, f.count, m, float(dv), float(po), float(pd))
        for f, m, dv, po, pd in zip(flows, res.fitted, dist, p_o, p_d, strict=True)
    )
    f_text = "dᵢⱼ^−γ" if deterrence == "power" else "exp(−γ·dᵢⱼ)"
    d_text = "ln dᵢⱼ" if deterrence == "power" else "dᵢⱼ"
    steps = (
        Step(
            key="data",
            text_zh="数据",
            text_en="Flows between different places with the two masses and the distance (km).",
            formula="",
            values={
                f"{ff.origin}→{ff.destination}": {
                    "T": ff.observed,
                    "Pi": ff.origin_population,
                    "Pj": ff.destination_population,
                    "d": ff.distance_km,
                }
                for ff in fitted
            },
            result=n,
        ),
        Step(
            key="model",
            text_zh="模型",
            text_en="Log-linear Poisson model of the expected flow.",
            formula=f"E[Tᵢⱼ] = k·Pᵢ^α·Pⱼ^β·{f_text}; ln E[Tᵢⱼ] = ln k + α·ln Pᵢ + β·ln Pⱼ − γ·{d_text}",
        ),
        Step(
            key="irls",
            text_zh="迭代加权最小二乘",
            text_en="Iteratively reweighted least squares until the deviance stops changing.",
            formula="z = η + (y − μ)/μ, weights μ, β = (XᵀWX)⁻¹XᵀWz",
            values={"iterations": res.iterations, "converged": res.converged},
        ),
        Step(
            key="estimates",
            text_zh="参数估计",
            text_en="Estimated exponents and constant with Poisson standard errors.",
            formula="α, β, γ, k = exp(ln k)",
            values={
                "alpha": b1,
                "beta": b2,
                "gamma": -b3,
                "ln_k": b0,
                "se": dict(zip(("ln_k", "alpha", "beta", "gamma"), res.std_errors, strict=True)),
            },
        ),
        Step(
            key="fit",
            text_zh="拟合优度",
            text_en="Deviance of the model against the constant-only model.",
            formula="D = 2Σ[y·ln(y/μ) − (y − μ)]; pseudo-R² = 1 − D/D₀",
            values={"deviance": res.deviance, "null_deviance": res.null_deviance, "dispersion": dispersion},
            result=pseudo,
        ),
    )
    return GravityFit(
        deterrence=deterrence,
        alpha=b1,
        beta=b2,
        gamma=-b3,
        k=math.exp(b0),
        log_k=b0,
        std_errors=dict(zip(("log_k", "alpha", "beta", "gamma"), res.std_errors, strict=True)),
        deviance=res.deviance,
        null_deviance=res.null_deviance,
        pseudo_r2=pseudo,
        pearson_chi2=res.pearson_chi2,
        dispersion=dispersion,
        n=n,
        iterations=res.iterations,
        converged=res.converged,
        measure=counts.measure,
        fitted=fitted,
        excluded=excluded,
        steps=steps,
    )


def flows_from_records(records: Iterable[tuple[str, str, float]], *, measure: CountMeasure = "counted") -> CountTable:
    """A :class:`CountTable` from ``(origin, destination, count)`` tuples."""
    return CountTable(tuple(FlowCount(o, d, c) for o, d, c in records), measure)
