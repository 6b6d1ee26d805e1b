"""One way to build the ECharts options of every page (rendered with `json_script`; web/static/web/app.js draws them).

Every chart kind the platform draws — bar, stacked bar, line, flow (a graph of cities and arrows, or arrows on the
map) and map — goes through `finish()`, so that all charts share:

- the palette (`PALETTE`) and the title style;
- export to PNG (the ECharts toolbox's saveAsImage, its tooltip in the active language);
- the empty state: a chart without a single value says "暂无数据" / "No data" in the middle instead of empty axes;
- number formats: money is given in fen and shown in 元, 万元 or 亿元 chosen by the largest figure (`money_scale`);
  app.js formats tooltips and value axes with the page language's grouping (`_mc.decimals`);
- city names in the active language (`city_names`): builders take city codes and never show them.

Pure data in, a plain dict out (JSON-serialisable), except `city_names`, which reads the member cities.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

PALETTE = ["#1f5fa8", "#d9822b", "#3c9d5d", "#b83b5e", "#6c5ce7", "#8c7b3b", "#2b8a9e", "#7a5230"]
TEXT = "#212529"
Number = float | int | None


def city_names(codes: Iterable[str] | None = None) -> dict[str, str]:
    """{city code: the city's name in the active language} (all cities, or those of `codes`)."""
    from metrocoop.core.models import City

    cities = City.objects.all()
    if codes is not None:
        cities = cities.filter(code__in=list(codes))
    return {c.code: c.name for c in cities.only("code", "name_zh", "name_en")}


# --- money ---------------------------------------------------------------------------------------------------------


def money_scale(largest_fen: float) -> tuple[int, str]:
    """(fen per shown unit, unit label) for figures up to `largest_fen`: 元 below 100,000 元, 万元 below 1 亿元, else
    亿元; the label in the active language."""
    largest = abs(largest_fen)
    if largest >= 100_000_000 * 100:
        return 100_000_000 * 100, pgettext("money unit", "100 million yuan")
    if largest >= 100_000 * 100:
        return 10_000 * 100, pgettext("money unit", "10,000 yuan")
    return 100, pgettext("money unit", "yuan")


def scale_money(series: Mapping[str, Sequence[Number]]) -> tuple[dict[str, list[Number]], str]:
    """Series of fen amounts → the same series in one unit for all of them, and that unit's label."""
    largest = max((abs(v) for values in series.values() for v in values if v is not None), default=0)
    divisor, unit = money_scale(largest)
    return {k: [None if v is None else round(v / divisor, 2) for v in values] for k, values in series.items()}, unit


# --- the common frame ------------------------------------------------------------------------------------------------


def _has_data(option: dict) -> bool:
    if option.get("geo"):
        return True  # the map itself is the content; layers on it may be empty
    for s in option.get("series", []):
        data = s.get("data") or []
        if s.get("type") in {"graph", "sankey"}:
            data = s.get("links") or []
        if s.get("type") == "tree":
            return bool(data)
        for d in data:
            value = d.get("value") if isinstance(d, dict) else d
            if value is not None and value != [] and value != "":
                return True
    return False


def finish(option: dict, *, title: str = "", decimals: int | None = None, filename: str = "chart") -> dict:
    """Add what every chart shares: palette, title, PNG export, empty state, number format for app.js."""
    option = dict(option)
    option.setdefault("color", PALETTE)
    option.setdefault("textStyle", {"color": TEXT})
    if title:
        option["title"] = {"text": title, "left": "center", "textStyle": {"fontSize": 14}}
    option["toolbox"] = {
        "right": 8,
        "top": 0,
        "feature": {
            "saveAsImage": {
                "title": _("Save as image (PNG)"),
                "name": filename,
                "pixelRatio": 2,
                "backgroundColor": "#ffffff",
            }
        },
    }
    if not _has_data(option):
        option["graphic"] = [
            {
                "type": "text",
                "left": "center",
                "top": "middle",
                "style": {"text": _("No data"), "fontSize": 16, "fill": "#6c757d"},
            }
        ]
        option["_mc"] = {"empty": True}
    if decimals is not None:
        option.setdefault("_mc", {})["decimals"] = decimals
    return option


def _axis_label(categories: Sequence[str], rotate: int) -> dict:
    label: dict[str, Any] = {"interval": 0, "hideOverlap": True}
    if rotate:
        label["rotate"] = rotate
    return label


def _grid(legend: bool, rotate: int) -> dict:
    return {"left": 64, "right": 24, "top": 56, "bottom": (52 if legend else 32) + (28 if rotate else 0)}


# --- the chart kinds -----------------------------------------------------------------------------------------------


def bar(
    categories: Sequence[str],
    series: Mapping[str, Sequence[Any]],
    *,
    title: str = "",
    unit: str = "",
    money: bool = False,
    stacked: bool = False,
    rotate: int = 0,
    mean: float | None = None,
    mean_label: str | None = None,
    y_max: float | None = None,
    labels: bool = False,
    decimals: int = 2,
    filename: str = "chart",
) -> dict:
    """Bars (one series per key of `series`, in order); `stacked` stacks them. `money=True`: values are fen, shown
    in the unit `money_scale` picks. Values may be dicts ({"value": …, "itemStyle": …}) to colour single bars.
    `mean` draws a dashed line at that value (in the same unit as the values)."""
    if money:
        series, unit = scale_money(series)
    legend = len(series) > 1
    out_series = []
    for i, (name, values) in enumerate(series.items()):
        s: dict[str, Any] = {"type": "bar", "name": name, "data": list(values), "color": PALETTE[i % len(PALETTE)]}
        if stacked:
            s["stack"] = "total"
        if labels:
            s["label"] = {"show": True, "position": "inside" if stacked else "top"}
        out_series.append(s)
    if mean is not None and out_series:
        label = mean_label or _("Mean")
        out_series[0]["markLine"] = {
            "symbol": "none",
            "lineStyle": {"type": "dashed"},
            "data": [{"yAxis": round(mean, 2), "name": label}],
            "label": {"formatter": label + " {c}"},
        }
    y_axis: dict[str, Any] = {"type": "value", "name": unit}
    if y_max is not None:
        y_axis["max"] = y_max
    option = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": _grid(legend, rotate),
        "xAxis": {"type": "category", "data": list(categories), "axisLabel": _axis_label(categories, rotate)},
        "yAxis": y_axis,
        "series": out_series,
    }
    if legend:
        option["legend"] = {"type": "scroll", "bottom": 0, "data": list(series)}
    return finish(option, title=title, decimals=decimals, filename=filename)


