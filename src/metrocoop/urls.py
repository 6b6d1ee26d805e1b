from django.conf import settings
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

urlpatterns = [
    path("api/", include("metrocoop.api_urls", namespace="api")),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("metrocoop.web.urls", namespace="web")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
