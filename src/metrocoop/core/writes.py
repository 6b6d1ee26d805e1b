"""The write path the apps' simple services share (docs/conventions.md: "check again after a write, inside the
transaction")."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

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
