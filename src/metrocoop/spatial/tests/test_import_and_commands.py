"""`metrocoop spatial import` (GeoJSON and Shapefile, all or nothing, idempotent) and `metrocoop spatial conflicts`."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import shapefile
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command

from metrocoop.core.testing import snapshot
from metrocoop.spatial.boundaries import load_boundaries
from metrocoop.spatial.models import Feature
from metrocoop.spatial.tests.geodesy import vincenty_m

pytestmark = pytest.mark.django_db


def fc(*features) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def feat(kind, city, name, geometry, **props) -> dict:
    return {"type": "Feature", "properties": {"kind": kind, "city": city, "name": name, **props}, "geometry": geometry}


def pt(lon, lat) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def write(tmp_path: Path, data: dict, name="layer.geojson") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run(*args) -> str:
    out = io.StringIO()
    call_command("spatial", *args, stdout=out)
    return out.getvalue()


GOOD = fc(
    feat("hospital", "SH", "测试医院", pt(121.47, 31.23), radius_m=12000),
    feat(
        "drinking_water_protection_zone",
        "SH",
        "测试水源保护区",
        {"type": "Polygon", "coordinates": [[[120.905, 31.03], [120.935, 31.03], [120.935, 31.055], [120.905, 31.03]]]},
    ),
    feat("rail_line", "SZ", "测试线", {"type": "LineString", "coordinates": [[120.6, 31.3], [120.9, 31.3]]}),
)


def test_import_creates_features_and_a_second_import_changes_nothing(tmp_path, reference, demo_users):
    path = write(tmp_path, GOOD)
    assert "3 new" in run("import", path)
    assert Feature.objects.count() == 3
    hospital = Feature.objects.get(name_zh="测试医院")
    assert (hospital.city.code, hospital.kind, hospital.radius_m) == ("SH", "hospital", 12000)
    # when the same file is imported again
    before, audit = snapshot(Feature), LogEntry.objects.count()
    out = run("import", path)
    # then nothing changed: same rows, no audit entries
    assert "0 new, 0 updated, 3 unchanged" in out
    assert snapshot(Feature)["rows"] == before["rows"] and LogEntry.objects.count() == audit


def test_reimport_with_a_moved_geometry_updates_the_same_row(tmp_path, reference, demo_users):
    run("import", write(tmp_path, GOOD))
    pk = Feature.objects.get(name_zh="测试医院").pk
    moved = json.loads(json.dumps(GOOD))
    moved["features"][0]["geometry"] = pt(121.5, 31.2)
    assert "1 updated" in run("import", write(tmp_path, moved, "moved.geojson"))
    assert Feature.objects.get(pk=pk).geojson["coordinates"] == [121.5, 31.2]
    assert Feature.objects.count() == 3


def test_a_bad_file_is_refused_whole_with_every_problem(tmp_path, reference, demo_users):
    bad = fc(
        feat("hospital", "SH", "好医院", pt(121.47, 31.23)),
        feat("volcano", "SH", "未知类型", pt(121.4, 31.2)),
        feat("hospital", "XX", "未知城市", pt(121.4, 31.2)),
        feat("hospital", "SZ", "越界", pt(200.0, 31.2)),
        feat(
            "industrial_park",
            "SZ",
            "自相交",
            {"type": "Polygon", "coordinates": [[[120, 31], [120.1, 31.1], [120.1, 31], [120, 31.1], [120, 31]]]},
        ),
        feat("hospital", "SZ", "", pt(120.6, 31.3)),
    )
    before = snapshot(Feature)
    with pytest.raises(CommandError) as err:
        run("import", write(tmp_path, bad))
    message = str(err.value)
    assert "nothing changed" in message and "未做任何修改" in message
    for expected in (
        "#2 未知类型 [kind]",
        "unknown kind 'volcano'",
        "#3 未知城市 [city]",
        "unknown city 'XX'",
        "#4 越界 [geometry]",
        "outside WGS84 bounds",
        "超出 WGS84 范围",
        "#5 自相交 [geometry]",
        "invalid geometry",
        "#6 [name]",
        "missing name",
    ):
        assert expected in message
    assert "#1" not in message
    assert snapshot(Feature) == before


def test_not_a_feature_collection_is_refused(tmp_path, reference, demo_users):
    with pytest.raises(CommandError, match="FeatureCollection"):
        run("import", write(tmp_path, {"type": "Feature", "properties": {}, "geometry": pt(121, 31)}))


def test_a_liaison_cannot_import_another_citys_features(tmp_path, reference, demo_users):
    before = snapshot(Feature)
    with pytest.raises(CommandError) as err:
        run("import", write(tmp_path, GOOD), "--user", "liaison-sz")
    assert "may not write features of SH" in str(err.value)
    assert snapshot(Feature) == before  # not even its own SZ row was written


def _shapefile(tmp_path: Path, rows, *, projected=False) -> Path:
    base = tmp_path / "layer"
    with shapefile.Writer(str(base), shapeType=shapefile.POINT, encoding="utf-8") as w:
        w.field("kind", "C", 40)
        w.field("city", "C", 8)
        w.field("name", "C", 100)
        w.field("radius_m", "N", 10)
        for kind, city, name, lon, lat, radius in rows:
            w.point(lon, lat)
            w.record(kind, city, name, radius)
    prj = 'PROJCS["WGS 84 / UTM zone 51N"]' if projected else 'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984"]]'
    (tmp_path / "layer.prj").write_text(prj)
    return base.with_suffix(".shp")


def test_shapefile_import_as_shp_and_as_zip(tmp_path, reference, demo_users):
    shp = _shapefile(tmp_path, [("hospital", "NT", "南通测试医院", 120.87, 32.01, 15000)])
    assert "1 new" in run("import", str(shp))
    assert Feature.objects.get(name_zh="南通测试医院").radius_m == 15000
    archive = tmp_path / "layer.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for ext in ("shp", "shx", "dbf", "prj"):
            z.write(tmp_path / f"layer.{ext}", f"layer.{ext}")
    assert "1 unchanged" in run("import", str(archive))


def test_shapefile_with_bad_rows_or_a_projected_crs_is_refused(tmp_path, reference, demo_users):
    shp = _shapefile(tmp_path, [("hospital", "NT", "好", 120.87, 32.01, 0), ("lab", "NT", "坏", 120.8, 32.0, 1)])
    with pytest.raises(CommandError) as err:
        run("import", str(shp))
    assert "#1 好 [radius_m]" in str(err.value) and "#2 坏 [kind]" in str(err.value)
    projected = tmp_path / "p"
    projected.mkdir()
    with pytest.raises(CommandError, match="projected"):
        run("import", str(_shapefile(projected, [("hospital", "NT", "好", 120.87, 32.01, 100)], projected=True)))
    assert not Feature.objects.exists()


def test_conflicts_json_names_rule_cities_features_and_distance(tmp_path, reference, demo_users):
    # given a Suzhou outfall 2 km west of a Shanghai water protection zone, and a Shanghai outfall beside it
    zone = {
        "type": "Polygon",
        "coordinates": [[[120.905, 31.03], [120.935, 31.03], [120.935, 31.055], [120.905, 31.055], [120.905, 31.03]]],
    }
    data = fc(
        feat("drinking_water_protection_zone", "SH", "金泽水源保护区", zone),
        feat("outfall", "SZ", "汾湖排污口", pt(120.884, 31.04)),
        feat("outfall", "SH", "青浦排污口", pt(120.94, 31.04)),  # same city as the zone: no conflict
        feat("port", "JX", "远处港口", pt(121.10, 30.60)),  # far away: no conflict
    )
    run("import", write(tmp_path, data))
    result = json.loads(run("conflicts", "--json"))
    near = [c for c in result if c["rule"] == "near_water_protection"]
    assert near == [
        {
            "rule": "near_water_protection",
            "cities": ["SZ", "SH"],
            "features": [
                {"name": "汾湖排污口", "kind": "outfall", "city": "SZ"},
                {"name": "金泽水源保护区", "kind": "drinking_water_protection_zone", "city": "SH"},
            ],
            "distance_m": pytest.approx(vincenty_m(120.884, 31.04, 120.905, 31.04), abs=1),
        }
    ]
    assert isinstance(near[0]["distance_m"], float)


@pytest.mark.skipif(not load_boundaries().by_name, reason="boundaries not built (make assets)")
def test_conflicts_of_every_rule_on_the_real_boundaries(reference, demo_users):
    # given the demo layers on the real city boundaries
    from metrocoop.spatial.demo_data import load

    load()
    result = json.loads(run("conflicts", "--json"))
    # then each rule finds something, every conflict crosses a border, and distances are numbers or null
    assert {c["rule"] for c in result} == {"near_water_protection", "discontinuous_corridor", "unshared_monitoring"}
    for c in result:
        assert c["cities"][0] != c["cities"][1]
        assert c["features"][0]["city"] == c["cities"][0]
        assert (c["distance_m"] is None) == (c["rule"] == "unshared_monitoring")
    assert any(c["features"][0]["name"] == "吴淞江生态廊道（苏州段）" for c in result)
    assert not any(c["features"][0]["name"].startswith("太浦河生态廊道") for c in result)  # continuous pair


def test_export_writes_geojson_of_a_layer(tmp_path, reference, demo_users):
    run("import", write(tmp_path, GOOD))
    out = tmp_path / "hospitals.geojson"
    run("export", "--kind", "hospital", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert [(f["properties"]["name"], f["geometry"]["coordinates"]) for f in data["features"]] == [
        ("测试医院", [121.47, 31.23])
    ]
    # and the export of every layer imports back unchanged
    everything = tmp_path / "all.geojson"
    run("export", str(everything))
    assert "3 unchanged" in run("import", str(everything))
