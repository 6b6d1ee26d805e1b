"""Rows for the API and page tests, made through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from metrocoop.core.choices import Domain
from metrocoop.core.models import City, User
from metrocoop.council import services
from metrocoop.council.models import AnnualPlan, Council, ProgressReport, Resolution, WorkItem
from metrocoop.council.tests.factories import MEMBERS, make_council, make_meeting


def users() -> dict[str, User]:
    return {u.username: u for u in User.objects.all()}


def council() -> Council:
    return Council.objects.order_by("id").first() or make_council(users())


def office() -> User:
    return User.objects.get(username="office")


def draft_plan(year: int = 2030) -> AnnualPlan:
    return AnnualPlan.objects.filter(year=year).first() or services.do_create_plan(
        council(), year, f"{year}年度工作计划", actor=office()
    )


def draft_item(lead: str = "SZ", year: int = 2030) -> WorkItem:
    return services.do_add_work_item(
        draft_plan(year),
        {
            "title": "异地就医门诊结算",
            "domain": Domain.MEDICAL_INSURANCE,
            "lead_city": City.objects.get(code=lead),
            "deadline": date(year, 12, 31),
            "kpi": "覆盖率",
            "unit": "%",
            "target_value": Decimal(100),
            "participating_cities": [City.objects.get(code="SH")],
        },
        actor=office(),
    )


def submitted_plan(year: int = 2028) -> AnnualPlan:
    plan = draft_plan(year)
    if not plan.items.exists():
        draft_item("SZ", year)
    return services.do_submit_plan(plan, actor=office())


def open_resolution(plan: AnnualPlan | None = None) -> Resolution:
    meeting = make_meeting(council(), users())
    return services.do_propose_resolution(meeting, title="审议年度计划", plan=plan, actor=office())


def vote_all(resolution: Resolution, codes=MEMBERS, choice: str = "yes") -> None:
    u = users()
    for code in codes:
        services.do_cast_vote(resolution, City.objects.get(code=code), choice, actor=u[f"liaison-{code.lower()}"])


def running_plan(year: int = 2029) -> AnnualPlan:
    """A plan in progress with one item led by SZ (SH joins)."""
    plan = AnnualPlan.objects.filter(year=year).first()
    if plan is not None and plan.status == "in_progress":
        return plan
    plan = submitted_plan(year)
    resolution = open_resolution(plan)
    vote_all(resolution)
    services.do_decide_resolution(resolution, actor=office())
    return services.do_start_plan(plan, actor=office())


def pending_report(quarter: int = 1) -> ProgressReport:
    plan = running_plan()
    item = plan.items.get(lead_city__code="SZ")
    return services.do_submit_report(
        item,
        City.objects.get(code="SZ"),
        quarter,
        percent_complete=30,
        kpi_actual=Decimal(30),
        narrative="推进中",
        actor=User.objects.get(username="liaison-sz"),
    )
