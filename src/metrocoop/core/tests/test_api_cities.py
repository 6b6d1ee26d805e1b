"""The cities API: routine tests from the generic mixin, and the scope rules the foundation must show."""

import pytest
from auditlog.models import LogEntry

from metrocoop.core.models import City
from metrocoop.core.testing import ModelAPITestCases, snapshot

pytestmark = pytest.mark.django_db


class TestCityAPI(ModelAPITestCases):
    basename = "city"
    lookup_field = "code"
    methods = {"list", "retrieve", "partial_update"}

    def make_row(self, reference):
        return reference["SZ"]

    def update_payload(self, row):
        return {"positioning": "长三角先进制造业基地 / advanced manufacturing base"}


def test_liaison_of_another_city_gets_403_and_nothing_changes(api, reference):
    # given
    before = snapshot(City)
    # when
    response = api("liaison-sz").patch("/api/cities/WX/", {"description_zh": "被篡改"}, format="json")
    # then
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied" and body["message"] and body["message_en"]
    assert snapshot(City) == before


@pytest.mark.parametrize("username", ["liaison-wx", "office"])
def test_own_liaison_and_office_may_change_the_profile_and_the_audit_shows_before_and_after(api, reference, username):
    old = reference["WX"].description_zh
    response = api(username).patch("/api/cities/WX/", {"description_zh": "太湖明珠，物联网之城"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["description_zh"] == "太湖明珠，物联网之城"
    entry = LogEntry.objects.get_for_object(City.objects.get(code="WX")).order_by("-id").first()
    assert entry.actor.username == username
    assert entry.changes["description_zh"] == [old, "太湖明珠，物联网之城"]
    audit = api("auditor").get("/api/audit/", {"model": "core.city", "object_pk": str(reference["WX"].pk)}).json()
    latest = audit["results"][0]
    assert latest["actor"] == username
    assert latest["before"]["description_zh"] == old and latest["after"]["description_zh"] == "太湖明珠，物联网之城"


def test_only_profile_fields_change_through_the_api(api, reference):
    before = snapshot(City)
    response = api("office").patch("/api/cities/WX/", {"name_zh": "改名", "code": "XX"}, format="json")
    # read-only fields are ignored by the profile serializer: nothing changes, and nothing is audited
    assert response.status_code == 200
    assert snapshot(City) == before


def test_validation_errors_name_the_field(api, reference):
    response = api("office").patch("/api/cities/WX/", {"contact": ["not", "text"]}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "contact" in body["fields"]


def test_city_is_addressed_by_code_case_insensitively(api, reference):
    assert api(None).get("/api/cities/sz/").json()["name_zh"] == "苏州"
    assert api(None).get("/api/cities/XX/").status_code == 404


def test_the_member_list_is_data(api, reference):
    """A city that joins later is a row with a date; nothing assumes nine."""
    from datetime import date

    from metrocoop.core.models import Province

    City.objects.create(
        code="YC",
        name_zh="盐城",
        name_en="Yancheng",
        province=Province.objects.get(code="JS"),
        latitude="33.34750",
        longitude="120.16300",
        joined_on=date(2025, 1, 1),
    )
    assert len(api(None).get("/api/cities/").json()) == 10
    assert len(api(None).get("/api/cities/", {"member_on": "2024-06-01"}).json()) == 9
    assert City.objects.members_in_year(2019).count() == 9


def test_token_endpoint_gives_a_token_that_authenticates(api, demo_users):
    response = api(None).post("/api/auth/token/", {"username": "liaison-sz", "password": "metrocoop-demo"})
    assert response.status_code == 200
    token = response.json()["token"]
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/me/").json()
    assert me["username"] == "liaison-sz"
    assert me["roles"][0]["role"] == "liaison" and me["roles"][0]["city"] == "SZ"
    assert api(None).post("/api/auth/token/", {"username": "liaison-sz", "password": "wrong"}).status_code == 400


def test_city_list_runs_a_bounded_number_of_queries(api, reference, django_assert_max_num_queries):
    client = api("liaison-sz")
    with django_assert_max_num_queries(8):
        assert client.get("/api/cities/").status_code == 200
