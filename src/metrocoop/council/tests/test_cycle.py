"""The whole council cycle as one story: draft → approve by vote → quarterly reports → close → summary → next year."""

from datetime import date
from decimal import Decimal

import pytest

from metrocoop.core.choices import Domain
from metrocoop.council import services
from metrocoop.council.choices import PlanStatus, ResolutionOutcome
from metrocoop.council.models import AnnualPlan, ProgressReport
from metrocoop.council.summary import build_summary, read_docx_tables, write_docx
from metrocoop.council.tests.factories import MEMBERS, add_item, at, make_council, make_meeting

pytestmark = pytest.mark.django_db


def test_the_whole_cycle(reference, demo_users, tmp_path):
    office = demo_users["office"]
    # given a council of nine seats and a draft plan: the office drafts, a city proposes an item it leads
    council = make_council(demo_users)
    plan = services.do_create_plan(council, 2025, "2025年度工作计划", actor=office)
    done = add_item(plan, reference, demo_users, lead="SZ", title="异地就医门诊结算全覆盖", joins=["SH", "JX"])
    late = add_item(
        plan,
        reference,
        demo_users,
        lead="NB",
        title="沪甬跨海通道前期研究",
        domain=Domain.TRANSPORT,
        deadline=date(2025, 9, 30),
        target=Decimal("1"),
    )
    parent = add_item(plan, reference, demo_users, lead="SH", title="跨界河湖联保", domain=Domain.ECOLOGY, target=None)
    sub_a = add_item(
        plan,
        reference,
        demo_users,
        lead="SH",
        title="淀山湖联合巡河",
        domain=Domain.ECOLOGY,
        parent=parent,
        weight=3,
        target=Decimal("12"),
    )
    sub_b = add_item(
        plan,
        reference,
        demo_users,
        lead="JX",
        title="太浦河水质监测共享",
        domain=Domain.ECOLOGY,
        parent=parent,
        weight=1,
        target=None,
    )
    idle = add_item(
        plan,
        reference,
        demo_users,
        lead="HZ",
        title="G60科创走廊协同",
        domain=Domain.COMMERCE,
        deadline=date(2026, 6, 30),
        target=None,
    )
    proposal = services.do_add_work_item(
        plan,
        {
            "title": "空间协同规划编制",
            "domain": Domain.DEVELOPMENT,
            "lead_city": reference["NT"],
            "deadline": date(2026, 12, 31),
        },
        actor=demo_users["liaison-nt"],
    )
    assert proposal.proposed_by == reference["NT"]

    # when the office submits it and the council approves it by a vote of every city
    services.do_submit_plan(plan, actor=office)
    meeting = make_meeting(council, demo_users)
    resolution = services.do_propose_resolution(meeting, title="审议通过2025年度计划", plan=plan, actor=office)
    for code in MEMBERS:
        choice = "abstain" if code == "ZS" else "yes"
        services.do_cast_vote(resolution, reference[code], choice, actor=demo_users[f"liaison-{code.lower()}"])
    resolution = services.do_decide_resolution(resolution, actor=office)
    plan.refresh_from_db()
    assert resolution.outcome == ResolutionOutcome.PASSED
    assert resolution.tally["yes"] == 8 and resolution.tally["abstain"] == 1
    assert plan.status == PlanStatus.APPROVED and plan.approved_by == resolution
    services.do_start_plan(plan, actor=office)

    # and the cities report quarter by quarter; the office reviews the lead reports
    def report(item, city, q, pct, kpi=None, day=None, review=True):
        r = services.do_submit_report(
            item,
            reference[city],
            q,
            percent_complete=pct,
            kpi_actual=kpi,
            narrative=f"Q{q}",
            actor=demo_users[f"liaison-{city.lower()}"],
            now=day or at(2025, q * 3 + 1 if q < 4 else 12, 10),
        )
        if review and city == item.lead_city.code:
            services.do_review_report(r, accept=True, actor=office)
        return r

    for q, pct in ((1, 20), (2, 50), (3, 80), (4, 100)):
        report(done, "SZ", q, pct, Decimal(pct))
    report(done, "JX", 2, 40)  # a participating city's own report, not reviewed, not counted for the lead
    for q, pct in ((1, 10), (2, 30), (3, 60)):
        report(late, "NB", q, pct, Decimal("0"))
    for q, pct in ((1, 50), (2, 100)):
        report(sub_a, "SH", q, pct, Decimal(6 * q))
    returned = report(sub_b, "JX", 1, 40, review=False)
    services.do_review_report(returned, accept=False, comment="请补充监测数据", actor=office)
    report(sub_b, "JX", 1, 40)  # resubmitted on the same row, then accepted
    report(sub_b, "JX", 2, 60)
    report(proposal, "NT", 1, 10)

    # and the plan is closed
    services.do_close_plan(plan, actor=office)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED

    # then the summary's figures equal the reports
    view = build_summary(plan)
    outcome = {o.id: o for o in view.figures.items}
    assert outcome[done.pk].status == "completed" and outcome[done.pk].percent == 100
    assert outcome[late.pk].status == "late" and outcome[late.pk].percent == 60
    assert outcome[parent.pk].percent == (3 * 100 + 1 * 60) / 4  # sub-items roll up by weight
    assert outcome[parent.pk].status == "late"
    assert outcome[idle.pk].status == "not_started"
    assert outcome[proposal.pk].status == "on_track"
    assert sub_a.pk not in outcome  # sub-items count through their parent
    totals = view.figures.totals.as_dict()
    assert (totals["completed"], totals["late"], totals["not_started"], totals["on_track"]) == (1, 2, 1, 1)
    assert view.figures.by_city["SZ"].as_dict()["kpi_attainment"] == 1.0
    assert view.figures.by_city["NB"].as_dict()["kpi_attainment"] == 0.0
    assert ProgressReport.objects.filter(item__plan=plan).count() == 4 + 1 + 3 + 2 + 2 + 1

    # and the Word summary holds the same figures
    path = write_docx(view, tmp_path / "summary.docx")
    tables = read_docx_tables(path)
    total_row = tables[0][-1]
    assert total_row[0] == "合计 Total" and total_row[1:6] == ["5", "1", "1", "2", "1"]

    # and next year's list carries over exactly the unfinished items, linked to their origin
    nxt, carried = services.do_prepare_next_year(plan, actor=office)
    assert nxt.year == 2026 and nxt.status == PlanStatus.DRAFT and nxt.previous == plan
    assert {i.carried_from_id for i in carried} == {late.pk, parent.pk, sub_b.pk, idle.pk, proposal.pk}
    carried_sub = next(i for i in carried if i.carried_from_id == sub_b.pk)
    assert carried_sub.parent.carried_from_id == parent.pk
    # running it again carries nothing twice
    again, carried_again = services.do_prepare_next_year(plan, actor=office)
    assert again == nxt and nxt.items.count() == 5 and len(carried_again) == 5
    assert AnnualPlan.objects.filter(year=2026).count() == 1
