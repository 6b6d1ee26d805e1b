"""Access to the funds (core.permissions) and their audit.

Public: the funds and their rules, issued contribution calls and notices (what each government owes is public
budget information), decided projects and their tranches, closed assessment cycles and their results.
The office runs everything; a liaison applies for projects its city leads and follows them; experts review
projects under review and rate the quality of work items; auditors read everything.
"""

from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from metrocoop.core.audit import audited
from metrocoop.core.choices import Role
from metrocoop.core.explain import both
from metrocoop.core.models import RoleAssignment
from metrocoop.core.permissions import (
    EXPERTS,
    OFFICE,
    OFFICE_AND_LIAISONS,
    SIGNED_IN_ROLES,
    Action,
    Policy,
    Scopes,
    can,
    register,
)
from metrocoop.funds import models
from metrocoop.funds.choices import DECIDED_PROJECT_STATUSES, CycleStatus, ProjectStatus

# Custom actions beyond view/add/change/delete (core.permissions.Action).
REVIEW = "review"  # an expert scores a project under review
RATE = "rate"  # an expert rates a city's work quality in an open assessment cycle

OFFICE_WRITES = {Action.ADD: OFFICE, Action.CHANGE: OFFICE, Action.DELETE: OFFICE}
DECIDED = [str(s) for s in DECIDED_PROJECT_STATUSES]


def _experts_see_projects_under_review(scopes: Scopes) -> Q:
    return Q(status=ProjectStatus.UNDER_REVIEW)


def _experts_rate_open_cycles(scopes: Scopes) -> Q:
    return Q(status=CycleStatus.DRAFT)


register(models.Fund, Policy(public=Q(), roles=OFFICE_WRITES))
register(models.FundRule, Policy(public=Q(), roles=OFFICE_WRITES))
register(models.ContributionCall, Policy(public=Q(), roles=OFFICE_WRITES))
register(models.ContributionNotice, Policy(city="city", public=Q(), roles=OFFICE_WRITES))
register(models.ContributionPayment, Policy(city="notice__city", roles={**OFFICE_WRITES, Action.VIEW: SIGNED_IN_ROLES}))
register(
    models.Project,
    Policy(
        city="lead_city",
        public=Q(status__in=DECIDED),
        roles={
            Action.VIEW: SIGNED_IN_ROLES,
            Action.ADD: OFFICE_AND_LIAISONS,
            Action.CHANGE: OFFICE,
            REVIEW: EXPERTS,
        },
        hooks={Role.EXPERT: _experts_see_projects_under_review},
    ),
)
register(models.ProjectReview, Policy(owner="expert", roles={Action.VIEW: SIGNED_IN_ROLES, Action.ADD: EXPERTS}))
register(
    models.Tranche,
    Policy(
        city="project__lead_city",
        public=Q(project__status__in=DECIDED),
        roles={**OFFICE_WRITES, Action.VIEW: SIGNED_IN_ROLES},
    ),
)
register(
    models.AssessmentCycle,
    Policy(
        public=Q(status=CycleStatus.CLOSED),
        roles={**OFFICE_WRITES, Action.VIEW: SIGNED_IN_ROLES},
        hooks={Role.EXPERT: _experts_rate_open_cycles},
    ),
)
register(models.QualityRating, Policy(owner="expert", roles={Action.VIEW: SIGNED_IN_ROLES, RATE: EXPERTS}))
register(models.AssessmentResult, Policy(city="city", public=Q(cycle__status=CycleStatus.CLOSED)))

for model in apps.get_app_config("funds").get_models():  # every model of the app joins the audit trail
    audited(model)


# --- the expert-review rule: asked by the service (do_review_project) and by the page that offers the form ----------


def expert_cities(user: Any) -> set[int]:
    """The cities an expert belongs to (any role assignment with a city): their conflict of interest."""
    if getattr(user, "pk", None) is None:
        return set()
    return set(RoleAssignment.objects.filter(user=user, city__isnull=False).values_list("city_id", flat=True))


def review_refusal(user: Any, project: models.Project) -> Exception | None:
    """Why `user` may not review `project` now, as the exception the service raises; None when they may.

    The one rule of an expert's review: the review action on the project (experts, on projects under review), the
    project under review, no expert from an applicant city (conflict of interest), one review per expert.
    """
    if not can(user, REVIEW, project):
        return PermissionDenied(
            _("You may not %(action)s this %(model)s.") % {"action": REVIEW, "model": project._meta.verbose_name}
        )
    if project.status != ProjectStatus.UNDER_REVIEW:
        return ValidationError(both("该项目不在评审阶段", "the project is not under review"))
    if expert_cities(user) & project.applicant_city_ids():
        return PermissionDenied(
            _("An expert from an applicant city may not review this project (conflict of interest).")
        )
    if models.ProjectReview.objects.filter(project=project, expert_id=user.pk).exists():
        return ValidationError(both("您已评审过该项目", "you have reviewed this project already"))
    return None


def may_review_project(user: Any, project: models.Project) -> bool:
    """Whether the review form is offered: the same rule as the service's (`review_refusal`)."""
    return review_refusal(user, project) is None
