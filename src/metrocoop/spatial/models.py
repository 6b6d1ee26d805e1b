"""Spatial coordination: facilities and corridors on a map, cross-border conflict rules and their conflicts.

Paper §二(三) (drinking-water sources crossed by ports and outfalls), §二(四) (ecological corridors and intercity
lines that stop at borders, monitoring data not shared), §四(三)1,3 (public services, wider service reach),
§四(四)1-2 (economic corridors, river and sea crossings). Geometries are GeoJSON text in WGS84 (no GeoDjango:
shapely and pyproj compute, so the platform needs no spatial database).
"""

from __future__ import annotations

import json
from functools import cached_property

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from metrocoop.core.model_mixins import city_link, link_to, status_field, user_link
from metrocoop.core.models import BilingualNameMixin, City
from metrocoop.spatial.choices import ConflictStatus, FeatureKind, ProjectKind, ProjectStatus, RuleKind


class Feature(BilingualNameMixin, models.Model):
    """A facility or line on the map (§二(三)-(四), §四(三)3): a point, line or polygon in WGS84 with its kind and
    member city. The natural key is (kind, city, Chinese name): importing the same file again updates the same
    rows instead of adding copies."""

    kind = models.CharField(_("kind"), max_length=40, choices=FeatureKind.choices)
    city = city_link(related_name="spatial_features")
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    geometry = models.TextField(_("geometry (GeoJSON, WGS84)"))
    geometry_type = models.CharField(_("geometry type"), max_length=20)
    radius_m = models.PositiveIntegerField(
        _("service radius (m)"), null=True, blank=True, help_text=_("Reach of a hospital or care home")
    )
    data_shared = models.BooleanField(
        _("data shared"),
        null=True,
        blank=True,
        help_text=_("Monitoring stations: are the data shared with neighbours?"),
    )
    river = models.CharField(_("river or water body"), max_length=100, blank=True)
    illustrative = models.BooleanField(_("illustrative"), default=False, help_text=_("Made-up demonstration data"))
    properties = models.JSONField(_("other properties"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["kind", "city__sort_order", "name_zh"]
        verbose_name = _("spatial feature")
        verbose_name_plural = _("spatial features")
        constraints = [
            models.UniqueConstraint(fields=["kind", "city", "name_zh"], name="spatial_feature_natural_key"),
            models.CheckConstraint(condition=Q(radius_m__isnull=True) | Q(radius_m__gt=0), name="spatial_radius_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.get_kind_display()})"

    @cached_property
    def geojson(self) -> dict:
        return json.loads(self.geometry)

    @property
    def wkt(self) -> str:
        from shapely.geometry import shape

        return shape(self.geojson).wkt


class ConflictRule(BilingualNameMixin, models.Model):
    """A rule the office keeps for finding cross-border conflicts (§二(三)-(四)); one per kind, its distance
    (metres) editable: D for near_water_protection, the border tolerance for the other two."""

    kind = models.CharField(_("kind"), max_length=40, choices=RuleKind.choices, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    distance_m = models.PositiveIntegerField(_("distance (m)"))
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("conflict rule")
        verbose_name_plural = _("conflict rules")
        constraints = [models.CheckConstraint(condition=Q(distance_m__gt=0), name="spatial_rule_distance_pos")]

    def __str__(self) -> str:
        return self.name_zh


class Conflict(models.Model):
    """A cross-border conflict a rule found (§二(三)-(四)): two cities, the rule, the features, the distance; the
    office assigns it and follows it to resolution. `key` identifies it across detection runs."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    rule = models.ForeignKey(ConflictRule, on_delete=models.PROTECT, related_name="conflicts", verbose_name=_("rule"))
    city_a = city_link()
    city_b = city_link(_("neighbour city"))
    feature_a = link_to(Feature, _("feature"), on_delete=models.CASCADE)
    feature_b = link_to(Feature, _("other feature"), on_delete=models.CASCADE, optional=True)
    distance_m = models.FloatField(_("distance (m)"), null=True, blank=True)
    explanation = models.TextField(_("explanation"), blank=True)
    status = status_field(ConflictStatus, max_length=20, default=ConflictStatus.OPEN)
    assignee = user_link(_("assigned to"), on_delete=models.SET_NULL, related_name="spatial_conflicts", optional=True)
    note = models.TextField(_("note"), blank=True)
    still_detected = models.BooleanField(_("still detected"), default=True)
    detected_at = models.DateTimeField(_("first detected"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["status", "rule__kind", "city_a__sort_order", "pk"]
        verbose_name = _("spatial conflict")
        verbose_name_plural = _("spatial conflicts")
        constraints = [models.CheckConstraint(condition=~Q(city_a=models.F("city_b")), name="spatial_conflict_cross")]

    def __str__(self) -> str:
        return f"{self.rule} · {self.city_a} – {self.city_b}"


class CorridorProject(BilingualNameMixin, models.Model):
    """A corridor or major cross-border project (§四(四)1-2: 经济走廊, 过江/跨海通道, 城际铁路) with its status and
    the member cities it joins; optionally drawn by a line feature."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=ProjectKind.choices)
    status = status_field(ProjectStatus, max_length=30)
    cities = models.ManyToManyField(City, related_name="corridor_projects", verbose_name=_("cities"))
    lead_city = city_link(_("lead city"), optional=True)
    route = models.TextField(_("route (GeoJSON line, WGS84)"), blank=True)
    description = models.TextField(_("description"), blank=True)
    illustrative = models.BooleanField(_("illustrative"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["status", "code"]
        verbose_name = _("corridor project")
        verbose_name_plural = _("corridor projects")

    def __str__(self) -> str:
        return self.name_zh
