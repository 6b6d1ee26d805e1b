"""Pure rules of the two joint funds (paper §四(五)3-4): contributions, assessment scores, rewards, compensation
and need-based assistance. Plain data in, plain data out; no ORM.

Every amount is an integer number of fen. Shares are computed exactly with `fractions.Fraction` and turned into
fen by the largest-remainder method (Hamilton), so that a split always adds up to its total to the fen and a
reviewer can redo it by hand from the steps each result carries.

Sources: the contribution formula (equal base + shares by GDP and by general budget revenue, with floor and cap)
is the issue's example; the assistance rule follows the logic of fiscal equalisation schemes (docs/references.md:
Germany's Finanzausgleichsgesetz closes a share of the gap between a Land's per-capita fiscal capacity and the
average; the EU's "Berlin method" multiplies population by the per-head gap and a rate) — here: a city whose
per-capita budget revenue is below `threshold_share` of the regional average receives `gap_share` of its gap times
its population, all scaled down pro rata to fit the pool.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from itertools import pairwise
from typing import Any

from metrocoop.core.explain import BilingualError, Step
from metrocoop.core.money import yuan


class FundRuleError(BilingualError):
    """A rule or an input that cannot give a result: `FundRuleError(message_zh, message_en)`."""

    code = "fund-rule"


def _frac(value: Any, what: str) -> Fraction:
    if isinstance(value, bool):
        raise FundRuleError(f"{what} 必须是数字", f"{what} must be a number")
    try:
        result = Fraction(str(value)) if isinstance(value, float) else Fraction(value)
    except (TypeError, ValueError, ZeroDivisionError):  # "1/0" parses as a fraction with a zero denominator
        raise FundRuleError(f"{what} 必须是数字，而不是 {value!r}", f"{what} must be a number, not {value!r}") from None
    return result


def _fen(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FundRuleError(f"{what} 必须是整数（分）", f"{what} must be a whole number of fen")
    if value < 0:
        raise FundRuleError(f"{what} 不能为负", f"{what} must not be negative")
    return value


def largest_remainder(total_fen: int, weights: Mapping[str, Fraction]) -> dict[str, int]:
    """Split `total_fen` in proportion to `weights` into whole fen that add up to `total_fen` exactly.

    Each key gets floor(total·w/Σw); the fen left over go one each to the largest remainders (ties: by key).
    Keys with zero weight get nothing. Independent of the order of `weights`."""
    total_weight = sum(weights.values(), Fraction(0))
    if total_fen == 0 or total_weight == 0:
        return dict.fromkeys(sorted(weights), 0)
    exact = {k: Fraction(total_fen) * w / total_weight for k, w in weights.items()}
    out = {k: int(v) for k, v in exact.items()}  # int() floors a non-negative Fraction
    left = total_fen - sum(out.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - out[k]), k))[:left]:
        out[key] += 1
    return dict(sorted(out.items()))


# --- contributions ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContributionBasis:
    """What a city's contribution is computed from (e.g. GDP and general budget revenue of a base year)."""

    city: str
    gdp: Fraction | int | str
    revenue: Fraction | int | str


@dataclass(frozen=True)
class ContributionRule:
    """Share_i = base/n + w_gdp·GDP_i/ΣGDP + w_rev·Rev_i/ΣRev; weights sum to 1; each amount kept within
    [floor, cap] with the excess or shortfall spread over the other cities by their shares."""

    base_weight: Fraction | str | int
    gdp_weight: Fraction | str | int
    revenue_weight: Fraction | str | int
    floor_fen: int | None = None
    cap_fen: int | None = None


@dataclass(frozen=True)
class CityContribution:
    city: str
    share: str  # exact fraction as text, e.g. "1193/10000"
    share_percent: float
    raw_fen: float  # target × share before floor/cap and rounding
    amount_fen: int
    bound: str  # "" | "floor" | "cap"


