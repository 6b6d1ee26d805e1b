"""Shared fixtures: the reference data (provinces, member cities, organisations), the paper's Table 1 and the demo
accounts, loaded into the real test database (SQLite or PostgreSQL, whichever DATABASE_URL names)."""

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = ["metrocoop.core.browser_testing"]  # browser, page (Playwright + Debian's chromium), log_in

# Property tests judge laws, not speed: on a loaded 2-core machine generation can be slow, and timing belongs in
# benchmarks/. The number of examples stays hypothesis' default.
settings.register_profile("metrocoop", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("metrocoop")


def pytest_configure(config):
    """Tests sign in hundreds of times: the production hasher's 1,000,000 PBKDF2 rounds would cost about a second a
    sign-in on this machine and prove nothing about our code. What is hashed and checked stays the same."""
    from django.conf import settings as django_settings

    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    config.addinivalue_line("markers", "demo_data(*apps): the apps whose demo data the `demo` fixture loads")


def _load_everything() -> None:
    from metrocoop.core.demo import load_demo_accounts
    from metrocoop.core.reference import load_reference_data
    from metrocoop.indicators.paper import load_table1

    load_reference_data()
    load_table1()
    load_demo_accounts()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference data once per test database; each test then runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        _load_everything()


@pytest.fixture
def reference(db):
    from metrocoop.core.models import City

    if not City.objects.exists():  # a transactional test before this one flushed the database
        _load_everything()
    return {c.code: c for c in City.objects.all()}


@pytest.fixture
def demo_users(reference):
    from metrocoop.core.models import User

    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def demo(request, demo_users) -> None:
    """The demo data of the apps the test or its module names with `@pytest.mark.demo_data("council", "funds")`,
    loaded in that order (each app's demo_data.load()) after the demo accounts."""
    from importlib import import_module

    marker = request.node.get_closest_marker("demo_data")
    if marker is None:
        pytest.fail("the `demo` fixture needs @pytest.mark.demo_data(<app>, …) on the test or its module")
    for app in marker.args:
        import_module(f"metrocoop.{app}.demo_data").load()


@pytest.fixture
def api(demo_users):
    """api("liaison-sz") → an API client authenticated with that user's token; api(None) → anonymous."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def client_for(username: str | None) -> APIClient:
        client = APIClient()
        if username is not None:
            token, _ = Token.objects.get_or_create(user=demo_users[username])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


@pytest.fixture
def browser_client(client, demo_users):
    """browser_client("liaison-sz") → Django's test client signed in as that user (session, CSRF enforced)."""
    from django.test import Client

    def client_for(username: str | None) -> Client:
        c = Client(enforce_csrf_checks=False)
        if username is not None:
            c.force_login(demo_users[username])
        return c

    return client_for
