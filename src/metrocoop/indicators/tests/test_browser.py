"""Browser test: a reader opens the explorer, the chart is drawn offline, a measure expands to show its steps;
a liaison uploads a bad spreadsheet and reads the full report."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.browser_locale("zh-CN"), pytest.mark.django_db(transaction=True)]


def test_the_explorer_draws_its_chart_and_explains_a_measure(page, paper_data):
    page.goto("/indicators/?indicator=gdp-per-capita&year=2019")
    page.wait_for_selector("[data-chart=explorer-chart][data-drawn='1'] canvas")
    williamson = page.locator("[data-testid=measure-williamson]")
    williamson.locator("summary").click()
    assert williamson.locator("ol li").count() >= 3 and williamson.locator("tbody tr").count() == 9
    page.goto("/indicators/commuting/")
    page.wait_for_selector("[data-chart=flow-map][data-drawn='1'] canvas")
    assert page.console_errors == [] and page.external_requests == []


def test_a_liaison_uploads_a_bad_sheet_and_reads_every_bad_cell(page, paper_data, tmp_path):
    page.goto("/login/")
    page.fill("#id_username", "liaison-nt")
    page.fill("#id_password", "metrocoop-demo")
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_url("**/")
    bad = tmp_path / "bad.csv"
    bad.write_text("city,year,indicator,value\nNT,2020,gdp,abc\nSZ,2020,gdp,1\nNT,1999,gdp,1\n", encoding="utf-8")
    page.goto("/indicators/import/")
    page.set_input_files("input[name=file]", str(bad))
    page.click("[data-testid=import-form] button")
    rows = page.locator("[data-testid=import-errors] tbody tr")
    rows.first.wait_for()
    assert rows.count() == 3
    assert page.console_errors == []
