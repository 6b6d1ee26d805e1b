"""`metrocoop demo --load-only` is repeatable, and the platform refuses to serve demo credentials for real."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from metrocoop.core.models import City, Organisation, RoleAssignment, User
from metrocoop.core.safety import assert_safe_to_serve, unsafe_reasons
from metrocoop.indicators.models import Observation

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (City, Organisation, User, RoleAssignment, Observation)]


def test_loading_the_demo_twice_changes_nothing(reference, capsys):
    call_command("demo", "--load-only")
    first = counts()
    call_command("demo", "--load-only")
    assert counts() == first
    out = capsys.readouterr().out
    for username in ["office", "auditor", "expert", "researcher", "liaison-sh", "liaison-zs"]:
        assert username in out
    assert "metrocoop-demo" in out
    assert first[0] == 9
    table1 = Observation.objects.filter(year=2019, source__contains="表1")
    assert table1.values("indicator").distinct().count() == 6 and table1.count() == 9 * 6


def test_every_role_has_a_demo_account_that_logs_in(demo_users, client):
    for username in ["office", "auditor", "expert", "researcher", "public"] + [
        f"liaison-{c.lower()}" for c in City.objects.values_list("code", flat=True)
    ]:
        assert client.login(username=username, password="metrocoop-demo"), username


def test_outside_demo_mode_demo_passwords_debug_and_the_demo_key_are_refused(demo_users, settings):
    settings.DEMO_MODE = False
    settings.DEBUG = True
    reasons = " ".join(unsafe_reasons())
    assert "DEBUG" in reasons and "METROCOOP_SECRET_KEY" in reasons
    assert f"{User.objects.filter(has_demo_password=True).count()} active accounts" in reasons and "auditor" in reasons
    with pytest.raises(ImproperlyConfigured):
        assert_safe_to_serve()
    with pytest.raises(CommandError):
        call_command("serve")


def test_a_changed_password_is_no_longer_a_demo_password(demo_users, settings):
    settings.DEMO_MODE = False
    settings.DEBUG = False
    settings.SECRET_KEY = "a-real-secret-key-for-this-test-only-0123456789"
    for user in User.objects.all():
        user.set_password("a much longer real passphrase")
        user.save()
    assert unsafe_reasons() == []


def test_in_demo_mode_serving_is_allowed(demo_users, settings):
    settings.DEMO_MODE = True
    assert unsafe_reasons() == []
