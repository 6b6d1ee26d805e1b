"""Filters of the platform's reference lists and its audit trail: cities, organisations and log entries, used by
the API and by the audit page."""

from __future__ import annotations

import django_filters
from auditlog.models import LogEntry

from metrocoop.core.models import City, Organisation


class CityFilter(django_filters.FilterSet):
    province = django_filters.CharFilter(field_name="province__code")
    member_on = django_filters.DateFilter(method="filter_member_on", label="member on date")

    class Meta:
        model = City
        fields = ["province"]

    def filter_member_on(self, queryset, name, value):
        return queryset.members_on(value)


class OrganisationFilter(django_filters.FilterSet):
    city = django_filters.CharFilter(field_name="city__code")

    class Meta:
        model = Organisation
        fields = ["kind", "city", "domain"]


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
