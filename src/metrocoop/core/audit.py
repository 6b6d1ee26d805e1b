"""The audit trail: every change with actor, time, action, object and before/after values.

We use django-auditlog (jazzband): its `LogEntry` stores actor, timestamp, action, the object and the changed
fields as {field: [before, after]}, plus a snapshot of the row. Models join the trail with `audited(Model)`.
Services wrap their writes in `acting(actor)` so that commands, background jobs and token-authenticated API
calls name their actor too (a request middleware alone would miss them: docs/conventions.md).

The trail is append-only: nothing in the platform updates or deletes a LogEntry, the API is read-only, and a
database trigger refuses UPDATE (and, on PostgreSQL, DELETE) on the table (migration core 0002).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from auditlog.context import set_actor
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.db import models

_current_actor: ContextVar[Any] = ContextVar("metrocoop_audit_actor", default=None)

# What a log entry records (CREATE, UPDATE, DELETE, ACCESS): `log_event(..., action=AuditAction.CREATE)`, never 0.
AuditAction = LogEntry.Action


def audited(model: type[models.Model], *, personal: Iterable[str] = (), **options: Any) -> type[models.Model]:
    """Put `model` under the audit trail (every create, update and delete, with a snapshot of the row).

    `personal` fields (a patient's person reference, anything an API hides for privacy) are masked in the changes
    and the snapshot by a keyed hash (`mask_personal`): an auditor sees that the value changed, and whether two
    entries name the same value, never the value. `exclude_fields` are left out of the changes and the snapshot.
    """
    personal = list(personal)
    if personal:
        options["mask_fields"] = [*options.get("mask_fields", []), *personal]
        options.setdefault("mask_callable", "metrocoop.core.audit.mask_personal")
    options.setdefault("serialize_data", True)
    excluded = set(options.get("exclude_fields") or ())
    if excluded and options["serialize_data"]:
        # auditlog applies exclude_fields to the changes only; the snapshot must leave them out as well
        kept = [f.name for f in model._meta.concrete_fields if f.name not in excluded and not f.primary_key]
        options.setdefault("serialize_kwargs", {"fields": kept})
    auditlog.register(model, **options)
    return model


def mask_personal(value: str) -> str:
    """A personal value as it appears in the audit trail: a keyed hash (HMAC with the secret key), the same for
    the same value so that changes stay traceable, not reversible without the key. Empty stays empty."""
    if value in ("", "None"):
        return value
    digest = hmac.new(settings.SECRET_KEY.encode(), f"audit-mask:{value}".encode(), hashlib.sha256).hexdigest()
    return f"masked:{digest[:16]}"


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


def log_event(obj: models.Model, *, actor: Any, action: int = AuditAction.UPDATE, **changes: Any) -> LogEntry:
    """Record a change that is not a plain row save (a bulk load, a state transition done with update())."""
    return LogEntry.objects.log_create(
        obj,
        force_log=True,
        action=action,
        changes={k: list(v) for k, v in changes.items()},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )


def shown_changes(entry: LogEntry) -> dict[str, Any]:
    """An entry's changes as pages, the API and exports show them: personal fields masked even in entries written
    before they were declared personal (the trail itself is append-only)."""
    changes = entry.changes_dict or {}
    model = entry.content_type.model_class() if entry.content_type_id else None
    personal = set(auditlog.get_model_fields(model)["mask_fields"]) if model and auditlog.contains(model) else set()
    if not personal & set(changes):
        return changes

    def mask(value: Any) -> Any:
        text = "None" if value is None else str(value)
        return value if text.startswith("masked:") else mask_personal(text)

    return {
        k: ([mask(x) for x in v] if isinstance(v, (list, tuple)) else mask(v)) if k in personal else v
        for k, v in changes.items()
    }


def change_rows(entry: LogEntry) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for each change of an entry, for templates: a template cannot call `.items` on a dict
    that has a key named "items" (it would look the key up instead)."""
    rows = []
    for name, values in shown_changes(entry).items():
        if isinstance(values, (list, tuple)) and len(values) == 2:
            rows.append((str(name), values[0], values[1]))
        else:
            rows.append((str(name), None, values))
    return rows


def _register_core() -> None:
    from metrocoop.core.models import Attachment, City, Organisation, Province, RoleAssignment, User

    audited(Province)
    audited(City)
    audited(Organisation)
    audited(RoleAssignment)
    audited(User, exclude_fields=["password", "last_login"], personal=["email"])
    audited(Attachment)


_register_core()
