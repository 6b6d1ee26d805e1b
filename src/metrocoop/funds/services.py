"""State changes of the funds. Each checks access through core.permissions, runs in one transaction with its audit
entry, and moves money only as ledger transfers with deterministic client ids (so a retry posts nothing twice).

Ledger accounts (debit-normal: balance = Σ debits − Σ credits):
- `fund:<code>`: the fund's money (a city paying in debits it; a payment out credits it);
- `fund:<code>:city:<CITY>`: the city's position with that fund (paying in credits it, receiving debits it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from metrocoop.core.audit import acting
from metrocoop.core.models import City
from metrocoop.core.money import yuan
from metrocoop.core.permissions import Action, require
from metrocoop.core.writes import save_fields
from metrocoop.funds import engine
from metrocoop.funds.choices import REVIEW_CRITERIA, CycleStatus, FundKind, ProjectCategory, ProjectStatus
from metrocoop.funds.models import (
    AssessmentCycle,
    AssessmentResult,
    ContributionCall,
    ContributionNotice,
    ContributionPayment,
    Fund,
    FundRule,
    Project,
    ProjectReview,
    QualityRating,
    Tranche,
)
from metrocoop.funds.policies import RATE, REVIEW, expert_cities, review_refusal  # noqa: F401 (REVIEW, expert_cities: callers ask here)
from metrocoop.indicators.models import Observation
from metrocoop.ledger import engine as ledger_engine
from metrocoop.ledger.choices import AccountKind
from metrocoop.ledger.models import Account
from metrocoop.ledger.services import ensure_account, post_transfers

FUNDS = {
    FundKind.INVESTMENT: (
        "investment",
        "上海大都市圈投资开发基金",
        "Shanghai Metropolitan Area Investment-Development Fund",
    ),
    FundKind.REWARD: ("reward", "上海大都市圈奖励扶持基金", "Shanghai Metropolitan Area Reward-Support Fund"),
}
CRITERIA = tuple(code for code, _ in REVIEW_CRITERIA)
CROSS_REGION = (ProjectCategory.TRANSPORT, ProjectCategory.WATER, ProjectCategory.CORRIDOR)


def _error(en: str, zh: str) -> ValidationError:
    return ValidationError(f"{zh} / {en}")


def _engine_error(exc: engine.FundRuleError) -> ValidationError:
    return _error(exc.message_en, exc.message_zh)


def fund_account_code(fund: Fund) -> str:
    return f"fund:{fund.code}"


def city_account_code(fund: Fund, city: City) -> str:
    return f"fund:{fund.code}:city:{city.code}"


def _city_account(fund: Fund, city: City) -> Account:
    return ensure_account(
        city_account_code(fund, city),
        name_zh=f"{city.name_zh}·{fund.name_zh}",
        name_en=f"{city.name_en} · {fund.name_en}",
        kind=AccountKind.CONTRIBUTION,
        owner_app="funds",
        city=city,
    )


@transaction.atomic
def ensure_funds() -> dict[str, Fund]:
    """The two funds and their ledger accounts (idempotent)."""
    funds = {}
    for kind, (code, zh, en) in FUNDS.items():
        account = ensure_account(f"fund:{code}", name_zh=zh, name_en=en, kind=AccountKind.FUND, owner_app="funds")
        funds[kind], _ = Fund.objects.get_or_create(
            kind=kind, defaults={"code": code, "name_zh": zh, "name_en": en, "account": account}
        )
    return funds


# --- rules -------------------------------------------------------------------------------------------------------


def rule_in_force(fund: Fund, year: int) -> FundRule | None:
    return fund.rules.filter(year=year).order_by("-version").first()


def do_set_rule(
    fund: Fund,
    year: int,
    *,
    contribution: dict,
    assessment: dict | None = None,
    projects: dict | None = None,
    note: str = "",
    actor: Any,
) -> FundRule:
    """A new version of the fund's rules for `year` (earlier versions stay, with everything computed from them)."""
    rule = FundRule(
        fund=fund,
        year=year,
        contribution=contribution,
        assessment=assessment or {},
        projects=projects or {},
        note=note,
        created_by=actor,
    )
    require(actor, Action.ADD, rule)
    _validate_contribution_rule(contribution)
    with transaction.atomic(), acting(actor):
        latest = rule_in_force(fund, year)
        rule.version = latest.version + 1 if latest else 1
        rule.save()
    return rule


