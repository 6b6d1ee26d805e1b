"""Downloads (core.downloads) and exports that compute, on the demo data: every export kind answered in memory with
its content type and a UTF-8 file name, no folder left behind; the files read back with openpyxl / python-docx hold
amounts as numbers in yuan (exactly, from fen), shares as percentages, criteria as columns and names, not codes."""

import io
import tempfile
from datetime import date
from urllib.parse import unquote

import pytest
from docx import Document
from openpyxl import load_workbook

from metrocoop.core import downloads
from metrocoop.core.models import City

pytestmark = pytest.mark.django_db(transaction=True)  # the demo loaders commit, as `metrocoop demo` does

XLSX, DOCX = downloads.XLSX, downloads.DOCX


def test_the_content_disposition_carries_a_chinese_name_in_utf8_with_an_ascii_fallback():
    header = downloads.content_disposition("2025年度工作总结.docx")
    assert header.startswith('attachment; filename="2025.docx"; ')
    assert header.endswith("filename*=UTF-8''2025%E5%B9%B4%E5%BA%A6%E5%B7%A5%E4%BD%9C%E6%80%BB%E7%BB%93.docx")
    assert downloads.content_disposition("limits.xlsx") == 'attachment; filename="limits.xlsx"'
    # a quote or a line break in a name can never end the header early
    header = downloads.content_disposition('a"b\r\n.csv')
    assert header == "attachment; filename=\"ab.csv\"; filename*=UTF-8''a%22b%0D%0A.csv"


def _filename(response) -> str:
    header = response["Content-Disposition"]
    if "filename*=UTF-8''" in header:
        return unquote(header.split("filename*=UTF-8''", 1)[1])
    return header.split('filename="', 1)[1].rstrip('"')


def _sheet_values(body: bytes) -> list[list]:
    wb = load_workbook(io.BytesIO(body))
    return [list(row) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)]


def _cells(body: bytes):
    wb = load_workbook(io.BytesIO(body))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def _docx_text(body: bytes) -> str:
    doc = Document(io.BytesIO(body))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


@pytest.fixture
def world(demo_users):
    from metrocoop.demo_data import load_module_demo_data
    from metrocoop.funds import services as funds
    from metrocoop.funds.choices import FundKind
    from metrocoop.funds.models import AssessmentCycle

    load_module_demo_data()
    cycle = AssessmentCycle.objects.get(fund__kind=FundKind.REWARD, year=date.today().year)
    funds.do_run_cycle(cycle, actor=demo_users["office"])
    return cycle


