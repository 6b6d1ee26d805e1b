"""ECharts options for the clearing pages, built from plain data (the page renders them with json_script)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


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
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 60, "right": 20, "top": 40, "bottom": 50},
        "xAxis": {"type": "category", "data": list(categories)},
        "yAxis": {"type": "value"},
        "series": [{"name": name, "type": "bar", "data": list(values)} for name, values in series.items()],
    }
