"""Filters of the policy library's lists, used by the API and the industry catalogue page. The full-text search
(`policies.search`) has its own query language and is not a FilterSet."""

import django_filters
from django_filters.filterset import filterset_factory

from metrocoop.policies import models
from metrocoop.policies.engine.query import normalise_doc_number

PolicyRelationFilter = filterset_factory(models.PolicyRelation, fields=["kind"])
CurationProposalFilter = filterset_factory(models.CurationProposal, fields=["status", "kind"])
ConsultationFilter = filterset_factory(models.Consultation, fields=["status"])
# The API's catalogue filters: `industry_code` exactly as stored (C3973), `stance`.
IndustryCatalogueEntryFilter = filterset_factory(models.IndustryCatalogueEntry, fields=["industry_code", "stance"])


class PolicyDocumentFilter(django_filters.FilterSet):
    city = django_filters.CharFilter(field_name="city__code")
    province = django_filters.CharFilter(field_name="province__code")
    doc_number = django_filters.CharFilter(method="filter_doc_number")
    in_force_on = django_filters.DateFilter(method="filter_in_force_on", label="in force on date")

    class Meta:
        model = models.PolicyDocument
        fields = ["city", "province", "level", "kind", "validity", "status"]

    def filter_doc_number(self, queryset, name, value):
        return queryset.filter(doc_number_norm=normalise_doc_number(value))

    def filter_in_force_on(self, queryset, name, value):
        return queryset.in_force_on(value)


class CatalogueIndustryFilter(django_filters.FilterSet):
    """The catalogue page's choice of one industry across the cities: `industry` as people type it (" c3973" is
    C3973)."""

    industry = django_filters.CharFilter(method="filter_industry")

    def filter_industry(self, queryset, name, value):
        return queryset.filter(industry_code=value.upper())

    def chosen_code(self) -> str:
        """The industry chosen, upper-cased; "" when none is."""
        return (self.form.cleaned_data.get("industry") or "").upper() if self.is_valid() else ""