@dataclass(frozen=True)
class ContributionResult:
    target_fen: int
    rule: dict
    cities: tuple[CityContribution, ...]
    steps: tuple[Step, ...]

    @property
    def total_fen(self) -> int:
        return sum(c.amount_fen for c in self.cities)

    def to_dict(self) -> dict:
        return asdict(self) | {"total_fen": self.total_fen}


def compute_contributions(
    target_fen: int, bases: Iterable[ContributionBasis], rule: ContributionRule
) -> ContributionResult:
    target_fen = _fen(target_fen, "target")
    rows = sorted(bases, key=lambda b: b.city)
    if not rows:
        raise FundRuleError("没有出资城市", "no cities to contribute")
    if len({b.city for b in rows}) != len(rows):
        raise FundRuleError("城市重复", "a city appears twice")
    base_w = _frac(rule.base_weight, "base weight")
    gdp_w = _frac(rule.gdp_weight, "GDP weight")
    rev_w = _frac(rule.revenue_weight, "revenue weight")
    if min(base_w, gdp_w, rev_w) < 0 or base_w + gdp_w + rev_w != 1:
        raise FundRuleError(
            f"权重须非负且合计为 1（当前合计 {base_w + gdp_w + rev_w}）",
            f"weights must be non-negative and sum to 1 (they sum to {base_w + gdp_w + rev_w})",
        )
    n = len(rows)
    floor = _fen(rule.floor_fen, "floor") if rule.floor_fen is not None else None
    cap = _fen(rule.cap_fen, "cap") if rule.cap_fen is not None else None
    if floor is not None and floor * n > target_fen:
        raise FundRuleError("保底额乘以城市数超过目标总额", "the floor times the number of cities exceeds the target")
    if cap is not None and cap * n < target_fen:
        raise FundRuleError("封顶额乘以城市数低于目标总额", "the cap times the number of cities is below the target")
    if floor is not None and cap is not None and floor > cap:
        raise FundRuleError("保底额高于封顶额", "the floor is above the cap")
    gdp = {b.city: _frac(b.gdp, f"GDP of {b.city}") for b in rows}
    rev = {b.city: _frac(b.revenue, f"revenue of {b.city}") for b in rows}
    if any(v < 0 for v in [*gdp.values(), *rev.values()]):
        raise FundRuleError("GDP 和财政收入不能为负", "GDP and revenue must not be negative")
    sum_gdp, sum_rev = sum(gdp.values()), sum(rev.values())
    shares: dict[str, Fraction] = {}
    for b in rows:
        share = base_w / n
        if gdp_w:
            share += gdp_w * gdp[b.city] / sum_gdp if sum_gdp else gdp_w / n
        if rev_w:
            share += rev_w * rev[b.city] / sum_rev if sum_rev else rev_w / n
        shares[b.city] = share
    steps = [
        Step(
            text_en=f"share = {base_w}/n + {gdp_w}·GDP/ΣGDP + {rev_w}·revenue/Σrevenue, n = {n}",
            text_zh=f"出资比例 = {base_w}/n + {gdp_w}×GDP/ΣGDP + {rev_w}×财政收入/Σ财政收入，n = {n}",
            values={"sum_gdp": str(sum_gdp), "sum_revenue": str(sum_rev)},
        )
    ]
    # Floor and cap: amount_i = clamp(λ·share_i, floor, cap) with the one λ that makes the amounts add up to the
    # target (the cities at a bound keep it; the others share the rest in proportion to their shares).
    exact = _clamp_to_target(Fraction(target_fen), shares, floor, cap)
    bound = {}
    for c, a in exact.items():
        if floor is not None and a == floor and target_fen * shares[c] < floor:
            bound[c] = "floor"
        elif cap is not None and a == cap and target_fen * shares[c] > cap:
            bound[c] = "cap"
    for c, kind in sorted(bound.items()):
        steps.append(
            Step(
                text_en=f"{c}: {float(target_fen * shares[c]) / 100:,.2f} yuan by share breaks the {kind}; "
                f"it pays {yuan(exact[c])} yuan and the others share the difference",
                text_zh=f"{c}：按比例应出 {float(target_fen * shares[c]) / 100:,.2f} 元，"
                f"触及{'保底' if kind == 'floor' else '封顶'}，"
                f"按 {yuan(exact[c])} 元出资，差额由其他城市按比例分担",
            )
        )
    amounts_fen = largest_remainder(target_fen, exact)
    steps.append(
        Step(
            text_en="amounts rounded to whole fen by the largest-remainder method; they add up to the target exactly",
            text_zh="按最大余数法取整到分，合计恰等于目标总额",
            values={"target_fen": target_fen},
        )
    )
    cities = tuple(
        CityContribution(
            city=c,
            share=str(shares[c]),
            share_percent=float(shares[c] * 100),
            raw_fen=float(target_fen * shares[c]),
            amount_fen=amounts_fen[c],
            bound=bound.get(c, ""),
        )
        for c in sorted(shares)
    )
    rule_dict = {
        "base_weight": str(base_w),
        "gdp_weight": str(gdp_w),
        "revenue_weight": str(rev_w),
        "floor_fen": floor,
        "cap_fen": cap,
    }
    return ContributionResult(target_fen, rule_dict, cities, tuple(steps))


