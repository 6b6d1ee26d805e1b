"""Filters of the forum's lists, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.filterset import filterset_factory

from metrocoop.core.models import City
from metrocoop.forum.choices import SuggestionCategory, SuggestionStatus
from metrocoop.forum.models import ResearchProject, Suggestion


class SuggestionFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SuggestionStatus.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=SuggestionCategory.choices)
    city = django_filters.ModelChoiceFilter(
        label=_("City"), field_name="cities", queryset=City.objects.all(), to_field_name="code"
    )
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)

    class Meta:
        model = Suggestion
        fields = ["status", "category", "city"]

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if hasattr(field, "choices") else "form-control")
        return form

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(title__icontains=value) | Q(text__icontains=value))


ResearchProjectFilter = filterset_factory(ResearchProject, fields=["status"])
