"""The council API's list filters (council/filtersets.py) keep the meaning of their query parameters (a value that is
not one: core/tests/test_filtersets.py)."""

import pytest

from metrocoop.core.testing import ModelAPITestCases
from metrocoop.council.tests import helpers as h

pytestmark = pytest.mark.django_db


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in ModelAPITestCases._rows(response.json())}


def test_work_items_filter_by_plan_year_and_lead_city(api):
    sz, nt = h.draft_item("SZ", 2030), h.draft_item("NT", 2030)
    office = api("office")
    assert _ids(office.get("/api/council/items/", {"year": 2030})) >= {sz.pk, nt.pk}
    assert _ids(office.get("/api/council/items/", {"year": 2030, "lead_city": "NT"})) == {nt.pk}
    assert _ids(office.get("/api/council/items/", {"year": 2031})) == set()


def test_plans_filter_by_year_and_status(api):
    plan = h.draft_plan(2030)
    office = api("office")
    assert _ids(office.get("/api/council/plans/", {"year": 2030, "status": plan.status})) == {plan.pk}
    assert _ids(office.get("/api/council/plans/", {"year": 2030, "status": "closed"})) == set()
