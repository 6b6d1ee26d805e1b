"""Access policies of the policy library (core.permissions) and its audit registration.

Published documents are public; a liaison adds and edits its own city's documents (and their relations,
attachments, comparisons, replication status and catalogue lines); the office edits everything; experts curate
the proposals anyone signed in makes (custom action "curate")."""

from django.db.models import Q

from metrocoop.core.audit import audited
from metrocoop.core.choices import Role
from metrocoop.core.permissions import OFFICE, OFFICE_AND_LIAISONS, SIGNED_IN_ROLES, Action, Policy, register
from metrocoop.policies.models import (
    Consultation,
    ConsultationClause,
    ConsultationComment,
    CurationProposal,
    IndustryCatalogueEntry,
    PilotReform,
    PolicyAttachment,
    PolicyDocument,
    PolicyDomainTag,
    PolicyRelation,
    ReformReplication,
    Topic,
    TopicProvision,
    ValidityChange,
)

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


register(PolicyDocument, Policy(city="city", public=PUBLISHED, roles=WRITE_CITY))
register(PolicyDomainTag, Policy(city="document__city", public=Q(document__status="published"), roles=WRITE_CITY))
register(PolicyAttachment, Policy(city="document__city", public=Q(document__status="published"), roles=WRITE_CITY))
register(
    PolicyRelation,
    Policy(
        city="source__city",
        public=Q(source__status="published", target__status="published"),
        roles=WRITE_CITY,
    ),
)
register(ValidityChange, Policy(city="document__city", public=Q(document__status="published"), roles=WRITE_CITY))
register(Topic, Policy(public=Q(), roles=WRITE_OFFICE))
register(TopicProvision, Policy(city="city", public=Q(), roles=WRITE_CITY))
register(PilotReform, Policy(public=Q(), roles=WRITE_OFFICE))
register(ReformReplication, Policy(city="city", public=Q(), roles=WRITE_CITY))
register(IndustryCatalogueEntry, Policy(city="city", public=Q(), roles=WRITE_CITY))
register(
    CurationProposal,
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
register(Consultation, Policy(city="city", public=Q(), roles=WRITE_CITY))
register(ConsultationClause, Policy(city="consultation__city", public=Q(), roles=WRITE_CITY))
register(
    ConsultationComment,
    Policy(
        owner="author",
        public=Q(),
        roles={Action.ADD: frozenset({Role.LIAISON, Role.EXPERT, Role.OFFICE}), Action.CHANGE: OFFICE},
    ),
)

for model in (
    Consultation,
    ConsultationClause,
    ConsultationComment,
    PolicyDomainTag,
    PolicyAttachment,
    PolicyRelation,
    ValidityChange,
    Topic,
    TopicProvision,
    PilotReform,
    ReformReplication,
    IndustryCatalogueEntry,
    CurationProposal,
):
    audited(model)
# the segmented copies are derived from title and text; the trail keeps the originals
audited(PolicyDocument, exclude_fields=["title_segmented", "text_segmented", "search_terms"])
