"""/api/: every app's viewsets on one router, the token endpoint, the schema and its offline docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from metrocoop.core.api import views as core_views
from metrocoop.core.api.urls import router
from metrocoop.core.api.urls import urlpatterns as extra_urlpatterns
from metrocoop.discovery import app_modules

app_modules("api.urls")  # each app's api/urls.py registers its viewsets on the shared router

app_name = "api"

urlpatterns = [
    path("auth/token/", core_views.TokenView.as_view(), name="token"),
    path("me/", core_views.CurrentUserView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves Swagger UI's start-up script as a file, and our Redoc page has no inline script and
    # no web fonts: both work under the Content-Security-Policy and offline
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema", template_name="core/redoc.html"), name="redoc"),
    *extra_urlpatterns,
    path("", include(router.urls)),
]
