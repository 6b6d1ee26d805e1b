"""Filters of the platform ledger's accounts and transfers (the API's)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from metrocoop.core.filtersets import coded_filterset
from metrocoop.ledger.models import Account, Transfer

AccountFilter = coded_filterset(Account, ["city", "kind", "owner_app"], codes=("city",))


class TransferFilter(django_filters.FilterSet):
    account = django_filters.CharFilter(method="filter_account")

    class Meta:
        model = Transfer
        fields = ["code", "account"]

    def filter_account(self, queryset, name, value):
        return queryset.filter(Q(debit_account__code=value) | Q(credit_account__code=value))
