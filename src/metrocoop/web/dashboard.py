"""What the landing dashboard shows: the member cities and the paper's 2019 indicators (表1), as plain data."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from metrocoop.core import charts
from metrocoop.core.models import City
from metrocoop.indicators.models import Indicator, Observation

TABLE1_YEAR = 2019


@dataclass(frozen=True)
class Table:
    year: int
    indicators: list[Indicator]
    rows: list[tuple[City, list[tuple[Decimal | None, int]]]]


def table1(cities: list[City], year: int = TABLE1_YEAR) -> Table:
    indicators = list(Indicator.objects.filter(observations__year=year).distinct().order_by("sort_order", "code"))
    values = {
        (o.city_id, o.indicator_id): o.value
        for o in Observation.objects.filter(year=year, city__in=cities).only("city_id", "indicator_id", "value")
    }
    rows = [(c, [(values.get((c.pk, i.pk)), i.decimals) for i in indicators]) for c in cities]
    return Table(year, indicators, rows)


def bar_chart_option(table: Table, indicator_code: str) -> dict | None:
    """An ECharts option: one indicator by city, highest first, with the regional mean as a line."""
    index = next((i for i, ind in enumerate(table.indicators) if ind.code == indicator_code), None)
    if index is None:
        return None
    indicator = table.indicators[index]
    pairs = sorted(
        ((c.name, float(v[index][0])) for c, v in table.rows if v[index][0] is not None),
        key=lambda p: (-p[1], p[0]),
    )
    if not pairs:
        return None
    mean = sum(v for _, v in pairs) / len(pairs)
    return charts.bar(
        [p[0] for p in pairs],
        {indicator.name: [p[1] for p in pairs]},
        title=f"{indicator.name}（{indicator.unit}）· {table.year}",
        unit=indicator.unit,
        mean=mean,
        decimals=indicator.decimals,
        filename=f"{indicator.code}-{table.year}",
    )
