"""Access policies: indicators are public; a liaison edits only its own city's observations, the office all."""

from django.db.models import Q

from metrocoop.core.audit import audited
from metrocoop.core.permissions import OFFICE, OFFICE_AND_LIAISONS, Action, Policy, register
from metrocoop.indicators.models import (
    CommutingFlow,
    Indicator,
    Observation,
    ObservationImport,
    PositioningStatement,
    SectorValue,
    UrbanFunction,
)

OFFICE_WRITES = {Action.ADD: OFFICE, Action.CHANGE: OFFICE, Action.DELETE: OFFICE}
CITY_WRITES = {Action.ADD: OFFICE_AND_LIAISONS, Action.CHANGE: OFFICE_AND_LIAISONS, Action.DELETE: OFFICE_AND_LIAISONS}

register(Indicator, Policy(public=Q(), roles=OFFICE_WRITES))
register(Observation, Policy(city="city", public=Q(), roles=CITY_WRITES))
register(SectorValue, Policy(city="city", public=Q(), roles=CITY_WRITES))
register(PositioningStatement, Policy(city="city", public=Q(), roles=CITY_WRITES))
register(CommutingFlow, Policy(public=Q(), roles=OFFICE_WRITES))
register(UrbanFunction, Policy(public=Q(), roles=OFFICE_WRITES))
# An import is seen by the office, auditors and the person who made it.
register(
    ObservationImport,
    Policy(
        owner="imported_by",
        roles={Action.VIEW: OFFICE_AND_LIAISONS, Action.ADD: OFFICE_AND_LIAISONS},
    ),
)
for model in (
    Indicator,
    Observation,
    SectorValue,
    PositioningStatement,
    CommutingFlow,
    UrbanFunction,
    ObservationImport,
):
    audited(model)
