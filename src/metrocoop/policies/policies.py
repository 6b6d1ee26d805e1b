"""Access policies of the policy library (core.permissions) and its audit registration.

Published documents are public; a liaison adds and edits its own city's documents (and their relations,
attachments, comparisons, replication status and catalogue lines); the office edits everything; experts curate
the proposals anyone signed in makes (custom action "curate")."""

from django.db.models import Q

from metrocoop.core.audit import audited
from metrocoop.core.choices import Role
from metrocoop.core.permissions import OFFICE, OFFICE_AND_LIAISONS, SIGNED_IN_ROLES, Action, Policy, register
from metrocoop.policies import models

CURATE = "curate"
# a liaison also reads its own city's drafts
WRITE_CITY = {
    Action.VIEW: OFFICE_AND_LIAISONS,
    Action.ADD: OFFICE_AND_LIAISONS,
    Action.CHANGE: OFFICE_AND_LIAISONS,
    Action.DELETE: OFFICE_AND_LIAISONS,
}
WRITE_OFFICE = {Action.ADD: OFFICE, Action.CHANGE: OFFICE, Action.DELETE: OFFICE}
PUBLISHED = Q(status="published")


def _all_rows(scopes):
    return Q(pk__isnull=False)


register(models.PolicyDocument, Policy(city="city", public=PUBLISHED, roles=WRITE_CITY))
# a document's parts: public once it is published, kept by its city
for model in (models.PolicyDomainTag, models.PolicyAttachment, models.ValidityChange):
    register(model, Policy(city="document__city", public=Q(document__status="published"), roles=WRITE_CITY))
register(
    models.PolicyRelation,
    Policy(
        city="source__city",
        public=Q(source__status="published", target__status="published"),
        roles=WRITE_CITY,
    ),
)
# public rows: the office keeps the topics and pilot reforms, each city its own comparisons, replication status,
# catalogue lines and consultations
for model in (models.Topic, models.PilotReform):
    register(model, Policy(public=Q(), roles=WRITE_OFFICE))
CITY_ROWS = Policy(city="city", public=Q(), roles=WRITE_CITY)
for model in (models.TopicProvision, models.ReformReplication, models.IndustryCatalogueEntry):
    register(model, CITY_ROWS)
register(
    models.CurationProposal,
    Policy(
        owner="proposer",
        roles={
            Action.VIEW: SIGNED_IN_ROLES,
            Action.ADD: frozenset(Role) - {Role.AUDITOR},
            CURATE: frozenset({Role.EXPERT, Role.OFFICE}),
        },
        hooks={Role.EXPERT: _all_rows},
    ),
)

# A city circulates its own drafts; the other cities' liaisons and the experts comment (as the comment's author);
# the author city answers (a change to its consultation).
register(models.Consultation, CITY_ROWS)
register(models.ConsultationClause, Policy(city="consultation__city", public=Q(), roles=WRITE_CITY))
register(
    models.ConsultationComment,
    Policy(
        owner="author",
        public=Q(),
        roles={Action.ADD: frozenset({Role.LIAISON, Role.EXPERT, Role.OFFICE}), Action.CHANGE: OFFICE},
    ),
)

for model in (
    models.Consultation,
    models.ConsultationClause,
    models.ConsultationComment,
    models.PolicyDomainTag,
    models.PolicyAttachment,
    models.PolicyRelation,
    models.ValidityChange,
    models.Topic,
    models.TopicProvision,
    models.PilotReform,
    models.ReformReplication,
    models.IndustryCatalogueEntry,
    models.CurationProposal,
):
    audited(model)
# the segmented copies are derived from title and text; the trail keeps the originals
audited(models.PolicyDocument, exclude_fields=["title_segmented", "text_segmented", "search_terms"])
