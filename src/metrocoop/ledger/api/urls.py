from metrocoop.core.api.urls import router
from metrocoop.ledger.api import views

router.register("ledger/accounts", views.AccountViewSet, basename="ledger-account")
router.register("ledger/transfers", views.TransferViewSet, basename="ledger-transfer")
