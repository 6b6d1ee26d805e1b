"""ECharts options built in Python (rendered with json_script; web/static/web/app.js draws them). Nothing online:
the flow map is a graph on a plain longitude/latitude plane, no map tiles."""

from __future__ import annotations

from typing import Any

from metrocoop.core.models import City

PALETTE = ["#1f5fa8", "#d9822b", "#3c9d5d", "#b83b5e", "#6c5ce7", "#8c7b3b"]


def bar_option(title: str, unit: str, ranking: list[tuple[int, Any, float]], mean: float | None) -> dict:
    names = [c.name for _, c, _ in ranking]
    series: dict[str, Any] = {
        "type": "bar",
        "name": title,
        "data": [round(v, 6) for *_, v in ranking],
        "itemStyle": {"color": PALETTE[0]},
        "label": {"show": True, "position": "top"},
    }
    if mean is not None:
        series["markLine"] = {"data": [{"yAxis": round(mean, 6), "name": "mean"}], "symbol": "none"}
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 60, "right": 20, "bottom": 40, "top": 50},
        "xAxis": {"type": "category", "data": names},
        "yAxis": {"type": "value", "name": unit},
        "series": [series],
    }


def trend_option(title: str, series: list[dict], measures: list[tuple[str, str]]) -> dict:
    years = [str(s["year"]) for s in series]
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 60, "right": 20, "bottom": 50, "top": 50},
        "xAxis": {"type": "category", "data": years},
        "yAxis": {"type": "value"},
        "series": [
            {
                "type": "line",
                "name": label,
                "data": [None if s[key] is None else round(s[key], 6) for s in series],
                "color": PALETTE[i % len(PALETTE)],
            }
            for i, (key, label) in enumerate(measures)
        ],
    }


def heatmap_option(title: str, matrix: dict, names: dict[str, str], *, vmin: float, vmax: float) -> dict:
    rows, cols = matrix["rows"], matrix["columns"]
    data = [
        [j, i, None if v is None else round(v, 4)] for i, row in enumerate(matrix["values"]) for j, v in enumerate(row)
    ]
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"position": "top"},
        "grid": {"left": 70, "right": 20, "bottom": 90, "top": 40},
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


def flow_map_option(title: str, cities: list[City], flows: list[dict]) -> dict:
    """Cities at their coordinates (x = longitude, y = latitude) and flows as arrows, width by share."""
    nodes = [
        {
            "name": c.code,
            "value": [float(c.longitude), float(c.latitude)],
            "label": {"show": True, "formatter": c.name, "position": "right", "color": "#222", "textBorderWidth": 0},
            "symbolSize": 18 if c.code == "SH" else 12,
        }
        for c in cities
    ]
    links = [
        {
            "source": f["origin"],
            "target": f["destination"],
            "value": f["percent"],
            "label": {
                "show": f["percent"] >= 2,
                "formatter": f"{f['percent']:g}%",
                "color": PALETTE[1] if f["outbound"] else PALETTE[0],
            },
            "lineStyle": {
                "width": max(1.0, f["percent"] / 8),
                "curveness": 0.25,
                "color": PALETTE[1] if f["outbound"] else PALETTE[0],
            },
        }
        for f in flows
    ]
    lons = [float(c.longitude) for c in cities] or [121.0]
    lats = [float(c.latitude) for c in cities] or [31.0]
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {},
        "xAxis": {
            "type": "value",
            "min": round(min(lons) - 0.3, 1),
            "max": round(max(lons) + 0.3, 1),
            "name": "经度 lon",
        },
        "yAxis": {
            "type": "value",
            "min": round(min(lats) - 0.3, 1),
            "max": round(max(lats) + 0.3, 1),
            "name": "纬度 lat",
        },
        "series": [
            {
                "type": "graph",
                "coordinateSystem": "cartesian2d",
                "data": nodes,
                "links": links,
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 8,
                "itemStyle": {"color": PALETTE[2]},
            }
        ],
    }
