"""The investment API (/api/investment/…): thin viewsets over the services; reads through core.permissions."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a 500
from rest_framework.response import Response
from rest_framework.views import APIView

from metrocoop.core.api.base import ScopedReadOnlyViewSet, ServiceModelViewSet
from metrocoop.core.api.serializers import validated
from metrocoop.core.permissions import Action, restrict
from metrocoop.investment import creditcode, services
from metrocoop.investment.api import serializers as s
from metrocoop.investment.filtersets import (
    EnterpriseFilter,
    LeadConflictFilter,
    LeadFilter,
    LinkFilter,
    ParkYearFilter,
    RelocationFilter,
)
from metrocoop.investment.models import (
    Enterprise,
    LandQuotaTransfer,
    Lead,
    LeadConflict,
    Link,
    Park,
    ParkYear,
    PromotionEvent,
    Relocation,
    SharingRule,
)


class ServiceViewSet(ServiceModelViewSet):
    """A method the viewset does not offer answers 405 to everybody, before authentication is asked for (DRF checks
    permissions before it looks the handler up, so an anonymous DELETE would otherwise read 401)."""

    def initial(self, request, *args, **kwargs):
        if request.method.lower() not in self.http_method_names:
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)


class ChainViewSet(ScopedReadOnlyViewSet):
    """Industry-chain trees: chain → segments (upstream/midstream/downstream) → links with GB/T 4754 codes."""

    queryset = services.chains_with_links()
    serializer_class = s.ChainSerializer
    lookup_field = "code"
    pagination_class = None

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def gaps(self, request, code=None):
        """Missing links, links held by one city only, and each pair of cities' overlap and similarity."""
        return Response(services.gap_report(self.get_object()).to_dict())


class LinkViewSet(ScopedReadOnlyViewSet):
    queryset = Link.objects.select_related("segment__chain")
    serializer_class = s.LinkSerializer
    lookup_field = "code"
    filterset_class = LinkFilter


class EnterpriseViewSet(ServiceViewSet):
    """Enterprises and the links they serve. A liaison adds and changes its own city's; the credit code is checked
    per GB 32100-2015 (a failing embedded organisation code is only a warning)."""

    queryset = Enterprise.objects.select_related("city").prefetch_related("links")
    serializer_class = s.EnterpriseSerializer
    filterset_class = EnterpriseFilter
    create_service = services.do_create_enterprise
    update_service = services.do_update_enterprise
    destroy_service = services.do_delete_enterprise


class LeadViewSet(ServiceViewSet):
    """Shared investment leads. Registering a lead for a target another city pursues opens (or joins) a conflict;
    both cities are notified and the coordination rule names who leads. PATCH changes status and note only."""

    queryset = Lead.objects.select_related("city", "link", "conflict")
    serializer_class = s.LeadSerializer
    filterset_class = LeadFilter
    create_service = services.do_register_lead
    update_service = services.do_update_lead


class LeadConflictViewSet(ScopedReadOnlyViewSet):
    """Lead conflicts with the rule that decided them. POST …/decide/ (office) names the leading lead."""

    queryset = LeadConflict.objects.select_related("leading__city").prefetch_related("leads__city")
    serializer_class = s.LeadConflictSerializer
    filterset_class = LeadConflictFilter
    permission_action = None

    @extend_schema(request=s.DecideConflictSerializer, responses=s.LeadConflictSerializer)
    @action(detail=True, methods=["post"], permission_action=Action.CHANGE)
    def decide(self, request, pk=None):
        conflict = self.get_object()
        data = validated(s.DecideConflictSerializer, request.data)
        lead_id = data["lead"]
        lead = None if lead_id is None else get_object_or_404(Lead, pk=lead_id)
        conflict = services.do_decide_conflict(conflict, lead, actor=request.user)
        return Response(s.LeadConflictSerializer(conflict).data)


class PromotionEventViewSet(ServiceViewSet):
    """Joint overseas promotion events (海外联合招商), organised by a city with partner cities."""

    queryset = PromotionEvent.objects.select_related("host_city").prefetch_related("partner_cities", "chains")
    serializer_class = s.PromotionEventSerializer
    create_service = services.do_create_event
    update_service = services.do_update_event
    destroy_service = services.do_delete_event


