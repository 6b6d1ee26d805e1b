"""Browser test: a reader opens the explorer, the chart is drawn offline, a measure expands to show its steps;
a liaison uploads a bad spreadsheet and reads the full report."""

import os
import shutil

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("chromium is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, demo_users):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.external = []
    page.on("request", lambda req: None if req.url.startswith(live_server.url) else page.external.append(req.url))
    yield page
    context.close()


def test_the_explorer_draws_its_chart_and_explains_a_measure(page, paper_data):
    page.goto("/indicators/?indicator=gdp-per-capita&year=2019")
    page.wait_for_selector("[data-chart=explorer-chart][data-drawn='1'] canvas")
    williamson = page.locator("[data-testid=measure-williamson]")
    williamson.locator("summary").click()
    assert williamson.locator("ol li").count() >= 3 and williamson.locator("tbody tr").count() == 9
    page.goto("/indicators/commuting/")
    page.wait_for_selector("[data-chart=flow-map][data-drawn='1'] canvas")
    assert page.errors == [] and page.external == []


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
    assert page.errors == []
