import datetime

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrocoop.core.api.serializers import UserDisplayField, VisibleSlugRelatedField
from metrocoop.core.models import City, Province
from metrocoop.policies import models
from metrocoop.policies.choices import PolicyDomain
from metrocoop.policies.services import DOCUMENT_FIELDS


class ValidityChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = models.ValidityChange
        fields = ["validity", "since", "reason"]


#: Dates a policy document can carry (a year 9999 is a typing error, not a policy).
DOCUMENT_DATES = (datetime.date(1900, 1, 1), datetime.date(2100, 12, 31))


class PolicyDocumentSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", queryset=City.objects.all(), required=False, allow_null=True)
    province = serializers.SlugRelatedField(
        slug_field="code", queryset=Province.objects.all(), required=False, allow_null=True
    )
    domains = serializers.ListField(
        child=serializers.ChoiceField(choices=PolicyDomain.choices), required=False, write_only=True
    )
    domain_list = serializers.SerializerMethodField()
    validity_history = ValidityChangeSerializer(source="validity_changes", many=True, read_only=True)
    key = serializers.SlugField(required=False, max_length=80)

    class Meta:
        model = models.PolicyDocument
        # the document fields the services take (all but the issuing organisation, which the API does not carry),
        # then the normalised number, the domains and the validity history
        fields = [
            "id",
            *(f for f in DOCUMENT_FIELDS if f != "issuer_org"),
            "doc_number_norm",
            "domains",
            "domain_list",
            "validity_history",
        ]
        read_only_fields = ["doc_number_norm", "validity_since", "valid_until"]
        # required through the API as before; only the importer leaves them empty (flagged 待补充 for the experts)
        extra_kwargs = {
            "key": {"validators": []},
            "issuer": {"required": True, "allow_blank": False},
            "issued_on": {"required": True, "allow_null": False},
        }

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_domain_list(self, obj) -> list[str]:
        return [t.domain for t in obj.domain_tags.all()]

    def _date_in_range(self, value):
        if value is not None and not (DOCUMENT_DATES[0] <= value <= DOCUMENT_DATES[1]):
            raise serializers.ValidationError(
                _("Enter a date between %(first)s and %(last)s.")
                % {"first": DOCUMENT_DATES[0], "last": DOCUMENT_DATES[1]}
            )
        return value

    validate_issued_on = _date_in_range
    validate_effective_on = _date_in_range


class PolicyRelationSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="key", queryset=models.PolicyDocument.objects.all())
    target = serializers.SlugRelatedField(slug_field="key", queryset=models.PolicyDocument.objects.all())
    effective_on = serializers.DateField(required=False)

    class Meta:
        model = models.PolicyRelation
        fields = ["id", "source", "target", "kind", "effective_on", "note"]


class TopicProvisionSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)
    document = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = models.TopicProvision
        fields = ["city", "document", "threshold", "amount_fen", "duration_months", "condition"]


class TopicSerializer(serializers.ModelSerializer):
    domain = serializers.CharField(read_only=True, help_text="policy domain code (see documents' domains)")
    provisions = TopicProvisionSerializer(many=True, read_only=True)

    class Meta:
        model = models.Topic
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "domain",
            "threshold_label",
            "threshold_unit",
            "threshold_direction",
            "amount_label",
            "provisions",
        ]


class ReformReplicationSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)
    document = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = models.ReformReplication
        fields = ["city", "status", "status_on", "document", "note"]


class PilotReformSerializer(serializers.ModelSerializer):
    origin_city = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    replications = ReformReplicationSerializer(many=True, read_only=True)
    domain = serializers.CharField(read_only=True, help_text="policy domain code (see documents' domains)")

    class Meta:
        model = models.PilotReform
        fields = ["id", "code", "title", "origin_city", "origin_label", "domain", "introduced_on", "replications"]


class IndustryCatalogueEntrySerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)
    document = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)

    class Meta:
        model = models.IndustryCatalogueEntry
        fields = ["id", "industry_code", "industry_name", "city", "stance", "document", "clause"]


class CurationProposalSerializer(serializers.ModelSerializer):
    document = VisibleSlugRelatedField(
        slug_field="key", queryset=models.PolicyDocument.objects.all(), required=False, allow_null=True
    )
    proposer = UserDisplayField(read_only=True)

    class Meta:
        model = models.CurationProposal
        fields = ["id", "kind", "proposer", "document", "payload", "note", "status", "decision_note", "created_at"]
        read_only_fields = ["status", "decision_note", "created_at"]


class DecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SearchHitSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    doc_number = serializers.CharField()
    issuer = serializers.CharField(allow_blank=True)
    city = serializers.CharField(allow_null=True)
    level = serializers.CharField()
    validity = serializers.CharField()
    issued_on = serializers.DateField(allow_null=True)
    score = serializers.FloatField()
    snippet = serializers.CharField(help_text="HTML with <mark> around matches")


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class SearchQuerySerializer(serializers.Serializer):
    """The search's query parameters that must parse: a date that is not a date is a 400 naming it."""

    in_force_on = serializers.DateField(required=False)


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    within = serializers.ListField(child=serializers.CharField())
    steps = serializers.ListField(child=serializers.CharField())
    total = serializers.IntegerField()
    total_exact = serializers.BooleanField(
        help_text="false when more documents match than `window`: `total` is then `window`, the facet counts cover the "
        "`window` most recently added matches, and relevance ranking orders those after the documents whose title "
        "holds every term (the `window` most recently added of them)"
    )
    window = serializers.IntegerField(help_text="the candidate window (500): up to this many matches all is exact")
    page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    sort = serializers.CharField()
    history = serializers.BooleanField(
        help_text="false (the default): ranked by relevance, documents in force come before repealed or expired ones"
    )
    filters = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    hits = SearchHitSerializer(many=True)
    facets = serializers.DictField(child=FacetValueSerializer(many=True))


class ConsultationCommentSerializer(serializers.ModelSerializer):
    author = UserDisplayField(read_only=True)
    author_city = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = models.ConsultationComment
        fields = ["id", "author", "author_city", "text", "response", "response_text", "answered_at", "created_at"]


class ConsultationClauseSerializer(serializers.ModelSerializer):
    comments = ConsultationCommentSerializer(many=True, read_only=True)

    class Meta:
        model = models.ConsultationClause
        fields = ["number", "text", "comments"]


class ConsultationSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)
    domain = serializers.CharField(read_only=True)
    document = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    clauses = ConsultationClauseSerializer(many=True, read_only=True)

    class Meta:
        model = models.Consultation
        fields = ["id", "title", "city", "domain", "summary", "deadline", "status", "outcome", "document", "clauses"]
