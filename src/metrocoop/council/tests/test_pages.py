"""The pages: who sees what, and the forms a person clicks through."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from metrocoop.core.models import Attachment, Notification
from metrocoop.council.models import ProgressReport, Vote
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
