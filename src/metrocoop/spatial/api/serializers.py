import json

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrocoop.core.api.serializers import StrictFieldsMixin, VisibleSlugRelatedField
from metrocoop.core.models import City
from metrocoop.spatial.choices import ConflictStatus
from metrocoop.spatial.models import Conflict, ConflictRule, CorridorProject, Feature

GEOMETRY_SCHEMA = {"type": "object", "description": "GeoJSON geometry (WGS84 longitude/latitude)"}


@extend_schema_field(GEOMETRY_SCHEMA)
class GeometryField(serializers.Field):
    max_length = 2_000_000  # characters of GeoJSON text (core.tests.test_limits: every text column is bounded)

    def to_representation(self, value):
        if not value:
            return None
        return json.loads(value) if isinstance(value, str) else value

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError(_("Not valid GeoJSON.")) from None
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Not valid GeoJSON."))
        if len(json.dumps(data)) > self.max_length:
            raise serializers.ValidationError(_("Geometry too large."))
        return data


class FeatureSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    city = VisibleSlugRelatedField(slug_field="code", queryset=City.objects.all())
    geometry = GeometryField()
    wkt = serializers.CharField(read_only=True)

    class Meta:
        model = Feature
        fields = [
            "id",
            "kind",
            "city",
            "name_zh",
            "name_en",
            "geometry",
            "geometry_type",
            "wkt",
            "radius_m",
            "data_shared",
            "river",
            "illustrative",
            "properties",
            "source",
            "updated_at",
        ]
        read_only_fields = ["geometry_type", "properties", "source", "updated_at"]


class ConflictRuleSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = ConflictRule
        fields = ["id", "kind", "name_zh", "name_en", "distance_m", "active", "updated_at"]
        read_only_fields = ["kind", "updated_at"]


class FeatureRefSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)
    name = serializers.CharField(source="name_zh", read_only=True)

    class Meta:
        model = Feature
        fields = ["id", "name", "kind", "city"]


class ConflictSerializer(serializers.ModelSerializer):
    rule = serializers.SlugRelatedField(slug_field="kind", read_only=True)
    cities = serializers.SerializerMethodField()
    features = serializers.SerializerMethodField()
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Conflict
        fields = [
            "id",
            "rule",
            "cities",
            "features",
            "distance_m",
            "explanation",
            "status",
            "assignee",
            "note",
            "still_detected",
            "detected_at",
            "resolved_at",
        ]

    def get_cities(self, obj) -> list[str]:
        return [obj.city_a.code, obj.city_b.code]

    @extend_schema_field(FeatureRefSerializer(many=True))
    def get_features(self, obj) -> list[dict]:
        return [FeatureRefSerializer(f).data for f in (obj.feature_a, obj.feature_b) if f is not None]


class ConflictAssignSerializer(StrictFieldsMixin, serializers.Serializer):
    assignee = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.filter(is_active=True), allow_null=True
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ConflictCloseSerializer(StrictFieldsMixin, serializers.Serializer):
    status = serializers.CharField(max_length=20, help_text="resolved or dismissed")

    def validate_status(self, value):
        if value not in (ConflictStatus.RESOLVED, ConflictStatus.DISMISSED):
            raise serializers.ValidationError(_("Must be resolved or dismissed."))
        return value

    note = serializers.CharField(max_length=2000)


class DetectionSerializer(serializers.Serializer):
    found = serializers.IntegerField()
    new = serializers.IntegerField()
    cleared = serializers.IntegerField()


class FindingSerializer(serializers.Serializer):
    rule = serializers.CharField()
    cities = serializers.ListField(child=serializers.CharField())
    features = serializers.ListField(child=serializers.DictField())
    distance_m = serializers.FloatField(allow_null=True)


class CorridorProjectSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    cities = VisibleSlugRelatedField(slug_field="code", queryset=City.objects.all(), many=True)
    lead_city = VisibleSlugRelatedField(slug_field="code", queryset=City.objects.all(), allow_null=True, required=False)
    route = GeometryField(required=False, allow_null=True)

    class Meta:
        model = CorridorProject
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "kind",
            "status",
            "cities",
            "lead_city",
            "route",
            "description",
            "illustrative",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not instance.route:
            data["route"] = None
        return data


class CoverageSerializer(serializers.Serializer):
    city = serializers.CharField()
    kind = serializers.CharField()
    area_km2 = serializers.FloatField()
    own_share = serializers.FloatField()
    others_share = serializers.FloatField()
    any_share = serializers.FloatField()
    facilities_from_others = serializers.ListField(child=serializers.CharField())
