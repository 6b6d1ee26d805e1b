"""Refusals: each leaves nothing changed (core.testing.snapshot of every row and the audit trail)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from metrocoop.core.testing import snapshot
from metrocoop.council import services
from metrocoop.council.models import AnnualPlan, ProgressReport, Resolution, Vote, WorkItem
from metrocoop.council.tests import helpers as h
from metrocoop.council.tests.factories import MEMBERS

pytestmark = pytest.mark.django_db


def _all():
    return [snapshot(m) for m in (AnnualPlan, WorkItem, ProgressReport, Resolution, Vote)]


def test_a_liaison_cannot_report_for_another_city(reference, demo_users, api):
    # given a plan in progress with an item SZ leads (SH joins)
    item = h.running_plan().items.get(lead_city__code="SZ")
    before = _all()
    # when Wuxi's liaison reports for Suzhou, through the service and the API
    with pytest.raises(PermissionDenied):
        services.do_submit_report(item, reference["SZ"], 1, percent_complete=50, actor=demo_users["liaison-wx"])
    response = api("liaison-wx").post(
        "/api/council/reports/", {"item": item.pk, "city": "SZ", "quarter": 1, "percent_complete": 50}, format="json"
    )
    # then refused, nothing changed
    assert response.status_code == 403
    assert _all() == before


def test_a_city_reports_only_on_items_it_leads_or_joins(reference, demo_users):
    item = h.running_plan().items.get(lead_city__code="SZ")
    before = _all()
    with pytest.raises(ValidationError):
        services.do_submit_report(item, reference["WX"], 1, percent_complete=50, actor=demo_users["liaison-wx"])
    assert _all() == before
    # while a participating city may report on its own account
    services.do_submit_report(item, reference["SH"], 1, percent_complete=20, actor=demo_users["liaison-sh"])


def test_an_approved_plan_cannot_be_edited(reference, demo_users, api):
    # given an approved plan
    plan = h.running_plan()
    item = plan.items.get()
    office = demo_users["office"]
    before = _all()
    # when anyone tries to change it: the title, an item, a new item, a deletion
    with pytest.raises(ValidationError):
        services.do_update_plan(plan, {"title": "改名"}, actor=office)
    with pytest.raises(ValidationError):
        services.do_update_work_item(item, {"weight": 5}, actor=office)
    with pytest.raises(ValidationError):
        h.draft_item("SZ", year=plan.year)
    with pytest.raises(ValidationError):
        services.do_delete_work_item(item, actor=office)
    assert api("office").patch(f"/api/council/items/{item.pk}/", {"title": "x"}, format="json").status_code == 400
    assert api("liaison-sz").delete(f"/api/council/items/{item.pk}/").status_code == 400
    # then nothing changed
    assert _all() == before


def test_voting_twice_or_for_another_city_is_refused(reference, demo_users):
    resolution = h.open_resolution()
    h.vote_all(resolution, ["SZ"])
    before = _all()
    # a second vote of the same city, even with another choice
    with pytest.raises(services.AlreadyDone):
        services.do_cast_vote(resolution, reference["SZ"], "no", actor=demo_users["liaison-sz"])
    # Suzhou's liaison voting for Wuxi; the office voting for a city
    with pytest.raises(PermissionDenied):
        services.do_cast_vote(resolution, reference["WX"], "yes", actor=demo_users["liaison-sz"])
    with pytest.raises(PermissionDenied):
        services.do_cast_vote(resolution, reference["WX"], "yes", actor=demo_users["office"])
    assert _all() == before


def test_a_resolution_does_not_pass_without_quorum(reference, demo_users):
    # given a plan put to the council (quorum: two thirds of nine seats = 6) and only five cities voting yes
    plan = h.submitted_plan()
    resolution = h.open_resolution(plan)
    h.vote_all(resolution, MEMBERS[:5])
    before = _all()
    # when the office closes the vote
    with pytest.raises(ValidationError) as exc:
        services.do_decide_resolution(resolution, actor=demo_users["office"])
    # then nothing is decided, the plan is not approved, nothing changed
    assert "5" in str(exc.value) and "6" in str(exc.value)
    assert _all() == before
    plan.refresh_from_db()
    assert plan.status == "submitted" and plan.approved_by is None
    # and with a sixth vote the same resolution passes
    h.vote_all(resolution, MEMBERS[5:6])
    assert services.do_decide_resolution(resolution, actor=demo_users["office"]).outcome == "passed"


def test_unanimity_rule_rejects_a_plan_with_an_abstention(reference, demo_users):
    council = h.council()
    council.plan_approval_unanimous = True
    council.save()
    plan = h.submitted_plan()
    resolution = h.open_resolution(plan)
    assert resolution.requires_unanimity
    h.vote_all(resolution, MEMBERS[:-1])
    h.vote_all(resolution, MEMBERS[-1:], choice="abstain")
    decided = services.do_decide_resolution(resolution, actor=demo_users["office"])
    plan.refresh_from_db()
    assert decided.outcome == "rejected" and plan.status == "submitted"


def test_a_plan_is_approved_only_by_a_resolution(reference, demo_users):
    plan = h.submitted_plan()
    before = _all()
    with pytest.raises(ValidationError):
        services.do_start_plan(plan, actor=demo_users["office"])
    with pytest.raises(ValidationError):
        services.do_close_plan(plan, actor=demo_users["office"])
    assert _all() == before


def test_a_liaison_cannot_propose_an_item_for_another_city(reference, demo_users):
    plan = h.draft_plan()
    before = _all()
    with pytest.raises(PermissionDenied):
        services.do_add_work_item(
            plan,
            {"title": "x", "domain": "transport", "lead_city": reference["WX"], "deadline": date(2030, 6, 30)},
            actor=demo_users["liaison-sz"],
        )
    item = h.draft_item("SZ")
    before = _all()
    with pytest.raises(PermissionDenied):  # nor move its own item into another city
        services.do_update_work_item(item, {"lead_city": reference["WX"]}, actor=demo_users["liaison-sz"])
    assert _all() == before


def test_an_accepted_report_cannot_change_and_a_return_needs_a_comment(reference, demo_users):
    report = h.pending_report()
    before = _all()
    with pytest.raises(ValidationError):
        services.do_review_report(report, accept=False, comment=" ", actor=demo_users["office"])
    with pytest.raises(PermissionDenied):
        services.do_review_report(report, accept=True, actor=demo_users["liaison-sz"])
    assert _all() == before
    services.do_review_report(report, accept=True, actor=demo_users["office"])
    before = _all()
    with pytest.raises(services.AlreadyDone):
        services.do_submit_report(
            report.item, reference["SZ"], 1, percent_complete=90, kpi_actual=Decimal(90), actor=demo_users["liaison-sz"]
        )
    assert _all() == before
