"""Pure rules of investment coordination: benefit sharing (co-built parks, relocations), lead coordination and the
chain-gap analysis. Plain data in, plain data out; no Django. Every result carries the steps that explain it.

Sharing (docs/references.md "Benefit sharing"):

- An amount is split between the sides by their agreed weights with the largest-remainder method: each side first
  gets ⌊total·wᵢ/Σw⌋ (exact rational arithmetic, no floats), and the fen left over go one each to the sides with
  the largest remainders (ties: the city code, so the result never depends on the order the sides are given in).
  The parts always add up to the total, to the fen.
- A co-built park agreement has phases (from year, to year) each with its weights per item (tax, gdp, land_quota);
  the phase covering the year applies.
- A relocation rule (in the manner of 财预〔2015〕92号): the origin city receives ``origin_share`` of the moved
  firm's local tax for ``years`` years from the first sharing year; the origin's cumulative share never exceeds the
  cap (the taxes the firm paid in the years before moving); when the cap is not reached at the end of the period,
  the period is extended by ``extension_years`` (still capped).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

from metrocoop.core.explain import BilingualError, Step
from metrocoop.indicators.engine import NonPositiveValueError
from metrocoop.indicators.engine.structure import similarity_coefficient

ITEMS = ("tax", "gdp", "land_quota")


class SharingError(BilingualError):
    """Input the sharing rules cannot work with: `SharingError(message_zh, message_en)`."""

    code = "sharing-rule"


def _json(value: Any) -> Any:
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


class JsonMixin:
    def to_dict(self) -> dict[str, Any]:
        return _json(asdict(self))  # type: ignore[call-overload]


def as_fraction(value: Any, *, what: str) -> Fraction:
    """An exact rational from an int, a Fraction, a Decimal or a decimal string ("0.35", "35/100"); never a float."""
    if isinstance(value, bool | float):
        raise SharingError(
            f"{what} 须为精确数（整数或小数字符串）", f"{what} must be exact (an integer or a decimal string)"
        )
    try:
        result = Fraction(str(value)) if not isinstance(value, Fraction | int) else Fraction(value)
    except (ValueError, ZeroDivisionError) as exc:
        raise SharingError(f"{what} 不是数字：{value!r}", f"{what} is not a number: {value!r}") from exc
    if result < 0:
        raise SharingError(f"{what} 不能为负", f"{what} must not be negative")
    return result


# --- largest remainder ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split(JsonMixin):
    """``total`` split by ``weights``: ``parts`` add up to ``total`` exactly."""

    total: int
    weights: dict[str, Fraction]
    parts: dict[str, int]
    steps: tuple[Step, ...]


def split_largest_remainder(total: int, weights: Mapping[str, Any]) -> Split:
    """Split an integer ``total`` (fen, m², …) by ``weights`` so that the parts sum to ``total`` exactly.

    A negative total (a refund) is split as its magnitude and negated, so each side bears its share of it.
    """
    if isinstance(total, bool) or not isinstance(total, int):
        raise SharingError("总额须为整数", "the total must be a whole number")
    exact = {str(k): as_fraction(w, what=f"weight of {k}") for k, w in weights.items()}
    if not exact:
        raise SharingError("没有分享方", "no sides to share between")
    weight_sum = sum(exact.values(), Fraction(0))
    if weight_sum == 0:
        raise SharingError("分享权重之和为零", "the weights add up to zero")
    sign, magnitude = (-1, -total) if total < 0 else (1, total)
    quotas = {k: magnitude * w / weight_sum for k, w in exact.items()}
    floors = {k: q.numerator // q.denominator for k, q in quotas.items()}
    left = magnitude - sum(floors.values())
    # Largest remainder first; ties by city code, so the order in which sides are given never matters.
    order = sorted(quotas, key=lambda k: (-(quotas[k] - floors[k]), k))
    parts = dict(floors)
    for k in order[:left]:
        parts[k] += 1
    steps = [
        Step(
            text_en=f"{k}: {magnitude} × {exact[k]}/{weight_sum} = {float(quotas[k]):.4f} → {floors[k]}",
            text_zh=f"{k}：{magnitude} × {exact[k]}/{weight_sum} = {float(quotas[k]):.4f} → 取整 {floors[k]}",
        )
        for k in sorted(exact)
    ]
    if left:
        lucky = ", ".join(sorted(order[:left]))
        steps.append(
            Step(
                text_en=f"{left} left over, one each to the largest remainders: {lucky}",
                text_zh=f"余下 {left}，按余数由大到小各补 1：{lucky}",
            )
        )
    signed = {k: sign * v for k, v in sorted(parts.items())}
    return Split(total=total, weights=dict(sorted(exact.items())), parts=signed, steps=tuple(steps))


# --- co-built parks ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase(JsonMixin):
    """A phase of a park agreement: from ``start_year`` to ``end_year`` (None: open-ended), weights per item and
    city, e.g. {"tax": {"SH": 6, "NT": 4}, "gdp": {...}, "land_quota": {...}}."""

    start_year: int
    end_year: int | None
    shares: Mapping[str, Mapping[str, Any]]

    def covers(self, year: int) -> bool:
        return self.start_year <= year and (self.end_year is None or year <= self.end_year)


@dataclass(frozen=True)
class ParkAgreement(JsonMixin):
    host: str
    partner: str
    phases: tuple[Phase, ...]


def check_phases(agreement: ParkAgreement) -> None:
    """Phases must not overlap, each must name weights for every item and only the host and partner."""
    cities = {agreement.host, agreement.partner}
    if agreement.host == agreement.partner:
        raise SharingError("承接方与合作方须为不同城市", "host and partner must be different cities")
    ordered = sorted(agreement.phases, key=lambda p: p.start_year)
    for p in ordered:
        if p.end_year is not None and p.end_year < p.start_year:
            raise SharingError(
                f"阶段 {p.start_year}–{p.end_year} 起止颠倒", f"phase {p.start_year}–{p.end_year} ends before it starts"
            )
        for item in ITEMS:
            weights = p.shares.get(item)
            if not weights:
                raise SharingError(
                    f"自 {p.start_year} 年的阶段缺少 {item} 的分享比例",
                    f"phase from {p.start_year} has no weights for {item}",
                )
            if set(weights) - cities:
                raise SharingError(
                    f"自 {p.start_year} 年的阶段含有非承接方、非合作方的城市",
                    f"phase from {p.start_year} names a city that is neither host nor partner",
                )
            if sum((as_fraction(w, what=item) for w in weights.values()), Fraction(0)) == 0:
                raise SharingError(
                    f"自 {p.start_year} 年的阶段：{item} 的比例之和为零",
                    f"phase from {p.start_year}: the weights for {item} add up to zero",
                )
    for a, b in itertools.pairwise(ordered):
        if a.end_year is None or a.end_year >= b.start_year:
            raise SharingError(
                f"自 {a.start_year} 年与自 {b.start_year} 年的阶段重叠",
                f"phases from {a.start_year} and {b.start_year} overlap",
            )


def phase_for(agreement: ParkAgreement, year: int) -> Phase:
    for p in agreement.phases:
        if p.covers(year):
            return p
    raise SharingError(f"协议没有覆盖 {year} 年的阶段", f"no phase of the agreement covers {year}")


@dataclass(frozen=True)
class ItemShare(JsonMixin):
    item: str
    total: int
    parts: dict[str, int]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class ParkYearShares(JsonMixin):
    host: str
    partner: str
    year: int
    phase: Phase
    items: tuple[ItemShare, ...]
    steps: tuple[Step, ...] = field(default=())


def park_year_shares(agreement: ParkAgreement, year: int, figures: Mapping[str, int]) -> ParkYearShares:
    """Each side's share of each item of ``year``'s figures ({"tax": fen, "gdp": fen, "land_quota": m²})."""
    phase = phase_for(agreement, year)
    items = []
    for item in ITEMS:
        if item not in figures or figures[item] is None:
            continue
        weights = {c: phase.shares[item].get(c, 0) for c in (agreement.host, agreement.partner)}
        split = split_largest_remainder(int(figures[item]), weights)
        items.append(ItemShare(item=item, total=split.total, parts=split.parts, steps=split.steps))
    end = phase.end_year if phase.end_year is not None else "…"
    steps = (
        Step(
            text_en=f"{year} falls in the phase {phase.start_year}–{end}",
            text_zh=f"{year} 年属于 {phase.start_year}–{end} 阶段",
        ),
    )
    return ParkYearShares(
        host=agreement.host, partner=agreement.partner, year=year, phase=phase, items=tuple(items), steps=steps
    )


# --- relocations ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RelocationRule(JsonMixin):
    """The origin city's share of the moved firm's local tax: ``origin_share`` for ``years`` years, the origin's
    cumulative share capped at ``cap_fen`` (None: no cap), ``extension_years`` more when the cap is not reached."""

    origin_share: Fraction
    years: int
    extension_years: int = 0


@dataclass(frozen=True)
class RelocationYear(JsonMixin):
    year: int
    tax_fen: int
    origin_fen: int
    destination_fen: int
    cumulative_origin_fen: int
    in_extension: bool
    capped: bool
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class RelocationSchedule(JsonMixin):
    origin: str
    destination: str
    first_year: int
    last_year: int
    extended: bool
    cap_fen: int | None
    years: tuple[RelocationYear, ...]
    steps: tuple[Step, ...]


def relocation_shares(
    rule: RelocationRule,
    *,
    origin: str,
    destination: str,
    first_year: int,
    cap_fen: int | None,
    taxes: Mapping[int, int],
) -> RelocationSchedule:
    """Apply a relocation rule to the moved firm's local tax by year (``taxes``: {year: fen}).

    Years before ``first_year`` or after the (possibly extended) period share nothing. The extension is decided
    at the end of the base period: it applies when the origin's cumulative share is then below the cap (with no
    cap there is nothing to reach, so no extension)."""
    share = as_fraction(rule.origin_share, what="origin share")
    if share > 1:
        raise SharingError("迁出地分享比例不能超过 1", "the origin share cannot exceed 1")
    if rule.years < 1 or rule.extension_years < 0:
        raise SharingError("分享期限至少一年", "the sharing period must be at least one year")
    if cap_fen is not None and cap_fen < 0:
        raise SharingError("分享上限不能为负", "the cap must not be negative")
    base_end = first_year + rule.years - 1
    cumulative = 0
    extended = False
    last_year = base_end
    rows: list[RelocationYear] = []
    steps = [
        Step(
            text_en=f"origin {origin} receives {share} of the local tax in {first_year}–{base_end}"
            + (f", at most {cap_fen} fen in all" if cap_fen is not None else ""),
            text_zh=f"迁出地 {origin} 分享 {first_year}–{base_end} 年地方税收的 {share}"
            + (f"，累计不超过 {cap_fen} 分" if cap_fen is not None else ""),
        )
    ]
    decided = False
    for year in sorted(taxes):
        if year > base_end and not decided:
            # decided once, at the first year after the base period (even when a year in between has no figure)
            decided = True
            extended = bool(rule.extension_years) and cap_fen is not None and cumulative < cap_fen
            if extended:
                last_year = base_end + rule.extension_years
                steps.append(
                    Step(
                        text_en=f"cap not reached after {base_end} ({cumulative} < {cap_fen} fen): "
                        f"extended by {rule.extension_years} years to {last_year}",
                        text_zh=f"截至 {base_end} 年未达上限（{cumulative} < {cap_fen} 分），"
                        f"分享期延长 {rule.extension_years} 年至 {last_year} 年",
                    )
                )
        tax = int(taxes[year])
        in_period = first_year <= year <= last_year
        year_steps: list[Step] = []
        capped = False
        if not in_period:
            origin_fen = 0
            year_steps.append(Step(text_en=f"{year} is outside the sharing period", text_zh=f"{year} 年不在分享期内"))
        else:
            split = split_largest_remainder(tax, {origin: share, destination: 1 - share})
            origin_fen = split.parts[origin]
            year_steps.extend(split.steps)
            if cap_fen is not None and cumulative + origin_fen > cap_fen:
                capped = True
                origin_fen = max(0, cap_fen - cumulative)
                year_steps.append(
                    Step(
                        text_en=f"capped: the origin's cumulative share may not exceed {cap_fen} fen → {origin_fen}",
                        text_zh=f"达到上限：迁出地累计分享不超过 {cap_fen} 分 → {origin_fen}",
                    )
                )
        cumulative += origin_fen
        rows.append(
            RelocationYear(
                year=year,
                tax_fen=tax,
                origin_fen=origin_fen,
                destination_fen=tax - origin_fen,
                cumulative_origin_fen=cumulative,
                in_extension=in_period and year > base_end,
                capped=capped,
                steps=tuple(year_steps),
            )
        )
    if taxes and max(taxes) <= base_end:
        extended = False
    return RelocationSchedule(
        origin=origin,
        destination=destination,
        first_year=first_year,
        last_year=last_year,
        extended=extended,
        cap_fen=cap_fen,
        years=tuple(rows),
        steps=tuple(steps),
    )


# --- lead coordination ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadClaim(JsonMixin):
    """One city's pursuit of a target: when it registered, and whether the link is missing in that city."""

    lead_id: int
    city: str
    registered_at: str  # ISO timestamp; compared as text (same format and zone)
    link_missing_in_city: bool


