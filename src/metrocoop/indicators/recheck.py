"""Re-check of the paper's quantitative statements against the loaded data (王丹 等, 2020, §二(二), 表1, 表2, §三).

Each check recomputes a figure from the database, puts the paper's figure beside it and gives a verdict:
consistent, inconsistent (with the difference and what the paper may have computed instead), or not checkable
(with the reason). The arithmetic is plain; the max/min ratios come from the disparity engine.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from typing import Any

from metrocoop.core.models import City
from metrocoop.indicators.choices import FlowKind
from metrocoop.indicators.engine.disparity import CityValue, max_min_ratio
from metrocoop.indicators.models import CommutingFlow, Observation

PAPER_YEAR = 2019
CONSISTENT, INCONSISTENT, NOT_CHECKABLE = "consistent", "inconsistent", "not-checkable"
VERDICT_ZH = {CONSISTENT: "一致", INCONSISTENT: "不一致", NOT_CHECKABLE: "无法核验"}


@dataclass
class Check:
    key: str
    section: str
    statement_zh: str
    statement_en: str
    paper_value: str
    recomputed: str = ""
    verdict: str = NOT_CHECKABLE
    difference: str = ""
    explanation_zh: str = ""
    explanation_en: str = ""
    details: list[dict[str, Any]] = field(default_factory=list)

    @property
    def verdict_zh(self) -> str:
        return VERDICT_ZH[self.verdict]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "verdict_zh": self.verdict_zh}

    def conclude(self, verdict: str, explanation_zh: str, explanation_en: str) -> Check:
        """Give the check its verdict and say why, in both languages; returns the check."""
        self.verdict, self.explanation_zh, self.explanation_en = verdict, explanation_zh, explanation_en
        return self


def _values(code: str, year: int = PAPER_YEAR) -> dict[str, float]:
    members = City.objects.members_in_year(year)
    return {
        c: float(v)
        for c, v in Observation.objects.filter(indicator__code=code, year=year, city__in=members).values_list(
            "city__code", "value"
        )
    }


RATIOS = (
    ("gdp-per-capita", "人均 GDP", "GDP per capita", 1.23),
    ("budget-revenue-per-capita", "人均地方一般公共预算收入", "budget revenue per capita", 3.47),
    ("disposable-income-per-capita", "人均可支配收入", "disposable income per capita", 1.72),
)


def _ratio_check(code: str, zh: str, en: str, paper: float) -> Check:
    check = Check(
        key=f"max-min-{code}",
        section="§二(二)",
        statement_zh=f"{zh}的最高值为最低值的 {paper} 倍",
        statement_en=f"The highest {en} is {paper} times the lowest",
        paper_value=f"{paper:.2f}",
    )
    values = _values(code)
    if len(values) < 2:
        return check.conclude(NOT_CHECKABLE, "未载入该指标的数据。", "The indicator is not loaded.")
    r = max_min_ratio([CityValue(c, None, v) for c, v in values.items()])
    names = dict(City.objects.values_list("code", "name_zh"))
    check.recomputed = f"{r.ratio:.2f} = {names[r.max_city]} {r.max_value:g} / {names[r.min_city]} {r.min_value:g}"
    diff = r.ratio - paper
    check.difference = f"{diff:+.3f}"
    check.details = [{"city": c, "value": v} for c, v in sorted(values.items(), key=lambda cv: -cv[1])]
    if abs(diff) < 0.005 + 1e-9:
        return check.conclude(
            CONSISTENT,
            f"由表1数据复算为 {r.ratio:.4f}，四舍五入后与论文一致。",
            f"Recomputed from 表1 as {r.ratio:.4f}; rounds to the paper's figure.",
        )
    candidates = [
        (a, b, values[a] / values[b])
        for a, b in itertools.permutations(sorted(values), 2)
        if values[b] > 0 and abs(values[a] / values[b] - paper) < 0.005 + 1e-9
    ]
    if candidates:
        alt = "；".join(f"{names[a]}/{names[b]} = {values[a]:g}/{values[b]:g} = {q:.3f}" for a, b, q in candidates)
        alt_en = "; ".join(f"{a}/{b} = {values[a]:g}/{values[b]:g} = {q:.3f}" for a, b, q in candidates)
        return check.conclude(
            INCONSISTENT,
            f"最高值/最低值应为 {r.ratio:.2f}；论文的 {paper} 与以下比值相符：{alt}。",
            f"Max/min is {r.ratio:.2f}; the paper's {paper} equals {alt_en} instead.",
        )
    return check.conclude(
        INCONSISTENT,
        f"最高值/最低值应为 {r.ratio:.2f}；未找到与论文数字相符的两城市比值。",
        f"Max/min is {r.ratio:.2f}; no pair of cities gives the paper's figure.",
    )


def _table1_consistency() -> Check:
    """Budget revenue per capita of 表1 against budget revenue ÷ population (population = GDP ÷ GDP per capita)."""
    check = Check(
        key="table1-per-capita",
        section="表1",
        statement_zh="表1 人均地方一般公共预算收入 与 预算收入总额 ÷ 人口（人口 = GDP ÷ 人均 GDP）相符",
        statement_en="表1 budget revenue per capita agrees with total revenue ÷ population (population = GDP ÷ GDP pc)",
        paper_value="表1",
    )
    gdp, gdp_pc, rev, rev_pc = (
        _values(c) for c in ("gdp", "gdp-per-capita", "budget-revenue", "budget-revenue-per-capita")
    )
    cities = sorted(set(gdp) & set(gdp_pc) & set(rev) & set(rev_pc))
    if not cities:
        return check.conclude(NOT_CHECKABLE, "未载入表1。", "表1 is not loaded.")
    bad = []
    worst = 0.0
    for c in cities:
        population = gdp[c] / gdp_pc[c]  # 亿元 ÷ 万元/人 = 万人
        implied = rev[c] / population  # 亿元 ÷ 万人 = 万元/人
        # the per-capita figures carry two decimals: half a unit of the last digit, plus what the rounding of
        # GDP per capita does to the derived population
        tolerance = 0.005 + implied * 0.005 / gdp_pc[c]
        diff = implied - rev_pc[c]
        worst = max(worst, abs(diff))
        ok = abs(diff) <= tolerance + 1e-12
        check.details.append(
            {
                "city": c,
                "population_10k": round(population, 2),
                "implied": round(implied, 4),
                "reported": rev_pc[c],
                "difference": round(diff, 4),
                "tolerance": round(tolerance, 4),
                "consistent": ok,
            }
        )
        if not ok:
            bad.append(c)
    check.recomputed = f"{len(cities) - len(bad)}/{len(cities)}"
    check.difference = f"max |Δ| = {worst:.4f} 万元"
    if bad:
        return check.conclude(
            INCONSISTENT,
            f"{'、'.join(bad)} 的人均数与总量÷人口不符（超出两位小数的舍入误差）。",
            f"{', '.join(bad)}: per-capita figure differs from total ÷ population beyond rounding.",
        )
    return check.conclude(
        CONSISTENT,
        "各城市的差异都在两位小数的舍入误差内。人均可支配收入没有总量，无法核验。",
        "Every city agrees within the rounding of two decimals. Disposable income has no total: not checkable.",
    )


def _table2_sums() -> list[Check]:
    out = []
    groups: dict[tuple[str, str], float] = {}
    flows = CommutingFlow.objects.filter(kind=FlowKind.SHARE, year=PAPER_YEAR)
    for zone, basis, value in flows.values_list("zone", "basis", "value"):
        groups[(zone, basis)] = groups.get((zone, basis), 0.0) + float(value)
    labels = {
        ("municipality", "destination"): ("流入上海市域", "inflow to the municipality"),
        ("municipality", "origin"): ("上海市域流出", "outflow from the municipality"),
        ("central_city", "destination"): ("流入上海中心城", "inflow to the central city"),
        ("central_city", "origin"): ("上海中心城流出", "outflow from the central city"),
    }
    for key, (zh, en) in labels.items():
        check = Check(
            key=f"table2-{key[0]}-{key[1]}",
            section="表2",
            statement_zh=f"表2 {zh}的各城市占比合计约为 100%",
            statement_en=f"表2 shares of the {en} add up to about 100 %",
            paper_value="100",
        )
        if key not in groups:
            check.conclude(NOT_CHECKABLE, "未载入表2。", "表2 is not loaded.")
        else:
            total = groups[key]
            check.recomputed = f"{total:g}"
            check.difference = f"{total - 100:+g}"
            # four whole percentages, each rounded: the sum may be off by up to 4 × 0.5
            check.conclude(
                CONSISTENT if abs(total - 100) <= 2 else INCONSISTENT,
                "各比例取整到百分之一，合计允许 ±2 的舍入误差。",
                "Each share is a whole percent; the sum may differ from 100 by up to 2 by rounding.",
            )
        out.append(check)
    return out


def _main_partners() -> Check:
    check = Check(
        key="commuting-partners",
        section="§三(一)",
        statement_zh="跨城通勤主要联系对象有苏州、南通、嘉兴和无锡",
        statement_en="The main commuting partners are Suzhou, Nantong, Jiaxing and Wuxi",
        paper_value="SZ, NT, JX, WX",
    )
    partners = set()
    for o, d in CommutingFlow.objects.filter(year=PAPER_YEAR).values_list("origin__code", "destination__code"):
        partners |= {o, d}
    partners.discard("SH")
    if not partners:
        return check.conclude(NOT_CHECKABLE, "未载入表2。", "表2 is not loaded.")
    check.recomputed = ", ".join(sorted(partners))
    return check.conclude(
        CONSISTENT if partners == {"SZ", "NT", "JX", "WX"} else INCONSISTENT,
        "表2 所列城市即为这四个城市。",
        "The cities listed in 表2 are these four.",
    )


def _member_count() -> Check:
    n = City.objects.members_in_year(PAPER_YEAR).count()
    return Check(
        key="member-count",
        section="§二(二)",
        statement_zh="上海大都市圈 9 个城市",
        statement_en="The nine cities of the Shanghai metropolitan area",
        paper_value="9",
        recomputed=str(n),
        verdict=CONSISTENT if n == 9 else INCONSISTENT,
        difference=f"{n - 9:+d}",
        explanation_zh=f"{PAPER_YEAR} 年的成员城市数（成员资格按日期记录，此后可能变化）。",
        explanation_en=f"Member cities in {PAPER_YEAR} (membership is dated data and may have changed since).",
    )


def _commuters_total() -> Check:
    check = Check(
        key="commuters-total",
        section="§三(一)",
        statement_zh="上海市域每天跨城通勤者有 1.45 万人次",
        statement_en="14,500 cross-city commuter trips a day in the Shanghai municipality",
        paper_value="1.45 万人次",
    )
    counts = CommutingFlow.objects.filter(kind=FlowKind.COUNT, year=PAPER_YEAR)
    if not counts.exists():
        return check.conclude(
            NOT_CHECKABLE,
            "表2 只给出比例，没有人数；未载入通勤人数，无法核验。",
            "表2 gives shares only, no counts; with no commuter counts loaded this cannot be checked.",
        )
    total = sum(float(v) for v in counts.filter(origin__code="SH").values_list("value", flat=True)) + sum(
        float(v) for v in counts.filter(destination__code="SH").values_list("value", flat=True)
    )
    check.recomputed = f"{total / 10000:.2f} 万"
    check.difference = f"{total / 10000 - 1.45:+.2f} 万"
    return check.conclude(
        CONSISTENT if abs(total / 10000 - 1.45) < 0.005 else INCONSISTENT,
        "由载入的通勤人数（进出上海）合计。",
        "Sum of the loaded commuter counts into and out of Shanghai.",
    )


def recheck() -> list[Check]:
    """Every check, in the paper's order."""
    checks = [_member_count()]
    checks += [_ratio_check(*r) for r in RATIOS]
    checks.append(_table1_consistency())
    checks.append(_commuters_total())
    checks.append(_main_partners())
    checks += _table2_sums()
    return checks
