"""Access to the clearing house (docs/design.md "Who uses it"; the issue's scope rules).

- A city's medical-insurance bureau (department officer, domain medical_insurance) or civil-affairs bureau
  (civil_affairs) sees the claims, postings, statements and instructions of its own city, as insured or as
  service city, for the schemes of its domain; it submits claims served in its city and reverses its claims.
- The office sees everything in aggregate, opens and closes periods and submits for any city; auditors read.
- Nobody sees another city's person references: serializers and pages show `person_ref` only to the insured
  city's bureau (`can_see_person` below).
- Catalogues and schemes are public (the paper asks for catalogues to be compared openly).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from metrocoop.clearing import models
from metrocoop.core.audit import audited
from metrocoop.core.choices import Domain, Role
from metrocoop.core.models import City
from metrocoop.core.permissions import OFFICE, OFFICE_AND_BUREAUS, Action, Policy, Scopes, can, register, scopes_of

# Custom actions beyond view/add/change/delete (core.permissions.Action), one constant each.
CLOSE = "close"  # close a period: net the positions and issue the settlement instructions
REVERSE = "reverse"  # reverse a posted claim
CONFIRM = "confirm"  # confirm a settlement instruction as paid
DOMAINS = (Domain.MEDICAL_INSURANCE, Domain.CIVIL_AFFAIRS)
SCHEMES_OF = {
    Domain.MEDICAL_INSURANCE: ("medical_inpatient", "medical_outpatient"),
    Domain.CIVIL_AFFAIRS: ("elderly_care",),
}


def _bureau_scopes(scopes: Scopes) -> list[tuple[int, str]]:
    return sorted((c, d) for c, d in scopes.department_scopes if d in DOMAINS)


def _codes(ids: list[int]) -> dict[int, str]:
    """City id → code (one query per filter built; nothing kept between requests)."""
    return dict(City.objects.filter(pk__in=ids).values_list("pk", "code"))


def _own_city_rows(scopes: Scopes, *, by_code: bool) -> Q | None:
    """Rows of the schemes of a bureau's domain whose insured or service city is the bureau's, for every bureau scope
    of the actor (``None``, no hook, without one). Claims name their cities by code (``by_code``), postings by id."""
    pairs = _bureau_scopes(scopes)
    if not pairs:
        return None
    cities = _codes([c for c, _ in pairs]) if by_code else {c: c for c, _ in pairs}
    q = Q(pk__in=[])
    for city_id, domain in pairs:
        city = cities.get(city_id)
        if city:
            q |= (Q(insured_city=city) | Q(service_city=city)) & Q(scheme__in=SCHEMES_OF[domain])
    return q


def _claims_of_own_city(scopes: Scopes) -> Q | None:
    return _own_city_rows(scopes, by_code=True)


def _by_city_fk(*paths: str):
    def hook(scopes: Scopes) -> Q | None:
        pairs = _bureau_scopes(scopes)
        if not pairs:
            return None
        q = Q(pk__in=[])
        for city_id, _domain in pairs:
            for path in paths:
                q |= Q(**{path: city_id})
        return q

    return hook


def _postings_of_own_city(scopes: Scopes) -> Q | None:
    return _own_city_rows(scopes, by_code=False)


def _reversals_of_own_city(scopes: Scopes) -> Q | None:
    inner = _claims_of_own_city(scopes)
    return None if inner is None else Q(claim__in=models.Claim.objects.filter(inner).values("pk"))


register(models.Scheme, Policy(public=Q(), roles={Action.ADD: OFFICE, Action.CHANGE: OFFICE}))
register(
    models.CatalogueEntry,
    Policy(
        city="city",
        domain="scheme__domain",
        public=Q(),
        roles={Action.ADD: OFFICE_AND_BUREAUS, Action.CHANGE: OFFICE_AND_BUREAUS, Action.DELETE: OFFICE_AND_BUREAUS},
    ),
)
register(
    models.Authorisation,
    Policy(
        city="insured_city",
        domain="scheme__domain",
        roles={Action.VIEW: OFFICE_AND_BUREAUS, Action.ADD: OFFICE_AND_BUREAUS, Action.CHANGE: OFFICE_AND_BUREAUS},
        hooks={Role.DEPARTMENT: _by_city_fk("service_city")},
    ),
)


def _every_period(scopes: Scopes) -> Q:
    return Q()  # periods are region-wide: every city's officers see them (their figures are scoped separately)


register(
    models.Period,
    Policy(
        roles={Action.VIEW: frozenset({Role.DEPARTMENT, Role.LIAISON}), Action.ADD: OFFICE, CLOSE: OFFICE},
        hooks={Role.DEPARTMENT: _every_period, Role.LIAISON: _every_period},
    ),
)
register(
    models.IngestBatch,
    Policy(
        city="city",
        domain="domain",
        roles={Action.VIEW: OFFICE_AND_BUREAUS, Action.ADD: OFFICE_AND_BUREAUS},
    ),
)
register(
    models.Claim,
    Policy(
        roles={Action.VIEW: OFFICE_AND_BUREAUS, REVERSE: OFFICE_AND_BUREAUS},
        hooks={Role.DEPARTMENT: _claims_of_own_city},
    ),
)
register(
    models.IngestRejection, Policy(city="batch__city", domain="batch__domain", roles={Action.VIEW: OFFICE_AND_BUREAUS})
)
register(
    models.ClaimPosting, Policy(roles={Action.VIEW: OFFICE_AND_BUREAUS}, hooks={Role.DEPARTMENT: _postings_of_own_city})
)
register(
    models.ClaimReversal,
    Policy(roles={Action.VIEW: OFFICE_AND_BUREAUS}, hooks={Role.DEPARTMENT: _reversals_of_own_city}),
)
register(models.PeriodPosition, Policy(city="city", roles={Action.VIEW: OFFICE_AND_BUREAUS}))
register(
    models.SettlementInstruction,
    Policy(
        roles={Action.VIEW: OFFICE_AND_BUREAUS, CONFIRM: OFFICE},
        hooks={Role.DEPARTMENT: _by_city_fk("payer", "payee")},
    ),
)

for model in (
    models.Scheme,
    models.CatalogueEntry,
    models.Period,
    models.IngestBatch,
    models.ClaimReversal,
    models.SettlementInstruction,
):
    audited(model)
# The person reference is shown to the insured city's bureau only; the audit trail keeps a keyed hash of it.
audited(models.Authorisation, personal=["person_ref"])
# Claims, postings, rejections and positions are written in bulk by the ingest and the close; their audit entries
# are the batch's and the period's (log_event), one per run rather than a million.


# --- decisions taken by the services and serializers ---------------------------------------------------------------


@dataclass(frozen=True)
class SubmitterScope:
    """What a submitter may claim for: the service city and the schemes of its bureau (None: the office, all)."""

    city: City | None
    domain: str
    schemes: frozenset[str] | None

    @property
    def city_code(self) -> str | None:
        return self.city.code if self.city else None


def submitter_scope(actor: Any) -> SubmitterScope:
    """Whoever may add a region-wide batch (the office) submits for every city; a city's medical-insurance or
    civil-affairs bureau for its own city as service city and its own schemes (the first such scope, in city
    order, when it holds several). Anybody else may not submit. Decided by the `IngestBatch` policy above."""
    if can(actor, Action.ADD, models.IngestBatch(city=None, domain="")):
        return SubmitterScope(city=None, domain="", schemes=None)
    for city_id, domain in _bureau_scopes(scopes_of(actor)):
        if can(actor, Action.ADD, models.IngestBatch(city_id=city_id, domain=domain)):
            schemes = frozenset(models.Scheme.objects.filter(domain=domain).values_list("code", flat=True))
            return SubmitterScope(city=City.objects.get(pk=city_id), domain=domain, schemes=schemes)
    raise PermissionDenied(_("Only the office or a city's medical-insurance or civil-affairs bureau submits claims."))


def can_see_person(user: Any, insured_city_code: str) -> bool:
    """Person references are shown only to the insured city's own bureau (nobody sees another city's).

    The codes of the user's bureau cities are read once per user object (a request's user is read once per
    request, as `scopes_of` caches its scopes): a serializer asking for every row of a page costs one query, and
    nothing is kept in the process between requests."""
    codes = getattr(user, "_metrocoop_clearing_person_cities", None)
    if codes is None:
        ids = [city_id for city_id, _domain in _bureau_scopes(scopes_of(user))]
        codes = frozenset(_codes(ids).values()) if ids else frozenset()
        if user is not None:
            with contextlib.suppress(AttributeError):  # an object that takes no attributes: not kept
                user._metrocoop_clearing_person_cities = codes
    return insured_city_code in codes
