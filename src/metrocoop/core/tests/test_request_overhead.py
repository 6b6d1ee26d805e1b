"""What a signed-in request costs the database (issue #11, per-request overhead): the role assignments come with the
token or the session's user, in the same query, and still apply from the very next request when they change; on
PostgreSQL a kept connection the server has closed is found without a round trip and replaced."""

import time

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from metrocoop.core.models import RoleAssignment

pytestmark = pytest.mark.django_db


def _role_queries(captured) -> list[str]:
    """Queries that read role assignments on their own (not as the subquery of the token's or user's query)."""
    out = []
    for query in captured:
        outer = query["sql"].split("(SELECT")[0]
        if outer.lstrip().upper().startswith("SELECT") and '"core_roleassignment"' in outer:
            out.append(query["sql"])
    return out


def test_a_token_request_reads_the_roles_with_the_token(api, reference):
    client = api("liaison-sz")
    with CaptureQueriesContext(connection) as captured:
        own = client.patch("/api/cities/SZ/", {"contact": "联络处"}, format="json")
        other = client.patch("/api/cities/WX/", {"contact": "联络处"}, format="json")
    assert own.status_code == 200, own.content
    assert other.status_code == 403
    assert _role_queries(captured) == []


def test_a_role_taken_away_applies_to_the_next_request(api, demo_users, reference):
    client = api("liaison-sz")
    assert client.patch("/api/cities/SZ/", {"contact": "一"}, format="json").status_code == 200
    RoleAssignment.objects.filter(user=demo_users["liaison-sz"]).delete()
    assert client.patch("/api/cities/SZ/", {"contact": "二"}, format="json").status_code == 403


def test_a_session_reads_the_roles_with_the_user(browser_client, demo_users, reference):
    client = browser_client("liaison-sz")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/cities/SZ/")
    assert response.status_code == 200
    assert _role_queries(captured) == []
    # and the page still knows the liaison may edit its own city's profile, not another's
    assert client.get("/cities/SZ/profile/edit/").status_code == 200
    assert client.get("/cities/WX/profile/edit/").status_code in (403, 404)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's connection health check")
def test_a_connection_the_server_closed_is_unusable_and_replaced():
    other = connections.create_connection("default")
    try:
        other.ensure_connection()
        assert other.is_usable()
        pid = other.connection.info.backend_pid
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(50):  # the server's FATAL message reaches the socket a moment later
            if not other.is_usable():
                break
            time.sleep(0.05)
        assert not other.is_usable()
        other.health_check_enabled, other.health_check_done = True, False
        other.close_if_health_check_failed()
        assert other.connection is None
        with other.cursor() as cursor:  # a new connection, transparently
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    finally:
        other.close()
