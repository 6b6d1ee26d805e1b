from django.db.models import Sum
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, not a 500
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from metrocoop.core.api.base import ScopedReadOnlyViewSet, ServiceModelViewSet
from metrocoop.core.api.serializers import validated
from metrocoop.core.permissions import Action, restrict
from metrocoop.funds import filtersets, services
from metrocoop.funds.api import serializers as s
from metrocoop.funds.choices import FundKind
from metrocoop.funds.models import (
    AssessmentCycle,
    AssessmentResult,
    ContributionCall,
    ContributionNotice,
    Fund,
    FundRule,
    Project,
    ProjectReview,
    Tranche,
)
from metrocoop.funds.policies import REVIEW


class FundViewSet(ScopedReadOnlyViewSet):
    """The two joint funds with their position (balance, commitments, available) from the ledger."""

    queryset = Fund.objects.all()
    serializer_class = s.FundSerializer
    pagination_class = None


class FundRuleViewSet(ScopedReadOnlyViewSet):
    queryset = FundRule.objects.select_related("fund")
    serializer_class = s.FundRuleSerializer
    filterset_class = filtersets.FundRuleFilter


class ContributionCallViewSet(ScopedReadOnlyViewSet):
    queryset = ContributionCall.objects.select_related("fund")
    serializer_class = s.ContributionCallSerializer
    filterset_class = filtersets.ContributionCallFilter


class ContributionNoticeViewSet(ScopedReadOnlyViewSet):
    """Contribution notices: what each city owes, has paid and is in arrears. POST …/payments/ records a payment."""

    # paid_fen summed in the query (the model's property would ask the database once per notice)
    queryset = (
        ContributionNotice.objects.select_related("city", "call")
        .annotate(_paid_fen=Coalesce(Sum("payments__amount_fen"), 0))
        .order_by("call_id", "city__sort_order", "pk")  # pages are stable (the model has no default order)
    )
    serializer_class = s.ContributionNoticeSerializer
    filterset_class = filtersets.ContributionNoticeFilter

    @extend_schema(request=s.PaymentInSerializer, responses={201: s.ContributionPaymentSerializer})
    @action(detail=True, methods=["post"])
    def payments(self, request, pk=None):
        notice = self.get_object()
        data = validated(s.PaymentInSerializer, request.data)
        payment = services.do_record_payment(notice, actor=request.user, **data)
        return Response(s.ContributionPaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


def _submit_project(v: dict, *, actor) -> Project:
    return services.do_submit_project(
        Fund.objects.get(kind=FundKind.INVESTMENT),
        title=v["title"],
        category=v["category"],
        description=v["description"],
        lead_city=v["lead_city"],
        partner_cities=v["partner_cities"],
        requested_fen=v["requested_fen"],
        actor=actor,
    )


@extend_schema_view(create=extend_schema(request=s.ProjectInSerializer, responses={201: s.ProjectSerializer}))
class ProjectViewSet(ServiceModelViewSet):
    """Projects of the investment-development fund. POST submits; actions check, review and decide."""

    queryset = Project.objects.select_related("lead_city").prefetch_related("partner_cities")
    serializer_class = s.ProjectSerializer
    filterset_class = filtersets.ProjectFilter
    create_service = _submit_project
    written_serializer_class = s.ProjectSerializer

    def get_serializer_class(self):
        return s.ProjectInSerializer if self.action == "create" else s.ProjectSerializer

    @extend_schema(request=None, responses=s.ProjectSerializer)
    @action(detail=True, methods=["post"])
    def eligibility(self, request, pk=None):
        project = services.do_check_eligibility(self.get_object(), actor=request.user)
        return Response(s.ProjectSerializer(project).data)

    @extend_schema(request=s.ReviewInSerializer, responses={201: s.ProjectReviewSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def review(self, request, pk=None):
        project = self.get_object_for(REVIEW)  # the rest of the review rule (funds.policies.review_refusal) after
        data = validated(s.ReviewInSerializer, request.data)
        review = services.do_review_project(project, actor=request.user, **data)
        return Response(s.ProjectReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DecisionInSerializer, responses=s.ProjectSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        project = self.get_object_for(Action.CHANGE)
        v = validated(s.DecisionInSerializer, request.data)
        project = services.do_decide_project(
            project,
            resolution=v["resolution"],
            approve=v["approve"],
            approved_fen=v["approved_fen"],
            tranches=[(int(t.get("amount_fen", 0)), str(t.get("milestone", ""))) for t in v["tranches"]],
            actor=request.user,
        )
        return Response(s.ProjectSerializer(project).data)


class ProjectReviewViewSet(ScopedReadOnlyViewSet):
    queryset = ProjectReview.objects.select_related("expert")
    serializer_class = s.ProjectReviewSerializer
    filterset_class = filtersets.ProjectReviewFilter


class TrancheViewSet(ScopedReadOnlyViewSet):
    """Tranches of approved projects. POST …/disburse/ pays one whose milestone is met."""

    queryset = Tranche.objects.select_related("transfer")
    serializer_class = s.TrancheSerializer
    filterset_class = filtersets.TrancheFilter

    @extend_schema(request=None, responses=s.TrancheSerializer)
    @action(detail=True, methods=["post"])
    def disburse(self, request, pk=None):
        return Response(s.TrancheSerializer(services.do_disburse_tranche(self.get_object(), actor=request.user)).data)


class AssessmentCycleViewSet(ScopedReadOnlyViewSet):
    """Assessment cycles. POST …/simulate/ returns a what-if result and stores nothing; POST …/run/ is final."""

    queryset = AssessmentCycle.objects.select_related("rule")
    serializer_class = s.AssessmentCycleSerializer
    filterset_class = filtersets.AssessmentCycleFilter

    @extend_schema(request=s.WhatIfSerializer, responses={200: dict})
    @action(detail=True, methods=["post"], permission_classes=[])
    def simulate(self, request, pk=None):
        cycle = get_object_or_404(restrict(AssessmentCycle.objects.all(), request.user), pk=pk)
        data = validated(s.WhatIfSerializer, request.data)
        return Response(services.simulate_cycle(cycle, data or None, actor=request.user))

    @extend_schema(request=None, responses=s.AssessmentCycleSerializer)
    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        cycle = services.do_run_cycle(self.get_object(), actor=request.user)
        return Response(s.AssessmentCycleSerializer(cycle).data)


class AssessmentResultViewSet(ScopedReadOnlyViewSet):
    queryset = AssessmentResult.objects.select_related("city")
    serializer_class = s.AssessmentResultSerializer
    filterset_class = filtersets.AssessmentResultFilter
