"""Lists answered from `.values()` rows instead of model instances put through the serializer row by row.

The profile of `/api/council/items/` showed most of its time in building model instances (the rows, their related
rows and, for every many-to-many field, a related manager per row) and in DRF's per-row field walk. For a list
whose fields are plain data, `FastListMixin.list` asks the database for exactly the columns the serializer shows
(`.values()` with joins for slug fields), fetches each many-to-many field with one query for the whole page, and
formats each value with the serializer's own field (`field.to_representation`), so the answer is the same JSON,
field for field, as the serializer's. A serializer with a field this cannot express as a column (a method field,
a hyperlink, a nested serializer, a property) is served the ordinary way.

The plan is compiled once per serializer class; the browsable API (format `api`) keeps the ordinary path too.

A page of the list costs one query, not two: the total the paginator shows is read in the same query as the rows
(`COUNT(*) OVER ()`, the count of the filtered rows before LIMIT/OFFSET), so DRF's separate `COUNT` is not made;
a page past the last, `?page=last` or a page number that is not a plain positive integer is left to DRF's
paginator, which answers as before (404, or the last page).

The SQL itself is compiled once per process for the common request — no query parameter but the page and the page
size, the viewset's own `get_queryset` (the user's scope through core.permissions.restrict) and filters — keyed by
the viewset, the user's row filter (`rows_q`: equal filters give the same SQL), the page and the database
connection. Building the queryset, running the FilterSet and compiling ~20 aliased columns cost more than the
query; on a hit the request runs the stored SQL with its stored parameters through Django's cursor (so query
logging, error mapping and the connection's health check apply as for any query) and converts the values with the
stored compiler's converters. Only SQL is kept, never a row: every answer is read from the database when asked.
"""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, FieldError
from django.db import connections, models
from django.db.models import Count, F, Window
from rest_framework import relations, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from metrocoop.core.api.base import ScopedQuerysetMixin
from metrocoop.core.api.serializers import UserDisplayField
from metrocoop.core.permissions import Action, rows_q

_PLANS: dict[type, ListPlan | None] = {}
_SIMPLE_FIELDS = (
    serializers.CharField,
    serializers.IntegerField,
    serializers.FloatField,
    serializers.DecimalField,
    serializers.BooleanField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.ChoiceField,
    serializers.JSONField,
    serializers.ReadOnlyField,
    serializers.UUIDField,
)


@dataclass
class _Many:
    name: str
    related_model: type[models.Model]
    query_name: str  # from the related model back to ours
    value: str  # the column shown for each related row


@dataclass
class ListPlan:
    lookups: list[str] = field(default_factory=list)
    columns: list[tuple[str, Callable[[dict], Any]]] = field(default_factory=list)  # (output name, row -> value)
    many: list[_Many] = field(default_factory=list)
    links: list[tuple[str, Any, str]] = field(default_factory=list)  # (output name, hyperlink field, alias)
    order: list[str] = field(default_factory=list)

    def expressions(self) -> dict[str, F]:
        """Each column under an alias of its own: a bare field name as an alias would change what the model's
        ordering means (`ordering = ["plan"]` orders by the plan's own ordering, a `plan` column by its id)."""
        return {_alias(lookup): F(lookup) for lookup in self.lookups}

    def render(self, rows: list[dict], request=None) -> list[dict]:
        links = []
        for name, f, key in self.links:
            links.append((name, _Linker(f, request), key))
        related: dict[str, dict[Any, list]] = {}
        if self.many and rows:
            ids = [r["fl__pk"] for r in rows]
            for m in self.many:
                grouped: dict[Any, list] = defaultdict(list)
                pairs = m.related_model._default_manager.filter(**{f"{m.query_name}__in": ids}).values_list(
                    m.query_name, m.value
                )
                for owner, value in pairs:
                    grouped[owner].append(value)
                related[m.name] = grouped
        out = []
        columns = self.columns
        for row in rows:
            item = {}
            for name, get in columns:
                item[name] = get(row)
            for m in self.many:
                item[m.name] = related[m.name].get(row["fl__pk"], [])
            for name, linker, key in links:
                item[name] = linker.url(row[key])
            out.append({name: item[name] for name in self.order})
        return out


class _Linker:
    """A hyperlink field's URLs for one request: reversed once, then the lookup value put in its place for every
    further row — when the first URL ends in "/<value>/" (else reversed per row, as DRF does)."""

    def __init__(self, f, request) -> None:
        self.f, self.request, self.prefix = f, request, None

    def reverse(self, value) -> str:
        f = self.f
        return f.reverse(f.view_name, kwargs={f.lookup_url_kwarg: value}, request=self.request)

    def url(self, value) -> str | None:
        if value in (None, ""):
            return None
        segment = f"/{quote(str(value), safe='')}/"
        if self.prefix is None:
            url = self.reverse(value)
            self.prefix = url[: -len(segment) + 1] if url.endswith(segment) else ""
            return url
        return self.prefix + segment[1:] if self.prefix else self.reverse(value)


