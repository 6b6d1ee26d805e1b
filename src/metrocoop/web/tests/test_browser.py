"""Browser tests: Debian's chromium driven by Playwright against a live server, as a liaison would use the shell."""

import os
import shutil

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("chromium is not installed: `make test` installs Debian's chromium (scripts/ensure_browser.sh)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, demo_users):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    # the platform is offline: any request that leaves the live server is a failure
    page.external_requests = []
    page.on(
        "request", lambda req: None if req.url.startswith(live_server.url) else page.external_requests.append(req.url)
    )
    yield page
    context.close()


def log_in(page, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "metrocoop-demo")
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_url("**/")


def test_liaison_logs_in_sees_the_chart_switches_language_and_back(page):
    log_in(page, "liaison-sz")
    assert page.locator("[data-testid=current-user]").inner_text().startswith("苏州联络员")
    assert page.url.endswith("/home/")  # signed in, each person lands on what awaits them
    page.get_by_role("link", name="总览").first.click()  # the dashboard stays one click away
    page.wait_for_url("**/")
    assert page.locator("nav").get_by_text("总览").is_visible()  # Chinese first, though the browser asks for en-US
    chart = page.locator("[data-testid=dashboard-chart]")
    chart.locator("canvas").first.wait_for(state="attached", timeout=10_000)
    assert chart.get_attribute("data-drawn") == "1"
    assert page.locator("[data-testid=table1] tbody tr").count() == 9

    page.click("[data-testid=lang-en]")
    page.wait_for_selector("[data-testid=lang-zh]")
    assert page.locator("nav").get_by_text("Dashboard").is_visible()
    page.reload()
    assert page.locator("nav").get_by_text("Dashboard").is_visible()  # remembered

    page.click("[data-testid=lang-zh]")
    page.wait_for_selector("[data-testid=lang-en]")
    assert page.locator("nav").get_by_text("总览").is_visible()
    assert page.console_errors == []
    assert page.external_requests == []


def test_liaison_edits_its_own_city_profile_in_place(page):
    log_in(page, "liaison-sz")
    page.goto("/cities/SZ/")
    page.click("[data-testid=edit-profile]")
    form = page.locator("[data-testid=profile-form]")
    form.wait_for()
    form.locator("textarea[name=positioning]").fill("长三角先进制造与科创中心")
    form.locator("[data-testid=save-profile]").click()
    page.wait_for_selector("[data-testid=profile-saved]")
    assert page.locator("[data-testid=profile-positioning]").inner_text() == "长三角先进制造与科创中心"
    assert page.url.endswith("/cities/SZ/")  # edited in place, no page change
    page.reload()
    assert page.locator("[data-testid=profile-positioning]").inner_text() == "长三角先进制造与科创中心"
    page.goto("/cities/WX/")
    assert page.locator("[data-testid=edit-profile]").count() == 0
    assert page.console_errors == []


def test_the_office_exports_the_audit_trail_and_watches_the_progress(page, live_server):
    from django.core.management import call_command

    log_in(page, "office")
    page.goto("/audit/")
    page.click("[data-testid=audit-export]")
    page.wait_for_selector("[data-testid=job][data-status=queued]")
    call_command("worker", "--batch")  # the task worker takes the queued job while the page keeps polling
    page.wait_for_selector("[data-testid=job][data-status=succeeded]", timeout=15_000)
    with page.expect_download() as download:
        page.click("[data-testid=job-download]")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert page.console_errors == []
