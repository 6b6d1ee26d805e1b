"""Errors every app's services raise, mapped once to HTTP answers by `core.api.errors.exception_handler`.

- `django.core.exceptions.ValidationError` → 400 with the fields named;
- `django.core.exceptions.PermissionDenied` → 403;
- `Conflict` → 409: the request repeats or contradicts something already done (a second vote, a closed period,
  the same key with other content). It is a ValidationError, so pages show it beside the form like any other.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The request conflicts with the state already recorded (409 in the API)."""
