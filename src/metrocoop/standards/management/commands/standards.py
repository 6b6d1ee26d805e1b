"""`metrocoop standards …`: limit values, harmonisation and mutual recognition from the command line.

metrocoop standards import-limits FILE.csv|FILE.xlsx [--as USER] [--json]   all or nothing; exit 1 on any bad row
metrocoop standards import-catalogue FILE | import-recognitions FILE      the same, in the export's columns
metrocoop standards harmonise --parameter CODE [--category CAT] [--json]    every city's value in one unit
metrocoop standards recognised --type CODE --issued-in CITY --in CITY [--on DATE] [--json]
metrocoop standards export KIND FILE.xlsx     KIND: catalogue | limits | recognitions
metrocoop standards report FILE.docx          Word report of harmonisation status by domain
"""

import json
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from metrocoop.core.choices import Role
from metrocoop.core.commands import VerbCommand, add_verb
from metrocoop.core.models import User
from metrocoop.standards import documents, importer, services
from metrocoop.standards.models import Parameter


class Command(VerbCommand):
    help = "Standards: import limit values, harmonise a parameter, ask whether a result is recognised"
    refused = (ValidationError,)

    def add_verbs(self, sub):
        i = add_verb(sub, "import-limits", help="import limit values (all or nothing)")
        i.add_argument("file")
        i.add_argument("--as", dest="username", default="office", help="the acting user (default: office)")
        for kind in ("catalogue", "recognitions"):
            k = add_verb(sub, f"import-{kind}", help=f"import the {kind} (all or nothing), as the export writes it")
            k.add_argument("file")
            k.add_argument("--as", dest="username", default="office", help="the acting user (default: office)")
        h = add_verb(sub, "harmonise", help="one parameter's limit in every city, in one unit")
        h.add_argument("--parameter", required=True)
        h.add_argument("--category", default=None, help="one category only (default: every category together)")
        r = add_verb(sub, "recognised", help="is a result issued in one city recognised in another")
        r.add_argument("--type", dest="type_code", required=True)
        r.add_argument("--issued-in", dest="issued_in", required=True)
        r.add_argument("--in", dest="recognised_in", required=True)
        r.add_argument("--on", dest="on", default=None, help="YYYY-MM-DD (default: today)")
        e = sub.add_parser("export", help="write the catalogue, limits or recognitions to Excel")
        e.add_argument("kind", choices=list(documents.EXPORTS))
        e.add_argument("file")
        w = sub.add_parser("report", help="Word report of harmonisation status by domain")
        w.add_argument("file")

    def do_import_limits(self, file, username="office", json=False, **_):
        self._import("limits", file, username, json)

    def do_import_catalogue(self, file, username="office", json=False, **_):
        self._import("catalogue", file, username, json)

    def do_import_recognitions(self, file, username="office", json=False, **_):
        self._import("recognitions", file, username, json)

    def _import(self, kind, file, username, json):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在 / no such file: {file}")
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None and username == "office":
            # no account named "office": the first active holder of the office role acts
            actor = User.objects.filter(is_active=True, role_assignments__role=Role.OFFICE).order_by("pk").first()
        if actor is None:
            raise CommandError(f"未知用户 / unknown user: {username} (--as USER)")
        try:
            report = importer.IMPORTS[kind](path, actor=actor)
        except importer.ImportRejected as exc:
            if json:
                self.stdout.write(_json(exc.report.as_dict()))
            else:
                for p in exc.report.problems:
                    self.stdout.write(str(p))
            n = len(exc.report.problems)
            lines = "\n".join(str(p) for p in exc.report.problems)
            raise CommandError(f"{n} 处错误，未导入任何数据 / {n} problem(s), nothing imported:\n{lines}") from exc
        if json:
            self.stdout.write(_json(report.as_dict()))
            return
        self.stdout.write(
            f"{report.rows} rows: {report.created} created, {report.updated} updated (old value kept), "
            f"{report.unchanged} unchanged"
        )
        if report.parameters_created:
            self.stdout.write("new parameters: " + ", ".join(report.parameters_created))
        if report.standards_created:
            self.stdout.write("new catalogue entries (to be completed): " + ", ".join(report.standards_created))

    def do_harmonise(self, parameter, category=None, json=False, **_):
        p = Parameter.objects.filter(code=parameter).first()
        if p is None:
            raise CommandError(f"未知参数 / unknown parameter: {parameter}")
        result = services.harmonisation_dict(p, category)
        if json:
            self.stdout.write(_json(result))
            return
        self.stdout.write(f"{p.code} {p.name_zh} ({result['limit_type']}, {result['unit'] or 'dimensionless'})")
        for c in result["cities"]:
            self.stdout.write(
                f"  {c['city']:<4} {c['category']:<20} {c['value']:>12g} {c['unit']:<8}"
                f" (written {c['original_value']:g} {c['original_unit']}) {c['standard']}"
            )
        for step in result["steps"]:
            self.stdout.write(f"  · {step}")

    def do_recognised(self, type_code, issued_in, recognised_in, on=None, json=False, **_):
        day = None
        if on:
            try:
                day = date.fromisoformat(on)
            except ValueError as exc:
                raise CommandError(f"日期无效 / invalid date: {on} (YYYY-MM-DD)") from exc
        answer = services.recognised(type_code, issued_in, recognised_in, day)
        if json:
            self.stdout.write(_json(answer.to_dict()))
            return
        d = answer.to_dict()
        verdict = "承认 recognised" if d["recognised"] else "不承认 not recognised"
        self.stdout.write(f"{d['type']}: {d['issued_in']} → {d['recognised_in']} on {d['on']}: {verdict}")
        if d["recognised"] and not d["implicit"]:
            doc = d["basis_document"] or {}
            self.stdout.write(
                f"  recognition #{d['recognition_id']} basis: {doc.get('title') or d['basis_note']}"
                f" scope: {d['scope']} conditions: {d['conditions']} valid {d['valid_from']} – {d['valid_to'] or '…'}"
            )
        for step in d["steps"]:
            self.stdout.write(f"  · {step}")

    def do_export(self, kind, file, **_):
        count = documents.EXPORTS[kind](Path(file))
        self.stdout.write(f"{count} rows → {file}")

    def do_report(self, file, **_):
        self.stdout.write(str(documents.harmonisation_docx(Path(file))))


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, default=str)
