"""The audit trail: every change with actor, time, action, object and before/after values.

We use django-auditlog (jazzband): its `LogEntry` stores actor, timestamp, action, the object and the changed
fields as {field: [before, after]}, plus a snapshot of the row. Models join the trail with `audited(Model)`.
Services wrap their writes in `acting(actor)` so that commands, background jobs and token-authenticated API
calls name their actor too (a request middleware alone would miss them: CONVENTIONS.md).

The trail is append-only: nothing in the platform updates or deletes a LogEntry, the API is read-only, and a
database trigger refuses UPDATE (and, on PostgreSQL, DELETE) on the table (migration core 0002).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from auditlog.context import set_actor
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.db import models

_current_actor: ContextVar[Any] = ContextVar("metrocoop_audit_actor", default=None)


def audited(model: type[models.Model], **options: Any) -> type[models.Model]:
    """Put `model` under the audit trail (every create, update and delete, with a snapshot of the row)."""
    options.setdefault("serialize_data", True)
    auditlog.register(model, **options)
    return model


@contextmanager
def acting(actor: Any) -> Iterator[None]:
    """Name `actor` on every audit entry written inside. Nested calls keep the outermost actor."""
    if _current_actor.get() is not None:
        yield
        return
    token = _current_actor.set(actor)
    try:
        with set_actor(actor if getattr(actor, "is_authenticated", False) else None):
            yield
    finally:
        _current_actor.reset(token)


def log_event(obj: models.Model, *, actor: Any, action: int = LogEntry.Action.UPDATE, **changes: Any) -> LogEntry:
    """Record a change that is not a plain row save (a bulk load, a state transition done with update())."""
    return LogEntry.objects.log_create(
        obj,
        force_log=True,
        action=action,
        changes={k: list(v) for k, v in changes.items()},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def entries_for(obj: models.Model) -> models.QuerySet:
    return LogEntry.objects.get_for_object(obj).select_related("actor", "content_type")


def _register_core() -> None:
    from metrocoop.core.models import Attachment, City, Organisation, Province, RoleAssignment, User

    audited(Province)
    audited(City)
    audited(Organisation)
    audited(RoleAssignment)
    audited(User, exclude_fields=["password", "last_login"], mask_fields=[])
    audited(Attachment)


_register_core()
