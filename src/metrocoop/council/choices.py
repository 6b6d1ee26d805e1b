"""Enumerations of the council cycle, English msgid with Chinese translation."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingKind(models.TextChoices):
    PLENARY = "plenary", _("Plenary meeting")
    OFFICE = "office", _("Office meeting")
    SPECIAL = "special", _("Special-topic meeting")


class VoteChoice(models.TextChoices):
    YES = "yes", _("In favour")
    NO = "no", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class ResolutionStatus(models.TextChoices):
    OPEN = "open", _("Open for voting")
    DECIDED = "decided", _("Decided")


class ResolutionOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    PASSED = "passed", _("Passed")
    REJECTED = "rejected", _("Rejected")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the council")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", pgettext_lazy("plan state", "Closed")


PUBLIC_PLAN_STATUSES = (PlanStatus.APPROVED, PlanStatus.IN_PROGRESS, PlanStatus.CLOSED)


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    NOT_REQUIRED = "not_required", _("No review (participating city)")


class ItemStatus(models.TextChoices):
    """How a work item stands on a day (computed by engine.classify_item, never stored)."""

    COMPLETED = "completed", _("Completed")
    ON_TRACK = "on_track", _("On track")
    LATE = "late", _("Late")
    NOT_STARTED = "not_started", _("Not started")


class PlanDocumentKind(models.TextChoices):
    SPATIAL = "spatial", _("Spatial coordination plan")
    FIVE_YEAR = "five_year", _("14th Five-Year Plan")
    MASTER = "master", _("Master plan")
