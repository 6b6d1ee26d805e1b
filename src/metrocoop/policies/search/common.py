"""What both databases' search shares: the permission filter, facet filters, the row tuple the candidate window
keeps, and the choice of the database's module (sqlite.py or postgres.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import ModuleType
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from metrocoop.core.permissions import Action, rows_q
from metrocoop.policies.engine.query import ParsedQuery
from metrocoop.policies.models import PolicyDocument, PolicyDomainTag

FILTERS = ("city", "level", "issuer", "domain", "validity", "year")
SORTS = ("relevance", "date", "-date")
# What the candidate window keeps of each row: enough to rank, count and facet without reading the row again. The
# columns are short ones, on the row's first page (SQLite) or inline in the heap tuple (PostgreSQL).
ROW_FIELDS = ("id", "city_id", "level", "issuer", "validity", "issued_on")
Row = tuple[Any, ...]  # (id, city_id, level, issuer, validity, issued_on), as ROW_FIELDS


def backend() -> ModuleType:
    """The module that builds and runs this database's search statements."""
    if connection.vendor == "postgresql":
        from metrocoop.policies.search import postgres

        return postgres
    from metrocoop.policies.search import sqlite

    return sqlite


def visible(user: Any) -> QuerySet:
    """Documents `user` may read (the permission filter applied directly: its paths are all to-one)."""
    q = rows_q(user, PolicyDocument, Action.VIEW)
    qs = PolicyDocument.objects.all()
    if q is None:
        return qs.none()
    return qs.filter(q) if q else qs


def apply_filters(qs: QuerySet, filters: dict[str, list[str]]) -> QuerySet:
    """Facet selections: values within one facet are ORed, facets are ANDed."""
    if filters.get("city"):
        qs = qs.filter(city__code__in=filters["city"])
    if filters.get("level"):
        qs = qs.filter(level__in=filters["level"])
    if filters.get("issuer"):
        qs = qs.filter(issuer__in=filters["issuer"])
    if filters.get("validity"):
        qs = qs.filter(validity__in=filters["validity"])
    if filters.get("year"):
        # date ranges, not EXTRACT(year …): the issued_on index and the planner's estimates then apply
        years = sorted(
            {int(y) for y in filters["year"] if str(y).isascii() and str(y).isdigit() and 1 <= int(y) <= 9998}
        )
        if not years:
            return qs.none()
        in_years = Q()
        for y in years:
            in_years |= Q(issued_on__gte=date(y, 1, 1), issued_on__lt=date(y + 1, 1, 1))
        qs = qs.filter(in_years)
    if filters.get("domain"):
        qs = qs.filter(id__in=PolicyDomainTag.objects.filter(domain__in=filters["domain"]).values("document_id"))
    if filters.get("in_force_on"):
        qs = qs.in_force_on(date.fromisoformat(filters["in_force_on"][0]))
    return qs


def has_text(parsed: ParsedQuery) -> bool:
    """Does the query require some word (not only a document number or exclusions)?"""
    return any(not t.negated for t in parsed.terms)


def matching(qs: QuerySet, parsed: ParsedQuery) -> QuerySet:
    """The rows of `qs` that match the query (each term as words or as its bigrams, terms ANDed; a document number
    looked up exactly)."""
    from django.db.models.expressions import RawSQL

    if parsed.doc_number:
        qs = qs.filter(doc_number_norm=parsed.doc_number)
    if has_text(parsed):
        qs = backend().with_match(qs, parsed)
    elif parsed.terms:  # only exclusions: everything but them
        positive = ParsedQuery(parsed.raw, tuple(t.__class__(t.alternatives, False, t.grams) for t in parsed.terms))
        sql, params = backend().match_ids_sql(positive)
        qs = qs.exclude(id__in=RawSQL(sql, params))
    return qs


def rows(qs: QuerySet, cap: int) -> list[Row]:
    """Up to `cap` + 1 rows of `qs` as ROW_FIELDS tuples."""
    return [tuple(r) for r in qs.values_list(*ROW_FIELDS)[: cap + 1]]


def day(value: Any) -> int:
    """A date (or its ISO text; None: before every date) as an ordinal, for sorting."""
    if value is None:
        return 0
    return (value if isinstance(value, date) else date.fromisoformat(str(value))).toordinal()


@dataclass(frozen=True)
class Window:
    """What a window statement asks for besides the query and the cap. `title`: only documents whose title holds
    every required term (as words); `lower` <= id < `upper` when given; `scored` (PostgreSQL): each row carries its
    word score as a last column; `verified=False` (PostgreSQL): the exclusions are left to the caller."""

    title: bool = False
    lower: int | None = None
    upper: int | None = None
    scored: bool = False
    verified: bool = True


def id_bounds(column: str, lower: int | None, upper: int | None) -> tuple[list[str], list[int]]:
    """SQL conditions (and their parameters) keeping `lower` <= `column` < `upper`, each bound when given."""
    where: list[str] = []
    params: list[int] = []
    if lower:
        where.append(f"{column} >= %s")
        params.append(lower)
    if upper:
        where.append(f"{column} < %s")
        params.append(upper)
    return where, params


def recent_matches(base: QuerySet, parsed: ParsedQuery, cap: int, window: Window = Window()) -> list[Row]:
    """The most recently added (highest id) `cap` + 1 rows of `base` that match the query, highest id first, as
    ROW_FIELDS tuples; more than `cap` rows means more than `cap` matches (see `Window` for the options). A query
    without words is a filter; one with words is the database's window statement (`backend().recent`)."""
    if not has_text(parsed):
        qs = matching(base, parsed)
        if window.lower:
            qs = qs.filter(id__gte=window.lower)
        if window.upper:
            qs = qs.filter(id__lt=window.upper)
        return rows(qs.order_by("-id"), cap)
    if parsed.doc_number:
        base = base.filter(doc_number_norm=parsed.doc_number)
    return backend().recent(base, parsed, cap, window)
