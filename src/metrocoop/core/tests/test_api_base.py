"""The service-backed base viewset: writes reach the named services; writes with no service are not offered."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework import serializers
from rest_framework.test import APIRequestFactory, force_authenticate

from metrocoop.core.api.base import ServiceModelViewSet
from metrocoop.core.errors import Conflict
from metrocoop.core.models import Organisation

pytestmark = pytest.mark.django_db

calls: list[tuple] = []


class OrgSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "code", "name_zh", "name_en", "kind"]


def make_org(data, *, actor):
    calls.append(("create", data["code"], actor.username))
    if data["code"] == "DUP":
        raise Conflict("already there")
    if data["code"] == "BAD":
        raise ValidationError({"code": "refused by the service"})
    return Organisation.objects.create(**data)


class CreateOnly(ServiceModelViewSet):
    queryset = Organisation.objects.all()
    serializer_class = OrgSerializer
    create_service = make_org


class ReadOnlyByOmission(ServiceModelViewSet):
    queryset = Organisation.objects.all()
    serializer_class = OrgSerializer


def _post(viewset, user, payload):
    request = APIRequestFactory().post("/x/", payload, format="json")
    force_authenticate(request, user=user)
    return viewset.as_view({"get": "list", "post": "create"})(request)


def test_create_calls_the_service_with_the_actor(demo_users):
    calls.clear()
    response = _post(
        CreateOnly, demo_users["office"], {"code": "NEWORG", "name_zh": "新", "name_en": "New", "kind": "office"}
    )
    assert response.status_code == 201, response.data
    assert calls == [("create", "NEWORG", "office")]
    assert Organisation.objects.filter(code="NEWORG").exists()


def test_service_conflict_is_409_and_validation_error_is_400_naming_the_field(demo_users):
    conflict = _post(
        CreateOnly, demo_users["office"], {"code": "DUP", "name_zh": "重", "name_en": "Dup", "kind": "office"}
    )
    assert conflict.status_code == 409
    assert conflict.data["code"] == "conflict" and "already there" in conflict.data["detail"]
    bad = _post(CreateOnly, demo_users["office"], {"code": "BAD", "name_zh": "坏", "name_en": "Bad", "kind": "office"})
    assert bad.status_code == 400 and "code" in bad.data["fields"]


def test_a_write_with_no_service_is_not_offered_and_saves_nothing(demo_users):
    before = Organisation.objects.count()
    response = _post(
        ReadOnlyByOmission, demo_users["office"], {"code": "SNEAK", "name_zh": "偷", "name_en": "S", "kind": "office"}
    )
    assert response.status_code == 405
    assert Organisation.objects.count() == before
    assert "post" not in ReadOnlyByOmission.http_method_names and "delete" not in CreateOnly.http_method_names
    assert "post" in CreateOnly.http_method_names


def test_an_api_url_no_route_matches_answers_404_in_json_and_a_page_url_gets_the_page(client, reference):
    api = client.get("/api/indicators/%F1%AF%AA%9D./")
    assert api.status_code == 404 and api["Content-Type"].startswith("application/json")
    assert api.json()["code"] == "not_found" and api.json()["message_en"]
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_write_naming_an_unknown_field_is_refused_and_changes_nothing(demo_users):
    calls.clear()
    payload = {"code": "TYPO", "name_zh": "错", "name_en": "Typo", "kind": "office", "nmae_en": "misspelt"}
    refused = _post(CreateOnly, demo_users["office"], payload)
    assert refused.status_code == 400 and list(refused.data["fields"]) == ["nmae_en"]
    assert calls == [] and not Organisation.objects.filter(code="TYPO").exists()


def test_a_nul_character_in_input_is_a_bad_request_not_a_server_error(client, reference):
    # found by the API contract test on PostgreSQL, whose text cannot hold NUL
    response = client.get("/api/policies/search/", {"q": "人才", "level": "a\x00b"})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["code"] == "unstorable" and response.json()["message_en"]


@pytest.mark.parametrize(
    "url",
    ["/api/funds/cycles/AAA/simulate/", "/api/funds/projects/AAA/review/", "/api/policies/proposals/AAA/decide/"],
)
def test_an_id_that_is_not_a_number_is_not_found_rather_than_a_server_error(api, url):
    # a custom action's object looked up by a malformed id (issue 11's probe found these answered 500)
    assert api("office").post(url, {}, format="json").status_code == 404
