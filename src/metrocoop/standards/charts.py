"""ECharts options of the standards pages, built from plain data (rendered with json_script)."""

from __future__ import annotations

from collections.abc import Mapping

from metrocoop.standards.engine import Harmonisation

STRICT = "#198754"
LOOSE = "#dc3545"
OTHER = "#6c8ebf"


def harmonisation_bar(h: Harmonisation, names: Mapping[str, str], title: str, strictest_label: str) -> dict:
    """One bar per city (its name in the active language), the strictest green, the loosest red, with the unit."""
    strict = {e.city for e in h.strictest}
    loose = {e.city for e in h.loosest}
    data = []
    for c in h.cities:
        colour = STRICT if c.city in strict else LOOSE if c.city in loose and not h.unified else OTHER
        data.append({"value": c.value, "itemStyle": {"color": colour}, "name": names.get(c.city, c.city)})
    unit = h.unit or "-"
    return {
        "title": {"text": f"{title} ({unit})", "left": "center", "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 55, "right": 20, "top": 40, "bottom": 60},
        "xAxis": {
            "type": "category",
            "data": [names.get(c.city, c.city) for c in h.cities],
            "axisLabel": {"interval": 0, "rotate": 30},
        },
        "yAxis": {"type": "value", "name": unit},
        "series": [
            {
                "name": title,
                "type": "bar",
                "data": data,
                "label": {"show": True, "position": "top", "formatter": "{c}"},
                "markLine": {
                    "symbol": "none",
                    "lineStyle": {"color": STRICT, "type": "dashed"},
                    "label": {"formatter": strictest_label + " {c}"},
                    "data": [{"yAxis": h.strictest[0].value}] if h.strictest else [],
                },
            }
        ],
    }
