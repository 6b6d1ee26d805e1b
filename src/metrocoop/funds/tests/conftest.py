from datetime import date

import pytest

from metrocoop.core.models import User


def make_passed_resolution(title: str = "关于投资开发基金项目的决议"):
    from metrocoop.council import services as council

    office = User.objects.get(username="office")
    reps = {u.username.split("-")[1].upper(): u for u in User.objects.filter(username__startswith="liaison-")}
    body = council.do_set_up_council(
        name_zh="上海大都市圈发展理事会",
        name_en="Council",
        rules={"quorum_share": "0.667", "majority_share": "0.5"},
        representatives=reps,
        actor=office,
    )
    meeting = council.do_create_meeting(
        body, {"kind": "plenary", "title": "全体会议", "held_on": date.today()}, actor=office
    )
    resolution = council.do_propose_resolution(meeting, title=title, actor=office)
    for seat in body.seats.select_related("city"):
        council.do_cast_vote(resolution, seat.city, "yes", actor=reps[seat.city.code])
    return council.do_decide_resolution(resolution, actor=office)


@pytest.fixture
def passed_resolution(demo_users):
    return make_passed_resolution()


@pytest.fixture
def funds(demo_users):
    from metrocoop.funds import services

    return services.ensure_funds()
