"""The indicators API under its app prefix, /api/indicators/…, like every other app's.

The routes before the prefix (/api/indicators/ for the catalogue, /api/observations/, /api/indicator-analysis/…,
/api/indicator-imports/ …) answer with a permanent redirect to their new place: 301 for reads, 308 for writes (a
308 keeps the method and the body, so an old client's POST is not turned into a GET).
"""

from django.http import HttpResponsePermanentRedirect
from django.urls import path, re_path

from metrocoop.core.api.urls import router, urlpatterns
from metrocoop.indicators.api import views

PREFIX = "indicators"

router.register(f"{PREFIX}/indicators", views.IndicatorViewSet, basename="indicator")
router.register(f"{PREFIX}/observations", views.ObservationViewSet, basename="observation")
router.register(f"{PREFIX}/sector-values", views.SectorValueViewSet, basename="indicators-sector-value")
router.register(f"{PREFIX}/functions", views.UrbanFunctionViewSet, basename="indicators-function")
router.register(
    f"{PREFIX}/positioning-statements", views.PositioningStatementViewSet, basename="indicators-positioning-statement"
)
router.register(f"{PREFIX}/commuting-flows", views.CommutingFlowViewSet, basename="indicators-commuting-flow")

urlpatterns += [
    path(f"{PREFIX}/analysis/disparity/", views.DisparityView.as_view(), name="indicators-disparity"),
    path(f"{PREFIX}/analysis/trend/", views.TrendView.as_view(), name="indicators-trend"),
    path(f"{PREFIX}/analysis/structure/", views.StructureView.as_view(), name="indicators-structure"),
    path(f"{PREFIX}/analysis/commuting/", views.CommutingView.as_view(), name="indicators-commuting"),
    path(f"{PREFIX}/analysis/positioning/", views.PositioningView.as_view(), name="indicators-positioning"),
    path(f"{PREFIX}/imports/", views.ObservationImportView.as_view(), name="indicators-import"),
    path(f"{PREFIX}/analysis/recheck/", views.RecheckView.as_view(), name="indicators-recheck"),
]


class MovedRedirect(HttpResponsePermanentRedirect):
    status_code = 308


def _moved(new_prefix: str):
    """A view answering every method at an old route with its new address (301 for reads, 308 for writes)."""

    def view(request, rest: str = ""):
        target = f"/api/{new_prefix}{rest}"
        if request.META.get("QUERY_STRING"):
            target += "?" + request.META["QUERY_STRING"]
        safe = request.method in ("GET", "HEAD", "OPTIONS")
        return (HttpResponsePermanentRedirect if safe else MovedRedirect)(target)

    view.csrf_exempt = True  # a redirect changes nothing; the new address checks CSRF and access as usual
    return view


# Old addresses → new ones. The catalogue's old detail route is /api/indicators/<code>/: it redirects only for a
# code (no slash, no dot), and never for the new sections under the prefix.
_NEW_SECTIONS = (
    "indicators|observations|sector-values|functions|positioning-statements|commuting-flows|analysis|imports"
)
urlpatterns += [
    re_path(r"^indicators/$", _moved(f"{PREFIX}/indicators/")),
    re_path(rf"^indicators/(?P<rest>(?!(?:{_NEW_SECTIONS})/)[^/.]+/)$", _moved(f"{PREFIX}/indicators/")),
    re_path(r"^observations/(?P<rest>.*)$", _moved(f"{PREFIX}/observations/")),
    re_path(r"^indicator-sector-values/(?P<rest>.*)$", _moved(f"{PREFIX}/sector-values/")),
    re_path(r"^indicator-functions/(?P<rest>.*)$", _moved(f"{PREFIX}/functions/")),
    re_path(r"^indicator-positioning-statements/(?P<rest>.*)$", _moved(f"{PREFIX}/positioning-statements/")),
    re_path(r"^indicator-commuting-flows/(?P<rest>.*)$", _moved(f"{PREFIX}/commuting-flows/")),
    re_path(r"^indicator-analysis/(?P<rest>.*)$", _moved(f"{PREFIX}/analysis/")),
    re_path(r"^indicator-imports/(?P<rest>.*)$", _moved(f"{PREFIX}/imports/")),
]
