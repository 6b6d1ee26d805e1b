"""Filters of the platform's reference lists and its audit trail: cities, organisations and log entries, used by
the API and by the audit page; and `coded_filterset`, for any app's list filtered by the codes of its relations."""

from __future__ import annotations

import django_filters
from auditlog.models import LogEntry

from metrocoop.core.models import City, Organisation


def coded_filterset(model, fields: list[str], *, codes: tuple[str, ...] = ()) -> type[django_filters.FilterSet]:
    """A FilterSet over `model`'s `fields` (as `filterset_factory` makes one) where each relation named in `codes` is
    filtered by the related row's code, as people and machines send it (`?city=SZ`, not the city's id)."""
    attrs: dict = {name: django_filters.CharFilter(field_name=f"{name}__code") for name in codes}
    attrs["Meta"] = type("Meta", (), {"model": model, "fields": fields})
    return type(f"{model.__name__}Filter", (django_filters.FilterSet,), attrs)


class CityFilter(django_filters.FilterSet):
    province = django_filters.CharFilter(field_name="province__code")
    member_on = django_filters.DateFilter(method="filter_member_on", label="member on date")

    class Meta:
        model = City
        fields = ["province"]

    def filter_member_on(self, queryset, name, value):
        return queryset.members_on(value)


OrganisationFilter = coded_filterset(Organisation, ["kind", "city", "domain"], codes=("city",))


class LogEntryFilter(django_filters.FilterSet):
    ACTIONS = {"create": 0, "update": 1, "delete": 2, "access": 3}

    model = django_filters.CharFilter(method="filter_model", label="app_label.model")
    object_pk = django_filters.CharFilter()
    actor = django_filters.CharFilter(field_name="actor__username")
    action = django_filters.ChoiceFilter(choices=[(k, k) for k in ACTIONS], method="filter_action")
    since = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="lt")

    class Meta:
        model = LogEntry
        fields = ["object_pk"]

    def filter_model(self, queryset, name, value):
        app_label, _, model = value.partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model.lower())

    def filter_action(self, queryset, name, value):
        return queryset.filter(action=self.ACTIONS[value])