@dataclass(frozen=True)
class LeadDecision(JsonMixin):
    lead_id: int
    city: str
    rule: str  # "office" | "missing_link" | "first_registered"
    steps: tuple[Step, ...]


def decide_lead(claims: Sequence[LeadClaim], *, office_choice: int | None = None) -> LeadDecision:
    """Who leads when several cities pursue the same target. The first rule that applies decides:

    1. an office decision (理事会办公室协调) names the lead;
    2. otherwise, when some but not all of the cities lack the target's link (no enterprise of theirs serves it),
       the earliest registered among those that lack it (补链 before 同质竞争);
    3. otherwise the earliest registered (ties: the lower lead id).
    """
    if not claims:
        raise SharingError("没有可协调的线索", "no claims to decide between")
    by_time = sorted(claims, key=lambda c: (c.registered_at, c.lead_id))
    if office_choice is not None:
        chosen = next((c for c in claims if c.lead_id == office_choice), None)
        if chosen is None:
            raise SharingError("办公室指定的线索不在该冲突中", "the office chose a lead that is not in this conflict")
        return LeadDecision(
            chosen.lead_id,
            chosen.city,
            "office",
            (
                Step(
                    text_en=f"the office decided that {chosen.city} leads",
                    text_zh=f"理事会办公室决定由 {chosen.city} 牵头",
                ),
            ),
        )
    lacking = [c for c in by_time if c.link_missing_in_city]
    if lacking and len(lacking) < len(claims):
        chosen = lacking[0]
        others = ", ".join(sorted({c.city for c in claims if not c.link_missing_in_city}))
        names = ", ".join(c.city for c in lacking)
        return LeadDecision(
            chosen.lead_id,
            chosen.city,
            "missing_link",
            (
                Step(
                    text_en=f"the link is missing in {names} but already present in {others}",
                    text_zh=f"该环节在 {names} 缺失，在 {others} 已有企业",
                ),
                Step(
                    text_en=f"{chosen.city} leads (it lacks the link; earliest registered among those that do)",
                    text_zh=f"由 {chosen.city} 牵头（补链优先；缺失该环节的城市中最早登记）",
                ),
            ),
        )
    chosen = by_time[0]
    why = "every city pursuing it lacks the link" if lacking else "every city pursuing it already holds the link"
    why_zh = "各方均缺失该环节" if lacking else "各方均已有该环节企业"
    return LeadDecision(
        chosen.lead_id,
        chosen.city,
        "first_registered",
        (
            Step(text_en=f"{why}: the first registered leads", text_zh=f"{why_zh}：先登记者牵头"),
            Step(
                text_en=f"{chosen.city} registered first ({chosen.registered_at})",
                text_zh=f"{chosen.city} 最先登记（{chosen.registered_at}）",
            ),
        ),
    )