def _validate_contribution_rule(c: dict) -> None:
    try:
        weights = [Fraction(str(c.get(k, 0))) for k in ("base_weight", "gdp_weight", "revenue_weight")]
    except (ValueError, ZeroDivisionError):
        raise _error("the weights must be numbers", "权重须为数字") from None
    if min(weights) < 0 or sum(weights) != 1:
        raise _error("the weights must be non-negative and sum to 1", "权重须非负且合计为 1")
    if not isinstance(c.get("target_fen"), int) or c["target_fen"] <= 0:
        raise _error("the contribution target must be a positive whole number of fen", "出资目标须为正整数（分）")
    if not isinstance(c.get("basis_year"), int):
        raise _error(
            "the contribution rule needs a basis year for GDP and revenue", "出资规则须指定 GDP 与财政收入的基准年"
        )


# --- contributions -------------------------------------------------------------------------------------------------


def contribution_bases(basis_year: int, members: list[City]) -> list[engine.ContributionBasis]:
    """GDP and general budget revenue of `basis_year` for each member, from the indicators."""
    values = {
        (o.city_id, o.indicator.code): o.value
        for o in Observation.objects.filter(
            year=basis_year, city__in=members, indicator__code__in=["gdp", "budget-revenue"]
        ).select_related("indicator")
    }
    missing = [c.code for c in members if (c.pk, "gdp") not in values or (c.pk, "budget-revenue") not in values]
    if missing:
        raise _error(
            f"GDP or budget revenue of {basis_year} is missing for {', '.join(missing)}",
            f"{'、'.join(missing)} 缺少 {basis_year} 年 GDP 或一般公共预算收入",
        )
    return [
        engine.ContributionBasis(c.code, Fraction(values[(c.pk, "gdp")]), Fraction(values[(c.pk, "budget-revenue")]))
        for c in members
    ]


def preview_contributions(fund: Fund, year: int) -> engine.ContributionResult:
    rule = rule_in_force(fund, year)
    if rule is None:
        raise _error(f"{fund} has no rules for {year}", f"{fund} 尚无 {year} 年规则")
    c = rule.contribution
    members = list(City.objects.members_in_year(year).order_by("sort_order", "code"))
    try:
        return engine.compute_contributions(
            c["target_fen"],
            contribution_bases(c["basis_year"], members),
            engine.ContributionRule(
                c.get("base_weight", 0),
                c.get("gdp_weight", 0),
                c.get("revenue_weight", 0),
                c.get("floor_fen"),
                c.get("cap_fen"),
            ),
        )
    except engine.FundRuleError as exc:
        raise _engine_error(exc) from exc


def do_issue_call(fund: Fund, year: int, *, due_on: date, actor: Any) -> ContributionCall:
    """Compute and issue the year's contributions: one notice per member city. Issuing twice returns the first
    call and changes nothing."""
    existing = ContributionCall.objects.filter(fund=fund, year=year).first()
    if existing is not None:
        require(actor, Action.VIEW, existing)
        return existing
    rule = rule_in_force(fund, year)
    call = ContributionCall(fund=fund, year=year, rule=rule, target_fen=0, due_on=due_on, issued_by=actor)
    require(actor, Action.ADD, call)
    result = preview_contributions(fund, year)
    cities = {c.code: c for c in City.objects.all()}
    with transaction.atomic(), acting(actor):
        call.target_fen = result.target_fen
        call.computation = result.to_dict()
        call.save()
        for row in result.cities:
            ContributionNotice.objects.create(
                call=call,
                city=cities[row.city],
                amount_fen=row.amount_fen,
                explanation={
                    "share": row.share,
                    "share_percent": row.share_percent,
                    "raw_fen": row.raw_fen,
                    "bound": row.bound,
                },
            )
            _city_account(fund, cities[row.city])
    return call


