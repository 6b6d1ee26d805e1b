from rest_framework import serializers

from metrocoop.core.api.serializers import StrictFieldsMixin
from metrocoop.core.models import City
from metrocoop.policies.models import PolicyDocument
from metrocoop.standards import models, services
from metrocoop.standards.importer import CATALOGUE_COLUMNS


def city_field(**kwargs):
    return serializers.SlugRelatedField(slug_field="code", queryset=City.objects.all(), **kwargs)


class StandardSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    replaces = serializers.SlugRelatedField(
        slug_field="code", queryset=models.Standard.objects.all(), required=False, allow_null=True
    )
    replaced_by = serializers.SerializerMethodField()
    key_standard = serializers.SerializerMethodField()
    text = serializers.CharField(max_length=20000, required=False, allow_blank=True)

    class Meta:
        model = models.Standard
        fields = [
            "id",
            *CATALOGUE_COLUMNS,
            "status_since",
            "replaces",
            "replaced_by",
            "key_standard",
            "text",
            "source",
            "illustrative",
            "incomplete",
        ]
        read_only_fields = ["id", "incomplete"]

    def get_replaced_by(self, obj) -> list[str]:
        return [s.code for s in obj.replaced_by_set.all()]

    def get_key_standard(self, obj) -> bool:
        return hasattr(obj, "key_entry")


class KeyStandardSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    standard = serializers.SlugRelatedField(slug_field="code", queryset=models.Standard.objects.all())

    class Meta:
        model = models.KeyStandard
        fields = ["id", "standard", "priority", "reason", "listed_on"]


class ParameterSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    class Meta:
        model = models.Parameter
        fields = ["id", "code", "name_zh", "name_en", "kind", "limit_type", "unit", "domain", "description"]


class LimitValueSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    parameter = serializers.SlugRelatedField(slug_field="code", queryset=models.Parameter.objects.all())
    city = city_field()
    standard = serializers.SlugRelatedField(
        slug_field="code", queryset=models.Standard.objects.all(), required=False, allow_null=True
    )
    category = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    unit = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    revisions = serializers.IntegerField(source="revisions.count", read_only=True)

    class Meta:
        model = models.LimitValue
        fields = [
            "id",
            "parameter",
            "city",
            "category",
            "value",
            "unit",
            "standard",
            "note",
            "illustrative",
            "updated_at",
            "revisions",
        ]
        read_only_fields = ["id", "illustrative", "updated_at", "revisions"]
        validators = []  # the service changes an existing (parameter, city, category) value, keeping history


class LimitRevisionSerializer(serializers.ModelSerializer):
    standard = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    superseded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = models.LimitRevision
        fields = ["id", "limit", "value", "unit", "standard", "applied_since", "superseded_at", "superseded_by"]


class RecognitionTypeSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    class Meta:
        model = models.RecognitionType
        fields = ["id", "code", "name_zh", "name_en", "domain", "description"]


class RecognitionSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    type = serializers.SlugRelatedField(slug_field="code", queryset=models.RecognitionType.objects.all())
    issuing_city = city_field()
    recognising_city = city_field()
    basis = serializers.SlugRelatedField(
        slug_field="key", queryset=PolicyDocument.objects.only("id", "key"), required=False, allow_null=True
    )

    class Meta:
        model = models.Recognition
        fields = [
            "id",
            "type",
            *services.RECOGNITION_FIELDS,
            "illustrative",
        ]
        read_only_fields = ["id", "illustrative"]


class SignatureSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)
    signed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = models.ProposalSignature
        fields = ["city", "signed_on", "signed_by"]


class ProposalSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    lead_city = city_field()
    parameter = serializers.SlugRelatedField(
        slug_field="code", queryset=models.Parameter.objects.all(), required=False, allow_null=True
    )
    standard = serializers.SlugRelatedField(
        slug_field="code", queryset=models.Standard.objects.all(), required=False, allow_null=True
    )
    recognition_type = serializers.SlugRelatedField(
        slug_field="code", queryset=models.RecognitionType.objects.all(), required=False, allow_null=True
    )
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    draft = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    signatures = SignatureSerializer(many=True, read_only=True)

    class Meta:
        model = models.UnificationProposal
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "domain",
            "lead_city",
            "parameter",
            "standard",
            "recognition_type",
            "draft",
            "status",
            "status_changed_at",
            "consultation",
            "adopted_standard",
            "signatures",
            "illustrative",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "status_changed_at",
            "consultation",
            "adopted_standard",
            "illustrative",
            "created_at",
        ]


class AdvanceSerializer(StrictFieldsMixin, serializers.Serializer):
    deadline = serializers.DateField(required=False, help_text="deadline for comments (to consultation)")
    adopted_standard = serializers.SlugRelatedField(
        slug_field="code", queryset=models.Standard.objects.all(), required=False, allow_null=True
    )


class SignSerializer(StrictFieldsMixin, serializers.Serializer):
    city = city_field()


class HarmoniseQuerySerializer(serializers.Serializer):
    parameter = serializers.CharField(max_length=40)
    category = serializers.CharField(max_length=100, required=False)


class RecognisedQuerySerializer(serializers.Serializer):
    type = serializers.CharField(max_length=40)
    issued_in = serializers.CharField(max_length=50)
    # "in" is a Python keyword: the query parameter is read as `in` by the view
    on = serializers.DateField(required=False)
