"""The write path the apps' simple services share (docs/conventions.md: "check again after a write, inside the
transaction")."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from metrocoop.core.permissions import Action, require


def save_checked(
    obj, actor: Any, action: str, fields: Mapping[str, Any] | None = None, check: Callable[[Any], None] | None = None
):
    """Ask whether `actor` may take `action` on `obj`, apply `fields`, run `check` (rules the model cannot state),
    validate, save, and ask again, as a change once the row exists: the row as saved must still be the actor's to
    keep (a liaison cannot move it into another city). Call it inside the service's transaction."""
    require(actor, action, obj)
    for name, value in (fields or {}).items():
        setattr(obj, name, value)
    if check is not None:
        check(obj)
    obj.full_clean()
    obj.save()
    require(actor, Action.CHANGE if action == Action.ADD and obj.pk else action, obj)
    return obj


def locked_with_changes(
    queryset: QuerySet, row: Model, changes: Mapping[str, Any], fields: Iterable[str], actor: Any
) -> Any:
    """`row` read again from `queryset` and locked for update, once every key of `changes` is one of `fields` (else a
    ValidationError naming the others) and `actor` may change it; `changes` are set on it, not saved yet. Call it
    inside the transaction that saves."""
    unknown = set(changes) - set(fields)
    if unknown:
        raise ValidationError({f: _("This field cannot be changed.") for f in sorted(unknown)})
    row = queryset.select_for_update().get(pk=row.pk)
    require(actor, Action.CHANGE, row)
    for field, value in changes.items():
        setattr(row, field, value)
    return row
