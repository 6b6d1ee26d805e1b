from django.urls import path

from metrocoop.core.api.urls import router, urlpatterns
from metrocoop.investment.api import views

router.register("investment/chains", views.ChainViewSet, basename="investment-chain")
router.register("investment/links", views.LinkViewSet, basename="investment-link")
router.register("investment/enterprises", views.EnterpriseViewSet, basename="investment-enterprise")
router.register("investment/leads", views.LeadViewSet, basename="investment-lead")
router.register("investment/conflicts", views.LeadConflictViewSet, basename="investment-conflict")
router.register("investment/events", views.PromotionEventViewSet, basename="investment-event")
router.register("investment/rules", views.SharingRuleViewSet, basename="investment-rule")
router.register("investment/relocations", views.RelocationViewSet, basename="investment-relocation")
router.register("investment/parks", views.ParkViewSet, basename="investment-park")
router.register("investment/park-years", views.ParkYearViewSet, basename="investment-park-year")
router.register("investment/land-transfers", views.LandQuotaTransferViewSet, basename="investment-land-transfer")
urlpatterns += [
    path("investment/credit-code/", views.CreditCodeView.as_view(), name="investment-credit-code"),
    path("investment/gaps/", views.GapsView.as_view(), name="investment-gaps"),
]
