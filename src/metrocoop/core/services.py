"""State changes of the core app. Each checks access through core.permissions, runs in one transaction and
leaves its audit entry in that transaction (docs/conventions.md: business rules live in services)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from metrocoop.core.audit import acting
from metrocoop.core.choices import Language
from metrocoop.core.models import City, User
from metrocoop.core.permissions import Action, require


def do_update_city_profile(city: City, changes: Mapping[str, Any], *, actor: Any) -> City:
    """Change a city's profile (description, positioning, contact). Only profile fields may change here."""
    unknown = set(changes) - set(City.PROFILE_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field is not part of the city profile.") for f in sorted(unknown)})
    with transaction.atomic(), acting(actor):
        locked = City.objects.select_for_update().get(pk=city.pk)
        require(actor, Action.CHANGE, locked)
        for name, value in changes.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        locked.full_clean()
        locked.save(update_fields=[*changes, "updated_at"])
        require(actor, Action.CHANGE, locked)  # checked again after the write, inside the transaction
    return locked


def do_set_language(user: User, language: str, *, actor: Any) -> User:
    """Remember the interface language of a user (their own choice)."""
    if language not in Language.values:
        raise ValidationError({"language": _("Unknown language.")})
    if actor.pk != user.pk:
        require(actor, Action.CHANGE, user)
    with transaction.atomic(), acting(actor):
        if user.language != language:
            user.language = language
            user.save(update_fields=["language"])
    return user
