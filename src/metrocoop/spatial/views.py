"""Pages of the spatial app: the map with its layers, conflicts and service reach; a conflict to assign and
resolve; the office's rules; GeoJSON downloads. Thin: access through core.permissions, changes through services."""

from __future__ import annotations

import json
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from shapely.geometry import Point, shape
from shapely.ops import nearest_points

from metrocoop.core import downloads
from metrocoop.core.charts import on_map
from metrocoop.core.choices import Role
from metrocoop.core.models import City, User
from metrocoop.core.permissions import Action, can, can_any, restrict
from metrocoop.spatial import services
from metrocoop.spatial.boundaries import BROWSER_FILE, load_boundaries, member_boundaries
from metrocoop.spatial.charts import geo_component
from metrocoop.spatial.choices import ConflictStatus, FeatureKind, ProjectStatus
from metrocoop.spatial.engine import Coverage, reach_area, service_coverage
from metrocoop.spatial.exports import layer_collection, project_collection
from metrocoop.spatial.forms import AssignForm, CloseForm, RuleForm
from metrocoop.spatial.geometry import line_endpoints
from metrocoop.spatial.models import Conflict, ConflictRule, CorridorProject, Feature

KIND_STYLE = {
    "drinking_water_protection_zone": ("#2e86de", "rect"),
    "water_intake": ("#0a3d62", "triangle"),
    "outfall": ("#8e44ad", "diamond"),
    "port": ("#34495e", "pin"),
    "industrial_park": ("#95a5a6", "rect"),
    "hospital": ("#e74c3c", "circle"),
    "elderly_care_home": ("#e67e22", "circle"),
    "rail_line": ("#2c3e50", "circle"),
    "station": ("#2c3e50", "emptyCircle"),
    "ecological_corridor": ("#27ae60", "circle"),
    "monitoring_station": ("#16a085", "triangle"),
}
STATUS_COLOUR = {
    ProjectStatus.PLANNED: "#f39c12",
    ProjectStatus.UNDER_CONSTRUCTION: "#d35400",
    ProjectStatus.IN_SERVICE: "#1e8449",
}
HIGHLIGHT = "#dc3545"


def _round(coords):
    return [[round(x, 5), round(y, 5)] for x, y, *_ in coords]


def _paths(geom) -> list[list[list[float]]]:
    """Outlines to draw as polylines: a line's parts, a polygon's rings."""
    if geom.geom_type == "LineString":
        return [_round(geom.coords)]
    if geom.geom_type == "Polygon":
        return [_round(geom.exterior.coords)]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _paths(g)]
    return []


def _members() -> list[City]:
    return list(City.objects.current_members())


def _member_names(cities: list[City]) -> tuple[list[str], dict[str, str]]:
    names = load_boundaries().by_name
    on_map = [c for c in cities if c.name_zh in names]
    return [c.name_zh for c in on_map], {c.name_zh: c.name for c in on_map}


def conflict_spot(conflict: Conflict, boundaries: dict) -> dict:
    """Where to mark a conflict: the closest points of the two features, a line's end at the border, a station."""
    a = shape(json.loads(conflict.feature_a.geometry))
    if conflict.feature_b is not None:
        b = shape(json.loads(conflict.feature_b.geometry))
        pa, pb = nearest_points(a, b)
        return {"point": [round(pa.x, 5), round(pa.y, 5)], "to": [round(pb.x, 5), round(pb.y, 5)]}
    ends = line_endpoints(a)
    territory = boundaries.get(conflict.city_b.code)
    if ends and territory is not None:
        p = min(ends, key=lambda e: territory.boundary.distance(e))
    elif ends:
        p = ends[-1]
    else:
        p = a if isinstance(a, Point) else a.representative_point()
    return {"point": [round(p.x, 5), round(p.y, 5)]}


def _lines(series_id: str, name: str, data: list[dict], line_style: dict, **options) -> dict:
    """An ECharts series of polylines on the map (`data`: items with a name and coords), named `name` in the legend;
    an item's name is its tooltip."""
    return {
        "id": series_id,
        "name": name,
        "type": "lines",
        "coordinateSystem": "geo",
        "polyline": True,
        **options,
        "lineStyle": line_style,
        "tooltip": {"formatter": "{b}"},
        "data": data,
    }


