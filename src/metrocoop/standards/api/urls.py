from metrocoop.core.api.urls import router
from metrocoop.standards.api import views

router.register("standards/standards", views.StandardViewSet, basename="standards-standard")
router.register("standards/key-standards", views.KeyStandardViewSet, basename="standards-keystandard")
router.register("standards/parameters", views.ParameterViewSet, basename="standards-parameter")
router.register("standards/limits", views.LimitValueViewSet, basename="standards-limit")
router.register("standards/limit-revisions", views.LimitRevisionViewSet, basename="standards-limitrevision")
router.register("standards/recognition-types", views.RecognitionTypeViewSet, basename="standards-recognitiontype")
router.register("standards/recognitions", views.RecognitionViewSet, basename="standards-recognition")
router.register("standards/proposals", views.ProposalViewSet, basename="standards-proposal")
router.register("standards/harmonise", views.HarmoniseViewSet, basename="standards-harmonise")
router.register("standards/recognised", views.RecognisedViewSet, basename="standards-recognised")
