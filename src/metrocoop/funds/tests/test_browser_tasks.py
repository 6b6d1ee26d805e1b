"""Browser tests of the funds' daily tasks, each done by the demo role that does it, logged in through the real login
form (Debian's chromium driven by Playwright against a live server with the demo council and funds): the office
screens a project and sends it to expert review, an expert reviews it, the office records the council's approval and
a contribution payment. Every irreversible step asks for confirmation first and says afterwards what happened."""

import pytest

# the browser, page fixtures come from this plugin (root conftest)
from metrocoop.core.browser_testing import answer_dialogs, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.demo_data("council", "funds")]

SUBMITTED = "大都市圈异地就医一站式服务平台"  # the demo project left as submitted
UNDER_REVIEW = "沪甬跨海通道前期研究"  # a demo project reviewed and awaiting the council's decision


def _clean(page):
    assert page.console_errors == []
    assert page.external_requests == []


def _office_opens(page, title: str, status: str):
    """The office signs in and opens the demo project called `title`, which is `status`. Returns the project and
    the list the page's confirmations are kept in (each one accepted)."""
    from metrocoop.funds.models import Project

    project = Project.objects.get(title=title)
    assert project.status == status
    asked = answer_dialogs(page)
    log_in(page, "office")
    page.goto(f"/funds/projects/{project.pk}/")
    return project, asked


def test_the_office_screens_a_submitted_project_and_sends_it_to_expert_review(page, demo):
    project, asked = _office_opens(page, SUBMITTED, "submitted")
    page.locator("[data-testid=screen-form] button").click()
    page.wait_for_selector(".alert-success")
    assert len(asked) == 1  # the office was asked first
    assert page.locator("[data-testid=project-status]").inner_text() == "专家评审中"
    assert "送专家评审" in page.locator(".alert-success").inner_text()
    assert page.locator("[data-testid=screen-form]").count() == 0
    assert "✔" in page.locator("body").inner_text()  # the checks are shown
    project.refresh_from_db()
    assert project.status == "under_review" and project.eligibility["checks"]
    _clean(page)


def test_an_expert_reviews_a_project_under_review(page, demo):
    from metrocoop.funds import services
    from metrocoop.funds.models import Project, ProjectReview

    project = Project.objects.get(title=SUBMITTED)
    services.do_check_eligibility(project, actor=project.submitted_by.__class__.objects.get(username="office"))
    asked = answer_dialogs(page)
    log_in(page, "expert")
    page.goto("/funds/projects/")
    page.get_by_role("link", name=SUBMITTED).first.click()
    form = page.locator("[data-testid=review-form]")
    for name, score in (("regional_benefit", "88"), ("feasibility", "75"), ("cost_effectiveness", "80")):
        form.locator(f"input[name={name}]").fill(score)
    form.locator("input[name=readiness]").fill("70")
    form.locator("textarea[name=comment]").fill("浏览器测试：方案可行，建议加快前期工作。")
    form.locator("button").click()
    page.wait_for_selector(".alert-success")
    assert len(asked) == 1
    review = ProjectReview.objects.get(project=project, expert__username="expert")
    assert review.scores == {"regional_benefit": 88, "feasibility": 75, "cost_effectiveness": 80, "readiness": 70}
    row = page.locator("tr", has_text="浏览器测试：方案可行")
    assert row.count() == 1 and str(review.total).rstrip("0").rstrip(".") in row.inner_text()
    assert page.locator("[data-testid=review-form]").count() == 0  # once per expert
    _clean(page)


def test_an_expert_from_an_applicant_city_gets_no_review_form(page, demo):
    from metrocoop.funds.models import Project

    project = Project.objects.get(title=UNDER_REVIEW)  # 宁波 leads it
    log_in(page, "expert-nb")
    page.goto(f"/funds/projects/{project.pk}/")
    assert page.locator("[data-testid=review-form]").count() == 0
    assert page.locator("[data-testid=no-review]").is_visible()
    _clean(page)


