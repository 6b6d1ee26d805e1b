"""The assessment on the demo data: run through the page, then every amount recomputed by hand from what the page
shows (inputs, rule), with textbook arithmetic rather than the engine."""

import json
import re
from datetime import date
from fractions import Fraction
from html import unescape

import pytest
from django.core.exceptions import ValidationError

from metrocoop.core.testing import snapshot
from metrocoop.funds import services
from metrocoop.funds.choices import CycleStatus, FundKind
from metrocoop.funds.models import AssessmentCycle, AssessmentResult
from metrocoop.ledger.models import Account, Transfer

pytestmark = pytest.mark.django_db(transaction=True)  # the demo loaders commit, as `metrocoop demo` does


@pytest.fixture
def demo(demo_users):
    from metrocoop.demo_data import load_module_demo_data

    load_module_demo_data()
    return AssessmentCycle.objects.get(fund__kind=FundKind.REWARD, year=date.today().year)


def table(html: str, testid: str) -> dict[str, dict[str, str]]:
    """{city: {field: text, or data-fen / data-value where the cell shows a rounded figure}} of the table."""
    body = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for city, row in re.findall(r'<tr data-city="(\w+)">(.*?)</tr>', body, re.S):
        cells = {}
        for field, attrs, text in re.findall(r'data-field="(\w+)"([^>]*)>(.*?)</td>', row, re.S):
            exact = re.search(r'data-(?:fen|value)="([^"]*)"', attrs)  # the exact figure behind the shown one
            cells[field] = exact.group(1) if exact else unescape(text).strip()
        rows[city] = cells
    return rows


def largest_remainder(total: int, weights: dict[str, Fraction]) -> dict[str, int]:
    s = sum(weights.values())
    exact = {k: total * w / s for k, w in weights.items()}
    out = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (-(exact[k] - out[k]), k))[: total - sum(out.values())]:
        out[k] += 1
    return out


def test_the_assessment_on_the_demo_data_can_be_recomputed_by_hand_from_the_page(demo, browser_client):
    cycle = demo
    fund_account = Account.objects.get(code="fund:reward")
    balance_before = fund_account.balance_fen

    # when the office runs the cycle from its page
    assert browser_client("office").post(f"/funds/assessment/{cycle.pk}/run/").status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED

    # then the public page shows inputs, rule and amounts …
    html = browser_client(None).get(f"/funds/assessment/{cycle.pk}/").content.decode()
    rule = json.loads(re.search(r'id="rule-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    inputs, scores, aid = table(html, "inputs"), table(html, "scores"), table(html, "assistance")
    assert len(inputs) == 9 and set(scores) == set(inputs)

    # … and every score is 100 × Σ weight × input
    w = {k: Fraction(v) for k, v in rule["weights"].items()}
    by_hand = {
        city: 100 * sum(w[k] * Fraction(row[k]) for k in ("completion", "timeliness", "quality"))
        for city, row in inputs.items()
    }
    for city, exact in by_hand.items():
        assert scores[city]["score"] == f"{float(exact):.4f}", city
        assert int(scores[city]["rank"]) == 1 + sum(1 for v in by_hand.values() if v > exact)

    # rewards: the pool split by the parts of the places each city holds (ties share)
    payout = rule["payout"]
    shares = [Fraction(s) for s in payout["reward_shares"]]
    parts = {}
    for city, exact in by_hand.items():
        rank = 1 + sum(1 for v in by_hand.values() if v > exact)
        tied = [c for c, v in by_hand.items() if v == exact]
        parts[city] = sum(
            (shares[i] for i in range(rank - 1, rank - 1 + len(tied)) if i < len(shares)), Fraction(0)
        ) / len(tied)
    rewards = largest_remainder(payout["reward_pool_fen"], parts)
    for city in inputs:
        assert int(scores[city]["reward_fen"]) == rewards[city], city
        shortfall = max(Fraction(0), Fraction(payout["compensation_threshold"]) - by_hand[city])
        compensation = min(int(shortfall * payout["compensation_per_point_fen"]), payout["compensation_cap_fen"])
        assert int(scores[city]["compensation_fen"]) == compensation, city

    # assistance: cities below threshold_share of the regional average get gap_share × gap × population, scaled
    a = rule["assistance"]
    revenue = {c: Fraction(r["revenue"]) for c, r in aid.items()}
    population = {c: Fraction(r["population"]) for c, r in aid.items()}
    threshold = Fraction(a["threshold_share"]) * sum(revenue.values()) / sum(population.values())
    need = {
        c: Fraction(a["gap_share"])
        * max(Fraction(0), threshold - revenue[c] / population[c])
        * population[c]
        * Fraction(a["fen_per_unit"])
        for c in aid
    }
    budget = min(a["pool_fen"], int(sum(need.values())))
    expected_aid = largest_remainder(budget, need)
    for city in aid:
        assert int(aid[city]["assistance_fen"]) == expected_aid[city], city
    assert sum(expected_aid.values()) <= a["pool_fen"]

    # and the ledger moved exactly these amounts
    paid_out = sum(rewards.values()) + sum(expected_aid.values())
    charged = sum(int(scores[c]["compensation_fen"]) for c in inputs)
    fund_account.refresh_from_db()
    assert fund_account.balance_fen == balance_before - paid_out + charged
    assert Transfer.objects.filter(client_id__startswith=f"funds:assessment:{cycle.pk}:").count() == sum(
        1 for c in inputs for v in (rewards[c], expected_aid[c], int(scores[c]["compensation_fen"])) if v
    )


def test_a_closed_cycle_is_never_run_twice(demo, demo_users):
    services.do_run_cycle(demo, actor=demo_users["office"])
    before = snapshot(AssessmentResult), Transfer.objects.count(), Account.objects.get(code="fund:reward").balance_fen
    with pytest.raises(ValidationError):
        services.do_run_cycle(demo, actor=demo_users["office"])
    assert (
        snapshot(AssessmentResult),
        Transfer.objects.count(),
        Account.objects.get(code="fund:reward").balance_fen,
    ) == before


def test_a_what_if_run_posts_nothing_and_stores_nothing(demo, demo_users, browser_client):
    before = snapshot(AssessmentResult), Transfer.objects.count(), snapshot(AssessmentCycle)
    outcome = services.simulate_cycle(
        demo, {"weights": {"completion": "0.2", "timeliness": "0.2", "quality": "0.6"}}, actor=demo_users["office"]
    )
    assert len(outcome["scores"]["cities"]) == 9
    page = browser_client("office").post(
        f"/funds/assessment/{demo.pk}/", {"w_completion": "1", "w_timeliness": "0", "w_quality": "0"}
    )
    assert (page.status_code == 200 and "Simulation" in page.content.decode()) or "模拟" in page.content.decode()
    assert (snapshot(AssessmentResult), Transfer.objects.count(), snapshot(AssessmentCycle)) == before
