"""Clearing API: thin views over the services; every queryset goes through core.permissions.restrict."""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from metrocoop.clearing import services, statements
from metrocoop.clearing.api import serializers as s
from metrocoop.clearing.filtersets import (
    AuthorisationFilter,
    CatalogueFilter,
    ClaimFilter,
    InstructionFilter,
    PositionFilter,
)
from metrocoop.clearing.models import (
    Authorisation,
    CatalogueEntry,
    Claim,
    IngestBatch,
    Period,
    PeriodPosition,
    Scheme,
    SettlementInstruction,
)
from metrocoop.clearing.policies import CLOSE, CONFIRM, REVERSE
from metrocoop.clearing.reader import FileRefused, read_claims_file, rows_from_dicts
from metrocoop.core.api.base import FileParameterNegotiation, ScopedReadOnlyViewSet, ServiceModelViewSet
from metrocoop.core.api.parsers import JSONParser
from metrocoop.core.api.serializers import validated
from metrocoop.core.permissions import Action


def _refused(exc: FileRefused) -> ValidationError:
    return ValidationError({"file": [f"{exc.zh} {exc.en}"]})


class SchemeViewSet(ScopedReadOnlyViewSet):
    queryset = Scheme.objects.all()
    serializer_class = s.SchemeSerializer
    lookup_field = "code"


def _add_entry(data: dict, *, actor) -> CatalogueEntry:
    return services.do_save_catalogue_entry(CatalogueEntry(**data), actor=actor)


def _change_entry(entry: CatalogueEntry, data: dict, *, actor) -> CatalogueEntry:
    entry = CatalogueEntry.objects.get(pk=entry.pk)
    for key, value in data.items():
        setattr(entry, key, value)
    return services.do_save_catalogue_entry(entry, actor=actor)


class CatalogueEntryViewSet(ServiceModelViewSet):
    queryset = CatalogueEntry.objects.select_related("city", "scheme")
    serializer_class = s.CatalogueEntrySerializer
    filterset_class = CatalogueFilter
    create_service = _add_entry
    update_service = _change_entry
    destroy_service = services.do_delete_catalogue_entry


def _grant(data: dict, *, actor) -> Authorisation:
    data["person_ref"] = data.pop("person")
    return services.do_grant_authorisation(Authorisation(**data), actor=actor)


class AuthorisationViewSet(ServiceModelViewSet):
    permission_action: str | None = None  # set per custom action (core.api.permissions)
    queryset = Authorisation.objects.select_related("insured_city", "service_city", "scheme")
    serializer_class = s.AuthorisationSerializer
    filterset_class = AuthorisationFilter
    create_service = _grant

    @extend_schema(request=None, responses=s.AuthorisationSerializer)
    @action(detail=True, methods=["post"], permission_action=Action.CHANGE)
    def revoke(self, request, pk=None):
        row = services.do_revoke_authorisation(self.get_object(), actor=request.user)
        return Response(self.get_serializer(row).data)


class ClaimViewSet(ScopedReadOnlyViewSet):
    permission_action: str | None = None  # set per custom action (core.api.permissions)
    queryset = Claim.objects.select_related("period")
    serializer_class = s.ClaimSerializer
    filterset_class = ClaimFilter

    @extend_schema(request=s.ReversalRequestSerializer, responses=s.ClaimSerializer)
    @action(detail=True, methods=["post"], permission_action=REVERSE)
    def reverse(self, request, pk=None):
        body = validated(s.ReversalRequestSerializer, request.data)
        claim = self.get_object()
        services.do_reverse_claim(claim, body["reason"], actor=request.user)
        claim.refresh_from_db()
        return Response(self.get_serializer(claim).data)


def _ingest_json(data: dict, *, actor):
    """A batch of claims as JSON: each posted or rejected with its reason; the same batch twice changes nothing."""
    try:
        source = rows_from_dicts(data["claims"], name=data["source"])
    except FileRefused as exc:
        raise _refused(exc) from exc
    return services.do_ingest_claims(source, actor=actor)