def test_every_export_is_built_in_memory_typed_named_and_computes(world, browser_client, monkeypatch, tmp_path):
    from metrocoop.clearing.choices import PeriodStatus
    from metrocoop.clearing.models import Period, PeriodPosition
    from metrocoop.council.models import AnnualSummary
    from metrocoop.funds.models import ContributionCall
    from metrocoop.investment.models import Park
    from metrocoop.policies.models import Topic

    # given a temporary folder of our own (no other process writes there) and the demo's data
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    codes = set(City.objects.values_list("code", flat=True))
    office = browser_client("office")

    call = ContributionCall.objects.select_related("fund").order_by("-year").first()
    period = Period.objects.filter(status=PeriodStatus.CLOSED).order_by("-year", "-month").first()
    position = PeriodPosition.objects.filter(period=period).select_related("city").order_by("city__sort_order").first()
    summary = AnnualSummary.objects.select_related("plan").order_by("-plan__year").first()
    park = Park.objects.order_by("code").first()
    topic = Topic.objects.order_by("code").first()
    assert call and period and position and summary and park and topic

    answers = {
        "notices.xlsx": office.get(f"/funds/calls/{call.pk}/notices.xlsx"),
        "notices.docx": office.get(f"/funds/calls/{call.pk}/notices.docx"),
        "assessment.xlsx": office.get(f"/funds/assessment/{world.pk}/results.xlsx"),
        "summary.xlsx": office.get(f"/council/summaries/{summary.plan.year}/download.xlsx"),
        "summary.docx": office.get(f"/council/summaries/{summary.plan.year}/download.docx"),
        "statement.xlsx": office.get(f"/clearing/periods/{period.code}/statements/{position.city.code}/xlsx/"),
        "statement.docx": office.get(f"/clearing/periods/{period.code}/statements/{position.city.code}/docx/"),
        "park.xlsx": office.get(f"/investment/parks/{park.code}/statement.xlsx"),
        "park.docx": office.get(f"/investment/parks/{park.code}/statement.docx"),
        "topic.xlsx": office.get(f"/policies/topics/{topic.code}/export.xlsx"),
        "limits.xlsx": office.get("/standards/download/limits.xlsx"),
        "recognitions.xlsx": office.get("/standards/download/recognitions.xlsx"),
        "harmonisation.docx": office.get("/standards/download/report.docx"),
        "structure.xlsx": office.get("/indicators/export/structure.xlsx"),
        "layer.geojson": office.get("/spatial/layers/all.geojson"),
    }
    # then each answers with its content type and its name, and nothing was written to the temporary folder
    for kind, response in answers.items():
        assert response.status_code == 200, kind
        suffix = kind.rsplit(".", 1)[1]
        assert response["Content-Type"] == downloads.content_type_for(f"x.{suffix}"), kind
        assert _filename(response).endswith(f".{suffix}"), kind
        assert response["Content-Disposition"].startswith("attachment;"), kind
    assert list(scratch.iterdir()) == []
    assert _filename(answers["summary.docx"]) == f"{summary.plan.year}年度工作总结.docx"

    # the contribution notices: amounts in yuan as numbers (exactly the fen), shares as percentages, city names
    notices = {n.city.name_zh: n for n in call.notices.select_related("city")}
    rows = _sheet_values(answers["notices.xlsx"].content)
    assert rows[0][0] == "城市 City"
    for row in rows[1:]:
        notice = notices[row[0]]
        assert round(row[4] * 100) == notice.amount_fen and isinstance(row[4], (int, float))
        assert abs(row[2] - notice.explanation["share_percent"] / 100) < 1e-9
    formats = {c.column_letter: c.number_format for c in _cells(answers["notices.xlsx"].content) if c.row == 2}
    assert formats["C"] == "0.00%" and formats["E"] == formats["F"] == formats["G"] == "#,##0.00"
    assert sum(round(r[4] * 100) for r in rows[1:]) == call.target_fen

    # the assessment: one column per criterion, named; amounts numeric
    rows = _sheet_values(answers["assessment.xlsx"].content)
    header = rows[0]
    assert {"完成率 Completion", "及时率 Timeliness", "质量 Quality"} <= set(header)
    results = {r.city.name_zh: r for r in world.results.select_related("city")}
    reward = header.index("奖励（元）Reward (yuan)")
    for row in rows[1:]:
        assert round(row[reward] * 100) == results[row[0]].reward_fen
        completion = row[header.index("完成率 Completion")]
        assert isinstance(completion, float) and 0 <= completion <= 1

    # the council summary: rates as percentages (numbers), domains and cities by name
    cells = _cells(answers["summary.xlsx"].content)
    rates = [c for c in cells if c.number_format == "0.00%" and c.value is not None]
    assert rates and all(isinstance(c.value, (int, float)) for c in rates)

    # the clearing statement: amounts numeric and exact
    cells = _cells(answers["statement.xlsx"].content)
    net = next(c for c in cells if c.column == 1 and c.value == "净额 Net (元)")
    net_value = cells[cells.index(net) + 1]
    assert net_value.number_format == "#,##0.00" and round(net_value.value * 100) == position.net_fen

    # the park statement: named items, tax in yuan with 2 decimals
    rows = _sheet_values(answers["park.xlsx"].content)
    assert {r[1] for r in rows[1:]} <= {"地方税收（元）", "GDP 统计（元）", "土地指标（平方米）"}
    assert all(isinstance(r[3], (int, float)) for r in rows[1:])

    # the policy comparison: amounts as numbers; its "differs" column names fields, never field codes
    rows = _sheet_values(answers["topic.xlsx"].content)
    assert all(r[2] is None or isinstance(r[2], (int, float)) for r in rows[1:])
    assert not any("_fen" in str(v) or "duration_months" in str(v) for r in rows for v in r)

    # no cell that a reader reads holds a bare city code where the city has a name (the import columns of the
    # standards and indicators files keep their codes so that those files import back; their names sit beside them)
    for kind in ("notices.xlsx", "assessment.xlsx", "summary.xlsx", "statement.xlsx", "park.xlsx", "topic.xlsx"):
        values = {str(v).strip() for row in _sheet_values(answers[kind].content) for v in row if v is not None}
        assert not values & codes, (kind, values & codes)
    for kind in ("recognitions.xlsx", "limits.xlsx"):
        rows = _sheet_values(answers[kind].content)
        names = {v for row in rows[1:] for v in row}
        assert names & set(City.objects.values_list("name_zh", flat=True)), kind
    rows = _sheet_values(answers["structure.xlsx"].content)
    assert rows[1:] and not {rows[i][0] for i in range(1, len(rows))} & codes

    # the Word files name cities, never their codes alone
    for kind in ("statement.docx", "park.docx", "notices.docx"):
        text = _docx_text(answers[kind].content)
        assert any(c.name_zh in text for c in City.objects.all()), kind
    text = _docx_text(answers["notices.docx"].content)
    assert "/" not in text.split("出资比例 Share", 1)[1].split("\n", 2)[1]  # a percentage, not 1193/10000


