"""The indicators API lives under its app prefix (/api/indicators/…); the old routes redirect there permanently."""

import pytest
from django.urls import reverse

from metrocoop.indicators.models import Observation

pytestmark = pytest.mark.django_db

MOVED = [
    ("/api/indicators/", "/api/indicators/indicators/"),
    ("/api/indicators/gdp/", "/api/indicators/indicators/gdp/"),
    ("/api/observations/?city=SZ&year=2019", "/api/indicators/observations/?city=SZ&year=2019"),
    ("/api/indicator-sector-values/", "/api/indicators/sector-values/"),
    ("/api/indicator-functions/", "/api/indicators/functions/"),
    ("/api/indicator-positioning-statements/", "/api/indicators/positioning-statements/"),
    ("/api/indicator-commuting-flows/", "/api/indicators/commuting-flows/"),
    (
        "/api/indicator-analysis/disparity/?indicator=gdp-per-capita",
        "/api/indicators/analysis/disparity/?indicator=gdp-per-capita",
    ),
    ("/api/indicator-imports/", "/api/indicators/imports/"),
]


def test_every_route_has_the_app_prefix():
    assert reverse("api:indicator-list") == "/api/indicators/indicators/"
    assert reverse("api:observation-list") == "/api/indicators/observations/"
    assert reverse("api:indicators-disparity") == "/api/indicators/analysis/disparity/"
    assert reverse("api:indicators-import") == "/api/indicators/imports/"


@pytest.mark.parametrize(("old", "new"), MOVED)
def test_an_old_read_is_redirected_permanently_and_the_new_address_answers(api, reference, old, new):
    response = api(None).get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert api(None).get(new).status_code == 200 or new.endswith("/imports/")


def test_an_old_write_keeps_its_method_through_a_308_and_changes_nothing_by_itself(api, reference):
    before = Observation.objects.count()
    payload = {"city": "SZ", "indicator": "gdp", "year": 2031, "value": "1"}
    response = api("office").post("/api/observations/", payload, format="json")
    assert response.status_code == 308 and response["Location"] == "/api/indicators/observations/"
    assert Observation.objects.count() == before
    followed = api("office").post(response["Location"], payload, format="json")
    assert followed.status_code == 201 and Observation.objects.count() == before + 1
    obs = Observation.objects.get(pk=followed.json()["id"])
    moved = api("office").delete(f"/api/observations/{obs.pk}/")
    assert moved.status_code == 308 and moved["Location"] == f"/api/indicators/observations/{obs.pk}/"
    assert Observation.objects.filter(pk=obs.pk).exists()


def test_the_new_sections_are_not_taken_for_an_old_indicator_code(api, reference):
    assert api(None).get("/api/indicators/observations/").status_code == 200
    assert api(None).get("/api/indicators/functions/").status_code == 200
    assert api(None).get("/api/indicators/%F1%AF%AA%9D./").status_code == 404
