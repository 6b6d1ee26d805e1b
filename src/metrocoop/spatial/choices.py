"""Enumerations of the spatial app, with Chinese and English labels (paper §二(三)-(四), §四(三)-(四))."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FeatureKind(models.TextChoices):
    DRINKING_WATER_PROTECTION_ZONE = "drinking_water_protection_zone", _("Drinking-water protection zone")
    WATER_INTAKE = "water_intake", _("Water intake")
    OUTFALL = "outfall", _("Outfall")
    PORT = "port", _("Port")
    INDUSTRIAL_PARK = "industrial_park", _("Industrial park")
    HOSPITAL = "hospital", _("Hospital")
    ELDERLY_CARE_HOME = "elderly_care_home", _("Elderly-care home")
    RAIL_LINE = "rail_line", _("Rail line")
    STATION = "station", _("Station")
    ECOLOGICAL_CORRIDOR = "ecological_corridor", _("Ecological corridor")
    MONITORING_STATION = "monitoring_station", _("Monitoring station")


class RuleKind(models.TextChoices):
    NEAR_WATER_PROTECTION = "near_water_protection", _("Outfall or port near another city's water protection zone")
    DISCONTINUOUS_CORRIDOR = "discontinuous_corridor", _("Corridor or intercity line stops at a border")
    UNSHARED_MONITORING = "unshared_monitoring", _("Border monitoring station whose data is not shared")


class ConflictStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("conflict state", "Open")
    ASSIGNED = "assigned", _("Assigned")
    RESOLVED = "resolved", _("Resolved")
    DISMISSED = "dismissed", _("Dismissed")


class ProjectKind(models.TextChoices):
    RAIL = "rail", _("Rail")
    ROAD = "road", _("Road")
    RIVER_CROSSING = "river_crossing", _("River crossing")
    SEA_LINK = "sea_link", _("Sea link")
    ECOLOGICAL_CORRIDOR = "ecological_corridor", _("Ecological corridor")
    ECONOMIC_CORRIDOR = "economic_corridor", _("Economic corridor")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    IN_SERVICE = "in_service", _("In service")
