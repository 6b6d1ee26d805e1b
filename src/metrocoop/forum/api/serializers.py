from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrocoop.core.api.serializers import StrictFieldsMixin
from metrocoop.core.choices import Domain
from metrocoop.forum.choices import DeclineReason, ReportReason, SuggestionCategory
from metrocoop.forum.models import ForumEvent, ProgrammeItem, ResearchProject, Speaker, Suggestion
from metrocoop.forum.services import NOTE_MAX, TEXT_MAX, TITLE_MAX


class DuplicateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    similarity = serializers.FloatField(min_value=0, max_value=1)


class CityCodesField(serializers.ListField):
    """City codes in and out (the row keeps the cities themselves)."""

    child = serializers.CharField(max_length=8)

    def to_representation(self, value):
        return [c.code for c in value.all()]


class EventIdField(serializers.IntegerField):
    def get_attribute(self, instance):
        return instance.event_id


class SuggestionSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A suggestion. POST takes title, text, category, cities (codes) and optionally event; the answer lists the
    likely duplicates found at submission."""

    title = serializers.CharField(max_length=TITLE_MAX)
    text = serializers.CharField(max_length=TEXT_MAX, trim_whitespace=False)
    category = serializers.ChoiceField(choices=SuggestionCategory.choices)
    cities = CityCodesField(required=False, default=list, max_length=20)
    event = EventIdField(required=False, allow_null=True, default=None)
    author = serializers.SerializerMethodField()
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    assigned_city = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    votes = serializers.SerializerMethodField()
    likely_duplicates = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "url",
            "title",
            "text",
            "category",
            "cities",
            "event",
            "author",
            "organisation",
            "status",
            "submitted_at",
            "decided_at",
            "decline_reason",
            "decline_note",
            "assigned_city",
            "assigned_domain",
            "assigned_at",
            "answer",
            "answered_at",
            "closed_at",
            "due_on",
            "due_provisional",
            "moderation",
            "merged_into",
            "votes",
            "likely_duplicates",
        ]
        read_only_fields = [f for f in fields if f not in ("title", "text", "category", "cities", "event")]

    def get_author(self, obj) -> str:
        return obj.organisation.name if obj.organisation_id else str(obj.author)

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()

    def get_votes(self, obj) -> int:
        annotated = getattr(obj, "vote_count", None)
        return annotated if annotated is not None else obj.votes.count()

    @extend_schema_field(DuplicateSerializer(many=True))
    def get_likely_duplicates(self, obj) -> list[dict]:
        found = getattr(obj, "likely_duplicates", None)
        if found is not None:
            return [{"id": m.id, "title": m.title, "similarity": m.similarity} for m in found]
        everything, user_id = self.context.get("reads_everything", False), self.context.get("user_id")
        return [
            {"id": c.other_id, "title": c.other.title, "similarity": c.similarity}
            for c in obj.duplicate_candidates.all()
            if not c.dismissed and (everything or c.other.is_public or c.other.author_id == user_id)
        ]


class DeclineSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class AssignSerializer(StrictFieldsMixin, serializers.Serializer):
    city = serializers.CharField(max_length=8, required=False, allow_blank=True, default="")
    domain = serializers.ChoiceField(choices=Domain.choices, required=False, allow_blank=True, default="")


class AnswerSerializer(StrictFieldsMixin, serializers.Serializer):
    answer = serializers.CharField(max_length=TEXT_MAX)


class MergeSerializer(StrictFieldsMixin, serializers.Serializer):
    into = serializers.IntegerField()


class ReportSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ModerateSerializer(StrictFieldsMixin, serializers.Serializer):
    remove = serializers.BooleanField()


class ResearchProjectSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    cities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = ResearchProject
        fields = [
            "id",
            "name_zh",
            "name_en",
            "summary",
            "organisation",
            "cities",
            "status",
            "report_summary",
            "report_published_on",
            "fund_project",
            "created_at",
        ]
        read_only_fields = fields


class ResearchProposalSerializer(StrictFieldsMixin, serializers.Serializer):
    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    summary = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    organisation = serializers.CharField(max_length=60, help_text="code of the research society or think-tank")
    cities = serializers.ListField(child=serializers.CharField(max_length=8), required=False, default=list)


class ResearchAdvanceSerializer(StrictFieldsMixin, serializers.Serializer):
    report_summary = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    published_on = serializers.DateField(required=False, allow_null=True, default=None)


class ResearchLinkSerializer(StrictFieldsMixin, serializers.Serializer):
    fund_project = serializers.IntegerField()


class SpeakerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Speaker
        fields = ["id", "name", "affiliation"]


class ProgrammeItemSerializer(serializers.ModelSerializer):
    speakers = SpeakerSerializer(many=True, read_only=True)

    class Meta:
        model = ProgrammeItem
        fields = ["id", "starts_at", "ends_at", "title", "speakers"]


class ForumEventSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)
    programme = ProgrammeItemSerializer(many=True, read_only=True)
    speakers = SpeakerSerializer(many=True, read_only=True)

    class Meta:
        model = ForumEvent
        fields = [
            "id",
            "name_zh",
            "name_en",
            "city",
            "venue",
            "starts_on",
            "ends_on",
            "description",
            "programme",
            "speakers",
        ]
        read_only_fields = fields
