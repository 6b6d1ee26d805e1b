"""The one place that answers "may this user do this action to this row" and "which rows may this user see".

Every page, API view, service and command asks here; no view decides access on its own (docs/design.md, Who uses it).

Access is data: each model registers a `Policy` that says where a row's scope lives (the path from the row to its
city, its domain, its owner), which rows are public, and which roles may do which action within their scope.
A user's scopes come from their `RoleAssignment` rows:

- office (理事会办公室): the whole region, every action the policy grants the office;
- auditor: reads everything the policy lets regional readers read, never writes;
- liaison: rows of their own city(ies);
- department officer: rows of their own city and domain;
- expert, researcher, public: rows they own (`Policy.owner`) or that a policy hook grants them.

`restrict(queryset, user, action)` filters a queryset; `can(user, action, obj)` decides one row, saved or not,
from the same policy, so a page and the API can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrocoop.core.choices import Role


class Action(StrEnum):
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"
    # A person acknowledging something addressed to them (marking their own notification read): not a write to
    # a shared record, so auditors may do it too.
    ACKNOWLEDGE = "acknowledge"


REGIONAL_ROLES = frozenset({Role.OFFICE, Role.AUDITOR})
CITY_ROLES = frozenset({Role.LIAISON, Role.DEPARTMENT})
SIGNED_IN_ROLES = frozenset(Role) - {Role.PUBLIC}
# The role sets the apps' policies grant actions to, defined once (each app's policies.py imports them).
EVERY_ROLE = frozenset(Role)
OFFICE = frozenset({Role.OFFICE})
LIAISONS = frozenset({Role.LIAISON})
EXPERTS = frozenset({Role.EXPERT})
PUBLIC_ROLE = frozenset({Role.PUBLIC})
OFFICE_AND_LIAISONS = frozenset({Role.OFFICE, Role.LIAISON})  # the office everywhere, a liaison in its own city
OFFICE_AND_BUREAUS = frozenset({Role.OFFICE, Role.DEPARTMENT})  # the office everywhere, a bureau in its city/domain


@dataclass(frozen=True)
class Scopes:
    """What one user holds: roles, and for each city-scoped role the cities (and domains) it covers."""

    user_id: int | None
    roles: frozenset[str]
    cities: Mapping[str, frozenset[int]] = field(default_factory=dict)
    department_scopes: frozenset[tuple[int, str]] = frozenset()
    organisations: Mapping[str, frozenset[int]] = field(default_factory=dict)

    def cities_for(self, role: str) -> frozenset[int]:
        return self.cities.get(role, frozenset())


ANONYMOUS = Scopes(user_id=None, roles=frozenset())


def scopes_of(user: Any) -> Scopes:
    """The user's scopes, read once per user object (a request's user is read once per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_metrocoop_scopes", None)
    if cached is not None:
        return cached
    today = timezone.localdate()
    roles: set[str] = set()
    cities: dict[str, set[int]] = {}
    orgs: dict[str, set[int]] = {}
    departments: set[tuple[int, str]] = set()
    for ra in user.role_assignments.all():
        if not ra.is_valid_on(today):
            continue
        roles.add(ra.role)
        if ra.city_id is not None:
            cities.setdefault(ra.role, set()).add(ra.city_id)
            if ra.role == Role.DEPARTMENT:
                departments.add((ra.city_id, ra.domain))
        if ra.organisation_id is not None:
            orgs.setdefault(ra.role, set()).add(ra.organisation_id)
    # Every signed-in person may act as a member of the public (propose, suggest), except an auditor: the public
    # role would re-admit them to writing, and auditors read, they never write (issue 21, item 4).
    if Role.AUDITOR in roles:
        roles.discard(Role.PUBLIC)
    else:
        roles.add(Role.PUBLIC)
    scopes = Scopes(
        user_id=user.pk,
        roles=frozenset(roles),
        cities={k: frozenset(v) for k, v in cities.items()},
        department_scopes=frozenset(departments),
        organisations={k: frozenset(v) for k, v in orgs.items()},
    )
    user._metrocoop_scopes = scopes
    return scopes


def forget_scopes(user: Any) -> None:
    """Drop the cached scopes after the user's role assignments changed."""
    if hasattr(user, "_metrocoop_scopes"):
        del user._metrocoop_scopes
    # and the assignments read with the user at sign-in (core.api.authentication), so they are read again
    getattr(user, "_prefetched_objects_cache", {}).pop("role_assignments", None)


ScopeHook = Callable[[Scopes], Q | None]


