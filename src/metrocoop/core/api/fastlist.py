"""Lists answered from `.values()` rows instead of model instances put through the serializer row by row.

The profile of `/api/council/items/` showed most of its time in building model instances (the rows, their related
rows and, for every many-to-many field, a related manager per row) and in DRF's per-row field walk. For a list whose
fields are plain data, `FastListMixin.list` asks the database for exactly the columns the serializer shows
(`.values()` with joins for slug fields), fetches each many-to-many field with one query for the whole page (on
PostgreSQL as an array column of the list's own query instead), and formats each value with the serializer's own
field (`field.to_representation`), so the answer is the same JSON, field for field, as the serializer's. A
serializer with a field this cannot express as a column (a method field, a nested serializer, a property) is served
the ordinary way; a hyperlink to the row's own page is reversed once per list and the row's key put in its place.

The plan is compiled once per serializer class; the browsable API (format `api`) keeps the ordinary path too.

A page of the list costs one query, not two: the total the paginator shows is read in the same query as the rows
(`COUNT(*) OVER ()`, the count of the filtered rows before LIMIT/OFFSET), so DRF's separate `COUNT` is not made;
a page past the last, `?page=last` or a page number that is not a plain positive integer is left to DRF's
paginator, which answers as before (404, or the last page). An aware datetime in ISO 8601 is written as DRF's
DateTimeField writes it, with the active zone looked up once per list rather than once per value.

The SQL itself is compiled once per database connection (so once per worker process and database) for the common
request — no query parameter but the page and the page size, the viewset's own `get_queryset` (the user's scope
through core.permissions.restrict) and filters — keyed by the viewset, the user's row filter (`rows_q`: equal
filters give the same SQL) and the page (core/api/prepared.py; on PostgreSQL a statement the server keeps
prepared). Building the queryset, running the FilterSet and compiling ~20 aliased columns cost more than the query.
Only SQL is kept, never a row: every answer is read from the database when asked.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import connections, models
from django.db.models import Count, F, OuterRef, Window
from django.utils import timezone
from rest_framework import relations, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import ISO_8601, api_settings

from metrocoop.core.api.base import ScopedQuerysetMixin
from metrocoop.core.api.prepared import Prepared, prepared
from metrocoop.core.api.serializers import UserDisplayField
from metrocoop.core.permissions import Action, rows_q

_PLANS: dict[type, ListPlan | None] = {}
Getter = Callable[[dict, "tzinfo | None"], Any]  # a column's value for the answer, from its row
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

    @property
    def alias(self) -> str:
        return f"fl__many__{self.name}"

    def array(self):
        """PostgreSQL: the related values of each row as an array column of the list's own query, ordered as the
        related model orders them (as the query for the whole page does): no round trip of its own."""
        from django.contrib.postgres.expressions import ArraySubquery

        related = self.related_model._default_manager.filter(**{self.query_name: OuterRef("pk")})
        if self.related_model._meta.ordering:
            related = related.order_by(*self.related_model._meta.ordering)
        return ArraySubquery(related.values(self.value))


@dataclass
class ListPlan:
    lookups: list[str] = field(default_factory=list)
    columns: list[tuple[str, Getter]] = field(default_factory=list)  # (output name, (row, zone) -> value)
    many: list[_Many] = field(default_factory=list)
    links: list[tuple[str, Any, str]] = field(default_factory=list)  # (output name, hyperlink field, alias)
    order: list[str] = field(default_factory=list)

    def expressions(self) -> dict[str, F]:
        """Each column under an alias of its own: a bare field name as an alias would change what the model's
        ordering means (`ordering = ["plan"]` orders by the plan's own ordering, a `plan` column by its id)."""
        return {_alias(lookup): F(lookup) for lookup in self.lookups}

    def render(self, rows: list[dict], request=None) -> list[dict]:
        zone = _output_zone()
        links = []
        for name, f, key in self.links:
            links.append((name, _Linker(f, request), key))
        related: dict[str, dict[Any, list]] = {}
        inline = [m for m in self.many if rows and m.alias in rows[0]]  # read as arrays with the rows
        if self.many and rows:
            ids = [r["fl__pk"] for r in rows]
            for m in self.many:
                if m in inline:
                    continue
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
                item[name] = get(row, zone)
            for m in self.many:
                item[m.name] = row[m.alias] if m in inline else related[m.name].get(row["fl__pk"], [])
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


def _output_zone() -> tzinfo | None:
    """The zone DRF's DateTimeField writes an aware datetime in (the active time zone), when it writes ISO 8601;
    None when the serializer's own field must decide (naive datetimes, another output format, USE_TZ off)."""
    output_format = api_settings.DATETIME_FORMAT
    if not settings.USE_TZ or not isinstance(output_format, str) or output_format.lower() != ISO_8601:
        return None
    return timezone.get_current_timezone()


def _plain(lookup: str, to_representation: Callable[[Any], Any]) -> Getter:
    key = _alias(lookup)

    def get(row: dict, zone: tzinfo | None) -> Any:
        value = row[key]
        return None if value is None else to_representation(value)

    return get


def _datetime(lookup: str, to_representation: Callable[[Any], Any]) -> Getter:
    """DRF's DateTimeField.to_representation for an aware datetime and ISO 8601 (the zone looked up once per list,
    not once per value): `astimezone(zone).isoformat()` with "+00:00" written "Z"; any other case is the field's."""
    key = _alias(lookup)

    def get(row: dict, zone: tzinfo | None) -> Any:
        value = row[key]
        if not value:
            return None
        if zone is None or not isinstance(value, datetime) or value.utcoffset() is None:
            return to_representation(value)
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return to_representation(value)
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return get


def _raw(lookup: str) -> Getter:
    key = _alias(lookup)
    return lambda row, zone: row[key]


def _display(name_lookup: str, pk_lookup: str) -> Getter:
    name_key, pk_key = _alias(name_lookup), _alias(pk_lookup)

    def get(row: dict, zone: tzinfo | None) -> Any:
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
            elif type(f) is serializers.DateTimeField and not hasattr(f, "format") and not hasattr(f, "timezone"):
                plan.columns.append((name, _datetime(column, f.to_representation)))
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
        columns = plan.expressions()
        if connections[queryset.db].vendor == "postgresql":
            columns.update({m.alias: m.array() for m in plan.many})
        if window is None:
            return queryset.values(**columns)
        query = queryset.query
        if query.distinct or query.combinator or query.group_by is not None or query.is_sliced:
            return None  # a count over the window would count before DISTINCT/GROUP BY
        if not connections[queryset.db].features.supports_over_clause:
            return None
        size, number = window
        queryset = queryset.values(**columns, **{_TOTAL: Window(Count("*"))})
        return queryset[(number - 1) * size : number * size]

    def _fast_answer(self, request, plan: ListPlan, window) -> Response | None:
        key = self._prepared_key(request, window)
        if key is not None:
            statement = prepared(self.queryset.db, key, lambda: self._build(plan, window))
            if statement is False:
                return None
        else:
            queryset = self._build(plan, window)
            if queryset is None:
                return None
            statement = Prepared.of(queryset)
        rows = statement.rows() if statement is not None else []
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
