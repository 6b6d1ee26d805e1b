"""Pages of the policy library (Chinese first). Access through core.permissions; writes through the services."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from metrocoop.core import downloads
from metrocoop.core.exports import money, write_xlsx
from metrocoop.core.forms import error_text
from metrocoop.core.models import City
from metrocoop.core.permissions import Action, can, can_any, restrict
from metrocoop.policies import services
from metrocoop.policies.choices import CatalogueStance, CommentResponse, ConsultationStatus, ReplicationStatus
from metrocoop.policies.engine.compare import ProvisionRow, compare_provisions
from metrocoop.policies.engine.replication import readiness
from metrocoop.policies.filtersets import CatalogueIndustryFilter
from metrocoop.policies.forms import (
    AnswerForm,
    CloseForm,
    CommentForm,
    ConsultationForm,
    DecisionForm,
    ProposalForm,
)
from metrocoop.policies.models import (
    Consultation,
    ConsultationClause,
    ConsultationComment,
    CurationProposal,
    IndustryCatalogueEntry,
    PilotReform,
    PolicyDocument,
    Topic,
)
from metrocoop.policies.policies import CURATE
from metrocoop.policies.search import FILTERS, search

FACET_TITLES = {
    "city": gettext_lazy("City"),
    "level": gettext_lazy("Level"),
    "issuer": gettext_lazy("Issuing organisation"),
    "domain": gettext_lazy("Domain"),
    "validity": gettext_lazy("Validity"),
    "year": gettext_lazy("Year"),
}


def _query_string(params: list[tuple[str, str]]) -> str:
    return "?" + urlencode(params) if params else "?"


def index(request):
    """Search page: query, refinements (search within), facets with counts, sort, highlighted snippets. htmx swaps
    the results block when a facet or a refinement is clicked."""
    q = request.GET.get("q", "").strip()
    within = [w for w in request.GET.getlist("within") if w.strip()]
    refine = request.GET.get("refine", "").strip()
    if refine:
        within.append(refine)
    filters = {f: request.GET.getlist(f) for f in FILTERS}
    sort = request.GET.get("sort", "relevance")
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    history = request.GET.get("history") == "1"
    result = search(q, user=request.user, within=within, filters=filters, sort=sort, page=page, history=history)
    base: list[tuple[str, str]] = [("q", q)] + [("within", w) for w in within] + ([("history", "1")] if history else [])
    selected = [(f, v) for f in FILTERS for v in result.filters.get(f, [])]

    def url_with(extra: list[tuple[str, str]], drop: tuple[str, str] | None = None, **override) -> str:
        params = [p for p in base + selected + extra if p != drop]
        params += list(override.items())
        if "sort" not in override and sort != "relevance":
            params.append(("sort", sort))
        return _query_string(params)

    facets = []
    for name, values in result.facets.items():
        rows = []
        for v in values:
            active = (name, v["value"]) in selected
            rows.append(
                {
                    **v,
                    "active": active,
                    "url": url_with([], drop=(name, v["value"])) if active else url_with([(name, v["value"])]),
                }
            )
        facets.append({"name": name, "title": FACET_TITLES[name], "values": rows})
    context = {
        "q": q,
        "within": within,
        "result": result,
        "facets": facets,
        "selected": [{"name": f, "value": v, "remove_url": url_with([], drop=(f, v))} for f, v in selected],
        "within_links": [
            {"text": w, "remove_url": _query_string([("q", q)] + [("within", x) for x in within if x != w] + selected)}
            for w in within
        ],
        "sort_urls": {
            "relevance": url_with([], sort="relevance"),
            "newest": url_with([], sort="-date"),
            "oldest": url_with([], sort="date"),
        },
        # relevance with the versions in force first (default), or relevance alone (history)
        "history_url": url_with([], drop=("history", "1")) if history else url_with([("history", "1")]),
        "prev_url": url_with([], page=str(page - 1)) if page > 1 else None,
        "next_url": url_with([], page=str(page + 1)) if page < result.pages else None,
        "hidden": base[1:] + selected + ([("sort", sort)] if sort != "relevance" else []),
        "can_add": can_any(request.user, Action.ADD, PolicyDocument),
    }
    template = "policies/_results.html" if request.headers.get("HX-Request") else "policies/index.html"
    return render(request, template, context)


def document(request, key):
    doc = get_object_or_404(
        restrict(PolicyDocument.objects.select_related("city", "province", "issuer_org"), request.user), key=key
    )
    outgoing = restrict(doc.outgoing_relations.select_related("target"), request.user)
    incoming = restrict(doc.incoming_relations.select_related("source"), request.user)
    return render(
        request,
        "policies/document.html",
        {
            "doc": doc,
            "outgoing": outgoing,
            "incoming": incoming,
            "history": doc.validity_changes.all(),
            "attachments": doc.attachments.all(),
            "domains": doc.domain_tags.all(),
            "can_edit": can(request.user, Action.CHANGE, doc),
            "can_propose": request.user.is_authenticated,
        },
    )


def _comparison(topic: Topic, user):
    provisions = list(restrict(topic.provisions.select_related("city", "document"), user))
    rows = [
        ProvisionRow(
            city=p.city.code,
            threshold=p.threshold,
            amount_fen=p.amount_fen,
            duration_months=p.duration_months,
            condition=p.condition,
            document=p.document.key if p.document else "",
        )
        for p in provisions
    ]
    result = compare_provisions(rows, higher_is_stricter=topic.threshold_direction == "higher")
    return provisions, result


def topics(request):
    return render(request, "policies/topics.html", {"topics": restrict(Topic.objects.all(), request.user)})


def topic(request, code):
    t = get_object_or_404(restrict(Topic.objects.all(), request.user), code=code)
    provisions, result = _comparison(t, request.user)
    names = {p.city.code: p.city.name_zh for p in provisions}
    table = [
        {
            "p": p,
            "amount_wan": p.amount_fen / 1_000_000 if p.amount_fen is not None else None,
            "diff": {
                f: result.is_different(p.city.code, f)
                for f in ("threshold", "amount_fen", "duration_months", "condition")
            },
            "strictest": p.city.code in result.strictest,
            "loosest": p.city.code in result.loosest,
        }
        for p in provisions
    ]
    return render(
        request,
        "policies/topic.html",
        {
            "topic": t,
            "table": table,
            "result": result,
            "strictest": [names[c] for c in result.strictest],
            "loosest": [names[c] for c in result.loosest],
        },
    )


def topic_export(request, code):
    """The comparison as an Excel sheet (core.exports.write_xlsx)."""
    t = get_object_or_404(restrict(Topic.objects.all(), request.user), code=code)
    provisions, result = _comparison(t, request.user)
    headers = [
        "城市 City",
        f"{t.threshold_label or '门槛'}（{t.threshold_unit}） Threshold",
        f"{t.amount_label or '金额'}（元） Amount (yuan)",
        "期限（月） Duration (months)",
        "条件 Condition",
        "依据文件 Document",
        "与多数不同 Differs",
        "最严/最宽 Strictest/loosest",
    ]
    field_names = {
        "threshold": t.threshold_label or "门槛",
        "amount_fen": t.amount_label or "金额",
        "duration_months": "期限",
        "condition": "条件",
    }
    rows = []
    for p in provisions:
        code_ = p.city.code
        differs = [
            f for f in ("threshold", "amount_fen", "duration_months", "condition") if result.is_different(code_, f)
        ]
        mark = "最严 strictest" if code_ in result.strictest else "最宽 loosest" if code_ in result.loosest else ""
        rows.append(
            [
                p.city.name_zh,
                p.threshold,
                money(p.amount_fen),
                p.duration_months,
                p.condition,
                str(p.document) if p.document else "",
                "、".join(field_names[f] for f in differs),
                mark,
            ]
        )
    return downloads.built(f"{t.name_zh}-政策比较.xlsx", lambda out: write_xlsx(out, t.name_zh, headers, rows))


def reforms(request):
    cities = list(City.objects.current_members())
    reform_list = list(
        restrict(PilotReform.objects.select_related("origin_city").prefetch_related("replications__city"), request.user)
    )
    labels = dict(ReplicationStatus.choices)
    matrix, ready = [], []
    for r in reform_list:
        statuses = {x.city.code: x.status for x in r.replications.all()}
        check = readiness(r.code, statuses, [c.code for c in cities])
        matrix.append(
            {
                "reform": r,
                "cells": [
                    {
                        "status": statuses.get(c.code, "not_started"),
                        "label": labels[statuses.get(c.code, "not_started")],
                    }
                    for c in cities
                ],
                "readiness": check,
            }
        )
        if check.ready:
            ready.append(
                {"reform": r, "readiness": check, "open": [c.name_zh for c in cities if c.code in check.open_cities]}
            )
    return render(request, "policies/reforms.html", {"cities": cities, "matrix": matrix, "ready": ready})


def catalogue(request):
    entries = restrict(IndustryCatalogueEntry.objects.select_related("city", "document"), request.user)
    industries = entries.values_list("industry_code", "industry_name").distinct().order_by("industry_code")
    chosen = CatalogueIndustryFilter(request.GET, queryset=entries)
    code = chosen.chosen_code()
    cities = list(City.objects.current_members())
    selected = None
    if code:
        by_city = {e.city_id: e for e in chosen.qs}
        selected = {
            "code": code,
            "rows": [{"city": c, "entry": by_city.get(c.pk)} for c in cities],
        }
    # overview: industry × city stances
    grid = {}
    for e in entries:
        grid.setdefault(e.industry_code, {})[e.city_id] = e.stance
    overview = [
        {"code": ic, "name": name, "cells": [grid.get(ic, {}).get(c.pk, "") for c in cities]} for ic, name in industries
    ]
    return render(
        request,
        "policies/catalogue.html",
        {"cities": cities, "overview": overview, "selected": selected, "stances": dict(CatalogueStance.choices)},
    )


@login_required
def proposals(request):
    rows = restrict(CurationProposal.objects.select_related("proposer", "document", "decided_by"), request.user)
    return render(
        request,
        "policies/proposals.html",
        {
            "proposals": rows,
            "can_curate": can_any(request.user, CURATE, CurationProposal),
            "propose_form": ProposalForm(),
        },
    )


@login_required
@require_POST
def propose(request):
    form = ProposalForm(request.POST)

    def submit(data):
        key = data["document"]
        doc = restrict(PolicyDocument.objects.all(), request.user).filter(key=key).first() if key else None
        services.do_propose(
            "correction" if doc else "new_document",
            document=doc,
            payload=form.payload(doc is not None),
            note=data["note"],
            actor=request.user,
        )

    return _with_form(
        request,
        reverse("policies:proposals"),
        form,
        submit,
        done=_("Thank you: the expert committee will review your proposal."),
        refused=(ValidationError, PermissionDenied),
    )


@login_required
@require_POST
def decide(request, pk):
    proposal = get_object_or_404(restrict(CurationProposal.objects.all(), request.user), pk=pk)
    return _with_form(
        request,
        reverse("policies:proposals"),
        DecisionForm(request.POST),
        lambda data: services.do_decide_proposal(proposal, data["accept"], note=data["note"], actor=request.user),
        done=_("Decision recorded."),
    )


def consultations(request):
    rows = restrict(Consultation.objects.select_related("city"), request.user)
    return render(
        request,
        "policies/consultations.html",
        {
            "consultations": rows,
            "can_open": can_any(request.user, Action.ADD, Consultation),
            "open_form": ConsultationForm(),
        },
    )


def consultation(request, pk):
    c = get_object_or_404(restrict(Consultation.objects.select_related("city", "document"), request.user), pk=pk)
    clauses = c.clauses.prefetch_related("comments__author", "comments__author_city")
    return render(
        request,
        "policies/consultation.html",
        {
            "c": c,
            "clauses": clauses,
            "can_answer": can(request.user, Action.CHANGE, c),
            "can_comment": (
                c.status == ConsultationStatus.OPEN and can_any(request.user, Action.ADD, ConsultationComment)
            ),
            "responses": [r for r in CommentResponse.choices if r[0] != "pending"],
            "close_form": CloseForm(),
        },
    )


@login_required
@require_POST
def consultation_open(request):
    form = ConsultationForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form))
        return HttpResponseRedirect(reverse("policies:consultations"))
    data = form.cleaned_data
    try:
        c = services.do_open_consultation(
            data["title"].strip(),
            data["city"],
            form.clause_lines(),
            data["deadline"],
            domain=data["domain"],
            summary=data["summary"],
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return HttpResponseRedirect(reverse("policies:consultations"))
    return HttpResponseRedirect(c.get_absolute_url())


def _with_form(request, back: str, form, call, *, done: str | None = None, refused=(ValidationError,)):
    """Run ``call(cleaned_data)`` when the form is valid and say it is `done`, else say what is wrong (the form's
    errors, or why the service refused); back to `back`."""
    if not form.is_valid():
        messages.error(request, error_text(form))
        return HttpResponseRedirect(back)
    try:
        call(form.cleaned_data)
        messages.success(request, done or _("Saved."))
    except refused as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    return HttpResponseRedirect(back)


@login_required
@require_POST
def consultation_comment(request, pk, number):
    clause = get_object_or_404(
        ConsultationClause.objects.select_related("consultation"), consultation_id=pk, number=number
    )
    return _with_form(
        request,
        clause.consultation.get_absolute_url(),
        CommentForm(request.POST),
        lambda data: services.do_comment_clause(clause, data["text"], actor=request.user),
    )


@login_required
@require_POST
def consultation_answer(request, pk, comment_id):
    comment = get_object_or_404(ConsultationComment, pk=comment_id, clause__consultation_id=pk)
    return _with_form(
        request,
        comment.clause.consultation.get_absolute_url(),
        AnswerForm(request.POST),
        lambda data: services.do_answer_comment(comment, data["response"], data["text"], actor=request.user),
    )


@login_required
@require_POST
def consultation_close(request, pk):
    c = get_object_or_404(Consultation, pk=pk)
    return _with_form(
        request,
        c.get_absolute_url(),
        CloseForm(request.POST),
        lambda data: services.do_close_consultation(c, data["outcome"], actor=request.user),
    )