def do_record_payment(
    notice: ContributionNotice, *, amount_fen: int, paid_on: date, reference: str = "", actor: Any
) -> ContributionPayment:
    """Record money a city paid in against its notice (city → fund). The same bank reference twice is the same
    payment; more than is owed is refused."""
    payment = ContributionPayment(notice=notice, amount_fen=amount_fen, paid_on=paid_on, reference=reference)
    require(actor, Action.ADD, payment)
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise _error("the amount must be a positive whole number of fen", "金额须为正整数（分）")
    client_id = f"funds:payment:{notice.pk}:{reference or paid_on.isoformat() + ':' + str(amount_fen)}"
    fund = notice.call.fund
    with transaction.atomic(), acting(actor):
        locked = ContributionNotice.objects.select_for_update().get(pk=notice.pk)
        earlier = ContributionPayment.objects.filter(transfer__client_id=client_id).first()
        if earlier is not None:
            if earlier.amount_fen != amount_fen:
                raise _error("this bank reference was recorded with another amount", "该银行流水号已按其他金额登记")
            return earlier
        if locked.paid_fen + amount_fen > locked.amount_fen:
            raise _error(
                f"the payment exceeds what is owed ({yuan(locked.arrears_fen)} yuan)",
                f"付款超过应缴余额（{yuan(locked.arrears_fen)} 元）",
            )
        account = _city_account(fund, notice.city)
        [posted] = post_transfers(
            [
                ledger_engine.Transfer(
                    id=client_id,
                    debit_account=fund_account_code(fund),
                    credit_account=account.code,
                    amount_fen=amount_fen,
                    code="funds.contribution",
                    memo=f"{notice.city.code} {notice.call.year} contribution {reference}".strip(),
                )
            ],
            actor=actor,
        )
        payment.transfer = posted.transfer
        payment.recorded_by = actor
        payment.save()
    return payment


# --- fund position -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FundPosition:
    balance_fen: int
    committed_fen: int  # approved but not yet disbursed
    available_fen: int
    disbursed_fen: int
    contributed_fen: int


def fund_position(fund: Fund) -> FundPosition:
    balance = Account.objects.get(pk=fund.account_id).balance_fen
    approved = (
        fund.projects.filter(status__in=[ProjectStatus.APPROVED, ProjectStatus.COMPLETED]).aggregate(
            s=Sum("approved_fen")
        )["s"]
        or 0
    )
    disbursed = (
        Tranche.objects.filter(project__fund=fund, transfer__isnull=False).aggregate(s=Sum("amount_fen"))["s"] or 0
    )
    contributed = ContributionPayment.objects.filter(notice__call__fund=fund).aggregate(s=Sum("amount_fen"))["s"] or 0
    committed = approved - disbursed
    return FundPosition(balance, committed, balance - committed, disbursed, contributed)


# --- projects ------------------------------------------------------------------------------------------------------


def do_submit_project(
    fund: Fund,
    *,
    title: str,
    category: str,
    lead_city: City,
    partner_cities: list[City],
    requested_fen: int,
    description: str = "",
    actor: Any,
) -> Project:
    if fund.kind != FundKind.INVESTMENT:
        raise _error("only the investment-development fund takes projects", "只有投资开发基金受理项目申报")
    project = Project(
        fund=fund,
        title=title,
        category=category,
        lead_city=lead_city,
        requested_fen=requested_fen,
        description=description,
        submitted_by=actor,
    )
    require(actor, Action.ADD, project)
    with transaction.atomic(), acting(actor):
        project.full_clean(exclude=["partner_cities"])
        project.save()
        project.partner_cities.set([c for c in partner_cities if c.pk != lead_city.pk])
        require(actor, Action.ADD, project)
    return project


