"""ECharts options of the standards pages, built from plain data by the common helper `metrocoop.core.charts`."""

from __future__ import annotations

from collections.abc import Mapping

from metrocoop.core import charts
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
    return charts.bar(
        [names.get(c.city, c.city) for c in h.cities],
        {title: data},
        title=f"{title} ({unit})",
        unit=unit,
        rotate=30,
        labels=True,
        mean=h.strictest[0].value if h.strictest else None,
        mean_label=strictest_label,
        decimals=4,
    )
