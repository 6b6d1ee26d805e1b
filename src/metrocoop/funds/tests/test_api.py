"""Routine API tests for every funds endpoint (list, retrieve, who sees what, writes refused where none is offered),
and the project endpoints' refusals of unknown cities and resolutions (issue 19)."""

import pytest
from django.urls import reverse

from metrocoop.core.models import City, User
from metrocoop.core.permissions import restrict
from metrocoop.core.testing import snapshot
from metrocoop.funds.choices import ProjectStatus
from metrocoop.funds.models import (
    AssessmentCycle,
    AssessmentResult,
    ContributionCall,
    ContributionNotice,
    Fund,
    FundRule,
    Project,
    ProjectReview,
    Tranche,
)

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("funds-fund", Fund),
    ("funds-rule", FundRule),
    ("funds-call", ContributionCall),
    ("funds-notice", ContributionNotice),
    ("funds-project", Project),
    ("funds-review", ProjectReview),
    ("funds-tranche", Tranche),
    ("funds-cycle", AssessmentCycle),
    ("funds-result", AssessmentResult),
]
READERS = [None, "public", "liaison-sz", "expert", "auditor", "office"]


@pytest.fixture
def demo(demo_users):
    from metrocoop.funds import demo_data

    demo_data.load()
    if not Tranche.objects.exists():  # the demo approves projects only where the council's demo passed a resolution
        from metrocoop.funds import services
        from metrocoop.funds.tests.conftest import make_passed_resolution

        project = Project.objects.filter(status=ProjectStatus.UNDER_REVIEW).order_by("pk").first()
        services.do_decide_project(
            project,
            resolution=make_passed_resolution(),
            approve=True,
            approved_fen=1_000_00,
            tranches=[(600_00, "开工 start"), (400_00, "完工 done")],
            actor=demo_users["office"],
        )
    return demo_users


def _rows(data):
    return data["results"] if isinstance(data, dict) and "results" in data else data


def _ids(response) -> set:
    return {row["id"] for row in _rows(response.json())}


@pytest.mark.parametrize(("basename", "model"), ENDPOINTS)
def test_each_reader_lists_exactly_the_rows_the_policy_lets_them_see(api, demo, basename, model):
    assert model.objects.exists() or model is AssessmentResult  # every table but the results (no cycle run)
    for username in READERS:
        user = demo[username] if username else None
        response = api(username).get(reverse(f"api:{basename}-list"), {"page_size": 1000})
        assert response.status_code == 200, (username, response.content)
        expected = set(restrict(model.objects.all(), user).values_list("pk", flat=True))
        assert _ids(response) == expected, username
    if model is Project:  # what a reader notices: projects under review are not public, the office sees them
        under_review = set(Project.objects.filter(status=ProjectStatus.UNDER_REVIEW).values_list("pk", flat=True))
        assert under_review
        assert not under_review & _ids(api(None).get(reverse("api:funds-project-list"), {"page_size": 1000}))
        assert under_review <= _ids(api("office").get(reverse("api:funds-project-list"), {"page_size": 1000}))


@pytest.mark.parametrize(("basename", "model"), ENDPOINTS)
def test_a_row_is_retrieved_by_whoever_sees_it_and_is_not_found_for_others(api, demo, basename, model):
    row = model.objects.order_by("pk").first()
    if row is None:
        pytest.skip(f"the demo has no {model._meta.verbose_name}")
    url = reverse(f"api:{basename}-detail", args=[row.pk])
    for username in READERS:
        user = demo[username] if username else None
        visible = restrict(model.objects.filter(pk=row.pk), user).exists()
        response = api(username).get(url)
        assert response.status_code == (200 if visible else 404), username
        if visible:
            assert response.json()["id"] == row.pk
    assert api("office").get(reverse(f"api:{basename}-detail", args=[10**9])).status_code == 404


@pytest.mark.parametrize(("basename", "model"), ENDPOINTS)
def test_no_endpoint_offers_a_write_it_has_no_service_for(api, demo, basename, model):
    row = model.objects.order_by("pk").first()
    before = snapshot(model)
    creates = basename == "funds-project"
    if not creates:
        assert api("office").post(reverse(f"api:{basename}-list"), {}, format="json").status_code == 405
    if row is not None:
        detail = reverse(f"api:{basename}-detail", args=[row.pk])
        assert api("office").patch(detail, {}, format="json").status_code == 405
        assert api("office").delete(detail).status_code == 405
    assert snapshot(model) == before


def _proposal(**changes):
    payload = {
        "title": "跨界河道联合治理",
        "category": Project._meta.get_field("category").choices[0][0],
        "lead_city": "SZ",
        "partner_cities": ["WX"],
        "requested_fen": 100_000_00,
    }
    payload.update(changes)
    return payload


def test_a_liaison_submits_a_project_with_its_partner_cities(api, funds):
    response = api("liaison-sz").post(reverse("api:funds-project-list"), _proposal(), format="json")
    assert response.status_code == 201, response.content
    project = Project.objects.get(pk=response.json()["id"])
    assert project.lead_city.code == "SZ" and [c.code for c in project.partner_cities.all()] == ["WX"]
    assert response.json()["status"] == ProjectStatus.SUBMITTED


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"partner_cities": ["WX", "QQ"]}, "partner_cities", "QQ"),
        ({"partner_cities": ["nowhere"]}, "partner_cities", "NOWHERE"),
        ({"lead_city": "QQ"}, "lead_city", "QQ"),
    ],
)
def test_an_unknown_city_code_is_refused_by_name_in_both_languages_and_nothing_is_saved(
    api, funds, changes, field, code
):
    before = snapshot(Project)
    response = api("liaison-sz").post(reverse("api:funds-project-list"), _proposal(**changes), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["message"] and body["message_en"]
    message = " ".join(body["fields"][field])
    assert code in message and "未知的城市代码" in message and "Unknown city code" in message
    assert snapshot(Project) == before


def test_a_decision_naming_a_resolution_that_does_not_exist_is_refused(api, funds):
    from metrocoop.funds import services

    office = User.objects.get(username="office")
    project = services.do_submit_project(
        Fund.objects.get(kind="investment"),
        title="示范项目",
        category=Project._meta.get_field("category").choices[0][0],
        description="",
        lead_city=City.objects.get(code="SZ"),
        partner_cities=[],
        requested_fen=1_000_00,
        actor=office,
    )
    before = snapshot(Project)
    response = api("office").post(
        reverse("api:funds-project-decide", args=[project.pk]),
        {"resolution": 10**9, "approve": False},
        format="json",
    )
    assert response.status_code == 400
    message = " ".join(response.json()["fields"]["resolution"])
    assert "不存在编号为" in message and "There is no resolution with id 1000000000" in message
    assert snapshot(Project) == before
