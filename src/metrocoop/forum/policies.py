"""Access to the forum (core.permissions) and its audit.

Public (anonymous too): suggestions not hidden by moderation nor declined as breaking the rules, with their status,
answers and likely duplicates; research projects; published forum events with their programme and speakers.
Every signed-in person but an auditor acts as a member of the public: submits suggestions, votes, reports. Authors
always see their own suggestions, hidden or not. The office moderates and moves suggestions through their steps;
a city department answers only the suggestions assigned to its city and domain. Researchers keep their own projects.
"""

from django.db.models import Q

from metrocoop.core.audit import audited
from metrocoop.core.choices import Role
from metrocoop.core.permissions import (
    EVERY_ROLE,
    OFFICE,
    OFFICE_AND_BUREAUS,
    PUBLIC_ROLE,
    Action,
    Policy,
    Scopes,
    register,
)
from metrocoop.forum import models
from metrocoop.forum.choices import DeclineReason, Moderation

ANSWER = "answer"
VOTE = "vote"
REPORT = "report"

OFFICE_WRITES = {Action.ADD: OFFICE, Action.CHANGE: OFFICE, Action.DELETE: OFFICE}

PUBLIC_SUGGESTIONS = Q(moderation=Moderation.VISIBLE) & ~Q(decline_reason=DeclineReason.INAPPROPRIATE)


def _public_acts_on_public_suggestions(scopes: Scopes) -> Q:
    return PUBLIC_SUGGESTIONS


register(
    models.Suggestion,
    Policy(
        city="assigned_city",
        domain="assigned_domain",
        owner="author",
        public=PUBLIC_SUGGESTIONS,
        roles={
            Action.VIEW: EVERY_ROLE,
            Action.ADD: PUBLIC_ROLE,
            Action.CHANGE: OFFICE,
            ANSWER: OFFICE_AND_BUREAUS,
            VOTE: PUBLIC_ROLE,
            REPORT: PUBLIC_ROLE,
        },
        hooks={Role.PUBLIC: _public_acts_on_public_suggestions},
    ),
)
register(
    models.DuplicateCandidate,
    Policy(
        public=Q(suggestion__in=models.Suggestion.objects.filter(PUBLIC_SUGGESTIONS))
        & Q(other__in=models.Suggestion.objects.filter(PUBLIC_SUGGESTIONS)),
        owner="suggestion__author",
        roles={Action.VIEW: EVERY_ROLE, Action.CHANGE: OFFICE},
    ),
)
register(
    models.SuggestionVote,
    Policy(owner="voter", roles={Action.VIEW: EVERY_ROLE, Action.ADD: PUBLIC_ROLE, Action.DELETE: PUBLIC_ROLE}),
)
register(
    models.SuggestionReport,
    Policy(owner="reporter", roles={Action.VIEW: EVERY_ROLE, Action.ADD: PUBLIC_ROLE, Action.CHANGE: OFFICE}),
)
register(
    models.ResearchProject,
    Policy(
        owner="lead",
        public=Q(),
        roles={
            Action.ADD: frozenset({Role.OFFICE, Role.RESEARCHER}),
            Action.CHANGE: frozenset({Role.OFFICE, Role.RESEARCHER}),
        },
    ),
)
register(models.ForumEvent, Policy(public=Q(published=True), roles={**OFFICE_WRITES, Action.VIEW: EVERY_ROLE}))
for model in (models.ProgrammeItem, models.Speaker):  # public with their event
    register(model, Policy(public=Q(event__published=True), roles={**OFFICE_WRITES, Action.VIEW: EVERY_ROLE}))
# A person's mail preference is their own (the office does not read it).
register(
    models.DigestPreference,
    Policy(
        owner="user",
        roles={Action.VIEW: EVERY_ROLE, Action.ADD: PUBLIC_ROLE, Action.CHANGE: PUBLIC_ROLE},
        regional_readers=frozenset(),
    ),
)

for model in (
    models.Suggestion,
    models.DuplicateCandidate,
    models.SuggestionVote,
    models.SuggestionReport,
    models.ResearchProject,
    models.ForumEvent,
    models.ProgrammeItem,
    models.Speaker,
    models.DigestPreference,
):
    audited(model)