@pytest.mark.django_db(transaction=False)
def test_every_page_with_a_table_offers_it_as_excel_with_its_filters(browser_client, reference):
    # given the city list (a table of the member cities), filtered as a reader filters it
    client = browser_client("office")
    page = client.get("/indicators/?year=2019")
    html = page.content.decode()
    assert page.status_code == 200 and "<table" in html
    # then the page links to its own tables as Excel, keeping the filter
    link = html.split('data-testid="table-excel"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    assert "export=xlsx" in link and "year=2019" in link
    # and that link answers a workbook of what the tables show: figures as numbers, cities by name
    response = client.get(link.replace("&amp;", "&"))
    assert response["Content-Type"] == XLSX and _filename(response).endswith(".xlsx")
    values = [v for row in _sheet_values(response.content) for v in row if v is not None]
    assert any(isinstance(v, (int, float)) for v in values)
    assert any(name in values for name in City.objects.values_list("name_zh", flat=True))


@pytest.mark.django_db(transaction=False)
def test_page_tables_become_typed_cells():
    html = (
        "<html><body><table><tr><td>outside main</td></tr></table><main><table aria-label='Net positions'>"
        "<thead><tr><th>城市</th><th>净额</th><th>占比</th><th>人数</th></tr></thead><tbody>"
        "<tr><td>苏州</td><td data-fen='-123456'>-1,234.56</td><td>12.5%</td><td>38,155</td></tr>"
        "</tbody></table></main></body></html>"
    )
    out = io.BytesIO()
    assert downloads.page_tables_xlsx(html, out) == 1
    wb = load_workbook(io.BytesIO(out.getvalue()))
    ws = wb.active
    assert ws.title == "Net positions"
    assert [c.value for c in ws[1]] == ["城市", "净额", "占比", "人数"]
    row = ws[2]
    assert row[0].value == "苏州" and row[1].value == -1234.56 and row[1].number_format == "#,##0.00"
    assert row[2].value == 0.125 and row[2].number_format == "0.00%" and row[3].value == 38155


@pytest.mark.django_db(transaction=False)
def test_page_tables_as_csv_read_back_in_excel_order():
    import csv

    html = (
        "<main><table><tr><th>城市</th><th>净额</th><th>说明</th></tr>"
        "<tr><td>苏州</td><td data-fen='123456'>1,234.56</td><td>=HYPERLINK(\"x\")</td></tr></table></main>"
    )
    text = downloads.page_tables_csv(html)
    assert text.startswith("\ufeff")  # Excel opens the Chinese as UTF-8
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["城市", "净额", "说明"], ["苏州", "1234.56", '\'=HYPERLINK("x")']]
