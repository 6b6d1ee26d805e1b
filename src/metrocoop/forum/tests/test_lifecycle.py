"""A suggestion's life: received → accepted → assigned → answered → closed, with working-day deadlines on China's
official calendar, reminders, and escalation to the office when a step is overdue (the daily job, idempotent)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from metrocoop.core.errors import Conflict
from metrocoop.core.models import Notification
from metrocoop.forum import services
from metrocoop.forum.choices import Moderation, SuggestionStatus

pytestmark = pytest.mark.django_db


def _notified(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind).count()


def test_the_whole_lifecycle_across_national_day(clock, submit, demo_users, reference):
    office, public = demo_users["office"], demo_users["public"]
    # Given a suggestion received on the eve of National Day 2026
    clock.set(date(2026, 9, 30))
    s = submit()
    # then the office owes an answer within 5 working days: 1-7 October are holidays, Saturday 10 October is worked
    assert s.status == SuggestionStatus.RECEIVED
    assert s.due_on == date(2026, 10, 13) and not s.due_provisional

    # When the daily job runs during the holiday nothing is due yet
    assert services.check_deadlines(date(2026, 10, 8)) == {"recomputed": 0, "reminded": 0, "escalated": 0}
    # two working days before: the office is reminded, once
    assert services.check_deadlines(date(2026, 10, 12))["reminded"] == 1
    assert services.check_deadlines(date(2026, 10, 12))["reminded"] == 0
    assert _notified(office, "forum.suggestion_due") == 1
    # the day after the deadline: escalated to the office, once however often the job runs
    assert services.check_deadlines(date(2026, 10, 14))["escalated"] == 1
    assert services.check_deadlines(date(2026, 10, 14))["escalated"] == 0
    assert services.check_deadlines(date(2026, 10, 15))["escalated"] == 0
    assert _notified(office, "forum.suggestion_overdue") == 1
    assert services.is_overdue(s, date(2026, 10, 14))

    # When the office accepts it on 14 October, assigning is due 3 working days later (15, 16, 19 October)
    clock.set(date(2026, 10, 14))
    s = services.do_accept_suggestion(s, actor=office)
    assert s.status == SuggestionStatus.ACCEPTED and s.due_on == date(2026, 10, 19)
    assert not services.is_overdue(s, date(2026, 10, 14))
    # and assigns it to Suzhou's medical-insurance bureau: 15 working days to answer
    s = services.do_assign_suggestion(s, city=reference["SZ"], domain="medical_insurance", actor=office)
    assert s.status == SuggestionStatus.ASSIGNED and s.due_on == date(2026, 11, 4)
    assert _notified(demo_users["medical-sz"], "forum.suggestion_assigned") == 1
    # the department is reminded, and the overdue answer escalated to the office
    assert services.check_deadlines(date(2026, 11, 3))["reminded"] == 1
    assert _notified(demo_users["medical-sz"], "forum.suggestion_due") == 1
    assert services.check_deadlines(date(2026, 11, 5))["escalated"] == 1

    # Then another city's bureau cannot answer it, the assigned one can
    with pytest.raises(PermissionDenied):
        services.do_answer_suggestion(s, answer="无锡的答复", actor=demo_users["medical-wx"])
    with pytest.raises(PermissionDenied):
        services.do_answer_suggestion(s, answer="联络员的答复", actor=demo_users["liaison-sz"])
    clock.set(date(2026, 11, 5))
    s = services.do_answer_suggestion(s, answer="已纳入明年工作计划。", actor=demo_users["medical-sz"])
    assert s.status == SuggestionStatus.ANSWERED and s.due_on is None
    assert _notified(public, "forum.suggestion_answered") == 1
    assert services.check_deadlines(date(2026, 12, 1)) == {"recomputed": 0, "reminded": 0, "escalated": 0}
    # and its author closes it
    s = services.do_close_suggestion(s, actor=public)
    assert s.status == SuggestionStatus.CLOSED


def test_steps_out_of_order_are_refused(clock, submit, demo_users, reference):
    office = demo_users["office"]
    clock.set(date(2026, 3, 2))
    s = submit()
    with pytest.raises(Conflict):
        services.do_answer_suggestion(s, answer="太早了", actor=office)
    with pytest.raises(Conflict):
        services.do_assign_suggestion(s, actor=office)
    with pytest.raises(ValidationError):
        services.do_decline_suggestion(s, reason="", actor=office)
    s = services.do_decline_suggestion(s, reason="out_of_scope", note="属于省级事权", actor=office)
    assert s.status == SuggestionStatus.DECLINED and s.due_on is None
    with pytest.raises(Conflict):
        services.do_accept_suggestion(s, actor=office)


def test_only_the_office_moves_a_suggestion(clock, submit, demo_users):
    clock.set(date(2026, 3, 2))
    s = submit()
    for name in ("public", "liaison-sz", "medical-sz", "auditor", "researcher"):
        with pytest.raises(PermissionDenied):
            services.do_accept_suggestion(s, actor=demo_users[name])
    s.refresh_from_db()
    assert s.status == SuggestionStatus.RECEIVED


def test_a_deadline_beyond_the_known_calendar_is_provisional_and_recomputed(clock, submit):
    from metrocoop.forum import engine
    from metrocoop.forum.models import Suggestion

    last = engine.CALENDAR_LAST_YEAR
    clock.set(date(last, 12, 29))
    s = submit()
    assert s.due_provisional
    # a later calendar release would change the due date; the job recomputes and keeps it consistent meanwhile
    Suggestion.objects.filter(pk=s.pk).update(due_on=date(last + 1, 2, 1))
    assert services.check_deadlines(date(last, 12, 30))["recomputed"] == 1
    s.refresh_from_db()
    assert s.due_on == engine.add_working_days(date(last, 12, 29), 5).due_on


def test_reports_hide_a_suggestion_pending_review(clock, submit, demo_users, settings):
    settings.FORUM_REPORTS_TO_HIDE = 2
    clock.set(date(2026, 3, 2))
    s = submit(user="liaison-sz")
    services.do_report_suggestion(s, reason="spam", actor=demo_users["public"])
    s.refresh_from_db()
    assert s.moderation == Moderation.VISIBLE
    with pytest.raises(Conflict):
        services.do_report_suggestion(s, reason="abuse", actor=demo_users["public"])
    services.do_report_suggestion(s, reason="abuse", actor=demo_users["liaison-wx"])
    s.refresh_from_db()
    assert s.moderation == Moderation.PENDING
    assert _notified(demo_users["office"], "forum.suggestion_hidden") == 1
    # a moderator restores it: the reports are resolved, not upheld
    services.do_moderate_suggestion(s, remove=False, actor=demo_users["office"])
    s.refresh_from_db()
    assert s.moderation == Moderation.VISIBLE
    assert not s.reports.filter(resolved_at__isnull=True).exists()
    assert set(s.reports.values_list("upheld", flat=True)) == {False}


def test_merging_moves_the_votes_one_per_person(clock, submit, demo_users):
    clock.set(date(2026, 3, 2))
    first = submit()
    second = submit(user="liaison-sz", text="苏州工业园区晚上十点后没有回苏州的公交，建议开通夜间公交线路。")
    assert [m.id for m in second.likely_duplicates] == [first.pk]
    services.do_vote(first, actor=demo_users["liaison-wx"])
    services.do_vote(second, actor=demo_users["liaison-wx"])
    services.do_vote(second, actor=demo_users["liaison-nb"])
    merged = services.do_merge_suggestion(second, into=first, actor=demo_users["office"])
    assert merged.merged_into_id == first.pk and merged.status == SuggestionStatus.CLOSED
    assert sorted(first.votes.values_list("voter__username", flat=True)) == ["liaison-nb", "liaison-wx"]
    with pytest.raises(Conflict):
        services.do_merge_suggestion(second, into=first, actor=demo_users["office"])
    with pytest.raises(ValidationError):
        services.do_vote(second, actor=demo_users["public"])
