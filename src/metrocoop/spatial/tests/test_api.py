"""The API under /api/spatial/: routine tests from the generic mixin, conflict follow-up and its permission
matrix (every denied case changes nothing), GeoJSON export."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from metrocoop.core.testing import ModelAPITestCases, snapshot
from metrocoop.spatial import services
from metrocoop.spatial.models import Conflict, ConflictRule, CorridorProject, Feature

pytestmark = pytest.mark.django_db

ZONE = {
    "type": "Polygon",
    "coordinates": [[[120.905, 31.03], [120.935, 31.03], [120.935, 31.055], [120.905, 31.055], [120.905, 31.03]]],
}


def make_feature(city, kind="hospital", name="医院", geometry=None, **kw) -> Feature:
    return Feature.objects.create(
        kind=kind,
        city=city,
        name_zh=name,
        geometry=json.dumps(geometry or {"type": "Point", "coordinates": [120.6, 31.3]}),
        geometry_type=(geometry or {"type": "Point"})["type"],
        **kw,
    )


class TestFeatureAPI(ModelAPITestCases):
    basename = "spatial-feature"

    def make_row(self, reference):
        return make_feature(reference["SZ"])

    def create_payload(self, reference):
        return {
            "kind": "outfall",
            "city": "SZ",
            "name_zh": "新排污口",
            "geometry": {"type": "Point", "coordinates": [120.7, 31.2]},
        }

    def update_payload(self, row):
        return {"name_en": "Renamed hospital", "radius_m": 9000}


class TestCorridorProjectAPI(ModelAPITestCases):
    basename = "spatial-project"
    in_scope_user = "office"

    def make_row(self, reference):
        project = CorridorProject.objects.create(
            code="test-link", name_zh="测试通道", name_en="Test link", kind="rail", status="planned",
            lead_city=reference["SH"],
        )  # fmt: skip
        project.cities.set([reference["SH"], reference["NT"]])
        return project

    def create_payload(self, reference):
        return {
            "code": "new-link",
            "name_zh": "新通道",
            "name_en": "New link",
            "kind": "sea_link",
            "status": "planned",
            "cities": ["SH", "NB"],
            "lead_city": "SH",
            "route": {"type": "LineString", "coordinates": [[121.4, 30.8], [121.6, 29.9]]},
        }

    def update_payload(self, row):
        return {"status": "under_construction"}


def test_a_liaison_cannot_move_its_feature_into_another_city(api, reference):
    feature = make_feature(reference["SZ"])
    before = snapshot(Feature)
    response = api("liaison-sz").patch(
        reverse("api:spatial-feature-detail", args=[feature.pk]), {"city": "SH"}, format="json"
    )
    assert response.status_code == 403
    assert snapshot(Feature) == before


@pytest.mark.parametrize(
    "geometry, message",
    [
        ({"type": "Point", "coordinates": [120.7, 95]}, "WGS84"),
        ({"type": "Blob", "coordinates": [1, 2]}, "invalid geometry type"),
    ],
)
def test_a_bad_geometry_is_refused_by_the_api(api, reference, geometry, message):
    before = snapshot(Feature)
    payload = {"kind": "outfall", "city": "SZ", "name_zh": "坏", "geometry": geometry}
    response = api("liaison-sz").post(reverse("api:spatial-feature-list"), payload, format="json")
    assert response.status_code == 400
    assert message in json.dumps(response.json(), ensure_ascii=False)
    assert snapshot(Feature) == before


def test_unknown_fields_are_refused(api, reference):
    payload = {"kind": "outfall", "city": "SZ", "name_zh": "x", "geometry": {"type": "Point", "coordinates": [120, 31]}}
    response = api("office").post(reverse("api:spatial-feature-list"), {**payload, "colour": "red"}, format="json")
    assert response.status_code == 400 and "colour" in response.json()["fields"]


def test_geojson_export_of_a_layer(api, reference):
    make_feature(reference["SZ"], name="苏州医院")
    make_feature(reference["SH"], kind="port", name="港口", geometry={"type": "Point", "coordinates": [121.6, 31.35]})
    response = api(None).get(reverse("api:spatial-feature-geojson") + "?kind=port")
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert [(f["properties"]["name"], f["properties"]["city"]) for f in data["features"]] == [("港口", "SH")]


@pytest.fixture
def conflict(reference, demo_users):
    make_feature(reference["SH"], kind="drinking_water_protection_zone", name="水源保护区", geometry=ZONE)
    make_feature(
        reference["SZ"], kind="outfall", name="排污口", geometry={"type": "Point", "coordinates": [120.88, 31.04]}
    )
    services.do_detect_conflicts(actor=demo_users["office"])
    return Conflict.objects.get(rule__kind="near_water_protection")


def test_detection_keeps_a_conflict_naming_both_cities_and_is_idempotent(api, conflict, demo_users):
    assert (conflict.city_a.code, conflict.city_b.code) == ("SZ", "SH")
    assert conflict.distance_m == pytest.approx(2380, abs=50)
    again = services.do_detect_conflicts(actor=demo_users["office"])
    assert again.new == 0 and Conflict.objects.count() == 1
    response = api("office").get(reverse("api:spatial-conflict-detail", args=[conflict.pk]))
    assert response.json()["cities"] == ["SZ", "SH"] and response.json()["rule"] == "near_water_protection"


@pytest.mark.parametrize(
    "username, sees",
    [("office", True), ("auditor", True), ("liaison-sz", True), ("liaison-sh", True), ("liaison-wx", False),
     ("public", False), (None, False)],
)  # fmt: skip
def test_who_sees_a_conflict(api, conflict, username, sees):
    response = api(username).get(reverse("api:spatial-conflict-list"))
    ids = [c["id"] for c in response.json().get("results", [])] if response.status_code == 200 else []
    assert (conflict.pk in ids) is sees


@pytest.mark.parametrize(
    "username, status",
    [("office", 200), ("liaison-sh", 200), ("liaison-sz", 200), ("liaison-wx", 404), ("auditor", 403), (None, 401)],
)
def test_who_may_assign_a_conflict(api, conflict, username, status):
    before = snapshot(Conflict)
    url = reverse("api:spatial-conflict-assign", args=[conflict.pk])
    response = api(username).post(url, {"assignee": "liaison-sz", "note": "请核实"}, format="json")
    assert response.status_code in ((401, 403) if status == 401 else (status,)), response.content
    conflict.refresh_from_db()
    if status == 200:
        assert conflict.status == "assigned" and conflict.assignee.username == "liaison-sz"
    else:
        assert snapshot(Conflict) == before


def test_a_conflict_is_tracked_to_resolution_and_stays_closed(api, conflict):
    client = api("liaison-sz")
    client.post(reverse("api:spatial-conflict-assign", args=[conflict.pk]), {"assignee": "liaison-sz"}, format="json")
    missing = client.post(
        reverse("api:spatial-conflict-close", args=[conflict.pk]), {"status": "resolved"}, format="json"
    )
    assert missing.status_code == 400  # a note saying how is required
    response = client.post(
        reverse("api:spatial-conflict-close", args=[conflict.pk]),
        {"status": "resolved", "note": "排污口迁至下游"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    assert response.json()["resolved_at"]
    # a closed conflict cannot be reassigned
    again = client.post(reverse("api:spatial-conflict-assign", args=[conflict.pk]), {"assignee": None}, format="json")
    assert again.status_code == 409


def test_only_the_office_runs_detection_and_edits_rules(api, reference, demo_users):
    services.ensure_rules()
    rule = ConflictRule.objects.get(kind="near_water_protection")
    before = snapshot(ConflictRule)
    url = reverse("api:spatial-rule-detail", args=[rule.pk])
    assert api("liaison-sz").patch(url, {"distance_m": 1}, format="json").status_code in (403, 404)
    assert api("liaison-sz").post(reverse("api:spatial-conflict-detect")).status_code == 403
    assert snapshot(ConflictRule) == before
    response = api("office").patch(url, {"distance_m": 8000}, format="json")
    assert response.status_code == 200
    assert services.rule_specs()[0].distance_m == 8000
    assert api("office").patch(url, {"distance_m": 0}, format="json").status_code == 400


def test_current_findings_have_the_command_line_shape(api, conflict):
    response = api("office").get(reverse("api:spatial-conflict-current"))
    (finding,) = [f for f in response.json() if f["rule"] == "near_water_protection"]
    assert set(finding) == {"rule", "cities", "features", "distance_m"}
    assert finding["cities"] == ["SZ", "SH"]


def test_coverage_per_city(api, reference):
    make_feature(
        reference["SZ"], name="昆山医院", geometry={"type": "Point", "coordinates": [120.96, 31.39]}, radius_m=15000
    )
    rows = api(None).get(reverse("api:spatial-coverage-list")).json()
    sh = next(r for r in rows if r["city"] == "SH" and r["kind"] == "hospital")
    assert sh["facilities_from_others"] == ["昆山医院 (SZ)"] and 0 < sh["others_share"] < 0.1
    assert sh["own_share"] == 0


def test_feature_list_queries_are_bounded(api, reference, django_assert_max_num_queries):
    for i in range(15):
        make_feature(reference["SZ"], name=f"医院{i}")
    with django_assert_max_num_queries(8):
        assert api("office").get(reverse("api:spatial-feature-list")).status_code == 200
