from metrocoop.clearing.api import views
from metrocoop.core.api.urls import router

router.register("clearing/schemes", views.SchemeViewSet, basename="clearing-scheme")
router.register("clearing/catalogue", views.CatalogueEntryViewSet, basename="clearing-catalogue")
router.register("clearing/authorisations", views.AuthorisationViewSet, basename="clearing-authorisation")
router.register("clearing/claims", views.ClaimViewSet, basename="clearing-claim")
router.register("clearing/batches", views.IngestBatchViewSet, basename="clearing-batch")
router.register("clearing/periods", views.PeriodViewSet, basename="clearing-period")
router.register("clearing/positions", views.PositionViewSet, basename="clearing-position")
router.register("clearing/instructions", views.InstructionViewSet, basename="clearing-instruction")
