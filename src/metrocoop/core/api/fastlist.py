"""Lists answered from `.values()` rows instead of model instances put through the serializer row by row.

The profile of `/api/council/items/` showed most of its time in building model instances (the rows, their related
rows and, for every many-to-many field, a related manager per row) and in DRF's per-row field walk. For a list
whose fields are plain data, `FastListMixin.list` asks the database for exactly the columns the serializer shows
(`.values()` with joins for slug fields), fetches each many-to-many field with one query for the whole page, and
formats each value with the serializer's own field (`field.to_representation`), so the answer is the same JSON,
field for field, as the serializer's. A serializer with a field this cannot express as a column (a method field,
a hyperlink, a nested serializer, a property) is served the ordinary way.

The plan is compiled once per serializer class; the browsable API (format `api`) keeps the ordinary path too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import models
from django.db.models import F
from rest_framework import relations, serializers
from rest_framework.response import Response

from metrocoop.core.api.serializers import UserDisplayField

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


class FastListMixin:
    """`list` from `.values()` rows when the list serializer's fields are all plain columns (see module doc)."""

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", "json") != "json":
            return super().list(request, *args, **kwargs)
        plan = plan_for(self.get_serializer())
        if plan is None:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset()).prefetch_related(None).values(**plan.expressions())
        page = self.paginate_queryset(queryset)
        data = plan.render(list(page) if page is not None else list(queryset), request)
        if page is not None:
            return self.get_paginated_response(data)
        return Response(data)
