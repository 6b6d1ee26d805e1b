"""Demo layers, corridor projects and conflicts (`metrocoop demo`). Idempotent.

ILLUSTRATIVE DATA: facility names follow real places, but positions are approximate, radii, outfalls, corridors,
monitoring arrangements and data-sharing flags are made up to show the mechanism; every demo feature carries
`illustrative = True` and the pages say so. Project statuses are as publicly reported up to 2025 and their
routes are schematic.
"""

from __future__ import annotations

import json
from pathlib import Path

from metrocoop.core.choices import Role
from metrocoop.core.models import City, User
from metrocoop.spatial.choices import ConflictStatus, FeatureKind, ProjectKind, ProjectStatus
from metrocoop.spatial.importer import check_features
from metrocoop.spatial.models import Conflict, CorridorProject
from metrocoop.spatial.services import (
    do_assign_conflict,
    do_close_conflict,
    do_create_project,
    do_detect_conflicts,
    do_import_features,
    do_update_project,
    ensure_rules,
)


def _line(*pts):
    return {"type": "LineString", "coordinates": [list(p) for p in pts]}


# The demo layers as GeoJSON (`kind`, `city`, `name`, `name_en` and a kind's own properties): water protection
# zones and intakes; outfalls, ports and a park; ecological corridors and rail lines (one pair continuous, two
# stopping at a border); monitoring stations on border waters; hospitals and elderly-care homes with their radius
FEATURES_FILE = Path(__file__).parent / "data" / "demo_features.geojson"

# code, zh, en, kind, status, cities, lead, route (schematic), description
PROJECTS = [
    ("beiyanjiang-hsr", "北沿江高铁", "North Yangtze High-Speed Railway", ProjectKind.RAIL,
     ProjectStatus.UNDER_CONSTRUCTION, ["SH", "NT"], "SH",
     [(121.47, 31.23), (121.40, 31.62), (120.89, 31.98), (120.40, 32.20)], "上海—崇明—南通—泰州—扬州—南京—合肥"),
    ("tong-su-jia-yong", "通苏嘉甬铁路", "Nantong–Suzhou–Jiaxing–Ningbo Railway", ProjectKind.RAIL,
     ProjectStatus.UNDER_CONSTRUCTION, ["NT", "SZ", "JX", "NB"], "NT",
     [(120.89, 31.98), (120.75, 31.55), (120.65, 31.05), (120.76, 30.75), (121.10, 30.35), (121.54, 29.87)],
     "南通—苏州—嘉兴—宁波，跨杭州湾"),
    ("hu-yong-sea-link", "沪甬跨海通道", "Shanghai–Ningbo Sea Link", ProjectKind.SEA_LINK, ProjectStatus.PLANNED,
     ["SH", "ZS", "NB"], "SH", [(121.45, 30.82), (121.95, 30.45), (122.05, 30.25), (121.75, 29.95)],
     "沪舟甬跨海通道：上海—舟山（岱山）—宁波"),
    ("chong-hai", "崇海通道", "Chongming–Haimen Yangtze Crossing", ProjectKind.RIVER_CROSSING, ProjectStatus.PLANNED,
     ["SH", "NT"], "NT", [(121.55, 31.70), (121.17, 31.90)], "崇明—海门过江通道"),
    ("hu-su-hu", "沪苏湖铁路", "Shanghai–Suzhou–Huzhou Railway", ProjectKind.RAIL, ProjectStatus.IN_SERVICE,
     ["SH", "SZ", "HZ"], "SH", [(121.32, 31.19), (121.05, 31.05), (120.80, 30.95), (120.45, 30.88), (120.09, 30.87)],
     "上海虹桥—松江—汾湖—南浔—湖州，2024 年通车"),
    ("hu-tong", "沪通铁路", "Shanghai–Nantong Railway", ProjectKind.RAIL, ProjectStatus.IN_SERVICE,
     ["SH", "SZ", "NT"], "SH", [(121.30, 31.25), (121.10, 31.45), (120.75, 31.65), (120.55, 31.87), (120.89, 31.98)],
     "南通—张家港—常熟—太仓—上海，一期 2020 年通车"),
    ("yong-zhou", "甬舟铁路", "Ningbo–Zhoushan Railway", ProjectKind.RAIL, ProjectStatus.UNDER_CONSTRUCTION,
     ["NB", "ZS"], "NB", [(121.54, 29.87), (121.85, 30.00), (122.20, 29.99)], "宁波—金塘—舟山"),
]  # fmt: skip


def _office() -> User | None:
    return User.objects.filter(is_active=True, role_assignments__role=Role.OFFICE).order_by("pk").first()


def demo_feature_collection() -> dict:
    """The demo layers, every feature marked illustrative."""
    collection = json.loads(FEATURES_FILE.read_text(encoding="utf-8"))
    for feature in collection["features"]:
        feature["properties"]["illustrative"] = True
    return collection


def load() -> str:
    office = _office()
    if office is None:
        return "spatial: no office account"
    codes = set(City.objects.values_list("code", flat=True))
    raw = [(f["properties"], f["geometry"]) for f in demo_feature_collection()["features"]]
    raw = [(p, g) for p, g in raw if p["city"] in codes]  # a membership without a demo city skips its rows
    rows, problems = check_features(raw, set(FeatureKind.values), codes)
    if problems:
        raise RuntimeError(f"demo spatial features refused: {problems}")
    result = do_import_features(rows, actor=office, source="demo (illustrative)")
    ensure_rules()
    cities = {c.code: c for c in City.objects.all()}
    for code, zh, en, kind, status, members, lead, route, description in PROJECTS:
        if not all(m in cities for m in members):
            continue
        data = {
            "code": code,
            "name_zh": zh,
            "name_en": en,
            "kind": kind,
            "status": status,
            "lead_city": cities[lead],
            "route": _line(*route),
            "description": description,
            "illustrative": True,
            "cities": [cities[m] for m in members],
        }
        project = CorridorProject.objects.filter(code=code).first()
        if project is None:
            do_create_project(data, actor=office)
        elif project.status != status:
            do_update_project(project, {"status": status}, actor=office)
    detection = do_detect_conflicts(actor=office)
    # follow one conflict through: assigned to the liaison of the city that owns the outfall, then resolved
    first = Conflict.objects.filter(rule__kind="near_water_protection", status=ConflictStatus.OPEN).first()
    if first is not None and detection.new:
        liaison = User.objects.filter(username=f"liaison-{first.city_a.code.lower()}").first()
        do_assign_conflict(first, liaison, note="请核实排污口位置与排放标准（示意）", actor=office)
    monitoring = Conflict.objects.filter(rule__kind="unshared_monitoring", status=ConflictStatus.OPEN).first()
    if monitoring is not None and detection.new:
        do_close_conflict(
            monitoring,
            ConflictStatus.RESOLVED,
            note="两地签订太浦河水质数据共享协议（示意）",
            actor=office,
        )
    return f"spatial: {result.total} features, {len(PROJECTS)} projects, {detection.found} conflicts"
