from auditlog.models import LogEntry
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a 500
from rest_framework.response import Response
from rest_framework.views import APIView

from metrocoop.core import services
from metrocoop.core.api.authentication import token_expired, token_lifetime
from metrocoop.core.api.base import ScopedReadOnlyViewSet, ServiceModelViewSet, refuse_unknown_fields
from metrocoop.core.api.caching import ConditionalListMixin
from metrocoop.core.api.fastlist import FastListMixin
from metrocoop.core.api.parsers import PARSER_CLASSES
from metrocoop.core.api.serializers import (
    CityProfileSerializer,
    CitySerializer,
    CurrentUserSerializer,
    JobSerializer,
    LogEntrySerializer,
    OrganisationSerializer,
)
from metrocoop.core.filtersets import CityFilter, LogEntryFilter, OrganisationFilter
from metrocoop.core.login_guard import LoginFailureThrottle, forget_failures, record_failure
from metrocoop.core.models import City, Job, Organisation


@extend_schema_view(partial_update=extend_schema(request=CityProfileSerializer, responses=CitySerializer))
class CityViewSet(ConditionalListMixin, FastListMixin, ServiceModelViewSet):
    """Member cities, addressed by code (/api/cities/SZ/). PATCH changes the profile the city maintains."""

    queryset = City.objects.select_related("province")
    serializer_class = CitySerializer
    filterset_class = CityFilter
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z]{2,8}"
    pagination_class = None
    http_method_names = ["get", "patch", "head", "options"]
    update_service = services.do_update_city_profile
    written_serializer_class = CitySerializer

    def get_serializer_class(self):
        return CityProfileSerializer if self.action == "partial_update" else CitySerializer

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset())
        obj = get_object_or_404(queryset, code=self.kwargs["code"].upper())
        self.check_object_permissions(self.request, obj)
        return obj


class OrganisationViewSet(ConditionalListMixin, FastListMixin, ScopedReadOnlyViewSet):
    queryset = Organisation.objects.select_related("city", "parent")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    lookup_field = "code"


class AuditEntryViewSet(ScopedReadOnlyViewSet):
    """The append-only audit trail: who changed what, when, with the values before and after."""

    queryset = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    serializer_class = LogEntrySerializer
    filterset_class = LogEntryFilter


class JobViewSet(ScopedReadOnlyViewSet):
    """Background jobs the user started (the office and auditors see all), with their progress."""

    queryset = Job.objects.all()
    serializer_class = JobSerializer


class CurrentUserView(APIView):
    """The signed-in user, their roles and scopes; PATCH sets the interface language."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=CurrentUserSerializer)
    def get(self, request):
        return Response(CurrentUserSerializer(request.user).data)

    @extend_schema(request=CurrentUserSerializer, responses=CurrentUserSerializer)
    def patch(self, request):
        if not hasattr(request.data, "keys"):
            message = CurrentUserSerializer().error_messages["invalid"].format(datatype=type(request.data).__name__)
            raise ValidationError({"non_field_errors": [message]})
        refuse_unknown_fields(request.data, CurrentUserSerializer().fields)
        language = request.data.get("language")
        if language is not None:
            services.do_set_language(request.user, language, actor=request.user)
        return Response(CurrentUserSerializer(request.user).data)


class TokenView(ObtainAuthToken):
    """POST username and password; the answer's token goes in `Authorization: Token …`. A token lasts
    METROCOOP_TOKEN_TTL_HOURS (default 24 hours, `expires_at` in the answer); then ask again for a new one.
    Wrong passwords are counted: past the limit the endpoint answers 429 (Retry-After) for a while."""

    permission_classes = [permissions.AllowAny]
    parser_classes = PARSER_CLASSES
    throttle_classes = [LoginFailureThrottle]

    def post(self, request, *args, **kwargs):
        username = str(request.data.get("username", ""))
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            record_failure(request, username)
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        forget_failures(request, username)
        with transaction.atomic():
            token, _ = Token.objects.select_for_update().get_or_create(user=user)
            if token_expired(token):
                token.delete()
                token = Token.objects.create(user=user)
        return Response({"token": token.key, "expires_at": token.created + token_lifetime()})
