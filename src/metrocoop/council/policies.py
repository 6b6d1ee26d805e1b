"""Access policies of the council cycle (core.permissions) and the audit trail.

The office runs the cycle; a city's liaison votes for its own city, proposes work items its city leads into a draft
plan and reports on the items its city leads or joins. Public: the council and its seats, meetings, decided
resolutions and their votes, approved plans with their items, published summaries, plan documents. Drafts,
progress reports and their reviews are not public.
"""

from typing import Any

from django.apps import apps
from django.db.models import Q

from metrocoop.core.audit import audited
from metrocoop.core.choices import Role
from metrocoop.core.models import City
from metrocoop.core.permissions import (
    LIAISONS,
    OFFICE,
    OFFICE_AND_LIAISONS,
    SIGNED_IN_ROLES,
    Action,
    Policy,
    Scopes,
    register,
    rows_q,
    scopes_of,
)
from metrocoop.council import models
from metrocoop.council.choices import PUBLIC_PLAN_STATUSES, PlanStatus

VOTE = "vote"
REVIEW = "review"
REPORT = "report"

# Every signed-in role reads within its scope (a liaison: its city's rows); the office writes.
OFFICE_WRITES = {Action.VIEW: SIGNED_IN_ROLES, Action.ADD: OFFICE, Action.CHANGE: OFFICE, Action.DELETE: OFFICE}
PUBLIC_PLANS = [str(s) for s in PUBLIC_PLAN_STATUSES]


def _all_rows(scopes: Scopes) -> Q | None:
    return Q()


def _liaison_sees_drafts(scopes: Scopes) -> Q | None:
    """Liaisons see the draft and submitted plans: cities propose items into the draft."""
    return Q(status__in=[PlanStatus.DRAFT, PlanStatus.SUBMITTED]) if scopes.cities_for(Role.LIAISON) else None


register(models.Council, Policy(public=Q(), roles={Action.ADD: OFFICE, Action.CHANGE: OFFICE}))
register(models.CouncilSeat, Policy(city="city", public=Q(), roles=OFFICE_WRITES))
register(models.Meeting, Policy(public=Q(), roles=OFFICE_WRITES))
# Open resolutions are read by every signed-in person (the liaisons vote on them); decided ones are public.
register(models.Resolution, Policy(public=Q(status="decided"), roles=OFFICE_WRITES, hooks={Role.LIAISON: _all_rows}))
# A vote is cast by the liaison of the vote's city (never the office, never another city's liaison).
register(
    models.Vote,
    Policy(city="city", public=Q(resolution__status="decided"), roles={Action.VIEW: SIGNED_IN_ROLES, VOTE: LIAISONS}),
)
register(
    models.AnnualPlan,
    Policy(public=Q(status__in=PUBLIC_PLANS), roles=OFFICE_WRITES, hooks={Role.LIAISON: _liaison_sees_drafts}),
)
# Cities propose items they lead into a draft (services refuse any edit once the plan left the draft). A liaison
# sees draft items its city leads; every item of an approved plan is public.
register(
    models.WorkItem,
    Policy(
        city="lead_city",
        public=Q(plan__status__in=PUBLIC_PLANS),
        roles={
            Action.VIEW: SIGNED_IN_ROLES,
            Action.ADD: OFFICE_AND_LIAISONS,
            Action.CHANGE: OFFICE_AND_LIAISONS,
            Action.DELETE: OFFICE_AND_LIAISONS,
        },
    ),
)
# A city reports for itself (hooks would apply to every action, so none here); the office reviews lead reports.
register(
    models.ProgressReport,
    Policy(
        city="city",
        roles={Action.VIEW: SIGNED_IN_ROLES, REPORT: LIAISONS, Action.CHANGE: LIAISONS, REVIEW: OFFICE},
    ),
)
register(models.AnnualSummary, Policy(public=Q(published=True), roles=OFFICE_WRITES))
register(models.PlanDocument, Policy(public=Q(), roles=OFFICE_WRITES))
register(models.PlanArticle, Policy(public=Q(), roles=OFFICE_WRITES))

for model in apps.get_app_config("council").get_models():  # every model of the app joins the audit trail
    audited(model)


# --- the board: asked by its page (council/views.py) and by the API (BoardView) -----------------------------------


def board_cities(user: Any) -> frozenset[str] | None:
    """The codes of the cities whose rows of the council board `user` sees: None for every city (whoever reads
    every city's progress reports: the office, auditors), a liaison's own cities, an empty set for anyone else."""
    q = rows_q(user, models.ProgressReport)
    if q is not None and not q:
        return None
    ids = scopes_of(user).cities_for(Role.LIAISON)
    if not ids:
        return frozenset()
    return frozenset(City.objects.filter(pk__in=ids).values_list("code", flat=True))


def may_see_board(user: Any) -> bool:
    """The board is for readers of every city's reports (office, auditors) and city liaisons."""
    return board_cities(user) != frozenset()
