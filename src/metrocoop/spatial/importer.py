"""Reading spatial features from GeoJSON and Shapefiles: every bad feature reported, nothing half-read.

A feature needs the properties `kind` (a FeatureKind value), `city` (a member city code) and `name`; optional
`name_en`, `radius_m` (or `radius_km`), `data_shared` (or `shared`), `river`, `illustrative`; any other property
is kept as is. Geometries must be valid and in WGS84 longitude/latitude. Pure: the known kinds and city codes
are passed in, the ORM is not touched.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metrocoop.spatial.geometry import GeometryError, SpatialRefusal, parse_geometry

KNOWN_KEYS = {
    "id",
    "kind",
    "city",
    "name",
    "name_en",
    "radius_m",
    "radius_km",
    "data_shared",
    "shared",
    "river",
    "illustrative",
}
MAX_NAME = 200


@dataclass(frozen=True)
class FeatureProblem:
    index: int  # 1-based position of the feature in the file
    name: str
    field: str
    zh: str
    en: str

    def __str__(self) -> str:
        label = f"#{self.index}" + (f" {self.name}" if self.name else "")
        return f"{label} [{self.field}]: {self.zh} / {self.en}"


@dataclass
class FeatureRow:
    index: int
    kind: str
    city: str
    name_zh: str
    name_en: str
    geometry: dict
    geometry_type: str
    radius_m: int | None = None
    data_shared: bool | None = None
    river: str = ""
    illustrative: bool = False
    properties: dict = field(default_factory=dict)


class FileRefused(SpatialRefusal):
    """The whole file is refused."""

    code = "file-refused"


def _bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "y", "是", "t"}:
        return True
    if text in {"0", "false", "no", "n", "否", "f"}:
        return False
    raise ValueError(value)


def check_features(
    raw: Iterable[tuple[dict, Any]], kinds: set[str], cities: set[str]
) -> tuple[list[FeatureRow], list[FeatureProblem]]:
    """(properties, geometry) pairs → rows and problems (all problems of all features, not just the first)."""
    rows: list[FeatureRow] = []
    problems: list[FeatureProblem] = []
    seen: dict[tuple[str, str, str], int] = {}
    for index, (props, geometry) in enumerate(raw, start=1):
        props = dict(props or {})
        name = str(props.get("name") or "").strip()
        bad = []
        kind = str(props.get("kind") or "").strip()
        city = str(props.get("city") or "").strip().upper()
        if not name:
            bad.append(("name", "缺少名称", "missing name"))
        elif len(name) > MAX_NAME:
            bad.append(("name", f"名称超过 {MAX_NAME} 个字符", f"name longer than {MAX_NAME} characters"))
        if kind not in kinds:
            bad.append(("kind", f"未知类型 {kind!r}", f"unknown kind {kind!r}"))
        if city not in cities:
            bad.append(("city", f"未知城市 {city!r}", f"unknown city {city!r}"))
        geom = None
        try:
            geom = parse_geometry(geometry)
        except GeometryError as exc:
            bad.append(("geometry", exc.zh, exc.en))
        radius = props.get("radius_m")
        if radius in (None, "") and props.get("radius_km") not in (None, ""):
            try:
                radius = float(props["radius_km"]) * 1000
            except (TypeError, ValueError):
                radius = "bad"
        radius_m = None
        if radius not in (None, ""):
            try:
                radius_m = round(float(radius))
                if radius_m <= 0:
                    raise ValueError
            except (TypeError, ValueError):
                bad.append(("radius_m", "服务半径应为正数（米）", "radius must be a positive number of metres"))
        shared_value = props.get("data_shared", props.get("shared"))
        try:
            data_shared = _bool(shared_value)
            illustrative = bool(_bool(props.get("illustrative")))
        except ValueError:
            bad.append(("data_shared", "应为 true 或 false", "must be true or false"))
            data_shared, illustrative = None, False
        key = (kind, city, name)
        if name and key in seen:
            bad.append(("name", f"与第 {seen[key]} 个要素重复", f"same kind, city and name as feature #{seen[key]}"))
        seen.setdefault(key, index)
        if bad:
            problems += [FeatureProblem(index, name, f, zh, en) for f, zh, en in bad]
            continue
        rows.append(
            FeatureRow(
                index=index,
                kind=kind,
                city=city,
                name_zh=name,
                name_en=str(props.get("name_en") or "")[:MAX_NAME],
                geometry=json.loads(json.dumps(geom.__geo_interface__)),
                geometry_type=geom.geom_type,
                radius_m=radius_m,
                data_shared=data_shared,
                river=str(props.get("river") or "")[:100],
                illustrative=illustrative,
                properties={k: v for k, v in props.items() if k not in KNOWN_KEYS},
            )
        )
    return rows, problems


def read_geojson(data: bytes | str) -> list[tuple[dict, Any]]:
    try:
        doc = json.loads(data)
    except ValueError:
        raise FileRefused("文件不是有效的 JSON", "the file is not valid JSON") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise FileRefused("应为 GeoJSON FeatureCollection", "expected a GeoJSON FeatureCollection")
    crs = (doc.get("crs") or {}).get("properties", {}).get("name", "")
    if crs and not any(tag in crs.upper() for tag in ("4326", "CRS84")):
        raise FileRefused(f"坐标系应为 WGS84，而不是 {crs}", f"coordinates must be WGS84, not {crs}")
    out = []
    for feature in doc["features"]:
        if not isinstance(feature, dict):
            out.append(({}, None))
        else:
            out.append((feature.get("properties") or {}, feature.get("geometry")))
    return out


def read_shapefile(path: Path) -> list[tuple[dict, Any]]:
    """A .shp (with its .dbf beside it) or a .zip holding one; attributes as properties, shapes as GeoJSON."""
    import shapefile  # pyshp

    def records(reader: shapefile.Reader) -> list[tuple[dict, Any]]:
        out = []
        for rec in reader.iterShapeRecords():
            geometry = rec.shape.__geo_interface__ if rec.shape.shapeType != shapefile.NULL else None
            out.append((rec.record.as_dict(), geometry))
        return out

    try:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as z:
                names = {Path(n).suffix.lower(): n for n in z.namelist() if not n.startswith("__MACOSX")}
                if ".shp" not in names or ".dbf" not in names:
                    raise FileRefused("压缩包中没有 .shp 和 .dbf", "the zip holds no .shp with its .dbf")
                prj = z.read(names[".prj"]).decode("utf-8", "replace") if ".prj" in names else ""
                _check_prj(prj)
                with shapefile.Reader(
                    shp=io.BytesIO(z.read(names[".shp"])),
                    dbf=io.BytesIO(z.read(names[".dbf"])),
                    shx=io.BytesIO(z.read(names[".shx"])) if ".shx" in names else None,
                    encoding="utf-8",
                ) as reader:
                    return records(reader)
        prj_path = path.with_suffix(".prj")
        _check_prj(prj_path.read_text(encoding="utf-8", errors="replace") if prj_path.exists() else "")
        with shapefile.Reader(str(path), encoding="utf-8") as reader:
            return records(reader)
    except FileRefused:
        raise
    except (shapefile.ShapefileException, zipfile.BadZipFile, OSError, KeyError) as exc:
        raise FileRefused("无法读取 Shapefile", f"cannot read the shapefile: {exc}") from None


def _check_prj(prj: str) -> None:
    # a projected CRS (PROJCS) would put metres where degrees belong: refuse it rather than guess
    if prj and "PROJCS" in prj.upper():
        raise FileRefused(
            "Shapefile 使用投影坐标系，应为 WGS84 经纬度", "the shapefile is projected; WGS84 lon/lat expected"
        )


def read_features_file(path: str | Path) -> list[tuple[dict, Any]]:
    path = Path(path)
    if not path.exists():
        raise FileRefused(f"文件不存在：{path}", f"no such file: {path}")
    if path.suffix.lower() in {".shp", ".zip"}:
        return read_shapefile(path)
    return read_geojson(path.read_bytes())
