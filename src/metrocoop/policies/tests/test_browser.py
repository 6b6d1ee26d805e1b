"""Browser test of the policy search as a citizen or official uses it: Debian's chromium driven by Playwright
against a live server with the demo corpus (a search, highlighted snippets, a facet applied through htmx, a search
within the results, and the note shown when more documents match than the candidate window holds)."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def corpus(demo_users):
    from metrocoop.policies.demo_data import load

    load()


def _count(p) -> int:
    return int(re.search(r"\d+", p.locator("[data-testid=result-count]").inner_text()).group())


def test_a_search_narrowed_by_a_facet_and_within_its_results(page, corpus):
    page.goto("/policies/")
    page.fill("[data-testid=policy-search-form] input[name=q]", "异地就医")
    page.press("[data-testid=policy-search-form] input[name=q]", "Enter")
    page.wait_for_selector("[data-testid=hit]")
    total = _count(page)
    assert total >= 2
    assert page.locator("[data-testid=hit] .mc-snippet mark").count() > 0  # the words are highlighted
    assert page.locator("[data-testid=window-note]").count() == 0  # a small corpus: every count is exact
    # a city facet, applied through htmx: the count and the hits follow it, and the URL can be shared
    facet = page.locator("[data-testid=facets] a[data-facet=city]").first
    facet_count = int(facet.locator("xpath=..").locator(".badge").inner_text())
    facet.click()
    # waits by locator: a wait_for_function string is evaluated with eval, which the Content-Security-Policy refuses
    page.locator("[data-testid=facets] li.active").first.wait_for()
    assert _count(page) == facet_count <= total
    assert "city=" in page.url
    # search within these results
    page.fill("[data-testid=refine-form] input[name=refine]", "备案")
    page.click("[data-testid=refine-form] button[type=submit]")
    page.get_by_text("备案").first.wait_for()
    assert _count(page) <= facet_count
    assert page.console_errors == []
    assert page.external_requests == []


def test_more_matches_than_the_window_are_said_to_be_so(page, corpus, settings):
    settings.POLICIES_SEARCH_WINDOW = 3
    page.goto("/policies/?q=上海")
    page.wait_for_selector("[data-testid=hit]")
    assert "3" in page.locator("[data-testid=result-count]").inner_text()
    assert page.locator("[data-testid=window-note]").is_visible()
    assert page.locator("[data-testid=facets-window]").is_visible()
    assert page.console_errors == []
