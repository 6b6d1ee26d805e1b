"""Filters of the standards lists, shared by the pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.filterset import filterset_factory

from metrocoop.standards.choices import StandardDomain, StandardLevel, StandardStatus
from metrocoop.standards.models import (
    LimitRevision,
    LimitValue,
    Parameter,
    Recognition,
    Standard,
    UnificationProposal,
)


class StandardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Code or title"), max_length=100)
    level = django_filters.ChoiceFilter(choices=StandardLevel.choices, label=_("level"))
    domain = django_filters.ChoiceFilter(choices=StandardDomain.choices, label=_("domain"))
    status = django_filters.ChoiceFilter(choices=StandardStatus.choices, label=_("status"))
    key = django_filters.BooleanFilter(
        field_name="key_entry", lookup_expr="isnull", exclude=True, label=_("key standard")
    )

    class Meta:
        model = Standard
        fields = ["level", "domain", "status"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name_zh__icontains=value) | Q(name_en__icontains=value))


class ParameterFilter(django_filters.FilterSet):
    domain = django_filters.ChoiceFilter(choices=StandardDomain.choices, label=_("domain"))

    class Meta:
        model = Parameter
        fields = ["domain", "limit_type", "kind"]


class LimitValueFilter(django_filters.FilterSet):
    parameter = django_filters.CharFilter(field_name="parameter__code", label=_("parameter"), max_length=40)
    city = django_filters.CharFilter(field_name="city__code", lookup_expr="iexact", label=_("city"), max_length=8)
    standard = django_filters.CharFilter(field_name="standard__code", label=_("standard"), max_length=60)
    category = django_filters.CharFilter(label=_("category"), max_length=100)

    class Meta:
        model = LimitValue
        fields = ["parameter", "city", "category", "standard"]


class RecognitionFilter(django_filters.FilterSet):
    type = django_filters.CharFilter(field_name="type__code", label=_("type"), max_length=40)
    issuing_city = django_filters.CharFilter(field_name="issuing_city__code", lookup_expr="iexact", max_length=8)
    recognising_city = django_filters.CharFilter(
        field_name="recognising_city__code", lookup_expr="iexact", max_length=8
    )
    valid_on = django_filters.DateFilter(method="filter_valid_on", label=_("valid on"))

    class Meta:
        model = Recognition
        fields = ["type", "issuing_city", "recognising_city"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.filter(valid_from__lte=value).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=value))


class ProposalFilter(django_filters.FilterSet):
    lead_city = django_filters.CharFilter(field_name="lead_city__code", lookup_expr="iexact", max_length=8)

    class Meta:
        model = UnificationProposal
        fields = ["status", "kind", "domain", "lead_city"]


LimitRevisionFilter = filterset_factory(LimitRevision, fields=["limit"])
