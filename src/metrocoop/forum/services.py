"""State changes of the forum. Each checks access through core.permissions before and after the write, runs in one
transaction under `acting(actor)` (the audit trail names the actor) and notifies through core.notifications.

Deadlines are working days on China's official calendar (engine.add_working_days):

- received → accept or decline within RESPONSE_WORKING_DAYS["received"] working days of receipt;
- accepted → assign within RESPONSE_WORKING_DAYS["accepted"] working days of acceptance;
- assigned → answer within RESPONSE_WORKING_DAYS["assigned"] working days of assignment.

`check_deadlines` (the `metrocoop forum deadlines` command, daily) reminds whoever owes the next step when the
deadline is near and escalates to the office once it has passed; it is idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from metrocoop.core.attachments import do_attach
from metrocoop.core.audit import acting
from metrocoop.core.choices import Domain, OrganisationKind, Role
from metrocoop.core.errors import Conflict
from metrocoop.core.models import City, Organisation, RoleAssignment, User
from metrocoop.core.notifications import notify, office_users
from metrocoop.core.notifications import send_digests as core_send_digests
from metrocoop.core.permissions import Action, acts_region_wide, require
from metrocoop.core.writes import save_fields
from metrocoop.forum import engine
from metrocoop.forum.choices import (
    OPEN_STATUSES,
    DeclineReason,
    DigestFrequency,
    Moderation,
    ReportReason,
    ResearchStatus,
    SuggestionCategory,
    SuggestionStatus,
)
from metrocoop.forum.models import (
    DigestPreference,
    DuplicateCandidate,
    ForumEvent,
    ProgrammeItem,
    ResearchProject,
    Speaker,
    Suggestion,
    SuggestionReport,
    SuggestionVote,
)
from metrocoop.forum.policies import ANSWER, PUBLIC_SUGGESTIONS, REPORT, VOTE

RESPONSE_WORKING_DAYS = {
    SuggestionStatus.RECEIVED: 5,
    SuggestionStatus.ACCEPTED: 3,
    SuggestionStatus.ASSIGNED: 15,
}
REMIND_WITHIN_WORKING_DAYS = 2
ORGANISATION_ACCOUNT_KINDS = (OrganisationKind.ENTERPRISE, OrganisationKind.ASSOCIATION)
# How many suggestions the duplicate check compares against (the most recent public ones).
DUPLICATE_POOL = 5000
TITLE_MAX, TEXT_MAX, NOTE_MAX = 200, 10_000, 2_000


def reports_to_hide() -> int:
    """Open reports from distinct people after which a suggestion is hidden pending a moderator's review."""
    return int(getattr(settings, "FORUM_REPORTS_TO_HIDE", 3))


_clock: ContextVar[datetime | None] = ContextVar("metrocoop_forum_clock", default=None)


