"""Filters of the council's lists (meetings, resolutions, votes, plans, work items, reports, plan documents), used
by the API; ids and stored values as they are, a city by its code."""

import django_filters
from django_filters.filterset import filterset_factory

from metrocoop.council import models

MeetingFilter = filterset_factory(models.Meeting, fields=["council", "kind"])
ResolutionFilter = filterset_factory(models.Resolution, fields=["meeting", "plan", "status", "outcome"])
VoteFilter = filterset_factory(models.Vote, fields=["resolution"])
AnnualPlanFilter = filterset_factory(models.AnnualPlan, fields=["year", "status"])
PlanDocumentFilter = filterset_factory(models.PlanDocument, fields=["kind"])
PlanArticleFilter = filterset_factory(models.PlanArticle, fields=["document"])


class WorkItemFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="plan__year")
    lead_city = django_filters.CharFilter(field_name="lead_city__code")

    class Meta:
        model = models.WorkItem
        fields = ["plan", "year", "domain", "lead_city", "parent"]


class ProgressReportFilter(django_filters.FilterSet):
    city = django_filters.CharFilter(field_name="city__code")

    class Meta:
        model = models.ProgressReport
        fields = ["item", "city", "year", "quarter", "review_status"]