def map_option(features, projects, conflicts, boundaries, members) -> dict:
    names, labels = _member_names(members)
    series: list[dict] = []
    legend = []
    by_kind: dict[str, list[Feature]] = {}
    for f in features:
        by_kind.setdefault(f.kind, []).append(f)
    kind_labels = dict(FeatureKind.choices)
    for kind in FeatureKind.values:
        rows = by_kind.get(kind, [])
        if not rows:
            continue
        colour, symbol = KIND_STYLE[kind]
        label = str(kind_labels[kind])
        legend.append(label)
        points, paths = [], []
        for f in rows:
            geom = shape(f.geojson)
            if geom.geom_type in ("Point", "MultiPoint"):
                for p in getattr(geom, "geoms", [geom]):
                    points.append({"name": f.name, "value": [round(p.x, 5), round(p.y, 5)], "featureId": f.pk})
            else:
                paths += [{"name": f.name, "coords": c, "featureId": f.pk} for c in _paths(geom)]
        if paths:
            width = 2.5 if "corridor" in kind or kind == "rail_line" else 1.5
            series.append(_lines(f"layer-{kind}-lines", label, paths, {"color": colour, "width": width}))
        if points:
            series.append(
                {
                    "id": f"layer-{kind}",
                    "name": label,
                    "type": "scatter",
                    "coordinateSystem": "geo",
                    "symbol": symbol,
                    "symbolSize": 9,
                    "itemStyle": {"color": colour},
                    "tooltip": {"formatter": "{b}"},
                    "data": points,
                }
            )
    circles = []
    for f in features:
        if f.kind in ("hospital", "elderly_care_home") and f.radius_m:
            area = reach_area(
                services.engine.SpatialFeature(f.pk, f.name, f.kind, f.city.code, shape(f.geojson), f.radius_m)
            )
            if area is not None:
                circles.append({"name": f"{f.name} · {f.radius_m / 1000:g} km", "coords": _round(area.exterior.coords)})
    if circles:
        reach_label = _("Service reach")
        legend.append(reach_label)
        style = {"color": "#e74c3c", "type": "dashed", "width": 1, "opacity": 0.6}
        series.append(_lines("reach", reach_label, circles, style, silent=False))
    project_paths = []
    for p in projects:
        if p.route:
            for c in _paths(shape(json.loads(p.route))):
                project_paths.append(
                    {
                        "name": f"{p.name} ({p.get_status_display()})",
                        "coords": c,
                        "lineStyle": {"color": STATUS_COLOUR.get(p.status, "#555")},
                    }
                )
    if project_paths:
        label = _("Corridor projects")
        legend.append(label)
        series.append(_lines("projects", label, project_paths, {"width": 3, "type": "dotted", "opacity": 0.9}))
    spots = []
    for c in conflicts:
        spot = conflict_spot(c, boundaries)
        spots.append(
            {
                "name": f"{c.rule.name} · {c.city_a.name}–{c.city_b.name}",
                "value": spot["point"],
                "conflictId": c.pk,
                "to": spot.get("to"),
            }
        )
    if spots:
        label = _("Conflicts")
        legend.append(label)
        series.append(
            {
                "id": "conflicts",
                "name": label,
                "type": "effectScatter",
                "coordinateSystem": "geo",
                "symbolSize": 12,
                "rippleEffect": {"scale": 2.5, "brushType": "stroke"},
                "itemStyle": {"color": "#c0392b"},
                "tooltip": {"formatter": "{b}"},
                "zlevel": 2,
                "data": spots,
            }
        )
    series.append(
        {
            "id": "conflict-highlight",
            "name": _("Selected conflict"),
            "type": "scatter",
            "coordinateSystem": "geo",
            "symbol": "circle",
            "symbolSize": 34,
            "itemStyle": {"color": "rgba(220,53,69,0.15)", "borderColor": HIGHLIGHT, "borderWidth": 3},
            "zlevel": 3,
            "data": [],
        }
    )
    return on_map(
        {
            "tooltip": {"trigger": "item"},
            "legend": {"type": "scroll", "bottom": 0, "data": legend, "textStyle": {"fontSize": 11}},
            "geo": geo_component(names, labels=labels),
            "series": series,
        },
        filename="member-cities-map",
    )


def coverage_rows(features=None) -> list[Coverage]:
    feats = services.engine_features(
        (features if features is not None else Feature.objects.all()).filter(kind__in=["hospital", "elderly_care_home"])
    )
    return service_coverage(feats, member_boundaries(_members()))


def _visible_conflicts(user):
    if not user.is_authenticated:
        return Conflict.objects.none()
    return restrict(Conflict.objects.all(), user).select_related(
        "rule", "city_a", "city_b", "feature_a", "feature_b", "assignee"
    )


