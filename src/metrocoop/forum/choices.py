"""Enumerations of the forum app, with Chinese and English labels (English msgid, Chinese translation)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SuggestionCategory(models.TextChoices):
    """What a suggestion is about: the fields of cooperation the paper names."""

    TRANSPORT = "transport", _("Transport and mobility")
    ECOLOGY = "ecology", _("Ecology and environment")
    PUBLIC_SERVICE = "public_service", _("Public services")
    INDUSTRY = "industry", _("Industry and investment")
    MARKET = "market", _("Market rules and standards")
    PLANNING = "planning", _("Planning and land")
    OTHER = "other", _("Other")


class SuggestionStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted for handling")
    DECLINED = "declined", _("Declined")
    ASSIGNED = "assigned", _("Assigned")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Concluded")


# Statuses in which somebody owes the author a step, and so a deadline runs.
OPEN_STATUSES = (SuggestionStatus.RECEIVED, SuggestionStatus.ACCEPTED, SuggestionStatus.ASSIGNED)


class DeclineReason(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", _("Outside the cooperation mechanism's remit")
    INSUFFICIENT = "insufficient", _("Not specific enough to act on")
    ALREADY_DECIDED = "already_decided", _("Already decided or in hand")
    INAPPROPRIATE = "inappropriate", _("Breaks the forum rules")


class Moderation(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    PENDING = "pending", _("Hidden pending review")
    REMOVED = "removed", _("Removed by a moderator")


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    ABUSE = "abuse", _("Abusive or insulting")
    PERSONAL_DATA = "personal_data", _("Discloses personal data")
    ILLEGAL = "illegal", _("Unlawful content")
    OFF_TOPIC = "off_topic", _("Not about the metropolitan area")


class ResearchStatus(models.TextChoices):
    """专项谋划 → 项目前期 (§四(一)2): a study moves step by step towards a project's pre-phase."""

    PROPOSED = "proposed", _("Proposed")
    RESEARCHING = "researching", _("Researching")
    REPORT_PUBLISHED = "report_published", _("Report published")
    PRE_PHASE = "pre_phase", _("Project pre-phase")


class DigestFrequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
