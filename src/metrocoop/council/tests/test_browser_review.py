"""Browser tests of the office's review queue: a lead city's quarterly report awaits review, the office is told (a
notification), opens the queue on the board from it and reviews the report there, logged in through the real login
form (Debian's chromium driven by Playwright against a live server with the demo council). Saving a review asks
for confirmation first and says afterwards what happened."""

import pytest

# the browser, page fixtures come from this plugin (root conftest)
from metrocoop.core.browser_testing import answer_dialogs, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submitted_report(demo_users):
    """Suzhou's liaison reports on a leaf item its city leads (fourth quarter, not reported yet)."""
    from metrocoop.council import services
    from metrocoop.council.demo_data import load
    from metrocoop.council.models import ProgressReport, WorkItem

    load()
    items = WorkItem.objects.filter(plan__status="in_progress", lead_city__code="SZ", children__isnull=True)
    item = next(
        (i for i in items.order_by("code") if not ProgressReport.objects.filter(item=i, city=i.lead_city, quarter=4)),
        None,
    )
    if item is None:
        pytest.fail("the demo plan has no Suzhou item without a fourth-quarter report")
    return services.do_submit_report(
        item,
        item.lead_city,
        4,
        percent_complete=80,
        narrative="浏览器测试：完成跨市联合验收",
        actor=demo_users["liaison-sz"],
    )


def test_the_office_is_told_and_accepts_a_report_from_its_queue(page, submitted_report):
    from metrocoop.core.models import Notification

    report = submitted_report
    waiting = Notification.objects.filter(
        recipient__username="office", kind="council.report_pending", read_at__isnull=True
    )
    assert waiting.filter(object_id=str(report.pk)).count() == 1
    asked = answer_dialogs(page)
    log_in(page, "office")
    badge = page.locator("[data-testid=notifications] .badge")
    assert badge.count() == 1 and int(badge.inner_text()) >= 1
    page.click("[data-testid=notifications]")
    entry = page.locator("[data-testid=notification-list] li", has_text=report.item.title).first
    assert "待审核" in entry.inner_text()
    entry.locator("button").click()  # opens the queue on the board
    page.wait_for_url("**/council/board/**")
    row = page.locator(f"[data-testid=review-queue] tr[data-report='{report.pk}']")
    assert row.count() == 1 and "浏览器测试：完成跨市联合验收" in row.inner_text() and "80%" in row.inner_text()
    row.locator("select[name=decision]").select_option("accept")
    row.locator("button").click()
    page.wait_for_selector(".alert-success")
    assert len(asked) == 1
    assert report.item.title in page.locator(".alert-success").inner_text()
    report.refresh_from_db()
    assert (report.review_status, report.reviewed_by.username) == ("accepted", "office")
    assert page.locator(f"[data-testid=review-queue] tr[data-report='{report.pk}']").count() == 0
    assert not waiting.filter(object_id=str(report.pk)).exists()  # the notice is done with once reviewed
    assert page.console_errors == []
    assert page.external_requests == []


def test_the_office_returns_a_report_with_a_comment_and_the_city_is_told(page, submitted_report):
    from metrocoop.core.models import Notification

    report = submitted_report
    answer_dialogs(page)
    log_in(page, "office")
    page.goto("/council/board/")
    row = page.locator(f"[data-testid=review-queue] tr[data-report='{report.pk}']")
    row.locator("select[name=decision]").select_option("return")
    row.locator("button").click()  # no comment: refused, nothing changes
    page.wait_for_selector(".alert-danger")
    report.refresh_from_db()
    assert report.review_status == "pending"
    row = page.locator(f"[data-testid=review-queue] tr[data-report='{report.pk}']")
    row.locator("select[name=decision]").select_option("return")
    row.locator("textarea[name=comment]").fill("请补充验收报告附件。")
    row.locator("button").click()
    page.wait_for_selector(".alert-success")
    assert "苏州" in page.locator(".alert-success").inner_text()
    report.refresh_from_db()
    assert (report.review_status, report.review_comment) == ("returned", "请补充验收报告附件。")
    told = Notification.objects.filter(recipient__username="liaison-sz", kind="council.report_returned")
    assert told.count() == 1


def test_only_the_office_has_a_review_queue(page, submitted_report):
    log_in(page, "liaison-sz")
    page.goto("/council/board/")
    assert page.locator("[data-testid=review-queue]").count() == 0
    log_in(page, "auditor")
    page.goto("/council/board/")
    assert page.locator("[data-testid=board-rows]").count() == 1
    assert page.locator("[data-testid=review-queue]").count() == 0