def _clamp_to_target(
    target: Fraction, shares: Mapping[str, Fraction], floor: int | None, cap: int | None
) -> dict[str, Fraction]:
    """Exact amounts clamp(λ·s_i, floor, cap) summing to `target`. f(λ) = Σ clamp(λ·s_i) is piecewise linear
    and non-decreasing; its breakpoints are floor/s_i and cap/s_i, so the λ is found segment by segment."""
    lo = Fraction(floor or 0)
    hi = Fraction(cap) if cap is not None else None

    def clamp(x: Fraction) -> Fraction:
        x = max(lo, x)
        return min(hi, x) if hi is not None else x

    def total(lam: Fraction) -> Fraction:
        return sum((clamp(lam * s) for s in shares.values()), Fraction(0))

    positive = [s for s in shares.values() if s > 0]
    points = {Fraction(0)} | {lo / s for s in positive} | ({hi / s for s in positive} if hi is not None else set())
    points_sorted = sorted(points)
    segments: list[tuple[Fraction, Fraction | None]] = [*pairwise(points_sorted), (points_sorted[-1], None)]
    for a, b in segments:
        if total(a) > target:
            continue
        probe = a + 1 if b is None else (a + b) / 2
        fixed = Fraction(0)
        free_share = Fraction(0)
        for s in shares.values():
            x = probe * s
            if x <= lo:
                fixed += lo
            elif hi is not None and x >= hi:
                fixed += hi
            else:
                free_share += s
        if free_share == 0:
            if total(a) == target:
                return {c: clamp(a * s) for c, s in shares.items()}
            continue
        lam = (target - fixed) / free_share
        if lam >= a and (b is None or lam <= b):
            return {c: clamp(lam * s) for c, s in shares.items()}
    raise FundRuleError(
        "在保底与封顶之间无法凑足目标总额（比例为零的城市按保底出资）",
        "no split within the floor and cap reaches the target (cities with a zero share are held at the floor)",
    )


# --- assessment ---------------------------------------------------------------------------------------------

WORK_CRITERIA = ("completion", "timeliness", "quality")


@dataclass(frozen=True)
class CityPerformance:
    """A city's assessment inputs: from its council work items (each 0..1) and indicator improvements (any unit,
    e.g. percentage-point change; higher is better unless the rule says otherwise)."""

    city: str
    completion: Fraction | float | str
    timeliness: Fraction | float | str
    quality: Fraction | float | str
    improvements: Mapping[str, Fraction | float | str] = field(default_factory=dict)


@dataclass(frozen=True)
class AssessmentRule:
    """Weights of the criteria (completion, timeliness, quality and indicator codes), summing to 1.

    Indicator improvements are put on a 0..1 scale across the cities by min-max normalisation (best city 1,
    worst 0; all equal: 1 for everybody, so nobody loses points for a tie). `lower_is_better` lists indicators
    whose improvement is a fall. Scores are 0..100."""

    weights: Mapping[str, Fraction | str | int]
    lower_is_better: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CityScore:
    city: str
    score: float
    rank: int
    criteria: Mapping[str, float]  # normalised 0..1 value per criterion
    contributions: Mapping[str, float]  # points each criterion adds (weight × value × 100)