def do_check_eligibility(project: Project, *, actor: Any) -> Project:
    """Run the eligibility checks; an eligible project goes to expert review, an ineligible one stops there."""
    require(actor, Action.CHANGE, project)
    if project.status != ProjectStatus.SUBMITTED:
        raise _error("only a submitted project is checked for eligibility", "只有已申报的项目才做资格审查")
    rule = rule_in_force(project.fund, project.submitted_at.year)
    limits = rule.projects if rule else {}
    year = project.submitted_at.year
    checks = engine.check_eligibility(
        category=project.category,
        allowed_categories=ProjectCategory.values,
        applicant_cities=[City.objects.get(pk=pk).code for pk in project.applicant_city_ids()],
        member_cities=City.objects.members_in_year(year).values_list("code", flat=True),
        requested_fen=project.requested_fen,
        max_request_fen=limits.get("max_request_fen"),
        min_cities=limits.get("min_cities", 1),
        cross_region_categories=CROSS_REGION,
    )
    with transaction.atomic(), acting(actor):
        project.eligibility = {"checks": [c.__dict__ for c in checks], "checked_at": timezone.now().isoformat()}
        project.status = ProjectStatus.UNDER_REVIEW if all(c.passed for c in checks) else ProjectStatus.INELIGIBLE
        project.save(update_fields=["eligibility", "status"])
    return project


def do_review_project(project: Project, *, scores: dict, comment: str = "", actor: Any) -> ProjectReview:
    """An expert's review, under the one rule of `funds.policies.review_refusal` (which the review page asks too):
    refused to an expert from an applicant city, off review, and a second review by the same expert."""
    refusal = review_refusal(actor, project)
    if refusal is not None:
        raise refusal
    try:
        total = engine.review_total(scores, CRITERIA)
    except engine.FundRuleError as exc:
        raise _engine_error(exc) from exc
    with transaction.atomic(), acting(actor):
        if ProjectReview.objects.filter(project=project, expert=actor).exists():
            raise _error("you have reviewed this project already", "您已评审过该项目")
        review = ProjectReview.objects.create(
            project=project, expert=actor, scores=scores, total=round(float(total), 2), comment=comment
        )
    return review


def project_ranking(fund: Fund) -> tuple[engine.RankedProject, ...]:
    projects = fund.projects.filter(status=ProjectStatus.UNDER_REVIEW).prefetch_related("reviews")
    return engine.rank_projects({p.pk: [Fraction(str(r.total)) for r in p.reviews.all()] for p in projects})


def do_decide_project(
    project: Project,
    *,
    resolution: Any,
    approve: bool,
    approved_fen: int = 0,
    tranches: list[tuple[int, str]] | None = None,
    actor: Any,
) -> Project:
    """Record the council's decision. Approval needs a passed resolution, tranches that add up to the approved
    amount, and an approved amount within the fund's available balance (never over-committed)."""
    require(actor, Action.CHANGE, project)
    if project.status != ProjectStatus.UNDER_REVIEW:
        raise _error("only a reviewed project can be decided", "只有经过评审的项目才能决策")
    if resolution is None or resolution.outcome != "passed":
        raise _error("the decision needs a resolution the council passed", "决策须依据理事会已通过的决议")
    with transaction.atomic(), acting(actor):
        # Lock the fund's account row: two approvals at once cannot both take the same available money.
        Account.objects.select_for_update().get(pk=project.fund.account_id)
        if approve:
            tranches = tranches or []
            if approved_fen <= 0 or approved_fen > project.requested_fen:
                raise _error(
                    "the approved amount must be positive and within the request", "批准金额须为正且不超过申请额"
                )
            if sum(a for a, _ in tranches) != approved_fen or any(a <= 0 for a, _ in tranches):
                raise _error("the tranches must add up to the approved amount", "各期拨款之和须等于批准金额")
            position = fund_position(project.fund)
            if approved_fen > position.available_fen:
                raise _error(
                    f"the commitment exceeds the fund's available balance ({yuan(position.available_fen)} yuan)",
                    f"承诺金额超过基金可用余额（{yuan(position.available_fen)} 元）",
                )
            project.status = ProjectStatus.APPROVED
            project.approved_fen = approved_fen
            for i, (amount, milestone) in enumerate(tranches, start=1):
                Tranche.objects.create(project=project, sequence=i, amount_fen=amount, milestone=milestone)
        else:
            project.status = ProjectStatus.REJECTED
        project.decision = resolution
        project.save(update_fields=["status", "approved_fen", "decision"])
    return project


