"""The forum's demo data: every state, one overdue, one merged duplicate, a hidden one, two research projects (one
that became a fund project), one event with the suggestions it produced; loading twice changes nothing."""

import pytest

from metrocoop.forum import services
from metrocoop.forum.choices import Moderation, ResearchStatus, SuggestionStatus
from metrocoop.forum.models import ForumEvent, ResearchProject, Suggestion, SuggestionVote

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_state_and_loads_idempotently(demo_users):
    from metrocoop.forum.demo_data import load
    from metrocoop.funds.demo_data import load as load_funds

    load_funds()
    load()
    counts = (Suggestion.objects.count(), SuggestionVote.objects.count(), ResearchProject.objects.count())
    assert set(SuggestionStatus.values) <= set(Suggestion.objects.values_list("status", flat=True))
    assert sum(services.is_overdue(s) for s in Suggestion.objects.all()) >= 1
    merged = Suggestion.objects.get(merged_into__isnull=False)
    assert merged.duplicate_candidates.filter(other=merged.merged_into).exists()
    assert Suggestion.objects.filter(moderation=Moderation.PENDING).count() == 1
    assert ResearchProject.objects.count() == 2
    became = ResearchProject.objects.get(fund_project__isnull=False)
    assert became.status == ResearchStatus.PRE_PHASE
    event = ForumEvent.objects.get()
    assert event.programme.count() == 3 and event.speakers.count() == 3 and event.suggestions.exists()
    # organisation accounts made suggestions but never voted
    assert Suggestion.objects.filter(organisation__isnull=False).count() == 2
    assert not SuggestionVote.objects.filter(voter__role_assignments__organisation__kind="enterprise").exists()

    load()
    assert (Suggestion.objects.count(), SuggestionVote.objects.count(), ResearchProject.objects.count()) == counts
