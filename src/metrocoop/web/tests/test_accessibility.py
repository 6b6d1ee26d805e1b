"""Accessibility and phone use, checked in Debian's chromium.

axe-core (pinned in package.json, copied by scripts/build_assets.mjs to the served vendor folder) is injected into
every page the navigation links to, as the office, a city liaison and an anonymous visitor: no violation of impact
"serious" or "critical" may remain (labels, contrast, landmarks, names of controls, keyboard focus order …).
The pages themselves never load axe; the test adds it as a script tag from our own static files (the
Content-Security-Policy allows scripts from our origin only).

At 390 px (a phone) the document must never scroll sideways: tables scroll inside their card, the navigation
collapses behind its toggler.
"""

from __future__ import annotations

import json

import pytest

from metrocoop.core.browser_testing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_URL = "/static/vendor/axe-core/axe.min.js"
# Redoc (the API documentation) is a third party's bundle, not our pages; it is left out as in the CSP test.
SKIP_PREFIXES = ("/api/",)
BLOCKING = {"serious", "critical"}


def navigation_links(page) -> list[str]:
    """Every same-site page the navigation bar links to, as the current user sees it (menus included)."""
    hrefs = page.eval_on_selector_all(
        "nav a[href]",
        "els => els.map(a => a.getAttribute('href'))",
    )
    out: list[str] = []
    for href in hrefs:
        path = href.split("#")[0]
        if not path.startswith("/") or path.startswith(SKIP_PREFIXES) or path.startswith("/logout"):
            continue
        if path not in out:
            out.append(path)
    return out


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now; the serious and critical violations, shortened for a readable failure."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(
                    n => n.target.join(' ') + ' — ' + (n.failureSummary || '').slice(0, 200))}));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING]


def check_pages(page, start: str) -> dict[str, list[dict]]:
    page.goto(start)
    links = navigation_links(page)
    assert len(links) >= 3, links
    found: dict[str, list[dict]] = {}
    for path in [start, *links]:
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
        page.wait_for_load_state("load")
        # charts draw after load; axe looks at the page as a person sees it
        page.wait_for_timeout(150)
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    return found


@pytest.mark.parametrize("username", ["office", "liaison-sz", None])
def test_every_page_of_the_navigation_has_no_serious_accessibility_violation(page, username):
    if username:
        log_in(page, username)
        start = "/"
    else:
        start = "/"
    found = check_pages(page, start)
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)
    assert page.external_requests == []


def test_axe_is_really_run_and_finds_a_missing_label(page):
    """The check can fail: a page with an unlabelled input is reported."""
    page.goto("/")
    page.evaluate(
        """() => { const i = document.createElement('input'); i.type = 'text'; i.id = 'mc-unlabelled';
        document.querySelector('main').appendChild(i); }"""
    )
    ids = {v["id"] for v in axe_violations(page)}
    assert "label" in ids


# --- phone --------------------------------------------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}


def horizontal_overflow(page) -> int:
    """How many pixels the document is wider than the viewport (0 when nothing scrolls sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize(
    "path,what",
    [
        ("/", "[data-testid=dashboard-chart]"),  # the dashboard
        ("/cities/", "table"),  # a list
        ("/cities/SZ/profile/edit/", "form"),  # a form
    ],
)
def test_pages_at_phone_width_do_not_scroll_sideways_and_the_menu_opens(page, path, what):
    page.set_viewport_size(PHONE)
    log_in(page, "liaison-sz")
    response = page.goto(path)
    assert response is not None and response.status == 200
    page.wait_for_load_state("load")
    assert page.locator(f"main {what}").first.is_visible()
    assert horizontal_overflow(page) <= 0
    # the navigation is collapsed behind its toggler, which opens it
    nav_link = page.locator("#mc-nav .nav-link").first
    assert not nav_link.is_visible()
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.click()
    nav_link.wait_for(state="visible", timeout=5_000)
    assert toggler.get_attribute("aria-expanded") == "true"
    assert horizontal_overflow(page) <= 0


def test_the_keyboard_reaches_the_content_first_and_sees_where_it_is(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(".mc-skip")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible() and skip.inner_text() == "跳到正文"
    # the focus ring is drawn (not removed by a stylesheet)
    assert skip.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


@pytest.mark.parametrize("username", ["office", None])
def test_no_page_of_the_navigation_scrolls_sideways_on_a_phone(page, username):
    page.set_viewport_size(PHONE)
    if username:
        log_in(page, username)
    page.goto("/")
    wide = {}
    for path in ["/", *navigation_links(page)]:
        page.goto(path)
        page.wait_for_load_state("load")
        overflow = horizontal_overflow(page)
        if overflow > 0:
            wide[path] = overflow
    assert wide == {}
