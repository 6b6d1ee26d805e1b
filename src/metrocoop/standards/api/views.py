"""API of the standards mechanism under /api/standards/: writes go through the services (ServiceModelViewSet)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a 500
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from metrocoop.core.api.base import ScopedReadOnlyViewSet, ServiceModelViewSet
from metrocoop.core.api.serializers import validated
from metrocoop.core.permissions import Action, restrict
from metrocoop.standards import filtersets, services
from metrocoop.standards.api import serializers as s
from metrocoop.standards.models import (
    KeyStandard,
    LimitRevision,
    LimitValue,
    Parameter,
    ProposalSignature,
    Recognition,
    RecognitionType,
    Standard,
    UnificationProposal,
)


class StandardViewSet(ServiceModelViewSet):
    """The standards catalogue (kept by the office as the regional standardisation body)."""

    queryset = Standard.objects.select_related("replaces", "key_entry").prefetch_related("replaced_by_set")
    serializer_class = s.StandardSerializer
    filterset_class = filtersets.StandardFilter
    create_service = services.do_create_standard
    update_service = services.do_update_standard
    destroy_service = services.do_delete_standard


class KeyStandardViewSet(ServiceModelViewSet):
    """The key-standard list (重点标准目录)."""

    queryset = KeyStandard.objects.select_related("standard")
    serializer_class = s.KeyStandardSerializer
    create_service = services.do_create_key_standard
    update_service = services.do_update_key_standard
    destroy_service = services.do_delete_key_standard


class ParameterViewSet(ServiceModelViewSet):
    """Parameters whose limits the cities set. GET …/{code}/harmonise/ compares every city's value in one unit."""

    queryset = Parameter.objects.all()
    serializer_class = s.ParameterSerializer
    filterset_class = filtersets.ParameterFilter
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    create_service = services.do_create_parameter
    update_service = services.do_update_parameter
    destroy_service = services.do_delete_parameter

    @extend_schema(
        parameters=[OpenApiParameter("category", str, required=False)],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"])
    def harmonise(self, request, code=None):
        return Response(services.harmonisation_dict(self.get_object(), request.query_params.get("category")))


class LimitValueViewSet(ServiceModelViewSet):
    """Limit values per city and category. A liaison keeps its own city's; a changed value keeps the old one as a
    revision (…/limit-revisions/)."""

    queryset = LimitValue.objects.select_related("parameter", "city", "standard").prefetch_related("revisions")
    serializer_class = s.LimitValueSerializer
    filterset_class = filtersets.LimitValueFilter
    create_service = services.do_create_limit
    update_service = services.do_update_limit
    destroy_service = services.do_delete_limit


class LimitRevisionViewSet(ScopedReadOnlyViewSet):
    queryset = LimitRevision.objects.select_related("standard", "superseded_by")
    serializer_class = s.LimitRevisionSerializer
    filterset_class = filtersets.LimitRevisionFilter


class RecognitionTypeViewSet(ServiceModelViewSet):
    """Types of qualification or result. GET …/{code}/matrix/?on=DATE: every ordered pair of cities."""

    queryset = RecognitionType.objects.all()
    serializer_class = s.RecognitionTypeSerializer
    lookup_field = "code"
    create_service = services.do_create_recognition_type
    update_service = services.do_update_recognition_type
    destroy_service = services.do_delete_recognition_type

    @extend_schema(
        parameters=[OpenApiParameter("on", OpenApiTypes.DATE, required=False)], responses={200: OpenApiTypes.OBJECT}
    )
    @action(detail=True, methods=["get"])
    def matrix(self, request, code=None):
        on = _date_param(request, "on")
        return Response(services.matrix(self.get_object(), on).to_dict())


class RecognitionViewSet(ServiceModelViewSet):
    """Recognitions: results of a type issued in one city recognised in another (kept by the recognising city)."""

    queryset = Recognition.objects.select_related("type", "issuing_city", "recognising_city").prefetch_related(
        services.basis_prefetch()
    )
    serializer_class = s.RecognitionSerializer
    filterset_class = filtersets.RecognitionFilter
    create_service = services.do_create_recognition
    update_service = services.do_update_recognition
    destroy_service = services.do_delete_recognition


class ProposalViewSet(ServiceModelViewSet):
    """Unification proposals: proposed → drafting → consultation → adopted (POST …/advance/), signed by cities
    (POST …/sign/), or withdrawn (POST …/withdraw/)."""

    queryset = UnificationProposal.objects.select_related(
        "lead_city", "parameter", "standard", "recognition_type", "adopted_standard"
    ).prefetch_related("signatures__city", "signatures__signed_by")
    serializer_class = s.ProposalSerializer
    filterset_class = filtersets.ProposalFilter
    create_service = services.do_propose
    update_service = services.do_update_proposal
    destroy_service = services.do_delete_proposal

    @extend_schema(request=s.AdvanceSerializer, responses=s.ProposalSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def advance(self, request, pk=None):
        data = validated(s.AdvanceSerializer, request.data)
        proposal = services.do_advance_proposal(self.get_object(), actor=request.user, **data)
        return Response(s.ProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data)

    @extend_schema(request=None, responses=s.ProposalSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def withdraw(self, request, pk=None):
        proposal = services.do_withdraw_proposal(self.get_object(), actor=request.user)
        return Response(s.ProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data)

    @extend_schema(request=s.SignSerializer, responses={201: s.SignatureSerializer})
    # the service decides (a liaison signs for its own city, whichever city leads the proposal)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def sign(self, request, pk=None):
        proposal = self.get_object()
        self.require_role_for(Action.ADD, ProposalSignature)  # the signing city is named by the body
        data = validated(s.SignSerializer, request.data)
        signature = services.do_sign_proposal(proposal, data["city"], actor=request.user)
        return Response(s.SignatureSerializer(signature).data, status=status.HTTP_201_CREATED)


def _date_param(request, name):
    from datetime import date

    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DRFValidationError({name: ["YYYY-MM-DD"]}) from None


class HarmoniseViewSet(viewsets.ViewSet):
    """GET /api/standards/harmonise/?parameter=CODE[&category=CAT]: the same JSON as `metrocoop standards harmonise
    --json`."""

    @extend_schema(
        parameters=[
            OpenApiParameter("parameter", str, required=True),
            OpenApiParameter("category", str, required=False),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request):
        query = validated(s.HarmoniseQuerySerializer, request.query_params)
        parameter = get_object_or_404(restrict(Parameter.objects.all(), request.user), code=query["parameter"])
        return Response(services.harmonisation_dict(parameter, query.get("category")))


class RecognisedViewSet(viewsets.ViewSet):
    """GET /api/standards/recognised/?type=CODE&issued_in=CITY&in=CITY[&on=DATE]: is it recognised, on what
    basis. Only a direct recognition counts (never transitive); a city's own results are recognised implicitly."""

    @extend_schema(
        parameters=[
            OpenApiParameter("type", str, required=True),
            OpenApiParameter("issued_in", str, required=True),
            OpenApiParameter("in", str, required=True),
            OpenApiParameter("on", OpenApiTypes.DATE, required=False),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request):
        v = validated(s.RecognisedQuerySerializer, request.query_params)
        recognised_in = request.query_params.get("in", "")
        if not recognised_in:
            raise DRFValidationError({"in": ["This field is required."]})
        answer = services.recognised(v["type"], v["issued_in"], recognised_in[:50], v.get("on"))
        return Response(answer.to_dict())
