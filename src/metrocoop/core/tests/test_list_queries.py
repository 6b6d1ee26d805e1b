"""No list of the API makes a query per row: every list endpoint, read as the office over the demo data, is read
as a page of one row and as a page of up to twenty, and the second may not cost a query per extra row (half a query
per row flags it: a query per row for only some rows shows too). A prefetch adds a fixed number of queries, and only
when the rows have something to prefetch, so the pages differ by a few queries at most; a list must have at least
eight demo rows for the difference to tell. A maximum per endpoint would let an N+1 hide below it; this cannot."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrocoop.core.api.urls import router

pytestmark = pytest.mark.django_db


def _list_urls() -> dict[str, str]:
    import metrocoop.api_urls  # noqa: F401  (each app's api/urls.py registers its viewsets on the router)

    urls = {}
    for prefix, viewset, basename in router.registry:
        if "list" in getattr(viewset, "http_method_names", ["get"]) or hasattr(viewset, "list"):
            try:
                urls[prefix] = reverse(f"api:{basename}-list")
            except Exception:  # a viewset without a list route
                continue
    return urls


def _queries(client, url: str, page_size: int) -> tuple[int, int | None, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200, (url, response.status_code, response.content[:200])
    body = response.json()
    rows = body.get("results") if isinstance(body, dict) else body
    return len(ctx.captured_queries), body.get("count") if isinstance(body, dict) else None, len(rows or [])


def test_no_list_of_the_api_makes_a_query_per_row(api, reference):
    from metrocoop.demo_data import load_module_demo_data

    load_module_demo_data()
    client = api("office")
    compared, growing, thin = [], {}, []
    for prefix, url in sorted(_list_urls().items()):
        if client.get(url, {"page_size": 2}).status_code == 400:  # warm caches; a computation that asks parameters
            thin.append(f"{prefix} (asks for parameters)")
            continue
        one, count, _ = _queries(client, url, 1)
        twenty, _, rows = _queries(client, url, 20)
        if rows < 8:
            thin.append(f"{prefix} ({count if count is not None else rows} rows)")
            continue
        compared.append(prefix)
        if twenty - one >= (rows - 1) / 2:
            growing[prefix] = f"{one} queries for 1 row, {twenty} for {rows}"
    assert growing == {}, f"a query per row: {growing}"
    # the demo data must keep covering the lists people page through, or this test would quietly check little
    assert len(compared) >= 25, f"compared {compared}; not compared: {thin}"
