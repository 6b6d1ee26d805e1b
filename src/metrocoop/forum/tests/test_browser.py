"""Browser test: a stored-XSS attempt is shown as text and never runs (Debian's chromium through Playwright), and
the suggestion's public page fits a 390 px phone."""

import pytest

from metrocoop.core.browser_testing import answer_dialogs, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ATTACK = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><svg onload="window.__pwned=3">'


def test_a_stored_xss_attempt_is_rendered_inert(page):
    dialogs = answer_dialogs(page, accept=False)
    # Given a citizen submits a suggestion whose title and text carry script
    log_in(page, "public")
    page.console_errors.clear()  # only the forum's pages are judged here (log_in lands on the dashboard)
    page.goto("/forum/suggestions/new/")
    page.fill("#id_title", "<b>夜间公交</b>" + ATTACK)
    page.fill("#id_text", "建议开通夜间公交。" + ATTACK + '<a href="javascript:alert(1)">点我</a>')
    page.select_option("#id_category", "transport")
    page.check("input[name=cities][value=SZ]")
    page.click("[data-testid=suggestion-form] button[type=submit]")
    page.wait_for_selector("[data-testid=suggestion-text]")
    url = page.url
    # Then its page shows the markup as text, and nothing of it ran
    assert ATTACK in page.inner_text("[data-testid=suggestion-text]")
    assert "<b>夜间公交</b>" in page.inner_text("[data-testid=suggestion-title]")
    assert page.locator("[data-testid=suggestion-text] script, [data-testid=suggestion-text] img").count() == 0
    assert page.locator("[data-testid=suggestion-text] a").count() == 0
    assert page.evaluate("window.__pwned === undefined")
    # and the same for an anonymous reader of the public page and the list
    page.context.clear_cookies()
    for target in (url, "/forum/suggestions/", "/forum/"):
        page.goto(target)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__pwned === undefined"), target
    assert dialogs == []
    assert page.console_errors == []
    assert page.external_requests == []


def test_the_public_page_fits_a_phone(page, live_server):
    from metrocoop.core.models import User
    from metrocoop.forum.services import SuggestionInput, do_submit_suggestion

    s = do_submit_suggestion(
        SuggestionInput("长" * 120, "建议" * 400 + "https://example.invalid/" + "x" * 200, "other", ["SH", "SZ", "NB"]),
        actor=User.objects.get(username="public"),
    )
    page.set_viewport_size({"width": 390, "height": 844})
    for target in (f"/forum/suggestions/{s.pk}/", "/forum/", "/forum/suggestions/"):
        page.goto(target)
        page.wait_for_load_state("load")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)"
            ".slice(0, 6).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
        )
        assert overflow <= 0, (target, overflow, wide)
