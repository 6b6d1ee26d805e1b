"""Issue 20: the claims list as its readers use it — filters by city, scheme, period and reject reason, pages that keep
the filters, names instead of codes, and a message that says why a role sees no claim; the dashboard's net-position
chart follows the selected period."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.db.models import Q

from metrocoop.clearing.models import Claim, Period, PeriodPosition, Scheme
from metrocoop.clearing.services import do_close_period, do_ingest_claims
from metrocoop.clearing.tests.conftest import make_world, source_of

pytestmark = pytest.mark.django_db

MONTHS = [(2026, 1), (2026, 2)]


@pytest.fixture
def claims_world(demo_users):
    world = make_world(demo_users, n=240, months=MONTHS, bad_share=0.15)
    do_ingest_claims(source_of(world.rows), actor=world.office)
    return world


def shown_claims(html: str) -> list[str]:
    return re.findall(r'<tr data-claim="([^"]+)">', html)


def every_page(client, url: str) -> list[str]:
    """The claim ids on every page of a list, following the page's own "next" link."""
    ids = []
    while url:
        html = client.get(url).content.decode()
        ids += shown_claims(html)
        following = re.search(r'rel="next" href="([^"]+)"', html)
        url = "/clearing/claims/" + unescape(following.group(1)) if following else None
    return ids


def test_the_city_filter_shows_the_claims_insured_or_served_there(browser_client, claims_world):
    # given claims across all cities
    expected = set(Claim.objects.filter(Q(insured_city="NT") | Q(service_city="NT")).values_list("claim_id", flat=True))
    assert 0 < len(expected) < Claim.objects.count()
    # when the office filters by 南通
    ids = every_page(browser_client("office"), "/clearing/claims/?city=NT")
    # then exactly those claims appear, each once, over the pages
    assert sorted(ids) == sorted(expected)


def test_scheme_period_and_reason_filters_combine(browser_client, claims_world):
    claim = Claim.objects.filter(status="rejected").exclude(period=None).select_related("period").first()
    if claim is None:  # rejected claims may have no period; pick a posted one for scheme and period
        claim = Claim.objects.exclude(period=None).select_related("period").first()
    query = {"scheme": claim.scheme, "period": claim.period.code}
    expected = Claim.objects.filter(scheme=claim.scheme, period=claim.period)
    if claim.reject_code:
        query["reason"] = claim.reject_code
        expected = expected.filter(reject_code=claim.reject_code)
    url = "/clearing/claims/?" + "&".join(f"{k}={v}" for k, v in query.items())
    ids = every_page(browser_client("office"), url)
    assert sorted(ids) == sorted(expected.values_list("claim_id", flat=True)) and ids


def test_the_reason_filter_lists_only_claims_rejected_for_that_reason(browser_client, claims_world):
    code = Claim.objects.filter(status="rejected").values_list("reject_code", flat=True).first()
    assert code
    ids = every_page(browser_client("office"), f"/clearing/claims/?reason={code}")
    assert sorted(ids) == sorted(Claim.objects.filter(reject_code=code).values_list("claim_id", flat=True))


def test_pages_hold_fifty_claims_keep_the_filters_and_cover_the_list_once(browser_client, claims_world):
    client = browser_client("office")
    first = client.get("/clearing/claims/?status=posted").content.decode()
    assert len(shown_claims(first)) == 50
    following = re.search(r'rel="next" href="([^"]+)"', first).group(1)
    assert "status=posted" in unescape(following) and "page=2" in following
    ids = every_page(client, "/clearing/claims/?status=posted")
    assert len(ids) == len(set(ids)) == Claim.objects.filter(status="posted").count()
    total = Claim.objects.filter(status="posted").count()
    assert f"{total}" in first and f"{-(-total // 50)}" in first  # "第 1 / n 页，共 total 条"


def test_the_list_names_cities_and_schemes_and_the_filter_offers_names(browser_client, claims_world, reference):
    html = browser_client("office").get("/clearing/claims/?city=SZ").content.decode()
    table = html.split('data-testid="claims"', 1)[1].split("</table>", 1)[0]
    assert "苏州" in table
    assert not re.search(r"<td>(SZ|WX|SH|NT|CZ|NB|JX|HZ|ZS)</td>", table)
    assert not re.search(r"<td>medical_\w+</td>", table)
    form = html.split('data-testid="claims-filter"', 1)[1].split("</form>", 1)[0]
    assert '<option value="SZ" selected>苏州</option>' in form
    scheme = Scheme.objects.first()
    assert f">{scheme.name_zh}</option>" in form


def test_a_bureau_sees_its_own_city_and_is_told_so(browser_client, claims_world):
    html = browser_client("medical-wx").get("/clearing/claims/").content.decode()
    assert 'data-testid="claims-scope"' in html and "无锡" in html.split('data-testid="claims-scope"', 1)[1][:400]
    for claim_id in shown_claims(html):
        claim = Claim.objects.get(claim_id=claim_id)
        assert "WX" in (claim.insured_city, claim.service_city)


@pytest.mark.parametrize("username", ["liaison-sz", "expert", "researcher"])
def test_a_role_without_claims_is_told_why_it_sees_none(browser_client, claims_world, username):
    html = browser_client(username).get("/clearing/claims/").content.decode()
    assert shown_claims(html) == []
    empty = html.split('data-testid="claims-empty"', 1)[1].split("</td>", 1)[0]
    assert "推进办" in empty or "医保" in empty  # who does see claims, in Chinese
    assert 'data-testid="claims-filter"' not in html


def test_filters_matching_nothing_say_so(browser_client, claims_world):
    # given a city and a reject reason no claim has together
    from metrocoop.clearing.choices import RejectCode
    from metrocoop.core.models import City

    city, reason = next(
        (c, r)
        for c in City.objects.order_by("code").values_list("code", flat=True)
        for r in RejectCode.values
        if not Claim.objects.filter(Q(insured_city=c) | Q(service_city=c), reject_code=r).exists()
    )
    # when the office filters by both
    html = browser_client("office").get(f"/clearing/claims/?city={city}&reason={reason}").content.decode()
    # then the list is empty and says it is the filters
    assert shown_claims(html) == []
    empty = html.split('data-testid="claims-empty"', 1)[1].split("</td>", 1)[0]
    assert "筛选" in empty


def test_the_net_position_chart_follows_the_selected_period(browser_client, claims_world):
    office = claims_world.office
    for year, month in MONTHS:
        do_close_period(Period.objects.get(year=year, month=month), actor=office)
    client = browser_client("office")
    for year, month in MONTHS:
        code = f"{year:04d}-{month:02d}"
        html = client.get(f"/clearing/?period={code}").content.decode()
        option = json.loads(re.search(r'id="clearing-nets"[^>]*>(.*?)</script>', html, re.S).group(1))
        text = json.dumps(option, ensure_ascii=False)
        other = [f"{y:04d}-{m:02d}" for y, m in MONTHS if (y, m) != (year, month)]
        assert code in text and not any(o in text for o in other), code
        assert PeriodPosition.objects.filter(period__year=year, period__month=month).exists()
