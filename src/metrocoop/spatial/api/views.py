from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from metrocoop.core.api.base import ScopedQuerysetMixin, ScopedReadOnlyViewSet, ServiceModelViewSet
from metrocoop.core.api.serializers import validated
from metrocoop.core.permissions import Action, restrict
from metrocoop.spatial import services
from metrocoop.spatial.api import serializers as s
from metrocoop.spatial.choices import FeatureKind
from metrocoop.spatial.exports import layer_collection, project_collection
from metrocoop.spatial.filtersets import ConflictFilter, FeatureFilter, ProjectFilter
from metrocoop.spatial.models import Conflict, ConflictRule, CorridorProject, Feature

GEOJSON = {"type": "object", "description": "GeoJSON FeatureCollection (RFC 7946), coordinates in WGS84"}


def _geojson(data: dict) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/geo+json"
    return response


class FeatureViewSet(ServiceModelViewSet):
    """Spatial features (WGS84). GET …/geojson/?kind=… exports a layer (or every layer) as a FeatureCollection."""

    queryset = Feature.objects.select_related("city")
    serializer_class = s.FeatureSerializer
    filterset_class = FeatureFilter
    create_service = services.do_create_feature
    update_service = services.do_update_feature
    destroy_service = services.do_delete_feature

    @extend_schema(
        parameters=[OpenApiParameter("kind", enum=FeatureKind.values, required=False)],
        responses={(200, "application/geo+json"): GEOJSON},
    )
    @action(detail=False, methods=["get"])
    def geojson(self, request):
        kind = request.query_params.get("kind") or None
        if kind is not None and kind not in FeatureKind.values:
            raise ValidationError({"kind": [_("Unknown kind.")]})
        return _geojson(layer_collection(kind, restrict(Feature.objects.all(), request.user)))


class ConflictRuleViewSet(ServiceModelViewSet):
    """The office's conflict rules: one per kind; the office changes names, distance (m) and whether active."""

    queryset = ConflictRule.objects.all()
    serializer_class = s.ConflictRuleSerializer
    pagination_class = None
    update_service = services.do_update_rule


class ConflictViewSet(ScopedReadOnlyViewSet):
    """Conflicts kept for follow-up. POST …/detect/ runs the rules (office); …/assign/ and …/close/ follow one up.
    GET …/current/ lists what the rules find now, in the form of `metrocoop spatial conflicts --json`."""

    queryset = Conflict.objects.select_related(
        "rule", "city_a", "city_b", "feature_a__city", "feature_b__city", "assignee"
    )
    serializer_class = s.ConflictSerializer
    filterset_class = ConflictFilter
    permission_action = None  # assign and close are changes to a conflict (CorePermission), detect adds

    @extend_schema(request=None, responses={200: s.DetectionSerializer})
    @action(detail=False, methods=["post"])
    def detect(self, request):
        result = services.do_detect_conflicts(actor=request.user)
        return Response({"found": result.found, "new": result.new, "cleared": result.cleared})

    @extend_schema(responses={200: s.FindingSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None)  # every finding at once, as the command gives them
    def current(self, request):
        visible = restrict(Feature.objects.all(), request.user)
        findings = services.engine.detect_conflicts(
            services.engine_features(visible), services.rule_specs(), services.current_boundaries()
        )
        return Response([f.as_dict() for f in findings])

    @extend_schema(request=s.ConflictAssignSerializer, responses={200: s.ConflictSerializer})
    @action(detail=True, methods=["post"], permission_action=Action.CHANGE)
    def assign(self, request, pk=None):
        return self._step(request, s.ConflictAssignSerializer, services.do_assign_conflict, "assignee")

    @extend_schema(request=s.ConflictCloseSerializer, responses={200: s.ConflictSerializer})
    @action(detail=True, methods=["post"], permission_action=Action.CHANGE)
    def close(self, request, pk=None):
        return self._step(request, s.ConflictCloseSerializer, services.do_close_conflict, "status")

    def _step(self, request, serializer_class, service, field: str) -> Response:
        """Take a step on the URL's conflict: `service(conflict, <the body's field>, note=…)`; answer the conflict."""
        conflict = self.get_object()
        data = validated(serializer_class, request.data)
        conflict = service(conflict, data[field], note=data.get("note", ""), actor=request.user)
        return Response(s.ConflictSerializer(conflict).data)


class CorridorProjectViewSet(ServiceModelViewSet):
    """Corridors and major cross-border projects with status and the cities they join; …/geojson/ exports routes."""

    queryset = CorridorProject.objects.select_related("lead_city").prefetch_related("cities")
    serializer_class = s.CorridorProjectSerializer
    filterset_class = ProjectFilter
    create_service = services.do_create_project
    update_service = services.do_update_project
    destroy_service = services.do_delete_project

    @extend_schema(responses={(200, "application/geo+json"): GEOJSON})
    @action(detail=False, methods=["get"])
    def geojson(self, request):
        return _geojson(project_collection(restrict(CorridorProject.objects.all(), request.user)))


class CoverageViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Service reach of hospitals and elderly-care homes per member city (own, other cities', any)."""

    queryset = Feature.objects.filter(kind__in=["hospital", "elderly_care_home"])
    serializer_class = s.CoverageSerializer
    pagination_class = None

    def list(self, request, *args, **kwargs):
        from metrocoop.spatial.views import coverage_rows

        return Response([r.as_dict() for r in coverage_rows(self.get_queryset())])
