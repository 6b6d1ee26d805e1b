"""The read tier's speed work keeps answers the same and stays correct: fast lists equal the serializer's, query
counts do not grow with the rows, cached views are never stale after a write, ETags revalidate, a database outage
is a 503 (not a 500), and a job whose worker is killed mid-way runs again and takes effect once."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import OperationalError, connection
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from metrocoop.core import services
from metrocoop.core.api import caching
from metrocoop.core.api.renderers import ORJSONRenderer
from metrocoop.core.choices import JobStatus
from metrocoop.core.models import Job, Notification
from metrocoop.core.testing import ordinary_answer
from metrocoop.council import selectors
from metrocoop.council import services as council_services
from metrocoop.council.tests import helpers

pytestmark = pytest.mark.django_db


def _items(n: int, year: int = 2030):
    for k in range(n):
        item = helpers.draft_item(year=year)
        council_services.do_update_work_item(item, {"title": f"事项 {k}"}, actor=helpers.office())
    return helpers.draft_plan(year)


@pytest.mark.parametrize(
    "url",
    [
        "/api/council/items/",
        "/api/council/items/?page_size=2",
        "/api/council/reports/",
        "/api/organisations/",
        "/api/cities/",
    ],
)
@pytest.mark.parametrize("who", [None, "office", "liaison-sz"])
def test_a_fast_list_answers_exactly_what_the_serializer_answers(api, who, url):
    # given items with participating cities and a report
    _items(4)
    helpers.pending_report()
    client = api(who)
    # when the list is asked for the fast way and the ordinary way
    fast, slow = client.get(url), ordinary_answer(client, url)
    # then the bytes are the same
    assert fast.status_code == slow.status_code == 200
    assert fast.content == slow.content
    if who is not None:
        body = fast.json()
        assert body["results"] if isinstance(body, dict) else body  # not two empty lists


@pytest.mark.parametrize("url", ["/api/council/items/?plan={plan}", "/council/plans/2030/"])
def test_query_count_does_not_grow_with_the_rows(api, browser_client, django_assert_max_num_queries, url):
    # given a plan with one item, the number of queries its list costs
    from django.test.utils import CaptureQueriesContext

    plan = _items(1)
    client = browser_client("office") if url.startswith("/council/") else api("office")
    with CaptureQueriesContext(connection) as one:
        assert client.get(url.format(plan=plan.pk)).status_code == 200
    # when it has twenty
    _items(19)
    # then twenty rows cost no more queries than one
    with django_assert_max_num_queries(len(one)):
        response = client.get(url.format(plan=plan.pk))
    assert response.status_code == 200
    if url.startswith("/api/"):
        assert response.json()["count"] == 20


def test_the_orjson_renderer_writes_what_drf_wrote():
    data = {
        "text": "上海\u2028line",
        "amount": Decimal("12.50"),
        "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "label": gettext_lazy("Not found."),
        "nested": [{"a": 1, "b": None, "c": True, "d": 1.5}],
        7: "int key",
    }
    assert ORJSONRenderer().render(data) == JSONRenderer().render(data)
    huge = {"n": 2**70}  # beyond 64 bits: DRF's renderer takes over
    assert ORJSONRenderer().render(huge) == JSONRenderer().render(huge)


@pytest.mark.django_db(transaction=True)
def test_a_cached_view_is_recomputed_after_a_committed_write(reference, demo_users, api):
    # given a running plan and its city performance, read once (computed) and again (from the cache)
    plan = helpers.running_plan()
    client = api("office")
    url = f"/api/council/performance/?year={plan.year}"
    first = client.get(url).json()
    calls = []
    compute = selectors.city_performance_for_year
    selectors.city_performance_for_year = lambda year, as_of=None: calls.append(year) or compute(year, as_of)
    try:
        assert client.get(url).json() == first
        assert calls == []  # served from the cache
        # when the lead city reports the item complete (a committed write through the service)
        item = plan.items.get(lead_city__code="SZ")
        council_services.do_submit_report(
            item,
            reference["SZ"],
            1,
            percent_complete=100,
            kpi_actual=Decimal(100),
            narrative="完成",
            actor=demo_users["liaison-sz"],
        )
        second = client.get(url).json()
    finally:
        selectors.city_performance_for_year = compute
    # then the answer is recomputed at once, and equals a fresh computation
    assert second != first
    assert second == api("office").get(url).json()
    fresh = selectors.city_performance_for_year(plan.year)
    assert {r["city"] for r in second} == set(fresh)
    assert next(r for r in second if r["city"] == "SZ")["items_completed"] == 1
    caching.cache.clear()  # committed rows are flushed after this test; their cached views go with them


def test_inside_a_transaction_the_writer_never_reads_its_group_from_the_cache(reference, demo_users):
    # given a cached value
    calls = []
    value = caching.cached_view_data("council", "test-key", lambda: calls.append(1) or len(calls))
    assert caching.cached_view_data("council", "test-key", lambda: calls.append(1) or len(calls)) in (value, 2)
    # when a council row is written in the same (uncommitted) transaction
    helpers.draft_item()
    # then the next read is computed afresh
    before = len(calls)
    caching.cached_view_data("council", "test-key", lambda: calls.append(1) or len(calls))
    assert len(calls) == before + 1


def test_reference_lists_answer_304_until_they_change(api, reference, demo_users):
    client = api(None)
    first = client.get("/api/cities/")
    etag = first["ETag"]
    assert first.status_code == 200 and etag and first.has_header("Last-Modified")
    again = client.get("/api/cities/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    # a city changes its profile: the old ETag no longer matches
    services.do_update_city_profile(reference["NT"], {"contact": "南通 0513-1"}, actor=demo_users["liaison-nt"])
    changed = client.get("/api/cities/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert any(c["contact"] == "南通 0513-1" for c in changed.json())
    # a list without updated_at (the indicator catalogue) still revalidates, on its content
    indicators = client.get("/api/indicators/indicators/")
    assert client.get("/api/indicators/indicators/", HTTP_IF_NONE_MATCH=indicators["ETag"]).status_code == 304


@pytest.mark.parametrize("message", ["database is locked", "server closed the connection unexpectedly"])
def test_a_database_outage_is_a_503_with_the_bilingual_error(api, browser_client, monkeypatch, message):
    def down(*args, **kwargs):
        raise OperationalError(message)

    monkeypatch.setattr(selectors, "cached_board_rows", down)  # what the API reads
    monkeypatch.setattr(selectors, "board_entries", down)  # what the page computes its tables from
    # the API: the bilingual JSON error, Retry-After
    response = api("office").get("/api/council/board/")
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    body = response.json()
    assert body["code"] == "service_unavailable" and body["message"] and body["message_en"]
    # a page: a short 503 page, not the 500 page
    page = browser_client("office").get("/council/board/")
    assert page.status_code == 503 and int(page["Retry-After"]) > 0
    assert "数据库暂时不可用" in page.content.decode()


def test_a_database_outage_outside_the_view_is_a_503_too(demo_users, monkeypatch):
    # the signed-in user is loaded by middleware, before any view runs
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import Client

    client = Client(raise_request_exception=False)  # as a server: the exception becomes a response
    client.force_login(demo_users["office"])

    def down(self, *args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(SessionStore, "load", down)
    for url in ("/council/", "/api/cities/"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert response["Retry-After"]


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_is_killed_mid_way_runs_again_and_takes_effect_once(demo_users, tmp_path):
    from django.core.management import call_command

    from metrocoop.core.jobs import start_job
    from metrocoop.core.tests import slow_job  # noqa: F401  (registers test.slow_once here too)

    # given a queued job whose handler writes one notification in a transaction
    marker = tmp_path / "started"
    job = start_job("test.slow_once", "t", {"marker": str(marker), "subject": "恰好一次"}, actor=demo_users["office"])
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "metrocoop.settings",
        "METROCOOP_DATA_DIR": str(tmp_path),
    }
    code = (
        "import django; django.setup(); import metrocoop.core.tests.slow_job; "
        "from django.core.management import call_command; call_command('worker')"
    )
    # when a worker process picks it up and is killed (SIGKILL) inside the job's transaction
    worker = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert worker.poll() is None and time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.2)
        time.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING  # left behind by the dead worker
    assert not Notification.objects.filter(kind="test.slow").exists()  # its transaction never committed
    # then the next worker puts it back in the queue and runs it to the end, once
    call_command("worker", "--batch")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result == {"notified": 1}
    assert Notification.objects.filter(kind="test.slow").count() == 1
    # and a further worker run (or a redelivered task) changes nothing
    call_command("worker", "--batch")
    assert Notification.objects.filter(kind="test.slow").count() == 1
    assert json.loads(json.dumps(Job.objects.get(pk=job.pk).result)) == {"notified": 1}


@pytest.mark.django_db(transaction=True)
def test_the_plan_page_from_the_view_cache_follows_a_committed_report(
    reference, demo_users, browser_client, monkeypatch
):
    # given a running plan's page, read once (computed) and again (its rows from the view cache)
    import re

    from metrocoop.council import views

    computed = []
    compute = views._plan_figures
    monkeypatch.setattr(views, "_plan_figures", lambda *args: computed.append(1) or compute(*args))
    plan = helpers.running_plan()
    client = browser_client("office")
    url = f"/council/plans/{plan.year}/"

    def progress() -> str:
        page = client.get(url).content.decode()
        return re.search(r'data-testid="plan-progress">([^<]*)<', page).group(1)

    before = progress()
    assert progress() == before
    assert len(computed) == 1  # the second read came from the cache
    # when the lead city reports the item complete (a committed write through the service)
    council_services.do_submit_report(
        plan.items.get(lead_city__code="SZ"),
        reference["SZ"],
        1,
        percent_complete=100,
        kpi_actual=Decimal(100),
        narrative="完成",
        actor=demo_users["liaison-sz"],
    )
    # then the page shows the new progress at once
    assert (before, progress()) == ("0.0%", "100.0%")
    assert len(computed) == 2
    caching.cache.clear()  # committed rows are flushed after this test; their cached views go with them
