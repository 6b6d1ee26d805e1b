"""The conflict engine on hand-made geometries (no database): two square cities A | B meeting at 121°E."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon, box

from metrocoop.spatial.engine import (
    DISCONTINUOUS_CORRIDOR,
    NEAR_WATER_PROTECTION,
    UNSHARED_MONITORING,
    RuleSpec,
    SpatialFeature,
    detect_conflicts,
    service_coverage,
)
from metrocoop.spatial.geometry import GeometryError, area_km2, distance_m, parse_geometry
from metrocoop.spatial.tests.geodesy import destination, haversine_m, vincenty_m

BORDER_LON = 121.0
CITIES = {"A": box(120.0, 30.0, BORDER_LON, 31.0), "B": box(BORDER_LON, 30.0, 122.0, 31.0)}
ZONE_WEST = 121.02  # the zone in B starts 0.02° east of the border
ZONE = Polygon([(ZONE_WEST, 30.45), (121.06, 30.45), (121.06, 30.55), (ZONE_WEST, 30.55)])
RULES = [
    RuleSpec(NEAR_WATER_PROTECTION, 5000),
    RuleSpec(DISCONTINUOUS_CORRIDOR, 2000),
    RuleSpec(UNSHARED_MONITORING, 2000),
]


def feature(id, kind, city, geometry, **kw) -> SpatialFeature:
    return SpatialFeature(id=id, name=f"{kind}-{id}", kind=kind, city=city, geometry=geometry, **kw)


def point_west_of_zone(metres: float) -> Point:
    """A point at the zone's middle latitude whose Vincenty distance to the zone's west edge is `metres`."""
    lo, hi = 0.0, 0.2
    for _ in range(80):  # bisection on longitude against the independent formula
        mid = (lo + hi) / 2
        if vincenty_m(ZONE_WEST - mid, 30.5, ZONE_WEST, 30.5) < metres:
            lo = mid
        else:
            hi = mid
    return Point(ZONE_WEST - lo, 30.5)


@pytest.mark.parametrize(
    "kind, source_city, metres, expected",
    [
        ("outfall", "A", 4990, True),  # just inside 5 km, across the border
        ("outfall", "A", 5010, False),  # just outside
        ("port", "A", 4990, True),
        ("port", "A", 5010, False),
        ("industrial_park", "A", 1000, False),  # not a kind the rule watches
        ("outfall", "B", 1000, False),  # the zone's own city: never a cross-border conflict
    ],
)
def test_near_water_protection_just_inside_and_outside(kind, source_city, metres, expected):
    # given an outfall/port `metres` from another city's drinking-water protection zone
    zone = feature(1, "drinking_water_protection_zone", "B", ZONE)
    source = feature(2, kind, source_city, point_west_of_zone(metres))
    # when the rules run
    found = detect_conflicts([zone, source], RULES, CITIES)
    # then a conflict names both cities, the rule, both features and the distance in metres
    near = [f for f in found if f.rule == NEAR_WATER_PROTECTION]
    assert bool(near) is expected
    if expected:
        (conflict,) = near
        assert conflict.cities == (source_city, "B")
        assert [f.id for f in conflict.features] == [2, 1]
        assert conflict.distance_m == pytest.approx(metres, abs=0.5)
        assert conflict.as_dict()["distance_m"] == pytest.approx(metres, abs=0.5)


def test_near_water_distance_follows_the_office_rule():
    zone = feature(1, "drinking_water_protection_zone", "B", ZONE)
    source = feature(2, "outfall", "A", point_west_of_zone(7000))
    assert not detect_conflicts([zone, source], RULES, CITIES)
    wider = [RuleSpec(NEAR_WATER_PROTECTION, 8000)]
    assert [f.rule for f in detect_conflicts([zone, source], wider, CITIES)] == [NEAR_WATER_PROTECTION]
    assert not detect_conflicts([zone, source], [RuleSpec(NEAR_WATER_PROTECTION, 8000, active=False)], CITIES)


def test_an_outfall_inside_another_citys_zone_is_at_distance_zero():
    zone = feature(1, "drinking_water_protection_zone", "B", ZONE)
    source = feature(2, "outfall", "A", Point(121.03, 30.5))
    (conflict,) = detect_conflicts([zone, source], RULES, CITIES)
    assert conflict.distance_m == 0


@pytest.mark.parametrize(
    "end_east_m, continuation, expected",
    [
        (-500, None, True),  # a rail line of A stops 500 m before the border, nothing goes on in B
        (-500, "rail_line", False),  # B's line carries on
        (-500, "ecological_corridor", True),  # a corridor is no continuation of a rail line
        (300, None, True),  # it crosses 300 m into B and stops there
        (-9000, None, False),  # it ends 9 km inside A: not at a border
    ],
)
def test_discontinuous_corridor(end_east_m, continuation, expected):
    # given a rail line in A heading east towards B
    end = destination(BORDER_LON, 30.5, end_east_m, 0)
    line = feature(1, "rail_line", "A", LineString([(120.5, 30.5), end]))
    features = [line]
    if continuation:
        start = destination(BORDER_LON, 30.5, 400, 0)
        features.append(feature(2, continuation, "B", LineString([start, (121.5, 30.5)])))
    # when the rules run
    found = [
        f
        for f in detect_conflicts(features, RULES, CITIES)
        if f.rule == DISCONTINUOUS_CORRIDOR and f.features == (line,)
    ]
    # then only a line stopping at the border with no continuation is a conflict, naming A and B
    assert bool(found) is expected
    if expected:
        (conflict,) = found
        assert conflict.cities == ("A", "B")
        assert conflict.features == (line,)
        assert conflict.distance_m == pytest.approx(abs(end_east_m), rel=0.01)


def test_a_line_ending_at_a_coast_with_no_member_beyond_is_no_conflict():
    line = feature(1, "ecological_corridor", "A", LineString([(120.5, 30.5), (120.001, 30.5)]))  # A's west edge
    assert not detect_conflicts([line], RULES, CITIES)


def test_corridor_continuity_both_ways():
    # given a corridor in A ending at the border and one in B starting there: continuous, for both of them
    a = feature(1, "ecological_corridor", "A", LineString([(120.5, 30.2), (120.999, 30.2)]))
    b = feature(2, "ecological_corridor", "B", LineString([(121.001, 30.2), (121.5, 30.2)]))
    assert not detect_conflicts([a, b], RULES, CITIES)
    # when B's part is moved 10 km north, both ends are orphaned
    b2 = feature(2, "ecological_corridor", "B", LineString([(121.001, 30.3), (121.5, 30.3)]))
    found = detect_conflicts([a, b2], RULES, CITIES)
    assert sorted(f.cities for f in found) == [("A", "B"), ("B", "A")]


@pytest.mark.parametrize(
    "east_m, shared, expected",
    [(-800, False, True), (-800, None, True), (-800, True, False), (-5000, False, False)],
)
def test_unshared_monitoring(east_m, shared, expected):
    station = feature(1, "monitoring_station", "A", Point(destination(BORDER_LON, 30.5, east_m, 0)), data_shared=shared)
    found = detect_conflicts([station], RULES, CITIES)
    assert [(f.rule, f.cities, f.distance_m) for f in found] == (
        [(UNSHARED_MONITORING, ("A", "B"), None)] if expected else []
    )
    if expected:
        assert found[0].as_dict() == {
            "rule": "unshared_monitoring",
            "cities": ["A", "B"],
            "features": [{"name": "monitoring_station-1", "kind": "monitoring_station", "city": "A"}],
            "distance_m": None,
        }


def test_same_city_pairs_are_never_cross_border_conflicts():
    features = [
        feature(1, "drinking_water_protection_zone", "A", box(120.4, 30.4, 120.5, 30.5)),
        feature(2, "outfall", "A", Point(120.45, 30.45)),
        feature(3, "port", "A", Point(120.51, 30.45)),
    ]
    assert detect_conflicts(features, RULES, CITIES) == []


lon = st.floats(min_value=119.0, max_value=123.0)
lat = st.floats(min_value=28.5, max_value=32.5)


@example(119.0, 28.5, 119.0, 28.500000000000004)  # coincident after rounding: Vincenty's sin σ = 0
@given(lon, lat, lon, lat)
def test_distances_agree_with_vincenty(lon1, lat1, lon2, lat2):
    # the engine's metres between two points equal an independent ellipsoidal computation
    expected = vincenty_m(lon1, lat1, lon2, lat2)
    assert distance_m(Point(lon1, lat1), Point(lon2, lat2)) == pytest.approx(expected, abs=0.01)


@given(lon, lat, st.floats(min_value=100, max_value=50_000))
def test_point_to_polygon_distance_agrees_with_vincenty(lon0, lat0, metres):
    # a square whose west edge lies `metres` east of the point along its parallel
    east = destination(lon0, lat0, metres, 0)
    square = box(east[0], lat0 - 0.05, east[0] + 0.05, lat0 + 0.05)
    expected = vincenty_m(lon0, lat0, east[0], lat0)
    assert distance_m(Point(lon0, lat0), square) == pytest.approx(expected, rel=1e-4)
    # and a sphere (haversine) is within 0.5 % of it: degrees would be off by tens of per cent
    assert haversine_m(lon0, lat0, east[0], lat0) == pytest.approx(expected, rel=5e-3)


def test_service_coverage_counts_reach_across_the_border():
    # a hospital of A 5 km from the border with a 10 km radius reaches into B; B has no hospital of its own
    hospital = feature(1, "hospital", "A", Point(destination(BORDER_LON, 30.5, -5000, 0)), radius_m=10_000)
    rows = {(c.city, c.kind): c for c in service_coverage([hospital], CITIES)}
    b = rows["B", "hospital"]
    assert b.own_km2 == 0
    assert b.facilities_from_others == ("hospital-1 (A)",)
    # the circle's part east of the border is a segment of a 10 km circle cut 5 km from its centre:
    # r²·acos(d/r) − d·√(r²−d²) = 61.4 km²
    assert b.others_km2 == pytest.approx(61.42, rel=0.01)
    a = rows["A", "hospital"]
    assert a.own_km2 == pytest.approx(314.16 - 61.42, rel=0.01)
    assert a.others_km2 == 0
    assert a.area_km2 == pytest.approx(area_km2(CITIES["A"]))


@pytest.mark.parametrize(
    "geometry, reason",
    [
        ({"type": "Point", "coordinates": [181, 30]}, "WGS84"),
        ({"type": "Point", "coordinates": [121, -91]}, "WGS84"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "invalid geometry"),
        ({"type": "Circle", "coordinates": [121, 30]}, "invalid geometry type"),
        ({"type": "LineString", "coordinates": [[121, 30]]}, "malformed"),
        (None, "invalid geometry type"),
    ],
)
def test_bad_geometries_are_refused_with_a_reason(geometry, reason):
    with pytest.raises(GeometryError) as err:
        parse_geometry(geometry)
    assert reason in err.value.en and err.value.zh


def test_at_a_tri_point_a_continuation_in_either_neighbour_counts():
    # given three cities meeting at (121.0, 30.5): A west, B north-east, C south-east
    cities = {
        "A": box(120.0, 30.0, 121.0, 31.0),
        "B": box(121.0, 30.5, 122.0, 31.0),
        "C": box(121.0, 30.0, 122.0, 30.5),
    }
    line = feature(1, "rail_line", "A", LineString([(120.5, 30.5), destination(121.0, 30.5, -300, 0)]))
    # when C carries it on (a few hundred metres south of the tri-point), it is continuous
    in_c = feature(2, "rail_line", "C", LineString([destination(121.0, 30.5, 300, -300), (121.5, 30.2)]))
    assert not [f for f in detect_conflicts([line, in_c], RULES, cities) if f.features == (line,)]
    # and without it the conflict names the nearest neighbour
    (alone,) = detect_conflicts([line], RULES, cities)
    assert alone.cities[0] == "A" and alone.cities[1] in {"B", "C"}
