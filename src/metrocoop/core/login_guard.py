"""Brute-force protection for signing in: the login page and the API token endpoint count wrong passwords per
user name and address (and per address alone); past the limit both refuse, even a right password, until the
window has passed (the API answers 429 with Retry-After, the page says so plainly).

Counters live in Django's cache (the default per-process memory cache; point CACHES at a shared cache when
several server processes run). Limits: METROCOOP_LOGIN_FAILURES (default 5) per user name and address and
METROCOOP_LOGIN_FAILURES_PER_ADDRESS (default 50) per address, within METROCOOP_LOGIN_WINDOW_SECONDS (900).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle


def _limits() -> tuple[int, int, int]:
    return (
        int(getattr(settings, "METROCOOP_LOGIN_FAILURES", 5)),
        int(getattr(settings, "METROCOOP_LOGIN_FAILURES_PER_ADDRESS", 50)),
        int(getattr(settings, "METROCOOP_LOGIN_WINDOW_SECONDS", 900)),
    )


def _address(request: Any) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(request: Any, username: str) -> tuple[str, str]:
    who = hashlib.sha256(f"{_address(request)}|{username.strip().lower()}".encode()).hexdigest()[:32]
    return f"metrocoop:login-fail:{who}", f"metrocoop:login-fail-address:{_address(request)}"


def _count(key: str) -> tuple[int, float]:
    value = cache.get(key)
    return value if isinstance(value, tuple) else (0, 0.0)


def retry_after(request: Any, username: str) -> int:
    """Seconds until this user name may be tried again from this address (0: now)."""
    per_user, per_address, window = _limits()
    now = time.time()
    waits = []
    for key, limit in zip(_keys(request, username), (per_user, per_address), strict=True):
        count, first = _count(key)
        if count >= limit and now - first < window:
            waits.append(int(window - (now - first)) + 1)
    return max(waits, default=0)


def record_failure(request: Any, username: str) -> None:
    _per_user, _per_address, window = _limits()
    now = time.time()
    for key in _keys(request, username):
        count, first = _count(key)
        if not count or now - first >= window:
            count, first = 0, now
        cache.set(key, (count + 1, first), timeout=window)


def forget_failures(request: Any, username: str) -> None:
    cache.delete(_keys(request, username)[0])


class LoginFailureThrottle(BaseThrottle):
    """DRF throttle of the token endpoint: refuses while the user name (or the address) is locked out."""

    def allow_request(self, request, view) -> bool:
        username = str(request.data.get("username", "")) if hasattr(request, "data") else ""
        self._wait = retry_after(request, username)
        return self._wait == 0

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


class GuardedLoginView(auth_views.LoginView):
    """The login page with the same lock-out: past the limit it answers 429 and says when to try again."""

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        wait = retry_after(request, username)
        if wait:
            form = self.get_form_class()(request=request)  # unbound: the password is not even checked
            return self.render_to_response(
                self.get_context_data(form=form, locked_out=_lockout_message(wait)), status=429
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        record_failure(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form):
        forget_failures(self.request, self.request.POST.get("username", ""))
        return super().form_valid(form)


def _lockout_message(wait: int) -> str:
    minutes = max(1, (wait + 59) // 60)
    return _("Too many failed sign-ins. Try again in %(minutes)s minutes.") % {"minutes": minutes}
