from django.conf import settings
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from metrocoop.discovery import app_modules

urlpatterns = [
    path("api/", include("metrocoop.api_urls", namespace="api")),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
# each app's pages under /<label>/, namespace <label> (the web shell itself at /)
urlpatterns += [path(f"{app}/", include(module, namespace=app)) for app, module in app_modules("urls") if app != "web"]
urlpatterns.append(path("", include("metrocoop.web.urls", namespace="web")))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "metrocoop.core.api.errors.not_found"
