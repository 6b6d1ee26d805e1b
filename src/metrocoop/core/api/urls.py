from rest_framework.routers import DefaultRouter

from metrocoop.core.api import views

router = DefaultRouter()
router.register("cities", views.CityViewSet, basename="city")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("audit", views.AuditEntryViewSet, basename="audit")
router.register("jobs", views.JobViewSet, basename="job")
