"""The Content-Security-Policy and the other security headers, and the templates that make a strict script policy
possible: no inline scripts, no inline event handlers anywhere, behaviour in web/static/web/app.js."""

import re
from pathlib import Path

import pytest

from metrocoop.core.browser_testing import log_in

SRC = Path(__file__).resolve().parents[2]
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)


def _templates():
    return sorted(p for p in SRC.glob("*/templates/**/*.html"))


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_HANDLER, INLINE_SCRIPT):
            for m in pattern.finditer(text):
                offenders.append(f"{path.relative_to(SRC)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group(0)[:80]}")
    assert len(_templates()) > 50
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/api/cities/", "/api/docs/", "/login/"])
def test_pages_and_api_answer_with_the_security_headers(client, reference, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_run_under_the_policy_offline_and_their_controls_still_work(page):
    # the policy is enforced by the browser: a refused script or handler shows as a console error
    log_in(page, "office")
    page.goto("/")  # the dashboard (signed in, the office lands on its home page)
    chart = page.locator("[data-testid=dashboard-chart]")
    chart.locator("canvas").first.wait_for(state="attached", timeout=10_000)
    options = page.locator("#chart-indicator option")
    assert options.count() > 1
    second = options.nth(1).get_attribute("value")
    page.select_option("#chart-indicator", second)  # data-autosubmit: the form submits without an inline handler
    page.wait_for_url(f"**indicator={second}**")

    # (Redoc is left out: its bundle fetches its own logo from its maker's site, which the policy blocks)
    page.goto("/api/docs/")
    page.locator(".swagger-ui .info").first.wait_for(timeout=15_000)  # Swagger UI started from its own script file
    assert page.console_errors == []
    assert page.external_requests == []
