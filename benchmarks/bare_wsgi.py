"""The yardstick for `make load`: a bare Django view answering nine small rows as JSON, no database, no
middleware, served by the same gunicorn the same way as MetroCoop. The read tier's figures are ratios to this."""

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="bare-benchmark-view-not-a-secret",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_TZ=True,
)

import django  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

django.setup()

ROWS = [{"code": f"C{i}", "name_zh": f"城市{i}", "name_en": f"City {i}", "sort_order": i} for i in range(9)]


def bare(request):
    return JsonResponse(ROWS, safe=False)


urlpatterns = [path("bare/", bare)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
