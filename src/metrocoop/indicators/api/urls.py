from django.urls import path

from metrocoop.core.api.urls import router, urlpatterns
from metrocoop.indicators.api import views

router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("observations", views.ObservationViewSet, basename="observation")
router.register("indicator-sector-values", views.SectorValueViewSet, basename="indicators-sector-value")
router.register("indicator-functions", views.UrbanFunctionViewSet, basename="indicators-function")
router.register(
    "indicator-positioning-statements", views.PositioningStatementViewSet, basename="indicators-positioning-statement"
)
router.register("indicator-commuting-flows", views.CommutingFlowViewSet, basename="indicators-commuting-flow")

urlpatterns += [
    path("indicator-analysis/disparity/", views.DisparityView.as_view(), name="indicators-disparity"),
    path("indicator-analysis/trend/", views.TrendView.as_view(), name="indicators-trend"),
    path("indicator-analysis/structure/", views.StructureView.as_view(), name="indicators-structure"),
    path("indicator-analysis/commuting/", views.CommutingView.as_view(), name="indicators-commuting"),
    path("indicator-analysis/positioning/", views.PositioningView.as_view(), name="indicators-positioning"),
    path("indicator-imports/", views.ObservationImportView.as_view(), name="indicators-import"),
    path("indicator-analysis/recheck/", views.RecheckView.as_view(), name="indicators-recheck"),
]