def test_the_office_records_the_councils_approval_of_a_reviewed_project(page, demo):
    project, asked = _office_opens(page, UNDER_REVIEW, "under_review")
    form = page.locator("[data-testid=decision-form]")
    form.locator("select[name=decision]").select_option("approve")
    form.locator("select[name=resolution]").select_option(index=1)
    form.locator("input[name=approved]").fill("60000000")
    form.locator("textarea[name=tranches]").fill("20000000 完成工程可行性研究\n40000000 完成初步设计")
    form.locator("button").click()
    page.wait_for_selector(".alert-success")
    assert len(asked) == 1
    assert page.locator("[data-testid=project-status]").inner_text() == "已批准"
    assert "60,000,000.00" in page.locator(".alert-success").inner_text()
    project.refresh_from_db()
    assert (project.status, project.approved_fen) == ("approved", 60_000_000 * 100)
    assert [(t.amount_fen, t.milestone) for t in project.tranches.order_by("sequence")] == [
        (20_000_000 * 100, "完成工程可行性研究"),
        (40_000_000 * 100, "完成初步设计"),
    ]
    assert page.locator("[data-testid=decision-form]").count() == 0
    _clean(page)


def test_tranches_that_do_not_add_up_are_refused_with_a_reason(page, demo):
    project, _ = _office_opens(page, UNDER_REVIEW, "under_review")
    form = page.locator("[data-testid=decision-form]")
    form.locator("select[name=resolution]").select_option(index=1)
    form.locator("input[name=approved]").fill("60000000")
    form.locator("textarea[name=tranches]").fill("20000000 完成工程可行性研究")
    form.locator("button").click()
    page.wait_for_selector(".alert-danger")
    assert "各期拨款之和须等于批准金额" in page.locator(".alert-danger").inner_text()
    project.refresh_from_db()
    assert project.status == "under_review" and not project.tranches.exists()
    _clean(page)


def test_the_office_records_a_contribution_payment_on_a_call(page, demo):
    from metrocoop.funds.models import ContributionNotice
    from metrocoop.ledger.models import Transfer

    notice = ContributionNotice.objects.filter(city__code="ZS", call__fund__kind="investment").get()
    owed, transfers = notice.arrears_fen, Transfer.objects.count()
    assert owed > 0
    log_in(page, "office")
    page.goto(f"/funds/calls/{notice.call_id}/")
    form = page.locator("[data-testid=payment-form]")
    form.locator("select[name=notice]").select_option(label="舟山")
    form.locator("input[name=amount]").fill("1000000.50")
    form.locator("input[name=reference]").fill("ZS-BANK-0001")
    asked = answer_dialogs(page, accept=False, once=True)  # the office changes its mind: nothing is recorded
    form.locator("button").click()
    assert asked and Transfer.objects.count() == transfers
    asked_again = answer_dialogs(page)
    form.locator("button").click()
    page.wait_for_selector(".alert-success")
    assert len(asked_again) == 1
    notice.refresh_from_db()
    assert notice.paid_fen == 100_000_050 and notice.arrears_fen == owed - 100_000_050
    assert Transfer.objects.count() == transfers + 1
    message = page.locator(".alert-success").inner_text()
    assert "1,000,000.50" in message and "舟山" in message
    row = page.locator("[data-testid=notices] tbody tr", has_text="舟山")
    assert "1,000,000.50" in row.inner_text()
    _clean(page)


def test_a_liaison_sees_no_payment_form_nor_project_actions(page, demo):
    from metrocoop.funds.models import ContributionNotice, Project

    notice = ContributionNotice.objects.filter(city__code="ZS", call__fund__kind="investment").get()
    project = Project.objects.get(title=SUBMITTED)
    log_in(page, "liaison-nt")
    page.goto(f"/funds/calls/{notice.call_id}/")
    assert page.locator("[data-testid=payment-form]").count() == 0
    page.goto(f"/funds/projects/{project.pk}/")
    assert page.locator("[data-testid=screen-form]").count() == 0
    # and a hand-made request with the page's own session and CSRF token is refused, changing nothing
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"/funds/projects/{project.pk}/screen/", form={"csrfmiddlewaretoken": token}, headers={"X-CSRFToken": token}
    )
    assert response.status == 403
    project.refresh_from_db()
    assert project.status == "submitted"
