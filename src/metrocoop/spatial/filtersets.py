"""Filters of the spatial lists, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from metrocoop.spatial.choices import ConflictStatus, FeatureKind, ProjectStatus, RuleKind
from metrocoop.spatial.models import Conflict, CorridorProject, Feature


class FeatureFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=FeatureKind.choices, label=_("kind"))
    city = django_filters.CharFilter(field_name="city__code", lookup_expr="iexact", label=_("city"), max_length=8)

    class Meta:
        model = Feature
        fields = ["kind", "city"]


class ConflictFilter(django_filters.FilterSet):
    rule = django_filters.ChoiceFilter(field_name="rule__kind", choices=RuleKind.choices, label=_("rule"))
    status = django_filters.ChoiceFilter(choices=ConflictStatus.choices, label=_("status"))
    city = django_filters.CharFilter(method="filter_city", label=_("city"), max_length=8)

    class Meta:
        model = Conflict
        fields = ["rule", "status", "still_detected"]

    def filter_city(self, queryset, name, value):
        code = value.upper()
        return queryset.filter(city_a__code=code) | queryset.filter(city_b__code=code)


class ProjectFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, label=_("status"))
    city = django_filters.CharFilter(field_name="cities__code", lookup_expr="iexact", label=_("city"), max_length=8)

    class Meta:
        model = CorridorProject
        fields = ["status", "kind"]
