"""Caching for the read tier.

1. HTTP validators for reference data (cities, organisations, the indicator catalogue): `ConditionalListMixin`
   gives a read-only viewset an ETag (a digest of the answer) and Last-Modified (the latest `updated_at` shown), so
   a client that already holds the list gets a 304 instead of the list.
2. A server cache for computed views that change rarely (`cached_view_data`): the value lives in Django's cache
   (the database cache table, or Redis when METROCOOP_REDIS_URL is set) under a key that carries a generation
   number per group. Every committed write to a model of the group (save, delete, bulk changes through services
   that call `invalidate`) bumps the generation, so the next read recomputes: never stale after a write.
   A cache that cannot be reached is skipped, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.http import HttpResponseNotModified
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, quote_etag

log = logging.getLogger(__name__)

# group name -> app labels ("council") or model labels ("core.city") whose writes make the group's values stale
GROUPS: dict[str, set[str]] = {}
_MODEL_GROUPS: dict[str, set[str]] = {}
_TIMEOUT = 24 * 3600
_local = threading.local()  # groups written in this thread's open transaction


def register_group(name: str, labels: Iterable[str]) -> None:
    GROUPS.setdefault(name, set()).update(labels)
    for label in labels:
        _MODEL_GROUPS.setdefault(label.lower(), set()).add(name)


# The computed views cached today: the council's board and city performance, the indicator analyses.
register_group("council", ["council", "core.city", "core.user"])
register_group("indicators", ["indicators", "core.city"])


def _generation_key(group: str) -> str:
    return f"metrocoop:gen:{group}"


def _generation(group: str) -> int:
    try:
        value = cache.get(_generation_key(group))
        if value is None:
            cache.add(_generation_key(group), 1, None)
            value = cache.get(_generation_key(group), 1)
        return int(value)
    except DatabaseError:
        return -1  # no cache: never serve from it


def _bump(group: str) -> None:
    try:
        try:
            cache.incr(_generation_key(group))
        except ValueError:
            cache.set(_generation_key(group), 2, None)
    except DatabaseError:
        log.warning("cache unavailable: could not invalidate %s", group)


def _dirty() -> set[str]:
    if not hasattr(_local, "dirty"):
        _local.dirty = set()
    if _local.dirty and not transaction.get_connection().in_atomic_block:
        _local.dirty.clear()  # the transaction that wrote has ended: committed (and bumped) or rolled back
    return _local.dirty


def invalidate(group: str) -> None:
    """Make every cached value of the group stale once the write commits. Until then, this thread (which can see
    its own uncommitted write) reads the group uncached; other connections still see the old, committed state."""
    if not transaction.get_connection().in_atomic_block:
        _bump(group)
        return
    _dirty().add(group)
    _pending().add(group)
    transaction.on_commit(lambda: _flush(group))  # many writes in one transaction: one bump at commit


def _pending() -> set[str]:
    if not hasattr(_local, "pending"):
        _local.pending = set()
    return _local.pending


def _flush(group: str) -> None:
    pending = _pending()
    if group in pending:
        pending.discard(group)
        _bump(group)


def cached_view_data(group: str, key: str, compute: Callable[[], Any], timeout: int = _TIMEOUT) -> Any:
    """The cached value for (group, key), computed by `compute()` when missing or stale."""
    if group in _dirty():
        return compute()
    generation = _generation(group)
    if generation < 0:
        return compute()
    full_key = f"metrocoop:view:{group}:{generation}:{hashlib.sha1(key.encode()).hexdigest()}"
    try:
        value = cache.get(full_key)
    except DatabaseError:
        return compute()
    if value is None:
        value = compute()
        with contextlib.suppress(DatabaseError):
            cache.set(full_key, value, timeout)
    return value


def _groups_of(model) -> set[str]:
    meta = model._meta
    return _MODEL_GROUPS.get(meta.label_lower, set()) | _MODEL_GROUPS.get(meta.app_label, set())


def _on_write(sender, **kwargs) -> None:
    for group in _groups_of(sender):
        invalidate(group)


def _create_cache_table(sender, using="default", **kwargs) -> None:
    from django.conf import settings
    from django.core.management import call_command

    if sender.label != "core":
        return
    if "DatabaseCache" in settings.CACHES["default"]["BACKEND"]:
        call_command("createcachetable", database=using, verbosity=0)
    # after a migration (or a flush, which sends the same signal) cached views may describe rows that changed
    with contextlib.suppress(DatabaseError):
        cache.clear()


def connect() -> None:
    post_save.connect(_on_write, dispatch_uid="metrocoop.caching.save")
    post_delete.connect(_on_write, dispatch_uid="metrocoop.caching.delete")
    m2m_changed.connect(_on_write_m2m, dispatch_uid="metrocoop.caching.m2m")
    post_migrate.connect(_create_cache_table, dispatch_uid="metrocoop.caching.table")


def _on_write_m2m(sender, instance, **kwargs) -> None:
    _on_write(type(instance))
    model = kwargs.get("model")
    if model is not None:
        _on_write(model)


class ConditionalListMixin:
    """ETag and Last-Modified for reference data (a small read-only list and its detail pages), and 304 Not Modified
    when the client's copy is current.

    The ETag is a digest of the answer itself, so it changes exactly when the answer does (for whoever asks, in
    whichever language) and costs no query; Last-Modified is the latest `updated_at` among the rows shown, when the
    rows carry one. A 304 saves the transfer and the client's parsing; the list itself is still built, which for
    these lists (nine cities, a hundred organisations, the indicator catalogue) is cheap."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        etag = quote_etag(hashlib.sha1(response.content).hexdigest())
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"  # revalidate every time; a 304 is cheap
        last_modified = _latest_update(response.data)
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        if etag.strip('"') in _if_none_match(request):
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Language"):
                if response.has_header(header):
                    not_modified[header] = response[header]
            return not_modified
        return response


def _latest_update(data: Any) -> datetime | None:
    rows = data.get("results", [data]) if isinstance(data, dict) else data
    if not isinstance(rows, list):
        return None
    stamps = [parse_datetime(r["updated_at"]) for r in rows if isinstance(r, dict) and r.get("updated_at")]
    stamps = [s for s in stamps if s is not None]
    return max(stamps) if stamps else None


def _if_none_match(request) -> set[str]:
    header = request.headers.get("If-None-Match", "")
    return {tag.strip().removeprefix("W/").strip('"') for tag in header.split(",") if tag.strip()}
