"""Demo data of the funds: rules, contributions (with arrears), projects through every stage, an assessment.

Idempotent: every step looks for what an earlier run made. Amounts are illustrative, not from the paper; the
contribution bases are the paper's 表1 (2019).
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from metrocoop.core.models import City, User
from metrocoop.funds import services
from metrocoop.funds.choices import FundKind, ProjectCategory, ProjectStatus
from metrocoop.funds.models import ContributionNotice, Project

YI = 100_000_000 * 100  # 1 亿元 in fen
WAN = 10_000 * 100  # 1 万元 in fen

PROJECTS = (
    ("沪苏湖铁路沿线站城融合配套工程", ProjectCategory.TRANSPORT, "SH", ["SZ", "HZ"], 3 * YI, "approve"),
    ("太浦河清水走廊联保共治工程", ProjectCategory.WATER, "SZ", ["SH", "JX"], 2 * YI, "approve"),
    ("沪甬跨海通道前期研究", ProjectCategory.CORRIDOR, "NB", ["SH", "ZS"], 8000 * WAN, "review"),
    ("环淀山湖生态廊道贯通工程", ProjectCategory.ECOLOGY, "SH", ["SZ"], 1.5 * YI, "review"),
    ("大都市圈异地就医一站式服务平台", ProjectCategory.PUBLIC_SERVICE, "NT", [], 3000 * WAN, "submitted"),
)

# The investment fund's contribution rule: 10 亿元 shared out by the 2019 bases, each city between 3000 万 and 3 亿.
INVESTMENT_CONTRIBUTION = {
    "target_fen": 10 * YI,
    "basis_year": 2019,
    "base_weight": "0.2",
    "gdp_weight": "0.4",
    "revenue_weight": "0.4",
    "floor_fen": 3000 * WAN,
    "cap_fen": 3 * YI,
}


def _rules(year: int) -> dict:
    return {
        FundKind.INVESTMENT: {
            "contribution": INVESTMENT_CONTRIBUTION,
            "projects": {"max_request_fen": 5 * YI, "min_cities": 1},
        },
        FundKind.REWARD: {
            "contribution": {
                "target_fen": 2 * YI,
                "basis_year": 2019,
                "base_weight": "0.3",
                "gdp_weight": "0.3",
                "revenue_weight": "0.4",
                "floor_fen": 500 * WAN,
            },
            "assessment": {
                "weights": {"completion": "0.45", "timeliness": "0.25", "quality": "0.3"},
                "unrated_quality": "0.6",
                "payout": {
                    "reward_pool_fen": 6000 * WAN,
                    "reward_shares": [5, 3, 2],
                    "compensation_threshold": 60,
                    "compensation_per_point_fen": 20 * WAN,
                    "compensation_cap_fen": 500 * WAN,
                },
                "assistance": {
                    "pool_fen": 8000 * WAN,
                    "threshold_share": "0.8",
                    "gap_share": "0.5",
                    # revenue in 亿元 and population in 万人: (亿元/万人) × 万人 = 亿元 → fen
                    "fen_per_unit": YI,
                },
            },
        },
    }


def load() -> str:
    office = User.objects.get(username="office")
    funds = services.ensure_funds()
    year = timezone.localdate().year
    cities = {c.code: c for c in City.objects.all()}
    for kind, rule in _rules(year).items():
        fund = funds[kind]
        if services.rule_in_force(fund, year) is None:
            services.do_set_rule(fund, year, note="示范规则 demo rule", actor=office, **rule)
        call = services.do_issue_call(fund, year, due_on=date(year, 6, 30), actor=office)
        for notice in ContributionNotice.objects.filter(call=call).select_related("city", "call__fund"):
            # most cities pay in full; 湖州 pays half and 舟山 nothing yet, so arrears show
            share = {"HZ": 0.5, "ZS": 0.0}.get(notice.city.code, 1.0)
            amount = int(notice.amount_fen * share)
            if amount and notice.paid_fen == 0:
                services.do_record_payment(
                    notice, amount_fen=amount, paid_on=date(year, 5, 20), reference=f"DEMO-{notice.pk}", actor=office
                )
    investment = funds[FundKind.INVESTMENT]
    experts = {u.username: u for u in User.objects.filter(username__in=["expert", "expert-sh", "expert-nb"])}
    resolution = _passed_resolution()
    for title, category, lead, partners, requested, stage in PROJECTS:
        project = Project.objects.filter(fund=investment, title=title).first()
        if project is None:
            liaison = User.objects.get(username=f"liaison-{lead.lower()}")
            project = services.do_submit_project(
                investment,
                title=title,
                category=category,
                lead_city=cities[lead],
                partner_cities=[cities[c] for c in partners],
                requested_fen=int(requested),
                description=f"{title}：跨区域合作项目（示范数据）。",
                actor=liaison,
            )
        if stage == "submitted":
            continue
        if project.status == ProjectStatus.SUBMITTED:
            services.do_check_eligibility(project, actor=office)
        for username, expert in sorted(experts.items()):
            if project.status != ProjectStatus.UNDER_REVIEW or project.reviews.filter(expert=expert).exists():
                continue
            if services.expert_cities(expert) & project.applicant_city_ids():
                continue  # conflict of interest
            base = 70 + (len(title) + len(username)) % 20
            scores = {c: min(100, base + i * 3) for i, c in enumerate(services.CRITERIA)}
            services.do_review_project(project, scores=scores, comment="示范评审意见。", actor=expert)
        if stage == "approve" and project.status == ProjectStatus.UNDER_REVIEW and resolution is not None:
            amount = int(requested * 0.8)
            first = amount // 2
            services.do_decide_project(
                project,
                resolution=resolution,
                approve=True,
                approved_fen=amount,
                tranches=[(first, "开工建设 construction starts"), (amount - first, "主体完工 main works done")],
                actor=office,
            )
            tranche = project.tranches.order_by("sequence").first()
            if tranche.milestone_met_on is None:
                services.do_mark_milestone(tranche, met_on=date(year, 7, 1), actor=office)
            services.do_disburse_tranche(tranche, actor=office)
    cycle = services.do_open_cycle(funds[FundKind.REWARD], year, actor=office)
    _rate_work_items(cycle, experts.get("expert"))
    return f"2 funds, {Project.objects.count()} projects, assessment {cycle.year} ({cycle.get_status_display()})"


def _passed_resolution():
    from metrocoop.council.models import Resolution

    return Resolution.objects.filter(outcome="passed").order_by("id").first()


def _rate_work_items(cycle, expert) -> None:
    """The expert rates the quality of the top-level work items of the year (illustrative ratings 2–5)."""
    from metrocoop.council.models import WorkItem

    if expert is None:
        return
    items = WorkItem.objects.filter(plan__year=cycle.year, parent__isnull=True).order_by("id")
    for i, item in enumerate(items):
        if not item.quality_ratings.filter(cycle=cycle, expert=expert).exists():
            services.do_rate_quality(cycle, item, rating=2 + (i * 7 + item.lead_city_id) % 4, actor=expert)
