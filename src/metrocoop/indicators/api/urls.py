from metrocoop.core.api.urls import router
from metrocoop.indicators.api import views

router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("observations", views.ObservationViewSet, basename="observation")
