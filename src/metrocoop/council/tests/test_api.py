"""The routine API tests of every council model (core.testing.ModelAPITestCases) and the custom endpoints."""

import pytest

from metrocoop.core.models import City
from metrocoop.core.testing import ModelAPITestCases, OfficeAPITestCases, snapshot
from metrocoop.council.models import (
    PlanArticle,
    PlanDocument,
    ProgressReport,
    Vote,
)
from metrocoop.council.tests import helpers as h

pytestmark = pytest.mark.django_db


class TestCouncilAPI(OfficeAPITestCases):
    basename = "council-council"
    methods = {"list", "retrieve"}

    def make_row(self, reference):
        return h.council()


class TestCouncilSeatAPI(ModelAPITestCases):
    basename = "council-seat"
    methods = {"list", "retrieve"}

    def make_row(self, reference):
        return h.council().seats.get(city__code="SZ")


class TestMeetingAPI(OfficeAPITestCases):
    basename = "council-meeting"

    def make_row(self, reference):
        return h.make_meeting(h.council(), h.users())

    def create_payload(self, reference):
        return {
            "council": h.council().pk,
            "kind": "office",
            "title": "办公室调度会",
            "held_on": "2026-03-02",
            "agenda": ["通报进展"],
            "attendees": ["liaison-sz"],
        }

    def update_payload(self, row):
        return {"minutes": "会议纪要"}


class TestResolutionAPI(OfficeAPITestCases):
    basename = "council-resolution"
    methods = {"list", "retrieve", "create"}
    anonymous_reads = False  # an open resolution is not public until decided

    def make_row(self, reference):
        return h.open_resolution()

    def create_payload(self, reference):
        return {"meeting": h.make_meeting(h.council(), h.users()).pk, "title": "关于设立专题合作组的决议"}


class TestVoteAPI(ModelAPITestCases):
    basename = "council-vote"
    methods = {"list", "retrieve"}
    anonymous_reads = False

    def make_row(self, reference):
        resolution = h.open_resolution()
        h.vote_all(resolution, ["SZ"])
        return resolution.votes.get()


class TestAnnualPlanAPI(OfficeAPITestCases):
    basename = "council-plan"
    methods = {"list", "retrieve", "create", "partial_update"}
    anonymous_reads = False  # a draft is not public

    def make_row(self, reference):
        return h.draft_plan()

    def create_payload(self, reference):
        return {"council": h.council().pk, "year": 2031, "title": "2031年度工作计划"}

    def update_payload(self, row):
        return {"title": "2030年度工作计划（修订）"}


class TestWorkItemAPI(ModelAPITestCases):
    basename = "council-item"
    anonymous_reads = False

    def make_row(self, reference):
        return h.draft_item("SZ")

    def create_payload(self, reference):
        return {
            "plan": h.draft_plan().pk,
            "title": "区域招商信息沟通机制",
            "domain": "commerce",
            "lead_city": "SZ",
            "deadline": "2030-12-31",
            "participating_cities": ["WX"],
        }

    def update_payload(self, row):
        return {"title": "区域招商信息沟通机制（调整）"}


class TestProgressReportAPI(ModelAPITestCases):
    basename = "council-report"
    methods = {"list", "retrieve", "create", "partial_update"}
    anonymous_reads = False

    def make_row(self, reference):
        return h.pending_report(1)

    def create_payload(self, reference):
        item = h.running_plan().items.get(lead_city__code="SZ")
        return {"item": item.pk, "city": "SZ", "quarter": 2, "percent_complete": 55, "narrative": "二季度"}

    def update_payload(self, row):
        return {"narrative": "补充佐证后重新报送"}


class TestAnnualSummaryAPI(OfficeAPITestCases):
    basename = "council-summary"
    methods = {"list", "retrieve", "partial_update"}
    anonymous_reads = False  # not published

    def make_row(self, reference):
        return h.draft_plan().summary

    def update_payload(self, row):
        return {"introduction": "总体进展顺利。"}


class TestPlanDocumentAPI(OfficeAPITestCases):
    basename = "council-plan-document"

    def make_row(self, reference):
        return PlanDocument.objects.create(kind="spatial", title="上海大都市圈空间协同规划")

    def create_payload(self, reference):
        return {"kind": "master", "title": "苏州市国土空间总体规划", "city": "SZ", "period": "2021—2035"}

    def update_payload(self, row):
        return {"period": "2022—2035"}


