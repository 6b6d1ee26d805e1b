"""Demo layers, corridor projects and conflicts (`metrocoop demo`). Idempotent.

ILLUSTRATIVE DATA: facility names follow real places, but positions are approximate, radii, outfalls, corridors,
monitoring arrangements and data-sharing flags are made up to show the mechanism; every demo feature carries
`illustrative = True` and the pages say so. Project statuses are as publicly reported up to 2025 and their
routes are schematic.
"""

from __future__ import annotations

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


def _box(x1, y1, x2, y2):
    return {"type": "Polygon", "coordinates": [[[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]]]}


def _pt(x, y):
    return {"type": "Point", "coordinates": [x, y]}


def _line(*pts):
    return {"type": "LineString", "coordinates": [list(p) for p in pts]}


def _facilities(kind: str, radius_m: int, *rows: tuple) -> list[tuple]:
    """FEATURES rows of one kind of facility from (city, name_zh, name_en, longitude, latitude[, radius]): each with
    its service radius in metres, `radius_m` unless the row names its own."""
    return [(kind, city, zh, en, _pt(x, y), {"radius_m": r[0] if r else radius_m}) for city, zh, en, x, y, *r in rows]


# kind, city, name_zh, name_en, geometry, extra properties
FEATURES = [
    # drinking-water protection zones and intakes
    (
        "drinking_water_protection_zone",
        "SH",
        "金泽水库饮用水水源保护区",
        "Jinze Reservoir water protection zone",
        _box(120.905, 31.030, 120.935, 31.055),
        {},
    ),
    ("water_intake", "SH", "金泽水库取水口", "Jinze Reservoir intake", _pt(120.92, 31.045), {}),
    (
        "drinking_water_protection_zone",
        "SZ",
        "阳澄湖饮用水水源保护区",
        "Yangcheng Lake water protection zone",
        _box(120.77, 31.40, 120.82, 31.45),
        {},
    ),
    (
        "drinking_water_protection_zone",
        "JX",
        "长白荡饮用水水源保护区",
        "Changbaidang water protection zone",
        _box(120.90, 30.90, 120.93, 30.92),
        {},
    ),
    (
        "drinking_water_protection_zone",
        "NT",
        "长江狼山水源保护区",
        "Yangtze Langshan water protection zone",
        _box(120.84, 31.93, 120.88, 31.96),
        {},
    ),
    # outfalls, ports, parks
    (
        "outfall",
        "SZ",
        "汾湖高新区污水处理厂排污口",
        "Fenhu hi-tech zone treatment plant outfall",
        _pt(120.88, 31.03),
        {},
    ),
    ("outfall", "JX", "嘉善某工业园排污口", "Jiashan industrial park outfall", _pt(120.95, 30.93), {}),
    ("port", "SZ", "太仓港", "Taicang Port", _pt(121.20, 31.60), {}),
    ("port", "SH", "外高桥港区", "Waigaoqiao port area", _pt(121.60, 31.35), {}),
    ("port", "NB", "宁波舟山港北仑港区", "Ningbo-Zhoushan Port, Beilun", _pt(121.85, 29.93), {}),
    ("port", "JX", "嘉兴港乍浦港区", "Jiaxing Port, Zhapu", _pt(121.10, 30.60), {}),
    (
        "industrial_park",
        "SZ",
        "汾湖高新技术产业开发区",
        "Fenhu Hi-tech Industrial Development Zone",
        _box(120.82, 31.00, 120.87, 31.05),
        {},
    ),
    # ecological corridors and rail lines (one pair continuous, two stopping at a border)
    (
        "ecological_corridor",
        "SZ",
        "太浦河生态廊道（苏州段）",
        "Taipu River corridor (Suzhou)",
        _line((120.55, 31.00), (120.75, 31.00), (120.895, 31.02)),
        {},
    ),
    (
        "ecological_corridor",
        "SH",
        "太浦河生态廊道（上海段）",
        "Taipu River corridor (Shanghai)",
        _line((120.905, 31.02), (121.00, 31.00), (121.10, 30.98)),
        {},
    ),
    (
        "ecological_corridor",
        "SZ",
        "吴淞江生态廊道（苏州段）",
        "Wusong River corridor (Suzhou)",
        _line((120.75, 31.28), (120.95, 31.27), (121.055, 31.268)),
        {},
    ),
    (
        "rail_line",
        "JX",
        "嘉兴至枫泾城际线",
        "Jiaxing–Fengjing intercity line",
        _line((120.76, 30.76), (120.90, 30.80), (120.995, 30.843)),
        {},
    ),
    ("station", "SZ", "花桥站", "Huaqiao station", _pt(121.07, 31.30), {}),
    # monitoring stations on border waters
    (
        "monitoring_station",
        "SZ",
        "太浦河汾湖断面水质自动站",
        "Taipu River Fenhu water-quality station",
        _pt(120.893, 31.018),
        {"data_shared": False, "river": "太浦河"},
    ),
    (
        "monitoring_station",
        "JX",
        "红旗塘大舜枢纽水质自动站",
        "Hongqitang Dashun water-quality station",
        _pt(120.995, 30.85),
        {"data_shared": True, "river": "红旗塘"},
    ),
    # hospitals and elderly-care homes with their service radius (a row may name its own)
    *_facilities(
        "hospital",
        15000,
        ("SH", "中山医院青浦分院", "Zhongshan Hospital Qingpu Branch", 121.11, 31.15),
        ("SH", "瑞金医院", "Ruijin Hospital", 121.47, 31.21, 10000),
        ("SZ", "昆山市第一人民医院", "Kunshan First People's Hospital", 120.96, 31.39),
        ("SZ", "苏州大学附属第一医院", "First Affiliated Hospital of Soochow University", 120.63, 31.3),
        ("JX", "嘉善县第一人民医院", "Jiashan First People's Hospital", 120.92, 30.84),
        ("NT", "南通大学附属医院", "Affiliated Hospital of Nantong University", 120.87, 32.01),
        ("WX", "无锡市人民医院", "Wuxi People's Hospital", 120.3, 31.55),
        ("CZ", "常州市第一人民医院", "Changzhou First People's Hospital", 119.96, 31.78),
        ("NB", "宁波市第一医院", "Ningbo First Hospital", 121.55, 29.87),
        ("HZ", "湖州市中心医院", "Huzhou Central Hospital", 120.09, 30.87),
        ("ZS", "舟山医院", "Zhoushan Hospital", 122.11, 30.02),
    ),
    *_facilities(
        "elderly_care_home",
        8000,
        ("SH", "青浦区练塘镇养老院", "Liantang elderly-care home", 121.05, 31.1),
        ("JX", "嘉善县颐养中心", "Jiashan care centre", 120.93, 30.87),
        ("SZ", "吴江区社会福利中心", "Wujiang welfare centre", 120.75, 31.0),
        ("NT", "启东市养老服务中心", "Qidong elderly-care centre", 121.65, 31.8),
    ),
]

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
    features = []
    for kind, city, zh, en, geometry, extra in FEATURES:
        props = {"kind": kind, "city": city, "name": zh, "name_en": en, "illustrative": True, **extra}
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


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
