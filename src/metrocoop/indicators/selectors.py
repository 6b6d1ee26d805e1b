"""From the database to the engines: gathers the observations of the member cities and runs the pure engines.

No business decision is taken here that an engine could take; this module only chooses the rows (members in the
year, the population of the same year, the city's province as its group) and hands plain data over.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from metrocoop.core.models import City
from metrocoop.indicators.choices import FlowKind, ValueKind
from metrocoop.indicators.engine import EngineInputError, to_jsonable
from metrocoop.indicators.engine.commuting import (
    CountTable,
    FlowCount,
    FlowShare,
    ShareTable,
    distance_matrix,
    gravity_fit,
)
from metrocoop.indicators.engine.convergence import beta_convergence, sigma_convergence
from metrocoop.indicators.engine.disparity import (
    CityValue,
    DisparityReport,
    coefficient_of_variation,
    disparity_report,
    gini,
    max_min_ratio,
    theil_t,
    williamson_index,
)
from metrocoop.indicators.engine.positioning import CityStatement, FunctionDef, positioning_matrix
from metrocoop.indicators.engine.structure import structure_report
from metrocoop.indicators.models import (
    CommutingFlow,
    Indicator,
    Observation,
    PositioningStatement,
    SectorValue,
    UrbanFunction,
)

POPULATION = "population"


@dataclass
class DisparityAnalysis:
    """One indicator in one year across the member cities, with the engine's report (or why there is none)."""

    indicator: Indicator
    year: int
    cities: list[City]
    values: dict[str, float]
    populations: dict[str, float]
    report: DisparityReport | None
    error: dict | None = None
    missing: list[str] = field(default_factory=list)

    def ranking(self) -> list[tuple[int, City, float]]:
        """Cities by value, best first (highest unless lower is better)."""
        rows = [(c, self.values[c.code]) for c in self.cities if c.code in self.values]
        rows.sort(key=lambda cv: (-cv[1] if self.indicator.higher_is_better else cv[1], cv[0].code))
        return [(n, c, v) for n, (c, v) in enumerate(rows, start=1)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator.code,
            "year": self.year,
            "value_kind": self.indicator.value_kind,
            "cities": [c.code for c in self.cities],
            "missing": self.missing,
            "values": self.values,
            "populations": self.populations,
            "report": self.report.to_dict() if self.report else None,
            "error": self.error,
        }


def member_cities(year: int) -> list[City]:
    return list(City.objects.members_in_year(year).select_related("province").order_by("sort_order", "code"))


def _values(indicator: Indicator, year: int, cities: list[City]) -> dict[str, float]:
    ids = {c.pk: c.code for c in cities}
    rows = Observation.objects.filter(indicator=indicator, year=year, city_id__in=ids).values_list("city_id", "value")
    return {ids[cid]: float(v) for cid, v in rows}


def _population(year: int, cities: list[City]) -> dict[str, float]:
    ids = {c.pk: c.code for c in cities}
    rows = Observation.objects.filter(indicator__code=POPULATION, year=year, city_id__in=ids).values_list(
        "city_id", "value"
    )
    return {ids[cid]: float(v) for cid, v in rows}


def disparity(indicator: Indicator, year: int) -> DisparityAnalysis:
    """Every disparity measure of ``indicator`` in ``year`` over the cities that were members that year.

    Weighted measures use the ``population`` indicator of the same year when every city has one; the Theil
    decomposition groups the cities by province (上海 / 江苏 members / 浙江 members)."""
    cities = member_cities(year)
    values = _values(indicator, year, cities)
    populations = _population(year, cities) if indicator.value_kind != ValueKind.OTHER else {}
    present = [c for c in cities if c.code in values]
    missing = [c.code for c in cities if c.code not in values]
    analysis = DisparityAnalysis(indicator, year, cities, values, populations, None, missing=missing)
    if not present:
        analysis.error = {
            "code": "empty-input",
            "message_zh": "该年份没有数据。",
            "message_en": "No data for this year.",
        }
        return analysis
    obs = [CityValue(c.code, c.province.code, values[c.code], populations.get(c.code)) for c in present]
    kind = "total" if indicator.value_kind == ValueKind.TOTAL else "per_capita"
    try:
        analysis.report = disparity_report(
            obs, value_kind=kind, weighted=None if indicator.value_kind != ValueKind.OTHER else False
        )
    except EngineInputError as exc:
        analysis.error = exc.to_dict()
    return analysis


def _is_member(city: City, year: int) -> bool:
    return (city.joined_on is None or city.joined_on.year <= year) and (
        city.left_on is None or city.left_on.year >= year
    )


