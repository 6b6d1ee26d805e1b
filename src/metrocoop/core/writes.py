"""The write path the apps' simple services share (docs/conventions.md: "check again after a write, inside the
transaction")."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from metrocoop.core.audit import acting
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


def update_locked(
    queryset: QuerySet,
    row: Model,
    changes: Mapping[str, Any],
    fields: Iterable[str],
    actor: Any,
    *,
    check: Callable[[Any], None] | None = None,
    related: Mapping[str, Iterable[Any] | None] | None = None,
) -> Any:
    """`row` read again from `queryset`, locked for update, changed and saved. A key of `changes` that is not one of
    `fields` is refused (a ValidationError naming each); `actor` must be allowed to change the row before and after
    the write. `check` runs on the changed row before validation (rules the model cannot state); `related` sets
    many-to-many fields by name (None leaves one as it is). Call it inside the service's transaction."""
    unknown = set(changes) - set(fields)
    if unknown:
        raise ValidationError({f: _("This field cannot be changed.") for f in sorted(unknown)})
    row = queryset.select_for_update().get(pk=row.pk)
    require(actor, Action.CHANGE, row)
    for field, value in changes.items():
        setattr(row, field, value)
    if check is not None:
        check(row)
    row.full_clean()
    row.save()
    for name, values in (related or {}).items():
        if values is not None:
            getattr(row, name).set(list(values))
    require(actor, Action.CHANGE, row)
    return row


def save_fields(obj, actor: Any, **values: Any):
    """Set `values` on `obj` and save only those fields, if `actor` may change it, audited as theirs (a one-field
    change with no rule beyond the permission: a tranche's milestone date, a dismissed duplicate)."""
    require(actor, Action.CHANGE, obj)
    with transaction.atomic(), acting(actor):
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save(update_fields=list(values))
    return obj
