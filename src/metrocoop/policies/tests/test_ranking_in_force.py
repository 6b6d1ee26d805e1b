"""Ranked by relevance, the version of a policy in force comes before its repealed or expired predecessors unless
the reader asks for history (issue #20), on the page, the API and the command line alike."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from metrocoop.policies.search import search
from metrocoop.policies.tests.factories import make_document

pytestmark = pytest.mark.django_db

TITLE = "苏州市高层次人才认定办法"
# the old version says 人才认定 more often, so it scores higher on relevance alone
OLD = "第一条　人才认定实行常年受理。第二条　人才认定分为三类。第三条　人才认定结果公示。第四条　人才认定由人社局负责。"
NEW = "第一条　为规范高层次人才认定工作，制定本办法。第二条　申请材料实行网上受理。"


@pytest.fixture
def versions(reference):
    old = make_document("SZ", title=TITLE, text=OLD, issued_on="2018-03-01", validity="repealed")
    expired = make_document("SZ", title=TITLE, text=OLD, issued_on="2015-03-01", validity="expired")
    new = make_document("SZ", title=TITLE, text=NEW, issued_on="2023-03-01")
    return old, expired, new


def _keys(**kwargs) -> list[str]:
    return [h.document.key for h in search("人才认定", with_facets=False, **kwargs).hits]


def test_the_repealed_version_scores_higher_on_relevance_alone(versions):
    old, expired, new = versions
    result = search("人才认定", with_facets=False, history=True)
    scores = {h.document.key: h.score for h in result.hits}
    assert scores[old.key] > scores[new.key]
    assert _keys(history=True)[0] in (old.key, expired.key)


def test_the_version_in_force_ranks_first(versions):
    old, expired, new = versions
    keys = _keys()
    assert keys[0] == new.key
    assert set(keys[1:]) == {old.key, expired.key}


def test_the_api_and_the_command_follow_the_same_order(client, versions):
    old, expired, new = versions
    body = client.get("/api/policies/search/", {"q": "人才认定"}).json()
    assert body["history"] is False
    assert body["hits"][0]["key"] == new.key
    body = client.get("/api/policies/search/", {"q": "人才认定", "history": "true"}).json()
    assert body["history"] is True
    assert body["hits"][0]["key"] in (old.key, expired.key)
    out = StringIO()
    call_command("policies", "search", "人才认定", "--json", stdout=out)
    assert json.loads(out.getvalue())["hits"][0]["key"] == new.key
    out = StringIO()
    call_command("policies", "search", "人才认定", "--json", "--history", stdout=out)
    assert json.loads(out.getvalue())["hits"][0]["key"] != new.key


def test_the_page_offers_history_and_keeps_it_across_links(client, versions):
    old, expired, new = versions
    page = client.get("/policies/", {"q": "人才认定"}).content.decode()
    assert page.index(new.get_absolute_url()) < page.index(old.get_absolute_url())
    assert 'data-testid="history-toggle"' in page
    page = client.get("/policies/", {"q": "人才认定", "history": "1"}).content.decode()
    assert page.index(new.get_absolute_url()) > min(
        page.index(old.get_absolute_url()), page.index(expired.get_absolute_url())
    )
    sort_links = re.findall(r'href="([^"]*sort=[^"]*)"', page)
    assert sort_links and all("history=1" in link for link in sort_links)


def test_the_api_filters_by_a_date_in_force_and_refuses_one_that_is_not_a_date(client, versions):
    new = versions[2]
    # after the new version was issued it is among the documents in force
    body = client.get("/api/policies/search/", {"q": "人才认定", "in_force_on": "2024-06-01"}).json()
    assert new.key in [h["key"] for h in body["hits"]]
    # before the new version was issued, it is not in force
    body = client.get("/api/policies/search/", {"q": "人才认定", "in_force_on": "2023-01-01"}).json()
    assert new.key not in [h["key"] for h in body["hits"]]
    # a date that is not a date is a 400 naming the parameter, not a server error
    response = client.get("/api/policies/search/", {"q": "x", "in_force_on": "bad"})
    assert response.status_code == 400
    assert "in_force_on" in response.content.decode()
