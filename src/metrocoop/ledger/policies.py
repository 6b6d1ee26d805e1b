"""Access to the ledger: the office and auditors read everything; a city's officers (liaison, department) read
their city's accounts and the transfers that touch them. Only the office posts by hand; apps post through their
own services (clearing, funds), which check their own business permission."""

from django.db.models import Q

from metrocoop.core.audit import audited
from metrocoop.core.choices import Role
from metrocoop.core.permissions import CITY_ROLES, OFFICE, Action, Policy, Scopes, register
from metrocoop.ledger.models import Account, ChainHead, Transfer


def _city_ids(scopes: Scopes) -> list[int]:
    return sorted(scopes.cities_for(Role.LIAISON) | scopes.cities_for(Role.DEPARTMENT))


def _transfers_of_own_city(scopes: Scopes) -> Q | None:
    cities = _city_ids(scopes)
    if not cities:
        return None
    return Q(debit_account__city__in=cities) | Q(credit_account__city__in=cities)


register(Account, Policy(city="city", roles={Action.VIEW: CITY_ROLES, Action.ADD: OFFICE}))
register(
    Transfer,
    Policy(
        roles={Action.VIEW: CITY_ROLES, Action.ADD: OFFICE},
        hooks={Role.LIAISON: _transfers_of_own_city, Role.DEPARTMENT: _transfers_of_own_city},
    ),
)
register(ChainHead, Policy(roles={Action.VIEW: frozenset()}))
audited(Account, include_fields=["code", "name_zh", "name_en", "kind", "city", "owner_app"])
audited(Transfer)