def index(request):
    members = _members()
    features = list(restrict(Feature.objects.select_related("city"), request.user))
    projects = list(
        restrict(CorridorProject.objects.prefetch_related("cities"), request.user).select_related("lead_city")
    )
    conflicts = list(_visible_conflicts(request.user).filter(still_detected=True))
    all_conflicts = list(_visible_conflicts(request.user))
    boundaries = member_boundaries(members)
    cities = {c.code: c for c in City.objects.all()}
    kind_labels = dict(FeatureKind.choices)
    coverage = [
        (cities[r.city], kind_labels[r.kind], r)
        for r in coverage_rows(Feature.objects.filter(pk__in=[f.pk for f in features]))
    ]
    layer_counts = {}
    for f in features:
        layer_counts[f.kind] = layer_counts.get(f.kind, 0) + 1
    layers = [(k, kind_labels[k], layer_counts.get(k, 0)) for k in FeatureKind.values]
    bset = load_boundaries()
    return render(
        request,
        "spatial/index.html",
        {
            "option": map_option(features, projects, conflicts, boundaries, members),
            "map_file": BROWSER_FILE,
            "boundary_source": bset.source,
            "boundary_released": bset.released,
            "boundary_licence": bset.metadata.get("licence", ""),
            "boundary_missing": [c for c in members if c.code not in boundaries],
            "conflicts": all_conflicts,
            "projects": projects,
            "coverage": coverage,
            "layers": layers,
            "illustrative": any(f.illustrative for f in features),
            "can_detect": can_any(request.user, Action.ADD, Conflict),
            "can_edit_rules": can_any(request.user, Action.CHANGE, ConflictRule),
            "rules": ConflictRule.objects.all(),
        },
    )


@login_required
def conflict_detail(request, pk: int):
    conflict = get_object_or_404(_visible_conflicts(request.user), pk=pk)
    editable = can(request.user, Action.CHANGE, conflict)
    candidates = (
        User.objects.filter(is_active=True)
        .filter(
            Q(role_assignments__role=Role.OFFICE)
            | Q(
                role_assignments__role=Role.LIAISON, role_assignments__city__in=[conflict.city_a_id, conflict.city_b_id]
            )
        )
        .distinct()
        .order_by("username")
    )
    forms = {"assign": AssignForm(candidates, initial={"assignee": conflict.assignee_id}), "close": CloseForm()}
    # a step's form, the service it calls with the form's first field and note, and what it tells the user
    steps = {
        "assign": (partial(AssignForm, candidates), services.do_assign_conflict, "assignee", _("Conflict assigned.")),
        "close": (CloseForm, services.do_close_conflict, "status", _("Conflict closed.")),
    }
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action in steps:
                make_form, service, field, done = steps[action]
                form = forms[action] = make_form(request.POST)
                if form.is_valid():
                    data = form.cleaned_data
                    service(conflict, data[field], note=data["note"], actor=request.user)
                    messages.success(request, done)
                    return HttpResponseRedirect(request.path)
            elif action == "reopen":
                services.do_reopen_conflict(conflict, actor=request.user)
                return HttpResponseRedirect(request.path)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "spatial/conflict.html",
        {
            "conflict": conflict,
            "editable": editable,
            "closed": conflict.status in (ConflictStatus.RESOLVED, ConflictStatus.DISMISSED),
            "assign_form": forms["assign"],
            "close_form": forms["close"],
        },
    )


@require_POST
@login_required
def detect(request):
    result = services.do_detect_conflicts(actor=request.user)
    messages.success(
        request,
        _("%(found)d conflicts found: %(new)d new, %(cleared)d no longer found.")
        % {"found": result.found, "new": result.new, "cleared": result.cleared},
    )
    return HttpResponseRedirect(reverse("spatial:index") + "#conflicts")


@login_required
def rules(request):
    rows = (
        services.ensure_rules() if can_any(request.user, Action.ADD, ConflictRule) else list(ConflictRule.objects.all())
    )
    forms = []
    for rule in rows:
        form = RuleForm(instance=rule, prefix=f"rule-{rule.pk}")
        if request.method == "POST" and request.POST.get("rule") == str(rule.pk):
            if not can(request.user, Action.CHANGE, rule):
                raise PermissionDenied
            form = RuleForm(request.POST, instance=ConflictRule.objects.get(pk=rule.pk), prefix=f"rule-{rule.pk}")
            if form.is_valid():
                try:
                    services.do_update_rule(rule, form.cleaned_data, actor=request.user)
                    messages.success(request, _("Rule saved."))
                    return HttpResponseRedirect(request.path)
                except ValidationError as exc:
                    form.add_error(None, exc)
        forms.append((rule, form, can(request.user, Action.CHANGE, rule)))
    return render(request, "spatial/rules.html", {"forms": forms})


def layer_geojson(request, kind: str):
    if kind not in FeatureKind.values and kind not in ("all", "corridor_projects"):
        raise Http404
    if kind == "corridor_projects":
        data = project_collection(restrict(CorridorProject.objects.all(), request.user))
    else:
        data = layer_collection(None if kind == "all" else kind, restrict(Feature.objects.all(), request.user))
    return downloads.attachment(
        json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder), f"{kind}.geojson", downloads.GEOJSON
    )
