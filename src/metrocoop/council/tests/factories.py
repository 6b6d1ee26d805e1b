"""Helpers the council tests share: a council with nine seats and a plan walked through the services."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from metrocoop.core.choices import Domain
from metrocoop.council import services
from metrocoop.council.models import AnnualPlan, Council, Meeting, WorkItem

SHANGHAI = ZoneInfo("Asia/Shanghai")
MEMBERS = ("SH", "SZ", "WX", "CZ", "NT", "NB", "JX", "HZ", "ZS")


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 10, 0, tzinfo=SHANGHAI)


def make_council(demo_users, *, quorum_share=Fraction(2, 3), unanimous=False) -> Council:
    return services.do_set_up_council(
        name_zh="上海大都市圈发展理事会",
        name_en="Shanghai Metropolitan Area Development Council",
        rules={
            "quorum_share": Decimal(str(round(float(quorum_share), 3))),
            "majority_share": Decimal("0.5"),
            "plan_approval_unanimous": unanimous,
        },
        representatives={c: demo_users[f"liaison-{c.lower()}"] for c in MEMBERS},
        actor=demo_users["office"],
    )


def make_meeting(council, demo_users, held_on=date(2025, 1, 20)) -> Meeting:
    return services.do_create_meeting(
        council,
        {"kind": "plenary", "title": "理事会全体会议", "held_on": held_on, "agenda": ["审议年度工作计划"]},
        actor=demo_users["office"],
    )


def add_item(
    plan: AnnualPlan,
    reference,
    demo_users,
    *,
    lead="SZ",
    title="异地就医门诊结算",
    domain=Domain.MEDICAL_INSURANCE,
    deadline=date(2025, 12, 31),
    weight=1,
    parent=None,
    target=Decimal("100"),
    joins=(),
) -> WorkItem:
    return services.do_add_work_item(
        plan,
        {
            "title": title,
            "domain": domain,
            "lead_city": reference[lead],
            "deadline": deadline,
            "weight": weight,
            "parent": parent,
            "kpi": "覆盖率",
            "unit": "%",
            "target_value": target,
            "participating_cities": [reference[c] for c in joins],
        },
        actor=demo_users["office"],
    )


def approve(plan: AnnualPlan, council, demo_users, held_on=date(2025, 1, 20)):
    services.do_submit_plan(plan, actor=demo_users["office"])
    meeting = make_meeting(council, demo_users, held_on)
    resolution = services.do_propose_resolution(
        meeting, title="审议通过年度计划", plan=plan, actor=demo_users["office"]
    )
    for code in MEMBERS:
        services.do_cast_vote(resolution, _city(code), "yes", actor=demo_users[f"liaison-{code.lower()}"])
    return services.do_decide_resolution(resolution, actor=demo_users["office"])


def _city(code):
    from metrocoop.core.models import City

    return City.objects.get(code=code)
