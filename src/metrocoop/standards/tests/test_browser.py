"""Browser test of the standards pages as a liaison uses them: Debian's chromium driven by Playwright against a live
server with the demo data (the harmonisation chart drawn with the strictest marked, a value changed for the
liaison's own city with the old one in the history, the recognition matrix and the query)."""

import pytest

from metrocoop.core.browser_testing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.demo_data("standards")]


def test_a_liaison_reads_the_comparison_changes_its_value_and_asks_about_recognition(page, demo):
    log_in(page, "liaison-sz")
    page.console_errors.clear()  # the dashboard after sign-in is not this module's page
    page.goto("/standards/parameters/TP/")
    page.wait_for_selector("[data-chart=chart-0][data-drawn='1']", state="attached", timeout=10_000)
    table = page.locator("[data-testid=harmonisation-1]")
    assert "300" in table.locator("tr[data-city=JX]").inner_text()  # as written, in µg/L
    # the city list offers only Suzhou
    options = page.locator("[data-testid=limit-form] select[name=city] option")
    assert [o for o in options.all_inner_texts() if o.strip() and "---" not in o] == ["苏州"]
    page.select_option("[data-testid=limit-form] select[name=city]", label="苏州")
    page.fill("[data-testid=limit-form] input[name=category]", "城镇污水处理厂")
    page.fill("[data-testid=limit-form] input[name=value]", "250")
    page.fill("[data-testid=limit-form] input[name=unit]", "µg/L")
    page.click("[data-testid=limit-form] button[type=submit]")
    page.wait_for_selector("[data-testid=history] >> text=苏州")
    assert "0.25" in page.locator("[data-testid=harmonisation-1] tr[data-city=SZ]").inner_text()
    assert "strictest" in page.locator("[data-testid=harmonisation-1] tr[data-city=SZ]").inner_text().lower() or (
        "最严" in page.locator("[data-testid=harmonisation-1] tr[data-city=SZ]").inner_text()
    )
    page.goto("/standards/recognition/talent/")
    assert "table-warning" in page.locator("[data-pair=SH-SZ]").get_attribute("class")
    page.goto("/standards/recognised/?type=hitech&issued_in=SH&recognised_in=CZ&on=2024-06-01")
    assert page.locator("[data-testid=verdict]").get_attribute("class").endswith("text-danger")
    assert page.console_errors == []
    assert page.external_requests == []


def test_the_pages_fit_a_390_px_phone(page, demo):
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (
        "/standards/",
        "/standards/catalogue/",
        "/standards/parameters/TP/",
        "/standards/recognition/talent/",
        "/standards/recognised/",
        "/standards/proposals/",
    ):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width} px wide"