def _default_roles() -> dict[str, frozenset[str]]:
    return {Action.VIEW: frozenset(SIGNED_IN_ROLES)}


@dataclass(frozen=True)
class Policy:
    """How access to one model's rows is decided.

    city:    path from a row to the pk of its City ("pk" when the row is a City; None for region-wide rows)
    domain:  path to the row's domain, for department officers (None: any domain of their city)
    owner:   path to the pk of the user who owns the row (experts, researchers, the public act on their own rows)
    public:  rows everyone may view, signed in or not (Q() for all rows, None for none)
    roles:   action -> roles that may take it, each within its own scope (the office everywhere)
    hooks:   role -> extra rows that role may act on, e.g. the projects assigned to an expert
    regional_readers: roles that read every row (the office and auditors unless a policy narrows it)
    """

    city: str | None = None
    domain: str | None = None
    owner: str | None = None
    public: Q | None = None
    roles: Mapping[str, frozenset[str]] = field(default_factory=_default_roles)
    hooks: Mapping[str, ScopeHook] = field(default_factory=dict)
    regional_readers: frozenset[str] = REGIONAL_ROLES

    def __post_init__(self) -> None:
        for action, roles in self.roles.items():
            if action not in (Action.VIEW, Action.ACKNOWLEDGE) and Role.AUDITOR in roles:
                raise ValueError("auditors read; they never write")

    def roles_for(self, action: str) -> frozenset[str]:
        roles = self.roles.get(action, frozenset())
        if action == Action.VIEW:
            roles = roles | self.regional_readers
        return roles


_POLICIES: dict[type[models.Model], Policy] = {}


def register(model: type[models.Model], policy: Policy) -> None:
    _POLICIES[model] = policy


def policy_for(model: type[models.Model]) -> Policy:
    model = model._meta.concrete_model or model
    try:
        return _POLICIES[model]
    except KeyError:
        raise LookupError(f"No access policy registered for {model._meta.label}") from None


def registered_models() -> list[type[models.Model]]:
    return list(_POLICIES)


def _role_q(policy: Policy, scopes: Scopes, role: str, action: str) -> Q | None:
    """Rows `role` may take `action` on, or None for no rows."""
    if action == Action.VIEW:
        if role in policy.regional_readers:
            return Q()
    elif role == Role.OFFICE and action != Action.ACKNOWLEDGE:
        return Q()  # the office acts region-wide wherever the policy grants it an action
    parts: list[Q] = []
    if role in CITY_ROLES and policy.city is not None:
        if role == Role.DEPARTMENT and policy.domain is not None:
            pairs = [Q(**{policy.city: c, policy.domain: d}) for c, d in sorted(scopes.department_scopes)]
            if pairs:
                parts.append(reduce(or_, pairs))
        elif scopes.cities_for(role):
            parts.append(Q(**{f"{policy.city}__in": sorted(scopes.cities_for(role))}))
    if policy.owner is not None and scopes.user_id is not None:
        parts.append(Q(**{policy.owner: scopes.user_id}))
    hook = policy.hooks.get(role)
    if hook is not None:
        extra = hook(scopes)
        if extra is not None:
            parts.append(extra)
    if any(not part for part in parts):
        return Q()  # Django drops an empty Q() from an OR (Q(x) | Q() is Q(x)): "all rows" must win on its own
    return reduce(or_, parts) if parts else None


def rows_q(user: Any, model: type[models.Model], action: str = Action.VIEW) -> Q | None:
    """A filter for the rows of `model` that `user` may take `action` on; None when there are none."""
    policy = policy_for(model)
    scopes = scopes_of(user)
    parts: list[Q] = []
    if action == Action.VIEW and policy.public is not None:
        if not policy.public:
            # Every row is public. Return at once: Django drops an empty Q() from an OR, so Q() | Q(city=…) would
            # be Q(city=…) and a signed-in user would see fewer rows than an anonymous visitor.
            return Q()
        parts.append(policy.public)
    for role in sorted(scopes.roles & policy.roles_for(action)):
        q = _role_q(policy, scopes, role, action)
        if q is not None:
            if not q:  # Q() means every row; nothing narrower matters
                return Q()
            parts.append(q)
    return reduce(or_, parts) if parts else None


def restrict(queryset: models.QuerySet, user: Any, action: str = Action.VIEW) -> models.QuerySet:
    """The rows of `queryset` that `user` may take `action` on (NetBox's RestrictedQuerySet.restrict)."""
    q = rows_q(user, queryset.model, action)
    if q is None:
        return queryset.none()
    if not q:
        return queryset
    # Paths through to-many relations could repeat rows; filter by pk instead of calling distinct().
    return queryset.filter(pk__in=queryset.model._default_manager.filter(q).values("pk"))


