"""Access policies: indicators are public; a liaison edits only its own city's observations, the office all."""

from django.db.models import Q

from metrocoop.core.audit import audited
from metrocoop.core.choices import Role
from metrocoop.core.permissions import Action, Policy, register
from metrocoop.indicators.models import Indicator, Observation

OFFICE = frozenset({Role.OFFICE})
CITY_EDITORS = frozenset({Role.OFFICE, Role.LIAISON})

register(Indicator, Policy(public=Q(), roles={Action.ADD: OFFICE, Action.CHANGE: OFFICE, Action.DELETE: OFFICE}))
register(
    Observation,
    Policy(
        city="city",
        public=Q(),
        roles={Action.ADD: CITY_EDITORS, Action.CHANGE: CITY_EDITORS, Action.DELETE: CITY_EDITORS},
    ),
)
audited(Indicator)
audited(Observation)
