"""Access to the standards mechanism (core.permissions) and its audit.

Everything is public to read except proposals' signatures (public too: who signed is the point). The catalogue,
the key-standard list, parameters and recognition types are kept by the office, acting as the regional
standardisation body (区域标准化联合组织). A liaison keeps its own city's limit values and the recognitions its
city grants (a recognition belongs to the recognising city); the office keeps all. A liaison proposes unification
work led by its city and moves it through drafting and consultation; only the office adopts. A liaison signs
for its own city.
"""

from django.db.models import Q

from metrocoop.core.audit import audited
from metrocoop.core.permissions import OFFICE, OFFICE_AND_LIAISONS, Action, Policy, register
from metrocoop.standards import models

OFFICE_WRITES = {Action.ADD: OFFICE, Action.CHANGE: OFFICE, Action.DELETE: OFFICE}
CITY_WRITES = {Action.ADD: OFFICE_AND_LIAISONS, Action.CHANGE: OFFICE_AND_LIAISONS, Action.DELETE: OFFICE_AND_LIAISONS}
ADOPT = "adopt"

register(models.Standard, Policy(public=Q(), roles=OFFICE_WRITES))
register(models.KeyStandard, Policy(public=Q(), roles=OFFICE_WRITES))
register(models.Parameter, Policy(public=Q(), roles=OFFICE_WRITES))
register(models.RecognitionType, Policy(public=Q(), roles=OFFICE_WRITES))
register(models.LimitValue, Policy(city="city", public=Q(), roles=CITY_WRITES))
register(models.LimitRevision, Policy(city="limit__city", public=Q(), roles={}))
register(models.Recognition, Policy(city="recognising_city", public=Q(), roles=CITY_WRITES))
register(
    models.UnificationProposal,
    Policy(
        city="lead_city",
        public=Q(),
        roles={
            Action.ADD: OFFICE_AND_LIAISONS,
            Action.CHANGE: OFFICE_AND_LIAISONS,
            Action.DELETE: OFFICE,
            ADOPT: OFFICE,
        },
    ),
)
register(
    models.ProposalSignature,
    Policy(city="city", public=Q(), roles={Action.ADD: OFFICE_AND_LIAISONS, Action.DELETE: OFFICE}),
)

for model in (
    models.Standard,
    models.KeyStandard,
    models.Parameter,
    models.RecognitionType,
    models.LimitValue,
    models.LimitRevision,
    models.Recognition,
    models.UnificationProposal,
    models.ProposalSignature,
):
    audited(model)