def trend(indicator: Indicator) -> dict[str, Any]:
    """The disparity measures year by year, and σ/β convergence over the years with data.

    Three queries whatever the number of years: the cities, the indicator's values and the populations."""
    cities = list(City.objects.select_related("province").order_by("sort_order", "code"))
    by_id = {c.pk: c for c in cities}
    values: dict[int, dict[str, float]] = defaultdict(dict)
    pops: dict[int, dict[str, float]] = defaultdict(dict)
    weighted = indicator.value_kind != ValueKind.OTHER
    for cid, year, value in Observation.objects.filter(indicator=indicator).values_list("city_id", "year", "value"):
        if _is_member(by_id[cid], year):
            values[year][by_id[cid].code] = float(value)
    if weighted:
        for cid, year, value in Observation.objects.filter(indicator__code=POPULATION).values_list(
            "city_id", "year", "value"
        ):
            pops[year][by_id[cid].code] = float(value)
    groups = {c.code: c.province.code for c in cities}
    kind = "total" if indicator.value_kind == ValueKind.TOTAL else "per_capita"
    years = sorted(values)
    series: list[dict[str, Any]] = []
    for year in years:
        obs = [CityValue(code, groups[code], v, pops[year].get(code)) for code, v in values[year].items()]
        row: dict[str, Any] = {"year": year, "n": len(obs)}
        # only the measures the trend shows (a full report per year would compute every step of every measure)
        for key, fn, kwargs in (
            ("max_min", max_min_ratio, {}),
            ("cv", coefficient_of_variation, {}),
            ("gini", gini, {}),
            ("theil_t", theil_t, {}),
            ("williamson", williamson_index, {"value_kind": kind}),
        ):
            if key == "williamson" and not (weighted and all(o.population is not None for o in obs)):
                row[key] = None
                continue
            try:
                result = fn(obs, **kwargs)
            except EngineInputError:
                row[key] = None
            else:
                row[key] = result.ratio if key == "max_min" else result.value
        series.append(row)
    data = {y: values[y] for y in years}
    out: dict[str, Any] = {"indicator": indicator.code, "years": years, "series": series}
    for name, fn in (("sigma", sigma_convergence), ("beta", beta_convergence)):
        try:
            # the dataclass itself: a page reads its attributes, the API and CLI call to_jsonable (trend_json)
            out[name] = fn(data) if len(years) >= 2 else None
        except EngineInputError as exc:
            out[name] = None
            out[f"{name}_error"] = exc.to_dict()
    return out


def trend_json(indicator: Indicator) -> dict[str, Any]:
    return to_jsonable(trend(indicator))


def structure(year: int) -> dict[str, Any]:
    cities = {c.code for c in member_cities(year)}
    values: dict[str, dict[str, float]] = defaultdict(dict)
    sources = set()
    for sv in SectorValue.objects.filter(year=year).select_related("city"):
        if sv.city.code in cities:
            values[sv.city.code][sv.sector] = float(sv.value)
            sources.add(sv.source)
    if not values:
        return {"year": year, "report": None, "sources": []}
    try:
        report = structure_report(values, sectors=["primary", "secondary", "tertiary"], top=5)
    except EngineInputError as exc:
        return {"year": year, "report": None, "error": exc.to_dict(), "sources": sorted(sources)}
    return {"year": year, "report": report.to_dict(), "sources": sorted(sources)}


def structure_years() -> list[int]:
    return sorted(set(SectorValue.objects.values_list("year", flat=True)))


def commuting(year: int | None = None) -> dict[str, Any]:
    """Flows of ``year`` (default: the latest): share tables by (zone, basis) and counts apart, never mixed."""
    years = sorted(set(CommutingFlow.objects.values_list("year", flat=True)))
    if not years:
        return {"year": None, "years": [], "shares": [], "counts": None}
    year = year if year in years else years[-1]
    flows = list(CommutingFlow.objects.filter(year=year).select_related("origin", "destination"))
    groups: dict[tuple[str, str], list[CommutingFlow]] = defaultdict(list)
    counts: list[CommutingFlow] = []
    for f in flows:
        if f.kind == FlowKind.SHARE:
            groups[(f.zone, f.basis)].append(f)
        else:
            counts.append(f)
    shares = []
    for (zone, basis), rows in sorted(groups.items()):
        table = ShareTable(
            tuple(FlowShare(f.origin.code, f.destination.code, float(f.value)) for f in rows),
            basis,
            source="; ".join(sorted({f.source for f in rows})),
        )
        shares.append({"zone": zone, "basis": basis, "table": table.to_dict(), "totals": table.totals()})
    out: dict[str, Any] = {"year": year, "years": years, "shares": shares, "counts": None, "gravity": None}
    if counts:
        table = CountTable(tuple(FlowCount(f.origin.code, f.destination.code, float(f.value)) for f in counts))
        out["counts"] = table.to_dict()
        cities = {c.code: c for c in City.objects.all()}
        coords = {code: (float(c.latitude), float(c.longitude)) for code, c in cities.items()}
        pops = _population(year, list(cities.values()))
        try:
            out["gravity"] = gravity_fit(table, pops, coordinates=coords).to_dict()
        except EngineInputError as exc:
            out["gravity_error"] = exc.to_dict()
    members = member_cities(year)
    out["distances"] = distance_matrix({c.code: (float(c.latitude), float(c.longitude)) for c in members}).to_dict()
    return out


def positioning(year: int | None = None) -> dict[str, Any]:
    from django.utils import timezone

    year = year or timezone.localdate().year
    functions = list(UrbanFunction.objects.all())
    members = [c.code for c in member_cities(year)]
    statements = [
        CityStatement(s.city.code, tuple(f.code for f in s.functions.all()), s.ref, s.text)
        for s in PositioningStatement.objects.select_related("city").prefetch_related("functions")
        if s.city.code in members
    ]
    if not functions or not members:
        return {"report": None}
    report = positioning_matrix(
        [FunctionDef(f.code, f.name_zh, f.name_en) for f in functions], statements, cities=members
    )
    return {"report": report.to_dict()}


def latest_year(indicator: Indicator) -> int:
    year = Observation.objects.filter(indicator=indicator).order_by("-year").values_list("year", flat=True).first()
    return year or 2019


def indicator_years(indicator: Indicator) -> list[int]:
    return list(
        Observation.objects.filter(indicator=indicator).order_by("year").values_list("year", flat=True).distinct()
    )
