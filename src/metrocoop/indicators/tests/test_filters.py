"""The observations export filters through indicators/filtersets.py, as the API's list does: same parameters, same
rows; a value that is not one is a 400, not a 500."""

import io

import pytest
from openpyxl import load_workbook

from metrocoop.indicators.models import Observation

pytestmark = pytest.mark.django_db


def test_the_observations_export_keeps_only_the_city_and_year_asked_for(browser_client, paper_data):
    query = {"indicator": "gdp", "city": "NT", "year": 2019}
    response = browser_client(None).get("/indicators/export/observations.xlsx", query)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[2]) for r in rows] == [("NT", 2019, "gdp")]
    assert len(rows) == Observation.objects.filter(city__code="NT", year=2019, indicator__code="gdp").count()


def test_the_observations_export_refuses_a_year_that_is_not_a_number(browser_client, paper_data):
    assert browser_client(None).get("/indicators/export/observations.xlsx", {"year": "recent"}).status_code == 400
