"""Reads that feed the engines: ORM rows in, the engine's plain data out (engine.ItemFacts, engine.ReportFacts).

These read the whole year regardless of who asks (a summary or a board must count every report); pages decide who
may see the result through core.permissions and show a liaison only its own city's rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone

from metrocoop.core.api import caching
from metrocoop.council import engine
from metrocoop.council.choices import PlanStatus, ReviewStatus
from metrocoop.council.models import AnnualPlan, PlanArticle, ProgressReport, WorkItem


def summary_as_of(plan: AnnualPlan, today: date | None = None) -> date:
    """The day a plan's items are judged on: the day after the year when it is over or the plan closed, else today."""
    year_end = date(plan.year + 1, 1, 1)
    today = today or timezone.localdate()
    return year_end if plan.status == PlanStatus.CLOSED else min(today, year_end)


def latest_lead_reports(plan: AnnualPlan) -> dict[int, tuple[int, Decimal | None]]:
    """Per item, (percent complete, KPI actual) of the lead city's latest report of the plan year that was not
    returned. Plain rows: a plan of hundreds of items has a thousand reports."""
    reports = (
        ProgressReport.objects.filter(item__plan=plan, year=plan.year, city_id=F("item__lead_city_id"))
        .exclude(review_status=ReviewStatus.RETURNED)
        .order_by("quarter", "id")
        .values_list("item_id", "percent_complete", "kpi_actual")
    )
    return {item_id: (percent, kpi) for item_id, percent, kpi in reports}


def item_facts(plan: AnnualPlan, items: list[WorkItem] | None = None) -> list[engine.ItemFacts]:
    latest = latest_lead_reports(plan)
    if items is None:  # plain rows, not model instances: a plan has hundreds of items
        fields = ("id", "title", "domain", "lead_city__code", "deadline", "weight", "parent_id")
        rows = plan.items.values_list(*fields, "target_value", "completed_on")
    else:
        rows = [
            (
                i.pk,
                i.title,
                i.domain,
                i.lead_city.code,
                i.deadline,
                i.weight,
                i.parent_id,
                i.target_value,
                i.completed_on,
            )
            for i in items
        ]
    facts = []
    for pk, title, domain, lead_city, deadline, weight, parent_id, target_value, completed_on in rows:
        percent, kpi_actual = latest.get(pk, (None, None))
        facts.append(
            engine.ItemFacts(
                id=pk,
                title=title,
                domain=domain,
                lead_city=lead_city,
                deadline=deadline,
                weight=weight,
                parent_id=parent_id,
                percent=float(percent) if percent is not None else 0.0,
                reported=pk in latest,
                target_value=target_value,
                kpi_actual=kpi_actual,
                completed_on=completed_on,
            )
        )
    return facts


def report_facts(plan: AnnualPlan) -> list[engine.ReportFacts]:
    """Lead cities' reports of the plan year, for timeliness."""
    rows = ProgressReport.objects.filter(item__plan=plan, year=plan.year, city_id=F("item__lead_city_id")).values_list(
        "item_id", "city__code", "quarter", "submitted_at", "review_status"
    )
    return [
        engine.ReportFacts(
            item_id=item_id,
            city=city,
            quarter=quarter,
            submitted_on=timezone.localtime(submitted_at).date(),
            returned=review_status == ReviewStatus.RETURNED,
        )
        for item_id, city, quarter, submitted_at, review_status in rows
    ]


def city_performance_for_year(year: int, as_of: date | None = None) -> dict[str, engine.CityPerformance]:
    """What the funds app's assessment reads: per lead city, completion and timeliness of the year's plan."""
    plan = AnnualPlan.objects.filter(year=year).exclude(status__in=[PlanStatus.DRAFT, PlanStatus.SUBMITTED]).first()
    if plan is None:
        return {}
    return engine.city_performance(year, item_facts(plan), report_facts(plan), as_of or summary_as_of(plan))


@dataclass
class BoardRow:
    kind: str  # overdue_item | late_report | returned_report
    item: WorkItem
    city_code: str
    domain: str
    quarter: int | None = None
    report: ProgressReport | None = None
    detail: str = ""


@dataclass(frozen=True)
class BoardEntry:
    """A row of the board as plain data (what the board page shows): BoardRow without model instances."""

    kind: str  # overdue_item | late_report | returned_report
    item_id: int
    item: str  # the item as it is written: its code and title
    city_code: str
    domain: str
    quarter: int | None = None
    report_id: int | None = None
    detail: str = ""