class TestPlanArticleAPI(OfficeAPITestCases):
    basename = "council-plan-article"

    def _doc(self):
        return PlanDocument.objects.first() or PlanDocument.objects.create(kind="spatial", title="空间协同规划")

    def make_row(self, reference):
        return PlanArticle.objects.create(document=self._doc(), number="第3.1条", title="跨界河湖联保")

    def create_payload(self, reference):
        return {"document": self._doc().pk, "number": "第4.2条", "title": "跨江跨海通道"}

    def update_payload(self, row):
        return {"title": "共保跨界生态网络"}


# --- custom endpoints -------------------------------------------------------------------------------------------


def test_vote_endpoint_permission_matrix(api, reference):
    # given an open resolution
    resolution = h.open_resolution()
    url = f"/api/council/resolutions/{resolution.pk}/vote/"
    # when the office or another city's liaison votes for SZ, or anonymous does: refused, nothing changes
    before = snapshot(Vote)
    assert api("office").post(url, {"city": "SZ", "choice": "yes"}, format="json").status_code == 403
    assert api("liaison-wx").post(url, {"city": "SZ", "choice": "yes"}, format="json").status_code == 403
    assert api(None).post(url, {"city": "SZ", "choice": "yes"}, format="json").status_code in (401, 403)
    assert snapshot(Vote) == before
    # when SZ's liaison votes: recorded; a second vote is a 409 and changes nothing
    assert api("liaison-sz").post(url, {"city": "SZ", "choice": "yes"}, format="json").status_code == 201
    before = snapshot(Vote)
    response = api("liaison-sz").post(url, {"city": "SZ", "choice": "no"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert snapshot(Vote) == before


def test_decide_and_review_endpoints(api, reference):
    # given a plan put to a vote and every city in favour
    plan = h.submitted_plan()
    resolution = h.open_resolution(plan)
    h.vote_all(resolution)
    # when a liaison tries to decide: refused; when the office decides: passed, plan approved
    assert api("liaison-sz").post(f"/api/council/resolutions/{resolution.pk}/decide/").status_code == 403
    response = api("office").post(f"/api/council/resolutions/{resolution.pk}/decide/")
    assert response.status_code == 200 and response.json()["outcome"] == "passed"
    plan.refresh_from_db()
    assert plan.status == "approved"
    # and a report reviewed: a liaison may not, the office returns it with a comment
    report = h.pending_report()
    url = f"/api/council/reports/{report.pk}/review/"
    before = snapshot(ProgressReport)
    assert api("liaison-sz").post(url, {"accept": True}, format="json").status_code == 403
    assert api("office").post(url, {"accept": False}, format="json").status_code == 400  # no comment
    assert snapshot(ProgressReport) == before
    response = api("office").post(url, {"accept": False, "comment": "请补充佐证"}, format="json")
    assert response.status_code == 200 and response.json()["review_status"] == "returned"


def test_board_figures_and_performance_endpoints(api, reference):
    report = h.pending_report()
    plan = report.item.plan
    assert api(None).get("/api/council/board/").status_code in (401, 403)
    assert api("public").get("/api/council/board/").status_code == 403
    assert api("office").get("/api/council/board/").status_code == 200
    assert api("liaison-sz").get("/api/council/board/").status_code == 200
    figures = api("office").get(f"/api/council/plans/{plan.pk}/figures/").json()
    assert figures["totals"]["items"] == 1
    performance = api("office").get(f"/api/council/performance/?year={plan.year}").json()
    assert performance[0]["city"] == "SZ" and performance[0]["items_led"] == 1


def test_lists_are_query_bounded(api, reference, django_assert_max_num_queries):
    h.pending_report()
    h.draft_item("WX")
    for url in ("/api/council/items/", "/api/council/reports/", "/api/council/resolutions/", "/api/council/plans/"):
        with django_assert_max_num_queries(12):
            assert api("office").get(url).status_code == 200


def test_city_codes_resolve(reference):
    assert City.objects.filter(code="SZ").exists()


def test_evidence_upload_endpoint(api, reference):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from metrocoop.core.models import Attachment

    report = h.pending_report()
    url = f"/api/council/reports/{report.pk}/evidence/"
    before = snapshot(Attachment)
    response = api("liaison-wx").post(url, {"file": SimpleUploadedFile("x.pdf", b"x")}, format="multipart")
    assert response.status_code == 404 and snapshot(Attachment) == before
    response = api("liaison-sz").post(url, {"file": SimpleUploadedFile("签约文件.pdf", b"%PDF")}, format="multipart")
    assert response.status_code == 201, response.content
    listed = api("office").get(url).json()
    assert [a["name"] for a in listed] == ["签约文件.pdf"]
