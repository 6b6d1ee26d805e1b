"""The pages: who sees what, and the forms a person clicks through."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from metrocoop.core.choices import Domain
from metrocoop.core.models import Attachment, Notification, User
from metrocoop.council import services
from metrocoop.council.models import ProgressReport, Vote, WorkItem
from metrocoop.council.tests import helpers as h

pytestmark = pytest.mark.django_db


def test_pages_answer_by_visibility(browser_client, reference):
    # given a draft plan, a plan in progress with a report, and a closed resolution
    draft = h.draft_plan(2030)
    report = h.pending_report()
    running = report.item.plan
    resolution = running.approved_by
    anonymous, office, liaison = browser_client(None), browser_client("office"), browser_client("liaison-sz")
    # then the public sees the approved plan, decided resolutions and the alignment, not drafts nor reports
    assert anonymous.get("/council/").status_code == 200
    assert anonymous.get(f"/council/plans/{running.year}/").status_code == 200
    assert anonymous.get(f"/council/plans/{draft.year}/").status_code == 404
    assert anonymous.get(f"/council/resolutions/{resolution.pk}/").status_code == 200
    assert anonymous.get("/council/alignment/").status_code == 200
    assert anonymous.get("/council/board/").status_code == 302
    assert anonymous.get(f"/council/summaries/{running.year}/").status_code == 404  # not published
    item_page = anonymous.get(f"/council/items/{report.item.pk}/")
    assert item_page.status_code == 200 and "推进中" not in item_page.content.decode()
    # and the office and the liaison see the rest
    for client in (office, liaison):
        assert client.get(f"/council/plans/{draft.year}/").status_code == 200
        assert "推进中" in client.get(f"/council/items/{report.item.pk}/").content.decode()
        assert client.get("/council/board/").status_code == 200
        assert client.get(f"/council/meetings/{resolution.meeting.pk}/").status_code == 200
    assert office.get(f"/council/summaries/{running.year}/").status_code == 200
    for fmt in ("docx", "xlsx"):
        response = office.get(f"/council/summaries/{running.year}/download.{fmt}")
        assert response.status_code == 200 and response.content[:2] == b"PK"


def test_a_liaison_reports_with_evidence_and_the_office_returns_it(browser_client, reference, demo_users):
    item = h.running_plan().items.get(lead_city__code="SZ")
    liaison, office = browser_client("liaison-sz"), browser_client("office")
    evidence = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    response = liaison.post(
        f"/council/items/{item.pk}/report/",
        {"city": reference["SZ"].pk, "quarter": 1, "percent_complete": 40, "narrative": "一季度", "evidence": evidence},
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get(item=item, quarter=1)
    assert Attachment.objects.filter(object_id=str(report.pk)).count() == 1
    office.post(f"/council/reports/{report.pk}/review/", {"decision": "return", "comment": "请补充签约文件"})
    report.refresh_from_db()
    assert report.review_status == "returned"
    assert Notification.objects.filter(recipient=demo_users["liaison-sz"], kind="council.report_returned").exists()


def test_a_liaison_votes_on_the_page(browser_client, reference):
    resolution = h.open_resolution()
    page = browser_client("liaison-sz").get(f"/council/resolutions/{resolution.pk}/")
    assert page.status_code == 200 and b"resolution_vote" not in page.content
    browser_client("liaison-sz").post(
        f"/council/resolutions/{resolution.pk}/vote/", {"city": reference["SZ"].pk, "choice": "yes"}
    )
    browser_client("liaison-sz").post(  # for another city: refused, nothing recorded
        f"/council/resolutions/{resolution.pk}/vote/", {"city": reference["WX"].pk, "choice": "yes"}
    )
    assert list(Vote.objects.filter(resolution=resolution).values_list("city__code", flat=True)) == ["SZ"]


def test_plan_page_queries_are_bounded(browser_client, reference, django_assert_max_num_queries):
    for _ in range(5):
        h.draft_item("SZ")
    client = browser_client("office")
    with django_assert_max_num_queries(40):
        assert client.get("/council/plans/2030/").status_code == 200


def test_the_office_holds_a_meeting_and_proposes_a_resolution_on_the_pages(browser_client, reference):
    council = h.council()
    plan = h.submitted_plan()
    office = browser_client("office")
    assert b"meeting_add" not in browser_client("liaison-sz").get("/council/").content
    response = office.post(
        "/council/meetings/add/",
        {"kind": "plenary", "title": "全体会议", "held_on": "2028-01-20", "agenda": "审议年度计划\n听取汇报"},
    )
    meeting = council.meetings.get(title="全体会议")
    assert response.status_code == 302 and meeting.agenda == ["审议年度计划", "听取汇报"]
    office.post(f"/council/meetings/{meeting.pk}/attach/", {"file": SimpleUploadedFile("纪要.txt", b"minutes")})
    office.post(f"/council/meetings/{meeting.pk}/resolutions/add/", {"title": "审议年度计划", "plan": plan.pk})
    assert meeting.resolutions.get().plan == plan
    assert "纪要.txt" in office.get(f"/council/meetings/{meeting.pk}/").content.decode()
    # a liaison cannot
    before = Attachment.objects.count()
    browser_client("liaison-sz").post(
        f"/council/meetings/{meeting.pk}/attach/", {"file": SimpleUploadedFile("x.txt", b"x")}
    )
    assert Attachment.objects.count() == before


def test_the_plan_table_shows_each_item_as_text_in_the_readers_language(browser_client, reference, demo_users):
    # given a draft plan without items: its table says so
    plan = h.draft_plan(2030)
    office = browser_client("office")
    assert "暂无工作事项。" in office.get("/council/plans/2030/").content.decode()
    # when the office adds an item and a sub-item, and Wuxi's liaison proposes one whose title looks like markup
    parent = h.draft_item("SZ")
    common = {"domain": Domain.MEDICAL_INSURANCE, "deadline": date(2030, 6, 30), "weight": 2}
    services.do_add_work_item(
        plan, {**common, "title": "分项", "lead_city": reference["SZ"], "parent": parent}, actor=h.office()
    )
    services.do_add_work_item(
        plan, {**common, "title": "<b>互认</b> & 结算", "lead_city": reference["WX"]}, actor=demo_users["liaison-wx"]
    )
    page = office.get("/council/plans/2030/").content.decode()
    # then the title is shown as text, the sub-item is marked, the proposing city named, the deadline in Chinese
    assert "&lt;b&gt;互认&lt;/b&gt; &amp; 结算</a>" in page and "<b>互认</b>" not in page
    assert "<td>↳ <a href=" in page and "提出城市 无锡" in page and "<td>2030年6月30日</td>" in page
    # and in English for a reader who chose English
    User.objects.filter(pk=demo_users["office"].pk).update(language="en")
    page = office.get("/council/plans/2030/").content.decode()
    assert "proposed by 无锡" in page and "<td>Wuxi</td>" in page and "<td>June 30, 2030</td>" in page
    assert "Not started" in page and "No work items yet." not in page


def _overdue_plan(n: int, year: int = 2025) -> None:
    """Last year's plan in progress with `n` items led by Suzhou: each overdue, its first quarter reported a month
    late and returned with a comment that looks like markup, its other quarters missing."""
    for k in range(n):
        item = h.draft_item("SZ", year)
        services.do_update_work_item(item, {"code": f"A{k}", "title": f"事项<{k}>"}, actor=h.office())
    plan = h.running_plan(year)
    liaison = User.objects.get(username="liaison-sz")
    for item in plan.items.all():
        report = services.do_submit_report(
            item,
            item.lead_city,
            1,
            percent_complete=10,
            actor=liaison,
            now=datetime(year, 5, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
        )
        services.do_review_report(report, accept=False, comment="请补充<b>签约</b>文件", actor=h.office())


def test_the_board_lists_what_is_overdue_as_text_with_links(browser_client, reference):
    # given last year's item, overdue, its first quarter reported late and returned, three quarters missing
    _overdue_plan(1)
    item = WorkItem.objects.get(plan__year=2025)
    # when the office opens the board
    page = browser_client("office").get("/council/board/").content.decode()
    # then every row names its kind, links the item (its code and title as text), the city, the quarter, the detail
    rows = re.findall(r'<tr><td>(.*?)</td>\n  <td><a href="([^"]*)">(.*?)</a></td><td>(\w*)</td><td>(Q\d)?</td>', page)
    link = (f"/council/items/{item.pk}/", "A0 事项&lt;0&gt;", "SZ")
    assert rows == [
        ("逾期事项", *link, ""),
        ("逾期报告", *link, "Q1"),
        ("逾期报告", *link, "Q2"),
        ("逾期报告", *link, "Q3"),
        ("逾期报告", *link, "Q4"),
        ("退回报告", *link, "Q1"),
    ]
    assert "请补充&lt;b&gt;签约&lt;/b&gt;文件" in page and "未报送 missing, due 2025-10-15" in page
    # and a liaison of another city sees none of them
    assert "事项&lt;0&gt;" not in browser_client("liaison-wx").get("/council/board/").content.decode()


def test_the_boards_queries_do_not_grow_with_the_rows(browser_client, reference, django_assert_max_num_queries):
    # given the number of queries the board costs with one overdue item (and its late and returned reports)
    client = browser_client("office")
    with transaction.atomic():
        _overdue_plan(1)
        with CaptureQueriesContext(connection) as one:
            assert client.get("/council/board/").status_code == 200
        transaction.set_rollback(True)
    # when there are twenty such items
    _overdue_plan(20)
    # then the board costs no more queries, and shows them all
    with django_assert_max_num_queries(len(one)):
        page = client.get("/council/board/").content.decode()
    assert page.count("<tr><td>逾期事项</td>") == 20 and page.count("<tr><td>退回报告</td>") == 20


def test_a_report_is_late_from_the_first_minute_after_its_due_day_in_local_time(browser_client, reference):
    # given two items of last year; Q1 was due on 15 April 2025
    for k in range(2):
        item = h.draft_item("SZ", 2025)
        services.do_update_work_item(item, {"code": f"B{k}"}, actor=h.office())
    plan = h.running_plan(2025)
    shanghai = ZoneInfo("Asia/Shanghai")
    liaison = User.objects.get(username="liaison-sz")
    # when one reports in the last minute of the due day and the other at midnight after it (Shanghai time)
    for code, at in (
        ("B0", datetime(2025, 4, 15, 23, 59, tzinfo=shanghai)),
        ("B1", datetime(2025, 4, 16, tzinfo=shanghai)),
    ):
        services.do_submit_report(
            plan.items.get(code=code), reference["SZ"], 1, percent_complete=10, actor=liaison, now=at
        )
    # then only the second is a late report of Q1 on the board
    page = browser_client("office").get("/council/board/").content.decode()
    late = re.findall(
        r'<tr><td>逾期报告</td>\n  <td><a href="[^"]*">(\w+) .*?<td>(Q\d)</td><td class="small">逾期报送', page
    )
    assert late == [("B1", "Q1")]