def board_entries(as_of: date | None = None) -> list[BoardEntry]:
    """Overdue items, late (missing or submitted after the due day) lead reports and returned reports awaiting
    resubmission, over every plan in progress. Plain rows, no model instances: a plan has hundreds of items and a
    thousand reports; only the late ones are read, found by the database."""
    as_of = as_of or timezone.localdate()
    tz = timezone.get_current_timezone()
    rows: list[BoardEntry] = []
    for plan in AnnualPlan.objects.filter(status=PlanStatus.IN_PROGRESS):
        items = plan.items.values_list("id", "code", "title", "domain", "lead_city__code", "deadline", "parent_id")
        rolled = engine.rollup(item_facts(plan))
        lead_reports = ProgressReport.objects.filter(item__plan=plan, year=plan.year, city_id=F("item__lead_city_id"))
        reported = set(lead_reports.values_list("item_id", "quarter"))
        due = [(q, engine.report_due(plan.year, q)) for q in engine.quarters_due(plan.year, as_of)]
        late: dict[tuple[int, int], int] = {}  # (item, quarter) -> report
        if due:  # submitted after its due day (local time), i.e. at or after the start of the next day there
            after_due = Q()
            for q, day in due:
                after_due |= Q(quarter=q, submitted_at__gte=datetime.combine(day + timedelta(days=1), time.min, tz))
            late = {(i, q): pk for pk, i, q in lead_reports.filter(after_due).values_list("pk", "item_id", "quarter")}
        items = list(items)
        parents = {parent_id for *_, parent_id in items if parent_id}
        labels: dict[int, tuple[str, str]] = {}  # item -> (its code and title, its domain)
        for pk, code, title, domain, city, deadline, _parent in items:
            label = labels[pk] = (f"{code} {title}".strip(), domain)  # as WorkItem.__str__ writes it
            if as_of > deadline and rolled[pk].percent < 100:
                rows.append(BoardEntry("overdue_item", pk, label[0], city, domain, detail=f"{rolled[pk].percent:g}%"))
            if pk in parents:
                continue
            for q, due_day in due:
                if (pk, q) not in reported:
                    rows.append(
                        BoardEntry("late_report", pk, label[0], city, domain, q, None, f"未报送 missing, due {due_day}")
                    )
                elif (pk, q) in late:
                    detail = f"逾期报送 late, due {due_day}"
                    rows.append(BoardEntry("late_report", pk, label[0], city, domain, q, late[(pk, q)], detail))
        returned = ProgressReport.objects.filter(item__plan=plan, year=plan.year, review_status=ReviewStatus.RETURNED)
        for pk, item_id, city, quarter, comment in returned.values_list(
            "pk", "item_id", "city__code", "quarter", "review_comment"
        ):
            label, domain = labels[item_id]
            rows.append(BoardEntry("returned_report", item_id, label, city, domain, quarter, pk, comment))
    return rows


def board_rows(as_of: date | None = None) -> list[BoardRow]:
    """`board_entries` with their work items and reports as model instances (each item with its plan and lead city,
    one instance per plan and per city), for whoever acts on them (the reminders, the API)."""
    entries = board_entries(as_of)
    items = WorkItem.objects.prefetch_related("plan", "lead_city").in_bulk({e.item_id for e in entries})
    reports = ProgressReport.objects.in_bulk({e.report_id for e in entries if e.report_id is not None})
    return [
        BoardRow(
            e.kind,
            items[e.item_id],
            e.city_code,
            e.domain,
            e.quarter,
            reports[e.report_id] if e.report_id is not None else None,
            e.detail,
        )
        for e in entries
    ]


def board_counts(rows: list[BoardRow]) -> dict[str, dict[str, dict[str, int]]]:
    """{"by_city": {city: {kind: n}}, "by_domain": {domain: {kind: n}}}."""
    out: dict[str, dict[str, dict[str, int]]] = {"by_city": {}, "by_domain": {}}
    for r in rows:
        for key, value in (("by_city", r.city_code), ("by_domain", r.domain)):
            bucket = out[key].setdefault(value, {"overdue_item": 0, "late_report": 0, "returned_report": 0})
            bucket[r.kind] += 1
    return out


def alignment() -> dict:
    """Every plan article with the work items implementing it, and the articles no item serves."""
    articles = list(PlanArticle.objects.select_related("document__city").prefetch_related("work_items__plan"))
    links = [(i.pk, a.pk) for a in articles for i in a.work_items.all()]
    unserved = set(engine.unserved_articles([a.pk for a in articles], links))
    return {"articles": articles, "unserved": unserved}


def cached_board_rows() -> list[BoardRow]:
    """`board_rows()` of today, from the cache until a council write (core.api.caching invalidates it)."""
    today = timezone.localdate()
    return caching.cached_view_data("council", f"board:{today.isoformat()}", lambda: board_rows(today))


def cached_city_performance(year: int) -> dict[str, engine.CityPerformance]:
    today = timezone.localdate()
    return caching.cached_view_data(
        "council", f"performance:{year}:{today.isoformat()}", lambda: city_performance_for_year(year)
    )
