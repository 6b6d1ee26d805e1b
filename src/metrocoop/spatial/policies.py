"""Access to the spatial app (core.permissions) and its audit.

Public: features, rules and corridor projects (planning information). A liaison keeps its own city's features;
the office keeps everything, edits the rules and runs detection. Conflicts are internal: the office, auditors and
the liaisons of the two cities concerned see them; the office and those liaisons assign and resolve them.
"""

from django.db.models import Q

from metrocoop.core.audit import audited
from metrocoop.core.choices import Role
from metrocoop.core.permissions import OFFICE, OFFICE_AND_LIAISONS, Action, Policy, Scopes, register
from metrocoop.spatial.models import Conflict, ConflictRule, CorridorProject, Feature


def _liaison_of_the_neighbour(scopes: Scopes) -> Q | None:
    cities = sorted(scopes.cities_for(Role.LIAISON))
    return Q(city_b__in=cities) if cities else None


register(
    Feature,
    Policy(
        city="city",
        public=Q(),
        roles={Action.ADD: OFFICE_AND_LIAISONS, Action.CHANGE: OFFICE_AND_LIAISONS, Action.DELETE: OFFICE_AND_LIAISONS},
    ),
)
register(ConflictRule, Policy(public=Q(), roles={Action.ADD: OFFICE, Action.CHANGE: OFFICE}))
register(
    Conflict,
    Policy(
        city="city_a",
        roles={
            Action.VIEW: OFFICE_AND_LIAISONS,
            Action.ADD: OFFICE,
            Action.CHANGE: OFFICE_AND_LIAISONS,
        },
        hooks={Role.LIAISON: _liaison_of_the_neighbour},
    ),
)
register(
    CorridorProject,
    Policy(
        city="lead_city",
        public=Q(),
        roles={Action.ADD: OFFICE, Action.CHANGE: OFFICE_AND_LIAISONS, Action.DELETE: OFFICE},
    ),
)

for model in (Feature, ConflictRule, Conflict, CorridorProject):
    audited(model)
