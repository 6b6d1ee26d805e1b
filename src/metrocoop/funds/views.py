"""Pages of the funds: dashboard, contribution call, project board and project, assessment cycle. Thin: access
through core.permissions, changes through services, figures from the engines' stored explanations."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metrocoop.core import charts as core_charts
from metrocoop.core import downloads
from metrocoop.core.money import yuan
from metrocoop.core.permissions import Action, can, can_any, restrict
from metrocoop.funds import documents, policies, services
from metrocoop.funds.choices import REVIEW_CRITERIA, CycleStatus, FundKind, ProjectStatus
from metrocoop.funds.forms import DecisionForm, PaymentForm, ReviewForm, fen_from_yuan
from metrocoop.funds.models import (
    AssessmentCycle,
    ContributionCall,
    ContributionNotice,
    ContributionPayment,
    Fund,
    Project,
    ProjectReview,
    Tranche,
)
from metrocoop.funds.movements import fund_movements
from metrocoop.indicators.models import Indicator


def index(request):
    funds = list(restrict(Fund.objects.select_related("account"), request.user))
    cards = [(fund, services.fund_position(fund), fund_movements(fund)) for fund in funds]
    calls = restrict(ContributionCall.objects.select_related("fund"), request.user).prefetch_related(
        "notices__city", "notices__payments"
    )
    call_rows = []
    for call in calls:
        notices = list(call.notices.all())
        for n in notices:
            n._paid_fen = sum(p.amount_fen for p in n.payments.all())
        call_rows.append((call, notices, _contribution_chart(call, notices), f"call-chart-{call.pk}"))
    cycles = restrict(AssessmentCycle.objects.select_related("fund"), request.user)
    return render(request, "funds/index.html", {"cards": cards, "calls": call_rows, "cycles": cycles})


def _contribution_chart(call, notices) -> dict:
    """Owed and paid per city, in the money unit the amounts call for (元/万元/亿元)."""
    return core_charts.bar(
        [n.city.name for n in notices],
        {_("Owed"): [n.amount_fen for n in notices], _("Paid in"): [n.paid_fen for n in notices]},
        money=True,
        filename=f"contributions-{call.pk}",
    )


def _call(request, pk) -> ContributionCall:
    return get_object_or_404(restrict(ContributionCall.objects.select_related("fund", "rule"), request.user), pk=pk)


def _payment_form(request, call, data=None) -> PaymentForm | None:
    """The office's form to record a payment, offered when the user may record one and some city owes money."""
    owing = [n for n in call.notices.select_related("city") if n.arrears_fen > 0]
    if not owing or not can(request.user, Action.ADD, ContributionPayment(notice=owing[0])):
        return None
    notices = ContributionNotice.objects.filter(pk__in=[n.pk for n in owing]).select_related("city")
    return PaymentForm(data, notices=notices.order_by("city__sort_order"))


def call_detail(request, pk, payment_form=None):
    call = _call(request, pk)
    notices = list(call.notices.select_related("city").prefetch_related("payments"))
    for n in notices:
        n._paid_fen = sum(p.amount_fen for p in n.payments.all())
    return render(
        request,
        "funds/call.html",
        {
            "call": call,
            "notices": notices,
            "steps": call.computation.get("steps", []),
            "rule": call.computation.get("rule", {}),
            "payment_form": payment_form or _payment_form(request, call),
        },
    )