@dataclass(frozen=True)
class AssessmentScores:
    weights: Mapping[str, str]
    cities: tuple[CityScore, ...]
    steps: tuple[Step, ...]

    def to_dict(self) -> dict:
        return asdict(self)

    def by_city(self) -> dict[str, CityScore]:
        return {c.city: c for c in self.cities}


def score_cities(performances: Iterable[CityPerformance], rule: AssessmentRule) -> AssessmentScores:
    rows = sorted(performances, key=lambda p: p.city)
    if not rows:
        raise FundRuleError("没有被考核城市", "no cities to assess")
    if len({p.city for p in rows}) != len(rows):
        raise FundRuleError("城市重复", "a city appears twice")
    weights = {k: _frac(v, f"weight of {k}") for k, v in rule.weights.items()}
    if any(w < 0 for w in weights.values()) or sum(weights.values()) != 1:
        raise FundRuleError("考核权重须非负且合计为 1", "criterion weights must be non-negative and sum to 1")
    values: dict[str, dict[str, Fraction]] = {p.city: {} for p in rows}
    steps = [
        Step(
            text_en="score = 100 × Σ weight × criterion (each criterion 0..1)",
            text_zh="得分 = 100 × Σ 权重 × 指标值（0～1）",
        )
    ]
    for p in rows:
        for criterion in WORK_CRITERIA:
            if criterion in weights:
                v = _frac(getattr(p, criterion), f"{criterion} of {p.city}")
                if not 0 <= v <= 1:
                    raise FundRuleError(
                        f"{p.city} 的 {criterion} 须在 0～1 之间", f"{criterion} of {p.city} must be between 0 and 1"
                    )
                values[p.city][criterion] = v
    for indicator in sorted(set(weights) - set(WORK_CRITERIA)):
        raw = {}
        for p in rows:
            if indicator not in p.improvements:
                raise FundRuleError(f"{p.city} 缺少 {indicator} 的数值", f"{p.city} has no value for {indicator}")
            raw[p.city] = _frac(p.improvements[indicator], f"{indicator} of {p.city}")
            if indicator in rule.lower_is_better:
                raw[p.city] = -raw[p.city]
        lo, hi = min(raw.values()), max(raw.values())
        for city, v in raw.items():
            values[city][indicator] = (v - lo) / (hi - lo) if hi != lo else Fraction(1)
        steps.append(
            Step(
                text_en=f"{indicator}: min-max normalised across cities (min {float(lo):g} → 0, max {float(hi):g} → 1)",
                text_zh=f"{indicator}：在城市间做极差标准化（最小 {float(lo):g} → 0，最大 {float(hi):g} → 1）",
            )
        )
    exact = {city: 100 * sum(weights[k] * v for k, v in crit.items()) for city, crit in values.items()}
    # Ties share a rank (1, 2, 2, 4); comparison on exact fractions, so the order of input never matters.
    ordered = sorted(exact, key=lambda c: (-exact[c], c))
    ranks = {c: 1 + sum(1 for other in exact.values() if other > exact[c]) for c in ordered}
    cities = tuple(
        CityScore(
            city=c,
            score=float(exact[c]),
            rank=ranks[c],
            criteria={k: float(v) for k, v in sorted(values[c].items())},
            contributions={k: float(100 * weights[k] * v) for k, v in sorted(values[c].items())},
        )
        for c in ordered
    )
    return AssessmentScores({k: str(v) for k, v in sorted(weights.items())}, cities, tuple(steps))


# --- rewards, compensation, assistance ---------------------------------------------------------------------