def do_mark_milestone(tranche: Tranche, *, met_on: date, actor: Any) -> Tranche:
    return save_fields(tranche, actor, milestone_met_on=met_on)


def do_disburse_tranche(tranche: Tranche, *, actor: Any) -> Tranche:
    """Pay a tranche to the lead city (fund → city), only once its milestone is met. A second call does nothing."""
    require(actor, Action.CHANGE, tranche)
    project = tranche.project
    if project.status != ProjectStatus.APPROVED:
        raise _error("only an approved project is paid", "只有已批准的项目才能拨款")
    with transaction.atomic(), acting(actor):
        locked = Tranche.objects.select_for_update().get(pk=tranche.pk)
        if locked.transfer_id is not None:
            return locked
        if locked.milestone_met_on is None:
            raise _error("the tranche's milestone is not met yet", "该期里程碑尚未达成，不能拨款")
        account = _city_account(project.fund, project.lead_city)
        [posted] = post_transfers(
            [
                ledger_engine.Transfer(
                    id=f"funds:tranche:{locked.pk}",
                    debit_account=account.code,
                    credit_account=fund_account_code(project.fund),
                    amount_fen=locked.amount_fen,
                    code="funds.disbursement",
                    memo=f"{project.title} #{locked.sequence}",
                )
            ],
            actor=actor,
        )
        locked.transfer = posted.transfer
        locked.disbursed_at = timezone.now()
        locked.save(update_fields=["transfer", "disbursed_at"])
    return locked


# --- assessment ----------------------------------------------------------------------------------------------------


def do_open_cycle(fund: Fund, year: int, *, actor: Any) -> AssessmentCycle:
    """Open the year's assessment with the rules in force (opening twice returns the same cycle)."""
    if fund.kind != FundKind.REWARD:
        raise _error("the assessment belongs to the reward-support fund", "考核属于奖励扶持基金")
    existing = AssessmentCycle.objects.filter(fund=fund, year=year).first()
    if existing is not None:
        return existing
    rule = rule_in_force(fund, year)
    if rule is None or not rule.assessment:
        raise _error(f"no assessment rule for {year}", f"尚无 {year} 年考核规则")
    cycle = AssessmentCycle(fund=fund, year=year, rule=rule)
    require(actor, Action.ADD, cycle)
    with transaction.atomic(), acting(actor):
        cycle.save()
    return cycle


def do_rate_quality(
    cycle: AssessmentCycle, work_item: Any, *, rating: int, comment: str = "", actor: Any
) -> QualityRating:
    row = QualityRating(cycle=cycle, work_item=work_item, expert=actor, rating=rating, comment=comment)
    require(actor, RATE, row)
    if cycle.status != CycleStatus.DRAFT:
        raise _error("the cycle is closed", "考核已结束")
    if work_item.plan.year != cycle.year:
        raise _error("the work item belongs to another year", "该工作事项不属于本考核年度")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise _error("the rating is a whole number from 1 to 5", "评分须为 1～5 的整数")
    with transaction.atomic(), acting(actor):
        existing = QualityRating.objects.filter(cycle=cycle, work_item=work_item, expert=actor).first()
        if existing is not None:
            existing.rating, existing.comment = rating, comment
            existing.save(update_fields=["rating", "comment"])
            return existing
        row.save()
    return row


