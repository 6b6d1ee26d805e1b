"""Browser tests: Debian's chromium driven by Playwright against a live server, as a liaison would use the shell."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

from metrocoop.core.browser_testing import log_in  # noqa: E402  (browser and page: the root conftest's plugin)


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