@dataclass(frozen=True)
class PayoutRule:
    """Rewards: `reward_pool_fen` split over the top ranks by `reward_shares` (e.g. (5, 3, 2): the first rank
    gets 5 parts); cities tied on a rank share that rank's parts and the parts of the ranks they fill.
    Compensation: a city scoring below `compensation_threshold` pays `compensation_per_point_fen` per point
    below it, at most `compensation_cap_fen`."""

    reward_pool_fen: int
    reward_shares: Sequence[int | str | Fraction]
    compensation_threshold: float | str | Fraction = 60
    compensation_per_point_fen: int = 0
    compensation_cap_fen: int | None = None


@dataclass(frozen=True)
class Payout:
    city: str
    reward_fen: int
    compensation_fen: int
    explanation_en: str
    explanation_zh: str


@dataclass(frozen=True)
class PayoutResult:
    payouts: tuple[Payout, ...]
    steps: tuple[Step, ...]

    @property
    def rewards_total_fen(self) -> int:
        return sum(p.reward_fen for p in self.payouts)

    @property
    def compensation_total_fen(self) -> int:
        return sum(p.compensation_fen for p in self.payouts)

    def to_dict(self) -> dict:
        return asdict(self) | {
            "rewards_total_fen": self.rewards_total_fen,
            "compensation_total_fen": self.compensation_total_fen,
        }


def compute_payouts(scores: AssessmentScores, rule: PayoutRule) -> PayoutResult:
    pool = _fen(rule.reward_pool_fen, "reward pool")
    shares = [_frac(s, "reward share") for s in rule.reward_shares]
    if any(s < 0 for s in shares):
        raise FundRuleError("奖励份额不能为负", "reward shares must not be negative")
    # Parts by position 1..k; tied cities pool the parts of the positions they occupy and split them evenly.
    by_rank: dict[int, list[str]] = {}
    for c in scores.cities:
        by_rank.setdefault(c.rank, []).append(c.city)
    parts: dict[str, Fraction] = {}
    for rank, cities in by_rank.items():
        positions = range(rank - 1, rank - 1 + len(cities))
        pooled = sum((shares[i] for i in positions if i < len(shares)), Fraction(0))
        for city in cities:
            parts[city] = pooled / len(cities)
    rewards = largest_remainder(pool, parts) if any(parts.values()) else dict.fromkeys(parts, 0)
    threshold = _frac(rule.compensation_threshold, "compensation threshold")
    per_point = _fen(rule.compensation_per_point_fen, "compensation per point")
    cap = _fen(rule.compensation_cap_fen, "compensation cap") if rule.compensation_cap_fen is not None else None
    payouts = []
    for c in sorted(scores.cities, key=lambda s: s.city):
        shortfall = max(Fraction(0), threshold - Fraction(c.score).limit_denominator(10**9))
        comp = int(shortfall * per_point)  # floor: never charge a part of a fen more than the rule says
        if cap is not None:
            comp = min(comp, cap)
        payouts.append(
            Payout(
                city=c.city,
                reward_fen=rewards.get(c.city, 0),
                compensation_fen=comp,
                explanation_en=(
                    f"rank {c.rank}: reward {rewards.get(c.city, 0)} fen"
                    f" = pool × {parts[c.city]}/{sum(parts.values())}; "
                    f"compensation = max(0, {float(threshold):g} − {c.score:.4f}) × {per_point} fen"
                    + (f", capped at {cap}" if cap is not None else "")
                    + f" = {comp} fen"
                ),
                explanation_zh=(
                    f"第 {c.rank} 名：奖励 {rewards.get(c.city, 0)} 分"
                    f" = 奖励池 × {parts[c.city]}/{sum(parts.values())}；"
                    f"补偿费用 = max(0, {float(threshold):g} − {c.score:.4f}) × {per_point} 分"
                    + (f"，上限 {cap}" if cap is not None else "")
                    + f" = {comp} 分"
                ),
            )
        )
    steps = (
        Step(
            text_en=f"reward pool {pool} fen split over ranks by parts {[str(s) for s in shares]} (largest remainder)",
            text_zh=f"奖励池 {pool} 分按名次份额 {[str(s) for s in shares]} 分配（最大余数法）",
        ),
        Step(
            text_en=f"compensation below {float(threshold):g} points: {per_point} fen per point",
            text_zh=f"得分低于 {float(threshold):g} 分者每差 1 分缴纳 {per_point} 分",
        ),
    )
    return PayoutResult(tuple(payouts), steps)


