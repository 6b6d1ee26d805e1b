"""Filters of the indicators' lists, shared by the API and the observations export page; an indicator and a city by
their codes."""

import django_filters
from django_filters.filterset import filterset_factory

from metrocoop.indicators import models

IndicatorFilter = filterset_factory(models.Indicator, fields=["domain", "value_kind"])
SectorValueFilter = filterset_factory(models.SectorValue, fields=["year", "sector"])
CommutingFlowFilter = filterset_factory(models.CommutingFlow, fields=["year", "kind", "basis", "zone"])
PositioningStatementFilter = filterset_factory(models.PositioningStatement, fields=["city__code"])


class ObservationFilter(django_filters.FilterSet):
    indicator = django_filters.CharFilter(field_name="indicator__code")
    city = django_filters.CharFilter(field_name="city__code")
    year_from = django_filters.NumberFilter(field_name="year", lookup_expr="gte")
    year_to = django_filters.NumberFilter(field_name="year", lookup_expr="lte")

    class Meta:
        model = models.Observation
        fields = ["indicator", "city", "year", "derived"]
