"""API token authentication with tokens that expire.

A token older than METROCOOP_TOKEN_TTL_HOURS (default 24) is refused (401); the client asks for a new one at
POST /api/auth/token/ with username and password (there is no separate refresh token: refresh = ask again).
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_lifetime() -> timedelta:
    return timedelta(hours=float(getattr(settings, "METROCOOP_TOKEN_TTL_HOURS", 24)))


def token_expired(token) -> bool:
    return token.created < timezone.now() - token_lifetime()


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(_("Token expired; ask for a new one at /api/auth/token/."))
        return user, token