@login_required
@require_POST
def call_payment(request, pk):
    """Record a contribution payment (city → fund, posted to the ledger) through do_record_payment."""
    call = _call(request, pk)
    form = _payment_form(request, call, request.POST)
    if form is None:
        raise PermissionDenied(_("Only the council office records contribution payments."))
    if not form.is_valid():
        return call_detail(request, pk, payment_form=form)
    notice = form.cleaned_data["notice"]
    try:
        payment = services.do_record_payment(
            notice,
            amount_fen=fen_from_yuan(form.cleaned_data["amount"]),
            paid_on=form.cleaned_data["paid_on"],
            reference=form.cleaned_data["reference"],
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return call_detail(request, pk, payment_form=form)
    notice.refresh_from_db()
    messages.success(
        request,
        _("Payment of %(amount)s yuan by %(city)s recorded and posted to the ledger; still owed: %(left)s yuan.")
        % {
            "amount": yuan(payment.amount_fen),
            "city": notice.city.name,
            "left": yuan(notice.arrears_fen),
        },
    )
    return HttpResponseRedirect(reverse("funds:call", args=[pk]))


def call_download(request, pk, fmt):
    call = get_object_or_404(restrict(ContributionCall.objects.select_related("fund", "rule"), request.user), pk=pk)
    builders = {"docx": documents.notices_docx, "xlsx": documents.notices_xlsx}
    if fmt not in builders:
        raise Http404
    return downloads.built(f"{call.fund.name_zh}-{call.year}-出资通知.{fmt}", lambda out: builders[fmt](call, out))


def projects(request):
    fund = Fund.objects.filter(kind=FundKind.INVESTMENT).first()
    rows = restrict(Project.objects.select_related("lead_city", "fund"), request.user).prefetch_related(
        "partner_cities"
    )
    columns = [(status, label, [p for p in rows if p.status == status]) for status, label in ProjectStatus.choices]
    ranking = []
    if fund is not None and can_any(request.user, Action.VIEW, Project):
        visible = {p.pk: p for p in rows}
        ranking = [(r, visible[r.project]) for r in services.project_ranking(fund) if r.project in visible]
    return render(
        request,
        "funds/projects.html",
        {"columns": columns, "ranking": ranking, "position": services.fund_position(fund) if fund else None},
    )


def _project(request, pk) -> Project:
    return get_object_or_404(
        restrict(Project.objects.select_related("lead_city", "fund", "decision"), request.user), pk=pk
    )


def _passed_resolutions(user):
    from metrocoop.council.choices import ResolutionOutcome
    from metrocoop.council.models import Resolution

    return restrict(Resolution.objects.filter(outcome=ResolutionOutcome.PASSED), user).order_by("-id")


def project_detail(request, pk, review_form=None, decision_form=None):
    project = _project(request, pk)
    reviews = restrict(ProjectReview.objects.filter(project=project).select_related("expert"), request.user)
    tranches = list(project.tranches.select_related("transfer"))
    user = request.user
    can_manage = can(user, Action.CHANGE, project)
    under_review = project.status == ProjectStatus.UNDER_REVIEW
    can_review = policies.may_review_project(user, project)  # the service's own rule (review_refusal)
    return render(
        request,
        "funds/project.html",
        {
            "project": project,
            "reviews": reviews,
            "tranches": tranches,
            "criteria": REVIEW_CRITERIA,
            "can_review": can_review,
            "review_form": (review_form or ReviewForm()) if can_review else None,
            "can_manage": can_manage,
            "can_screen": can_manage and project.status == ProjectStatus.SUBMITTED,
            "decision_form": (decision_form or DecisionForm(resolutions=_passed_resolutions(user)))
            if can_manage and under_review
            else None,
            "ranking": _rank_of(project) if under_review else None,
            "checks": project.eligibility.get("checks", []),
        },
    )


def _rank_of(project):
    return next((r for r in services.project_ranking(project.fund) if r.project == project.pk), None)


@login_required
@require_POST
def project_review(request, pk):
    project = _project(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Every criterion needs a whole-number score from 0 to 100."))
        return project_detail(request, pk, review_form=form)
    try:
        review = services.do_review_project(
            project, scores=form.scores(), comment=form.cleaned_data["comment"], actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Review submitted: total score %(total)s.") % {"total": review.total})
    return HttpResponseRedirect(reverse("funds:project", args=[pk]))


@login_required
@require_POST
def project_screen(request, pk):
    """The office screens a submitted project for eligibility; an eligible one goes to expert review."""
    project = _project(request, pk)
    try:
        project = services.do_check_eligibility(project, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if project.status == ProjectStatus.UNDER_REVIEW:
            messages.success(request, _("The project is eligible and was sent to expert review."))
        else:
            messages.warning(request, _("The project is not eligible; the failed checks are listed below."))
    return HttpResponseRedirect(reverse("funds:project", args=[pk]))


@login_required
@require_POST
def project_decide(request, pk):
    """The office records the council's decision on a reviewed project (approval commits the fund's money)."""
    project = _project(request, pk)
    if not can(request.user, Action.CHANGE, project):
        raise PermissionDenied(_("Only the council office records decisions on projects."))
    form = DecisionForm(request.POST, resolutions=_passed_resolutions(request.user))
    if not form.is_valid():
        return project_detail(request, pk, decision_form=form)
    approve = form.cleaned_data["decision"] == DecisionForm.APPROVE
    try:
        project = services.do_decide_project(
            project,
            resolution=form.cleaned_data["resolution"],
            approve=approve,
            approved_fen=form.approved_fen() if approve else 0,
            tranches=form.cleaned_data["tranches"] if approve else None,
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return project_detail(request, pk, decision_form=form)
    if approve:
        messages.success(
            request,
            _("Approved: %(amount)s yuan committed in %(n)s tranches.")
            % {"amount": yuan(project.approved_fen), "n": project.tranches.count()},
        )
    else:
        messages.success(request, _("The project was rejected."))
    return HttpResponseRedirect(reverse("funds:project", args=[pk]))


@login_required
@require_POST
def tranche_action(request, pk, action):
    tranche = get_object_or_404(restrict(Tranche.objects.select_related("project"), request.user), pk=pk)
    try:
        if action == "milestone":
            services.do_mark_milestone(tranche, met_on=timezone.localdate(), actor=request.user)
        elif action == "disburse":
            services.do_disburse_tranche(tranche, actor=request.user)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if action == "milestone":
            messages.success(request, _("Milestone %(n)s marked as met.") % {"n": tranche.sequence})
        else:
            messages.success(
                request,
                _("Tranche %(n)s paid: %(amount)s yuan posted to the ledger.")
                % {"n": tranche.sequence, "amount": yuan(tranche.amount_fen)},
            )
    return HttpResponseRedirect(reverse("funds:project", args=[tranche.project_id]))


def cycle_detail(request, pk):
    cycle = get_object_or_404(restrict(AssessmentCycle.objects.select_related("fund", "rule"), request.user), pk=pk)
    rule = cycle.rule.assessment
    outcome, what_if = None, None
    if cycle.status == CycleStatus.CLOSED:
        outcome = cycle.result
        inputs = cycle.inputs
    else:
        inputs = services.assessment_inputs(cycle)
        if request.method == "POST" and request.user.is_authenticated:
            what_if = _weights_from(request.POST, rule)
        try:
            outcome = services.simulate_cycle(cycle, {"weights": what_if} if what_if else None, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    results = list(cycle.results.select_related("city")) if cycle.status == CycleStatus.CLOSED else []
    chart = _score_chart(outcome) if outcome else None
    return render(
        request,
        "funds/cycle.html",
        {
            "cycle": cycle,
            "rule": rule,
            "rule_json": json.dumps(rule, ensure_ascii=False, indent=1),
            "inputs": inputs,
            "outcome": outcome,
            "payouts": {p["city"]: p for p in outcome["payouts"]["payouts"]} if outcome else {},
            "assistance": {a["city"]: a for a in outcome["assistance"]["cities"]} if outcome else {},
            "results": results,
            "what_if": what_if,
            "chart": chart,
            "can_run": can(request.user, Action.CHANGE, cycle) and cycle.status == CycleStatus.DRAFT,
        },
    )


def _weights_from(post, rule) -> dict | None:
    weights = {}
    for key in rule.get("weights", {}):
        value = post.get(f"w_{key}", "").strip()
        if value:
            weights[key] = value
    return weights or None


def _score_chart(outcome: dict) -> dict:
    """Each city's score, stacked by the points each criterion adds (city names in the active language)."""
    cities = outcome["scores"]["cities"]
    criteria = sorted({k for c in cities for k in c["contributions"]})
    names = core_charts.city_names(c["city"] for c in cities)
    # the legend names each criterion in the active language: the council's three, then indicators by name
    labels = {"completion": _("Completion"), "timeliness": _("Timeliness"), "quality": _("Quality")}
    labels.update((i.code, i.name) for i in Indicator.objects.filter(code__in=criteria))
    return core_charts.stacked_bar(
        [names.get(c["city"], c["city"]) for c in cities],
        {str(labels.get(k, k)): [round(c["contributions"].get(k, 0), 2) for c in cities] for k in criteria},
        y_max=100,
        filename="assessment-scores",
    )


@login_required
@require_POST
def cycle_run(request, pk):
    cycle = get_object_or_404(restrict(AssessmentCycle.objects.all(), request.user), pk=pk)
    try:
        services.do_run_cycle(cycle, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise
    else:
        messages.success(request, _("The assessment was run; its results are final and posted to the ledger."))
    return HttpResponseRedirect(reverse("funds:cycle", args=[pk]))


def cycle_download(request, pk):
    cycle = get_object_or_404(restrict(AssessmentCycle.objects.all(), request.user), pk=pk)
    if cycle.status != CycleStatus.CLOSED:
        raise Http404
    return downloads.built(f"{cycle.year}-考核结果.xlsx", lambda out: documents.assessment_xlsx(cycle, out))
