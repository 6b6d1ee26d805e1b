"""Cross-border conflict detection and service reach: pure functions over plain geometries (no Django).

Paper §二(三): 集中式饮用水水源地与港口码头、城市或工业园区排污口交叉分布; §二(四): 生态廊道、城际线网不连续,
环境监测数据不能共享; §四(三)3: 扩大服务半径. Inputs are `SpatialFeature`s (a shapely geometry in WGS84 lon/lat
with its kind and member city), `RuleSpec`s and the member cities' boundaries; outputs carry the steps that
explain them. Every distance is in metres (see geometry.py); a pair within one city is never a cross-border
conflict.

Rules
- near_water_protection: an outfall or port of city A within D metres of a drinking-water protection zone of
  another member city B. distance_m = the geodesic distance between them (0 when inside the zone).
- discontinuous_corridor: an end of an ecological corridor or a rail line of city A lies within T metres of the
  border with another member city B (within T of both cities' boundaries), and no line of the same family
  (corridor / rail) in city B comes within 2·T of that end. distance_m = the end's distance to B's boundary.
- unshared_monitoring: a monitoring station of city A within T metres of another member city B's territory (it
  watches a border river or water body) whose data is not marked as shared. distance_m = null: the rule is
  about data, not distance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from shapely import STRtree
from shapely.geometry.base import BaseGeometry

from metrocoop.spatial.geometry import (
    area_km2,
    distance_m,
    geodesic_circle,
    line_endpoints,
    projected_distance_bound,
    to_projected,
)

NEAR_WATER_PROTECTION = "near_water_protection"
DISCONTINUOUS_CORRIDOR = "discontinuous_corridor"
UNSHARED_MONITORING = "unshared_monitoring"
RULE_KINDS = (NEAR_WATER_PROTECTION, DISCONTINUOUS_CORRIDOR, UNSHARED_MONITORING)

POLLUTION_SOURCES = frozenset({"outfall", "port"})
PROTECTED = "drinking_water_protection_zone"
LINE_FAMILIES = {"ecological_corridor": "corridor", "rail_line": "rail"}
MONITORING = "monitoring_station"
REACH_KINDS = ("hospital", "elderly_care_home")

# Defaults in force until the office edits a rule (metres): the demo's 5 km; the corridor and monitoring
# tolerances allow for the boundary data's resolution (about 0.001 degree, 100 m) and generalisation.
DEFAULT_DISTANCE_M = {NEAR_WATER_PROTECTION: 5000.0, DISCONTINUOUS_CORRIDOR: 2000.0, UNSHARED_MONITORING: 2000.0}


@dataclass(frozen=True)
class SpatialFeature:
    id: int | str
    name: str
    kind: str
    city: str
    geometry: BaseGeometry
    radius_m: float | None = None
    data_shared: bool | None = None


@dataclass(frozen=True)
class RuleSpec:
    kind: str
    distance_m: float
    active: bool = True


@dataclass(frozen=True)
class Finding:
    rule: str
    cities: tuple[str, str]
    features: tuple[SpatialFeature, ...]
    distance_m: float | None
    steps: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> str:
        """Identifies the finding across runs: the rule, the features and the neighbour city."""
        return f"{self.rule}:{'-'.join(str(f.id) for f in self.features)}:{self.cities[1]}"

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "cities": list(self.cities),
            "features": [{"name": f.name, "kind": f.kind, "city": f.city} for f in self.features],
            "distance_m": None if self.distance_m is None else round(self.distance_m, 1),
        }


def default_rules() -> list[RuleSpec]:
    return [RuleSpec(kind, DEFAULT_DISTANCE_M[kind]) for kind in RULE_KINDS]


class _Projected:
    """Features and boundaries projected once to UTM 51N, with a spatial index over the features."""

    def __init__(self, features: Sequence[SpatialFeature], boundaries: Mapping[str, BaseGeometry]) -> None:
        self.features = list(features)
        self.proj = [to_projected(f.geometry) for f in self.features]
        self.tree = STRtree(self.proj)
        self.boundaries = {code: g for code, g in boundaries.items() if g is not None and not g.is_empty}
        self.boundary_proj = {code: to_projected(g) for code, g in self.boundaries.items()}
        self.outline_proj = {code: g.boundary for code, g in self.boundary_proj.items()}

    def near(self, i: int, metres: float) -> list[int]:
        return [int(j) for j in self.tree.query(self.proj[i], predicate="dwithin", distance=metres)]


def _near_water(p: _Projected, rule: RuleSpec) -> list[Finding]:
    out = []
    bound = projected_distance_bound(rule.distance_m)
    for i, source in enumerate(p.features):
        if source.kind not in POLLUTION_SOURCES:
            continue
        for j in sorted(p.near(i, bound)):
            zone = p.features[j]
            if zone.kind != PROTECTED or zone.city == source.city:
                continue  # same city: not a cross-border conflict
            d = distance_m(source.geometry, zone.geometry, p.proj[i], p.proj[j])
            if d <= rule.distance_m:
                out.append(
                    Finding(
                        NEAR_WATER_PROTECTION,
                        (source.city, zone.city),
                        (source, zone),
                        d,
                        (
                            f"{source.kind} {source.name} ({source.city}) – {zone.name} ({zone.city}): "
                            f"{d:,.0f} m ≤ {rule.distance_m:,.0f} m",
                        ),
                    )
                )
    return out


def _discontinuous(p: _Projected, rule: RuleSpec) -> list[Finding]:
    tol = rule.distance_m
    found: dict[tuple, Finding] = {}
    for line in p.features:
        family = LINE_FAMILIES.get(line.kind)
        if family is None:
            continue
        own_outline = p.outline_proj.get(line.city)
        for end in line_endpoints(line.geometry):
            end_proj = to_projected(end)
            if own_outline is not None and own_outline.distance(end_proj) > projected_distance_bound(tol):
                continue  # the end lies inside its own city, away from every border
            near: list[tuple[float, str]] = []
            for code, outline in p.outline_proj.items():
                if code == line.city or outline.distance(end_proj) > projected_distance_bound(tol):
                    continue
                d = distance_m(end, p.boundaries[code].boundary, end_proj, outline)
                if d <= tol:
                    near.append((d, code))
            if not near:
                continue
            # at a point where three cities meet, a continuation in any of the neighbours counts
            neighbours = {code for _, code in near}
            d, neighbour = min(near)
            continuation = [
                p.features[j].name
                for j in p.tree.query(end_proj, predicate="dwithin", distance=projected_distance_bound(2 * tol))
                if p.features[j].city in neighbours and LINE_FAMILIES.get(p.features[j].kind) == family
            ]
            if continuation:
                continue
            key = (line.id, neighbour)
            if key not in found or d < (found[key].distance_m or 0):
                found[key] = Finding(
                    DISCONTINUOUS_CORRIDOR,
                    (line.city, neighbour),
                    (line,),
                    d,
                    (
                        f"{line.name} ({line.city}) ends {d:,.0f} m from the border with {neighbour} "
                        f"(≤ {tol:,.0f} m); no {family} line of {', '.join(sorted(neighbours))} "
                        f"within {2 * tol:,.0f} m",
                    ),
                )
    return list(found.values())


def _unshared(p: _Projected, rule: RuleSpec) -> list[Finding]:
    out = []
    for i, station in enumerate(p.features):
        if station.kind != MONITORING or station.data_shared is True:
            continue
        best: tuple[float, str] | None = None
        for code, territory in p.boundary_proj.items():
            if code == station.city or territory.distance(p.proj[i]) > projected_distance_bound(rule.distance_m):
                continue
            d = distance_m(station.geometry, p.boundaries[code], p.proj[i], territory)
            if d <= rule.distance_m and (best is None or d < best[0]):
                best = (d, code)
        if best is not None:
            out.append(
                Finding(
                    UNSHARED_MONITORING,
                    (station.city, best[1]),
                    (station,),
                    None,
                    (
                        f"{station.name} ({station.city}) is {best[0]:,.0f} m from {best[1]} "
                        f"(≤ {rule.distance_m:,.0f} m) and its data are not shared",
                    ),
                )
            )
    return out


_DETECTORS = {
    NEAR_WATER_PROTECTION: _near_water,
    DISCONTINUOUS_CORRIDOR: _discontinuous,
    UNSHARED_MONITORING: _unshared,
}


def detect_conflicts(
    features: Sequence[SpatialFeature],
    rules: Sequence[RuleSpec],
    boundaries: Mapping[str, BaseGeometry],
) -> list[Finding]:
    """Every cross-border conflict the active rules find, ordered by rule, cities and feature names.

    `boundaries` maps member city codes to their territory (WGS84 polygons); only cities in it count as
    neighbours for the corridor and monitoring rules. Features of cities outside it still count for
    near_water_protection, which needs no boundary."""
    if not features:
        return []
    projected = _Projected(features, boundaries)
    out: list[Finding] = []
    for rule in rules:
        if rule.active and rule.kind in _DETECTORS:
            out += _DETECTORS[rule.kind](projected, rule)
    return sorted(out, key=lambda f: (f.rule, f.cities, [x.name for x in f.features]))


@dataclass(frozen=True)
class Coverage:
    """How much of one city's territory the reach of one kind of facility covers."""

    city: str
    kind: str
    area_km2: float
    own_km2: float
    others_km2: float
    any_km2: float
    facilities_from_others: tuple[str, ...]

    @property
    def own_share(self) -> float:
        return self.own_km2 / self.area_km2 if self.area_km2 else 0.0

    @property
    def others_share(self) -> float:
        return self.others_km2 / self.area_km2 if self.area_km2 else 0.0

    @property
    def any_share(self) -> float:
        return self.any_km2 / self.area_km2 if self.area_km2 else 0.0

    def as_dict(self) -> dict:
        """The row as `metrocoop spatial coverage --json` and the API give it (areas and shares rounded)."""
        return {
            "city": self.city,
            "kind": self.kind,
            "area_km2": round(self.area_km2, 1),
            "own_share": round(self.own_share, 4),
            "others_share": round(self.others_share, 4),
            "any_share": round(self.any_share, 4),
            "facilities_from_others": list(self.facilities_from_others),
        }


