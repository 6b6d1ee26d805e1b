"""Browser test of the council cycle as a city's liaison uses it: Debian's chromium driven by Playwright against a
live server with the demo plan (a quarterly report submitted on a work item the city leads; another city's liaison
cannot report for it)."""

import pytest

from metrocoop.core.browser_testing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def led_item(demo_users):
    """A leaf work item of the plan in progress, led by Suzhou, with no report accepted for the fourth quarter."""
    from metrocoop.council.demo_data import load
    from metrocoop.council.models import ProgressReport, WorkItem

    load()
    items = WorkItem.objects.filter(plan__status="in_progress", lead_city__code="SZ", children__isnull=True)
    for item in items.order_by("code"):
        if not ProgressReport.objects.filter(item=item, city=item.lead_city, quarter=4).exists():
            return item
    pytest.fail("the demo plan has no Suzhou item without a fourth-quarter report")


def _submit(page, item, percent: str, narrative: str) -> None:
    page.goto(item.get_absolute_url())
    form = page.locator("form[action$='/report/']")
    form.locator("select[name=city]").select_option(label=item.lead_city.name)
    form.locator("select[name=quarter]").select_option("4")
    form.locator("input[name=percent_complete]").fill(percent)
    form.locator("textarea[name=narrative]").fill(narrative)
    form.locator("button").click()
    page.wait_for_load_state()


def test_a_liaison_reports_progress_on_an_item_its_city_leads(page, led_item):
    from metrocoop.council.models import ProgressReport

    log_in(page, "liaison-sz")
    _submit(page, led_item, "65", "浏览器测试：完成联合调研")
    row = page.locator("[data-testid=reports] tbody tr", has_text="浏览器测试：完成联合调研")
    assert row.count() == 1 and "65%" in row.inner_text()
    report = ProgressReport.objects.get(item=led_item, city=led_item.lead_city, quarter=4)
    assert (report.percent_complete, report.review_status) == (65, "pending")  # a lead city's report is reviewed
    assert page.console_errors == []
    assert page.external_requests == []


def test_another_citys_liaison_cannot_report_for_it(page, led_item):
    from metrocoop.council.models import ProgressReport

    log_in(page, "liaison-wx")
    page.goto(led_item.get_absolute_url())
    options = page.locator("form[action$='/report/'] select[name=city] option")
    assert led_item.lead_city.name not in [options.nth(i).inner_text() for i in range(options.count())]
    # and a hand-made request for Suzhou, with the page's own session and CSRF token, is refused too
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"{led_item.get_absolute_url()}report/",
        form={"city": str(led_item.lead_city.pk), "quarter": "4", "percent_complete": "99", "narrative": "不应保存"},
        headers={"X-CSRFToken": token, "Referer": page.url},
    )
    assert "CSRF verification failed" not in response.text()  # it reached the view: refused for its city
    assert not ProgressReport.objects.filter(item=led_item, city=led_item.lead_city, quarter=4).exists()
