"""Search beyond the candidate window (search.WINDOW): the count shown as "more than N", facet counts over the N most
recently added matches, ranking with the documents whose title holds every term first (older ones too), and the
page, the API and the CLI saying so. Real databases (SQLite and PostgreSQL), a small window set through the
POLICIES_SEARCH_WINDOW setting so that a few documents exceed it."""

import io
import json
from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from metrocoop.core.models import City
from metrocoop.policies.engine.query import parse_query
from metrocoop.policies.models import PolicyDocument, PolicyDomainTag
from metrocoop.policies.search import BUCKET, Window, recent_matches, search, visible
from metrocoop.policies.services import prepare_document
from metrocoop.policies.tests.factories import make_document

pytestmark = pytest.mark.django_db

BODY = "第一条　规范排污许可管理，推进排污许可与环境影响评价衔接。第二条　排污许可证按期核发。"


@pytest.fixture
def window(settings):
    def set_window(n: int) -> None:
        settings.POLICIES_SEARCH_WINDOW = n

    return set_window


def _facets(result) -> dict[str, dict[str, int]]:
    return {name: {v["value"]: v["count"] for v in values} for name, values in result.facets.items()}


def test_count_and_facets_cover_the_most_recently_added_beyond_the_window(reference, window):
    cities = ["SZ", "WX", "CZ", "SZ", "NB", "WX", "JX", "SZ"]
    docs = [
        make_document(city, title=f"排污许可办法{n}", text=BODY, domains=["environment"], issued_on=f"20{10 + n}-03-01")
        for n, city in enumerate(cities)
    ]
    window(5)
    result = search("排污许可")
    assert (result.total, result.total_exact, result.window) == (5, False, 5)
    newest = sorted(docs, key=lambda d: d.pk)[-5:]  # the five most recently added
    facets = _facets(result)
    assert facets["city"] == dict(Counter(d.city.code for d in newest))
    assert facets["year"] == dict(Counter(str(d.issued_on.year) for d in newest))
    assert facets["domain"] == {"environment": 5}
    # the pages follow each other: every title holds the word, so the window's five first, then the older ones
    pages = [search("排污许可", page=p, per_page=2, with_facets=False) for p in (1, 2, 3)]
    keys = [h.document.key for p in pages for h in p.hits]
    assert pages[0].pages == 3 and len(keys) == len(set(keys)) == 6
    assert set(keys[:5]) == {d.key for d in newest}
    assert keys[5] == sorted(docs, key=lambda d: d.pk)[-6].key
    # with the window above the number of matches everything is exact again
    window(8)
    exact = search("排污许可")
    assert (exact.total, exact.total_exact) == (8, True)
    assert sum(v for v in _facets(exact)["city"].values()) == 8


def test_title_matches_come_first_even_when_older_than_the_window(reference, window):
    old = make_document("SH", title="上海市排污许可管理办法", text="第一条　为规范本市排污许可管理，制定本办法。")
    bodies = [
        make_document(
            "SH",
            title=f"上海市环境保护条例实施细则{n}",
            text="第一条　排污许可。第二条　排污许可证。第三条　排污许可核发。第四条　排污许可执行报告。" * 3,
        )
        for n in range(6)
    ]
    newer_title = make_document("SH", title="上海市排污许可证核发细则", text="第一条　排污许可证的核发。")
    window(3)
    result = search("上海 排污许可", with_facets=False)
    assert not result.total_exact
    keys = [h.document.key for h in result.hits]
    # the title matches first: the one among the three most recently added, then the older one, then the rest
    assert keys[:2] == [newer_title.key, old.key]
    assert set(keys[2:]) == {d.key for d in bodies[-2:]}  # the other two of the window, by score
    # with no window in the way the same rule holds over every match
    window(500)
    everything = [h.document.key for h in search("上海 排污许可", with_facets=False).hits]
    assert set(everything[:2]) == {old.key, newer_title.key} and len(everything) == 8


def test_page_api_and_cli_say_when_the_window_is_exceeded(reference, window, browser_client, api):
    for n in range(4):
        make_document("SZ", title=f"证照分离改革方案{n}", text="第一条　推进证照分离改革。")
    window(3)
    page = browser_client(None).get(reverse("policies:index"), {"q": "证照分离"}).content.decode()
    assert "超过 3 件文件" in page  # the count
    assert 'data-testid="window-note"' in page and "最近收录的 3 件" in page
    assert 'data-testid="facets-window"' in page
    english = browser_client(None)
    english.post("/language/", {"language": "en", "next": "/"})
    page = english.get(reverse("policies:index"), {"q": "证照分离"}).content.decode()
    assert "More than 3 documents" in page and "the 3 most recently added matches" in page
    body = api(None).get(reverse("api:policies-search"), {"q": "证照分离"}).json()
    assert (body["total"], body["total_exact"], body["window"]) == (3, False, 3)
    out = io.StringIO()
    call_command("policies", "search", "证照分离", stdout=out)
    assert "3+ 条结果" in out.getvalue() and "most recently added" in out.getvalue()
    out = io.StringIO()
    call_command("policies", "search", "证照分离", "--json", stdout=out)
    assert json.loads(out.getvalue())["total_exact"] is False
    # within the window: no note
    window(10)
    page = browser_client(None).get(reverse("policies:index"), {"q": "证照分离"}).content.decode()
    assert "window-note" not in page and "facets-window" not in page