@extend_schema_view(create=extend_schema(request=s.BatchRequestSerializer, responses={201: s.BatchResultSerializer}))
class IngestBatchViewSet(ServiceModelViewSet):
    queryset = IngestBatch.objects.select_related("city")
    serializer_class = s.IngestBatchSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    create_service = _ingest_json

    def get_serializer_class(self):
        return s.BatchRequestSerializer if self.action == "create" else s.IngestBatchSerializer

    def written_response(self, serializer, code):
        return self._answer(serializer.instance)

    def _answer(self, result):
        batch = IngestBatch.objects.select_related("city").get(pk=result.batch_id)
        rejections = [
            {
                "claim_id": c.claim_id,
                "reject_code": c.reject_code,
                "detail_zh": c.reject_detail_zh,
                "detail_en": c.reject_detail_en,
            }
            for c in Claim.objects.filter(batch=batch, status="rejected").order_by("pk")[:200]
        ] + [s.IngestRejectionSerializer(r).data for r in batch.rejections.all()[:200]]
        data = {"batch": s.IngestBatchSerializer(batch).data, "reasons": result.reasons, "rejections": rejections}
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={
            "multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
        },
        responses={201: s.BatchResultSerializer},
    )
    @action(detail=False, methods=["post"])
    def upload(self, request):
        """A CSV or Parquet file; a file that cannot be read as claims is refused whole (400, nothing changed)."""
        import tempfile
        from pathlib import Path

        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["请上传文件。 Upload a file."]})
        suffix = Path(upload.name).suffix.lower()
        with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()
            try:
                source = read_claims_file(tmp.name)
            except FileRefused as exc:
                raise _refused(exc) from exc
        source.name = upload.name
        return self._answer(services.do_ingest_claims(source, actor=request.user))


def _open_period(data: dict, *, actor) -> Period:
    return services.do_open_period(data["year"], data["month"], actor=actor)


class PeriodViewSet(ServiceModelViewSet):
    permission_action: str | None = None  # set per custom action (core.api.permissions)
    queryset = Period.objects.all()
    serializer_class = s.PeriodSerializer
    create_service = _open_period

    @extend_schema(request=None, responses=s.PeriodSerializer)
    @action(detail=True, methods=["post"], permission_action=CLOSE)
    def close(self, request, pk=None):
        period = services.do_close_period(self.get_object(), actor=request.user)
        return Response(self.get_serializer(period).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("city", str, required=True),
            OpenApiParameter("format", str, enum=["xlsx", "docx"]),
        ],
        responses={(200, "application/octet-stream"): OpenApiResponse(description="the statement file")},
    )
    @action(detail=True, methods=["get"], url_path="statement", content_negotiation_class=FileParameterNegotiation)
    def statement(self, request, pk=None):
        period = self.get_object()
        city_code = request.query_params.get("city", "").upper()
        fmt = request.query_params.get("format", "xlsx")
        return statements.statement_download(period, city_code, fmt, user=request.user)


class PositionViewSet(ScopedReadOnlyViewSet):
    queryset = PeriodPosition.objects.select_related("period", "city")
    serializer_class = s.PeriodPositionSerializer
    filterset_class = PositionFilter


class InstructionViewSet(ScopedReadOnlyViewSet):
    permission_action: str | None = None  # set per custom action (core.api.permissions)
    queryset = SettlementInstruction.objects.select_related("period", "payer", "payee")
    serializer_class = s.SettlementInstructionSerializer
    filterset_class = InstructionFilter

    @extend_schema(request=s.PaymentRequestSerializer, responses=s.SettlementInstructionSerializer)
    @action(detail=True, methods=["post"], permission_action=CONFIRM)
    def confirm(self, request, pk=None):
        body = validated(s.PaymentRequestSerializer, request.data)
        with transaction.atomic():
            row = services.do_confirm_payment(self.get_object(), body["reference"], actor=request.user)
        return Response(self.get_serializer(row).data)
