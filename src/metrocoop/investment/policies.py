"""Access to investment coordination (core.permissions) and its audit.

Public: the chain trees and the co-built parks with their agreements, the joint promotion events and the sharing
rules. Signed-in users read enterprises, leads, conflicts, relocations and park figures (招商信息 is shared with the
area). A liaison adds and changes only its own city's enterprises and leads, the events it organises, the
relocations into its city (it collects the moved firm's tax) and the parks it hosts (it enters their yearly
figures). The office does everything, and alone edits chains, rules, conflict decisions and land-quota transfers.
"""

from django.db.models import Q

from metrocoop.core.audit import audited
from metrocoop.core.permissions import OFFICE, OFFICE_AND_LIAISONS, SIGNED_IN_ROLES, Action, Policy, register
from metrocoop.investment import models

OFFICE_WRITES = {Action.ADD: OFFICE, Action.CHANGE: OFFICE, Action.DELETE: OFFICE}
CITY_WRITES = {Action.VIEW: SIGNED_IN_ROLES, Action.ADD: OFFICE_AND_LIAISONS, Action.CHANGE: OFFICE_AND_LIAISONS}
# Shared with the area: every signed-in role reads every row (writes stay scoped to the row's city).
AREA = SIGNED_IN_ROLES

for model in (models.Chain, models.Segment, models.Link, models.SharingRule):
    register(model, Policy(public=Q(), roles=OFFICE_WRITES))
register(
    models.Enterprise,
    Policy(city="city", roles={**CITY_WRITES, Action.DELETE: OFFICE_AND_LIAISONS}, regional_readers=AREA),
)
register(models.Lead, Policy(city="city", roles=CITY_WRITES, regional_readers=AREA))
register(
    models.LeadConflict, Policy(roles={Action.VIEW: SIGNED_IN_ROLES, Action.CHANGE: OFFICE}, regional_readers=AREA)
)
register(
    models.PromotionEvent,
    Policy(city="host_city", public=Q(), roles={**CITY_WRITES, Action.DELETE: OFFICE_AND_LIAISONS}),
)
register(models.Relocation, Policy(city="destination", roles=CITY_WRITES, regional_readers=AREA))
register(models.RelocationTaxYear, Policy(city="relocation__destination", roles=CITY_WRITES, regional_readers=AREA))
register(models.Park, Policy(city="host", public=Q(), roles={**CITY_WRITES, Action.ADD: OFFICE}))
register(models.ParkPhase, Policy(city="park__host", public=Q(), roles={**OFFICE_WRITES}))
register(models.ParkYear, Policy(city="park__host", roles=CITY_WRITES, regional_readers=AREA))
register(
    models.LandQuotaTransfer, Policy(roles={Action.VIEW: SIGNED_IN_ROLES, Action.ADD: OFFICE}, regional_readers=AREA)
)

for model in (
    models.Chain,
    models.Segment,
    models.Link,
    models.SharingRule,
    models.Enterprise,
    models.Lead,
    models.LeadConflict,
    models.PromotionEvent,
    models.Relocation,
    models.RelocationTaxYear,
    models.Park,
    models.ParkPhase,
    models.ParkYear,
    models.LandQuotaTransfer,
):
    audited(model)
