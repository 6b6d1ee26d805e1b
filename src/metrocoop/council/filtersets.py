"""Filters of the council's lists (meetings, resolutions, votes, plans, work items, reports, plan documents), used
by the API; ids and codes as they are stored, a city by its code."""

import django_filters

from metrocoop.council.models import (
    AnnualPlan,
    Meeting,
    PlanArticle,
    PlanDocument,
    ProgressReport,
    Resolution,
    Vote,
    WorkItem,
)


class MeetingFilter(django_filters.FilterSet):
    class Meta:
        model = Meeting
        fields = ["council", "kind"]


class ResolutionFilter(django_filters.FilterSet):
    class Meta:
        model = Resolution
        fields = ["meeting", "plan", "status", "outcome"]


class VoteFilter(django_filters.FilterSet):
    class Meta:
        model = Vote
        fields = ["resolution"]


class AnnualPlanFilter(django_filters.FilterSet):
    class Meta:
        model = AnnualPlan
        fields = ["year", "status"]


class WorkItemFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="plan__year")
    lead_city = django_filters.CharFilter(field_name="lead_city__code")

    class Meta:
        model = WorkItem
        fields = ["plan", "year", "domain", "lead_city", "parent"]


class ProgressReportFilter(django_filters.FilterSet):
    city = django_filters.CharFilter(field_name="city__code")

    class Meta:
        model = ProgressReport
        fields = ["item", "city", "year", "quarter", "review_status"]


class PlanDocumentFilter(django_filters.FilterSet):
    class Meta:
        model = PlanDocument
        fields = ["kind"]


class PlanArticleFilter(django_filters.FilterSet):
    class Meta:
        model = PlanArticle
        fields = ["document"]