def stacked_bar(categories: Sequence[str], series: Mapping[str, Sequence[Any]], **kwargs: Any) -> dict:
    return bar(categories, series, stacked=True, **kwargs)


def line(
    categories: Sequence[str],
    series: Mapping[str, Sequence[Number]],
    *,
    title: str = "",
    unit: str = "",
    money: bool = False,
    decimals: int = 4,
    filename: str = "chart",
) -> dict:
    """Lines over ordered categories (years); None leaves a gap."""
    if money:
        series, unit = scale_money(series)
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "bottom": 0, "data": list(series)},
        "grid": _grid(True, 0),
        "xAxis": {"type": "category", "data": list(categories)},
        "yAxis": {"type": "value", "name": unit},
        "series": [
            {"type": "line", "name": name, "data": list(values), "color": PALETTE[i % len(PALETTE)]}
            for i, (name, values) in enumerate(series.items())
        ],
    }
    return finish(option, title=title, decimals=decimals, filename=filename)


def flow(
    nodes: Sequence[Mapping[str, Any]],
    links: Sequence[Mapping[str, Any]],
    *,
    title: str = "",
    unit: str = "",
    filename: str = "flows",
) -> dict:
    """Cities as points at their coordinates (x = longitude, y = latitude) and flows between them as arrows, width by
    value. nodes: {"code", "name" (active language), "lon", "lat", "big"?}; links: {"source", "target" (codes),
    "value", "label"?, "outbound"?}. No map tiles: a plain longitude/latitude plane."""
    names = {n["code"]: n["name"] for n in nodes}
    biggest = max((abs(x["value"]) for x in links), default=0) or 1
    data = [
        {
            "name": n["name"],
            "value": [float(n["lon"]), float(n["lat"])],
            "label": {"show": True, "formatter": n["name"], "position": "right", "color": TEXT},
            "symbolSize": 18 if n.get("big") else 12,
        }
        for n in nodes
    ]
    out_links = []
    for x in links:
        if x["source"] not in names or x["target"] not in names:
            continue
        colour = PALETTE[1] if x.get("outbound") else PALETTE[0]
        out_links.append(
            {
                "source": names[x["source"]],
                "target": names[x["target"]],
                "value": x["value"],
                "label": {"show": bool(x.get("label")), "formatter": x.get("label") or "", "color": colour},
                "lineStyle": {"width": max(1.0, 8 * abs(x["value"]) / biggest), "curveness": 0.25, "color": colour},
            }
        )
    lons = [float(n["lon"]) for n in nodes] or [121.0]
    lats = [float(n["lat"]) for n in nodes] or [31.0]
    option = {
        "tooltip": {},
        "grid": {"left": 64, "right": 24, "top": 56, "bottom": 40},
        "xAxis": {
            "type": "value",
            "min": round(min(lons) - 0.3, 1),
            "max": round(max(lons) + 0.3, 1),
            "name": _("Longitude"),
        },
        "yAxis": {
            "type": "value",
            "min": round(min(lats) - 0.3, 1),
            "max": round(max(lats) + 0.3, 1),
            "name": _("Latitude"),
        },
        "series": [
            {
                "type": "graph",
                "name": unit or title,
                "coordinateSystem": "cartesian2d",
                "data": data,
                "links": out_links,
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 8,
                "itemStyle": {"color": PALETTE[2]},
            }
        ],
    }
    return finish(option, title=title, filename=filename)


def on_map(option: dict, *, title: str = "", decimals: int | None = 2, filename: str = "map") -> dict:
    """A map option (a `geo` component or a `map` series, built by spatial.charts) in the common frame."""
    return finish(option, title=title, decimals=decimals, filename=filename)