def reach_area(feature: SpatialFeature) -> BaseGeometry | None:
    """The area a facility serves: a geodesic circle of its radius around it (or its site buffered likewise)."""
    if not feature.radius_m or feature.radius_m <= 0:
        return None
    c = feature.geometry.representative_point() if feature.geometry.geom_type != "Point" else feature.geometry
    return geodesic_circle(c.x, c.y, float(feature.radius_m))


def service_coverage(
    features: Sequence[SpatialFeature], boundaries: Mapping[str, BaseGeometry], kinds: Sequence[str] = REACH_KINDS
) -> list[Coverage]:
    """For each member city and facility kind: the share of its territory within reach of its own facilities,
    of other cities' facilities (cross-border reach), and of any; and which foreign facilities reach in."""
    reaches = [(f, reach_area(f)) for f in features if f.kind in kinds]
    reaches = [(f, r) for f, r in reaches if r is not None]
    out = []
    for code, territory in sorted(boundaries.items()):
        if territory is None or territory.is_empty:
            continue
        area = area_km2(territory)
        for kind in kinds:
            own = [r for f, r in reaches if f.kind == kind and f.city == code]
            foreign = [(f, r) for f, r in reaches if f.kind == kind and f.city != code and r.intersects(territory)]
            own_area = territory.intersection(_union(own)) if own else None
            others_area = territory.intersection(_union([r for _, r in foreign])) if foreign else None
            any_area = territory.intersection(_union(own + [r for _, r in foreign])) if (own or foreign) else None
            out.append(
                Coverage(
                    city=code,
                    kind=kind,
                    area_km2=area,
                    own_km2=area_km2(own_area) if own_area is not None else 0.0,
                    others_km2=area_km2(others_area) if others_area is not None else 0.0,
                    any_km2=area_km2(any_area) if any_area is not None else 0.0,
                    facilities_from_others=tuple(sorted(f"{f.name} ({f.city})" for f, _ in foreign)),
                )
            )
    return out


def _union(geoms: Sequence[BaseGeometry]) -> BaseGeometry:
    from shapely import union_all

    return union_all(list(geoms))
