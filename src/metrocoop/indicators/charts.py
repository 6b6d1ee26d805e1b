"""ECharts options of the indicator pages, built by the common helper `metrocoop.core.charts` (one palette, number
format, empty state and PNG export everywhere). Nothing online: the flow map is a graph on a plain
longitude/latitude plane, no map tiles."""

from __future__ import annotations

from typing import Any

from metrocoop.core import charts
from metrocoop.core.models import City


def bar_option(title: str, unit: str, ranking: list[tuple[int, Any, float]], mean: float | None) -> dict:
    """One bar per city (its name in the active language), highest first, the mean as a dashed line."""
    return charts.bar(
        [c.name for _, c, _ in ranking],
        {title: [round(v, 6) for *_, v in ranking]},
        title=title,
        unit=unit,
        mean=mean,
        labels=True,
        decimals=4,
    )


def trend_option(title: str, series: list[dict], measures: list[tuple[str, str]]) -> dict:
    return charts.line(
        [str(s["year"]) for s in series],
        {str(label): [None if s[key] is None else round(s[key], 6) for s in series] for key, label in measures},
        title=title,
    )


def heatmap_option(title: str, matrix: dict, names: dict[str, str], *, vmin: float, vmax: float) -> dict:
    rows, cols = matrix["rows"], matrix["columns"]
    data = [
        [j, i, None if v is None else round(v, 4)] for i, row in enumerate(matrix["values"]) for j, v in enumerate(row)
    ]
    option = {
        "tooltip": {"position": "top"},
        "grid": {"left": 70, "right": 24, "bottom": 90, "top": 48},
        "xAxis": {"type": "category", "data": [names.get(c, c) for c in cols], "splitArea": {"show": True}},
        "yAxis": {"type": "category", "data": [names.get(r, r) for r in rows], "splitArea": {"show": True}},
        "visualMap": {
            "min": vmin,
            "max": vmax,
            "calculable": True,
            "precision": 2,
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
        },
        "series": [{"type": "heatmap", "data": data, "label": {"show": True}}],
    }
    return charts.finish(option, title=title, filename="structure-similarity")


def flow_map_option(title: str, cities: list[City], flows: list[dict]) -> dict:
    """Cities at their coordinates and commuting shares as arrows, width by share (names in the active language)."""
    nodes = [
        {"code": c.code, "name": c.name, "lon": c.longitude, "lat": c.latitude, "big": c.code == "SH"} for c in cities
    ]
    links = [
        {
            "source": f["origin"],
            "target": f["destination"],
            "value": f["percent"],
            "label": f"{f['percent']:g}%" if f["percent"] >= 2 else "",
            "outbound": f["outbound"],
        }
        for f in flows
    ]
    return charts.flow(nodes, links, title=title, unit="%", filename="commuting")
