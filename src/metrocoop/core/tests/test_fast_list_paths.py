"""The fast lists' shortcuts never change an answer: a page's rows and its total read in one query, and the SQL of
an unfiltered list kept per process (core/api/fastlist.py). Every fast list, for readers of every kind of scope,
filtered, paged, past the last page and with page numbers DRF refuses, answers byte for byte what the serializer
answers, on its first read (SQL compiled) and its second (SQL kept); a write shows on the very next read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrocoop.core import services
from metrocoop.core.testing import ordinary_answer
from metrocoop.council import services as council_services
from metrocoop.council.tests import helpers

pytestmark = pytest.mark.django_db

URLS = [
    "/api/cities/",
    "/api/cities/?province=JS",
    "/api/cities/?format=json",
    "/api/organisations/",
    "/api/organisations/?page_size=5&page=2",
    "/api/organisations/?city=SZ",
    "/api/indicators/indicators/",
    "/api/indicators/indicators/?page_size=2&page=2",
    "/api/indicators/observations/",
    "/api/indicators/observations/?page_size=7&page=3",
    "/api/indicators/observations/?city=SZ&page_size=4",
    "/api/council/items/",
    "/api/council/items/?page_size=2&page=2",
    "/api/council/items/?lead_city=SZ",
    "/api/council/reports/",
    "/api/council/reports/?page_size=1",
    "/api/council/reports/?page=last&page_size=2",
    "/api/council/reports/?page=999",
    "/api/council/reports/?page=0",
    "/api/council/reports/?page=abc",
    "/api/council/reports/?page=01",
    "/api/council/reports/?page_size=abc",
    "/api/council/reports/?page_size=100000",
    "/api/indicators/observations/?page=2&page_size=0",
]
READERS = [None, "office", "auditor", "public", "liaison-sz", "liaison-wx", "medical-sz", "expert-sh"]


def _council_rows() -> None:
    for k in range(4):
        item = helpers.draft_item(lead="SZ" if k % 2 else "WX")
        council_services.do_update_work_item(item, {"title": f"事项 {k}"}, actor=helpers.office())
    helpers.pending_report()
    helpers.pending_report(quarter=2)


def test_every_fast_list_answers_what_the_serializer_answers_for_every_reader(api):
    # given council items and reports besides the reference data (cities, organisations, indicators, observations)
    _council_rows()
    differ, seen = [], set()
    for who in READERS:
        client = api(who)
        for url in URLS:
            # when each list is read the fast way twice (the SQL compiled, then kept) and the ordinary way
            first, second, ordinary = client.get(url), client.get(url), ordinary_answer(client, url)
            # then all three answers are the same, status and bytes
            for fast in (first, second):
                if (fast.status_code, fast.content) != (ordinary.status_code, ordinary.content):
                    differ.append(f"{who} {url}: {fast.status_code} {fast.content[:120]!r}")
            if ordinary.status_code == 200:
                seen.add(url)
    assert differ == []
    # the comparisons were about rows, not only about refusals
    refused = {"/api/council/reports/?page=999", "/api/council/reports/?page=0", "/api/council/reports/?page=abc"}
    assert set(URLS) - seen == refused


def test_readers_with_different_scopes_never_share_a_list(api):
    # given reports of one city's items, read first by the office (SQL kept for the office's scope)
    _council_rows()
    office = api("office").get("/api/council/reports/").json()
    # when liaisons of two cities read the same list afterwards
    sz = api("liaison-sz").get("/api/council/reports/")
    wx = api("liaison-wx").get("/api/council/reports/")
    anonymous = api(None).get("/api/council/reports/")
    # then each sees what the serializer shows them, not the office's rows
    for who, response in (("liaison-sz", sz), ("liaison-wx", wx), (None, anonymous)):
        assert response.content == ordinary_answer(api(who), "/api/council/reports/").content
    assert office["count"] >= sz.json()["count"]


def test_a_write_shows_on_the_very_next_read(api, reference):
    # given lists read twice, so that their SQL is kept
    _council_rows()
    office = api("office")
    for url in ("/api/council/items/?page_size=2", "/api/cities/"):
        office.get(url)
        office.get(url)
    before = office.get("/api/council/items/?page_size=2").json()
    # when an item is added and a city's profile changes
    helpers.draft_item(lead="NB")
    services.do_update_city_profile(reference["SZ"], {"positioning": "新的定位"}, actor=helpers.office())
    # then the next reads show both
    after = office.get("/api/council/items/?page_size=2")
    assert after.json()["count"] == before["count"] + 1
    assert after.content == ordinary_answer(office, "/api/council/items/?page_size=2").content
    cities = office.get("/api/cities/").json()
    assert next(c for c in cities if c["code"] == "SZ")["positioning"] == "新的定位"


def test_a_page_and_its_total_cost_one_query(api):
    # given a paginated list read the ordinary way (DRF counts the rows, then reads the page)
    _council_rows()
    office = api("office")
    url = "/api/indicators/observations/?page_size=5&page=2"
    office.get(url)
    with CaptureQueriesContext(connection) as ordinary:
        slow = ordinary_answer(office, url)
    # when it is read the fast way
    with CaptureQueriesContext(connection) as fast:
        response = office.get(url)
    # then the total comes with the rows: one query fewer, no separate COUNT, and the same answer
    assert response.content == slow.content
    assert len(fast) == len(ordinary) - 1
    assert not [q for q in fast.captured_queries if q["sql"].upper().startswith("SELECT COUNT(")]
    body = response.json()
    assert body["count"] > 10 and len(body["results"]) == 5 and body["previous"] and body["next"]


@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
@pytest.mark.parametrize("datetime_format", [None, "%Y-%m-%d %H:%M"])
def test_datetimes_are_written_as_the_serializer_writes_them_in_any_zone_and_format(api, zone, datetime_format):
    from django.conf import settings
    from django.test import override_settings
    from django.utils import timezone

    # given reports (submitted and updated at aware datetimes) read in another active zone or output format
    _council_rows()
    client = api("office")
    rest = dict(settings.REST_FRAMEWORK)
    if datetime_format:
        rest["DATETIME_FORMAT"] = datetime_format
    with override_settings(REST_FRAMEWORK=rest), timezone.override(zone):
        fast, ordinary = client.get("/api/council/reports/"), ordinary_answer(client, "/api/council/reports/")
    # then the fast list writes every datetime as DRF's field does
    assert fast.status_code == 200
    assert fast.content == ordinary.content
    assert fast.json()["results"][0]["submitted_at"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_a_repeated_read_runs_statements_the_server_kept_planned(api):
    # given the office reading the council's reports (a six-table join) twice, signed in with a token
    _council_rows()
    client = api("office")

    def prepared() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return {row[0] for row in cursor.fetchall()}

    first = client.get("/api/council/reports/")
    kept = prepared()
    second = client.get("/api/council/reports/")
    # then the list's and the token's statements are prepared on the server and used again, not prepared anew
    assert any("council_progressreport" in s for s in kept) and any("authtoken_token" in s for s in kept)
    assert prepared() == kept
    # and Django's other queries are not prepared (the one just above included), and the answer is the same
    assert not any("pg_prepared_statements" in s for s in prepared())
    assert second.content == first.content == ordinary_answer(client, "/api/council/reports/").content


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_with_prepared_statements_turned_off_the_prepared_cursor_is_the_ordinary_one():
    # given a deployment behind a pooler (METROCOOP_PG_PREPARED=0 sets prepare_threshold to None)
    from metrocoop.core.dbbackends.postgresql.base import PreparingCursor

    options = connection.settings_dict["OPTIONS"]
    with connection.prepared_cursor() as cursor:
        assert isinstance(cursor.cursor, PreparingCursor)  # the default: prepared on the server
    options["prepare_threshold"] = None
    try:
        with connection.prepared_cursor() as cursor:
            # then the queries of core.api.prepared run through Django's ordinary cursor
            assert not isinstance(cursor.cursor, PreparingCursor)
    finally:
        del options["prepare_threshold"]