def _column(model: type[models.Model], source: str) -> str | None:
    """The values() lookup for a dotted serializer source, or None when it is not a chain of concrete fields over
    non-null foreign keys (a null in the middle reads differently in DRF)."""
    parts = source.split(".")
    current = model
    for n, part in enumerate(parts):
        try:
            f = current._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if not getattr(f, "concrete", False) or f.many_to_many:
            return None
        if n < len(parts) - 1:
            if not f.is_relation or f.null:
                return None
            current = f.related_model
    return "__".join(parts)


def _alias(lookup: str) -> str:
    return "fl__" + lookup


def _plain(lookup: str, to_representation: Callable[[Any], Any]) -> Callable[[dict], Any]:
    key = _alias(lookup)

    def get(row: dict) -> Any:
        value = row[key]
        return None if value is None else to_representation(value)

    return get


def _raw(lookup: str) -> Callable[[dict], Any]:
    key = _alias(lookup)
    return lambda row: row[key]


def _display(name_lookup: str, pk_lookup: str) -> Callable[[dict], Any]:
    name_key, pk_key = _alias(name_lookup), _alias(pk_lookup)

    def get(row: dict) -> Any:
        pk = row[pk_key]
        return None if pk is None else (row[name_key] or f"#{pk}")

    return get


def compile_plan(serializer: serializers.Serializer) -> ListPlan | None:
    model = serializer.Meta.model
    plan = ListPlan(lookups=["pk"])
    for f in serializer._readable_fields:
        name, source = f.field_name, f.source
        if type(f) is relations.HyperlinkedIdentityField and f.lookup_field == f.lookup_url_kwarg:
            column = _column(model, f.lookup_field)
            if column is None:
                return None
            plan.lookups.append(column)
            plan.links.append((name, f, _alias(column)))
            plan.order.append(name)
            continue
        if source == "*" or isinstance(f, serializers.SerializerMethodField | serializers.BaseSerializer):
            return None
        if isinstance(f, relations.ManyRelatedField):
            child = f.child_relation
            try:
                mf = model._meta.get_field(source)
            except FieldDoesNotExist:
                return None
            if not (mf.many_to_many or mf.one_to_many):
                return None
            query_name = mf.related_query_name() if isinstance(mf, models.ManyToManyField) else mf.field.name
            if type(child) is relations.SlugRelatedField:
                value = child.slug_field
            elif type(child) is relations.PrimaryKeyRelatedField and child.pk_field is None:
                value = "pk"
            else:
                return None
            plan.many.append(_Many(name, mf.related_model, query_name, value))
            plan.order.append(name)
            continue
        column = _column(model, source)
        if column is None:
            return None
        if isinstance(f, UserDisplayField):
            plan.lookups += [f"{column}__display_name", column]
            plan.columns.append((name, _display(f"{column}__display_name", column)))
        elif type(f) is relations.SlugRelatedField:
            plan.lookups.append(f"{column}__{f.slug_field}")
            plan.columns.append((name, _raw(f"{column}__{f.slug_field}")))
        elif type(f) is relations.PrimaryKeyRelatedField and f.pk_field is None:
            plan.lookups.append(column)
            plan.columns.append((name, _raw(column)))
        elif isinstance(f, relations.RelatedField):
            return None
        elif isinstance(f, _SIMPLE_FIELDS) and not isinstance(f, serializers.FileField):
            plan.lookups.append(column)
            if type(f) in (serializers.IntegerField, serializers.ReadOnlyField, serializers.BooleanField):
                plan.columns.append((name, _raw(column)))
            else:
                plan.columns.append((name, _plain(column, f.to_representation)))
        else:
            return None
        plan.order.append(name)
    plan.lookups = list(dict.fromkeys(plan.lookups))
    try:
        model._default_manager.none().values(**plan.expressions())
    except FieldError:
        return None
    return plan


def plan_for(serializer: serializers.Serializer) -> ListPlan | None:
    key = type(serializer)
    if key not in _PLANS:
        _PLANS[key] = compile_plan(serializer)
    return _PLANS[key]


_TOTAL = "fl__total"  # the column carrying COUNT(*) OVER ()
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
_MAX_PREPARED = 512  # statements kept per connection (a new user filter or page each adds one)


@dataclass(frozen=True)
class Prepared:
    """A compiled `.values()` query: its SQL and parameters, the output names, and the compiler whose converters
    turn the database's values into Python's (as `ValuesIterable` does)."""

    sql: str
    params: tuple
    names: tuple[str, ...]
    compiler: Any
    alias: str

    @classmethod
    def of(cls, queryset: models.QuerySet) -> Prepared | None:
        """None when the query can match no row at all (Django raises EmptyResultSet instead of compiling it)."""
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
        return cls(sql, tuple(params), names, compiler, queryset.db)

    def rows(self) -> list[dict]:
        compiler = self.compiler
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, self.params)
            fetched = cursor.fetchall()
        if compiler.has_extra_select:
            fetched = [row[: compiler.col_count] for row in fetched]
        names = self.names
        indexes = range(len(names))
        return [{names[i]: row[i] for i in indexes} for row in compiler.results_iter(results=[fetched])]


