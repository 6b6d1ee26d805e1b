from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a 500
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from metrocoop.core.api.base import ScopedReadOnlyViewSet, ServiceModelViewSet
from metrocoop.core.api.caching import ConditionalListMixin
from metrocoop.core.api.fastlist import FastListMixin
from metrocoop.core.api.schema import ErrorSerializer
from metrocoop.core.api.serializers import validated
from metrocoop.core.permissions import Action, restrict
from metrocoop.core.spreadsheets import cap_error_report
from metrocoop.indicators import filtersets, models, selectors, services
from metrocoop.indicators.api.serializers import (
    AnalysisSerializer,
    CommutingFlowSerializer,
    ImportReportSerializer,
    ImportRequestSerializer,
    IndicatorSerializer,
    ObservationSerializer,
    PositioningStatementSerializer,
    SectorValueSerializer,
    UrbanFunctionSerializer,
)
from metrocoop.indicators.recheck import recheck


class IndicatorViewSet(ConditionalListMixin, FastListMixin, ScopedReadOnlyViewSet):
    """The indicator catalogue: code, names, unit, domain, direction, value kind and source."""

    queryset = models.Indicator.objects.all()
    serializer_class = IndicatorSerializer
    lookup_field = "code"
    filterset_class = filtersets.IndicatorFilter


def _create_observation(data: dict, *, actor) -> models.Observation:
    return services.do_create_observation(
        city=data["city"],
        indicator=data["indicator"],
        year=data["year"],
        value=data["value"],
        unit=data.get("unit", ""),
        source=data.get("source", ""),
        note=data.get("note", ""),
        actor=actor,
    )


def _update_observation(observation: models.Observation, data: dict, *, actor) -> models.Observation:
    changes = {k: v for k, v in data.items() if k in services.OBSERVATION_FIELDS}
    return services.do_update_observation(observation, changes, actor=actor)


class ObservationViewSet(FastListMixin, ServiceModelViewSet):
    """Yearly observations per city; a liaison changes only its own city's, the office all (audited)."""

    queryset = models.Observation.objects.select_related("indicator", "city")
    serializer_class = ObservationSerializer
    filterset_class = filtersets.ObservationFilter
    patch_only = True
    create_service = _create_observation
    update_service = _update_observation
    destroy_service = services.do_delete_observation


class SectorValueViewSet(ScopedReadOnlyViewSet):
    """Sector values per city and year, the input of the structure analysis."""

    queryset = models.SectorValue.objects.select_related("city")
    serializer_class = SectorValueSerializer
    filterset_class = filtersets.SectorValueFilter


class CommutingFlowViewSet(ScopedReadOnlyViewSet):
    """Commuting flows: counts or shares (表2), with the kind and basis that keep them apart."""

    queryset = models.CommutingFlow.objects.select_related("origin", "destination")
    serializer_class = CommutingFlowSerializer
    filterset_class = filtersets.CommutingFlowFilter


class UrbanFunctionViewSet(ScopedReadOnlyViewSet):
    """The unified framework of metropolitan functions (目标定位)."""

    queryset = models.UrbanFunction.objects.all()
    serializer_class = UrbanFunctionSerializer
    lookup_field = "code"


def _create_statement(data: dict, *, actor) -> models.PositioningStatement:
    return services.do_create_positioning_statement(
        city=data["city"],
        ref=data["ref"],
        text=data["text"],
        source=data.get("source", ""),
        functions=data.get("functions", []),
        actor=actor,
    )


def _update_statement(statement: models.PositioningStatement, data: dict, *, actor) -> models.PositioningStatement:
    changes = {k: v for k, v in data.items() if k in services.STATEMENT_FIELDS}
    return services.do_update_positioning_statement(statement, changes, functions=data.get("functions"), actor=actor)


class PositioningStatementViewSet(ServiceModelViewSet):
    """Cities' positioning statements tagged to functions; a liaison edits its own city's, the office all."""

    queryset = models.PositioningStatement.objects.select_related("city").prefetch_related("functions")
    serializer_class = PositioningStatementSerializer
    filterset_class = filtersets.PositioningStatementFilter
    patch_only = True
    create_service = _create_statement
    update_service = _update_statement
    destroy_service = services.do_delete_positioning_statement


