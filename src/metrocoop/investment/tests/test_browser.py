"""Browser test of investment coordination: Debian's chromium driven by Playwright against a live server with the
demo data (the chain tree is drawn; the host of a park enters a year's figures and posts them once; the partner sees
the shares but cannot post; the leads page highlights the conflict)."""

import pytest

from metrocoop.core.browser_testing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.demo_data("investment")]


def test_the_host_enters_and_posts_a_year_the_partner_only_reads(page, demo):
    from metrocoop.investment.models import ParkYear
    from metrocoop.ledger.models import Transfer

    log_in(page, "liaison-nt")
    page.console_errors.clear()  # judge this module's pages (the dashboard after sign-in is another app's)
    page.goto("/investment/chains/nev/")
    page.wait_for_selector("[data-chart=chain-tree][data-drawn='1']", state="attached", timeout=10_000)
    page.goto("/investment/parks/sh-nt-shibei/")
    form = page.locator("[data-testid=park-year-form]")
    form.locator("input[name=year]").fill("2025")
    form.locator("input[name=tax_yuan]").fill("100.01")
    form.locator("input[name=gdp_yuan]").fill("3")
    form.locator("input[name=land_quota_m2]").fill("10")
    form.locator("button").click()
    page.wait_for_selector("[data-year='2025']")
    tax = page.locator("[data-year='2025'] tr[data-item=tax]")
    # 2025 is in the second phase (tax 6:4): 10,001 fen → 6,000.6 / 4,000.4 → NT 6,001, SH 4,000
    assert tax.locator("[data-city=NT]").inner_text().replace(",", "") == "60.01"
    assert tax.locator("[data-city=SH]").inner_text().replace(",", "") == "40.00"
    count = Transfer.objects.count()
    page.locator("[data-testid=post-2025]").click()
    page.wait_for_selector("[data-year='2025'] [data-testid=posted]")
    assert Transfer.objects.count() == count + 1
    assert ParkYear.objects.get(park__code="sh-nt-shibei", year=2025).posted_at is not None
    assert page.console_errors == []
    assert page.external_requests == []

    page.context.clear_cookies()
    log_in(page, "liaison-sh")
    page.goto("/investment/parks/sh-nt-shibei/")
    page.wait_for_selector("[data-year='2025'] [data-testid=posted]")
    assert page.locator("[data-testid=park-year-form]").count() == 0
    assert page.locator("[data-testid^=post-]").count() == 0


def test_the_leads_page_highlights_the_conflict_and_the_rule(page, demo):
    log_in(page, "liaison-sz")
    page.console_errors.clear()
    page.goto("/investment/leads/")
    page.wait_for_selector("[data-testid=conflicts]")
    assert page.locator("[data-testid=leads] tr.table-warning").count() >= 2
    assert page.locator("[data-testid=conflicts] [data-testid=rule]").first.inner_text().strip() != ""
    assert page.console_errors == []
