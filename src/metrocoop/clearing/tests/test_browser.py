"""Browser test of the clearing house as the office uses it: Debian's chromium driven by Playwright against a live
server with the demo claims (the dashboard's charts, a closed period's net positions and settlement instructions,
a payment confirmed against an instruction)."""

from decimal import Decimal

import pytest

from metrocoop.core.browser_testing import answer_dialogs, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.demo_data("clearing")]


def _yuan(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace("¥", "").strip() or "0")


def test_the_office_reads_a_closed_period_and_confirms_a_payment(page, demo):
    from metrocoop.clearing.models import Period

    log_in(page, "office")
    page.goto("/clearing/")
    for chart in ("clearing-flows", "clearing-nets", "clearing-reasons", "clearing-gaps"):
        page.wait_for_selector(f"[data-chart={chart}][data-drawn='1']", state="attached", timeout=10_000)
    closed = Period.objects.filter(status="closed").order_by("year", "month").first()
    page.goto(f"/clearing/periods/{closed.code}/")
    rows = page.locator("[data-testid=positions] tbody tr")
    nets = [_yuan(rows.nth(i).locator("td").nth(3).inner_text()) for i in range(rows.count())]
    assert len(nets) >= 2 and sum(nets) == 0 and any(nets)  # net positions sum to zero
    instructions = page.locator("[data-testid=instructions] tbody tr")
    paid = sum(_yuan(instructions.nth(i).locator("td").nth(2).inner_text()) for i in range(instructions.count()))
    assert 1 <= instructions.count() <= len(nets) - 1  # never more than n − 1 payments
    assert paid == sum(n for n in nets if n > 0)  # they settle every net position
    first = instructions.first
    first.locator("input[name=reference]").fill("BANK-REF-2026-001")
    asked = answer_dialogs(page)
    first.locator("button").click()
    page.wait_for_selector("text=BANK-REF-2026-001")
    assert len(asked) == 1  # confirming a payment is irreversible: the office was asked first
    assert page.locator(".alert-success").count() == 1  # and told what happened
    assert page.locator("[data-testid=instructions] input[name=reference]").count() == instructions.count() - 1
    assert page.console_errors == []
    assert page.external_requests == []


def test_a_city_bureau_cannot_confirm_payments(page, demo):
    from metrocoop.clearing.models import Period

    log_in(page, "medical-sz")
    closed = Period.objects.filter(status="closed").order_by("year", "month").first()
    page.goto(f"/clearing/periods/{closed.code}/")
    page.wait_for_selector("[data-testid=instructions]")
    assert page.locator("[data-testid=instructions] input[name=reference]").count() == 0