def assessment_inputs(cycle: AssessmentCycle, as_of: date | None = None) -> dict:
    """Plain data the engines take, gathered from the council cycle, the expert ratings and the indicators."""
    from metrocoop.council.selectors import city_performance_for_year

    rule = cycle.rule.assessment
    members = list(City.objects.members_in_year(cycle.year).order_by("sort_order", "code"))
    council = city_performance_for_year(cycle.year, as_of)
    ratings: dict[str, list[int]] = {}
    for r in QualityRating.objects.filter(cycle=cycle).select_related("work_item__lead_city"):
        ratings.setdefault(r.work_item.lead_city.code, []).append(r.rating)
    unrated = Fraction(str(rule.get("unrated_quality", "0.6")))
    indicator_codes = [k for k in rule.get("weights", {}) if k not in engine.WORK_CRITERIA]
    improvements = _indicator_improvements(indicator_codes, cycle.year, members)
    rows = []
    for city in members:
        perf = council.get(city.code)
        quality = (
            (Fraction(sum(ratings[city.code]), len(ratings[city.code])) - 1) / 4 if city.code in ratings else unrated
        )
        rows.append(
            {
                "city": city.code,
                "completion": str(Fraction(str(perf.completion_rate)) if perf else Fraction(0)),
                "timeliness": str(Fraction(str(perf.timeliness_rate)) if perf else Fraction(0)),
                "quality": str(quality),
                "improvements": {k: str(v[city.code]) for k, v in improvements.items()},
                "explain": {
                    "council": list(perf.steps) if perf else ["no work items led"],
                    "ratings": ratings.get(city.code, []),
                },
            }
        )
    revenue = _values("budget-revenue", cycle.year - 1, members) or _values("budget-revenue", 2019, members)
    population = _values("population", cycle.year - 1, members) or _values("population", 2019, members)
    capacities = [
        {"city": c.code, "revenue": str(revenue[c.code]), "population": str(population[c.code])}
        for c in members
        if c.code in revenue and c.code in population
    ]
    return {"year": cycle.year, "cities": rows, "capacities": capacities}


def _values(code: str, year: int, members: list[City]) -> dict[str, Fraction]:
    return {
        o.city.code: Fraction(o.value)
        for o in Observation.objects.filter(indicator__code=code, year=year, city__in=members).select_related("city")
    }


def _indicator_improvements(codes: list[str], year: int, members: list[City]) -> dict[str, dict[str, Fraction]]:
    """Change of each indicator from the year before to `year` (0 where a year is missing)."""
    out = {}
    for code in codes:
        now, before = _values(code, year, members), _values(code, year - 1, members)
        out[code] = {
            c.code: (now[c.code] - before[c.code]) if c.code in now and c.code in before else Fraction(0)
            for c in members
        }
    return out


def compute_assessment(inputs: dict, rule: dict) -> dict:
    """Scores, rewards, compensation and assistance from plain inputs and a rule: the same function serves the
    what-if simulation and the final run."""
    try:
        scores = engine.score_cities(
            [
                engine.CityPerformance(
                    r["city"],
                    Fraction(r["completion"]),
                    Fraction(r["timeliness"]),
                    Fraction(r["quality"]),
                    {k: Fraction(v) for k, v in r["improvements"].items()},
                )
                for r in inputs["cities"]
            ],
            engine.AssessmentRule(weights=rule["weights"], lower_is_better=frozenset(rule.get("lower_is_better", []))),
        )
        p = rule.get("payout", {})
        payouts = engine.compute_payouts(
            scores,
            engine.PayoutRule(
                reward_pool_fen=int(p.get("reward_pool_fen", 0)),
                reward_shares=p.get("reward_shares", []),
                compensation_threshold=p.get("compensation_threshold", 60),
                compensation_per_point_fen=int(p.get("compensation_per_point_fen", 0)),
                compensation_cap_fen=p.get("compensation_cap_fen"),
            ),
        )
        a = rule.get("assistance", {})
        assistance = engine.compute_assistance(
            [
                engine.FiscalCapacity(c["city"], Fraction(c["revenue"]), Fraction(c["population"]))
                for c in inputs["capacities"]
            ],
            engine.AssistanceRule(
                pool_fen=int(a.get("pool_fen", 0)),
                threshold_share=a.get("threshold_share", "0.9"),
                gap_share=a.get("gap_share", "0.5"),
                fen_per_unit=a.get("fen_per_unit", 1),
            ),
        )
    except engine.FundRuleError as exc:
        raise _engine_error(exc) from exc
    return {"scores": scores.to_dict(), "payouts": payouts.to_dict(), "assistance": assistance.to_dict()}