def target_key(name: str, credit_code: str = "") -> str:
    """What makes two leads the same target: the credit code when given, else the name without spaces and
    punctuation, case-folded (全角/半角 brackets alike)."""
    if credit_code.strip():
        return "code:" + credit_code.strip().upper()
    table = str.maketrans("", "", " \t\u3000()（）[]【】.,，。·-_")
    return "name:" + name.translate(table).casefold()


# --- chain gaps ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapReport(JsonMixin):
    """Missing links for the area and per city, links concentrated in one city, and each pair of cities' overlap
    (Jaccard of the links they hold) beside the structure engine's similarity of their link profiles."""

    cities: tuple[str, ...]
    links: tuple[str, ...]
    missing_in_area: tuple[str, ...]
    missing_by_city: dict[str, tuple[str, ...]]
    concentrated: dict[str, str]  # link -> the only city holding it
    held_by: dict[str, int]  # link -> number of cities holding it
    overlap: tuple[dict[str, Any], ...]
    steps: tuple[Step, ...]


def gap_report(links: Iterable[str], cities: Iterable[str], holdings: Mapping[str, Mapping[str, int]]) -> GapReport:
    """``holdings``: {link: {city: number of enterprises serving it}}."""
    all_links = tuple(sorted(set(links)))
    all_cities = tuple(sorted(set(cities)))
    held = {link: sorted(c for c in all_cities if holdings.get(link, {}).get(c, 0) > 0) for link in all_links}
    missing_area = tuple(link for link in all_links if not held[link])
    missing_city = {c: tuple(link for link in all_links if c not in held[link]) for c in all_cities}
    concentrated = {link: held[link][0] for link in all_links if len(held[link]) == 1}
    sets = {c: {link for link in all_links if c in held[link]} for c in all_cities}
    overlap = []
    for i, a in enumerate(all_cities):
        for b in all_cities[i + 1 :]:
            union = sets[a] | sets[b]
            inter = sets[a] & sets[b]
            va = [holdings.get(link, {}).get(a, 0) for link in all_links]
            vb = [holdings.get(link, {}).get(b, 0) for link in all_links]
            overlap.append(
                {
                    "city_a": a,
                    "city_b": b,
                    "shared_links": len(inter),
                    "jaccard": (len(inter) / len(union)) if union else None,
                    "similarity": _cosine(va, vb),
                }
            )
    steps = (
        Step(
            text_en=f"{len(all_links)} links, {len(all_cities)} cities; "
            f"{len(missing_area)} links with no enterprise in the area",
            text_zh=f"共 {len(all_links)} 个环节、{len(all_cities)} 个城市；{len(missing_area)} 个环节全域无企业",
        ),
        Step(
            text_en="overlap = shared links / links held by either city (Jaccard); similarity = structure-similarity "
            "coefficient (cosine) of the two cities' enterprise counts by link",
            text_zh="重合度 = 共有环节 / 任一城市拥有的环节（Jaccard）；"
            "相似系数 = 两市按环节企业数的结构相似系数（余弦）",
        ),
    )
    return GapReport(
        cities=all_cities,
        links=all_links,
        missing_in_area=missing_area,
        missing_by_city=missing_city,
        concentrated=concentrated,
        held_by={link: len(held[link]) for link in all_links},
        overlap=tuple(overlap),
        steps=steps,
    )


def _cosine(a: Sequence[int], b: Sequence[int]) -> float | None:
    """The structure engine's similarity coefficient (UNIDO, cosine) of two link profiles; None for an empty one."""
    try:
        return similarity_coefficient(a, b)
    except NonPositiveValueError:
        return None
