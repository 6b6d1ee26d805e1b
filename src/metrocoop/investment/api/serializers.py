from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrocoop.core.api.serializers import StrictFieldsMixin
from metrocoop.core.models import City
from metrocoop.investment import models, services


def city_field(**kwargs):
    return serializers.SlugRelatedField(slug_field="code", queryset=City.objects.all(), **kwargs)


class LinkSerializer(serializers.ModelSerializer):
    chain = serializers.CharField(source="segment.chain.code", read_only=True)
    position = serializers.CharField(source="segment.position", read_only=True)
    segment = serializers.CharField(source="segment.name_zh", read_only=True)

    class Meta:
        model = models.Link
        fields = ["code", "name_zh", "name_en", "industry_codes", "chain", "segment", "position"]


class SegmentSerializer(serializers.ModelSerializer):
    links = LinkSerializer(many=True, read_only=True)

    class Meta:
        model = models.Segment
        fields = ["position", "name_zh", "name_en", "links"]


class ChainSerializer(serializers.ModelSerializer):
    segments = SegmentSerializer(many=True, read_only=True)

    class Meta:
        model = models.Chain
        fields = ["code", "name_zh", "name_en", "description", "segments"]


class EnterpriseSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    city = city_field()
    links = serializers.SlugRelatedField(
        slug_field="code", queryset=models.Link.objects.all(), many=True, required=False
    )
    credit_code = serializers.CharField(max_length=18, validators=[])  # checked (GB 32100) by the service

    class Meta:
        model = models.Enterprise
        fields = ["id", "name_zh", "name_en", "credit_code", "credit_code_warning", "city", "links", "size_band"]
        read_only_fields = ["credit_code_warning"]


class LeadSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    city = city_field()
    link = serializers.SlugRelatedField(slug_field="code", queryset=models.Link.objects.all())
    target_credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    leading = serializers.SerializerMethodField()

    class Meta:
        model = models.Lead
        fields = [
            "id",
            "city",
            "target_name",
            "target_credit_code",
            "target_country",
            "link",
            "status",
            "note",
            "conflict",
            "leading",
            "registered_at",
        ]
        read_only_fields = ["conflict", "registered_at"]

    def get_leading(self, obj) -> bool | None:
        """In a conflict: whether this lead leads; None when there is no conflict."""
        if obj.conflict_id is None:
            return None
        return obj.conflict.leading_id == obj.pk


class LeadInConflictSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = models.Lead
        fields = ["id", "city", "status", "registered_at"]


class LeadConflictSerializer(serializers.ModelSerializer):
    leads = LeadInConflictSerializer(many=True, read_only=True)
    leading_city = serializers.CharField(source="leading.city.code", read_only=True, default=None)

    class Meta:
        model = models.LeadConflict
        fields = [
            "id",
            "target_name",
            "status",
            "rule",
            "leading",
            "leading_city",
            "office_choice",
            "explanation",
            "leads",
            "detected_at",
            "decided_at",
        ]
        read_only_fields = fields


class DecideConflictSerializer(StrictFieldsMixin, serializers.Serializer):
    lead = serializers.IntegerField(allow_null=True, help_text="the lead the office names; null clears its decision")


class PromotionEventSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    host_city = city_field()
    partner_cities = city_field(many=True, required=False)
    chains = serializers.SlugRelatedField(
        slug_field="code", queryset=models.Chain.objects.all(), many=True, required=False
    )

    class Meta:
        model = models.PromotionEvent
        fields = ["id", "title", "host_city", "partner_cities", "chains", "country", "venue", "held_on", "note"]


class SharingRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.SharingRule
        fields = ["id", "name", "valid_from", "origin_share", "years", "extension_years", "cap_years_before"]


class RelocationTaxYearSerializer(serializers.ModelSerializer):
    transfer = serializers.SlugRelatedField(slug_field="client_id", read_only=True)

    class Meta:
        model = models.RelocationTaxYear
        fields = ["year", "tax_fen", "origin_fen", "explanation", "transfer"]


class RelocationSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=models.Enterprise.objects.all())
    origin = serializers.SlugRelatedField(slug_field="code", read_only=True)
    destination = city_field()
    tax_years = RelocationTaxYearSerializer(many=True, read_only=True)
    first_sharing_year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)

    class Meta:
        model = models.Relocation
        fields = [
            "id",
            "enterprise",
            "origin",
            "destination",
            "moved_on",
            "first_sharing_year",
            "rule",
            "cap_basis_fen",
            "note",
            "tax_years",
            "registered_at",
        ]
        read_only_fields = ["rule", "registered_at"]


class TaxYearInSerializer(StrictFieldsMixin, serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    tax_fen = serializers.IntegerField(min_value=0)


class ParkPhaseSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = models.ParkPhase
        fields = list(services.PHASE_FIELDS)


class ParkSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    host = city_field()
    partner = city_field()
    phases = ParkPhaseSerializer(many=True, required=False)
    years = serializers.SerializerMethodField()

    class Meta:
        model = models.Park
        fields = ["code", "name_zh", "name_en", "host", "partner", "agreement_title", "signed_on", "phases", "years"]

    def get_years(self, obj) -> list[int]:
        return sorted(y.year for y in obj.years.all())


class ParkYearSerializer(serializers.ModelSerializer):
    park = serializers.SlugRelatedField(slug_field="code", read_only=True)
    transfer = serializers.SlugRelatedField(slug_field="client_id", read_only=True, allow_null=True)

    class Meta:
        model = models.ParkYear
        fields = ["id", "park", "year", "tax_fen", "gdp_fen", "land_quota_m2", "shares", "transfer", "posted_at"]


class ParkYearInSerializer(StrictFieldsMixin, serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    tax_fen = serializers.IntegerField(min_value=0)
    gdp_fen = serializers.IntegerField(min_value=0)
    land_quota_m2 = serializers.IntegerField(min_value=0)


class YearInSerializer(StrictFieldsMixin, serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


@extend_schema_field(
    {
        "type": "object",
        "properties": {"item": {"type": "string"}, "total": {"type": "integer"}},
        "additionalProperties": {"type": "integer"},
    }
)
class ShareItemField(serializers.DictField):
    pass


class ParkSharesSerializer(serializers.Serializer):
    park = serializers.CharField()
    year = serializers.IntegerField()
    items = serializers.ListField(child=ShareItemField())
    explanation = serializers.DictField(required=False)


class LandQuotaTransferSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    park = serializers.SlugRelatedField(
        slug_field="code", queryset=models.Park.objects.all(), required=False, allow_null=True
    )
    from_city = city_field()
    to_city = city_field()
    transfer = serializers.SlugRelatedField(slug_field="client_id", read_only=True, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)

    class Meta:
        model = models.LandQuotaTransfer
        fields = ["id", "park", "from_city", "to_city", "quota_m2", "compensation_fen", "agreed_on", "note", "transfer"]


class CreditCodeResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    valid = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True)
    warning = serializers.CharField(allow_null=True)
