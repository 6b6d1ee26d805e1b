"""Access to the clearing house (DESIGN.md "Who uses it"; the issue's scope rules).

- A city's medical-insurance bureau (department officer, domain medical_insurance) or civil-affairs bureau
  (civil_affairs) sees the claims, postings, statements and instructions of its own city, as insured or as
  service city, for the schemes of its domain; it submits claims served in its city and reverses its claims.
- The office sees everything in aggregate, opens and closes periods and submits for any city; auditors read.
- Nobody sees another city's person references: serializers and pages show `person_ref` only to the insured
  city's bureau (`services.can_see_person`).
- Catalogues and schemes are public (the paper asks for catalogues to be compared openly).
"""

from __future__ import annotations

from django.db.models import Q

from metrocoop.clearing.models import (
    Authorisation,
    CatalogueEntry,
    Claim,
    ClaimPosting,
    ClaimReversal,
    IngestBatch,
    IngestRejection,
    Period,
    PeriodPosition,
    Scheme,
    SettlementInstruction,
)
from metrocoop.core.audit import audited
from metrocoop.core.choices import Domain, Role
from metrocoop.core.permissions import Action, Policy, Scopes, register

OFFICE = frozenset({Role.OFFICE})
BUREAUS = frozenset({Role.OFFICE, Role.DEPARTMENT})
DOMAINS = (Domain.MEDICAL_INSURANCE, Domain.CIVIL_AFFAIRS)
SCHEMES_OF = {
    Domain.MEDICAL_INSURANCE: ("medical_inpatient", "medical_outpatient"),
    Domain.CIVIL_AFFAIRS: ("elderly_care",),
}


def _bureau_scopes(scopes: Scopes) -> list[tuple[int, str]]:
    return sorted((c, d) for c, d in scopes.department_scopes if d in DOMAINS)


def _codes(ids: list[int]) -> dict[int, str]:
    from metrocoop.clearing.services import _city_codes

    codes = _city_codes(frozenset(ids))
    from metrocoop.clearing.services import _CODE_CACHE

    return {i: _CODE_CACHE[i] for i in ids if _CODE_CACHE.get(i) in codes}


def _claims_of_own_city(scopes: Scopes) -> Q | None:
    pairs = _bureau_scopes(scopes)
    if not pairs:
        return None
    codes = _codes([c for c, _ in pairs])
    q = Q(pk__in=[])
    for city_id, domain in pairs:
        code = codes.get(city_id)
        if code:
            q |= (Q(insured_city=code) | Q(service_city=code)) & Q(scheme__in=SCHEMES_OF[domain])
    return q


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
    pairs = _bureau_scopes(scopes)
    if not pairs:
        return None
    q = Q(pk__in=[])
    for city_id, domain in pairs:
        q |= (Q(insured_city=city_id) | Q(service_city=city_id)) & Q(scheme__in=SCHEMES_OF[domain])
    return q


def _reversals_of_own_city(scopes: Scopes) -> Q | None:
    inner = _claims_of_own_city(scopes)
    return None if inner is None else Q(claim__in=Claim.objects.filter(inner).values("pk"))


register(Scheme, Policy(public=Q(), roles={Action.ADD: OFFICE, Action.CHANGE: OFFICE}))
register(
    CatalogueEntry,
    Policy(
        city="city",
        domain="scheme__domain",
        public=Q(),
        roles={Action.ADD: BUREAUS, Action.CHANGE: BUREAUS, Action.DELETE: BUREAUS},
    ),
)
register(
    Authorisation,
    Policy(
        city="insured_city",
        domain="scheme__domain",
        roles={Action.VIEW: BUREAUS, Action.ADD: BUREAUS, Action.CHANGE: BUREAUS},
        hooks={Role.DEPARTMENT: _by_city_fk("service_city")},
    ),
)


def _every_period(scopes: Scopes) -> Q:
    return Q()  # periods are region-wide: every city's officers see them (their figures are scoped separately)


register(
    Period,
    Policy(
        roles={Action.VIEW: frozenset({Role.DEPARTMENT, Role.LIAISON}), Action.ADD: OFFICE, "close": OFFICE},
        hooks={Role.DEPARTMENT: _every_period, Role.LIAISON: _every_period},
    ),
)
register(
    IngestBatch,
    Policy(
        city="city",
        domain="domain",
        roles={Action.VIEW: BUREAUS, Action.ADD: BUREAUS},
    ),
)
register(
    Claim,
    Policy(roles={Action.VIEW: BUREAUS, "reverse": BUREAUS}, hooks={Role.DEPARTMENT: _claims_of_own_city}),
)
register(IngestRejection, Policy(city="batch__city", domain="batch__domain", roles={Action.VIEW: BUREAUS}))
register(ClaimPosting, Policy(roles={Action.VIEW: BUREAUS}, hooks={Role.DEPARTMENT: _postings_of_own_city}))
register(ClaimReversal, Policy(roles={Action.VIEW: BUREAUS}, hooks={Role.DEPARTMENT: _reversals_of_own_city}))
register(PeriodPosition, Policy(city="city", roles={Action.VIEW: BUREAUS}))
register(
    SettlementInstruction,
    Policy(
        roles={Action.VIEW: BUREAUS, "confirm": OFFICE},
        hooks={Role.DEPARTMENT: _by_city_fk("payer", "payee")},
    ),
)

for model in (Scheme, CatalogueEntry, Period, IngestBatch, ClaimReversal, SettlementInstruction):
    audited(model)
# The person reference is shown to the insured city's bureau only; the audit trail keeps a keyed hash of it.
audited(Authorisation, personal=["person_ref"])
# Claims, postings, rejections and positions are written in bulk by the ingest and the close; their audit entries
# are the batch's and the period's (log_event), one per run rather than a million.
