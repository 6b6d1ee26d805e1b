"""Enumerations of the funds app, with Chinese and English labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FundKind(models.TextChoices):
    INVESTMENT = "investment", _("Investment-development fund")
    REWARD = "reward", _("Reward-support fund")


class ProjectCategory(models.TextChoices):
    """The fields the paper's §四(五)3 names for the investment-development fund."""

    TRANSPORT = "transport", _("Cross-region transport")
    WATER = "water", _("Water")
    ECOLOGY = "ecology", _("Ecology and environment")
    PUBLIC_SERVICE = "public_service", _("Public services")
    CORRIDOR = "corridor", _("Infrastructure corridor")


class ProjectStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    INELIGIBLE = "ineligible", _("Ineligible")
    UNDER_REVIEW = "under_review", _("Under expert review")
    REJECTED = "rejected", _("Rejected")
    APPROVED = "approved", _("Approved")
    COMPLETED = "completed", _("Completed")


DECIDED_PROJECT_STATUSES = (ProjectStatus.REJECTED, ProjectStatus.APPROVED, ProjectStatus.COMPLETED)


class CycleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CLOSED = "closed", pgettext_lazy("assessment cycle state", "Closed")


REVIEW_CRITERIA = (
    ("regional_benefit", _("Regional benefit")),
    ("feasibility", _("Feasibility")),
    ("cost_effectiveness", _("Cost-effectiveness")),
    ("readiness", _("Readiness")),
)
