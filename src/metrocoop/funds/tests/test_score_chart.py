"""The assessment chart speaks the page's language: cities and criteria by name, never by code."""

from __future__ import annotations

from django.utils import translation

from metrocoop.funds.views import _score_chart
from metrocoop.indicators.models import Indicator

OUTCOME = {
    "scores": {
        "cities": [
            {"city": "SH", "contributions": {"completion": 40.5, "timeliness": 20.0, "gdp-per-capita": 12.25}},
            {"city": "SZ", "contributions": {"completion": 30.0, "timeliness": 25.0, "gdp-per-capita": 15.0}},
        ]
    }
}


def test_the_score_chart_names_cities_and_criteria_in_the_active_language(reference):
    indicator = Indicator.objects.get(code="gdp-per-capita")
    with translation.override("zh-hans"):
        option = _score_chart(OUTCOME)
    assert option["xAxis"]["data"] == ["上海", "苏州"]
    assert option["legend"]["data"] == ["完成度", indicator.name_zh, "及时性"]  # criteria in code order
    assert option["series"][0]["data"] == [40.5, 30.0]
    assert all(s["stack"] == "total" for s in option["series"]) and option["yAxis"]["max"] == 100
    with translation.override("en"):
        option = _score_chart(OUTCOME)
    assert option["xAxis"]["data"] == ["Shanghai", "Suzhou"]
    assert option["legend"]["data"] == ["Completion", indicator.name_en, "Timeliness"]
