"""The demo data, the daily reminder and the summary command."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from metrocoop.core.models import Notification
from metrocoop.council import demo_data, engine
from metrocoop.council.models import AnnualPlan, ProgressReport, Resolution, WorkItem
from metrocoop.council.summary import read_docx_tables

pytestmark = pytest.mark.django_db


def test_demo_holds_about_30_items_and_a_year_of_reports(reference, tmp_path):
    # given the demo loaded twice (idempotent)
    demo_data.load()
    again = demo_data.load()
    year = timezone.localdate().year
    plan = AnnualPlan.objects.get(year=year)
    # then this year's plan holds about 30 items across every member city, approved by a vote
    items = WorkItem.objects.filter(plan=plan)
    assert 28 <= items.count() <= 40 and "already loaded" in again
    assert items.values("lead_city").distinct().count() == 9
    assert items.values("domain").distinct().count() >= 7
    assert plan.status == "in_progress" and plan.approved_by.outcome == "passed"
    assert plan.approved_by.votes.count() == 9
    # and reports for every quarter due so far, some late and some returned
    due = engine.quarters_due(year, timezone.localdate())
    quarters = set(ProgressReport.objects.filter(item__plan=plan).values_list("quarter", flat=True))
    assert quarters == set(due)
    assert ProgressReport.objects.filter(item__plan=plan, review_status="returned").exists()
    # and last year's plan is closed with a published summary; its unfinished items were carried over
    prev = AnnualPlan.objects.get(year=year - 1)
    assert prev.status == "closed" and prev.summary.published
    assert set(ProgressReport.objects.filter(item__plan=prev).values_list("quarter", flat=True)) == {1, 2, 3, 4}
    assert items.filter(carried_from__plan=prev).exists()
    assert Resolution.objects.filter(outcome="passed").count() == 2

    # when the reminders run twice on the same day
    out = StringIO()
    call_command("council", "remind", "--json", stdout=out)
    first = json.loads(out.getvalue())
    count = Notification.objects.count()
    out = StringIO()
    call_command("council", "remind", "--json", stdout=out)
    # then the second run adds nothing
    assert sum(first.values()) > 0 and sum(json.loads(out.getvalue()).values()) == 0
    assert Notification.objects.count() == count

    # and the Word summary of last year opens and holds the generated figures
    path = tmp_path / "summary.docx"
    out = StringIO()
    call_command("council", "summary", "--year", str(year - 1), "--docx", str(path), "--json", stdout=out)
    figures = json.loads(out.getvalue())["figures"]
    tables = read_docx_tables(path)
    total = tables[0][-1]
    t = figures["totals"]
    assert total[1:6] == [
        str(t["items"]),
        str(t["completed"]),
        str(t["on_track"]),
        str(t["late"]),
        str(t["not_started"]),
    ]
    assert int(total[1]) == WorkItem.objects.filter(plan=prev, parent__isnull=True).count()
