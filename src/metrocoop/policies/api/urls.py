from django.urls import path

from metrocoop.core.api.urls import router, urlpatterns
from metrocoop.policies.api import views

router.register("policies/documents", views.PolicyDocumentViewSet, basename="policies-document")
router.register("policies/relations", views.PolicyRelationViewSet, basename="policies-relation")
router.register("policies/topics", views.TopicViewSet, basename="policies-topic")
router.register("policies/reforms", views.PilotReformViewSet, basename="policies-reform")
router.register("policies/catalogue", views.IndustryCatalogueEntryViewSet, basename="policies-catalogue")
router.register("policies/proposals", views.CurationProposalViewSet, basename="policies-proposal")
router.register("policies/consultations", views.ConsultationViewSet, basename="policies-consultation")
urlpatterns.append(path("policies/search/", views.PolicySearchView.as_view(), name="policies-search"))
