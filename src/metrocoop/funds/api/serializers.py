from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrocoop.core.api.serializers import UserDisplayField
from metrocoop.core.explain import both
from metrocoop.core.models import City
from metrocoop.funds import models
from metrocoop.funds.services import fund_position


class FundSerializer(serializers.ModelSerializer):
    position = serializers.SerializerMethodField()

    class Meta:
        model = models.Fund
        fields = ["id", "code", "kind", "name_zh", "name_en", "purpose", "position"]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                k: {"type": "integer"}
                for k in ("balance_fen", "committed_fen", "available_fen", "disbursed_fen", "contributed_fen")
            },
        }
    )
    def get_position(self, obj) -> dict:
        return fund_position(obj).__dict__


class FundRuleSerializer(serializers.ModelSerializer):
    fund = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = models.FundRule
        fields = ["id", "fund", "year", "version", "contribution", "assessment", "projects", "note", "created_at"]


class ContributionNoticeSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)
    paid_fen = serializers.IntegerField(read_only=True)
    arrears_fen = serializers.IntegerField(read_only=True)

    class Meta:
        model = models.ContributionNotice
        fields = ["id", "call", "city", "amount_fen", "paid_fen", "arrears_fen", "explanation"]


class ContributionCallSerializer(serializers.ModelSerializer):
    fund = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = models.ContributionCall
        fields = ["id", "fund", "year", "rule", "target_fen", "due_on", "computation", "issued_at"]


class PaymentInSerializer(serializers.Serializer):
    amount_fen = serializers.IntegerField(min_value=1)
    paid_on = serializers.DateField()
    reference = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")


class ContributionPaymentSerializer(serializers.ModelSerializer):
    transfer = serializers.SlugRelatedField(slug_field="client_id", read_only=True)

    class Meta:
        model = models.ContributionPayment
        fields = ["id", "notice", "amount_fen", "paid_on", "reference", "transfer", "recorded_at"]


class ProjectSerializer(serializers.ModelSerializer):
    lead_city = serializers.SlugRelatedField(slug_field="code", read_only=True)
    partner_cities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = models.Project
        fields = [
            "id",
            "fund",
            "title",
            "category",
            "description",
            "lead_city",
            "partner_cities",
            "requested_fen",
            "status",
            "eligibility",
            "decision",
            "approved_fen",
            "completion_report",
            "completed_on",
            "submitted_at",
        ]
        read_only_fields = fields


def _cities_by_code(codes: list[str]) -> list[City]:
    """The cities of `codes` in their order; any unknown code is refused by name (never dropped silently)."""
    wanted = [c.upper() for c in codes]
    found = {c.code: c for c in City.objects.filter(code__in=wanted)}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        names = "、".join(unknown)
        raise serializers.ValidationError(
            both(f"未知的城市代码：{names}。", f"Unknown city code(s): {', '.join(unknown)}.")
        )
    return [found[c] for c in wanted]


class ProjectInSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=models.Project._meta.get_field("category").choices)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    lead_city = serializers.CharField(max_length=8)
    partner_cities = serializers.ListField(child=serializers.CharField(max_length=8), required=False, default=list)
    requested_fen = serializers.IntegerField(min_value=1)

    def validate_lead_city(self, value: str) -> City:
        return _cities_by_code([value])[0]

    def validate_partner_cities(self, value: list[str]) -> list[City]:
        return _cities_by_code(value)


class ReviewInSerializer(serializers.Serializer):
    scores = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=100))
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class ProjectReviewSerializer(serializers.ModelSerializer):
    expert = UserDisplayField(read_only=True)

    class Meta:
        model = models.ProjectReview
        fields = ["id", "project", "expert", "scores", "total", "comment", "submitted_at"]


class DecisionInSerializer(serializers.Serializer):
    resolution = serializers.IntegerField()

    def validate_resolution(self, value: int):
        from metrocoop.council.models import Resolution

        resolution = Resolution.objects.filter(pk=value).first()
        if resolution is None:
            raise serializers.ValidationError(
                both(f"不存在编号为 {value} 的决议。", f"There is no resolution with id {value}.")
            )
        return resolution

    approve = serializers.BooleanField()
    approved_fen = serializers.IntegerField(min_value=0, required=False, default=0)
    tranches = serializers.ListField(child=serializers.DictField(), required=False, default=list)


class TrancheSerializer(serializers.ModelSerializer):
    transfer = serializers.SlugRelatedField(slug_field="client_id", read_only=True, allow_null=True)

    class Meta:
        model = models.Tranche
        fields = [
            "id",
            "project",
            "sequence",
            "amount_fen",
            "milestone",
            "milestone_met_on",
            "transfer",
            "disbursed_at",
        ]


class AssessmentCycleSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.AssessmentCycle
        fields = ["id", "fund", "year", "rule", "status", "inputs", "result", "run_at"]


class WhatIfSerializer(serializers.Serializer):
    weights = serializers.DictField(child=serializers.CharField(), required=False)
    payout = serializers.DictField(required=False)
    assistance = serializers.DictField(required=False)


class AssessmentResultSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = models.AssessmentResult
        fields = [
            "id",
            "cycle",
            "city",
            "score",
            "rank",
            "breakdown",
            "reward_fen",
            "compensation_fen",
            "assistance_fen",
        ]
