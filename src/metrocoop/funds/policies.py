"""Access to the funds (core.permissions) and their audit.

Public: the funds and their rules, issued contribution calls and notices (what each government owes is public
budget information), decided projects and their tranches, closed assessment cycles and their results.
The office runs everything; a liaison applies for projects its city leads and follows them; experts review
projects under review and rate the quality of work items; auditors read everything.
"""

from django.db.models import Q

from metrocoop.core.audit import audited
from metrocoop.core.choices import Role
from metrocoop.core.permissions import SIGNED_IN_ROLES, Action, Policy, Scopes, register
from metrocoop.funds.choices import DECIDED_PROJECT_STATUSES, CycleStatus, ProjectStatus
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
from metrocoop.funds.services import RATE, REVIEW

OFFICE = frozenset({Role.OFFICE})
EXPERT = frozenset({Role.EXPERT})
OFFICE_WRITES = {Action.ADD: OFFICE, Action.CHANGE: OFFICE, Action.DELETE: OFFICE}
DECIDED = [str(s) for s in DECIDED_PROJECT_STATUSES]


def _experts_see_projects_under_review(scopes: Scopes) -> Q:
    return Q(status=ProjectStatus.UNDER_REVIEW)


def _experts_rate_open_cycles(scopes: Scopes) -> Q:
    return Q(status=CycleStatus.DRAFT)


register(Fund, Policy(public=Q(), roles=OFFICE_WRITES))
register(FundRule, Policy(public=Q(), roles=OFFICE_WRITES))
register(ContributionCall, Policy(public=Q(), roles=OFFICE_WRITES))
register(ContributionNotice, Policy(city="city", public=Q(), roles=OFFICE_WRITES))
register(ContributionPayment, Policy(city="notice__city", roles={**OFFICE_WRITES, Action.VIEW: SIGNED_IN_ROLES}))
register(
    Project,
    Policy(
        city="lead_city",
        public=Q(status__in=DECIDED),
        roles={
            Action.VIEW: SIGNED_IN_ROLES,
            Action.ADD: frozenset({Role.OFFICE, Role.LIAISON}),
            Action.CHANGE: OFFICE,
            REVIEW: EXPERT,
        },
        hooks={Role.EXPERT: _experts_see_projects_under_review},
    ),
)
register(ProjectReview, Policy(owner="expert", roles={Action.VIEW: SIGNED_IN_ROLES, Action.ADD: EXPERT}))
register(
    Tranche,
    Policy(
        city="project__lead_city",
        public=Q(project__status__in=DECIDED),
        roles={**OFFICE_WRITES, Action.VIEW: SIGNED_IN_ROLES},
    ),
)
register(
    AssessmentCycle,
    Policy(
        public=Q(status=CycleStatus.CLOSED),
        roles={**OFFICE_WRITES, Action.VIEW: SIGNED_IN_ROLES},
        hooks={Role.EXPERT: _experts_rate_open_cycles},
    ),
)
register(QualityRating, Policy(owner="expert", roles={Action.VIEW: SIGNED_IN_ROLES, RATE: EXPERT}))
register(AssessmentResult, Policy(city="city", public=Q(cycle__status=CycleStatus.CLOSED)))

for model in (
    Fund,
    FundRule,
    ContributionCall,
    ContributionNotice,
    ContributionPayment,
    Project,
    ProjectReview,
    Tranche,
    AssessmentCycle,
    QualityRating,
    AssessmentResult,
):
    audited(model)
