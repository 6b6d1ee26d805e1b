"""Browser test of the map page: Debian's chromium (Playwright) against a live server with the demo layers. The map
draws the nine member cities from the bundled boundaries and the layers on them; a click on a conflict in the list
highlights it on the map and in the list; nothing is fetched from outside."""

import pytest

from metrocoop.core.browser_testing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.demo_data("spatial")]

MEMBERS = ["上海", "苏州", "无锡", "常州", "南通", "宁波", "嘉兴", "湖州", "舟山"]


def _series(page, series_id):
    return page.evaluate(
        """(id) => {
            const chart = echarts.getInstanceByDom(document.querySelector('[data-testid=spatial-map]'));
            const s = chart.getOption().series.find((x) => x.id === id);
            return s ? s.data : null;
        }""",
        series_id,
    )


def test_the_map_draws_the_member_cities_and_a_click_highlights_a_conflict(page, demo):
    from metrocoop.spatial.models import Conflict

    log_in(page, "office")
    page.goto("/spatial/")
    page.wait_for_selector("[data-testid=spatial-map][data-drawn='1']", state="attached", timeout=20_000)
    svg = page.locator("[data-testid=spatial-map] svg")
    # the nine member cities are drawn with their names, from the boundaries registered in the browser
    texts = svg.locator("text").all_text_contents()
    for name in MEMBERS:
        assert name in texts, name
    registered = page.evaluate("() => echarts.getMap('metro-area').geoJSON.features.map((f) => f.properties.name)")
    assert set(MEMBERS) <= set(registered)
    # and a layer on them: the hospitals as points, the corridors as lines
    assert len(_series(page, "layer-hospital")) >= 9
    assert len(_series(page, "layer-ecological_corridor-lines")) >= 2
    assert svg.locator("path").count() > 50

    # when the office clicks a conflict in the list
    conflict = Conflict.objects.filter(rule__kind="near_water_protection").first()
    assert _series(page, "conflict-highlight") == []
    page.click(f"[data-conflict='{conflict.pk}']")
    # then it is highlighted on the map (both ends of the distance) and in the list
    page.wait_for_selector(f"[data-testid=spatial-map][data-highlighted='{conflict.pk}']", state="attached")
    marks = _series(page, "conflict-highlight")
    assert len(marks) == 2
    assert all(119 < m["value"][0] < 123 and 29 < m["value"][1] < 33 for m in marks)
    assert "table-danger" in page.locator(f"[data-conflict-row='{conflict.pk}']").get_attribute("class")
    # another conflict moves the highlight
    other = Conflict.objects.exclude(pk=conflict.pk).first()
    page.click(f"[data-conflict='{other.pk}']")
    page.wait_for_selector(f"[data-testid=spatial-map][data-highlighted='{other.pk}']", state="attached")
    assert "table-danger" not in (page.locator(f"[data-conflict-row='{conflict.pk}']").get_attribute("class") or "")
    assert page.console_errors == []
    assert page.external_requests == []


def test_the_dashboard_draws_the_indicator_map(page):
    page.goto("/")
    page.wait_for_selector("[data-testid=dashboard-map][data-drawn='1']", state="attached", timeout=20_000)
    names = page.evaluate(
        """() => echarts.getInstanceByDom(document.querySelector('[data-testid=dashboard-map]'))
            .getOption().series[0].data.filter((d) => typeof d.value === "number").map((d) => d.name)"""
    )
    assert sorted(names) == sorted(MEMBERS)
    assert page.console_errors == []
    assert page.external_requests == []
