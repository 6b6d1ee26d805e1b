"""`metrocoop spatial …`: import features, list conflicts, keep them, export layers.

metrocoop spatial import FILE.geojson|FILE.shp|FILE.zip [--user NAME] [--json]
metrocoop spatial conflicts [--json]          what the rules find now (nothing written)
metrocoop spatial detect [--user NAME] [--json]   keep the findings as conflicts to assign and follow
metrocoop spatial export [--kind KIND] [FILE]  GeoJSON of one layer or of every layer (stdout without FILE)
metrocoop spatial coverage [--json]           service reach of hospitals and care homes per city
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from metrocoop.core.commands import VerbCommand, acting_user, add_verb
from metrocoop.core.models import City
from metrocoop.spatial.choices import FeatureKind


class Command(VerbCommand):
    help = "Spatial coordination: import, conflicts, detect, export, coverage"
    refused = (PermissionDenied,)

    def add_verbs(self, sub):
        p = add_verb(sub, "import", help="import a GeoJSON FeatureCollection or a Shapefile (.shp or .zip)")
        p.add_argument("file")
        p.add_argument("--user", help="act as this user (default: the first office account)")
        add_verb(sub, "conflicts", help="list the cross-border conflicts the rules find now")
        p = add_verb(sub, "detect", help="keep the findings as conflicts to assign and follow")
        p.add_argument("--user")
        p = sub.add_parser("export", help="GeoJSON export of a layer (a feature kind) or of every layer")
        p.add_argument("file", nargs="?")
        p.add_argument("--kind", choices=[*FeatureKind.values, "corridor_projects"])
        add_verb(sub, "coverage", help="service reach of hospitals and care homes, per city")

    def _json(self, data) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    def do_import(self, file, user=None, json=False, **_):
        from metrocoop.spatial.importer import FileRefused, check_features, read_features_file
        from metrocoop.spatial.services import ImportRefused, do_import_features

        actor = acting_user(user)
        try:
            raw = read_features_file(file)
        except FileRefused as exc:
            raise CommandError(f"文件被拒绝，未做任何修改：{exc.zh}\nFile refused, nothing changed: {exc.en}") from None
        codes = set(City.objects.values_list("code", flat=True))
        rows, problems = check_features(raw, set(FeatureKind.values), codes)
        if not problems:
            try:
                result = do_import_features(rows, actor=actor, source=Path(file).name)
            except ImportRefused as exc:
                problems = exc.problems
            except ValidationError as exc:
                raise CommandError(f"导入被拒绝，未做任何修改 Import refused, nothing changed: {exc}") from None
        if problems:
            lines = [f"  {p}" for p in problems]
            if json:
                self._json(
                    {
                        "imported": 0,
                        "problems": [
                            {"index": p.index, "name": p.name, "field": p.field, "zh": p.zh, "en": p.en}
                            for p in problems
                        ],
                    }
                )
            raise CommandError(
                f"导入被拒绝，未做任何修改（{len(problems)} 个问题）\n"
                f"Import refused, nothing changed ({len(problems)} problem(s)):\n" + "\n".join(lines)
            )
        if json:
            self._json(
                {
                    "imported": result.total,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "problems": [],
                }
            )
        else:
            self.stdout.write(
                f"已导入 {result.total} 个要素 Imported {result.total} feature(s): {result.created} new, "
                f"{result.updated} updated, {result.unchanged} unchanged"
            )

    def do_conflicts(self, json=False, **_):
        from metrocoop.spatial.services import current_findings

        findings = current_findings()
        if json:
            self._json([f.as_dict() for f in findings])
            return
        if not findings:
            self.stdout.write("没有发现跨界冲突 No cross-border conflicts found")
        for f in findings:
            distance = "—" if f.distance_m is None else f"{f.distance_m:,.0f} m"
            names = ", ".join(f"{x.name} ({x.kind}, {x.city})" for x in f.features)
            self.stdout.write(f"{f.rule}  {f.cities[0]}–{f.cities[1]}  {distance}  {names}")

    def do_detect(self, user=None, json=False, **_):
        from metrocoop.spatial.services import do_detect_conflicts

        result = do_detect_conflicts(actor=acting_user(user))
        data = {"found": result.found, "new": result.new, "no_longer_found": result.cleared}
        if json:
            self._json(data)
        else:
            self.stdout.write(
                f"发现 {result.found} 个冲突，新增 {result.new}，不再出现 {result.cleared}  "
                f"Found {result.found} conflict(s): {result.new} new, {result.cleared} no longer found"
            )

    def do_export(self, file=None, kind=None, **_):
        from metrocoop.spatial.exports import layer_collection, project_collection

        data = project_collection() if kind == "corridor_projects" else layer_collection(kind)
        text = json.dumps(data, ensure_ascii=False)
        if file:
            Path(file).write_text(text, encoding="utf-8")
            self.stdout.write(f"{len(data['features'])} features → {file}")
        else:
            self.stdout.write(text)

    def do_coverage(self, json=False, **_):
        from metrocoop.spatial.views import coverage_rows

        data = [r.as_dict() for r in coverage_rows()]
        if json:
            self._json(data)
            return
        for r in data:
            self.stdout.write(
                f"{r['city']} {r['kind']}: own {r['own_share']:.0%}, other cities {r['others_share']:.0%}, "
                f"any {r['any_share']:.0%}; from others: {', '.join(r['facilities_from_others']) or '—'}"
            )
