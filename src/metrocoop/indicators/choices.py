"""Enumerations of the indicators app, English labels translated to Chinese in the app's catalogue."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ValueKind(models.TextChoices):
    """Whether an indicator is a per-capita figure or a total: the population-weighted measures need to know."""

    PER_CAPITA = "per_capita", _("per capita")
    TOTAL = "total", _("total")
    OTHER = "other", _("other (no population weighting)")


class Sector(models.TextChoices):
    """Three-sector split of the economy (国民经济三次产业)."""

    PRIMARY = "primary", _("primary sector")
    SECONDARY = "secondary", _("secondary sector")
    TERTIARY = "tertiary", _("tertiary sector")


class FlowKind(models.TextChoices):
    """Commuting flows are counts of people or shares of a total, never both in one table (表2 gives shares)."""

    COUNT = "count", _("count of commuters")
    SHARE = "share", _("share (percent)")


class ShareBasis(models.TextChoices):
    ORIGIN = "origin", _("percent of the origin's outflow")
    DESTINATION = "destination", _("percent of the destination's inflow")
    NONE = "", _("not a share")


class FlowZone(models.TextChoices):
    """Which part of Shanghai a 表2 share refers to: the whole municipality (市域) or the central city (中心城)."""

    MUNICIPALITY = "municipality", _("whole municipality")
    CENTRAL_CITY = "central_city", _("central city")
