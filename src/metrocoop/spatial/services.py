"""State changes of the spatial app. Each checks access through core.permissions (before and after the write),
runs in one transaction inside `acting(actor)` so the audit trail names the actor."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrocoop.core.audit import acting
from metrocoop.core.models import City, User
from metrocoop.core.permissions import Action, can_any, require
from metrocoop.spatial import engine
from metrocoop.spatial.boundaries import member_boundaries
from metrocoop.spatial.choices import ConflictStatus, FeatureKind, RuleKind
from metrocoop.spatial.geometry import GeometryError, parse_geometry
from metrocoop.spatial.importer import FeatureProblem, FeatureRow
from metrocoop.spatial.models import Conflict, ConflictRule, CorridorProject, Feature

RULE_NAMES = {
    RuleKind.NEAR_WATER_PROTECTION: (
        "排污口或港口临近他市饮用水水源保护区",
        "Outfall or port near another city's water protection zone",
    ),
    RuleKind.DISCONTINUOUS_CORRIDOR: ("生态廊道或城际线路在边界处中断", "Corridor or intercity line stops at a border"),
    RuleKind.UNSHARED_MONITORING: ("边界河流监测站数据未共享", "Border monitoring station whose data is not shared"),
}
FEATURE_FIELDS = ("kind", "city", "name_zh", "name_en", "geometry", "radius_m", "data_shared", "river", "illustrative")


def _error(field: str, zh: str, en: str) -> ValidationError:
    return ValidationError({field: f"{zh} / {en}"})


# --- features ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class ImportRefused(ValidationError):
    """The file was refused whole; `problems` lists every bad feature."""

    def __init__(self, problems: list[FeatureProblem]) -> None:
        super().__init__([str(p) for p in problems])
        self.problems = problems


def _row_values(row: FeatureRow, city: City, source: str) -> dict[str, Any]:
    return {
        "name_en": row.name_en,
        "geometry": json.dumps(row.geometry, ensure_ascii=False, separators=(",", ":")),
        "geometry_type": row.geometry_type,
        "radius_m": row.radius_m,
        "data_shared": row.data_shared,
        "river": row.river,
        "illustrative": row.illustrative,
        "properties": row.properties,
        "source": source[:200],
    }


def do_import_features(rows: list[FeatureRow], *, actor: Any, source: str = "") -> ImportResult:
    """Create or update features by their natural key (kind, city, Chinese name). All or nothing: a feature the
    actor may not write (another city's, for a liaison) refuses the whole file. Importing the same file twice
    changes nothing the second time."""
    cities = {c.code: c for c in City.objects.all()}
    created = updated = unchanged = 0
    with transaction.atomic(), acting(actor):
        existing = {
            (f.kind, f.city.code, f.name_zh): f
            for f in Feature.objects.select_related("city").filter(name_zh__in=[r.name_zh for r in rows])
        }
        refused = []
        for row in rows:
            city = cities[row.city]
            feature = existing.get((row.kind, row.city, row.name_zh))
            probe = feature or Feature(kind=row.kind, city=city, name_zh=row.name_zh)
            try:
                require(actor, Action.CHANGE if feature else Action.ADD, probe)
            except PermissionDenied:  # collected into the report, not raised one by one
                refused.append(
                    FeatureProblem(
                        row.index,
                        row.name_zh,
                        "city",
                        f"无权写入 {row.city} 的要素",
                        f"may not write features of {row.city}",
                    )
                )
        if refused:
            raise ImportRefused(refused)
        for row in rows:
            city = cities[row.city]
            values = _row_values(row, city, source)
            feature = existing.get((row.kind, row.city, row.name_zh))
            if feature is None:
                feature = Feature.objects.create(kind=row.kind, city=city, name_zh=row.name_zh, **values)
                created += 1
            elif any(getattr(feature, k) != v for k, v in values.items() if k != "source"):
                for k, v in values.items():
                    setattr(feature, k, v)
                feature.save()
                updated += 1
            else:
                unchanged += 1
            require(actor, Action.CHANGE, feature)
    return ImportResult(created, updated, unchanged)


def _clean_feature_data(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k in FEATURE_FIELDS}
    if "kind" in out and out["kind"] not in FeatureKind.values:
        raise _error("kind", "未知类型", "unknown kind")
    if "geometry" in out:
        try:
            geom = parse_geometry(out["geometry"])
        except GeometryError as exc:
            raise _error("geometry", exc.zh, exc.en) from None
        out["geometry"] = json.dumps(geom.__geo_interface__, separators=(",", ":"))
        out["geometry_type"] = geom.geom_type
    return out


def _check_unique(feature: Feature) -> None:
    clash = Feature.objects.filter(kind=feature.kind, city=feature.city, name_zh=feature.name_zh).exclude(pk=feature.pk)
    if clash.exists():
        raise _error("name_zh", "同一城市已有同类同名要素", "this city already has a feature of this kind and name")


def do_create_feature(data: dict[str, Any], *, actor: Any) -> Feature:
    data = _clean_feature_data(data)
    if "geometry" not in data:
        raise _error("geometry", "缺少几何", "geometry is required")
    with transaction.atomic(), acting(actor):
        feature = Feature(**data)
        require(actor, Action.ADD, feature)
        _check_unique(feature)
        feature.save()
        require(actor, Action.CHANGE, feature)
    return feature


def do_update_feature(feature: Feature, data: dict[str, Any], *, actor: Any) -> Feature:
    data = _clean_feature_data(data)
    with transaction.atomic(), acting(actor):
        require(actor, Action.CHANGE, feature)
        for k, v in data.items():
            setattr(feature, k, v)
        _check_unique(feature)
        feature.save()
        require(actor, Action.CHANGE, feature)  # a liaison cannot move a feature into another city
    return feature


def do_delete_feature(feature: Feature, *, actor: Any) -> None:
    with transaction.atomic(), acting(actor):
        require(actor, Action.DELETE, feature)
        feature.delete()


# --- rules and conflicts -------------------------------------------------------------------------------------


def ensure_rules() -> list[ConflictRule]:
    """One rule per kind, created with the default distance if missing (a data migration creates them too)."""
    out = []
    for kind in RuleKind:
        zh, en = RULE_NAMES[kind]
        rule, _created = ConflictRule.objects.get_or_create(
            kind=kind, defaults={"name_zh": zh, "name_en": en, "distance_m": int(engine.DEFAULT_DISTANCE_M[kind])}
        )
        out.append(rule)
    return out


def rule_specs() -> list[engine.RuleSpec]:
    """The office's rules as the engine reads them; a kind with no row yet uses its default."""
    rows = {r.kind: r for r in ConflictRule.objects.all()}
    return [
        engine.RuleSpec(kind, float(rows[kind].distance_m), rows[kind].active) if kind in rows else spec
        for kind, spec in ((s.kind, s) for s in engine.default_rules())
    ]


def do_update_rule(rule: ConflictRule, data: dict[str, Any], *, actor: Any) -> ConflictRule:
    allowed = {"name_zh", "name_en", "distance_m", "active"}
    with transaction.atomic(), acting(actor):
        require(actor, Action.CHANGE, rule)
        for k, v in data.items():
            if k in allowed:
                setattr(rule, k, v)
        if not rule.distance_m or rule.distance_m <= 0:
            raise _error("distance_m", "距离应为正数（米）", "distance must be a positive number of metres")
        rule.save()
        require(actor, Action.CHANGE, rule)
    return rule


def engine_features(queryset=None) -> list[engine.SpatialFeature]:
    qs = queryset if queryset is not None else Feature.objects.all()
    out = []
    for f in qs.select_related("city"):
        out.append(
            engine.SpatialFeature(
                id=f.pk,
                name=f.name_zh,
                kind=f.kind,
                city=f.city.code,
                geometry=parse_geometry(f.geometry),
                radius_m=f.radius_m,
                data_shared=f.data_shared,
            )
        )
    return out


def current_boundaries() -> dict:
    return member_boundaries(City.objects.current_members())


def current_findings() -> list[engine.Finding]:
    """What the rules find now, computed from the stored features (nothing written)."""
    return engine.detect_conflicts(engine_features(), rule_specs(), current_boundaries())


@dataclass(frozen=True)
class DetectionResult:
    found: int
    new: int
    cleared: int


def do_detect_conflicts(*, actor: Any) -> DetectionResult:
    """Run the rules and keep their findings as conflicts to follow: a new finding opens a conflict, a known one
    refreshes its distance; a conflict no longer found is marked so (its status stays as people set it)."""
    if not can_any(actor, Action.ADD, Conflict):
        raise PermissionDenied(_("Only the council office runs the conflict rules."))
    findings = current_findings()
    with transaction.atomic(), acting(actor):
        rules = {r.kind: r for r in ensure_rules()}
        cities = {c.code: c for c in City.objects.all()}
        known = {c.key: c for c in Conflict.objects.all()}
        new = 0
        seen = set()
        for finding in findings:
            seen.add(finding.key)
            explanation = "\n".join(finding.steps)
            conflict = known.get(finding.key)
            if conflict is None:
                conflict = Conflict(
                    key=finding.key,
                    rule=rules[finding.rule],
                    city_a=cities[finding.cities[0]],
                    city_b=cities[finding.cities[1]],
                    feature_a_id=finding.features[0].id,
                    feature_b_id=finding.features[1].id if len(finding.features) > 1 else None,
                    distance_m=finding.distance_m,
                    explanation=explanation,
                )
                require(actor, Action.ADD, conflict)
                conflict.save()
                new += 1
            elif (conflict.distance_m, conflict.explanation, conflict.still_detected) != (
                finding.distance_m,
                explanation,
                True,
            ):
                require(actor, Action.CHANGE, conflict)
                conflict.distance_m, conflict.explanation, conflict.still_detected = (
                    finding.distance_m,
                    explanation,
                    True,
                )
                conflict.save()
        cleared = 0
        for key, conflict in known.items():
            if key not in seen and conflict.still_detected:
                require(actor, Action.CHANGE, conflict)
                conflict.still_detected = False
                conflict.save()
                cleared += 1
    return DetectionResult(found=len(findings), new=new, cleared=cleared)


def do_assign_conflict(conflict: Conflict, assignee: User | None, *, note: str = "", actor: Any) -> Conflict:
    with transaction.atomic(), acting(actor):
        require(actor, Action.CHANGE, conflict)
        if conflict.status in (ConflictStatus.RESOLVED, ConflictStatus.DISMISSED):
            from metrocoop.core.errors import Conflict as ConflictError

            raise ConflictError("冲突已关闭 / The conflict is closed")
        conflict.assignee = assignee
        conflict.status = ConflictStatus.ASSIGNED if assignee else ConflictStatus.OPEN
        if note:
            conflict.note = note[:2000]
        conflict.save()
        require(actor, Action.CHANGE, conflict)
    return conflict


def do_close_conflict(conflict: Conflict, status: str, *, note: str, actor: Any) -> Conflict:
    """Resolve or dismiss a conflict, with a note saying how (required)."""
    if status not in (ConflictStatus.RESOLVED, ConflictStatus.DISMISSED):
        raise _error("status", "状态应为已解决或已驳回", "status must be resolved or dismissed")
    if not note.strip():
        raise _error("note", "请说明如何解决", "say how it was resolved")
    with transaction.atomic(), acting(actor):
        require(actor, Action.CHANGE, conflict)
        conflict.status = status
        conflict.note = note[:2000]
        conflict.resolved_at = timezone.now()
        conflict.save()
        require(actor, Action.CHANGE, conflict)
    return conflict


def do_reopen_conflict(conflict: Conflict, *, actor: Any) -> Conflict:
    with transaction.atomic(), acting(actor):
        require(actor, Action.CHANGE, conflict)
        conflict.status = ConflictStatus.ASSIGNED if conflict.assignee_id else ConflictStatus.OPEN
        conflict.resolved_at = None
        conflict.save()
    return conflict


# --- corridor projects ---------------------------------------------------------------------------------------

PROJECT_FIELDS = ("code", "name_zh", "name_en", "kind", "status", "lead_city", "route", "description", "illustrative")


def _clean_route(data: dict[str, Any]) -> None:
    route = data.get("route")
    if route:
        try:
            geom = parse_geometry(route)
        except GeometryError as exc:
            raise _error("route", exc.zh, exc.en) from None
        if geom.geom_type not in ("LineString", "MultiLineString"):
            raise _error("route", "线路应为线", "the route must be a line")
        data["route"] = json.dumps(geom.__geo_interface__, separators=(",", ":"))


def do_create_project(data: dict[str, Any], *, actor: Any) -> CorridorProject:
    cities = list(data.pop("cities", []))
    data = {k: v for k, v in data.items() if k in PROJECT_FIELDS}
    _clean_route(data)
    if len(cities) < 2:
        raise _error("cities", "跨界项目至少连接两个城市", "a cross-border project joins at least two cities")
    with transaction.atomic(), acting(actor):
        project = CorridorProject(**data)
        require(actor, Action.ADD, project)
        project.save()
        project.cities.set(cities)
        require(actor, Action.CHANGE, project)
    return project


def do_update_project(project: CorridorProject, data: dict[str, Any], *, actor: Any) -> CorridorProject:
    cities = data.pop("cities", None)
    data = {k: v for k, v in data.items() if k in PROJECT_FIELDS}
    _clean_route(data)
    with transaction.atomic(), acting(actor):
        require(actor, Action.CHANGE, project)
        for k, v in data.items():
            setattr(project, k, v)
        project.save()
        if cities is not None:
            if len(cities) < 2:
                raise _error("cities", "跨界项目至少连接两个城市", "a cross-border project joins at least two cities")
            project.cities.set(cities)
        require(actor, Action.CHANGE, project)
    return project


def do_delete_project(project: CorridorProject, *, actor: Any) -> None:
    with transaction.atomic(), acting(actor):
        require(actor, Action.DELETE, project)
        project.delete()
