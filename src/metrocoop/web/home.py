"""What awaits a signed-in person, for their home page: each section lists the rows the person may act on, asked of
core.permissions and the apps' own policies (the same rules their services apply), never decided here by role name.

A section appears only when the person's roles give them that kind of work at all (the office reviews reports, an
expert reviews projects, a liaison votes and reports for its city, a bureau pays settlement instructions…); an empty
section then says there is nothing waiting, which is news too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrocoop.core.money import yuan
from metrocoop.core.permissions import Action, can, can_any, liaison_cities, restrict, rows_q

SHOWN = 8  # rows per section; the rest are behind the section's link


@dataclass
class Row:
    text: str
    url: str
    detail: str = ""
    late: bool = False


@dataclass
class Section:
    key: str
    title: Promise
    empty: Promise
    link: str = ""
    rows: list[Row] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def shown(self) -> list[Row]:
        return self.rows[:SHOWN]

    @property
    def more(self) -> int:
        return max(0, len(self.rows) - SHOWN)


def pending_work(user, today: date | None = None) -> list[Section]:
    today = today or timezone.localdate()
    sections = []
    for build in (
        _reports_to_review,
        _projects_to_screen,
        _projects_to_decide,
        _projects_to_review,
        _votes_to_cast,
        _board_items,
        _unpaid_instructions,
        _contribution_arrears,
        _suggestions_to_answer,
        _open_consultations,
        _my_suggestions,
    ):
        section = build(user, today)
        if section is not None:
            sections.append(section)
    return sections


# --- council -------------------------------------------------------------------------------------------------------


def _reports_to_review(user, today):
    from metrocoop.council.models import ProgressReport
    from metrocoop.council.policies import REVIEW
    from metrocoop.council.views import review_queue

    if not can_any(user, REVIEW, ProgressReport):
        return None
    section = Section(
        "reports-to-review",
        gettext_lazy("Quarterly reports to review"),
        gettext_lazy("No report awaits review."),
        reverse("council:board") + "#review-queue",
    )
    for r in review_queue(user):
        section.rows.append(
            Row(
                f"{r.item.code} {r.item.title}",
                section.link,
                _("%(city)s · %(year)s Q%(quarter)s · %(percent)s%%")
                % {"city": r.city.name, "year": r.year, "quarter": r.quarter, "percent": r.percent_complete},
            )
        )
    return section


def _votes_to_cast(user, today):
    from metrocoop.core.models import City
    from metrocoop.council.choices import ResolutionStatus
    from metrocoop.council.models import Resolution, Vote
    from metrocoop.council.policies import VOTE

    if not can_any(user, VOTE, Vote):
        return None
    section = Section(
        "votes",
        gettext_lazy("Resolutions awaiting your city's vote"),
        gettext_lazy("No open resolution awaits your vote."),
        reverse("council:index"),
    )
    cities = list(City.objects.filter(pk__in=liaison_cities(user)))
    open_resolutions = restrict(Resolution.objects.filter(status=ResolutionStatus.OPEN), user).select_related("meeting")
    for resolution in open_resolutions.prefetch_related("votes"):
        voted = {v.city_id for v in resolution.votes.all()}
        owed = [c for c in cities if c.pk not in voted and can(user, VOTE, Vote(resolution=resolution, city=c))]
        if owed:
            section.rows.append(Row(str(resolution), resolution.get_absolute_url(), "、".join(c.name for c in owed)))
    return section


def _board_items(user, today):
    from metrocoop.council.views import board_rows_for, may_see_board

    if not may_see_board(user):
        return None
    section = Section(
        "overdue",
        gettext_lazy("Overdue items, late and returned reports"),
        gettext_lazy("Nothing is overdue."),
        reverse("council:board"),
    )
    kinds = {
        "overdue_item": _("Overdue item"),
        "late_report": _("Late report"),
        "returned_report": _("Returned report"),
    }
    for r in board_rows_for(user):
        quarter = f" · Q{r.quarter}" if r.quarter else ""
        section.rows.append(
            Row(
                f"{r.item.code} {r.item.title}",
                r.item.get_absolute_url(),
                f"{kinds.get(r.kind, r.kind)}{quarter}",
                r.kind != "returned_report",
            )
        )
    return section


# --- funds ---------------------------------------------------------------------------------------------------------


def _projects(user, status, action):
    from metrocoop.funds.models import Project

    return restrict(Project.objects.filter(status=status), user, action).select_related("lead_city")


def _project_row(p) -> Row:
    return Row(p.title, reverse("funds:project", args=[p.pk]), f"{p.lead_city.name} · {p.get_category_display()}")


def _project_section(user, key: str, title: Promise, empty: Promise, status: str, action: str, may=None):
    """The fund projects of ``status`` the person may take ``action`` on (and, with ``may``, that the service's own
    rule lets them act on); no section for a person who may take that action on no project at all."""
    from metrocoop.funds.models import Project

    if not can_any(user, action, Project):
        return None
    section = Section(key, title, empty, reverse("funds:projects"))
    section.rows = [_project_row(p) for p in _projects(user, status, action) if may is None or may(user, p)]
    return section


def _projects_to_screen(user, today):
    from metrocoop.funds.choices import ProjectStatus

    title = gettext_lazy("Fund projects to screen for eligibility")
    empty = gettext_lazy("No submitted project awaits screening.")
    return _project_section(user, "projects-to-screen", title, empty, ProjectStatus.SUBMITTED, Action.CHANGE)


def _projects_to_decide(user, today):
    from metrocoop.funds.choices import ProjectStatus

    title = gettext_lazy("Fund projects under expert review, awaiting the council's decision")
    empty = gettext_lazy("No project is under review.")
    return _project_section(user, "projects-to-decide", title, empty, ProjectStatus.UNDER_REVIEW, Action.CHANGE)


def _projects_to_review(user, today):
    from metrocoop.funds.choices import ProjectStatus
    from metrocoop.funds.policies import may_review_project
    from metrocoop.funds.services import REVIEW

    title = gettext_lazy("Fund projects for you to review")
    empty = gettext_lazy("No project awaits your review.")
    # may_review_project is the service's own rule: status, conflict of interest, once per expert
    return _project_section(
        user, "projects-to-review", title, empty, ProjectStatus.UNDER_REVIEW, REVIEW, may=may_review_project
    )


def _contribution_arrears(user, today):
    from metrocoop.funds.models import ContributionNotice, ContributionPayment

    records = can_any(user, Action.ADD, ContributionPayment)
    mine = liaison_cities(user)
    if not records and not mine:
        return None
    notices = restrict(ContributionNotice.objects.all(), user).select_related("city", "call__fund")
    if not records:
        notices = notices.filter(city__in=mine)
    section = Section(
        "arrears",
        gettext_lazy("Unpaid fund contributions")
        if records
        else gettext_lazy("Fund contributions your city still owes"),
        gettext_lazy("No contribution is in arrears."),
        reverse("funds:index"),
    )
    for n in notices.order_by("call__due_on", "city__sort_order"):
        if n.arrears_fen > 0:
            section.rows.append(
                Row(
                    f"{n.city.name} · {n.call.fund.name} {n.call.year}",
                    reverse("funds:call", args=[n.call_id]),
                    _("%(amount)s yuan owed, due %(due)s") % {"amount": yuan(n.arrears_fen), "due": n.call.due_on},
                    n.call.due_on < today,
                )
            )
    return section


# --- clearing ------------------------------------------------------------------------------------------------------


def _unpaid_instructions(user, today):
    from metrocoop.clearing.choices import InstructionStatus
    from metrocoop.clearing.models import SettlementInstruction

    if rows_q(user, SettlementInstruction) is None:
        return None
    section = Section(
        "instructions",
        gettext_lazy("Unpaid settlement instructions"),
        gettext_lazy("Every settlement instruction is paid."),
        reverse("clearing:index"),
    )
    pending = restrict(SettlementInstruction.objects.filter(status=InstructionStatus.PENDING), user)
    for i in pending.select_related("period", "payer", "payee").order_by("period__year", "period__month", "id"):
        section.rows.append(
            Row(
                _("%(payer)s pays %(payee)s") % {"payer": i.payer.name, "payee": i.payee.name},
                reverse("clearing:period", args=[i.period.code]),
                _("%(amount)s yuan · period %(period)s") % {"amount": yuan(i.amount_fen), "period": i.period.code},
            )
        )
    return section


# --- forum and policies --------------------------------------------------------------------------------------------


def _suggestions_to_answer(user, today):
    from metrocoop.forum.choices import SuggestionStatus
    from metrocoop.forum.models import Suggestion
    from metrocoop.forum.policies import ANSWER

    if not can_any(user, ANSWER, Suggestion):
        return None
    section = Section(
        "suggestions",
        gettext_lazy("Public suggestions awaiting a step"),
        gettext_lazy("No suggestion awaits a step."),
        reverse("forum:index"),
    )
    waiting = [SuggestionStatus.RECEIVED, SuggestionStatus.ACCEPTED, SuggestionStatus.ASSIGNED]
    rows = restrict(Suggestion.objects.filter(status__in=waiting), user, ANSWER).order_by("due_on", "id")
    for s in rows:
        due = _("due %(day)s") % {"day": s.due_on} if s.due_on else ""
        section.rows.append(
            Row(
                s.title,
                s.get_absolute_url(),
                " · ".join(x for x in (s.get_status_display(), due) if x),
                bool(s.due_on and s.due_on < today),
            )
        )
    return section


def _open_consultations(user, today):
    from metrocoop.policies.choices import ConsultationStatus
    from metrocoop.policies.models import Consultation, ConsultationComment

    if not can_any(user, Action.ADD, ConsultationComment):
        return None
    section = Section(
        "consultations",
        gettext_lazy("Consultations open for comments"),
        gettext_lazy("No consultation is open for comments."),
        reverse("policies:consultations"),
    )
    rows = restrict(Consultation.objects.filter(status=ConsultationStatus.OPEN), user).select_related("city")
    for c in rows.order_by("deadline", "id"):
        section.rows.append(
            Row(
                c.title,
                c.get_absolute_url(),
                _("%(city)s · comments until %(day)s") % {"city": c.city.name, "day": c.deadline},
                c.deadline < today,
            )
        )
    return section


def _my_suggestions(user, today):
    from metrocoop.forum.choices import SuggestionStatus
    from metrocoop.forum.models import Suggestion

    if not can_any(user, Action.ADD, Suggestion):
        return None
    section = Section(
        "my-suggestions",
        gettext_lazy("Your suggestions in progress"),
        gettext_lazy("You have no suggestion in progress."),
        reverse("forum:index"),
    )
    mine = restrict(Suggestion.objects.filter(author=user), user).exclude(status=SuggestionStatus.CLOSED)
    section.rows = [Row(s.title, s.get_absolute_url(), s.get_status_display()) for s in mine.order_by("-id")]
    return section if section.rows else None  # every signed-in person may suggest; shown once they have
