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


def test_the_token_and_its_user_are_what_select_related_reads(api, demo_users):
    from rest_framework.authtoken.models import Token

    from metrocoop.core.api.authentication import token_with_user

    # given a signed-in liaison's token
    api("liaison-sz")
    key = Token.objects.get(user=demo_users["liaison-sz"]).key
    # when it is read through the SQL compiled once (twice: compiled, then kept) and the ordinary way
    first, kept = token_with_user(key), token_with_user(key)
    ordinary = Token.objects.select_related("user").get(key=key)
    # then the instances hold the same values, and each is cached on the other as select_related caches them
    for token in (first, kept):
        assert [getattr(token, f.attname) for f in Token._meta.concrete_fields] == [
            getattr(ordinary, f.attname) for f in Token._meta.concrete_fields
        ]
        fields = type(ordinary.user)._meta.concrete_fields
        assert [getattr(token.user, f.attname) for f in fields] == [getattr(ordinary.user, f.attname) for f in fields]
        assert token.user.auth_token is token
        assert not token._state.adding and not token.user._state.adding
    assert token_with_user("no-such-key") is None


def test_every_change_to_a_token_or_its_user_applies_to_the_next_request(api, demo_users):
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from metrocoop.core.models import User

    # given a liaison reading their account with a token (the token's SQL is kept after the first request)
    client = api("liaison-sz")
    assert client.get("/api/me/").status_code == 200
    assert client.get("/api/me/").json()["username"] == "liaison-sz"
    user = demo_users["liaison-sz"]
    # when the account is deactivated, then the next request is refused; reactivated, accepted again
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/api/me/").status_code == 401
    User.objects.filter(pk=user.pk).update(is_active=True)
    assert client.get("/api/me/").status_code == 200
    # when the user's language changes, the next answer is in it
    User.objects.filter(pk=user.pk).update(language="en")
    assert client.get("/api/me/").json()["language"] == "en"
    # when the token grows old, then it is refused
    Token.objects.filter(user=user).update(created=timezone.now() - timedelta(days=30))
    assert client.get("/api/me/").status_code == 401
    # when it is deleted, then it is refused; a key nobody holds is refused as well
    Token.objects.filter(user=user).delete()
    assert client.get("/api/me/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert client.get("/api/me/").status_code == 401
