"""Queries compiled once per database connection and run again with new parameter values.

On a small API read, building a queryset and compiling it to SQL (resolving every column, join and expression)
cost more than running it: ~2.5 ms of the 7.5 ms of `/api/cities/` (issue 11's profile). The queries every read
makes — the token with its user and role assignments, the rows of a fast list — have the same SQL from one
request to the next; only some parameters change (the token's key). `Prepared` keeps a `.values()` query's SQL,
its parameters, the names of its columns and its compiler (whose converters turn database values into Python's,
exactly as `QuerySet.values()` does). It is run through Django's cursor, so query logging, the connection's health
check and the mapping of database errors apply as to any query. Only SQL is kept, never a row: every answer is read
from the database when it is asked for.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, models

PARAMETER = "\x00metrocoop-parameter\x00"  # stands for the value bound at each run (`Prepared.rows`)
_MAX_PER_CONNECTION = 512  # statements kept per connection; a new key past it starts the store afresh


@dataclass(frozen=True)
class Prepared:
    sql: str
    params: tuple
    names: tuple[str, ...]
    compiler: Any
    alias: str
    slot: int | None = None  # the index in `params` of the value bound at each run

    @classmethod
    def of(cls, queryset: models.QuerySet) -> Prepared | None:
        """The compiled form of a `.values()` queryset; None when it can match no row (Django raises EmptyResultSet
        instead of compiling it)."""
        query = queryset.query
        compiler = query.get_compiler(queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        if query.selected:
            names = tuple(query.selected)
        else:
            names = (*query.extra_select, *query.values_select, *query.annotation_select)
        params = tuple(params)
        slots = [i for i, p in enumerate(params) if isinstance(p, str) and p == PARAMETER]
        if len(slots) > 1:
            raise ValueError("a prepared query binds one parameter")
        return cls(sql, params, names, compiler, queryset.db, slots[0] if slots else None)

    def rows(self, value: Any = None) -> list[dict]:
        """The rows as `QuerySet.values()` gives them; `value` takes the place of `PARAMETER`."""
        params = self.params
        if self.slot is not None:
            params = (*params[: self.slot], value, *params[self.slot + 1 :])
        compiler = self.compiler
        connection = connections[self.alias]
        opened = getattr(connection, "prepared_cursor", connection.cursor)  # PostgreSQL: kept planned (dbbackends)
        with opened() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        if compiler.has_extra_select:
            fetched = [row[: compiler.col_count] for row in fetched]
        names = self.names
        indexes = range(len(names))
        return [{names[i]: row[i] for i in indexes} for row in compiler.results_iter(results=[fetched])]


# connection (one per thread and alias) -> key -> statement (None: the query matches no row)
_STORE: weakref.WeakKeyDictionary[Any, dict[Hashable, Prepared | None]] = weakref.WeakKeyDictionary()


def prepared(alias: str, key: Hashable, build: Callable[[], models.QuerySet | None]) -> Prepared | bool | None:
    """The statement kept under `key` for this thread's connection `alias`, compiled from `build()` the first
    time. False when `build()` gives no queryset (the caller takes its ordinary path)."""
    store = _STORE.setdefault(connections[alias], {})
    if key in store:
        return store[key]
    queryset = build()
    if queryset is None:
        return False
    statement = Prepared.of(queryset)
    if len(store) >= _MAX_PER_CONNECTION:
        store.clear()
    store[key] = statement
    return statement