def _resolve(obj: Any, path: str) -> Any:
    """Follow a Django lookup path on an instance ("plan__lead_city" → obj.plan.lead_city_id)."""
    if path == "pk":
        return obj.pk
    current = obj
    parts = path.split("__")
    for i, part in enumerate(parts):
        if current is None:
            return None
        last = i == len(parts) - 1
        if last and hasattr(current, f"{part}_id"):
            return getattr(current, f"{part}_id")
        current = getattr(current, part)
    return current.pk if isinstance(current, models.Model) else current


def _python_allows(policy: Policy, scopes: Scopes, role: str, action: str, obj: models.Model) -> bool:
    if action == Action.VIEW and role in policy.regional_readers:
        return True
    if role == Role.OFFICE and action not in (Action.VIEW, Action.ACKNOWLEDGE):
        return True
    if role in CITY_ROLES and policy.city is not None:
        city_id = _resolve(obj, policy.city)
        if role == Role.DEPARTMENT and policy.domain is not None:
            if (city_id, _resolve(obj, policy.domain)) in scopes.department_scopes:
                return True
        elif city_id in scopes.cities_for(role):
            return True
    return policy.owner is not None and scopes.user_id is not None and _resolve(obj, policy.owner) == scopes.user_id


def can(user: Any, action: str, obj: models.Model) -> bool:
    """May `user` take `action` on `obj`? A saved row is checked in the database through the same filter as
    `restrict`; a new row (action "add") is checked on its fields."""
    policy = policy_for(type(obj))
    scopes = scopes_of(user)
    if obj.pk is not None and action != Action.ADD and not obj._state.adding:
        return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()
    # Hooks are written as filters; a new row cannot be filtered, so they never grant "add" on their own.
    roles = scopes.roles & policy.roles_for(action)
    return any(_python_allows(policy, scopes, role, action, obj) for role in roles)


def can_any(user: Any, action: str, model: type[models.Model]) -> bool:
    """Could `user` take `action` on some row of `model`? For showing an "add" button, not for deciding."""
    policy = policy_for(model)
    return bool(scopes_of(user).roles & policy.roles_for(action))


def require(user: Any, action: str, obj: models.Model) -> None:
    """Raise PermissionDenied unless `user` may take `action` on `obj`."""
    if not can(user, action, obj):
        raise PermissionDenied(
            _("You may not %(action)s this %(model)s.") % {"action": action, "model": obj._meta.verbose_name}
        )


def has_role(user: Any, *roles: str) -> bool:
    return bool(scopes_of(user).roles & set(roles))


def cities_for(user: Any, *roles: Iterable[str]) -> frozenset[int]:
    scopes = scopes_of(user)
    out: set[int] = set()
    for role in roles:
        out |= scopes.cities_for(role)  # type: ignore[arg-type]
    return frozenset(out)


# --- what a page or service does differently by role, asked here (never `Role.X in ...` elsewhere) ---------------
# These answer "who is this user", not "may they": every write still goes through `require`, every list through
# `restrict`. core.tests.test_house_style fails when a module outside this one (and the apps' policies.py, which
# this module applies) inspects roles itself.


def acts_region_wide(user: Any) -> bool:
    """Does `user` act for the whole region (the council office)? E.g. an item the office adds is not proposed by
    a city; the office moderates the forum and may answer its own suggestion."""
    return Role.OFFICE in scopes_of(user).roles


def reads_everything(user: Any) -> bool:
    """Does `user` read every row the policies let regional readers read (the office, auditors)?"""
    return bool(scopes_of(user).roles & REGIONAL_ROLES)


def liaison_cities(user: Any) -> frozenset[int]:
    """The pks of the cities `user` is the liaison of (none for anyone else)."""
    return scopes_of(user).cities_for(Role.LIAISON)


def cities_acted_for(user: Any) -> frozenset[int] | None:
    """The cities `user` acts for: None for every city (the office), else the cities they are the liaison of."""
    return None if acts_region_wide(user) else liaison_cities(user)


def role_labels(user: Any) -> list[str]:
    """The user's roles by name, for the page header (the public role everyone holds left out)."""
    return sorted(str(Role(r).label) for r in scopes_of(user).roles if r != Role.PUBLIC)


def department_scopes_of(user: Any) -> frozenset[tuple[int, str]]:
    """(city pk, domain) of each department role `user` holds; none for the office, which acts region-wide."""
    return frozenset() if acts_region_wide(user) else scopes_of(user).department_scopes
