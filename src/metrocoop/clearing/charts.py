"""ECharts options for the clearing pages, built from plain data (the page renders them with json_script)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def flow_map_option(
    cities: Sequence[tuple[str, str, float, float]], flows: Mapping[tuple[str, str], int], title: str
) -> dict:
    """Cities placed by their coordinates (longitude → x, latitude → y), arrows insured → service city, width ∝ fen."""
    biggest = max(flows.values(), default=0) or 1
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 13}},
        "tooltip": {},
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "roam": True,
                "label": {"show": True, "formatter": "{b}"},
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 7,
                "data": [
                    {"name": name, "x": lon * 100, "y": -lat * 100, "symbolSize": 22, "value": code}
                    for code, name, lat, lon in cities
                ],
                "links": [
                    {
                        "source": next(n for c, n, _, _ in cities if c == a),
                        "target": next(n for c, n, _, _ in cities if c == b),
                        "value": round(v / 100, 2),
                        "lineStyle": {"width": 1 + 7 * v / biggest, "curveness": 0.2, "opacity": 0.6},
                    }
                    for (a, b), v in sorted(flows.items())
                    if v > 0 and any(c == a for c, *_ in cities) and any(c == b for c, *_ in cities)
                ],
            }
        ],
    }


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
