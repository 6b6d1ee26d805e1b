from metrocoop.core.api.urls import router
from metrocoop.funds.api import views

router.register("funds/funds", views.FundViewSet, basename="funds-fund")
router.register("funds/rules", views.FundRuleViewSet, basename="funds-rule")
router.register("funds/calls", views.ContributionCallViewSet, basename="funds-call")
router.register("funds/notices", views.ContributionNoticeViewSet, basename="funds-notice")
router.register("funds/projects", views.ProjectViewSet, basename="funds-project")
router.register("funds/reviews", views.ProjectReviewViewSet, basename="funds-review")
router.register("funds/tranches", views.TrancheViewSet, basename="funds-tranche")
router.register("funds/cycles", views.AssessmentCycleViewSet, basename="funds-cycle")
router.register("funds/results", views.AssessmentResultViewSet, basename="funds-result")