class _Params(drf_serializers.Serializer):
    indicator = drf_serializers.CharField(required=False)
    year = drf_serializers.IntegerField(required=False, min_value=1900, max_value=2200)


def _params(request) -> dict:
    """The analysis views' query parameters (`indicator`, `year`), validated: 400 when malformed."""
    return validated(_Params, request.query_params)


def _indicator(request, code):
    return get_object_or_404(restrict(models.Indicator.objects.all(), request.user, Action.VIEW), code=code)


INDICATOR = OpenApiParameter("indicator", OpenApiTypes.STR, description="indicator code, e.g. gdp-per-capita")
YEAR = OpenApiParameter("year", OpenApiTypes.INT)


class DisparityView(APIView):
    """Every disparity measure of one indicator in one year, with inputs, weights and steps."""

    @extend_schema(parameters=[INDICATOR, YEAR], responses=AnalysisSerializer)
    def get(self, request):
        params = _params(request)
        indicator = _indicator(request, params.get("indicator", "gdp-per-capita"))
        year = params.get("year") or selectors.latest_year(indicator)
        return Response({"result": selectors.disparity(indicator, year).to_dict()})


class TrendView(APIView):
    """Disparity measures year by year and σ/β convergence of one indicator."""

    @extend_schema(parameters=[INDICATOR], responses=AnalysisSerializer)
    def get(self, request):
        indicator = _indicator(request, request.query_params.get("indicator", "gdp-per-capita"))
        return Response({"result": selectors.trend_json(indicator)})


class StructureView(APIView):
    """Sector shares, location quotients, similarity and Krugman indices of the member cities."""

    @extend_schema(parameters=[YEAR], responses=AnalysisSerializer)
    def get(self, request):
        params = _params(request)
        years = selectors.structure_years()
        year = params.get("year") or (years[-1] if years else 2019)
        return Response({"result": selectors.structure(year)})


class CommutingView(APIView):
    """Commuting share tables by zone and basis, counts apart, gravity fit when counts exist."""

    @extend_schema(parameters=[YEAR], responses=AnalysisSerializer)
    def get(self, request):
        return Response({"result": selectors.commuting(_params(request).get("year"))})


class PositioningView(APIView):
    """City × function matrix, functions claimed by several cities and functions nobody serves."""

    @extend_schema(parameters=[YEAR], responses=AnalysisSerializer)
    def get(self, request):
        return Response({"result": selectors.positioning(_params(request).get("year"))})


class RecheckView(APIView):
    """The paper's quantitative statements recomputed, with the paper's figure and a verdict."""

    @extend_schema(responses=AnalysisSerializer)
    def get(self, request):
        return Response({"result": {"checks": [c.to_dict() for c in recheck()]}})


class ObservationImportView(APIView):
    """Import observations from an .xlsx or .csv file, all or nothing: 201 with the summary, or 400 with every bad
    cell (row, column, reason in Chinese and English) and nothing written."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=ImportRequestSerializer,
        responses={
            201: ImportReportSerializer,
            # the cell report when the file was read and refused; the bilingual error when the request was invalid
            400: PolymorphicProxySerializer(
                component_name="ImportRefusal",
                serializers=[ImportReportSerializer, ErrorSerializer],
                resource_type_field_name=None,
            ),
        },
    )
    def post(self, request):
        p = validated(ImportRequestSerializer, request.data)
        upload = p["file"]
        try:
            result = services.do_import_observations(
                upload.name,
                upload.read(),
                layout=p.get("layout"),
                year=p.get("year"),
                replace=p["replace"],
                actor=request.user,
            )
        except services.ImportRejected as exc:
            return Response(cap_error_report(exc.report.summary()), status=status.HTTP_400_BAD_REQUEST)
        except ValidationError as exc:
            raise drf_serializers.ValidationError({"file": exc.messages}) from None
        return Response(result.summary(), status=status.HTTP_201_CREATED)