@dataclass(frozen=True)
class FiscalCapacity:
    """A city's general budget revenue (any unit) and population (any unit) for the assistance rule."""

    city: str
    revenue: Fraction | float | str
    population: Fraction | float | str


@dataclass(frozen=True)
class AssistanceRule:
    """Cities with per-capita revenue below `threshold_share` × the regional average (Σrevenue/Σpopulation) get
    `gap_share` × (threshold − own per-capita) × population × `fen_per_unit`, scaled pro rata to fit the pool."""

    pool_fen: int
    threshold_share: Fraction | str | float = Fraction(9, 10)
    gap_share: Fraction | str | float = Fraction(1, 2)
    fen_per_unit: Fraction | str | int = 1  # fen per (revenue unit / population unit × population unit)


@dataclass(frozen=True)
class Assistance:
    city: str
    per_capita: float
    gap_per_capita: float
    need_fen: float
    amount_fen: int


@dataclass(frozen=True)
class AssistanceResult:
    regional_average: float
    threshold: float
    scale: float  # 1 when the pool covers every need, below 1 when needs were scaled to fit
    cities: tuple[Assistance, ...]
    steps: tuple[Step, ...]

    @property
    def total_fen(self) -> int:
        return sum(c.amount_fen for c in self.cities)

    def to_dict(self) -> dict:
        return asdict(self) | {"total_fen": self.total_fen}


def compute_assistance(capacities: Iterable[FiscalCapacity], rule: AssistanceRule) -> AssistanceResult:
    rows = sorted(capacities, key=lambda c: c.city)
    if not rows:
        raise FundRuleError("没有城市", "no cities")
    pool = _fen(rule.pool_fen, "assistance pool")
    revenue = {c.city: _frac(c.revenue, f"revenue of {c.city}") for c in rows}
    population = {c.city: _frac(c.population, f"population of {c.city}") for c in rows}
    if any(p <= 0 for p in population.values()) or any(r < 0 for r in revenue.values()):
        raise FundRuleError("人口须为正数，财政收入不能为负", "populations must be positive and revenues non-negative")
    average = sum(revenue.values()) / sum(population.values())
    threshold = _frac(rule.threshold_share, "threshold share") * average
    gap_share = _frac(rule.gap_share, "gap share")
    unit = _frac(rule.fen_per_unit, "fen per unit")
    need: dict[str, Fraction] = {}
    per_capita: dict[str, Fraction] = {}
    for city in revenue:
        per_capita[city] = revenue[city] / population[city]
        gap = max(Fraction(0), threshold - per_capita[city])
        need[city] = gap_share * gap * population[city] * unit
    total_need = sum(need.values(), Fraction(0))
    scale = min(Fraction(1), Fraction(pool) / total_need) if total_need else Fraction(1)
    # The whole fen the pool can pay (never above it), split in proportion to need by largest remainder.
    budget = min(pool, int(total_need * scale))
    amounts = largest_remainder(budget, need) if budget else dict.fromkeys(need, 0)
    steps = (
        Step(
            text_en=f"regional average per capita = Σrevenue / Σpopulation = {float(average):.6g}",
            text_zh=f"区域人均 = Σ财政收入 / Σ人口 = {float(average):.6g}",
        ),
        Step(
            text_en=f"threshold = {rule.threshold_share} × average = {float(threshold):.6g}; "
            f"need = {gap_share} × gap × population",
            text_zh=f"门槛 = {rule.threshold_share} × 区域人均 = {float(threshold):.6g}；"
            f"需求 = {gap_share} × 差额 × 人口",
        ),
        Step(
            text_en=f"total need {float(total_need):,.0f} fen against a pool of {pool} fen: scale {float(scale):.6f}",
            text_zh=f"需求合计 {float(total_need):,.0f} 分，资金池 {pool} 分：缩放系数 {float(scale):.6f}",
        ),
    )
    cities = tuple(
        Assistance(
            city=c,
            per_capita=float(per_capita[c]),
            gap_per_capita=float(max(Fraction(0), threshold - per_capita[c])),
            need_fen=float(need[c]),
            amount_fen=amounts[c],
        )
        for c in sorted(need)
    )
    return AssistanceResult(float(average), float(threshold), float(scale), cities, steps)


