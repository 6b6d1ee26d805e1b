from django.urls import path

from metrocoop.core.api.urls import router, urlpatterns
from metrocoop.council.api import views

router.register("council/councils", views.CouncilViewSet, basename="council-council")
router.register("council/seats", views.CouncilSeatViewSet, basename="council-seat")
router.register("council/meetings", views.MeetingViewSet, basename="council-meeting")
router.register("council/resolutions", views.ResolutionViewSet, basename="council-resolution")
router.register("council/votes", views.VoteViewSet, basename="council-vote")
router.register("council/plans", views.AnnualPlanViewSet, basename="council-plan")
router.register("council/items", views.WorkItemViewSet, basename="council-item")
router.register("council/reports", views.ProgressReportViewSet, basename="council-report")
router.register("council/summaries", views.AnnualSummaryViewSet, basename="council-summary")
router.register("council/plan-documents", views.PlanDocumentViewSet, basename="council-plan-document")
router.register("council/plan-articles", views.PlanArticleViewSet, basename="council-plan-article")

urlpatterns += [
    path("council/board/", views.BoardView.as_view(), name="council-board"),
    path("council/performance/", views.CityPerformanceView.as_view(), name="council-performance"),
]
