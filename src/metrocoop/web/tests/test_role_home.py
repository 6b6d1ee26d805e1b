"""Browser test of the role home pages: every demo role signs in through the real login form (Debian's chromium driven
by Playwright against a live server with all the demo data) and lands on a page listing what awaits it — reports to
review, projects to screen, decide or review, overdue items, open consultations, unpaid instructions and
contributions — each section checked against the database, each listed link opening."""

import pytest

from metrocoop.core.browser_testing import log_in  # the browser, page fixtures come from this plugin (root conftest)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NT_PROJECT = "大都市圈异地就医一站式服务平台"  # the demo project left as submitted


@pytest.fixture
def demo(demo_users):
    from metrocoop.demo_data import load_module_demo_data
    from metrocoop.funds import services
    from metrocoop.funds.models import Project

    load_module_demo_data()
    # the office has screened the Nantong project: it waits for the experts' reviews (the demo's experts reviewed
    # every other project they may review already)
    services.do_check_eligibility(Project.objects.get(title=NT_PROJECT), actor=demo_users["office"])
    return demo_users


def _home(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    log_in(page, username)
    assert page.url.endswith("/home/"), page.url  # signed in, the person lands on what awaits them
    return context, page


def _section(page, key):
    section = page.locator(f"[data-section={key}]")
    assert section.count() == 1, f"no section {key}"
    items = section.locator("li.list-group-item a")
    return int(section.locator("[data-testid=count]").inner_text()), section.inner_text(), items


def _sections(page):
    found = page.locator("[data-section]")
    return {found.nth(i).get_attribute("data-section") for i in range(found.count())}


def _links_open(page, items):
    for i in range(min(items.count(), 3)):
        href = items.nth(i).get_attribute("href")
        assert page.request.get(href).status == 200, href


def test_each_roles_home_page_lists_its_pending_work(browser, live_server, demo):
    from metrocoop.clearing.models import SettlementInstruction
    from metrocoop.council.models import ProgressReport
    from metrocoop.council.selectors import board_rows
    from metrocoop.funds.models import ContributionNotice
    from metrocoop.policies.models import Consultation

    pending_reports = ProgressReport.objects.filter(review_status="pending").count()
    unpaid = SettlementInstruction.objects.filter(status="pending")
    open_consultations = Consultation.objects.filter(status="open").count()
    board = board_rows()
    owing = [n.city.name for n in ContributionNotice.objects.select_related("city") if n.arrears_fen > 0]
    assert pending_reports and unpaid.exists() and open_consultations and board and owing  # the demo has work

    # the council office: reports to review, a project under review to decide, arrears, instructions, consultations
    context, page = _home(browser, live_server, "office")
    count, text, items = _section(page, "reports-to-review")
    assert count == pending_reports
    _links_open(page, items)
    count, text, _ = _section(page, "projects-to-decide")
    assert NT_PROJECT in text
    count, text, _ = _section(page, "projects-to-screen")
    assert count == 0 and "没有待资格审查的项目" in text  # the Nantong project was screened
    count, text, _ = _section(page, "arrears")
    assert count == len(owing) and "舟山" in text and "湖州" in text
    count, _, items = _section(page, "instructions")
    assert count == unpaid.count()
    _links_open(page, items)
    assert _section(page, "overdue")[0] == len(board)
    assert _section(page, "consultations")[0] == open_consultations
    assert page.locator("[data-testid=nav-home]").is_visible()
    assert page.console_errors == []
    context.close()

    # an expert: the project to review, and no office work
    context, page = _home(browser, live_server, "expert")
    count, text, items = _section(page, "projects-to-review")
    assert count == 1 and NT_PROJECT in text
    _links_open(page, items)
    assert not {"reports-to-review", "projects-to-screen", "instructions", "arrears"} & _sections(page)
    context.close()

    # a liaison of a city in arrears with overdue items: what its city owes and its overdue items, nothing else's
    context, page = _home(browser, live_server, "liaison-zs")
    count, text, _ = _section(page, "arrears")
    assert count == owing.count("舟山") and "湖州" not in text
    count, text, items = _section(page, "overdue")
    assert count == len([r for r in board if r.city_code == "ZS"]) > 0
    _links_open(page, items)
    assert _section(page, "consultations")[0] == open_consultations
    assert not {"reports-to-review", "instructions", "projects-to-decide"} & _sections(page)
    context.close()

    # a medical-insurance bureau: its city's unpaid settlement instructions
    context, page = _home(browser, live_server, "medical-sz")
    count, text, items = _section(page, "instructions")
    assert count == unpaid.filter(payer__code="SZ").count() + unpaid.filter(payee__code="SZ").count() > 0
    _links_open(page, items)
    assert "overdue" not in _sections(page)
    context.close()

    # the auditor reads every city's overdue items; the researcher has no tasks and is told so
    context, page = _home(browser, live_server, "auditor")
    assert _section(page, "overdue")[0] == len(board)
    context.close()
    context, page = _home(browser, live_server, "researcher")
    assert _sections(page) == set() and page.locator("[data-testid=nothing]").is_visible()
    context.close()


def test_the_home_page_asks_an_anonymous_visitor_to_sign_in(browser, live_server, demo_users):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.goto("/home/")
    assert "/login/" in page.url
    context.close()
