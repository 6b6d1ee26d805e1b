from rest_framework import serializers

from metrocoop.indicators.models import Indicator, Observation


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["code", "name_zh", "name_en", "unit_zh", "unit_en", "domain", "higher_is_better", "source"]


class ObservationSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Observation
        fields = ["id", "indicator", "city", "year", "value", "source", "note", "derived", "formula"]
