"""The clearing pages render for the people who use them, show only their scope, and close through the service."""

from __future__ import annotations

import pytest

from metrocoop.clearing.models import Period
from metrocoop.clearing.services import do_close_period, do_ingest_claims
from metrocoop.clearing.tests.conftest import make_world, source_of


@pytest.fixture
def closed_world(demo_users):
    world = make_world(demo_users, n=200)
    do_ingest_claims(source_of(world.rows), actor=world.office)
    return do_close_period(Period.objects.get(year=2026, month=1), actor=world.office)


def test_dashboard_and_period_page_render(browser_client, closed_world, django_assert_max_num_queries):
    client = browser_client("office")
    response = client.get("/clearing/")
    assert response.status_code == 200
    assert b'data-chart="clearing-flows"' in response.content
    with django_assert_max_num_queries(25):
        response = client.get(f"/clearing/periods/{closed_world.code}/")
    assert response.status_code == 200 and b'data-testid="instructions"' in response.content


def test_claims_page_shows_person_refs_of_the_own_insured_city_only(browser_client, closed_world):
    from metrocoop.clearing.models import Claim

    wx = Claim.objects.filter(insured_city="WX").exclude(service_city="SZ").first()
    page = browser_client("medical-wx").get("/clearing/claims/?status=")
    assert page.status_code == 200
    if wx is not None:
        assert wx.person_ref[:8].encode() in page.content
    page = browser_client("office").get("/clearing/claims/")
    assert wx is None or wx.person_ref[:8].encode() not in page.content


def test_statement_downloads_for_the_own_city(browser_client, closed_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ok = browser_client("medical-sz").get(f"/clearing/periods/{closed_world.code}/statements/SZ/docx/")
    assert ok.status_code == 200
    assert (
        browser_client("medical-wx").get(f"/clearing/periods/{closed_world.code}/statements/SZ/xlsx/").status_code
        == 403
    )


def test_catalogue_comparison_is_public(browser_client, closed_world):
    page = browser_client(None).get("/clearing/catalogue/?scheme=medical_outpatient&city=SH&city=SZ")
    assert page.status_code == 200 and b"OP-001" in page.content


def test_closing_from_the_page_needs_the_office(browser_client, demo_users):
    world = make_world(demo_users, n=50)
    do_ingest_claims(source_of(world.rows), actor=world.office)
    assert browser_client("medical-sh").post("/clearing/periods/2026-02/close/").status_code == 302
    assert Period.objects.get(year=2026, month=2).status == "open"
    browser_client("office").post("/clearing/periods/2026-02/close/")
    assert Period.objects.get(year=2026, month=2).status == "closed"


def test_demo_data_loads_once(db, reference, demo_users, settings):
    from metrocoop.clearing import demo_data

    demo_data.DEMO_CLAIMS = 500
    first = demo_data.load()
    assert "closed" in first
    assert "already" in demo_data.load()
