"""Fixtures of the forum tests: a clock the services read, organisation accounts, a quick way to submit."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def set(self, day: date, hour: int = 10) -> None:
        moment = datetime.combine(day, time(hour), tzinfo=SHANGHAI)
        self.monkeypatch.setattr("metrocoop.forum.services._now", lambda: moment)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def enterprise_user(reference):
    """An organisation account: a user speaking for an enterprise."""
    from metrocoop.core.choices import OrganisationKind, Role
    from metrocoop.core.models import Organisation, RoleAssignment, User

    org = Organisation.objects.create(
        code="test-enterprise",
        name_zh="测试物流有限公司",
        name_en="Test Logistics Ltd",
        kind=OrganisationKind.ENTERPRISE,
    )
    user = User.objects.create_user("enterprise-test", password="x-test-password", display_name="测试物流")
    RoleAssignment.objects.create(user=user, role=Role.PUBLIC, organisation=org)
    return user


@pytest.fixture
def submit(demo_users):
    from metrocoop.forum.services import SuggestionInput, do_submit_suggestion

    def _submit(
        title="开通苏州到上海虹桥的夜间公交",
        text="晚上十点以后没有回苏州的公交，建议开通夜间线路。",
        *,
        user="public",
        cities=("SZ", "SH"),
        category="transport",
    ):
        actor = demo_users[user] if isinstance(user, str) else user
        return do_submit_suggestion(SuggestionInput(title, text, category, list(cities)), actor=actor)

    return _submit
