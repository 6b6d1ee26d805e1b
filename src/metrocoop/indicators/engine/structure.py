"""Industrial structure of the member cities: shares, location quotients, similarity (产业同构) and complementarity.

Sources (see docs/references.md, section Structure):

- Sector share xᵢₖ = eᵢₖ / eᵢ (eᵢₖ value of sector k in city i, eᵢ = Σₖ eᵢₖ).
- Location quotient LQᵢₖ = (eᵢₖ / eᵢ) / (Eₖ / E), Eₖ = Σᵢ eᵢₖ, E = Σᵢ eᵢ: above 1 the city is more specialised in
  k than the region as a whole (the member cities given form the region).
- Structure-similarity coefficient (UNIDO; 结构相似系数) Sᵢⱼ = Σₖ xᵢₖ·xⱼₖ / √(Σₖ xᵢₖ² · Σₖ xⱼₖ²), the cosine of
  the share vectors, 0..1 (1 = identical structure). Being a cosine it is the same on raw values as on shares.
- Krugman dissimilarity index Kᵢⱼ = Σₖ |xᵢₖ − xⱼₖ| (P. Krugman, *Geography and Trade*, 1991), 0..2.

Low S / high K marks complementary structures; high S / low K the 同构 the paper warns about. Cities and sectors
are sorted by code unless a sector order is given, so results do not depend on input order.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from metrocoop.indicators.engine import (
    EmptyInputError,
    InvalidValueError,
    JsonMixin,
    Matrix,
    NonPositiveValueError,
    Step,
    finite_float,
)

SectorValues = Mapping[str, Mapping[str, float]]


@dataclass(frozen=True)
class PairStructure(JsonMixin):
    """Similarity S and Krugman dissimilarity K of two cities (``city_a`` < ``city_b`` by code)."""

    city_a: str
    city_b: str
    similarity: float
    krugman: float


@dataclass(frozen=True)
class StructureReport(JsonMixin):
    """Shares, location quotients and pairwise similarity of the cities' sector structures.

    ``shares`` and ``location_quotients`` are city × sector matrices; ``similarity`` and ``krugman`` are
    city × city matrices for a heat map. ``most_complementary`` lists the pairs by lowest S (ties: highest K),
    ``most_complementary_by_krugman`` by highest K (ties: lowest S).
    """

    cities: tuple[str, ...]
    sectors: tuple[str, ...]
    inputs: Matrix
    city_totals: Mapping[str, float]
    sector_totals: Mapping[str, float]
    region_total: float
    region_shares: Mapping[str, float]
    shares: Matrix
    location_quotients: Matrix
    pairs: tuple[PairStructure, ...]
    similarity: Matrix
    krugman: Matrix
    most_complementary: tuple[PairStructure, ...]
    most_complementary_by_krugman: tuple[PairStructure, ...]
    most_similar: tuple[PairStructure, ...]
    filled_zero: tuple[tuple[str, str], ...]
    dropped_sectors: tuple[str, ...]
    steps: tuple[Step, ...]


def similarity_coefficient(x: Sequence[float], y: Sequence[float]) -> float:
    """UNIDO structure-similarity coefficient S = Σ xₖyₖ / √(Σ xₖ² · Σ yₖ²) (cosine); needs non-zero vectors."""
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    denom = math.sqrt(float((a * a).sum()) * float((b * b).sum()))
    if denom == 0:
        raise NonPositiveValueError(
            "全零结构无法计算相似系数。", "The similarity of an all-zero structure is undefined."
        )
    return min(1.0, float((a * b).sum()) / denom)


def krugman_index(x: Sequence[float], y: Sequence[float]) -> float:
    """Krugman dissimilarity K = Σ |xₖ − yₖ| of two share vectors (0 identical … 2 no sector in common)."""
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(np.abs(a - b).sum())


# The structure report's steps in their order: key, Chinese caption, what is done (English), formula. The report
# gives each its values.
_STEPS = (
    ("shares", "产业占比", "Each sector's share of the city's total.", "xᵢₖ = eᵢₖ / eᵢ"),
    ("region-shares", "区域产业占比", "Each sector's share of the region (all cities given).", "Eₖ / E"),
    (
        "location-quotients",
        "区位商",
        "City share over region share: above 1 the city is specialised in the sector.",
        "LQᵢₖ = (eᵢₖ / eᵢ) / (Eₖ / E)",
    ),
    (
        "similarity",
        "结构相似系数",
        "Cosine of the two cities' share vectors (1 = same structure).",
        "Sᵢⱼ = Σₖ xᵢₖxⱼₖ / √(Σₖ xᵢₖ² · Σₖ xⱼₖ²)",
    ),
    (
        "krugman",
        "克鲁格曼差异指数",
        "Sum of the absolute share differences (0 = same, 2 = nothing in common).",
        "Kᵢⱼ = Σₖ |xᵢₖ − xⱼₖ|",
    ),
)


def _matrix(rows: Sequence[str], cols: Sequence[str], values: np.ndarray) -> Matrix:
    return Matrix(tuple(rows), tuple(cols), tuple(tuple(float(v) for v in row) for row in values))


def _named(names: Sequence[str], values: np.ndarray) -> dict[str, float]:
    """``{name: value}`` of a vector labelled by ``names`` (cities or sectors), as plain floats."""
    return dict(zip(names, map(float, values), strict=True))


def structure_report(values: SectorValues, *, sectors: Sequence[str] | None = None, top: int = 3) -> StructureReport:
    """Analyse ``{city: {sector: value}}`` (value added, employment, … — one consistent unit, non-negative).

    A sector missing for a city counts as 0 and is listed in ``filled_zero``; a sector that is zero everywhere has
    no location quotient and is dropped (``dropped_sectors``). ``sectors`` fixes the sector order (and must then
    name every sector used); otherwise sectors are sorted by code. ``top`` is the length of the ranked pair lists.
    """
    if not values:
        raise EmptyInputError("没有城市数据。", "No cities given.")
    cleaned: dict[str, dict[str, float]] = {}
    for city, row in values.items():
        if not isinstance(city, str) or not city.strip():
            raise InvalidValueError(
                f"城市代码须为非空文本，得到 {city!r}。", f"City codes must be non-empty text, got {city!r}."
            )
        code = city.strip()
        if code in cleaned:
            raise InvalidValueError(f"城市 {code} 重复出现。", f"City {code} appears twice.", city_code=code)
        cleaned[code] = {}
        for sector, v in row.items():
            number = finite_float(v, what=f"value of sector {sector}", city_code=code)
            if number < 0:
                raise InvalidValueError(
                    f"产业数值必须非负，{code} 的 {sector} 为 {number:g}。",
                    f"Sector values must be non-negative; {code} has {number:g} in {sector}.",
                    city_code=code,
                )
            cleaned[code][str(sector)] = number
    cities = sorted(cleaned)
    used = sorted({s for row in cleaned.values() for s in row})
    if sectors is not None:
        order = [str(s) for s in sectors]
        unknown = [s for s in used if s not in order]
        if unknown:
            raise InvalidValueError(
                f"部门不在给定顺序中：{'、'.join(unknown)}。", f"Sectors not in the given order: {', '.join(unknown)}."
            )
        if len(set(order)) != len(order):
            raise InvalidValueError("部门顺序中有重复部门。", "The sector order lists a sector twice.")
    else:
        order = used
    if not order:
        raise EmptyInputError("没有产业数据。", "No sectors given.")
    filled = tuple((c, s) for c in cities for s in order if s not in cleaned[c])
    e_all = np.array([[cleaned[c].get(s, 0.0) for s in order] for c in cities], dtype=float)
    keep = e_all.sum(axis=0) > 0
    dropped = tuple(s for s, k in zip(order, keep, strict=True) if not k)
    secs = [s for s, k in zip(order, keep, strict=True) if k]
    if not secs:
        raise NonPositiveValueError("所有城市所有产业均为零。", "Every sector is zero in every city.")
    e = e_all[:, keep]
    city_tot = e.sum(axis=1)
    for c, t in zip(cities, city_tot, strict=True):
        if t <= 0:
            raise NonPositiveValueError(
                f"{c} 的产业数值全为零。", f"{c} has no positive sector value: its shares are undefined.", city_code=c
            )
    shares = e / city_tot[:, None]
    sector_tot = e.sum(axis=0)
    big_e = float(sector_tot.sum())
    region_sh = sector_tot / big_e
    lq = shares / region_sh[None, :]
    share_matrix, lq_matrix = _matrix(cities, secs, shares), _matrix(cities, secs, lq)
    n = len(cities)
    sim = np.eye(n)
    kru = np.zeros((n, n))
    pairs: list[PairStructure] = []
    for i, j in itertools.combinations(range(n), 2):
        s = similarity_coefficient(shares[i], shares[j])
        k = krugman_index(shares[i], shares[j])
        sim[i, j] = sim[j, i] = s
        kru[i, j] = kru[j, i] = k
        pairs.append(PairStructure(cities[i], cities[j], s, k))
    by_s = sorted(pairs, key=lambda p: (p.similarity, -p.krugman, p.city_a, p.city_b))
    by_k = sorted(pairs, key=lambda p: (-p.krugman, p.similarity, p.city_a, p.city_b))
    step_values = {
        "shares": share_matrix.as_dict(),
        "region-shares": {"E": big_e, "shares": _named(secs, region_sh)},
        "location-quotients": lq_matrix.as_dict(),
        "similarity": {f"{p.city_a}-{p.city_b}": p.similarity for p in pairs},
        "krugman": {f"{p.city_a}-{p.city_b}": p.krugman for p in pairs},
    }
    steps = tuple(
        Step(key=key, text_zh=zh, text_en=en, formula=formula, values=step_values[key])
        for key, zh, en, formula in _STEPS
    )
    return StructureReport(
        cities=tuple(cities),
        sectors=tuple(secs),
        inputs=_matrix(cities, order, e_all),
        city_totals=_named(cities, city_tot),
        sector_totals=_named(secs, sector_tot),
        region_total=big_e,
        region_shares=_named(secs, region_sh),
        shares=share_matrix,
        location_quotients=lq_matrix,
        pairs=tuple(pairs),
        similarity=_matrix(cities, cities, sim),
        krugman=_matrix(cities, cities, kru),
        most_complementary=tuple(by_s[:top]),
        most_complementary_by_krugman=tuple(by_k[:top]),
        most_similar=tuple(sorted(pairs, key=lambda p: (-p.similarity, p.krugman, p.city_a, p.city_b))[:top]),
        filled_zero=filled,
        dropped_sectors=dropped,
        steps=steps,
    )
