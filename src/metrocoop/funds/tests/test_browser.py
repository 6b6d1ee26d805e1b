"""Browser test of the joint funds' assessment as the office uses it: Debian's chromium driven by Playwright against
a live server with the demo funds (a what-if with other weights is shown as a simulation and changes nothing)."""

import pytest

from metrocoop.core.browser_testing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def draft_cycle(demo_users):
    from metrocoop.council.demo_data import load as load_council
    from metrocoop.funds.demo_data import load
    from metrocoop.funds.models import AssessmentCycle

    load_council()
    load()
    cycle = AssessmentCycle.objects.filter(status="draft").first()
    if cycle is None:
        pytest.fail("the demo funds have no draft assessment cycle")
    return cycle


def test_a_what_if_is_a_simulation_and_changes_nothing(page, draft_cycle):
    from metrocoop.funds.models import AssessmentResult
    from metrocoop.ledger.models import Transfer

    transfers, results = Transfer.objects.count(), AssessmentResult.objects.count()
    log_in(page, "office")
    page.goto(f"/funds/assessment/{draft_cycle.pk}/")
    weights = page.locator("[data-testid=what-if] input[name^=w_]")
    assert weights.count() >= 2
    weights.first.fill("0.9")
    for i in range(1, weights.count()):
        weights.nth(i).fill("0.05")
    page.locator("[data-testid=what-if] button").click()
    page.wait_for_selector(".alert-warning")
    assert page.locator("[data-testid=scores] tbody tr").count() >= 2
    assert page.locator("[data-testid=what-if] input[name^=w_]").first.input_value() == "0.9"  # the weights stay
    draft_cycle.refresh_from_db()
    assert draft_cycle.status == "draft"
    assert (Transfer.objects.count(), AssessmentResult.objects.count()) == (transfers, results)
    assert page.console_errors == []
    assert page.external_requests == []
