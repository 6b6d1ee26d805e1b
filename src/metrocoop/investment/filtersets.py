"""Filters for the lists of investment coordination, shared by the pages and the API."""

import django_filters
from django.db.models import Q
from django_filters.filterset import filterset_factory

from metrocoop.core.filtersets import coded_filterset
from metrocoop.investment.choices import LeadStatus, SizeBand
from metrocoop.investment.models import Enterprise, Lead, LeadConflict, Link, ParkYear, Relocation


class EnterpriseFilter(django_filters.FilterSet):
    city = django_filters.CharFilter(field_name="city__code", label="city")
    link = django_filters.CharFilter(field_name="links__code", label="link")
    chain = django_filters.CharFilter(field_name="links__segment__chain__code", label="chain", distinct=True)
    size_band = django_filters.ChoiceFilter(choices=SizeBand.choices)
    q = django_filters.CharFilter(method="search", label="search")

    class Meta:
        model = Enterprise
        fields = ["city", "link", "chain", "size_band"]

    def search(self, queryset, name, value):
        value = value[:100]
        return queryset.filter(Q(name_zh__icontains=value) | Q(name_en__icontains=value) | Q(credit_code=value.upper()))


class LeadFilter(django_filters.FilterSet):
    city = django_filters.CharFilter(field_name="city__code", label="city")
    link = django_filters.CharFilter(field_name="link__code", label="link")
    status = django_filters.ChoiceFilter(choices=LeadStatus.choices)
    in_conflict = django_filters.BooleanFilter(field_name="conflict", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Lead
        fields = ["city", "link", "status", "in_conflict"]


RelocationFilter = coded_filterset(Relocation, ["origin", "destination"], codes=("origin", "destination"))
ParkYearFilter = coded_filterset(ParkYear, ["park", "year"], codes=("park",))


LinkFilter = filterset_factory(Link, fields={"segment__chain__code": ["exact"]})
LeadConflictFilter = filterset_factory(LeadConflict, fields=["status"])
