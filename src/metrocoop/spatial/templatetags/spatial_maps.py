"""Template tags that put other apps' figures on the map of the member cities (e.g. the dashboard's indicator)."""

from __future__ import annotations

from django import template

from metrocoop.spatial.boundaries import BROWSER_FILE, load_boundaries
from metrocoop.spatial.charts import choropleth_option

register = template.Library()


def indicator_map_option(table, indicator_code: str) -> dict | None:
    """The cities coloured by one indicator of the dashboard's table (web.dashboard.Table)."""
    index = next((i for i, ind in enumerate(table.indicators) if ind.code == indicator_code), None)
    if index is None:
        return None
    indicator = table.indicators[index]
    on_map = load_boundaries().by_name
    values = {
        city.name_zh: float(v[index][0]) for city, v in table.rows if v[index][0] is not None and city.name_zh in on_map
    }
    if not values:
        return None
    labels = {city.name_zh: city.name for city, _ in table.rows}
    return choropleth_option(
        values,
        labels=labels,
        title=f"{indicator.name}（{indicator.unit}）· {table.year}",
        unit=str(indicator.unit),
        series_name=str(indicator.name),
    )


@register.inclusion_tag("spatial/_indicator_map.html")
def indicator_map(table, indicator_code, element_id="dashboard-map"):
    return {"option": indicator_map_option(table, indicator_code), "element_id": element_id, "map_file": BROWSER_FILE}
