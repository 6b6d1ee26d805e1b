"""The browser-test fixtures every app shares, as a pytest plugin (registered by the root conftest.py): Debian's
chromium driven by Playwright against Django's live server.

- `browser` (per module): one chromium; the test fails, not skips, when chromium is missing (`make test` installs it).
- `page`: a fresh browser context on the live server, signed out, with the demo accounts loaded. The browser asks
  for English (`en-US`) unless the test module or test is marked `@pytest.mark.browser_locale("zh-CN")`; the
  platform still answers in Chinese first. `page.console_errors` collects console errors and uncaught exceptions,
  `page.external_requests` every request that leaves the live server (the platform is offline: there must be none).
- `log_in(page, username)`: signs in through the real login form with the demo password.
- `answer_dialogs(page)`: accepts (or with accept=False dismisses) every dialog the page opens and returns the list
  their messages are kept in (a confirmation the user was asked).
"""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "metrocoop-demo"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser_locale(locale): the language the test's browser asks for")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("chromium is not installed: `make test` installs Debian's chromium (scripts/ensure_browser.sh)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(request, browser, live_server, demo_users):
    marker = request.node.get_closest_marker("browser_locale")
    context = browser.new_context(base_url=live_server.url, locale=marker.args[0] if marker else "en-US")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.external_requests = []
    page.on(
        "request", lambda req: None if req.url.startswith(live_server.url) else page.external_requests.append(req.url)
    )
    yield page
    context.close()


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("[data-testid=login-form] button[type=submit]")
    page.wait_for_url("**/")


def answer_dialogs(page, *, accept: bool = True, once: bool = False) -> list[str]:
    """Answer the page's dialogs (confirm(), alert()): accept them, or dismiss them with accept=False; with once only
    the next one. Returns the list each dialog's message is appended to, so a test can assert it was asked."""
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    (page.once if once else page.on)("dialog", answer)
    return asked
