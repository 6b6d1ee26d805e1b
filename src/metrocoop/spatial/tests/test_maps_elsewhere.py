"""The map used beyond the spatial page: the dashboard colours the member cities by an indicator, the clearing
dashboard draws its flows as lines between the cities' real positions on the map."""

from __future__ import annotations

import json

import pytest

from metrocoop.clearing.charts import flow_map_option

pytestmark = pytest.mark.django_db


def _script(html: str, element_id: str) -> dict:
    marker = f'<script id="{element_id}" type="application/json">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start : html.index("</script>", start)])


def test_the_dashboard_colours_the_member_cities_by_the_chosen_indicator(browser_client, reference):
    html = browser_client(None).get("/?indicator=gdp-per-capita").content.decode()
    assert 'data-map-url="/static/vendor/china-cities/metro-area.min.geojson"' in html
    option = _script(html, "dashboard-map")
    (series,) = option["series"]
    assert series["type"] == "map" and series["map"] == "metro-area"
    values = {d["name"]: d["value"] for d in series["data"]}
    assert set(values) == {c.name_zh for c in reference.values()}
    bars = _script(html, "dashboard-chart")["series"][0]["data"]
    assert sorted(values.values(), reverse=True) == bars  # the same figures as the bar chart beside it
    assert option["visualMap"]["min"] == min(bars) and option["visualMap"]["max"] == max(bars)


def test_clearing_flows_are_lines_between_real_city_positions(reference):
    cities = [(c.code, c.name, float(c.latitude), float(c.longitude)) for c in reference.values()]
    option = flow_map_option(cities, {("SZ", "SH"): 250_000, ("SH", "SZ"): 0, ("NT", "SH"): 100_000}, "flows")
    assert option["geo"]["map"] == "metro-area"
    assert {r["name"] for r in option["geo"]["regions"]} == {c.name_zh for c in reference.values()}
    lines = option["series"][0]
    assert lines["type"] == "lines" and lines["coordinateSystem"] == "geo"
    (sz_sh, nt_sh) = sorted(lines["data"], key=lambda d: -d["value"])
    sz, sh = reference["SZ"], reference["SH"]
    assert sz_sh["coords"] == [[float(sz.longitude), float(sz.latitude)], [float(sh.longitude), float(sh.latitude)]]
    assert sz_sh["value"] == 2500.0 and nt_sh["value"] == 1000.0  # yuan from fen
    assert sz_sh["lineStyle"]["width"] > nt_sh["lineStyle"]["width"]