# --- projects -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EligibilityCheck:
    code: str
    passed: bool
    text_en: str
    text_zh: str


def check_eligibility(
    *,
    category: str,
    allowed_categories: Iterable[str],
    applicant_cities: Iterable[str],
    member_cities: Iterable[str],
    requested_fen: int,
    max_request_fen: int | None,
    min_cities: int = 1,
    cross_region_categories: Iterable[str] = (),
) -> tuple[EligibilityCheck, ...]:
    """The eligibility checks of an application, each passed or failed with its reason. A project of a category in
    `cross_region_categories` needs at least two applicant cities (it must cross a boundary)."""
    applicants = sorted(set(applicant_cities))
    members = set(member_cities)
    outsiders = [c for c in applicants if c not in members]
    needed = max(min_cities, 2 if category in set(cross_region_categories) else 1)
    checks = [
        EligibilityCheck(
            "category",
            category in set(allowed_categories),
            f"category {category} is one the fund finances",
            f"项目类别 {category} 属于基金资助范围",
        ),
        EligibilityCheck(
            "members",
            not outsiders,
            "every applicant city is a member" + (f" (not: {', '.join(outsiders)})" if outsiders else ""),
            "申报城市均为成员城市" + (f"（非成员：{'、'.join(outsiders)}）" if outsiders else ""),
        ),
        EligibilityCheck(
            "cities",
            len(applicants) >= needed,
            f"at least {needed} applicant cities ({len(applicants)} applied)",
            f"至少 {needed} 个申报城市（实际 {len(applicants)} 个）",
        ),
        EligibilityCheck(
            "amount",
            requested_fen > 0 and (max_request_fen is None or requested_fen <= max_request_fen),
            f"request {yuan(requested_fen)} yuan within the limit"
            + (f" of {yuan(max_request_fen)} yuan" if max_request_fen is not None else ""),
            f"申请金额 {yuan(requested_fen)} 元在限额内"
            + (f"（上限 {yuan(max_request_fen)} 元）" if max_request_fen is not None else ""),
        ),
    ]
    return tuple(checks)


def review_total(scores: Mapping[str, Any], criteria: Sequence[str]) -> Fraction:
    """The total of one review: the mean of its criterion scores, each a whole number from 0 to 100."""
    missing = [c for c in criteria if c not in scores]
    extra = [c for c in scores if c not in criteria]
    if missing or extra:
        raise FundRuleError(
            f"评分须恰好覆盖各项评审指标 {list(criteria)}", f"scores must cover exactly the criteria {list(criteria)}"
        )
    values = []
    for c in criteria:
        v = scores[c]
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 100:
            raise FundRuleError(f"{c} 的评分须为 0～100 的整数", f"score {c} must be a whole number from 0 to 100")
        values.append(Fraction(v))
    return sum(values, Fraction(0)) / len(values)


@dataclass(frozen=True)
class RankedProject:
    project: int
    mean_score: float
    reviews: int
    rank: int


def rank_projects(totals: Mapping[int, Sequence[Fraction | float]]) -> tuple[RankedProject, ...]:
    """Projects by the mean of their reviews' totals, best first; ties share a rank; unreviewed projects last."""
    means = {p: (sum(map(Fraction, t), Fraction(0)) / len(t)) for p, t in totals.items() if t}
    ordered = sorted(means, key=lambda p: (-means[p], p))
    ranked = [
        RankedProject(p, float(means[p]), len(totals[p]), 1 + sum(1 for m in means.values() if m > means[p]))
        for p in ordered
    ]
    tail = sorted(p for p, t in totals.items() if not t)
    ranked += [RankedProject(p, 0.0, 0, len(ordered) + 1) for p in tail]
    return tuple(ranked)
