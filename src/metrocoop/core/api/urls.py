from rest_framework.routers import DefaultRouter

from metrocoop.core.api import views

router = DefaultRouter()
router.register("cities", views.CityViewSet, basename="city")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("audit", views.AuditEntryViewSet, basename="audit")
router.register("jobs", views.JobViewSet, basename="job")

# Plain (non-viewset) API views of any app: `urlpatterns.append(path(...))` from the app's api/urls.py.
urlpatterns: list = []
