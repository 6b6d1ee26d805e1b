"""The suggestions API: POST /api/forum/suggestions/ exactly as the issue names it, votes, scope and moderation."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from metrocoop.core.testing import snapshot
from metrocoop.forum.choices import SuggestionStatus
from metrocoop.forum.models import Suggestion, SuggestionVote

pytestmark = pytest.mark.django_db

URL = "/api/forum/suggestions/"


def _post(api, user, **overrides):
    payload = {
        "title": "开通苏州到上海虹桥的夜间公交",
        "text": "苏州工业园区很多人在上海上班，晚上十点以后就没有回苏州的公交了，建议开通夜间公交线路。",
        "category": "transport",
        "cities": ["SZ", "SH"],
    }
    payload.update(overrides)
    return api(user).post(URL, payload, format="json")


def test_the_url_is_the_one_the_issue_names():
    assert reverse("api:forum-suggestion-list") == URL


def test_a_signed_in_person_submits_and_sees_likely_duplicates(api):
    # Given one suggestion already made
    first = _post(api, "public")
    assert first.status_code == 201, first.content
    body = first.json()
    assert isinstance(body["id"], int) and body["likely_duplicates"] == []
    assert body["status"] == "received" and sorted(body["cities"]) == ["SH", "SZ"] and body["due_on"]
    # When someone else submits nearly the same text
    second = _post(
        api,
        "liaison-sz",
        title="建议开通苏州至上海虹桥夜间公交",
        text="很多苏州工业园区的居民在上海工作，晚上十点后没有公交回苏州，希望开通到虹桥枢纽的夜间公交线路。",
    )
    # Then the answer lists the first as a likely duplicate, with a similarity between 0 and 1
    assert second.status_code == 201
    duplicates = second.json()["likely_duplicates"]
    assert [d["id"] for d in duplicates] == [body["id"]]
    assert set(duplicates[0]) == {"id", "title", "similarity"}
    assert 0 < duplicates[0]["similarity"] <= 1
    # and an unrelated suggestion lists none
    third = _post(
        api, "liaison-wx", title="淀山湖开放水上运动", text="建议开放皮划艇、帆船等水上运动。", category="ecology"
    )
    assert third.json()["likely_duplicates"] == []


def test_an_organisation_account_submits_in_its_organisation_name(api, enterprise_user, demo_users):
    demo_users["enterprise-test"] = enterprise_user
    response = _post(api, "enterprise-test")
    assert response.status_code == 201
    assert response.json()["organisation"] == "test-enterprise"
    assert response.json()["author"] == "测试物流有限公司"


def test_anonymous_and_auditors_cannot_submit(api):
    before = snapshot(Suggestion)
    assert _post(api, None).status_code in (401, 403)
    assert _post(api, "auditor").status_code == 403
    assert snapshot(Suggestion) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"category": "gossip"}, "category"),
        ({"cities": ["XX"]}, "cities"),
        ({"status": "closed"}, "status"),  # not writable: refused, not ignored
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_submissions_name_the_field(api, overrides, field):
    before = snapshot(Suggestion)
    response = _post(api, "public", **overrides)
    assert response.status_code == 400
    assert field in str(response.json())
    assert snapshot(Suggestion) == before


def test_markup_is_stored_as_written_never_refused(api):
    text = '<script>alert("x")</script><img src=x onerror=alert(1)> 建议'
    response = _post(api, "public", title="<b>标题</b>", text=text)
    assert response.status_code == 201
    row = Suggestion.objects.get(pk=response.json()["id"])
    assert row.text == text and row.title == "<b>标题</b>"


def test_one_vote_per_person(api):
    pk = _post(api, "liaison-sz").json()["id"]
    vote_url = f"{URL}{pk}/vote/"
    assert api("public").post(vote_url).status_code == 201
    assert api("public").post(vote_url).status_code == 409
    assert SuggestionVote.objects.filter(suggestion_id=pk).count() == 1
    assert api(None).get(f"{URL}{pk}/").json()["votes"] == 1
    assert api("public").post(f"{URL}{pk}/unvote/").status_code == 200
    assert SuggestionVote.objects.filter(suggestion_id=pk).count() == 0


def test_the_database_itself_refuses_a_second_vote(api, demo_users):
    pk = _post(api, "liaison-sz").json()["id"]
    SuggestionVote.objects.create(suggestion_id=pk, voter=demo_users["public"])
    with pytest.raises(IntegrityError), transaction.atomic():
        SuggestionVote.objects.create(suggestion_id=pk, voter=demo_users["public"])


def test_organisations_cannot_vote(api, enterprise_user, demo_users):
    demo_users["enterprise-test"] = enterprise_user
    pk = _post(api, "public").json()["id"]
    before = snapshot(SuggestionVote)
    response = api("enterprise-test").post(f"{URL}{pk}/vote/")
    assert response.status_code == 403
    assert snapshot(SuggestionVote) == before
    assert api(None).post(f"{URL}{pk}/vote/").status_code in (401, 403)
    assert api("auditor").post(f"{URL}{pk}/vote/").status_code in (403, 404)
    assert snapshot(SuggestionVote) == before


def _assigned_to_suzhou_medical(api):
    pk = _post(api, "public").json()["id"]
    assert api("office").post(f"{URL}{pk}/accept/").status_code == 200
    response = api("office").post(f"{URL}{pk}/assign/", {"city": "SZ", "domain": "medical_insurance"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "assigned" and response.json()["assigned_city"] == "SZ"
    return pk


def test_a_city_department_answers_only_what_is_assigned_to_it(api):
    pk = _assigned_to_suzhou_medical(api)
    before = snapshot(Suggestion)
    for other in ("medical-wx", "liaison-sz", "public", "researcher"):
        response = api(other).post(f"{URL}{pk}/answer/", {"answer": "不该由我答复"}, format="json")
        assert response.status_code in (403, 404), (other, response.content)
    assert snapshot(Suggestion) == before
    response = api("medical-sz").post(f"{URL}{pk}/answer/", {"answer": "已纳入明年计划。"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == SuggestionStatus.ANSWERED
    assert response.json()["answer"] == "已纳入明年计划。"


def test_office_steps_are_refused_to_others(api):
    pk = _post(api, "public").json()["id"]
    before = snapshot(Suggestion)
    for user in ("public", "liaison-sz", "medical-sz"):
        assert api(user).post(f"{URL}{pk}/accept/").status_code == 403
        response = api(user).post(f"{URL}{pk}/decline/", {"reason": "out_of_scope"}, format="json")
        assert response.status_code == 403
    assert snapshot(Suggestion) == before


def test_a_declined_suggestion_shows_its_reason(api):
    pk = _post(api, "public").json()["id"]
    response = api("office").post(
        f"{URL}{pk}/decline/", {"reason": "out_of_scope", "note": "属于国家事权"}, format="json"
    )
    assert response.status_code == 200
    public = api(None).get(f"{URL}{pk}/").json()
    assert public["status"] == "declined" and public["decline_reason"] == "out_of_scope"


def test_hidden_suggestions_leave_the_public_list_but_not_their_author(api, settings):
    settings.FORUM_REPORTS_TO_HIDE = 2
    pk = _post(api, "public").json()["id"]
    for reporter in ("liaison-sz", "liaison-wx"):
        assert api(reporter).post(f"{URL}{pk}/report/", {"reason": "spam"}, format="json").status_code == 201
    assert api(None).get(f"{URL}{pk}/").status_code == 404
    assert pk not in [r["id"] for r in api(None).get(URL).json()["results"]]
    assert api("public").get(f"{URL}{pk}/").json()["moderation"] == "pending"
    assert api("office").post(f"{URL}{pk}/moderate/", {"remove": False}, format="json").status_code == 200
    assert api(None).get(f"{URL}{pk}/").status_code == 200


def test_list_is_public_filtered_and_bounded_in_queries(api, django_assert_max_num_queries, clock):
    clock.set(date(2026, 3, 2))
    for i in range(6):
        _post(api, "public", title=f"建议{i}号", text=f"第{i}条不同的建议内容{'港口' * i}", category="other")
    with django_assert_max_num_queries(12):
        response = api(None).get(URL, {"category": "other"})
    assert response.status_code == 200 and response.json()["count"] == 6


def test_research_and_events_are_public_reads(api):
    assert api(None).get("/api/forum/research/").status_code == 200
    assert api(None).get("/api/forum/events/").status_code == 200
    assert api("researcher").post("/api/forum/research/", {}, format="json").status_code == 400  # names the fields
    assert api("office").post("/api/forum/events/", {}, format="json").status_code == 405


def test_a_suggestion_declined_for_breaking_the_rules_leaves_the_public_pages(api, browser_client):
    pk = _post(api, "public").json()["id"]
    response = api("office").post(f"{URL}{pk}/decline/", {"reason": "inappropriate"}, format="json")
    assert response.status_code == 200
    assert api(None).get(f"{URL}{pk}/").status_code == 404
    assert browser_client(None).get(f"/forum/suggestions/{pk}/").status_code == 404
    assert browser_client("liaison-sz").get(f"/forum/suggestions/{pk}/").status_code == 404
    # its author still reads why
    assert api("public").get(f"{URL}{pk}/").json()["decline_reason"] == "inappropriate"
