from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrocoop.clearing.models import (
    Authorisation,
    CatalogueEntry,
    Claim,
    IngestBatch,
    IngestRejection,
    Period,
    PeriodPosition,
    Scheme,
    SettlementInstruction,
)
from metrocoop.clearing.services import can_see_person
from metrocoop.core.models import City


def _viewer(serializer) -> object:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class SchemeSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True, help_text="medical_inpatient, medical_outpatient or elderly_care")

    class Meta:
        model = Scheme
        fields = ["code", "name_zh", "name_en", "domain", "needs_authorisation"]


class CatalogueEntrySerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", queryset=City.objects.all())
    scheme = serializers.SlugRelatedField(slug_field="code", queryset=Scheme.objects.all())

    class Meta:
        model = CatalogueEntry
        fields = [
            "id", "city", "scheme", "item_code", "name_zh", "name_en", "unit_price_fen", "reimbursement_ratio",
            "valid_from", "valid_until",
        ]  # fmt: skip
        validators: list = []


class PersonRefMixin(serializers.Serializer):
    """`person_ref` only for the insured city's own bureau; everybody else gets null (nobody sees another
    city's person references, the office included)."""

    person_ref = serializers.SerializerMethodField()

    def _insured_code(self, obj) -> str:
        raise NotImplementedError

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_person_ref(self, obj) -> str | None:
        return obj.person_ref if can_see_person(_viewer(self), self._insured_code(obj)) else None


class AuthorisationSerializer(PersonRefMixin, serializers.ModelSerializer):
    insured_city = serializers.SlugRelatedField(slug_field="code", queryset=City.objects.all())
    service_city = serializers.SlugRelatedField(slug_field="code", queryset=City.objects.all())
    scheme = serializers.SlugRelatedField(slug_field="code", queryset=Scheme.objects.all())
    person = serializers.CharField(write_only=True, help_text="person reference (keyed hash) when granting")
    effective_status = serializers.CharField(read_only=True)

    class Meta:
        model = Authorisation
        fields = [
            "id", "person", "person_ref", "insured_city", "service_city", "scheme", "valid_from", "valid_until",
            "status", "effective_status", "created_at",
        ]  # fmt: skip
        read_only_fields = ["status", "created_at"]

    def _insured_code(self, obj) -> str:
        return obj.insured_city.code


class ClaimSerializer(PersonRefMixin, serializers.ModelSerializer):
    period = serializers.SerializerMethodField()
    batch = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id", "claim_id", "content_hash", "batch", "chunk_no", "status", "reject_code", "reject_detail_zh",
            "reject_detail_en", "scheme", "insured_city", "service_city", "provider", "person_ref", "service_date",
            "items", "total_fen", "fund_payable_fen", "period",
        ]  # fmt: skip
        read_only_fields = fields

    def _insured_code(self, obj) -> str:
        return obj.insured_city

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_period(self, obj: Claim) -> str | None:
        return obj.period.code if obj.period_id else None


class ReversalRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class IngestRejectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = IngestRejection
        fields = ["row_number", "claim_id", "reject_code", "detail_zh", "detail_en", "fund_payable_fen"]


class IngestBatchSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = IngestBatch
        fields = [
            "id", "source", "file_sha256", "city", "domain", "status", "chunks_done", "received_count",
            "received_fen", "posted_count", "posted_fen", "rejected_count", "rejected_fen", "duplicate_count",
            "duplicate_fen", "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class BatchRequestSerializer(serializers.Serializer):
    source = serializers.CharField(max_length=300, required=False, default="api")
    claims = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=100_000)


class BatchResultSerializer(serializers.Serializer):
    batch = IngestBatchSerializer()
    reasons = serializers.DictField(child=serializers.IntegerField())
    rejections = serializers.ListField(child=serializers.DictField())


class PeriodPositionSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)
    period = serializers.CharField(source="period.code", read_only=True)

    class Meta:
        model = PeriodPosition
        fields = ["id", "period", "city", "receivable_fen", "payable_fen", "net_fen"]


class SettlementInstructionSerializer(serializers.ModelSerializer):
    payer = serializers.SlugRelatedField(slug_field="code", read_only=True)
    payee = serializers.SlugRelatedField(slug_field="code", read_only=True)
    period = serializers.CharField(source="period.code", read_only=True)

    class Meta:
        model = SettlementInstruction
        fields = ["id", "period", "payer", "payee", "amount_fen", "status", "paid_at", "payment_reference"]
        read_only_fields = fields


class PaymentRequestSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100)


class PeriodSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)

    class Meta:
        model = Period
        fields = ["id", "code", "year", "month", "status", "closed_at", "ledger_head", "result"]
        read_only_fields = ["status", "closed_at", "ledger_head", "result"]
