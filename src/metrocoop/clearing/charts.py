"""ECharts options for the clearing pages, built from plain data (the page renders them with json_script)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from metrocoop.core import charts


def flow_map_option(
    cities: Sequence[tuple[str, str, float, float]], flows: Mapping[tuple[str, str], int], title: str
) -> dict:
    """Arrows insured → service city between the cities' real positions, drawn on the map of the member cities'
    boundaries (spatial's geo component); width ∝ amount, tooltip in yuan."""
    from metrocoop.core.models import City
    from metrocoop.spatial.charts import flow_lines_option

    map_names = dict(City.objects.filter(code__in=[c for c, *_ in cities]).values_list("code", "name_zh"))
    placed = [(code, map_names.get(code, name), name, lat, lon) for code, name, lat, lon in cities]
    return flow_lines_option(placed, flows, title)


def bar_option(categories: Sequence[str], series: Mapping[str, Sequence[float]], title: str) -> dict:
    """Bars over plain categories (e.g. rejection reasons)."""
    return charts.bar(list(categories), series, title=title, decimals=0)


def city_bar_option(
    codes: Sequence[str], series: Mapping[str, Sequence[float]], title: str, *, money: bool = False
) -> dict:
    """Bars per city (codes in, names in the active language on the axis); `money`: values in fen, shown in
    元/万元/亿元."""
    names = charts.city_names(codes)
    return charts.bar([names.get(c, c) for c in codes], series, title=title, money=money, decimals=2 if money else 0)
