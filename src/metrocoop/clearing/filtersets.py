"""Filters of the clearing house: the claims list page's (city insured or served, scheme, period, reject reason and
status, each offered by name, never by code) and the API's (codes, as machines send them), one period lookup; the
API's catalogue, authorisation, position and instruction filters."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.filterset import filterset_factory

from metrocoop.clearing.choices import ClaimStatus, RejectCode
from metrocoop.clearing.models import (
    Authorisation,
    CatalogueEntry,
    Claim,
    Period,
    PeriodPosition,
    Scheme,
    SettlementInstruction,
)
from metrocoop.core.filtersets import coded_filterset
from metrocoop.core.models import City


def in_period(queryset, value: str):
    """Claims of the period `value` ("YYYY-MM"); none for a value that is not one."""
    try:
        year, month = (int(x) for x in value.split("-"))
    except ValueError:
        return queryset.none()
    return queryset.filter(period__year=year, period__month=month)


class ClaimFilter(django_filters.FilterSet):
    """The API's claim filters: codes and ids as they are stored; `period` as "YYYY-MM"."""

    period = django_filters.CharFilter(method="filter_period")

    class Meta:
        model = Claim
        fields = ["status", "scheme", "insured_city", "service_city", "reject_code", "batch", "claim_id"]

    def filter_period(self, queryset, name, value):
        return in_period(queryset, value)


class ClaimListFilterSet(django_filters.FilterSet):
    city = django_filters.ChoiceFilter(label=_("City"), method="filter_city", empty_label=_("Any city"))
    scheme = django_filters.ChoiceFilter(label=_("Scheme"), empty_label=_("Any scheme"))
    period = django_filters.ChoiceFilter(label=_("Period"), method="filter_period", empty_label=_("Any period"))
    reason = django_filters.ChoiceFilter(
        label=_("Reject reason"), field_name="reject_code", choices=RejectCode.choices, empty_label=_("Any reason")
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ClaimStatus.choices, empty_label=_("Any status"))

    class Meta:
        model = Claim
        fields = ["city", "scheme", "period", "reason", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["city"].extra["choices"] = [(c.code, c.name) for c in City.objects.order_by("sort_order", "code")]
        self.filters["scheme"].extra["choices"] = [(s.code, s.name) for s in Scheme.objects.order_by("code")]
        self.filters["period"].extra["choices"] = [(p.code, p.code) for p in Period.objects.order_by("-year", "-month")]

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
        return form

    def filter_city(self, queryset, name, value):
        return queryset.filter(Q(insured_city=value) | Q(service_city=value))

    def filter_period(self, queryset, name, value):
        return in_period(queryset, value)


PositionFilter = filterset_factory(PeriodPosition, fields=["period"])
InstructionFilter = filterset_factory(SettlementInstruction, fields=["period", "status"])


CatalogueFilter = coded_filterset(CatalogueEntry, ["city", "scheme", "item_code"], codes=("city", "scheme"))
AuthorisationFilter = coded_filterset(
    Authorisation,
    ["insured_city", "service_city", "scheme", "status"],
    codes=("insured_city", "service_city", "scheme"),
)
