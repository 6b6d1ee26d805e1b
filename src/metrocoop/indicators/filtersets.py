"""Filters of the indicators' lists, shared by the API and the observations export page; an indicator and a city by
their codes."""

import django_filters

from metrocoop.indicators.models import CommutingFlow, Indicator, Observation, PositioningStatement, SectorValue


class IndicatorFilter(django_filters.FilterSet):
    class Meta:
        model = Indicator
        fields = ["domain", "value_kind"]


class ObservationFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code")
    city = django_filters.CharFilter(field_name="city__code")
    year_from = django_filters.NumberFilter(field_name="year", lookup_expr="gte")
    year_to = django_filters.NumberFilter(field_name="year", lookup_expr="lte")

    class Meta:
        model = Observation
        fields = ["indicator", "city", "year", "derived"]


class SectorValueFilter(django_filters.FilterSet):
    class Meta:
        model = SectorValue
        fields = ["year", "sector"]


class CommutingFlowFilter(django_filters.FilterSet):
    class Meta:
        model = CommutingFlow
        fields = ["year", "kind", "basis", "zone"]


class PositioningStatementFilter(django_filters.FilterSet):
    class Meta:
        model = PositioningStatement
        fields = ["city__code"]
