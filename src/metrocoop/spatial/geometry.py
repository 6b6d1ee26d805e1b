"""Geometry helpers over plain shapely geometries in WGS84 longitude/latitude (no Django).

Distances are metres, never degrees: the closest pair of points between two geometries is found in a projected
CRS (UTM zone 51N, EPSG:32651, which covers the area at 119-123°E with a scale error below 0.2 %), and the
distance reported is the geodesic distance between that pair on the WGS84 ellipsoid (pyproj.Geod, Karney's
algorithm). A 0.2 % error in where the closest pair lies changes the geodesic distance only to second order.
Areas are computed in a local Albers equal-area projection centred on the metropolitan area.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry import LineString, MultiLineString, Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from metrocoop.core.explain import BilingualError

WGS84 = CRS.from_epsg(4326)
UTM51N = CRS.from_epsg(32651)
# Albers equal-area with standard parallels bracketing the area (28.5-32.5°N), for areas of reach and cities
LOCAL_EQUAL_AREA = CRS.from_proj4("+proj=aea +lat_0=30.5 +lon_0=121 +lat_1=29 +lat_2=32 +datum=WGS84 +units=m")
GEOD = Geod(ellps="WGS84")

GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


class SpatialRefusal(BilingualError):
    """A spatial input refused, with the reason in Chinese and English (`zh`, `en`; `str()` says both)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)
        self.args = (f"{zh} {en}",)
        self.zh, self.en = zh, en


class GeometryError(SpatialRefusal):
    """A geometry refused."""

    code = "geometry"


@lru_cache(maxsize=4)
def _transformer(target: CRS) -> Transformer:
    return Transformer.from_crs(WGS84, target, always_xy=True)


@lru_cache(maxsize=4)
def _inverse(source: CRS) -> Transformer:
    return Transformer.from_crs(source, WGS84, always_xy=True)


# GeoJSON edges are straight in longitude/latitude (RFC 7946); a long edge projected only at its ends would
# become a chord of the projected curve (7 m off over one degree of meridian in UTM 51N), so edges are split
# to at most 0.01° (about 1 km) first, where the chord's error is below a millimetre.
MAX_EDGE_DEGREES = 0.01


def _apply(transformer: Transformer, geom: BaseGeometry) -> BaseGeometry:
    def move(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, move)


def to_projected(geom: BaseGeometry, crs: CRS = UTM51N) -> BaseGeometry:
    return _apply(_transformer(crs), shapely.segmentize(geom, MAX_EDGE_DEGREES))


def parse_geometry(data: Any) -> BaseGeometry:
    """A GeoJSON geometry (dict or text) as a valid shapely geometry in WGS84, or GeometryError.

    Refused: unknown or missing type, malformed coordinates, coordinates outside WGS84 bounds (longitude -180..180,
    latitude -90..90), empty or self-intersecting geometries (a polygon that crosses itself)."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            raise GeometryError("几何不是有效的 JSON", "geometry is not valid JSON") from None
    if not isinstance(data, dict) or data.get("type") not in GEOMETRY_TYPES:
        raise GeometryError(
            "几何类型无效（应为点、线或面）",
            f"invalid geometry type {data.get('type') if isinstance(data, dict) else data!r} "
            "(expected Point, LineString, Polygon or their Multi- forms)",
        )
    try:
        geom = shape(data)
    except Exception as exc:  # shapely raises several kinds for malformed coordinates
        raise GeometryError("几何坐标格式错误", f"malformed coordinates: {exc}") from None
    if geom.is_empty:
        raise GeometryError("几何为空", "empty geometry")
    coords = shapely.get_coordinates(geom)
    if not all(math.isfinite(v) for v in coords.ravel()):
        raise GeometryError("坐标不是有限数", "coordinates are not finite numbers")
    lon, lat = coords[:, 0], coords[:, 1]
    if lon.min() < -180 or lon.max() > 180 or lat.min() < -90 or lat.max() > 90:
        raise GeometryError(
            "坐标超出 WGS84 范围（经度 -180..180，纬度 -90..90）",
            "coordinates outside WGS84 bounds (longitude -180..180, latitude -90..90)",
        )
    if not geom.is_valid:
        raise GeometryError("几何无效（如面自相交）", f"invalid geometry: {shapely.is_valid_reason(geom)}")
    return geom


def geodesic_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in metres between two (longitude, latitude) points on WGS84."""
    return abs(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def distance_m(
    a: BaseGeometry, b: BaseGeometry, pa: BaseGeometry | None = None, pb: BaseGeometry | None = None
) -> float:
    """Shortest distance in metres between two WGS84 geometries (0 when they touch or overlap).

    `pa`/`pb` are the same geometries already projected to UTM 51N (to avoid projecting again in loops)."""
    pa = pa if pa is not None else to_projected(a)
    pb = pb if pb is not None else to_projected(b)
    if pa.intersects(pb):
        return 0.0
    na, nb = nearest_points(pa, pb)
    (lon1, lon2), (lat1, lat2) = _inverse(UTM51N).transform([na.x, nb.x], [na.y, nb.y])
    return geodesic_m((lon1, lat1), (lon2, lat2))


def projected_distance_bound(distance: float) -> float:
    """A projected distance below which a geodesic distance of `distance` may lie (UTM scale error < 0.5 %)."""
    return distance * 1.005 + 50.0


def geodesic_circle(lon: float, lat: float, radius_m: float, segments: int = 72) -> BaseGeometry:
    """The polygon of points within `radius_m` of (lon, lat) along the ellipsoid (vertices placed by Geod.fwd)."""
    azimuths = [360.0 * i / segments for i in range(segments)]
    lons, lats, _ = GEOD.fwd([lon] * segments, [lat] * segments, azimuths, [radius_m] * segments)
    return shapely.Polygon(list(zip(lons, lats, strict=True)))


def area_km2(geom: BaseGeometry) -> float:
    return to_projected(geom, LOCAL_EQUAL_AREA).area / 1e6


def line_endpoints(geom: BaseGeometry) -> list[Point]:
    """The end points of every part of a (multi)line; nothing for other geometries."""
    parts: Iterable[LineString]
    if isinstance(geom, LineString):
        parts = [geom]
    elif isinstance(geom, MultiLineString):
        parts = list(geom.geoms)
    else:
        return []
    out = []
    for part in parts:
        if not part.is_closed:
            out += [Point(part.coords[0]), Point(part.coords[-1])]
    return out
