"""Enumerations of the core app, with Chinese and English labels (English msgid, Chinese translation)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of docs/design.md. A user may hold several, each with its own scope."""

    OFFICE = "office", _("Council office")
    LIAISON = "liaison", _("City liaison")
    DEPARTMENT = "department", _("Department officer")
    EXPERT = "expert", _("Expert")
    RESEARCHER = "researcher", _("Researcher")
    AUDITOR = "auditor", _("Auditor")
    PUBLIC = "public", _("Public")


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", _("Council")
    OFFICE = "office", _("Council office")
    EXPERT_COMMITTEE = "expert_committee", _("Expert advisory committee")
    RESEARCH_SOCIETY = "research_society", _("Research society")
    CITY_GOVERNMENT = "city_government", _("City government")
    DEPARTMENT = "department", _("Department")
    ENTERPRISE = "enterprise", _("Enterprise")
    ASSOCIATION = "association", _("Association")


class Domain(models.TextChoices):
    """Policy domains a department works in; scopes department officers."""

    DEVELOPMENT = "development", _("Development and reform")
    MEDICAL_INSURANCE = "medical_insurance", _("Medical insurance")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    ECOLOGY = "ecology", _("Ecology and environment")
    TRANSPORT = "transport", _("Transport")
    COMMERCE = "commerce", _("Commerce and investment")
    MARKET_REGULATION = "market_regulation", _("Market regulation")
    HUMAN_RESOURCES = "human_resources", _("Human resources and social security")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
