"""Filters of the funds' lists (rules, contribution calls and notices, projects, reviews, tranches, assessment
cycles and results), used by the API; ids and codes as they are stored."""

import django_filters

from metrocoop.funds.models import (
    AssessmentCycle,
    AssessmentResult,
    ContributionCall,
    ContributionNotice,
    FundRule,
    Project,
    ProjectReview,
    Tranche,
)


class FundRuleFilter(django_filters.FilterSet):
    class Meta:
        model = FundRule
        fields = ["year", "fund"]


class ContributionCallFilter(django_filters.FilterSet):
    class Meta:
        model = ContributionCall
        fields = ["year", "fund"]


class ContributionNoticeFilter(django_filters.FilterSet):
    class Meta:
        model = ContributionNotice
        fields = ["call"]


class ProjectFilter(django_filters.FilterSet):
    class Meta:
        model = Project
        fields = ["status", "category"]


class ProjectReviewFilter(django_filters.FilterSet):
    class Meta:
        model = ProjectReview
        fields = ["project"]


class TrancheFilter(django_filters.FilterSet):
    class Meta:
        model = Tranche
        fields = ["project"]


class AssessmentCycleFilter(django_filters.FilterSet):
    class Meta:
        model = AssessmentCycle
        fields = ["year", "status"]


class AssessmentResultFilter(django_filters.FilterSet):
    class Meta:
        model = AssessmentResult
        fields = ["cycle"]
