from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrocoop.core.models import City
from metrocoop.indicators import models


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Indicator
        fields = [
            "code",
            "name_zh",
            "name_en",
            "unit_zh",
            "unit_en",
            "domain",
            "higher_is_better",
            "value_kind",
            "allow_negative",
            "decimals",
            "source",
        ]


class ObservationSerializer(serializers.ModelSerializer):
    """City, indicator and year identify an observation: they are set on creation and never changed."""

    indicator = serializers.SlugRelatedField(slug_field="code", queryset=models.Indicator.objects.all())
    city = serializers.SlugRelatedField(slug_field="code", queryset=City.objects.all())
    value = serializers.DecimalField(max_digits=20, decimal_places=6)

    class Meta:
        model = models.Observation
        fields = ["id", "indicator", "city", "year", "value", "unit", "source", "note", "derived", "formula"]
        read_only_fields = ["derived", "formula"]
        validators: list = []  # uniqueness is the service's (bilingual) duplicate check

    def validate(self, attrs):
        if self.instance is not None:
            for field in ("indicator", "city", "year"):
                if field in attrs and attrs[field] != getattr(self.instance, field):
                    raise serializers.ValidationError({field: "不能修改 / cannot be changed"})
        return attrs


class SectorValueSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = models.SectorValue
        fields = ["id", "city", "year", "sector", "value", "unit", "source"]


class CommutingFlowSerializer(serializers.ModelSerializer):
    origin = serializers.SlugRelatedField(slug_field="code", read_only=True)
    destination = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = models.CommutingFlow
        fields = ["id", "origin", "destination", "year", "kind", "basis", "zone", "value", "source"]


@extend_schema_field({"type": "object", "additionalProperties": True})
class AnyJSONField(serializers.JSONField):
    pass


class AnalysisSerializer(serializers.Serializer):
    """An analysis result: the engine's dataclass as JSON, with its inputs, weights and steps."""

    result = AnyJSONField()


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    layout = serializers.ChoiceField(choices=["long", "wide"], required=False)
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2200)
    replace = serializers.BooleanField(required=False, default=False)


class CellErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    value = serializers.CharField()
    code = serializers.CharField()
    message_zh = serializers.CharField()
    message_en = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    layout = serializers.CharField()
    rows = serializers.IntegerField()
    observations = serializers.IntegerField()
    error_count = serializers.IntegerField()
    errors = CellErrorSerializer(many=True, help_text="the first METROCOOP_IMPORT_MAX_ERRORS_SHOWN errors")
    errors_omitted = serializers.IntegerField(required=False, help_text="errors counted but not listed")
    error_counts = serializers.DictField(child=serializers.IntegerField(), required=False, help_text="by reason")
    error_counts_by_column = serializers.DictField(child=serializers.IntegerField(), required=False)
    replacing = serializers.IntegerField()
    ok = serializers.BooleanField()
    import_id = serializers.IntegerField(required=False)
    created = serializers.IntegerField(required=False)
    replaced = serializers.IntegerField(required=False)


class UrbanFunctionSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.UrbanFunction
        fields = ["code", "name_zh", "name_en", "sort_order"]


class PositioningStatementSerializer(serializers.ModelSerializer):
    """A city's statement; ``functions`` are codes of the framework. The city is set on creation only."""

    city = serializers.SlugRelatedField(slug_field="code", queryset=City.objects.all())
    functions = serializers.SlugRelatedField(slug_field="code", many=True, queryset=models.UrbanFunction.objects.all())

    class Meta:
        model = models.PositioningStatement
        fields = ["id", "city", "ref", "text", "source", "functions"]
        validators: list = []

    def validate(self, attrs):
        if self.instance is not None and "city" in attrs and attrs["city"] != self.instance.city:
            raise serializers.ValidationError({"city": "不能修改 / cannot be changed"})
        return attrs
