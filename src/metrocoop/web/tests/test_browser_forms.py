"""Browser tests (Debian's chromium, an en-US browser) of forms and downloads: a date typed as 2026-06-05 in a form
rendered by django-bootstrap5 (never the browser's mm/dd/yyyy picker) and shown as the language writes dates; and a
download of each export kind through the pages (.xlsx, .docx, .geojson, .csv), each read back and computing."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from metrocoop.core.browser_testing import log_in  # browser and page come from the root conftest's plugin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_date_is_typed_as_an_iso_date_and_shown_in_the_pages_language(page):
    from metrocoop.policies.models import Consultation

    # given a city liaison on the consultations page of an en-US browser
    log_in(page, "liaison-sz")
    page.goto("/policies/consultations/")
    deadline = page.locator("[data-testid=open-consultation] input[name=deadline]")
    # then the deadline is a text input asking for year-month-day, with its label above it
    assert deadline.get_attribute("type") == "text" and deadline.get_attribute("placeholder") in (
        "YYYY-MM-DD",
        "年-月-日",
    )
    label = page.locator("[data-testid=open-consultation] label[for=id_deadline]")
    assert label.is_visible() and label.bounding_box()["y"] < deadline.bounding_box()["y"]
    # when the liaison fills the form (the city chosen by its name) and types the date
    day = timezone.localdate() + timedelta(days=30)
    page.fill("[data-testid=open-consultation] input[name=title]", "苏州市人才细则（征求意见稿）")
    page.select_option("[data-testid=open-consultation] select[name=city]", label="苏州")
    deadline.type(day.isoformat())
    page.fill("[data-testid=open-consultation] textarea[name=clauses]", "第一条\n第二条")
    page.click("[data-testid=open-consultation] button")
    page.wait_for_url("**/consultations/*/")
    # then the consultation is open until that very day, and the Chinese page writes it 2026年6月5日-style
    assert Consultation.objects.get().deadline == day
    assert f"{day.year}年{day.month}月{day.day}日" in page.content()
    assert page.console_errors == []


def test_a_date_in_the_us_order_is_held_back_by_the_browser_and_nothing_is_saved(page, demo_users):
    from metrocoop.policies.models import Consultation

    log_in(page, "liaison-sz")
    page.goto("/policies/consultations/")
    page.fill("[data-testid=open-consultation] input[name=title]", "草案")
    page.fill("[data-testid=open-consultation] input[name=deadline]", "06/05/2026")
    page.fill("[data-testid=open-consultation] textarea[name=clauses]", "第一条")
    # the browser itself holds the form back: the pattern says year-month-day
    assert page.eval_on_selector("[data-testid=open-consultation] input[name=deadline]", "e => !e.checkValidity()")
    page.click("[data-testid=open-consultation] button")
    assert Consultation.objects.count() == 0


def test_each_export_kind_downloads_through_the_pages_and_reads_back(page, demo_users):
    from docx import Document
    from openpyxl import load_workbook

    from metrocoop.council.models import AnnualSummary
    from metrocoop.demo_data import load_module_demo_data
    from metrocoop.funds.models import ContributionCall

    load_module_demo_data()
    call = ContributionCall.objects.order_by("-year").first()
    year = AnnualSummary.objects.order_by("-plan__year").values_list("plan__year", flat=True).first()
    log_in(page, "office")

    def fetch(url: str, link: str):
        page.goto(url)
        with page.expect_download() as download:
            page.click(link)
        d = download.value
        return d.suggested_filename, open(d.path(), "rb").read()

    # Word and Excel of the annual summary, with the Chinese file name the server gave
    name, body = fetch(f"/council/summaries/{year}/", "a[href$='download.docx']")
    assert name == f"{year}年度工作总结.docx"
    assert any("合计" in c.text for t in Document(io.BytesIO(body)).tables for r in t.rows for c in r.cells)
    name, body = fetch(f"/council/summaries/{year}/", "a[href$='download.xlsx']")
    rates = [c for ws in load_workbook(io.BytesIO(body)).worksheets for r in ws.iter_rows() for c in r]
    assert any(c.number_format == "0.00%" and isinstance(c.value, float) for c in rates)

    # the contribution notices in Excel: amounts as numbers that add up to the call's target
    name, body = fetch(f"/funds/calls/{call.pk}/", "a[href$='notices.xlsx']")
    ws = load_workbook(io.BytesIO(body)).active
    amounts = [r[4] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert name.endswith(".xlsx") and sum(round(a * 100) for a in amounts) == call.target_fen

    # the standards catalogue in Excel and the map's layers as GeoJSON
    name, body = fetch("/standards/catalogue/", "a[href$='catalogue.xlsx']")
    assert load_workbook(io.BytesIO(body)).active.max_row > 1
    name, body = fetch("/spatial/", "a[href$='/all.geojson']")
    assert name == "all.geojson" and json.loads(body)["type"] == "FeatureCollection"
    # any page's tables, as the reader filtered them: the call's notices table, its amounts as numbers
    name, body = fetch(f"/funds/calls/{call.pk}/", "[data-testid=table-excel]")
    cells = [v for ws in load_workbook(io.BytesIO(body)).worksheets for r in ws.iter_rows(values_only=True) for v in r]
    assert name.endswith(".xlsx") and any(isinstance(v, (int, float)) for v in cells) and "苏州" in cells
    name, body = fetch(f"/funds/calls/{call.pk}/", "[data-testid=table-csv]")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert name.endswith(".csv") and any("苏州" in row for row in rows)
    assert page.external_requests == []
