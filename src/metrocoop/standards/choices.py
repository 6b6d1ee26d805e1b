"""Enumerations of the standards mechanism (English msgid, Chinese in the app catalogue)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StandardLevel(models.TextChoices):
    NATIONAL = "national", _("National standard (GB)")
    NATIONAL_RECOMMENDED = "national_rec", _("Recommended national standard (GB/T)")
    INDUSTRY = "industry", _("Industry standard")
    LOCAL = "local", _("Local standard (DB)")
    REGIONAL = "regional", _("Regional unified standard")
    GROUP = "group", _("Group standard (T/)")


class StandardStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    REPLACED = "replaced", _("Replaced")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class StandardDomain(models.TextChoices):
    """The fields of §二(四): pollutant discharge, wastewater treatment, qualifications, river water quality,
    health and elderly care, construction."""

    ENVIRONMENT = "environment", _("Environment and discharge")
    WATER = "water", _("Water quality")
    ENTERPRISE = "enterprise", _("Enterprise qualification")
    TALENT = "talent", _("Talent and professional qualification")
    CONSTRUCTION = "construction", _("Urban construction")
    HEALTH = "health", _("Health care")
    ELDERLY = "elderly", _("Elderly care")
    MARKET = "market", _("Market regulation")
    OTHER = "other", _("Other")


class QuantityKind(models.TextChoices):
    MASS_CONCENTRATION = "mass_concentration", _("Mass concentration")
    DIMENSIONLESS = "dimensionless", _("Dimensionless (pH, ratio)")
    MASS = "mass", _("Mass")
    LENGTH = "length", _("Length")
    VOLUME = "volume", _("Volume")
    TEMPERATURE = "temperature", _("Temperature")
    TIME = "time", _("Time")
    MASS_FLOW = "mass_flow", _("Mass flow")
    VOLUME_FLOW = "volume_flow", _("Volume flow")
    AREA_DENSITY = "area_density", _("Mass per area")


class LimitType(models.TextChoices):
    MAX = "max", _("Maximum (not more than)")
    MIN = "min", _("Minimum (not less than)")


class ProposalKind(models.TextChoices):
    UNIFY_STANDARD = "unify_standard", _("Unify a standard")
    RECOGNISE_RESULT = "recognise_result", _("Recognise a result")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    DRAFTING = "drafting", _("Drafting")
    CONSULTATION = "consultation", _("In consultation")
    ADOPTED = "adopted", _("Adopted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# proposed → drafting → consultation → adopted; any open proposal may be withdrawn
NEXT_STATUS = {
    ProposalStatus.PROPOSED: ProposalStatus.DRAFTING,
    ProposalStatus.DRAFTING: ProposalStatus.CONSULTATION,
    ProposalStatus.CONSULTATION: ProposalStatus.ADOPTED,
}
OPEN_STATUSES = (ProposalStatus.PROPOSED, ProposalStatus.DRAFTING, ProposalStatus.CONSULTATION)

# the policy library's domain for a consultation opened from a proposal of this domain
CONSULTATION_DOMAIN = {
    StandardDomain.ENVIRONMENT: "environment",
    StandardDomain.WATER: "environment",
    StandardDomain.ENTERPRISE: "innovation",
    StandardDomain.TALENT: "talent",
    StandardDomain.CONSTRUCTION: "land",
    StandardDomain.HEALTH: "medical",
    StandardDomain.ELDERLY: "elderly",
    StandardDomain.MARKET: "registration",
    StandardDomain.OTHER: "public_service",
}
