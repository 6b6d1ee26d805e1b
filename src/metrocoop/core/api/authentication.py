"""API token authentication with tokens that expire, and signing in that reads a user's roles in the same query.

A token older than METROCOOP_TOKEN_TTL_HOURS (default 24) is refused (401); the client asks for a new one at
POST /api/auth/token/ with username and password (there is no separate refresh token: refresh = ask again).

Every request of a signed-in user needs their role assignments (core.permissions.scopes_of). Read on their own they
were a second round trip to the database after the token (or the session's user); here they come with it, as one
JSON column aggregated in a subquery, and are put where `user.role_assignments.all()` finds them, so scopes_of
reads them without a query. Nothing is kept beyond the request: a revoked token or a changed role applies to the
very next request.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import backends
from django.db.models import Aggregate, F, Field, OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from metrocoop.core.api.prepared import PARAMETER, prepared


def token_lifetime() -> timedelta:
    return timedelta(hours=float(getattr(settings, "METROCOOP_TOKEN_TTL_HOURS", 24)))


def token_expired(token) -> bool:
    return token.created < timezone.now() - token_lifetime()


class _AsIs(Field):
    """The database driver's value unconverted: psycopg decodes json itself, SQLite hands back the text."""


class _JSONArray(Aggregate):
    """JSON array of the aggregated JSON values (PostgreSQL json_agg, SQLite json_group_array)."""

    function = "JSON_AGG"
    output_field = _AsIs()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


_COLUMNS = ("id", "role", "city_id", "organisation_id", "domain", "valid_from", "valid_until")


def role_assignments_column(user_path: str) -> Subquery:
    """A subquery giving, for the user at `user_path` of the outer row, their role assignments as a JSON array."""
    from metrocoop.core.models import RoleAssignment

    rows = (
        RoleAssignment.objects.filter(user_id=OuterRef(user_path))
        .order_by()
        .values("user_id")
        .annotate(rows=_JSONArray(JSONObject(**{c: F(c) for c in _COLUMNS})))
        .values("rows")
    )
    return Subquery(rows, output_field=_AsIs())


def prime_role_assignments(user, rows) -> None:
    """Put the role assignments read with the user where `user.role_assignments.all()` looks for prefetched rows."""
    from metrocoop.core.models import RoleAssignment

    if isinstance(rows, str):  # SQLite hands a JSON array built in a subquery back as text
        rows = json.loads(rows)
    assignments = []
    for row in rows or []:
        for key in ("valid_from", "valid_until"):
            if isinstance(row.get(key), str):
                row[key] = date.fromisoformat(row[key][:10])
        ra = RoleAssignment(user_id=user.pk, **{c: row.get(c) for c in _COLUMNS})
        ra._state.adding = False
        ra._state.db = user._state.db
        assignments.append(ra)
    cached: QuerySet = user.role_assignments.all()
    cached._result_cache = assignments
    cached._prefetch_done = True
    if not hasattr(user, "_prefetched_objects_cache"):
        user._prefetched_objects_cache = {}
    user._prefetched_objects_cache["role_assignments"] = cached


_BASE_QUERYSETS: dict[str, QuerySet] = {}


def _base(name: str, build) -> QuerySet:
    """A queryset built once per process: resolving the subquery's expressions cost more than running it."""
    queryset = _BASE_QUERYSETS.get(name)
    if queryset is None:
        queryset = _BASE_QUERYSETS[name] = build()
    return queryset


def _users() -> QuerySet:
    from django.contrib.auth import get_user_model

    return get_user_model()._default_manager.annotate(_roles=role_assignments_column("pk"))


def _token_columns() -> QuerySet:
    """The token, its user's columns (as `select_related("user")` reads them) and the user's role assignments, as
    one `.values()` row for the key bound at each run."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    columns = {f"u__{f.attname}": F(f"user__{f.name}") for f in get_user_model()._meta.concrete_fields}
    return Token.objects.filter(key=PARAMETER).values(
        *(f.attname for f in Token._meta.concrete_fields), **columns, _roles=role_assignments_column("user_id")
    )


def token_with_user(key: str):
    """The token of `key` with its user (and the user's role assignments in `token._roles`), or None.

    The same instances `Token.objects.select_related("user").get(key=key)` builds (`Model.from_db`, each cached
    on the other as select_related caches them), from SQL compiled once per connection."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    statement = prepared(Token.objects.db, "token-with-user", _token_columns)
    rows = statement.rows(str(key)) if statement else []
    if not rows:
        return None
    row = rows[0]
    db = statement.alias
    user_model = get_user_model()
    user = user_model.from_db(db, None, [row[f"u__{f.attname}"] for f in user_model._meta.concrete_fields])
    token = Token.from_db(db, None, [row[f.attname] for f in Token._meta.concrete_fields])
    field = Token._meta.get_field("user")
    field.set_cached_value(token, user)
    field.remote_field.set_cached_value(user, token)
    token._roles = row["_roles"]
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        token = token_with_user(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token_expired(token):
            raise exceptions.AuthenticationFailed(_("Token expired; ask for a new one at /api/auth/token/."))
        prime_role_assignments(token.user, token._roles)
        return token.user, token


class ModelBackend(backends.ModelBackend):
    """Django's backend; the signed-in user of a session is read with their role assignments (see module doc)."""

    def get_user(self, user_id):
        from django.contrib.auth import get_user_model

        model = get_user_model()
        try:
            user = _base("users", _users).get(pk=user_id)
        except model.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        prime_role_assignments(user, user._roles)
        return user
