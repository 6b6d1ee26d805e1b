"""Pages render for anonymous readers; the import page shows the full report; exports are .xlsx files."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from metrocoop.core.testing import snapshot
from metrocoop.indicators.models import Observation
from metrocoop.indicators.tests.helpers import xlsx_bytes

pytestmark = pytest.mark.django_db

PAGES = [
    "/indicators/",
    "/indicators/?indicator=budget-revenue-per-capita&year=2019",
    "/indicators/trend/",
    "/indicators/structure/",
    "/indicators/commuting/",
    "/indicators/commuting/?zone=central_city",
    "/indicators/positioning/",
    "/indicators/recheck/",
    "/indicators/cities/NT/",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_for_anonymous_users(browser_client, paper_data, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        response = browser_client(None).get(url)
    assert response.status_code == 200


def test_the_explorer_shows_ranking_chart_and_expandable_measures(browser_client, reference):
    page = browser_client(None).get("/indicators/?indicator=gdp-per-capita&year=2019").content.decode()
    assert 'data-chart="explorer-chart"' in page and 'data-testid="ranking"' in page
    for code in ("max_min", "cv", "gini", "theil_t", "theil_l", "williamson", "weighted_theil_t", "decomposition"):
        assert f'data-testid="measure-{code}"' in page
    assert "无锡" in page and "湖州" in page


def test_the_demo_pages_show_table2_the_matrix_and_the_recheck(browser_client, paper_data):
    client = browser_client(None)
    commuting = client.get("/indicators/commuting/").content.decode()
    assert 'data-chart="flow-map"' in commuting and "88" in commuting
    matrix = client.get("/indicators/positioning/").content.decode()
    assert 'data-testid="positioning-matrix"' in matrix and "现代农业" in matrix  # unserved function listed
    recheck = client.get("/indicators/recheck/").content.decode()
    assert 'data-check="max-min-gdp-per-capita" data-verdict="inconsistent"' in recheck
    assert 'data-check="commuters-total" data-verdict="not-checkable"' in recheck


def test_the_import_page_needs_an_editor(browser_client, reference):
    assert browser_client(None).get("/indicators/import/").status_code == 302
    assert browser_client("public").get("/indicators/import/").status_code == 403
    assert browser_client("liaison-nt").get("/indicators/import/").status_code == 200


def test_the_import_page_lists_every_bad_cell_and_changes_nothing(browser_client, reference):
    rows = [["city", "year", "indicator", "value"], ["NT", 2020, "gdp", "x"], ["SZ", 2020, "gdp", 1]]
    before = snapshot(Observation)
    upload = SimpleUploadedFile("bad.xlsx", xlsx_bytes(rows))
    page = browser_client("liaison-nt").post("/indicators/import/", {"file": upload, "layout": "long"})
    html = page.content.decode()
    assert 'data-testid="import-rejected"' in html
    assert "不是数字" in html and "Not a number" in html and "You may not change the observations of SZ" in html
    assert snapshot(Observation) == before


def test_the_import_page_imports_a_good_file(browser_client, reference):
    rows = [["city", "year", "indicator", "value"], ["NT", 2020, "gdp", "10036.3"]]
    upload = SimpleUploadedFile("good.xlsx", xlsx_bytes(rows))
    html = browser_client("liaison-nt").post("/indicators/import/", {"file": upload}).content.decode()
    assert 'data-testid="import-ok"' in html
    assert Observation.objects.filter(city__code="NT", year=2020).count() == 1


@pytest.mark.parametrize("what", ["explorer", "observations", "trend", "structure", "recheck", "positioning"])
def test_every_table_exports_to_xlsx(browser_client, paper_data, what):
    response = browser_client(None).get(f"/indicators/export/{what}.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row >= 1 and sheet.cell(1, 1).value


def test_a_liaison_edits_its_own_citys_observation_on_a_page_and_not_another(browser_client, reference):
    nt = Observation.objects.get(city__code="NT", indicator__code="gdp", year=2019)
    sz = Observation.objects.get(city__code="SZ", indicator__code="gdp", year=2019)
    client = browser_client("liaison-nt")
    assert f"/indicators/observations/{nt.pk}/edit/" in client.get("/indicators/cities/NT/").content.decode()
    assert "/edit/" not in client.get("/indicators/cities/SZ/").content.decode()
    response = client.post(f"/indicators/observations/{nt.pk}/edit/", {"value": "9400", "source": "南通统计局"})
    assert response.status_code == 302
    nt.refresh_from_db()
    assert str(nt.value) == "9400.000000" and nt.source == "南通统计局"
    bad = client.post(f"/indicators/observations/{nt.pk}/edit/", {"value": "-1"}).content.decode()
    assert "cannot be negative" in bad and "不可能为负数" in bad
    before = snapshot(Observation)
    assert client.post(f"/indicators/observations/{sz.pk}/edit/", {"value": "1"}).status_code == 403
    assert snapshot(Observation) == before


def test_the_explorers_queries_do_not_grow_with_the_cities(browser_client, reference):
    # given the explorer of an indicator and year with every member city's value, the queries it costs computed
    # (not from the view cache: this test's transaction has written the group)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from metrocoop.core.api import caching

    caching.invalidate("indicators")
    url = "/indicators/?indicator=gdp-per-capita&year=2019"
    client = browser_client(None)
    with CaptureQueriesContext(connection) as nine:
        assert client.get(url).status_code == 200
    # when only two cities keep a value
    values = Observation.objects.filter(indicator__code="gdp-per-capita", year=2019)
    kept = list(values.order_by("city__sort_order").values_list("pk", flat=True)[:2])
    values.exclude(pk__in=kept).delete()
    with CaptureQueriesContext(connection) as two:
        page = client.get(url).content.decode()
    # then the page shows two ranked cities, and nine cost no more queries than two
    assert page.count('<td><a href="/cities/') == 2
    assert len(nine) <= len(two), f"{len(nine)} queries for nine cities, {len(two)} for two"
