"""core.permissions: one module decides, for rows saved or new, and querysets agree with single-row checks."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from metrocoop.core.choices import Domain, Role
from metrocoop.core.models import City, Job, RoleAssignment, User
from metrocoop.core.permissions import (
    Action,
    Policy,
    can,
    forget_scopes,
    policy_for,
    registered_models,
    require,
    restrict,
    scopes_of,
)
from metrocoop.indicators.models import Indicator, Observation

pytestmark = pytest.mark.django_db


def test_a_liaison_may_change_only_its_own_city(demo_users, reference):
    sz = demo_users["liaison-sz"]
    assert can(sz, Action.CHANGE, reference["SZ"])
    assert not can(sz, Action.CHANGE, reference["WX"])
    assert set(restrict(City.objects.all(), sz, Action.CHANGE).values_list("code", flat=True)) == {"SZ"}


def test_the_office_changes_every_city_and_the_auditor_none(demo_users, reference):
    assert restrict(City.objects.all(), demo_users["office"], Action.CHANGE).count() == len(reference)
    assert restrict(City.objects.all(), demo_users["auditor"], Action.CHANGE).count() == 0
    assert restrict(City.objects.all(), demo_users["auditor"], Action.VIEW).count() == len(reference)


def test_anonymous_users_see_public_rows_only(reference):
    from auditlog.models import LogEntry
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert restrict(City.objects.all(), anonymous).count() == len(reference)
    assert restrict(LogEntry.objects.all(), anonymous).count() == 0
    assert not can(anonymous, Action.CHANGE, reference["SZ"])


def test_a_new_row_is_judged_on_its_fields(demo_users, reference):
    indicator = Indicator.objects.get(code="gdp")
    mine = Observation(indicator=indicator, city=reference["SZ"], year=2020, value=Decimal("1"))
    theirs = Observation(indicator=indicator, city=reference["WX"], year=2020, value=Decimal("1"))
    assert can(demo_users["liaison-sz"], Action.ADD, mine)
    assert not can(demo_users["liaison-sz"], Action.ADD, theirs)
    assert can(demo_users["office"], Action.ADD, theirs)
    with pytest.raises(PermissionDenied):
        require(demo_users["liaison-sz"], Action.ADD, theirs)


def test_queryset_and_row_checks_agree_for_every_user_and_city(demo_users, reference):
    for user in demo_users.values():
        allowed = set(restrict(Observation.objects.all(), user, Action.CHANGE).values_list("pk", flat=True))
        for obs in Observation.objects.all():
            assert can(user, Action.CHANGE, obs) == (obs.pk in allowed), (user.username, obs.pk)


def test_department_officers_are_scoped_by_city_and_domain(reference, monkeypatch):
    from metrocoop.core import permissions
    from metrocoop.core.models import Organisation

    user = User.objects.create(username="eco-nb")
    RoleAssignment.objects.create(user=user, role=Role.DEPARTMENT, city=reference["NB"], domain=Domain.ECOLOGY)
    assert scopes_of(user).department_scopes == frozenset({(reference["NB"].pk, Domain.ECOLOGY)})
    # Organisations stand in for any model with a city and a domain.
    dept = frozenset({Role.DEPARTMENT})
    policy = Policy(city="city", domain="domain", roles={Action.CHANGE: dept, Action.ADD: dept})
    monkeypatch.setitem(permissions._POLICIES, Organisation, policy)
    changeable = set(restrict(Organisation.objects.all(), user, Action.CHANGE).values_list("code", flat=True))
    assert changeable == {"ecology-nb"}
    assert can(user, Action.CHANGE, Organisation.objects.get(code="ecology-nb"))
    assert not can(user, Action.CHANGE, Organisation.objects.get(code="medical-insurance-nb"))
    assert not can(user, Action.CHANGE, Organisation.objects.get(code="ecology-sz"))
    assert can(user, Action.ADD, Organisation(code="new", city=reference["NB"], domain=Domain.ECOLOGY))


def test_expired_role_assignments_grant_nothing(reference):
    user = User.objects.create(username="former-liaison")
    RoleAssignment.objects.create(
        user=user, role=Role.LIAISON, city=reference["HZ"], valid_until=date.today() - timedelta(days=1)
    )
    assert not can(user, Action.CHANGE, reference["HZ"])
    RoleAssignment.objects.filter(user=user).update(valid_until=None)
    forget_scopes(user)
    assert can(user, Action.CHANGE, reference["HZ"])


def test_an_inactive_user_is_anonymous(demo_users, reference):
    user = demo_users["liaison-hz"]
    user.is_active = False
    assert not can(user, Action.CHANGE, reference["HZ"])


def test_auditors_can_never_be_given_write_access():
    with pytest.raises(ValueError):
        Policy(roles={Action.CHANGE: frozenset({Role.AUDITOR})})


def test_every_model_of_our_apps_has_a_policy():
    from django.apps import apps

    ours = [m for m in apps.get_models() if m.__module__.startswith("metrocoop.")]
    missing = [m._meta.label for m in ours if m not in registered_models()]
    assert missing == []
    with pytest.raises(LookupError):
        policy_for(type("Unregistered", (), {"_meta": type("M", (), {"concrete_model": None, "label": "x.y"})()}))


def test_jobs_are_seen_by_their_owner_the_office_and_auditors(demo_users):
    job = Job.objects.create(kind="core.audit_export", title="t", created_by=demo_users["liaison-sz"])
    visible = {u for u, user in demo_users.items() if restrict(Job.objects.filter(pk=job.pk), user).exists()}
    assert visible == {"liaison-sz", "office", "auditor"}
