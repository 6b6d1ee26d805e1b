"""The common chart helper and the one money formatter."""

from __future__ import annotations

import pytest
from django.utils import translation

from metrocoop.core import charts
from metrocoop.core.money import yuan


@pytest.mark.parametrize(
    "fen,text",
    [
        (0, "0.00"),
        (5, "0.05"),
        (-5, "-0.05"),
        (123_456_789, "1,234,567.89"),
        (10**17 + 1, "1,000,000,000,000,000.01"),
        (None, "—"),
        ("", "—"),
    ],
)
def test_yuan_is_exact_with_thousands_separators(fen, text):
    assert yuan(fen) == text


@pytest.mark.parametrize(
    "largest_fen,divisor,zh,en",
    [
        (99_999_99, 100, "元", "yuan"),
        (100_000_00, 1_000_000, "万元", "10,000 yuan"),
        (99_999_999_99, 1_000_000, "万元", "10,000 yuan"),
        (100_000_000_00, 10_000_000_000, "亿元", "100 million yuan"),
        (-250_000_000_00, 10_000_000_000, "亿元", "100 million yuan"),
    ],
)
def test_the_money_unit_is_chosen_by_magnitude_in_the_active_language(largest_fen, divisor, zh, en):
    with translation.override("zh-hans"):
        assert charts.money_scale(largest_fen) == (divisor, zh)
    with translation.override("en"):
        assert charts.money_scale(largest_fen) == (divisor, en)


def test_a_money_bar_chart_shows_one_unit_for_all_series():
    with translation.override("zh-hans"):
        option = charts.bar(["上海", "苏州"], {"应缴": [300_000_000, 120_000_000], "已缴": [0, None]}, money=True)
    assert option["yAxis"]["name"] == "万元"
    assert [s["data"] for s in option["series"]] == [[300.0, 120.0], [0.0, None]]
    assert option["legend"]["data"] == ["应缴", "已缴"]
    assert option["toolbox"]["feature"]["saveAsImage"]["title"] == "保存为图片（PNG）"
    assert "graphic" not in option


def test_a_chart_without_values_says_so_in_the_active_language():
    with translation.override("zh-hans"):
        empty = charts.bar([], {"x": []})
    with translation.override("en"):
        empty_en = charts.line(["2019"], {"x": [None]})
    assert empty["graphic"][0]["style"]["text"] == "暂无数据"
    assert empty_en["graphic"][0]["style"]["text"] == "No data"


def test_city_names_follow_the_language(reference):
    with translation.override("zh-hans"):
        assert charts.city_names(["SH", "SZ"]) == {"SH": "上海", "SZ": "苏州"}
    with translation.override("en"):
        assert charts.city_names(["SH"]) == {"SH": "Shanghai"}


def test_the_clearing_net_positions_chart_names_cities_not_codes(reference):
    from metrocoop.clearing.charts import city_bar_option

    with translation.override("en"):
        option = city_bar_option(["SH", "SZ"], {"2026-01": [-1_500_00, 1_500_00]}, "Net positions", money=True)
    assert option["xAxis"]["data"] == ["Shanghai", "Suzhou"]
    assert option["yAxis"]["name"] == "yuan"
    assert option["series"][0]["data"] == [-1500.0, 1500.0]
