"""Reference data of the clearing house: the schemes, synthetic catalogues and authorisations for demos,
tests and the benchmark. Idempotent."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction

from metrocoop.clearing.choices import SchemeCode
from metrocoop.clearing.engine.synthetic import CatalogueItem, SyntheticAuthorisation
from metrocoop.clearing.models import Authorisation, CatalogueEntry, Scheme
from metrocoop.core.audit import AuditAction, acting, log_event
from metrocoop.core.choices import Domain
from metrocoop.core.models import City
from metrocoop.core.permissions import Action, require

SCHEMES = (
    (SchemeCode.MEDICAL_INPATIENT, "异地就医住院", "Medical care, inpatient", Domain.MEDICAL_INSURANCE, True),
    (SchemeCode.MEDICAL_OUTPATIENT, "异地就医门诊", "Medical care, outpatient", Domain.MEDICAL_INSURANCE, False),
    (SchemeCode.ELDERLY_CARE, "养老服务异地结算", "Elderly care", Domain.CIVIL_AFFAIRS, True),
)


def ensure_schemes() -> dict[str, Scheme]:
    for code, zh, en, domain, needs in SCHEMES:
        Scheme.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "domain": domain, "needs_authorisation": needs}
        )
    return {s.code: s for s in Scheme.objects.all()}


def load_catalogue(items: Iterable[CatalogueItem], *, actor: Any, valid_from=None) -> int:
    """Add the catalogue items that are missing (existing entries are left as they are)."""
    from datetime import date

    schemes = ensure_schemes()
    cities = {c.code: c for c in City.objects.all()}
    existing = set(CatalogueEntry.objects.values_list("city__code", "scheme__code", "item_code"))
    new = [
        CatalogueEntry(
            city=cities[i.city], scheme=schemes[i.scheme], item_code=i.item_code, name_zh=i.name_zh,
            name_en=i.name_en, unit_price_fen=i.unit_price_fen,
            reimbursement_ratio=Decimal(i.ratio_permille) / 1000, valid_from=valid_from or date(2020, 1, 1),
        )
        for i in items
        if (i.city, i.scheme, i.item_code) not in existing and i.city in cities
    ]  # fmt: skip
    with transaction.atomic(), acting(actor):
        for key in {(e.city_id, e.scheme_id) for e in new}:
            sample = next(e for e in new if (e.city_id, e.scheme_id) == key)
            require(actor, Action.ADD, sample)
        CatalogueEntry.objects.bulk_create(new, batch_size=2000)
        if new:
            log_event(new[0], actor=actor, action=AuditAction.CREATE, bulk=(None, f"{len(new)} catalogue entries"))
    return len(new)


def load_authorisations(items: Iterable[SyntheticAuthorisation], *, actor: Any) -> int:
    """Grant authorisations in bulk (existing identical windows are not repeated)."""
    schemes = ensure_schemes()
    cities = {c.code: c for c in City.objects.all()}
    items = list(items)
    refs = {a.person_ref for a in items}
    existing = set()
    refs_list = sorted(refs)
    for start in range(0, len(refs_list), 500):
        existing |= set(
            Authorisation.objects.filter(person_ref__in=refs_list[start : start + 500]).values_list(
                "person_ref", "insured_city__code", "service_city__code", "scheme__code", "valid_from"
            )
        )
    new = [
        Authorisation(
            person_ref=a.person_ref, insured_city=cities[a.insured_city], service_city=cities[a.service_city],
            scheme=schemes[a.scheme], valid_from=a.valid_from, valid_until=a.valid_until,
        )
        for a in items
        if (a.person_ref, a.insured_city, a.service_city, a.scheme, a.valid_from) not in existing
    ]  # fmt: skip
    with transaction.atomic(), acting(actor):
        for key in {(a.insured_city_id, a.scheme_id) for a in new}:
            require(actor, Action.ADD, next(a for a in new if (a.insured_city_id, a.scheme_id) == key))
        Authorisation.objects.bulk_create(new, batch_size=5000)
        if new:
            log_event(new[0], actor=actor, action=AuditAction.CREATE, bulk=(None, f"{len(new)} authorisations"))
    return len(new)