def _at(doc_id: int, title: str, text: str) -> PolicyDocument:
    """A published document with a chosen id (ids far apart, in different id buckets of the PostgreSQL index)."""
    city = City.objects.get(code="SZ")
    doc = PolicyDocument(
        id=doc_id,
        key=f"at-{doc_id}",
        title=title,
        issuer="测试机关",
        level="municipal",
        city=city,
        kind="normative",
        issued_on=date(2024, 1, 10),
        text=text,
    )
    prepare_document(doc)
    doc.save()
    PolicyDomainTag.objects.create(document=doc, domain="environment")
    return doc


def test_recent_matches_walk_back_through_id_buckets(reference):
    ids = [3, 2 * BUCKET + 5, 5 * BUCKET, 9 * BUCKET + 7, 40 * BUCKET + 1]
    for i in ids:
        _at(i, f"排污许可办法{i}", BODY)
    for i in (41 * BUCKET, 41 * BUCKET + 9, 6 * BUCKET + 1):  # newer or in between, not matching
        _at(i, f"养老服务办法{i}", "第一条　养老服务补贴。")
    _at(8 * BUCKET, "一般规定", BODY)  # matches in its text only
    parsed = parse_query("排污许可")
    base = visible(None)
    # the two most recently added, plus one to tell that there are more
    assert [r[0] for r in recent_matches(base, parsed, 2)] == [40 * BUCKET + 1, 9 * BUCKET + 7, 8 * BUCKET]
    everything = [r[0] for r in recent_matches(base, parsed, 10)]
    assert everything == sorted([*ids, 8 * BUCKET], reverse=True)
    titled = recent_matches(base, parsed, 10, Window(title=True))
    assert [r[0] for r in titled] == sorted(ids, reverse=True)
    bounded = recent_matches(base, parsed, 10, Window(title=True, lower=2 * BUCKET + 5, upper=40 * BUCKET + 1))
    assert [r[0] for r in bounded] == [9 * BUCKET + 7, 5 * BUCKET, 2 * BUCKET + 5]
    # a phrase and an exclusion, which the index cannot check alone
    assert [r[0] for r in recent_matches(base, parse_query('"排污许可 管理"'), 10)] == sorted(
        [*ids, 8 * BUCKET], reverse=True
    )
    assert recent_matches(base, parse_query('"管理 排污许可"'), 10) == []
    assert recent_matches(base, parse_query("排污许可 -核发"), 10) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL planner settings")
def test_planner_settings_are_put_back(reference, window):
    for n in range(3):
        make_document("SZ", title=f"排污许可办法{n}", text=BODY)
    window(2)
    assert search("排污许可").total_exact is False
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_indexscan'), current_setting('enable_seqscan')")
        assert cursor.fetchone() == ("on", "on")


def test_exclusions_hold_for_older_title_matches_and_year_filters_use_dates(reference, window):
    excluded = make_document(
        "WX", title="无锡市养老服务条例", text="第一条　发放养老服务补贴。", issued_on="2015-05-01"
    )
    kept = make_document(
        "WX", title="无锡市养老机构管理办法", text="第一条　规范养老机构管理。", issued_on="2016-05-01"
    )
    newer = [
        make_document("WX", title=f"社会福利规定{n}", text="第一条　发展养老事业。", issued_on="2015-07-01")
        for n in range(4)
    ]
    window(2)
    result = search("养老 -补贴", with_facets=False)
    keys = [h.document.key for h in result.hits]
    assert not result.total_exact
    assert keys[0] == kept.key and excluded.key not in keys  # the older title match that passes comes first
    assert set(keys[1:]) == {d.key for d in newer[-2:]}
    # a year is a range of dates: 2015 holds the excluded document and the four newer ones
    window(500)
    in_2015 = search("养老", filters={"year": ["2015"]})
    assert in_2015.total == 5 and kept.key not in [h.document.key for h in in_2015.hits]
    assert {v["value"]: v["count"] for v in in_2015.facets["year"]} == {"2015": 5}
    assert search("养老", filters={"year": ["2015", "2016"]}).total == 6
    assert search("养老", filters={"year": ["later"]}).total == 0
