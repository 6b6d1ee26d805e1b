"""GeoJSON export of the layers (one layer per feature kind) and of corridor projects."""

from __future__ import annotations

import json

from metrocoop.spatial.models import CorridorProject, Feature


def feature_collection(features, *, layer: str | None = None) -> dict:
    """A GeoJSON FeatureCollection (RFC 7946, WGS84) of the given features with their properties."""
    out = []
    for f in features:
        props = {
            "id": f.pk,
            "kind": f.kind,
            "city": f.city.code,
            "name": f.name_zh,
            "name_en": f.name_en,
            "illustrative": f.illustrative,
        }
        if f.radius_m is not None:
            props["radius_m"] = f.radius_m
        if f.data_shared is not None:
            props["data_shared"] = f.data_shared
        if f.river:
            props["river"] = f.river
        props.update({k: v for k, v in (f.properties or {}).items() if k not in props})
        out.append({"type": "Feature", "id": f.pk, "properties": props, "geometry": json.loads(f.geometry)})
    collection = {"type": "FeatureCollection", "features": out}
    if layer:
        collection["name"] = layer
    return collection


def layer_collection(kind: str | None = None, queryset=None) -> dict:
    qs = queryset if queryset is not None else Feature.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    return feature_collection(qs.select_related("city").order_by("kind", "city__sort_order", "name_zh"), layer=kind)


def project_collection(queryset=None) -> dict:
    qs = (queryset if queryset is not None else CorridorProject.objects.all()).prefetch_related("cities")
    out = []
    for p in qs:
        if not p.route:
            continue
        out.append(
            {
                "type": "Feature",
                "id": p.code,
                "properties": {
                    "code": p.code,
                    "name": p.name_zh,
                    "name_en": p.name_en,
                    "kind": p.kind,
                    "status": p.status,
                    "cities": [c.code for c in p.cities.all()],
                    "illustrative": p.illustrative,
                },
                "geometry": json.loads(p.route),
            }
        )
    return {"type": "FeatureCollection", "name": "corridor_projects", "features": out}
