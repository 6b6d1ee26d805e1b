"""Charts speak the page's language: the axis of a drawn chart in Chinese, and in English after switching (read
from the chart ECharts drew, not from the server's JSON), with the common frame of core.charts (PNG export)."""

from __future__ import annotations

import pytest

from metrocoop.core.browser_testing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

READ_OPTION = """() => {
    const option = echarts.getInstanceByDom(document.querySelector('[data-testid=dashboard-chart]')).getOption();
    return {axis: option.xAxis[0].data, save: option.toolbox[0].feature.saveAsImage.title,
            yLabel: option.yAxis[0].axisLabel.formatter ? 'formatted' : 'raw'};
}"""


def drawn_option(page) -> dict:
    page.locator("[data-testid=dashboard-chart][data-drawn='1']").wait_for(state="attached", timeout=10_000)
    return page.evaluate(READ_OPTION)


def test_the_dashboard_chart_axis_is_in_chinese_then_in_english(page):
    log_in(page, "liaison-sz")
    page.goto("/")
    option = drawn_option(page)
    assert "上海" in option["axis"] and "苏州" in option["axis"]
    assert not {"SH", "SZ", "Shanghai"} & set(option["axis"])
    assert option["save"] == "保存为图片（PNG）"
    assert option["yLabel"] == "formatted"  # figures grouped by app.js in the page's language

    page.click("[data-testid=lang-en]")
    page.wait_for_selector("[data-testid=lang-zh]")
    option = drawn_option(page)
    assert "Shanghai" in option["axis"] and "Suzhou" in option["axis"]
    assert "上海" not in option["axis"]
    assert option["save"] == "Save as image (PNG)"
    assert page.console_errors == []
