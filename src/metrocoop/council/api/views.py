"""The council API: thin viewsets over the services; every list goes through core.permissions.restrict."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a 500
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from metrocoop.core.api.base import ScopedReadOnlyViewSet, ServiceModelViewSet
from metrocoop.core.api.fastlist import FastListMixin
from metrocoop.core.api.parsers import JSONParser
from metrocoop.core.api.serializers import validated
from metrocoop.core.attachments import attachments_of
from metrocoop.core.permissions import Action, rows_q
from metrocoop.council import engine, filtersets, models, selectors, services
from metrocoop.council.api import serializers as s
from metrocoop.council.policies import REPORT, REVIEW, VOTE, board_cities


class CouncilViewSet(ScopedReadOnlyViewSet):
    """The council and its voting rules (quorum, majority, unanimity for plan approval)."""

    queryset = models.Council.objects.all()
    serializer_class = s.CouncilSerializer


class CouncilSeatViewSet(ScopedReadOnlyViewSet):
    """One seat per member city; a seat counts on the days its city is a member."""

    queryset = models.CouncilSeat.objects.select_related("city", "representative")
    serializer_class = s.CouncilSeatSerializer


def _create_meeting(data: dict, *, actor) -> models.Meeting:
    attendees = data.pop("attendees", [])
    council = data.pop("council")
    return services.do_create_meeting(council, data, attendees=attendees, actor=actor)


def _update_meeting(meeting: models.Meeting, data: dict, *, actor) -> models.Meeting:
    attendees = data.pop("attendees", None)
    data.pop("council", None)
    return services.do_update_meeting(meeting, data, attendees=attendees, actor=actor)


class MeetingViewSet(ServiceModelViewSet):
    """Council meetings (plenary, office, special topic) with agenda, attendees and minutes."""

    queryset = models.Meeting.objects.select_related("council").prefetch_related("attendees")
    serializer_class = s.MeetingSerializer
    filterset_class = filtersets.MeetingFilter
    create_service = _create_meeting
    update_service = _update_meeting
    destroy_service = services.do_delete_meeting


def _propose_resolution(d: dict, *, actor) -> models.Resolution:
    return services.do_propose_resolution(
        d["meeting"],
        title=d["title"],
        text=d.get("text", ""),
        number=d.get("number", ""),
        plan=d.get("plan"),
        actor=actor,
    )


class ResolutionViewSet(ServiceModelViewSet):
    """Resolutions with their votes. POST …/vote/ casts a city's vote (its liaison only, once);
    POST …/decide/ closes the vote (office) and records the engine's outcome; a passed plan resolution approves it."""

    queryset = models.Resolution.objects.select_related("meeting__council", "plan").prefetch_related(
        "votes__city", "votes__cast_by"
    )
    serializer_class = s.ResolutionSerializer
    filterset_class = filtersets.ResolutionFilter
    create_service = _propose_resolution

    @extend_schema(request=s.CastVoteSerializer, responses={201: s.VoteSerializer})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def vote(self, request, pk=None):
        resolution = self.get_object()
        self.require_role_for(VOTE, models.Vote)  # the city voting is named by the body; the service judges it
        incoming = validated(s.CastVoteSerializer, request.data)
        vote = services.do_cast_vote(resolution, incoming["city"], incoming["choice"], actor=request.user)
        return Response(s.VoteSerializer(vote).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.ResolutionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def decide(self, request, pk=None):
        resolution = self.get_object()
        resolution = services.do_decide_resolution(resolution, actor=request.user)
        return Response(self.get_serializer(resolution).data)


class VoteViewSet(ScopedReadOnlyViewSet):
    """Votes per city (public once the resolution is decided)."""

    queryset = models.Vote.objects.select_related("city", "cast_by")
    serializer_class = s.VoteSerializer
    filterset_class = filtersets.VoteFilter


def _create_plan(d: dict, *, actor) -> models.AnnualPlan:
    return services.do_create_plan(d["council"], d["year"], d["title"], actor=actor)


class AnnualPlanViewSet(ServiceModelViewSet):
    """Annual plans: draft → submitted → approved (by a resolution) → in progress → closed. Only a draft changes."""

    queryset = models.AnnualPlan.objects.all()
    serializer_class = s.AnnualPlanSerializer
    filterset_class = filtersets.AnnualPlanFilter
    patch_only = True
    create_service = _create_plan
    update_service = services.do_update_plan

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "retrieve" and self.kwargs.get("pk"):
            plan = models.AnnualPlan.objects.filter(pk=self.kwargs["pk"]).first()
            if plan is not None:
                context["progress"] = {plan.pk: engine.plan_progress(selectors.item_facts(plan)).percent}
        return context

    def _step(self, request, fn):
        plan = self.get_object()
        plan = fn(plan, actor=request.user)
        return Response(self.get_serializer(plan).data)

    @extend_schema(request=None, responses=s.AnnualPlanSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step(request, services.do_submit_plan)

    @extend_schema(request=None, responses=s.AnnualPlanSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._step(request, services.do_start_plan)

    @extend_schema(request=None, responses=s.AnnualPlanSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step(request, services.do_close_plan)

    @extend_schema(request=None, responses=s.NextYearSerializer)
    @action(detail=True, methods=["post"], url_path="next-year")
    def next_year(self, request, pk=None):
        plan = self.get_object()
        nxt, carried = services.do_prepare_next_year(plan, actor=request.user)
        return Response(
            {"plan": s.AnnualPlanSerializer(nxt).data, "carried": s.WorkItemSerializer(carried, many=True).data}
        )

    @extend_schema(responses=s.SummaryFiguresSerializer)
    @action(detail=True, methods=["get"])
    def figures(self, request, pk=None):
        """The generated figures of the year (per domain, per lead city, per item); anyone who may see the plan."""
        plan = self.get_object()
        return Response(engine.summarise_year(selectors.item_facts(plan), selectors.summary_as_of(plan)).as_dict())


def _add_work_item(data: dict, *, actor) -> models.WorkItem:
    plan = data.pop("plan")
    return services.do_add_work_item(plan, data, actor=actor)


class WorkItemViewSet(FastListMixin, ServiceModelViewSet):
    """Work items of the annual plans. The office adds any item to a draft; a liaison proposes items its city leads."""

    queryset = models.WorkItem.objects.select_related(
        "plan", "lead_city", "lead_organisation", "proposed_by"
    ).prefetch_related("participating_cities", "articles")
    serializer_class = s.WorkItemSerializer
    filterset_class = filtersets.WorkItemFilter
    patch_only = True
    create_service = _add_work_item
    update_service = services.do_update_work_item
    destroy_service = services.do_delete_work_item

    def get_serializer_class(self):
        return s.WorkItemUpdateSerializer if self.action == "partial_update" else s.WorkItemSerializer


def _submit_report(d: dict, *, actor) -> models.ProgressReport:
    return services.do_submit_report(
        d["item"],
        d["city"],
        d["quarter"],
        percent_complete=d["percent_complete"],
        kpi_actual=d.get("kpi_actual"),
        narrative=d.get("narrative", ""),
        actor=actor,
    )


def _resubmit_report(report: models.ProgressReport, d: dict, *, actor) -> models.ProgressReport:
    return services.do_submit_report(
        report.item,
        report.city,
        report.quarter,
        percent_complete=d.get("percent_complete", report.percent_complete),
        kpi_actual=d.get("kpi_actual", report.kpi_actual),
        narrative=d.get("narrative", report.narrative),
        actor=actor,
    )


@extend_schema_view(
    partial_update=extend_schema(request=s.ProgressReportUpdateSerializer, responses=s.ProgressReportSerializer)
)
class ProgressReportViewSet(FastListMixin, ServiceModelViewSet):
    """Quarterly progress reports. A liaison reports for its own city on items the city leads or joins; PATCH
    resubmits a pending or returned report; POST …/review/ is the office's acceptance or return with a comment."""

    queryset = models.ProgressReport.objects.select_related("item", "city", "submitted_by", "reviewed_by")
    serializer_class = s.ProgressReportSerializer
    filterset_class = filtersets.ProgressReportFilter
    patch_only = True
    permission_action = REPORT
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    create_service = _submit_report
    update_service = _resubmit_report
    written_serializer_class = s.ProgressReportSerializer

    def get_serializer_class(self):
        return s.ProgressReportUpdateSerializer if self.action == "partial_update" else s.ProgressReportSerializer

    def get_permissions(self):
        if self.action in ("partial_update", "review", "add_evidence"):
            return [permissions.IsAuthenticated()]  # the services decide through core.permissions
        return super().get_permissions()

    @extend_schema(request=None, responses=s.AttachmentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def evidence(self, request, pk=None):
        """The report's evidence files (download each at /attachments/{id}/)."""
        return Response(s.AttachmentSerializer(attachments_of(self.get_object(), request.user), many=True).data)

    @extend_schema(request={"multipart/form-data": s.EvidenceUploadSerializer}, responses={201: s.AttachmentSerializer})
    @evidence.mapping.post
    def add_evidence(self, request, pk=None):
        report = self.get_object_for(Action.CHANGE)
        incoming = validated(s.EvidenceUploadSerializer, request.data)
        attachment = services.do_attach_evidence(report, incoming["file"], actor=request.user)
        return Response(s.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReviewSerializer, responses=s.ProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        report = self.get_object_for(REVIEW)
        incoming = validated(s.ReviewSerializer, request.data)
        report = services.do_review_report(
            report,
            accept=incoming["accept"],
            comment=incoming["comment"],
            actor=request.user,
        )
        return Response(s.ProgressReportSerializer(report).data)


class AnnualSummaryViewSet(ServiceModelViewSet):
    """The text of the annual summaries (the figures come from GET /api/council/plans/{id}/figures/)."""

    queryset = models.AnnualSummary.objects.select_related("plan")
    serializer_class = s.AnnualSummarySerializer
    patch_only = True
    update_service = services.do_update_summary


def _add_plan_document(data: dict, *, actor) -> models.PlanDocument:
    return services.do_save_plan_document(models.PlanDocument(), data, actor=actor)


class PlanDocumentViewSet(ServiceModelViewSet):
    """Plans the region and the cities hold (spatial coordination plan, 十四五 plans, master plans)."""

    queryset = models.PlanDocument.objects.select_related("city")
    serializer_class = s.PlanDocumentSerializer
    filterset_class = filtersets.PlanDocumentFilter
    patch_only = True
    create_service = _add_plan_document
    update_service = services.do_save_plan_document
    destroy_service = services.do_delete_plan_document


def _add_plan_article(data: dict, *, actor) -> models.PlanArticle:
    return services.do_save_plan_article(models.PlanArticle(), data, actor=actor)


class PlanArticleViewSet(ServiceModelViewSet):
    """Articles of the plan documents, with the work items that implement each (`served_by`)."""

    queryset = models.PlanArticle.objects.select_related("document").prefetch_related("work_items")
    serializer_class = s.PlanArticleSerializer
    filterset_class = filtersets.PlanArticleFilter
    patch_only = True
    create_service = _add_plan_article
    update_service = services.do_save_plan_article
    destroy_service = services.do_delete_plan_article


class BoardView(APIView):
    """Overdue items, late and returned reports, counted by city and by domain (office and auditors: every city;
    a liaison: its own)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=s.BoardSerializer)
    def get(self, request):
        mine = board_cities(request.user)
        if mine is not None and not mine:
            raise PermissionDenied
        rows = selectors.cached_board_rows()
        if mine is not None:
            rows = [r for r in rows if r.city_code in mine]
        counts = selectors.board_counts(rows)
        return Response(s.BoardSerializer({"rows": rows, **counts}).data)


class CityPerformanceView(APIView):
    """Per lead city: completion and timeliness of a year's plan (what the funds assessment reads)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("year", int, required=True)], responses=s.CityPerformanceSerializer(many=True)
    )
    def get(self, request):
        try:
            year = int(request.query_params.get("year", timezone.localdate().year))
        except ValueError:
            year = timezone.localdate().year
        plan = get_object_or_404(models.AnnualPlan.objects.all(), year=year)
        if (
            rows_q(request.user, models.AnnualPlan) is None
            or not models.AnnualPlan.objects.filter(pk=plan.pk).filter(rows_q(request.user, models.AnnualPlan)).exists()
        ):
            raise PermissionDenied
        data = selectors.cached_city_performance(year)
        return Response(s.CityPerformanceSerializer(list(data.values()), many=True).data)
