"""Filters of the funds' lists (rules, contribution calls and notices, projects, reviews, tranches, assessment
cycles and results), used by the API; ids and stored values as they are."""

from django_filters.filterset import filterset_factory

from metrocoop.funds import models

FundRuleFilter = filterset_factory(models.FundRule, fields=["year", "fund"])
ContributionCallFilter = filterset_factory(models.ContributionCall, fields=["year", "fund"])
ContributionNoticeFilter = filterset_factory(models.ContributionNotice, fields=["call"])
ProjectFilter = filterset_factory(models.Project, fields=["status", "category"])
ProjectReviewFilter = filterset_factory(models.ProjectReview, fields=["project"])
TrancheFilter = filterset_factory(models.Tranche, fields=["project"])
AssessmentCycleFilter = filterset_factory(models.AssessmentCycle, fields=["year", "status"])
AssessmentResultFilter = filterset_factory(models.AssessmentResult, fields=["cycle"])
