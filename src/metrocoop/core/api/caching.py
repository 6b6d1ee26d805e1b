"""Caching for the read tier.

1. HTTP validators for reference data (cities, organisations, the indicator catalogue): `ConditionalListMixin`
   gives a read-only viewset an ETag and Last-Modified computed by one cheap aggregate query (count and latest
   `updated_at`, or the content of the answer when the table has no `updated_at`), so a client that already holds
   the list gets a 304 without the list being built or sent.
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
from typing import Any

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import Count, Max
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.http import http_date, quote_etag
from rest_framework.response import Response

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
    """ETag/Last-Modified for a small read-only list of reference data (and its detail pages).

    The validator is the row count and the latest `updated_at` of the rows this user may see (one aggregate
    query), plus the language and the query string. When the model has no `updated_at`, the ETag is a digest of
    the answer itself (still saving the client the transfer)."""

    def _validator(self, request) -> tuple[str, Any] | None:
        queryset = self.filter_queryset(self.get_queryset())
        model = queryset.model
        if not any(f.name == "updated_at" for f in model._meta.get_fields()):
            return None
        agg = queryset.order_by().aggregate(n=Count("pk"), latest=Max("updated_at"))
        seed = f"{agg['n']}|{agg['latest']}|{getattr(request, 'LANGUAGE_CODE', '')}|{request.get_full_path()}"
        seed += f"|{request.accepted_renderer.format}|{kwargs_repr(self.kwargs)}|{request.user.pk}"
        return hashlib.sha1(seed.encode()).hexdigest(), agg["latest"]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return response
        if response.status_code == 304 and getattr(self, "_etag", None):
            response["ETag"] = quote_etag(self._etag)
            if self._last_modified is not None:
                response["Last-Modified"] = http_date(self._last_modified.timestamp())
            response["Cache-Control"] = "private, no-cache"
            return response
        if response.status_code != 200:
            return response
        etag = getattr(self, "_etag", None)
        if etag is None:
            response.render()
            etag = hashlib.sha1(response.content).hexdigest()
        response["ETag"] = quote_etag(etag)
        if getattr(self, "_last_modified", None) is not None:
            response["Last-Modified"] = http_date(self._last_modified.timestamp())
        response["Cache-Control"] = "private, no-cache"  # revalidate every time; a 304 is cheap
        if etag in _if_none_match(request):
            not_modified = Response(status=304)
            not_modified["ETag"] = response["ETag"]
            if response.has_header("Last-Modified"):
                not_modified["Last-Modified"] = response["Last-Modified"]
            not_modified["Cache-Control"] = response["Cache-Control"]
            for header in ("Vary", "Content-Language"):
                if response.has_header(header):
                    not_modified[header] = response[header]
            not_modified.accepted_renderer = response.accepted_renderer
            not_modified.accepted_media_type = response.accepted_media_type
            not_modified.renderer_context = response.renderer_context
            return not_modified
        return response

    def list(self, request, *args, **kwargs):
        return self._conditional(request, super().list, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return self._conditional(request, super().retrieve, *args, **kwargs)

    def _conditional(self, request, answer, *args, **kwargs):
        self._etag = self._last_modified = None
        validator = self._validator(request)
        if validator is not None:
            self._etag, self._last_modified = validator
            if self._etag in _if_none_match(request):
                return Response(status=304)
        return answer(request, *args, **kwargs)


def _if_none_match(request) -> set[str]:
    header = request.headers.get("If-None-Match", "")
    return {tag.strip().removeprefix("W/").strip('"') for tag in header.split(",") if tag.strip()}


def kwargs_repr(kwargs: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(kwargs.items()))