def simulate_cycle(cycle: AssessmentCycle, rule_override: dict | None = None, *, actor: Any) -> dict:
    """What-if: the result with the cycle's rule, or another rule, computed and returned; nothing is stored."""
    require(actor, Action.VIEW, cycle)
    rule = {**cycle.rule.assessment, **(rule_override or {})}
    return compute_assessment(assessment_inputs(cycle), rule)


def do_run_cycle(cycle: AssessmentCycle, *, actor: Any) -> AssessmentCycle:
    """Run the assessment for real: store each city's result and post every amount to the ledger. Final: a closed
    cycle is never run again."""
    require(actor, Action.CHANGE, cycle)
    with transaction.atomic(), acting(actor):
        locked = AssessmentCycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.status == CycleStatus.CLOSED:
            raise _error(
                "this assessment cycle has been run already; its results are final", "本轮考核已执行，结果为最终结果"
            )
        inputs = assessment_inputs(locked)
        result = compute_assessment(inputs, locked.rule.assessment)
        fund = locked.fund
        payouts = {p["city"]: p for p in result["payouts"]["payouts"]}
        assistance = {a["city"]: a for a in result["assistance"]["cities"]}
        out_fen = result["payouts"]["rewards_total_fen"] + result["assistance"]["total_fen"]
        balance = Account.objects.select_for_update().get(pk=fund.account_id).balance_fen
        if out_fen > balance + result["payouts"]["compensation_total_fen"]:
            raise _error(
                f"rewards and assistance ({yuan(out_fen)} yuan) exceed the fund's balance",
                f"奖励与援助合计（{yuan(out_fen)} 元）超过基金余额",
            )
        cities = {c.code: c for c in City.objects.filter(code__in=[s["city"] for s in result["scores"]["cities"]])}
        transfers = []
        for s in result["scores"]["cities"]:
            city = cities[s["city"]]
            account = _city_account(fund, city).code
            reward = payouts[city.code]["reward_fen"]
            compensation = payouts[city.code]["compensation_fen"]
            aid = assistance.get(city.code, {}).get("amount_fen", 0)
            AssessmentResult.objects.create(
                cycle=locked,
                city=city,
                score=round(s["score"], 3),
                rank=s["rank"],
                breakdown={
                    "criteria": s["criteria"],
                    "contributions": s["contributions"],
                    "payout": payouts[city.code],
                    "assistance": assistance.get(city.code),
                },
                reward_fen=reward,
                compensation_fen=compensation,
                assistance_fen=aid,
            )
            for kind, amount, debit, credit in (
                ("reward", reward, account, fund_account_code(fund)),
                ("assistance", aid, account, fund_account_code(fund)),
                ("compensation", compensation, fund_account_code(fund), account),
            ):
                if amount > 0:
                    transfers.append(
                        ledger_engine.Transfer(
                            id=f"funds:assessment:{locked.pk}:{city.code}:{kind}",
                            debit_account=debit,
                            credit_account=credit,
                            amount_fen=amount,
                            code=f"funds.assessment.{kind}",
                            memo=f"{locked.year} {kind} {city.code}",
                        )
                    )
        post_transfers(transfers, actor=actor)
        locked.inputs = inputs
        locked.result = result
        locked.status = CycleStatus.CLOSED
        locked.run_by = actor
        locked.run_at = timezone.now()
        locked.save(update_fields=["inputs", "result", "status", "run_by", "run_at"])
    return locked
