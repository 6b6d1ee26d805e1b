"""Pages of the forum: overview, suggestion list, the public status page of a suggestion with its steps, the
submission form, the moderator queue, research projects and events. Thin: access through core.permissions,
changes through services. User-written text is rendered escaped (autoescape): markup shows as text."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metrocoop.core.attachments import attachments_of
from metrocoop.core.choices import OrganisationKind
from metrocoop.core.models import Organisation
from metrocoop.core.permissions import Action, acts_region_wide, can, can_any, restrict
from metrocoop.forum import models, services
from metrocoop.forum.choices import OPEN_STATUSES, Moderation, SuggestionStatus
from metrocoop.forum.filtersets import SuggestionFilterSet
from metrocoop.forum.forms import (
    AnswerForm,
    AssignForm,
    DeclineForm,
    DigestForm,
    MergeForm,
    ReportForm,
    ResearchAdvanceForm,
    ResearchProposalForm,
    SuggestionForm,
)
from metrocoop.forum.policies import ANSWER, REPORT, VOTE


def _suggestions(user):
    return (
        restrict(models.Suggestion.objects.all(), user)
        .select_related("author", "organisation", "assigned_city")
        .prefetch_related("cities")
        .annotate(vote_count=Count("votes", distinct=True))
        .order_by("-submitted_at", "-id")
    )


def index(request):
    latest = list(_suggestions(request.user).filter(merged_into__isnull=True)[:8])
    research = restrict(models.ResearchProject.objects.select_related("organisation", "fund_project"), request.user)
    events = restrict(models.ForumEvent.objects.select_related("city"), request.user)
    counts = dict(
        restrict(models.Suggestion.objects.all(), request.user)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    statuses = [(value, label, counts.get(value, 0)) for value, label in SuggestionStatus.choices]
    return render(
        request,
        "forum/index.html",
        {
            "latest": latest,
            "research": research,
            "events": events,
            "statuses": statuses,
            "today": timezone.localdate(),
            "is_moderator": acts_region_wide(request.user),
            "can_propose": can_any(request.user, Action.ADD, models.ResearchProject),
        },
    )


def suggestions(request):
    filterset = SuggestionFilterSet(request.GET or None, queryset=_suggestions(request.user))
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    return render(request, "forum/suggestions.html", {"filter": filterset, "page": page, "today": timezone.localdate()})


@login_required
def suggestion_new(request):
    if not can_any(request.user, Action.ADD, models.Suggestion):
        raise PermissionDenied
    form = SuggestionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            suggestion = services.do_submit_suggestion(
                services.SuggestionInput(
                    title=data["title"],
                    text=data["text"],
                    category=data["category"],
                    cities=[c.code for c in data["cities"]],
                    event=int(request.GET["event"]) if request.GET.get("event", "").isdigit() else None,
                ),
                actor=request.user,
                files=[data["attachment"]] if data.get("attachment") else [],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Thank you: your suggestion was received."))
            return HttpResponseRedirect(suggestion.get_absolute_url())
    return render(request, "forum/suggestion_form.html", {"form": form})


def suggestion_detail(request, pk):
    suggestion = get_object_or_404(_suggestions(request.user), pk=pk)
    user = request.user
    duplicates = restrict(
        models.DuplicateCandidate.objects.filter(suggestion=suggestion, dismissed=False).select_related("other"), user
    ).filter(other__in=restrict(models.Suggestion.objects.all(), user))
    voted = user.is_authenticated and models.SuggestionVote.objects.filter(suggestion=suggestion, voter=user).exists()
    is_office = can(user, Action.CHANGE, suggestion)
    context = {
        "s": suggestion,
        "duplicates": duplicates,
        "merged": restrict(suggestion.merged.all(), user),
        "attachments": attachments_of(suggestion, user),
        "overdue": services.is_overdue(suggestion),
        "voted": voted,
        "can_vote": user.is_authenticated
        and not voted
        and can(user, VOTE, suggestion)
        and services.organisation_account(user) is None
        and suggestion.status != SuggestionStatus.DECLINED
        and suggestion.merged_into_id is None,
        "can_report": user.is_authenticated and can(user, REPORT, suggestion) and suggestion.author_id != user.pk,
        "is_office": is_office,
        "can_answer": suggestion.status == SuggestionStatus.ASSIGNED
        and can(user, ANSWER, suggestion)
        and (suggestion.author_id != user.pk or is_office),
        "can_close": suggestion.status == SuggestionStatus.ANSWERED and (is_office or suggestion.author_id == user.pk),
        "decline_form": DeclineForm(prefix="decline"),
        "assign_form": AssignForm(prefix="assign"),
        "answer_form": AnswerForm(prefix="answer"),
        "report_form": ReportForm(prefix="report"),
        "merge_form": MergeForm(prefix="merge"),
        "open_statuses": OPEN_STATUSES,
    }
    return render(request, "forum/suggestion.html", context)


STEP_FORMS = {
    "decline": DeclineForm,
    "assign": AssignForm,
    "answer": AnswerForm,
    "report": ReportForm,
    "merge": MergeForm,
}


@login_required
@require_POST
def suggestion_step(request, pk, step):
    suggestion = get_object_or_404(_suggestions(request.user), pk=pk)
    user = request.user
    form = STEP_FORMS[step](request.POST, prefix=step) if step in STEP_FORMS else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return HttpResponseRedirect(suggestion.get_absolute_url())
    data = form.cleaned_data if form is not None else {}
    target = suggestion.get_absolute_url()
    try:
        if step == "accept":
            services.do_accept_suggestion(suggestion, actor=user)
        elif step == "decline":
            services.do_decline_suggestion(suggestion, reason=data["reason"], note=data["note"], actor=user)
        elif step == "assign":
            services.do_assign_suggestion(suggestion, city=data["city"], domain=data["domain"], actor=user)
        elif step == "answer":
            services.do_answer_suggestion(suggestion, answer=data["answer"], actor=user)
        elif step == "close":
            services.do_close_suggestion(suggestion, actor=user)
        elif step == "merge":
            into = get_object_or_404(_suggestions(user), pk=data["into"])
            services.do_merge_suggestion(suggestion, into=into, actor=user)
        elif step == "vote":
            services.do_vote(suggestion, actor=user)
        elif step == "unvote":
            services.do_unvote(suggestion, actor=user)
        elif step == "report":
            services.do_report_suggestion(suggestion, reason=data["reason"], note=data["note"], actor=user)
            messages.success(request, _("Thank you: the moderators will look at your report."))
        elif step in ("remove", "restore"):
            services.do_moderate_suggestion(suggestion, remove=step == "remove", actor=user)
            target = reverse("forum:moderation")
        elif step == "dismiss":
            candidate = get_object_or_404(
                models.DuplicateCandidate, suggestion=suggestion, other_id=request.POST.get("other", "0")
            )
            services.do_dismiss_duplicate(candidate, actor=user)
        else:
            raise Http404
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    return HttpResponseRedirect(target)


@login_required
def moderation(request):
    if not acts_region_wide(request.user):
        raise PermissionDenied
    base = _suggestions(request.user)
    reported = (
        base.filter(Q(moderation=Moderation.PENDING) | Q(reports__isnull=False, reports__resolved_at__isnull=True))
        .distinct()
        .prefetch_related("reports")
    )
    duplicates = (
        models.DuplicateCandidate.objects.filter(dismissed=False, suggestion__merged_into__isnull=True)
        .exclude(suggestion__status__in=[SuggestionStatus.CLOSED, SuggestionStatus.DECLINED])
        .select_related("suggestion", "other")
    )
    today = timezone.localdate()
    waiting = base.filter(status__in=OPEN_STATUSES, merged_into__isnull=True).order_by("due_on", "id")
    return render(
        request,
        "forum/moderation.html",
        {"reported": reported, "duplicates": duplicates, "waiting": waiting, "today": today},
    )


def research_detail(request, pk):
    project = get_object_or_404(
        restrict(models.ResearchProject.objects.select_related("organisation", "lead", "fund_project"), request.user),
        pk=pk,
    )
    fund_project = None
    if project.fund_project_id:
        from metrocoop.funds.models import Project

        fund_project = restrict(Project.objects.filter(pk=project.fund_project_id), request.user).first()
    return render(
        request,
        "forum/research.html",
        {
            "p": project,
            "fund_project": fund_project,
            "attachments": attachments_of(project, request.user),
            "can_advance": can(request.user, Action.CHANGE, project) and project.status in services.RESEARCH_NEXT,
            "advance_form": ResearchAdvanceForm(),
        },
    )


@login_required
def research_new(request):
    if not can_any(request.user, Action.ADD, models.ResearchProject):
        raise PermissionDenied
    societies = Organisation.objects.filter(kind=OrganisationKind.RESEARCH_SOCIETY).order_by("code")
    own = Organisation.objects.filter(role_assignments__user=request.user, kind=OrganisationKind.RESEARCH_SOCIETY)
    organisation = own.first() or societies.first()
    form = ResearchProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and organisation is not None:
        data = form.cleaned_data
        try:
            project = services.do_propose_research(
                name_zh=data["name_zh"],
                name_en=data["name_en"],
                summary=data["summary"],
                organisation=organisation,
                cities=list(data["cities"]),
                actor=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return HttpResponseRedirect(project.get_absolute_url())
    return render(request, "forum/research_form.html", {"form": form, "organisation": organisation})


@login_required
@require_POST
def research_advance(request, pk):
    project = get_object_or_404(restrict(models.ResearchProject.objects.all(), request.user), pk=pk)
    form = ResearchAdvanceForm(request.POST)
    form.is_valid()
    try:
        services.do_advance_research(
            project, report_summary=form.cleaned_data.get("report_summary", ""), actor=request.user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    return HttpResponseRedirect(project.get_absolute_url())


def event_detail(request, pk):
    event = get_object_or_404(
        restrict(models.ForumEvent.objects.select_related("city"), request.user).prefetch_related(
            Prefetch("programme", queryset=models.ProgrammeItem.objects.prefetch_related("speakers")), "speakers"
        ),
        pk=pk,
    )
    produced = _suggestions(request.user).filter(event=event)
    return render(
        request,
        "forum/event.html",
        {"event": event, "produced": produced, "attachments": attachments_of(event, request.user)},
    )


@login_required
def digest_preference(request):
    current = models.DigestPreference.objects.filter(user=request.user).first()
    form = DigestForm(request.POST or None, initial={"frequency": current.frequency if current else "daily"})
    if request.method == "POST" and form.is_valid():
        services.do_set_digest_frequency(form.cleaned_data["frequency"], actor=request.user)
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(reverse("forum:digest"))
    return render(request, "forum/digest.html", {"form": form})
