from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrocoop.core.api.serializers import UserDisplayField
from metrocoop.core.models import City, Organisation, User
from metrocoop.council import models
from metrocoop.council.choices import VoteChoice

CITY = {"slug_field": "code", "queryset": City.objects.all()}


class CouncilSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.Council
        fields = [
            "id",
            "name_zh",
            "name_en",
            "quorum_count",
            "quorum_share",
            "majority_share",
            "plan_approval_unanimous",
        ]
        read_only_fields = fields


class CouncilSeatSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)
    representative = UserDisplayField(read_only=True, allow_null=True)
    since = serializers.DateField(read_only=True, allow_null=True)
    until = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = models.CouncilSeat
        fields = ["id", "council", "city", "representative", "since", "until"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    attendees = UserDisplayField(queryset=User.objects.all(), many=True, required=False)
    agenda = serializers.ListField(child=serializers.CharField(max_length=300), required=False)

    class Meta:
        model = models.Meeting
        fields = ["id", "council", "kind", "title", "held_on", "location", "agenda", "attendees", "minutes"]


class VoteSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)
    cast_by = UserDisplayField(read_only=True)

    class Meta:
        model = models.Vote
        fields = ["id", "resolution", "city", "choice", "cast_by", "cast_at"]
        read_only_fields = fields


class ResolutionSerializer(serializers.ModelSerializer):
    votes = VoteSerializer(many=True, read_only=True)

    class Meta:
        model = models.Resolution
        fields = [
            "id",
            "meeting",
            "number",
            "title",
            "text",
            "plan",
            "requires_unanimity",
            "status",
            "outcome",
            "tally",
            "decided_at",
            "votes",
        ]
        read_only_fields = ["requires_unanimity", "status", "outcome", "tally", "decided_at", "votes"]


class CastVoteSerializer(serializers.Serializer):
    city = serializers.SlugRelatedField(**CITY)
    choice = serializers.ChoiceField(choices=VoteChoice.choices)


class AnnualPlanSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()

    class Meta:
        model = models.AnnualPlan
        fields = [
            "id",
            "council",
            "year",
            "title",
            "status",
            "approved_by",
            "previous",
            "submitted_at",
            "approved_at",
            "closed_at",
            "progress",
        ]
        read_only_fields = ["status", "approved_by", "previous", "submitted_at", "approved_at", "closed_at"]

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_progress(self, obj) -> float | None:
        progress = self.context.get("progress", {})
        return progress.get(obj.pk)


class WorkItemSerializer(serializers.ModelSerializer):
    lead_city = serializers.SlugRelatedField(**CITY)
    lead_organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    participating_cities = serializers.SlugRelatedField(many=True, required=False, **CITY)
    articles = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=models.PlanArticle.objects.all())
    proposed_by = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = models.WorkItem
        fields = [
            "id",
            "plan",
            "parent",
            "code",
            "title",
            "domain",
            "description",
            "lead_city",
            "lead_organisation",
            "participating_cities",
            "kpi",
            "unit",
            "target_value",
            "deadline",
            "weight",
            "proposed_by",
            "carried_from",
            "articles",
            "completed_on",
        ]
        read_only_fields = ["proposed_by", "carried_from", "completed_on"]


class WorkItemUpdateSerializer(WorkItemSerializer):
    class Meta(WorkItemSerializer.Meta):
        read_only_fields = ["plan", "proposed_by", "carried_from", "completed_on"]


# Who submitted a report and how the office reviewed it: written by the services, read-only in the API.
REPORT_TRAIL = ["submitted_by", "submitted_at", "review_status", "review_comment", "reviewed_by", "reviewed_at"]


class ProgressReportSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(**CITY)
    submitted_by = UserDisplayField(read_only=True)
    reviewed_by = UserDisplayField(read_only=True, allow_null=True)

    class Meta:
        model = models.ProgressReport
        fields = ["id", "item", "city", "year", "quarter", "percent_complete", "kpi_actual", "narrative", *REPORT_TRAIL]
        read_only_fields = ["year", *REPORT_TRAIL]


class ProgressReportUpdateSerializer(serializers.ModelSerializer):
    """A resubmission changes the figures and the narrative; item, city and quarter stay."""

    class Meta:
        model = models.ProgressReport
        fields = ["percent_complete", "kpi_actual", "narrative"]


class ReviewSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AnnualSummarySerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="plan.year", read_only=True)

    class Meta:
        model = models.AnnualSummary
        fields = ["id", "plan", "year", "introduction", "conclusion", "published", "updated_at"]
        read_only_fields = ["plan", "year", "updated_at"]


class PlanDocumentSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(required=False, allow_null=True, **CITY)

    class Meta:
        model = models.PlanDocument
        fields = ["id", "kind", "title", "city", "period"]


class PlanArticleSerializer(serializers.ModelSerializer):
    served_by = serializers.PrimaryKeyRelatedField(source="work_items", many=True, read_only=True)

    class Meta:
        model = models.PlanArticle
        fields = ["id", "document", "number", "title", "text", "sort_order", "served_by"]


class CountsSerializer(serializers.Serializer):
    items = serializers.IntegerField()
    completed = serializers.IntegerField()
    on_track = serializers.IntegerField()
    late = serializers.IntegerField()
    not_started = serializers.IntegerField()
    completion_rate = serializers.FloatField()
    kpi_attainment = serializers.FloatField(allow_null=True)


class ItemOutcomeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    domain = serializers.CharField()
    lead_city = serializers.CharField()
    percent = serializers.FloatField()
    status = serializers.CharField()
    kpi_attainment = serializers.FloatField(allow_null=True)


class SummaryFiguresSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    totals = CountsSerializer()
    by_domain = serializers.DictField(child=CountsSerializer())
    by_city = serializers.DictField(child=CountsSerializer())
    items = ItemOutcomeSerializer(many=True)
    steps = serializers.ListField(child=serializers.CharField())


class BoardRowSerializer(serializers.Serializer):
    kind = serializers.CharField()
    item = serializers.IntegerField(source="item.pk")
    item_title = serializers.CharField(source="item.title")
    city = serializers.CharField(source="city_code")
    domain = serializers.CharField()
    quarter = serializers.IntegerField(allow_null=True)
    detail = serializers.CharField()


class BoardSerializer(serializers.Serializer):
    rows = BoardRowSerializer(many=True)
    by_city = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    by_domain = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))


class CityPerformanceSerializer(serializers.Serializer):
    city = serializers.CharField()
    items_led = serializers.IntegerField()
    items_completed = serializers.IntegerField()
    completed_on_time = serializers.IntegerField()
    completion_rate = serializers.FloatField()
    reports_due = serializers.IntegerField()
    reports_on_time = serializers.IntegerField()
    timeliness_rate = serializers.FloatField()
    steps = serializers.ListField(child=serializers.CharField())


class NextYearSerializer(serializers.Serializer):
    plan = AnnualPlanSerializer()
    carried = WorkItemSerializer(many=True)


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return f"/attachments/{obj.pk}/"
