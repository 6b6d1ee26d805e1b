"""Enumerations of investment coordination, with Chinese and English labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SegmentPosition(models.TextChoices):
    """Where a segment sits in its industry chain (产业链上中下游)."""

    UPSTREAM = "upstream", _("Upstream")
    MIDSTREAM = "midstream", _("Midstream")
    DOWNSTREAM = "downstream", _("Downstream")


class SizeBand(models.TextChoices):
    """Enterprise size band (大型/中型/小型/微型, after the national classification of enterprise sizes)."""

    LARGE = "large", _("Large")
    MEDIUM = "medium", _("Medium")
    SMALL = "small", _("Small")
    MICRO = "micro", _("Micro")


class LeadStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WON = "won", _("Signed")
    LOST = "lost", _("Lost")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ACTIVE_LEAD_STATUSES = (LeadStatus.ACTIVE,)


class CoordinationRule(models.TextChoices):
    """How a lead conflict was decided (see engine.decide_lead: the first that applies wins)."""

    OFFICE = "office", _("Office decision")
    MISSING_LINK = "missing_link", _("The city where the link is missing")
    FIRST_REGISTERED = "first_registered", _("First registered")


class ConflictStatus(models.TextChoices):
    OPEN = "open", _("Awaiting coordination")
    RESOLVED = "resolved", _("Resolved")