# connection (one per thread and alias) -> key -> statement; the connection's compiler is kept with its statement
_PREPARED: weakref.WeakKeyDictionary[Any, dict[tuple, Prepared | None]] = weakref.WeakKeyDictionary()
_ELIGIBLE: dict[type, bool] = {}


def _own_get_queryset(cls: type) -> bool:
    """True when the viewset's rows are `ScopedQuerysetMixin.get_queryset` over DRF's (the class's queryset
    restricted to the user's scope) and its filters DRF's `filter_queryset`: then the SQL of a request without
    query parameters depends only on the class, the user's row filter and the page."""
    if cls not in _ELIGIBLE:
        mro = cls.__mro__
        definers = [c for c in mro if "get_queryset" in c.__dict__]
        _ELIGIBLE[cls] = (
            len(definers) >= 2
            and definers[0] is ScopedQuerysetMixin
            and definers[1] is GenericAPIView
            and cls.filter_queryset is GenericAPIView.filter_queryset
        )
    return _ELIGIBLE[cls]


class FastListMixin:
    """`list` from `.values()` rows when the list serializer's fields are all plain columns (see module doc)."""

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", "json") != "json":
            return super().list(request, *args, **kwargs)
        plan = plan_for(self.get_serializer())
        if plan is None:
            return super().list(request, *args, **kwargs)
        window = self._fast_window(request)
        if window is not False:
            answered = self._fast_answer(request, plan, window)
            if answered is not None:
                return answered
        queryset = self.filter_queryset(self.get_queryset()).prefetch_related(None).values(**plan.expressions())
        page = self.paginate_queryset(queryset)
        data = plan.render(list(page) if page is not None else list(queryset), request)
        if page is not None:
            return self.get_paginated_response(data)
        return Response(data)

    def _fast_window(self, request) -> tuple[int, int] | bool | None:
        """(page size, page number) of a page read in one query; None when the list is not paginated; False when
        DRF's paginator must decide (another paginator, `?page=last`, a page number that is not a plain integer)."""
        paginator = self.paginator
        if paginator is None:
            return None
        if not isinstance(paginator, PageNumberPagination) or (
            type(paginator).paginate_queryset is not PageNumberPagination.paginate_queryset
        ):
            return False
        size = paginator.get_page_size(request)
        if not size:
            return None
        number = request.query_params.get(paginator.page_query_param) or "1"
        if not _PAGE_NUMBER.fullmatch(number):
            return False
        return size, int(number)

    def _prepared_key(self, request, window) -> tuple | None:
        """The key under which this request's SQL is kept, or None when the request's SQL is not kept (query
        parameters other than the page: the FilterSet decides, and may depend on who asks)."""
        cls = type(self)
        if not _own_get_queryset(cls):
            return None
        allowed = set()
        if window is not None:
            allowed = {self.paginator.page_query_param, self.paginator.page_size_query_param}
        if not set(request.query_params.keys()) <= allowed:
            return None
        q = rows_q(request.user, self.queryset.model, Action.VIEW)
        key = (cls, self.get_serializer_class(), q, window)
        try:
            hash(key)
        except TypeError:
            return None
        return key

    def _build(self, plan: ListPlan, window) -> models.QuerySet | None:
        """The values() query of this request: the page's rows and, when paginated, their total in each row."""
        queryset = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        if window is None:
            return queryset.values(**plan.expressions())
        query = queryset.query
        if query.distinct or query.combinator or query.group_by is not None or query.is_sliced:
            return None  # a count over the window would count before DISTINCT/GROUP BY
        if not connections[queryset.db].features.supports_over_clause:
            return None
        size, number = window
        queryset = queryset.values(**plan.expressions(), **{_TOTAL: Window(Count("*"))})
        return queryset[(number - 1) * size : number * size]

    def _fast_answer(self, request, plan: ListPlan, window) -> Response | None:
        key = self._prepared_key(request, window)
        prepared: Prepared | None
        if key is not None:
            store = _PREPARED.setdefault(connections[self.queryset.db], {})
            if key in store:
                prepared = store[key]
            else:
                queryset = self._build(plan, window)
                if queryset is None:
                    return None
                prepared = Prepared.of(queryset)
                if len(store) >= _MAX_PREPARED:
                    store.clear()
                store[key] = prepared
        else:
            queryset = self._build(plan, window)
            if queryset is None:
                return None
            prepared = Prepared.of(queryset)
        rows = prepared.rows() if prepared is not None else []
        if window is None:
            return Response(plan.render(rows, request))
        size, number = window
        if not rows and number > 1:
            return None  # past the last page: DRF's paginator answers 404 as before
        total = rows[0][_TOTAL] if rows else 0
        paginator = self.paginator
        django_paginator = paginator.django_paginator_class([], size)
        django_paginator.__dict__["count"] = total  # the cached_property, from the rows' own count
        paginator.page = django_paginator._get_page(rows, number, django_paginator)
        paginator.request = request
        if django_paginator.num_pages > 1 and paginator.template is not None:
            paginator.display_page_controls = True
        return self.get_paginated_response(plan.render(rows, request))