class SharingRuleViewSet(ScopedReadOnlyViewSet):
    queryset = SharingRule.objects.all()
    serializer_class = s.SharingRuleSerializer
    pagination_class = None


class RelocationViewSet(ServiceViewSet):
    """Relocations between member cities. POST registers one (the destination's liaison or the office; the origin
    is notified); POST …/taxes/ enters the moved firm's local tax of a year and posts the origin's share."""

    queryset = Relocation.objects.select_related("origin", "destination", "enterprise", "rule").prefetch_related(
        "tax_years__transfer"
    )
    serializer_class = s.RelocationSerializer
    filterset_class = RelocationFilter
    create_service = services.do_register_relocation
    permission_action = None

    @extend_schema(request=s.TaxYearInSerializer, responses={201: s.RelocationTaxYearSerializer})
    @action(detail=True, methods=["post"], permission_action=Action.CHANGE)
    def taxes(self, request, pk=None):
        relocation = self.get_object()
        data = validated(s.TaxYearInSerializer, request.data)
        row = services.do_enter_relocation_tax(relocation, actor=request.user, **data)
        return Response(s.RelocationTaxYearSerializer(row).data, status=status.HTTP_201_CREATED)


class ParkViewSet(ServiceViewSet):
    """Co-built parks and their agreements. The office records a park; the host enters yearly figures
    (POST …/figures/) and posts a year (POST …/post/: shares fixed, the partner's tax share through the ledger,
    once). GET …/shares/?year= gives each side's share of each item (tax and gdp in fen, land_quota in m²)."""

    queryset = Park.objects.select_related("host", "partner").prefetch_related("phases", "years")
    serializer_class = s.ParkSerializer
    lookup_field = "code"
    create_service = services.do_create_park
    update_service = services.do_update_park
    permission_action = None

    @extend_schema(parameters=[OpenApiParameter("year", int, required=True)], responses={200: s.ParkSharesSerializer})
    @action(detail=True, methods=["get"])
    def shares(self, request, code=None):
        park = self.get_object()
        data = validated(s.YearInSerializer, {"year": request.query_params.get("year")})
        year = data["year"]
        if not restrict(park.years.filter(year=year), request.user).exists():
            raise Http404
        result = services.park_shares(park, year)
        result["explanation"] = services.park_explanation(park, year)
        return Response(result)

    @extend_schema(request=s.ParkYearInSerializer, responses={201: s.ParkYearSerializer})
    @action(detail=True, methods=["post"], permission_action=Action.CHANGE)
    def figures(self, request, code=None):
        park = self.get_object()
        data = validated(s.ParkYearInSerializer, request.data)
        row = services.do_enter_park_year(park, dict(data), actor=request.user)
        return Response(s.ParkYearSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.YearInSerializer, responses={200: s.ParkYearSerializer})
    @action(detail=True, methods=["post"], url_path="post", permission_action=Action.CHANGE)
    def post_year(self, request, code=None):
        park = self.get_object()
        data = validated(s.YearInSerializer, request.data)
        row = get_object_or_404(park.years, year=data["year"])
        row = services.do_post_park_year(row, actor=request.user)
        return Response(s.ParkYearSerializer(row).data)


class ParkYearViewSet(ScopedReadOnlyViewSet):
    queryset = ParkYear.objects.select_related("park", "transfer")
    serializer_class = s.ParkYearSerializer
    filterset_class = ParkYearFilter


class LandQuotaTransferViewSet(ServiceViewSet):
    """Land-use quota transfers (office); the receiving city pays the agreed compensation through the ledger."""

    queryset = LandQuotaTransfer.objects.select_related("park", "from_city", "to_city", "transfer")
    serializer_class = s.LandQuotaTransferSerializer
    create_service = services.do_register_land_transfer


class CreditCodeView(APIView):
    """Check unified social credit codes (GB 32100-2015): GET ?code=…&code=…"""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("code", str, many=True, required=True)],
        responses={200: s.CreditCodeResultSerializer(many=True)},
    )
    def get(self, request):
        codes = request.query_params.getlist("code")[:200]
        return Response([creditcode.validate(c[:100]).to_dict() for c in codes])


class GapsView(APIView):
    """Missing links for the whole area (every chain), concentration and overlap."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: dict})
    def get(self, request):
        return Response(services.gap_report().to_dict())
