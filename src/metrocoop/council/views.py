"""Pages of the council cycle. Access is decided by core.permissions; these views parse, ask, call a service,
render."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metrocoop.core import downloads
from metrocoop.core.api.caching import cached_view_data
from metrocoop.core.attachments import attachments_of
from metrocoop.core.charts import bar as bar_chart
from metrocoop.core.choices import Domain
from metrocoop.core.explain_render import render_steps
from metrocoop.core.models import City
from metrocoop.core.permissions import Action, can, cities_acted_for, restrict
from metrocoop.council import engine, selectors, services
from metrocoop.council import policies as council_policies
from metrocoop.council.choices import ItemStatus, PlanStatus, ResolutionStatus, ReviewStatus
from metrocoop.council.forms import (
    AttachmentForm,
    MeetingForm,
    ReportForm,
    ResolutionForm,
    ReviewForm,
    SummaryTextForm,
    VoteForm,
    WorkItemForm,
)
from metrocoop.council.models import (
    AnnualPlan,
    AnnualSummary,
    Council,
    CouncilSeat,
    Meeting,
    PlanDocument,
    ProgressReport,
    Resolution,
    Vote,
    WorkItem,
)
from metrocoop.council.policies import REVIEW, VOTE
from metrocoop.council.rendering import PlanRow, board_rows_html, plan_rows_html
from metrocoop.council.summary import build_summary, write_docx, write_xlsx


def _error_text(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


def _submitted(request, form, run):
    """`run(form.cleaned_data)` (a service call) for a valid `form`, and its result; None when the form is invalid
    or the service refuses, each said to the user as an error message."""
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return None
    try:
        return run(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return None


def index(request):
    plans = restrict(AnnualPlan.objects.all(), request.user)
    meetings = restrict(Meeting.objects.select_related("council"), request.user)[:10]
    resolutions = restrict(Resolution.objects.select_related("meeting"), request.user)[:10]
    seats = restrict(CouncilSeat.objects.select_related("city", "representative", "council"), request.user)
    council = Council.objects.order_by("id").first()
    meeting_form = MeetingForm() if council and can(request.user, Action.ADD, Meeting(council=council)) else None
    return render(
        request,
        "council/index.html",
        {
            "may_see_board": may_see_board(request.user),
            "plans": plans,
            "meetings": meetings,
            "resolutions": resolutions,
            "seats": seats,
            "meeting_form": meeting_form,
        },
    )


@login_required
@require_POST
def meeting_add(request):
    council = get_object_or_404(Council.objects.order_by("id")[:1])
    meeting = _submitted(
        request,
        MeetingForm(request.POST),
        lambda d: services.do_create_meeting(
            council,
            {**d, "agenda": [line.strip() for line in d["agenda"].splitlines() if line.strip()]},
            actor=request.user,
        ),
    )
    return HttpResponseRedirect(meeting.get_absolute_url() if meeting else reverse("council:index"))


@login_required
@require_POST
def meeting_resolution_add(request, pk):
    meeting = get_object_or_404(restrict(Meeting.objects.all(), request.user), pk=pk)
    resolution = _submitted(
        request,
        ResolutionForm(request.POST),
        lambda d: services.do_propose_resolution(
            meeting, number=d["number"], title=d["title"], text=d["text"], plan=d["plan"], actor=request.user
        ),
    )
    return HttpResponseRedirect((resolution or meeting).get_absolute_url())


@login_required
@require_POST
def meeting_attach(request, pk):
    meeting = get_object_or_404(restrict(Meeting.objects.all(), request.user), pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.do_attach_to_meeting(meeting, form.cleaned_data["file"], actor=request.user)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    return HttpResponseRedirect(meeting.get_absolute_url())


def _plan(request, year) -> AnnualPlan:
    return get_object_or_404(restrict(AnnualPlan.objects.select_related("approved_by"), request.user), year=year)


def plan_detail(request, year):
    plan = _plan(request, year)
    visible = restrict(plan.items.all(), request.user)
    as_of = selectors.summary_as_of(plan)
    # The rows, the overall figure and the chart are the same for everybody who sees the same items: computed and
    # rendered once per plan, day, language and set of visible items, and kept until a council row changes.
    digest = hashlib.sha1(",".join(map(str, visible.values_list("id", flat=True))).encode()).hexdigest()
    figures = cached_view_data(
        "council",
        f"plan:{plan.pk}:{as_of.isoformat()}:{get_language()}:{digest}",
        lambda: _plan_figures(plan, visible, as_of),
    )
    form = None
    if plan.editable and can(request.user, Action.ADD, WorkItem(plan=plan, lead_city=_first_city(request.user))):
        form = WorkItemForm(plan=plan)
    return render(
        request,
        "council/plan.html",
        {
            "plan": plan,
            "rows": mark_safe(figures["rows"]),
            "overall": figures["overall"],
            "chart": figures["chart"],
            "form": form,
            "can_manage": can(request.user, Action.CHANGE, plan),
            "summary": AnnualSummary.objects.filter(plan=plan).first(),
        },
    )


def _plan_figures(plan: AnnualPlan, visible, as_of) -> dict:
    """The plan page's work-item rows (rendered), its weighted overall progress and the progress-by-domain chart.
    Plain rows, not model instances, and every repeated piece (a city, a domain label, an explanation) worked out
    once: a plan has hundreds of items."""
    items = visible.values(
        "id",
        "code",
        "title",
        "parent_id",
        "carried_from_id",
        "proposed_by_id",
        "proposed_by__name_zh",
        "proposed_by__name_en",
        "domain",
        "lead_city_id",
        "lead_city__name_zh",
        "lead_city__name_en",
        "deadline",
        "weight",
    )
    all_facts = selectors.item_facts(plan)
    rolled = engine.rollup(all_facts)
    facts = {f.id: f for f in all_facts}
    reported_parents = {f.parent_id for f in all_facts if f.parent_id is not None and f.reported}
    domains = {value: str(label) for value, label in Domain.choices}  # translated once, not per row
    item_url = reverse("council:item", args=[999_999_999])  # reversed once; the id put in per row
    cities: dict[int, City] = {}  # one instance per city: the model's own `name` (active language) and str()
    explained: dict[tuple[str, ...], str] = {}  # many items share their steps ("reported 50%")

    def city(pk: int, name_zh: str, name_en: str) -> City:
        if pk not in cities:
            cities[pk] = City(pk=pk, name_zh=name_zh, name_en=name_en)
        return cities[pk]

    rows = []
    for i in items:
        pk, r = i["id"], rolled[i["id"]]
        if r.steps not in explained:
            explained[r.steps] = "；".join(map(str, render_steps(r.steps)))  # the progress cell's title
        proposer = None
        if i["proposed_by_id"]:
            proposer = city(i["proposed_by_id"], i["proposed_by__name_zh"], i["proposed_by__name_en"])
        reported = facts[pk].reported or pk in reported_parents
        rows.append(
            PlanRow(
                code=i["code"],
                title=i["title"],
                url=item_url.replace("999999999", str(pk)),
                parent_id=i["parent_id"],
                carried_from_id=i["carried_from_id"],
                proposed_by=proposer,
                domain=domains.get(i["domain"], i["domain"]),
                lead_city=city(i["lead_city_id"], i["lead_city__name_zh"], i["lead_city__name_en"]),
                deadline=i["deadline"],
                weight=i["weight"],
                percent=r.percent,
                explanation=explained[r.steps],
                status=ItemStatus(engine.classify_item(r.percent, i["deadline"], as_of, reported)),
            )
        )
    by_domain: dict[str, list[float]] = {}
    for row in rows:
        if row.parent_id is None:
            by_domain.setdefault(row.domain, []).append(row.percent)
    chart = bar_chart(
        [str(d) for d in by_domain],
        {_("Progress"): [round(sum(v) / len(v), 1) for v in by_domain.values()]},
        unit="%",
        y_max=100,
        labels=True,
        decimals=1,
        filename=f"plan-{plan.year}-progress",
    )
    return {
        "rows": plan_rows_html(rows),
        "overall": engine.plan_progress(all_facts),
        "chart": chart,
    }


def _first_city(user) -> City | None:
    ids = cities_acted_for(user)
    if ids is None:
        return City.objects.order_by("sort_order").first()
    return City.objects.filter(pk__in=ids).first()


@login_required
@require_POST
def plan_add_item(request, year):
    plan = _plan(request, year)
    form = WorkItemForm(request.POST, plan=plan)
    if _submitted(request, form, lambda d: services.do_add_work_item(plan, d, actor=request.user)):
        messages.success(request, _("Work item added."))
    return HttpResponseRedirect(plan.get_absolute_url())


@login_required
@require_POST
def plan_transition(request, year, step):
    plan = _plan(request, year)
    actions = {
        "submit": services.do_submit_plan,
        "start": services.do_start_plan,
        "close": services.do_close_plan,
    }
    try:
        if step == "next-year":
            nxt, carried = services.do_prepare_next_year(plan, actor=request.user)
            messages.success(request, _("%(n)s unfinished items carried over.") % {"n": len(carried)})
            return HttpResponseRedirect(nxt.get_absolute_url())
        if step not in actions:
            raise Http404
        actions[step](plan, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        done = {
            "submit": _("The plan was submitted to the council."),
            "start": _("The plan is in progress: the cities report on its items quarterly."),
            "close": _("The plan is closed: its figures are final and the annual summary can be published."),
        }
        messages.success(request, done[step])
    return HttpResponseRedirect(plan.get_absolute_url())


def item_detail(request, pk):
    item = get_object_or_404(
        restrict(
            WorkItem.objects.select_related("plan", "lead_city", "lead_organisation", "parent", "carried_from"),
            request.user,
        ),
        pk=pk,
    )
    reports = list(restrict(item.reports.select_related("city", "submitted_by", "reviewed_by"), request.user))
    evidence = {r.pk: list(attachments_of(r, request.user)) for r in reports}
    cities = [
        c
        for c in [item.lead_city, *item.participating_cities.all()]
        if can(
            request.user,
            "report",
            ProgressReport(item=item, city=c, year=item.plan.year, quarter=1, percent_complete=0),
        )
    ]
    report_form = ReportForm(cities=cities) if cities and item.plan.status == PlanStatus.IN_PROGRESS else None
    may_review = any(can(request.user, REVIEW, r) for r in reports if r.review_status == ReviewStatus.PENDING)
    return render(
        request,
        "council/item.html",
        {
            "item": item,
            "children": item.children.select_related("lead_city"),
            "reports": [(r, evidence[r.pk]) for r in reports],
            "report_form": report_form,
            "review_form": ReviewForm() if may_review else None,
            "articles": item.articles.select_related("document"),
            "participants": item.participating_cities.all(),
        },
    )


@login_required
@require_POST
def item_report(request, pk):
    item = get_object_or_404(restrict(WorkItem.objects.select_related("plan"), request.user), pk=pk)
    cities = [item.lead_city, *item.participating_cities.all()]

    def submit(d: dict) -> ProgressReport:
        report = services.do_submit_report(
            item,
            d["city"],
            d["quarter"],
            percent_complete=d["percent_complete"],
            kpi_actual=d["kpi_actual"],
            narrative=d["narrative"],
            actor=request.user,
        )
        if d.get("evidence"):
            services.do_attach_evidence(report, d["evidence"], actor=request.user)
        return report

    if _submitted(request, ReportForm(request.POST, request.FILES, cities=cities), submit):
        messages.success(request, _("Report saved."))
    return HttpResponseRedirect(item.get_absolute_url())


@login_required
@require_POST
def report_review(request, pk):
    report = get_object_or_404(restrict(ProgressReport.objects.select_related("item", "city"), request.user), pk=pk)
    form = ReviewForm(request.POST)
    reviewed = _submitted(
        request,
        form,
        lambda d: services.do_review_report(
            report, accept=d["decision"] == "accept", comment=d["comment"], actor=request.user
        ),
    )
    if reviewed and form.cleaned_data["decision"] == "accept":
        messages.success(
            request,
            _("Report accepted: %(item)s, %(city)s, Q%(quarter)s.")
            % {"item": report.item.title, "city": report.city.name, "quarter": report.quarter},
        )
    elif reviewed:
        messages.success(
            request,
            _("Report returned to %(city)s with your comment; its liaisons were notified.")
            % {"city": report.city.name},
        )
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(back)
    return HttpResponseRedirect(report.get_absolute_url())


def meeting_detail(request, pk):
    meeting = get_object_or_404(restrict(Meeting.objects.select_related("council"), request.user), pk=pk)
    resolutions = restrict(meeting.resolutions.select_related("plan"), request.user)
    return render(
        request,
        "council/meeting.html",
        {
            "meeting": meeting,
            "resolutions": resolutions,
            "attendees": meeting.attendees.all(),
            "files": attachments_of(meeting, request.user),
            "can_manage": can(request.user, Action.CHANGE, meeting),
            "resolution_form": ResolutionForm(),
            "attachment_form": AttachmentForm(),
        },
    )


def _vote_table(resolution: Resolution) -> list[dict]:
    votes = {v.city_id: v for v in resolution.votes.select_related("cast_by")}
    seats = CouncilSeat.objects.filter(council=resolution.meeting.council).select_related("city", "representative")
    return [{"seat": s, "vote": votes.get(s.city_id), "counts": s.counts_on(resolution.meeting.held_on)} for s in seats]


def resolution_detail(request, pk):
    resolution = get_object_or_404(
        restrict(Resolution.objects.select_related("meeting__council", "plan"), request.user), pk=pk
    )
    vote_cities = [
        s["seat"].city
        for s in _vote_table(resolution)
        if s["vote"] is None and can(request.user, VOTE, Vote(resolution=resolution, city=s["seat"].city))
    ]
    is_open = resolution.status == ResolutionStatus.OPEN
    return render(
        request,
        "council/resolution.html",
        {
            "resolution": resolution,
            "table": _vote_table(resolution),
            "tally": resolution.tally if not is_open else services.tally(resolution).as_dict(),
            "vote_form": VoteForm(cities=vote_cities) if vote_cities and is_open else None,
            "can_decide": is_open and can(request.user, Action.CHANGE, resolution),
        },
    )


@login_required
@require_POST
def resolution_vote(request, pk):
    resolution = get_object_or_404(restrict(Resolution.objects.all(), request.user), pk=pk)
    form = VoteForm(request.POST, cities=City.objects.all())
    if form.is_valid():
        try:
            services.do_cast_vote(
                resolution, form.cleaned_data["city"], form.cleaned_data["choice"], actor=request.user
            )
            messages.success(request, _("Vote recorded."))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    return HttpResponseRedirect(resolution.get_absolute_url())


@login_required
@require_POST
def resolution_decide(request, pk):
    resolution = get_object_or_404(restrict(Resolution.objects.all(), request.user), pk=pk)
    try:
        services.do_decide_resolution(resolution, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return HttpResponseRedirect(resolution.get_absolute_url())


@login_required
def board(request):
    """Overdue items, late and returned reports by city and by domain. The office and auditors see every city, a
    liaison its own."""
    mine = council_policies.board_cities(request.user)
    if mine is not None and not mine:
        raise PermissionDenied(_("The board is for the council office, auditors and city liaisons."))
    today = timezone.localdate()
    # The tables are the same for everybody who sees the same cities: computed and rendered once per day, language
    # and set of cities, and kept until a council row changes (as the board's rows are for the API).
    scope = "*" if mine is None else ",".join(sorted(mine))
    figures = cached_view_data(
        "council", f"board-page:{today.isoformat()}:{get_language()}:{scope}", lambda: _board_figures(mine, today)
    )
    return render(
        request,
        "council/board.html",
        {
            "queue": review_queue(request.user),
            "review_form": ReviewForm(),
            "details": mark_safe(figures["details"]),
            "by_city": figures["by_city"],
            "by_domain": figures["by_domain"],
            "today": today,
        },
    )


def _board_figures(mine: frozenset[str] | None, today) -> dict:
    """The board's detail rows (rendered) and its counts by city and by domain, of the cities in `mine` (None:
    every city). Plain rows from the selector, not the cached rows (model instances) the API shares: this page needs
    no instances, so it pays neither for making nor for storing them."""
    rows = selectors.board_entries(today)
    if mine is not None:
        rows = [r for r in rows if r.city_code in mine]
    counts = selectors.board_counts(rows)
    names = {c.code: c.name for c in City.objects.all()}
    domains = {value: str(label) for value, label in Domain.choices}
    return {
        "details": board_rows_html(rows),
        "by_city": [(names.get(k, k), v) for k, v in sorted(counts["by_city"].items())],
        "by_domain": [(domains.get(k, k), v) for k, v in sorted(counts["by_domain"].items())],
    }


def review_queue(user) -> list[ProgressReport]:
    """The lead cities' reports awaiting review that this user may review (the office), oldest first."""
    pending = ProgressReport.objects.filter(review_status=ReviewStatus.PENDING)
    return list(
        restrict(pending, user, REVIEW)
        .select_related("item__plan", "city", "submitted_by")
        .order_by("submitted_at", "id")
    )


