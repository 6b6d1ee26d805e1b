from metrocoop.core.api.urls import router
from metrocoop.spatial.api import views

router.register("spatial/features", views.FeatureViewSet, basename="spatial-feature")
router.register("spatial/rules", views.ConflictRuleViewSet, basename="spatial-rule")
router.register("spatial/conflicts", views.ConflictViewSet, basename="spatial-conflict")
router.register("spatial/projects", views.CorridorProjectViewSet, basename="spatial-project")
router.register("spatial/coverage", views.CoverageViewSet, basename="spatial-coverage")
