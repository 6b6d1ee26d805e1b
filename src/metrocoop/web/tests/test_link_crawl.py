"""No visible link leads to a refusal: every demo role signs in through the real login form (Debian's chromium driven
by Playwright against a live server with all the demo data), then every page reachable by links from the home page
and the dashboard is fetched with that browser session, and every link on it is followed in turn. A link answering
403 (or an error) fails the test, with the page that showed it.

To stay within a few minutes, links that differ only in their ids (/funds/projects/1/, /funds/projects/2/) count as
one kind of page, of which a few are followed; downloads are fetched but not parsed."""

import re
import time
from collections import deque
from html import unescape
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from metrocoop.core.browser_testing import log_in  # the browser, page fixtures come from this plugin (root conftest)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["office", "auditor", "expert", "researcher", "public", "liaison-sz", "medical-sz"]
PER_KIND = 2  # pages followed per kind of link (same path with the ids taken out)
PER_ROLE = 220  # pages at most per role
SKIP = ("/static/", "/logout/", "/api/", "/admin/", "/language/")
HREF = re.compile(r"<a\b[^>]*?\bhref=\"([^\"]+)\"", re.I)


def _kind(url: str) -> str:
    parts = urlsplit(url)
    path = re.sub(r"/\d[\w.-]*", "/N", parts.path)
    path = re.sub(r"/[A-Z]{2}(?=/|$)", "/CITY", path)
    query = "&".join(sorted(k.split("=")[0] for k in parts.query.split("&") if k))
    return f"{path}?{query}"


def _crawl(page, base: str, starts: list[str]) -> tuple[list[tuple[str, int, str]], int]:
    """Fetch every page reachable from `starts` through links, with the browser's session; return the refusals and
    errors as (url, status, the page linking to it) and the number of pages fetched."""
    seen, kinds = set(), {}
    queue = deque((s, "(start)") for s in starts)
    bad, fetched = [], 0
    while queue and fetched < PER_ROLE:
        url, source = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        kind = _kind(url)
        if kinds.get(kind, 0) >= PER_KIND:
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        response = page.request.get(url, max_redirects=5)
        fetched += 1
        if response.status == 403 or response.status >= 400:
            bad.append((url, response.status, source))
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue  # a download, an image: fetched, not parsed
        for href in HREF.findall(response.text()):
            target, _ = urldefrag(urljoin(url, unescape(href)))
            if not target.startswith(base):
                continue
            path = target[len(base) :]
            if path.startswith(SKIP) or target in seen:
                continue
            queue.append((target, url))
    return bad, fetched


def test_no_visible_link_leads_to_a_refusal_for_any_demo_role(browser, live_server, demo_users):
    from metrocoop.demo_data import load_module_demo_data

    load_module_demo_data()
    base = live_server.url
    report, problems = [], []
    for username in [None, *ROLES]:
        started = time.monotonic()
        context = browser.new_context(base_url=base, locale="en-US")
        page = context.new_page()
        if username:
            log_in(page, username)  # the real login form
        bad, fetched = _crawl(page, base, [f"{base}/", f"{base}/home/" if username else f"{base}/cities/"])
        context.close()
        report.append(f"{username or 'anonymous'}: {fetched} pages in {time.monotonic() - started:.0f} s")
        problems += [
            f"{username or 'anonymous'}: {url} → {status} (linked from {source})" for url, status, source in bad
        ]
        assert fetched > 20, report  # the crawl reached the modules, not only the start page
    print("\n".join(report))
    assert problems == [], "\n".join(problems)
