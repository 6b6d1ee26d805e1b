from auditlog.models import LogEntry
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from metrocoop.core.audit import shown_changes
from metrocoop.core.models import City, Job, Organisation, RoleAssignment, User
from metrocoop.core.permissions import restrict


def validated(serializer_class, data) -> dict:
    """`data` (a request's body or query) checked by `serializer_class`: its validated data, or a 400 naming each
    field that is wrong."""
    checked = serializer_class(data=data)
    checked.is_valid(raise_exception=True)
    return checked.validated_data


class StrictFieldsMixin:
    """A serializer that refuses a write naming a field it does not know or may not write: a typo, or a read-only
    field, is a 400 naming the field rather than silently dropped."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            writable = {name for name, f in self.fields.items() if not f.read_only}
            unknown = sorted(set(data.keys()) - writable)
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class UserDisplayField(serializers.SlugRelatedField):
    """A person as readers see them: the display name, never the user name (half of a login, and public pages and
    the API are read anonymously). A writable field (given a queryset) still takes user names."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "username")
        super().__init__(**kwargs)

    def to_representation(self, obj) -> str:
        return obj.display_name or f"#{obj.pk}"


class VisibleSlugRelatedField(serializers.SlugRelatedField):
    """A related row named by its slug, found only among the rows the requesting user may see: a row they cannot
    see gets the same answer as a slug that does not exist (no probing for other cities' drafts)."""

    def get_queryset(self):
        request = self.context.get("request")
        return restrict(super().get_queryset(), getattr(request, "user", None))


class CitySerializer(serializers.ModelSerializer):
    province = serializers.SlugRelatedField(slug_field="code", read_only=True)
    province_name_zh = serializers.CharField(source="province.name_zh", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:city-detail", lookup_field="code")

    class Meta:
        model = City
        fields = [
            "code",
            "url",
            "name_zh",
            "name_en",
            "province",
            "province_name_zh",
            "latitude",
            "longitude",
            "joined_on",
            "left_on",
            "description_zh",
            "description_en",
            "positioning",
            "contact",
            "updated_at",
        ]
        read_only_fields = [f for f in fields if f not in City.PROFILE_FIELDS]


class CityProfileSerializer(serializers.ModelSerializer):
    """What PATCH /api/cities/{code}/ may change: the profile the city maintains."""

    class Meta:
        model = City
        fields = list(City.PROFILE_FIELDS)


class OrganisationSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = ["code", "name_zh", "name_en", "kind", "city", "parent", "domain"]


class RoleAssignmentSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["role", "role_label", "city", "organisation", "domain", "valid_from", "valid_until"]


class CurrentUserSerializer(serializers.ModelSerializer):
    roles = RoleAssignmentSerializer(source="role_assignments", many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "language", "roles"]
        read_only_fields = ["id", "username", "roles"]


class LogEntrySerializer(serializers.ModelSerializer):
    action = serializers.SerializerMethodField()
    model = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    before = serializers.SerializerMethodField()
    after = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta:
        model = LogEntry
        fields = [
            "id",
            "timestamp",
            "actor",
            "action",
            "model",
            "object_pk",
            "object_repr",
            "changes",
            "before",
            "after",
            "remote_addr",
            "additional_data",
        ]

    def get_action(self, obj) -> str:
        return {0: "create", 1: "update", 2: "delete", 3: "access"}.get(obj.action, str(obj.action))

    def get_model(self, obj) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    def get_actor(self, obj) -> str | None:
        return obj.actor.username if obj.actor_id else None

    def get_changes(self, obj) -> dict:
        return shown_changes(obj)

    def get_before(self, obj) -> dict:
        return {k: v[0] for k, v in shown_changes(obj).items() if isinstance(v, list) and len(v) == 2}

    def get_after(self, obj) -> dict:
        return {k: v[1] for k, v in shown_changes(obj).items() if isinstance(v, list) and len(v) == 2}


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "done",
            "total",
            "percent",
            "message",
            "result",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
