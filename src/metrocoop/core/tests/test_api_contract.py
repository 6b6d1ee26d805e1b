"""The API against its own OpenAPI schema, as every role (schemathesis): no request, however malformed, gets a
server error; every answer's status code is documented for its operation and its body matches the schema.

Runs on the test database (never the demo's), through the real WSGI application, with a bounded number of
generated requests per operation and role (METROCOOP_FUZZ_EXAMPLES, default 3; raise it for a deeper run).
Failures are collected over every operation and reported together, each with the request that caused it.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("METROCOOP_FUZZ_EXAMPLES", "3"))
ROLES = [None, "public", "office", "liaison-sz", "medical-sz", "expert", "researcher", "auditor"]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_schema(django_db_setup, django_db_blocker):
    from django.core.wsgi import get_wsgi_application

    # the project's WSGI application without metrocoop.wsgi's start-up safety check (which refuses demo accounts)
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture
def keep_test_connection():
    """As Django's test client does: requests must not close the test's database connection (it holds the
    test's transaction)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _headers(demo_users, username: str | None) -> dict[str, str]:
    if username is None:
        return {}
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=demo_users[username])
    return {"Authorization": f"Token {token.key}"}


def _fuzz(operation, headers: dict[str, str], failures: list[str], calls: list[int]) -> None:
    """Send EXAMPLES generated requests to one operation; record each failure with the request that caused it."""
    label = operation.label

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES,
        phases=[Phase.explicit, Phase.generate],
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        # each request in a savepoint rolled back afterwards: as in production, where every request has its own
        # transaction, one refused statement (PostgreSQL then aborts the transaction) never poisons the next
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        calls.append(response.status_code)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis groups its check failures
            request = f"{case.method} {case.formatted_path} query={case.query} body={str(case.body)[:200]}"
            failures.append(f"{label} → {response.status_code}: {str(exc)[:600]}\n    {request}")
            raise

    before = len(failures)
    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup is a BaseExceptionGroup
        if len(failures) == before:  # not a check failure: the request itself could not be made
            failures.append(f"{label}: {exc!r}"[:800])


@pytest.mark.parametrize("username", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_every_operation_answers_within_its_schema(api_schema, demo_users, keep_test_connection, username):
    headers = _headers(demo_users, username)
    failures: list[str] = []
    calls: list[int] = []
    operations = 0
    for result in api_schema.get_all_operations():
        operations += 1
        _fuzz(result.ok(), headers, failures, calls)
    assert operations > 100 and len(calls) >= operations  # every operation was really called
    report = "\n".join(failures[:60])
    assert not failures, f"{len(failures)} failures as {username or 'anonymous'}:\n{report}"
