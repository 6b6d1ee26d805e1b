from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a 500
from rest_framework.response import Response
from rest_framework.views import APIView

from metrocoop.core.api.base import ScopedReadOnlyViewSet, ServiceModelViewSet
from metrocoop.core.api.serializers import validated
from metrocoop.policies import filtersets, services
from metrocoop.policies import search as search_module
from metrocoop.policies.api.serializers import (
    ConsultationSerializer,
    CurationProposalSerializer,
    DecisionSerializer,
    IndustryCatalogueEntrySerializer,
    PilotReformSerializer,
    PolicyDocumentSerializer,
    PolicyRelationSerializer,
    SearchQuerySerializer,
    SearchResultSerializer,
    TopicSerializer,
)
from metrocoop.policies.models import (
    Consultation,
    CurationProposal,
    IndustryCatalogueEntry,
    PilotReform,
    PolicyDocument,
    PolicyRelation,
    Topic,
)
from metrocoop.policies.policies import CURATE


def _create_document(data: dict, *, actor) -> PolicyDocument:
    domains = data.pop("domains", [])
    return services.do_create_document(data, domains=domains, actor=actor)


def _update_document(document: PolicyDocument, data: dict, *, actor) -> PolicyDocument:
    domains = data.pop("domains", None)
    data.pop("key", None)
    return services.do_update_document(document, data, domains=domains, actor=actor)


class PolicyDocumentViewSet(ServiceModelViewSet):
    """Policy documents (addressed by key). Writes go through the services: a liaison adds and edits its own
    city's documents, the office all."""

    queryset = PolicyDocument.objects.select_related("city", "province").prefetch_related(
        "domain_tags", "validity_changes"
    )
    serializer_class = PolicyDocumentSerializer
    filterset_class = filtersets.PolicyDocumentFilter
    lookup_field = "key"
    patch_only = True
    create_service = _create_document
    update_service = _update_document
    destroy_service = services.do_delete_document


def _record_relation(d: dict, *, actor) -> PolicyRelation:
    return services.do_record_relation(
        d["source"],
        d["target"],
        d["kind"],
        effective_on=d.get("effective_on"),
        note=d.get("note", ""),
        actor=actor,
    )


class PolicyRelationViewSet(ServiceModelViewSet):
    """Relations between documents (amends / repeals / implements / cites). Recording a repeal makes the target
    已废止; an amendment cycle is refused."""

    queryset = PolicyRelation.objects.select_related("source", "target")
    serializer_class = PolicyRelationSerializer
    filterset_class = filtersets.PolicyRelationFilter
    create_service = _record_relation
    destroy_service = services.do_delete_relation


class TopicViewSet(ScopedReadOnlyViewSet):
    """Topics compared across cities, with each city's provisions."""

    queryset = Topic.objects.prefetch_related("provisions__city", "provisions__document")
    serializer_class = TopicSerializer
    lookup_field = "code"


class PilotReformViewSet(ScopedReadOnlyViewSet):
    """Pilot reforms with each city's replication status."""

    queryset = PilotReform.objects.select_related("origin_city").prefetch_related(
        "replications__city", "replications__document"
    )
    serializer_class = PilotReformSerializer
    lookup_field = "code"


class IndustryCatalogueEntryViewSet(ScopedReadOnlyViewSet):
    """The regional industrial-policy catalogue; `?industry_code=C3973` gives one industry across the cities."""

    queryset = IndustryCatalogueEntry.objects.select_related("city", "document")
    serializer_class = IndustryCatalogueEntrySerializer
    filterset_class = filtersets.IndustryCatalogueEntryFilter


def _propose(d: dict, *, actor) -> CurationProposal:
    return services.do_propose(
        d["kind"],
        payload=d.get("payload"),
        document=d.get("document"),
        note=d.get("note", ""),
        actor=actor,
    )


class CurationProposalViewSet(ServiceModelViewSet):
    """Proposals of new documents or corrections; experts decide them (POST …/decide/)."""

    queryset = CurationProposal.objects.select_related("proposer", "document")
    serializer_class = CurationProposalSerializer
    filterset_class = filtersets.CurationProposalFilter
    permission_action: str | None = None  # "curate" on the decide action
    create_service = _propose

    @extend_schema(request=DecisionSerializer, responses=CurationProposalSerializer)
    @action(detail=True, methods=["post"], permission_action=CURATE)
    def decide(self, request, pk=None):
        proposal = get_object_or_404(self.get_queryset(), pk=pk)
        incoming = validated(DecisionSerializer, request.data)
        proposal = services.do_decide_proposal(proposal, incoming["accept"], note=incoming["note"], actor=request.user)
        return Response(CurationProposalSerializer(proposal).data, status=status.HTTP_200_OK)


class PolicySearchView(APIView):
    """Full-text search of the policy library: Chinese segmentation, relevance ranking, highlighted snippets,
    facets with counts. `within` (repeatable) narrows the results (all queries ANDed)."""

    permission_classes: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="query, e.g. 高新技术企业 or 苏人社规〔2023〕3号"),
            OpenApiParameter("within", OpenApiTypes.STR, many=True, description="search within the results"),
            *[OpenApiParameter(f, OpenApiTypes.STR, many=True) for f in search_module.FILTERS],
            OpenApiParameter("in_force_on", OpenApiTypes.DATE),
            OpenApiParameter("sort", OpenApiTypes.STR, enum=list(search_module.SORTS)),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter(
                "history",
                OpenApiTypes.BOOL,
                description="rank by relevance alone; by default documents in force come before repealed or expired "
                "ones",
            ),
        ],
        responses=SearchResultSerializer,
    )
    def get(self, request):
        query = validated(SearchQuerySerializer, {k: v for k, v in request.query_params.items() if k == "in_force_on"})
        filters = {f: request.query_params.getlist(f) for f in search_module.FILTERS}
        if query.get("in_force_on"):
            filters["in_force_on"] = [query["in_force_on"].isoformat()]
        try:
            page = int(request.query_params.get("page", 1))
        except ValueError:
            page = 1
        result = search_module.search(
            request.query_params.get("q", ""),
            user=request.user,
            within=request.query_params.getlist("within"),
            filters=filters,
            sort=request.query_params.get("sort", "relevance"),
            page=page,
            history=request.query_params.get("history", "").lower() in ("1", "true", "yes", "on"),
        )
        return Response(result.as_dict())


class ConsultationViewSet(ScopedReadOnlyViewSet):
    """Draft policies circulated for comments, clause by clause, with the author city's answers and the outcome."""

    queryset = Consultation.objects.select_related("city", "document").prefetch_related(
        "clauses__comments__author", "clauses__comments__author_city"
    )
    serializer_class = ConsultationSerializer
    filterset_class = filtersets.ConsultationFilter