def _now() -> datetime:
    """The clock every step reads: now, or the moment set by `clock_at` (the demo replays a past month)."""
    return _clock.get() or timezone.now()


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Run the steps inside as if it were `moment` (the demo data's history; tests on chosen days)."""
    token = _clock.set(moment)
    try:
        yield
    finally:
        _clock.reset(token)


def _today() -> date:
    return timezone.localdate(_now())


# --- who is who --------------------------------------------------------------------------------------------------


def organisation_account(user: Any) -> Organisation | None:
    """The enterprise or association a user's account speaks for, or None for an individual."""
    if not getattr(user, "is_authenticated", False):
        return None
    ra = (
        RoleAssignment.objects.filter(user=user, organisation__kind__in=ORGANISATION_ACCOUNT_KINDS)
        .select_related("organisation")
        .order_by("id")
        .first()
    )
    return ra.organisation if ra else None


def responsible_users(suggestion: Suggestion) -> list[User]:
    """Who owes the suggestion's next step: the office until it is assigned, then the assignee (the office, or the
    officers of the assigned city's department)."""
    if suggestion.status != SuggestionStatus.ASSIGNED or suggestion.assigned_city_id is None:
        return office_users()
    return (
        list(
            User.objects.filter(
                is_active=True,
                role_assignments__role=Role.DEPARTMENT,
                role_assignments__city_id=suggestion.assigned_city_id,
                role_assignments__domain=suggestion.assigned_domain,
            ).distinct()
        )
        or office_users()
    )


def _set_deadline(suggestion: Suggestion, start: date) -> None:
    days = RESPONSE_WORKING_DAYS.get(suggestion.status)
    if days is None:
        suggestion.due_on, suggestion.due_provisional = None, False
        return
    deadline = engine.add_working_days(start, days)
    suggestion.due_on, suggestion.due_provisional = deadline.due_on, deadline.provisional


def _locked_in(suggestion: Suggestion, *allowed: str) -> Suggestion:
    """The suggestion read again and locked for a step, once it is in one of the `allowed` statuses (409 otherwise)."""
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    _require_status(locked, *allowed)
    return locked


def _require_status(suggestion: Suggestion, *allowed: str) -> None:
    if suggestion.status not in allowed:
        raise Conflict(
            _("This suggestion is %(status)s; this step is not possible now.")
            % {"status": suggestion.get_status_display()}
        )


def _tell_author(suggestion: Suggestion, kind: str, subject: str) -> None:
    notify([suggestion.author], kind=kind, subject=subject, url=suggestion.get_absolute_url(), obj=suggestion)


# --- submission and duplicates -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestionInput:
    title: str
    text: str
    category: str
    cities: Sequence[str] = ()
    event: int | None = None


def _clean_input(data: SuggestionInput) -> tuple[list[City], ForumEvent | None]:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = _("A title is required.")
    elif len(data.title) > TITLE_MAX:
        errors["title"] = _("At most %(n)s characters.") % {"n": TITLE_MAX}
    if not data.text.strip():
        errors["text"] = _("The suggestion's text is required.")
    elif len(data.text) > TEXT_MAX:
        errors["text"] = _("At most %(n)s characters.") % {"n": TEXT_MAX}
    if data.category not in SuggestionCategory.values:
        errors["category"] = _("Unknown category.")
    codes = [str(c).upper() for c in data.cities]
    cities = list(City.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {c.code for c in cities})
    if unknown:
        errors["cities"] = _("Unknown city codes: %(codes)s") % {"codes": ", ".join(unknown)}
    event = None
    if data.event is not None:
        event = ForumEvent.objects.filter(pk=data.event, published=True).first()
        if event is None:
            errors["event"] = _("Unknown forum event.")
    if errors:
        raise ValidationError(errors)
    return cities, event


def duplicate_pool(exclude: int | None = None) -> list[engine.Candidate]:
    rows = (
        Suggestion.objects.filter(PUBLIC_SUGGESTIONS, merged_into__isnull=True)
        .exclude(pk=exclude)
        .order_by("-submitted_at", "-id")
        .values_list("id", "title", "text")[:DUPLICATE_POOL]
    )
    return [engine.Candidate(pk, title, text) for pk, title, text in rows]


def find_likely_duplicates(title: str, text: str, *, exclude: int | None = None) -> list[engine.Match]:
    return engine.likely_duplicates(title, text, duplicate_pool(exclude))


def do_submit_suggestion(data: SuggestionInput, *, actor: Any, files: Iterable[Any] = ()) -> Suggestion:
    """A suggestion as its author wrote it (markup is kept as text, never refused), its deadline, and the likely
    duplicates found among the public suggestions (stored, and on `suggestion.likely_duplicates`)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to make a suggestion."))
    cities, event = _clean_input(data)
    with transaction.atomic(), acting(actor):
        suggestion = Suggestion(
            title=data.title,
            text=data.text,
            category=data.category,
            author=actor,
            organisation=organisation_account(actor),
            event=event,
            submitted_at=_now(),
        )
        require(actor, Action.ADD, suggestion)
        matches = find_likely_duplicates(data.title, data.text)
        _set_deadline(suggestion, timezone.localtime(suggestion.submitted_at).date())
        suggestion.save()
        suggestion.cities.set(cities)
        DuplicateCandidate.objects.bulk_create(
            [DuplicateCandidate(suggestion=suggestion, other_id=m.id, similarity=m.similarity) for m in matches]
        )
        for upload in files:
            do_attach(suggestion, upload, actor=actor, action=Action.VIEW)
        require(actor, Action.ADD, suggestion)
        notify(
            office_users(),
            kind="forum.suggestion_received",
            subject=_("New suggestion: %(title)s") % {"title": suggestion.title[:150]},
            url=suggestion.get_absolute_url(),
            obj=suggestion,
        )
    suggestion.likely_duplicates = matches
    return suggestion


# --- lifecycle ---------------------------------------------------------------------------------------------------


def _decide(suggestion: Suggestion, status: str, actor: Any, kind: str, message: str) -> None:
    """Record the office's decision on a suggestion (its status, when, the deadline of the next step), check the
    actor may still change it, and tell the author (`kind` and `message` of the notification)."""
    suggestion.status = status
    suggestion.decided_at = _now()
    _set_deadline(suggestion, _today())
    suggestion.save()
    require(actor, Action.CHANGE, suggestion)
    _tell_author(suggestion, kind, message)


def do_accept_suggestion(suggestion: Suggestion, *, actor: Any) -> Suggestion:
    require(actor, Action.CHANGE, suggestion)
    with transaction.atomic(), acting(actor):
        suggestion = _locked_in(suggestion, SuggestionStatus.RECEIVED)
        _decide(
            suggestion, SuggestionStatus.ACCEPTED, actor, "forum.suggestion_accepted", _("Your suggestion was accepted")
        )
    return suggestion


def do_decline_suggestion(suggestion: Suggestion, *, reason: str, note: str = "", actor: Any) -> Suggestion:
    require(actor, Action.CHANGE, suggestion)
    if reason not in DeclineReason.values:
        raise ValidationError({"reason": _("Give one of the reasons for declining.")})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("At most %(n)s characters.") % {"n": NOTE_MAX}})
    with transaction.atomic(), acting(actor):
        suggestion = _locked_in(suggestion, SuggestionStatus.RECEIVED, SuggestionStatus.ACCEPTED)
        suggestion.decline_reason, suggestion.decline_note = reason, note
        _decide(
            suggestion, SuggestionStatus.DECLINED, actor, "forum.suggestion_declined", _("Your suggestion was declined")
        )
    return suggestion


def do_assign_suggestion(
    suggestion: Suggestion, *, city: City | None = None, domain: str = "", actor: Any
) -> Suggestion:
    """Assign to the office (no city) or to a city's department (city and domain); an assigned one may be moved."""
    require(actor, Action.CHANGE, suggestion)
    if (city is None) != (not domain):
        raise ValidationError({"domain": _("A city department is a city and a domain; the office is neither.")})
    if domain and domain not in Domain.values:
        raise ValidationError({"domain": _("Unknown domain.")})
    with transaction.atomic(), acting(actor):
        suggestion = _locked_in(suggestion, SuggestionStatus.ACCEPTED, SuggestionStatus.ASSIGNED)
        suggestion.status = SuggestionStatus.ASSIGNED
        suggestion.assigned_city, suggestion.assigned_domain = city, domain
        suggestion.assigned_at = _now()
        suggestion.reminded_for = suggestion.escalated_for = None
        _set_deadline(suggestion, _today())
        suggestion.save()
        require(actor, Action.CHANGE, suggestion)
        notify(
            responsible_users(suggestion),
            kind="forum.suggestion_assigned",
            subject=_("A suggestion to answer by %(date)s: %(title)s")
            % {"date": suggestion.due_on.isoformat(), "title": suggestion.title[:120]},
            url=suggestion.get_absolute_url(),
            obj=suggestion,
        )
        _tell_author(suggestion, "forum.suggestion_assigned_author", _("Your suggestion was passed on for an answer"))
    return suggestion


def do_answer_suggestion(suggestion: Suggestion, *, answer: str, actor: Any) -> Suggestion:
    """The assignee's public answer. A city department answers only what is assigned to its city and domain."""
    require(actor, ANSWER, suggestion)
    if suggestion.author_id == getattr(actor, "pk", None) and not acts_region_wide(actor):
        raise PermissionDenied(_("Nobody answers their own suggestion."))
    if not answer.strip():
        raise ValidationError({"answer": _("The answer is empty.")})
    if len(answer) > TEXT_MAX:
        raise ValidationError({"answer": _("At most %(n)s characters.") % {"n": TEXT_MAX}})
    with transaction.atomic(), acting(actor):
        suggestion = _locked_in(suggestion, SuggestionStatus.ASSIGNED)
        suggestion.status = SuggestionStatus.ANSWERED
        suggestion.answer, suggestion.answered_by, suggestion.answered_at = answer, actor, _now()
        _set_deadline(suggestion, _today())
        suggestion.save()
        require(actor, ANSWER, suggestion)
        voters = User.objects.filter(forum_votes__suggestion=suggestion)
        notify(
            [suggestion.author, *voters],
            kind="forum.suggestion_answered",
            subject=_("A suggestion you follow was answered: %(title)s") % {"title": suggestion.title[:120]},
            url=suggestion.get_absolute_url(),
            obj=suggestion,
        )
    return suggestion


def do_close_suggestion(suggestion: Suggestion, *, actor: Any) -> Suggestion:
    """Close an answered suggestion: the office, or its author once satisfied."""
    if suggestion.author_id != getattr(actor, "pk", None):
        require(actor, Action.CHANGE, suggestion)
    else:
        require(actor, Action.VIEW, suggestion)
    with transaction.atomic(), acting(actor):
        suggestion = _locked_in(suggestion, SuggestionStatus.ANSWERED)
        suggestion.status = SuggestionStatus.CLOSED
        suggestion.closed_at = _now()
        suggestion.save()
    return suggestion


def do_merge_suggestion(duplicate: Suggestion, *, into: Suggestion, actor: Any) -> Suggestion:
    """Merge a duplicate into the suggestion that carries on: the duplicate closes pointing to it, and its
    supporters' votes move over (one per person still)."""
    require(actor, Action.CHANGE, duplicate)
    require(actor, Action.CHANGE, into)
    if duplicate.pk == into.pk:
        raise ValidationError({"into": _("A suggestion cannot be merged into itself.")})
    with transaction.atomic(), acting(actor):
        duplicate, into = (
            Suggestion.objects.select_for_update().get(pk=duplicate.pk),
            Suggestion.objects.select_for_update().get(pk=into.pk),
        )
        if duplicate.merged_into_id is not None:
            raise Conflict(_("This suggestion was already merged."))
        if into.merged_into_id is not None:
            raise ValidationError({"into": _("That suggestion was itself merged; merge into the one it went to.")})
        if duplicate.status in (SuggestionStatus.CLOSED, SuggestionStatus.DECLINED):
            raise Conflict(_("A closed or declined suggestion is not merged."))
        already = set(into.votes.values_list("voter_id", flat=True))
        moved = [v for v in duplicate.votes.all() if v.voter_id not in already]
        SuggestionVote.objects.bulk_create(
            [SuggestionVote(suggestion=into, voter_id=v.voter_id, created_at=v.created_at) for v in moved]
        )
        duplicate.merged_into = into
        duplicate.status = SuggestionStatus.CLOSED
        duplicate.closed_at = _now()
        duplicate.due_on, duplicate.due_provisional = None, False
        duplicate.save()
        DuplicateCandidate.objects.filter(
            Q(suggestion=duplicate, other=into) | Q(suggestion=into, other=duplicate)
        ).update(dismissed=True)
        require(actor, Action.CHANGE, duplicate)
        _tell_author(duplicate, "forum.suggestion_merged", _("Your suggestion was merged with a similar one"))
    return duplicate


def do_dismiss_duplicate(candidate: DuplicateCandidate, *, actor: Any) -> DuplicateCandidate:
    return save_fields(candidate, actor, dismissed=True)


# --- votes -------------------------------------------------------------------------------------------------------


def do_vote(suggestion: Suggestion, *, actor: Any) -> SuggestionVote:
    """One person's support. Organisation accounts do not vote: support counts people."""
    suggestion = Suggestion.objects.get(pk=suggestion.pk)  # its state now, not as the caller last read it
    require(actor, VOTE, suggestion)
    if organisation_account(actor) is not None:
        raise PermissionDenied(_("Organisation accounts cannot vote; support counts individuals."))
    if suggestion.status == SuggestionStatus.DECLINED or suggestion.merged_into_id is not None:
        raise ValidationError(_("This suggestion no longer takes support."))
    vote = SuggestionVote(suggestion=suggestion, voter=actor)
    require(actor, Action.ADD, vote)
    try:
        with transaction.atomic(), acting(actor):
            vote.save()
    except IntegrityError:
        raise Conflict(_("You already support this suggestion.")) from None
    return vote


def do_unvote(suggestion: Suggestion, *, actor: Any) -> None:
    vote = SuggestionVote.objects.filter(suggestion=suggestion, voter_id=getattr(actor, "pk", None)).first()
    if vote is None:
        raise ValidationError(_("You do not support this suggestion."))
    require(actor, Action.DELETE, vote)
    with transaction.atomic(), acting(actor):
        vote.delete()


# --- moderation --------------------------------------------------------------------------------------------------


def do_report_suggestion(suggestion: Suggestion, *, reason: str, note: str = "", actor: Any) -> SuggestionReport:
    """A report from one reader; after `reports_to_hide()` open reports the suggestion is hidden pending review and
    the office is told."""
    require(actor, REPORT, suggestion)
    if reason not in ReportReason.values:
        raise ValidationError({"reason": _("Give one of the report reasons.")})
    if len(note) > 500:
        raise ValidationError({"note": _("At most %(n)s characters.") % {"n": 500}})
    try:
        with transaction.atomic(), acting(actor):
            report = SuggestionReport(suggestion=suggestion, reporter=actor, reason=reason, note=note)
            require(actor, Action.ADD, report)
            report.save()
            locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
            open_reports = locked.reports.filter(resolved_at__isnull=True).count()
            if locked.moderation == Moderation.VISIBLE and open_reports >= reports_to_hide():
                locked.moderation = Moderation.PENDING
                locked.save(update_fields=["moderation"])
                notify(
                    office_users(),
                    kind="forum.suggestion_hidden",
                    subject=_("A reported suggestion is hidden pending review: %(title)s")
                    % {"title": locked.title[:120]},
                    url=locked.get_absolute_url(),
                    obj=locked,
                )
    except IntegrityError:
        raise Conflict(_("You already reported this suggestion.")) from None
    return report


def do_moderate_suggestion(suggestion: Suggestion, *, remove: bool, actor: Any) -> Suggestion:
    """A moderator's decision on the reports: remove the suggestion from public view, or restore it. Either way
    its open reports are resolved."""
    require(actor, Action.CHANGE, suggestion)
    with transaction.atomic(), acting(actor):
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        suggestion.moderation = Moderation.REMOVED if remove else Moderation.VISIBLE
        suggestion.save(update_fields=["moderation"])
        suggestion.reports.filter(resolved_at__isnull=True).update(resolved_at=_now(), upheld=remove)
        require(actor, Action.CHANGE, suggestion)
        if remove:
            _tell_author(suggestion, "forum.suggestion_removed", _("Your suggestion was removed by a moderator"))
    return suggestion


# --- deadlines ---------------------------------------------------------------------------------------------------


def check_deadlines(today: date | None = None) -> dict[str, int]:
    """Recompute provisional deadlines, remind whoever owes a step due within REMIND_WITHIN_WORKING_DAYS working
    days, and escalate each overdue step to the office once. Idempotent: a second run on the same day (or any later
    day for the same deadline) sends nothing more."""
    today = today or _today()
    counts = {"recomputed": 0, "reminded": 0, "escalated": 0}
    open_rows = Suggestion.objects.filter(status__in=OPEN_STATUSES, due_on__isnull=False, merged_into__isnull=True)
    for suggestion in open_rows.select_related("assigned_city").order_by("id"):
        with transaction.atomic():
            if suggestion.due_provisional:
                start = {
                    SuggestionStatus.RECEIVED: suggestion.submitted_at,
                    SuggestionStatus.ACCEPTED: suggestion.decided_at,
                    SuggestionStatus.ASSIGNED: suggestion.assigned_at,
                }[suggestion.status]
                due_before = suggestion.due_on
                _set_deadline(suggestion, timezone.localtime(start).date() if start else suggestion.due_on)
                if suggestion.due_on != due_before or not suggestion.due_provisional:
                    counts["recomputed"] += 1
                    Suggestion.objects.filter(pk=suggestion.pk).update(
                        due_on=suggestion.due_on, due_provisional=suggestion.due_provisional
                    )
            state = engine.due_state(suggestion.due_on, today, remind_within=REMIND_WITHIN_WORKING_DAYS)
            if state.overdue and suggestion.escalated_for != suggestion.due_on:
                subject = _("Overdue since %(date)s (%(status)s): %(title)s")
                _notify_due(suggestion, office_users(), "forum.suggestion_overdue", subject, mark="escalated_for")
                counts["escalated"] += 1
            elif state.remind and suggestion.reminded_for != suggestion.due_on:
                subject = _("Due on %(date)s (%(status)s): %(title)s")
                _notify_due(
                    suggestion, responsible_users(suggestion), "forum.suggestion_due", subject, mark="reminded_for"
                )
                counts["reminded"] += 1
    return counts


def _notify_due(suggestion: Suggestion, users, kind: str, subject: str, *, mark: str) -> None:
    """Tell `users` about a suggestion's due date (`subject` with its date, status and title) and record on the row's
    `mark` field that this due date has been notified, so that the next check does not send it again."""
    values = {
        "date": suggestion.due_on.isoformat(),
        "status": suggestion.get_status_display(),
        "title": suggestion.title[:100],
    }
    notify(users, kind=kind, subject=subject % values, url=suggestion.get_absolute_url(), obj=suggestion)
    Suggestion.objects.filter(pk=suggestion.pk).update(**{mark: suggestion.due_on})


def is_overdue(suggestion: Suggestion, today: date | None = None) -> bool:
    return (
        suggestion.status in OPEN_STATUSES
        and suggestion.due_on is not None
        and suggestion.merged_into_id is None
        and (today or _today()) > suggestion.due_on
    )


# --- research projects and events --------------------------------------------------------------------------------

RESEARCH_NEXT = {
    ResearchStatus.PROPOSED: ResearchStatus.RESEARCHING,
    ResearchStatus.RESEARCHING: ResearchStatus.REPORT_PUBLISHED,
    ResearchStatus.REPORT_PUBLISHED: ResearchStatus.PRE_PHASE,
}


def do_propose_research(
    *, name_zh: str, name_en: str = "", summary: str = "", organisation: Organisation, cities=(), actor: Any
) -> ResearchProject:
    if not name_zh.strip():
        raise ValidationError({"name_zh": _("A Chinese name is required.")})
    if organisation.kind != OrganisationKind.RESEARCH_SOCIETY:
        raise ValidationError({"organisation": _("Special studies belong to the research society or a think-tank.")})
    with transaction.atomic(), acting(actor):
        project = ResearchProject(
            name_zh=name_zh[:200], name_en=name_en[:200], summary=summary, organisation=organisation, lead=actor
        )
        require(actor, Action.ADD, project)
        project.save()
        project.cities.set(cities)
        require(actor, Action.CHANGE, project)
    return project


def do_advance_research(
    project: ResearchProject,
    *,
    report_summary: str = "",
    published_on: date | None = None,
    fund_project: Any = None,
    actor: Any,
) -> ResearchProject:
    """One step on: proposed → researching → report published (a summary and date) → project pre-phase (optionally
    the fund project it became)."""
    require(actor, Action.CHANGE, project)
    with transaction.atomic(), acting(actor):
        project = ResearchProject.objects.select_for_update().get(pk=project.pk)
        following = RESEARCH_NEXT.get(project.status)
        if following is None:
            raise Conflict(_("This research project has reached its last step."))
        if following == ResearchStatus.REPORT_PUBLISHED:
            if not report_summary.strip():
                raise ValidationError({"report_summary": _("Publishing needs the report's summary.")})
            project.report_summary = report_summary
            project.report_published_on = published_on or _today()
        if following == ResearchStatus.PRE_PHASE and fund_project is not None:
            project.fund_project = fund_project
        project.status = following
        project.save()
        require(actor, Action.CHANGE, project)
    return project


def do_link_fund_project(project: ResearchProject, *, fund_project: Any, actor: Any) -> ResearchProject:
    require(actor, Action.CHANGE, project)
    with transaction.atomic(), acting(actor):
        project = ResearchProject.objects.select_for_update().get(pk=project.pk)
        if project.status != ResearchStatus.PRE_PHASE:
            raise Conflict(_("Only a study in its project pre-phase becomes a fund project."))
        project.fund_project = fund_project
        project.save()
    return project


def do_create_event(
    *,
    name_zh: str,
    name_en: str = "",
    city: City,
    venue: str = "",
    starts_on: date,
    ends_on: date,
    description: str = "",
    published: bool = True,
    actor: Any,
) -> ForumEvent:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The event ends before it starts.")})
    with transaction.atomic(), acting(actor):
        event = ForumEvent(
            name_zh=name_zh,
            name_en=name_en,
            city=city,
            venue=venue,
            starts_on=starts_on,
            ends_on=ends_on,
            description=description,
            published=published,
        )
        require(actor, Action.ADD, event)
        event.save()
    return event


def do_add_speaker(event: ForumEvent, *, name: str, affiliation: str = "", actor: Any) -> Speaker:
    with transaction.atomic(), acting(actor):
        speaker = Speaker(event=event, name=name, affiliation=affiliation)
        require(actor, Action.ADD, speaker)
        speaker.save()
    return speaker


def do_add_programme_item(
    event: ForumEvent, *, starts_at, ends_at, title: str, speakers: Iterable[Speaker] = (), actor: Any
) -> ProgrammeItem:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A programme item ends after it starts.")})
    with transaction.atomic(), acting(actor):
        item = ProgrammeItem(event=event, starts_at=starts_at, ends_at=ends_at, title=title)
        require(actor, Action.ADD, item)
        item.save()
        item.speakers.set(speakers)
    return item


# --- digests -----------------------------------------------------------------------------------------------------


def do_set_digest_frequency(frequency: str, *, actor: Any) -> DigestPreference:
    if frequency not in DigestFrequency.values:
        raise ValidationError({"frequency": _("Daily or weekly.")})
    with transaction.atomic(), acting(actor):
        preference = DigestPreference.objects.filter(user=actor).first() or DigestPreference(user=actor)
        require(actor, Action.CHANGE if preference.pk else Action.ADD, preference)
        preference.frequency = frequency
        preference.save()
    return preference


def send_digests(frequency: str, now=None) -> dict[str, int]:
    """Mail the digest of everyone on `frequency` (daily: everyone who did not choose weekly). Run the daily one
    every day and the weekly one once a week; each mails only what was not mailed yet (core.notifications)."""
    weekly = DigestPreference.objects.filter(frequency=DigestFrequency.WEEKLY).values("user_id")
    people = User.objects.filter(is_active=True)
    people = people.filter(pk__in=weekly) if frequency == DigestFrequency.WEEKLY else people.exclude(pk__in=weekly)
    return core_send_digests(now, recipients=people)