def may_see_board(user) -> bool:
    """The board is for readers of every city's reports (office, auditors) and city liaisons."""
    return council_policies.may_see_board(user)


def board_rows_for(user) -> list[selectors.BoardRow]:
    """The board's rows this user may see: every city's for the office and auditors, a liaison its own, else none."""
    mine = council_policies.board_cities(user)
    if mine is not None and not mine:
        return []
    rows = selectors.cached_board_rows()
    return rows if mine is None else [r for r in rows if r.city_code in mine]


def _summary_for(request, year) -> AnnualSummary:
    return get_object_or_404(restrict(AnnualSummary.objects.select_related("plan"), request.user), plan__year=year)


def summary(request, year):
    record = _summary_for(request, year)
    view = build_summary(record.plan)
    can_edit = can(request.user, Action.CHANGE, record)
    form = None
    if can_edit:
        if request.method == "POST":
            form = SummaryTextForm(request.POST, instance=AnnualSummary.objects.get(pk=record.pk))
            if form.is_valid():
                try:
                    services.do_update_summary(record, form.cleaned_data, actor=request.user)
                    messages.success(request, _("Summary saved."))
                    return HttpResponseRedirect(record.get_absolute_url())
                except ValidationError as exc:
                    messages.error(request, _error_text(exc))
        else:
            form = SummaryTextForm(instance=record)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "council/summary.html",
        {
            "record": record,
            "view": view,
            "form": form,
            "domain_rows": view.rows("domain"),
            "city_rows": view.rows("city"),
        },
    )


def summary_download(request, year, fmt):
    record = _summary_for(request, year)
    view = build_summary(record.plan)
    builders = {"docx": write_docx, "xlsx": write_xlsx}
    if fmt not in builders:
        raise Http404
    return downloads.built(f"{year}年度工作总结.{fmt}", lambda out: builders[fmt](view, out))


def alignment(request):
    data = selectors.alignment()
    documents = restrict(PlanDocument.objects.select_related("city"), request.user)
    visible_items = set(restrict(WorkItem.objects.all(), request.user).values_list("pk", flat=True))
    by_doc: dict[int, list] = {}
    for a in data["articles"]:
        items = [i for i in a.work_items.all() if i.pk in visible_items]
        by_doc.setdefault(a.document_id, []).append(
            {"article": a, "items": items, "unserved": a.pk in data["unserved"]}
        )
    return render(
        request,
        "council/alignment.html",
        {
            "documents": [(d, by_doc.get(d.pk, [])) for d in documents],
            "unserved_count": len(data["unserved"]),
            "article_count": len(data["articles"]),
        },
    )
