"""Enumerations of the policy library (English msgid, Chinese translation in the app catalogue)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")
    DISTRICT = "district", _("District")
    REGIONAL = "regional", _("Regional joint")


class Kind(models.TextChoices):
    LAW = "law", _("Law")
    REGULATION = "regulation", _("Regulation")
    NORMATIVE = "normative", _("Normative document")
    PLAN = "plan", _("Plan")
    NOTICE = "notice", _("Notice")


class Validity(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    AMENDED = "amended", _("Amended")
    REPEALED = "repealed", _("Repealed")
    EXPIRED = "expired", _("Expired")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PolicyDomain(models.TextChoices):
    """The policy fields of the paper's §四(二)3 (重大政策沟通协调) and the topics the members compare."""

    TALENT = "talent", _("Talent")
    INNOVATION = "innovation", _("Science and innovation")
    ENVIRONMENT = "environment", _("Environmental protection")
    MEDICAL = "medical", _("Medical insurance")
    REGISTRATION = "registration", _("Business registration")
    LAND = "land", _("Land management")
    ELDERLY = "elderly", _("Elderly care")
    FINANCE = "finance", _("Investment and financing")
    SUBSIDY = "subsidy", _("Fiscal subsidies")
    HR = "hr", _("Human resources")
    PUBLIC_SERVICE = "public_service", _("Public services")
    INDUSTRY = "industry", _("Industrial policy")


class RelationKind(models.TextChoices):
    AMENDS = "amends", _("amends")
    REPEALS = "repeals", _("repeals")
    IMPLEMENTS = "implements", _("implements")
    CITES = "cites", _("cites")


class ReplicationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    EVALUATING = "evaluating", _("Evaluating")
    ADOPTED = "adopted", _("Adopted")
    ADAPTED = "adapted", _("Adapted")
    DECLINED = "declined", _("Declined")


class CatalogueStance(models.TextChoices):
    ENCOURAGED = "encouraged", _("Encouraged")
    RESTRICTED = "restricted", _("Restricted")
    PROHIBITED = "prohibited", _("Prohibited")


class ProposalKind(models.TextChoices):
    NEW_DOCUMENT = "new_document", _("New document")
    CORRECTION = "correction", _("Correction")
    # an imported document whose number, issuer or date could not be found in its text (待补充)
    COMPLETION = "completion", _("To be completed")


class ProposalStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("proposal state", "Open")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Strictness(models.TextChoices):
    """Which way is stricter for a compared provision: a higher threshold, or a lower one."""

    HIGHER_IS_STRICTER = "higher", _("Higher is stricter")
    LOWER_IS_STRICTER = "lower", _("Lower is stricter")


class ConsultationStatus(models.TextChoices):
    OPEN = "open", _("Open for comments")
    CLOSED = "closed", pgettext_lazy("consultation state", "Closed")


class CommentResponse(models.TextChoices):
    PENDING = "pending", _("Awaiting answer")
    ADOPTED = "adopted", _("Adopted")
    PARTLY = "partly", _("Partly adopted")
    DECLINED = "declined", _("Declined")
