"""`metrocoop policies <verb>`: search, import, reindex."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from metrocoop.core.commands import add_verb
from metrocoop.core.models import User


class Command(BaseCommand):
    help = "Policy library: search, import, reindex"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        s = sub.add_parser("search", help="full-text search (Chinese segmentation, facets)")
        s.add_argument("query")
        s.add_argument("--within", action="append", default=[], help="search within the results (repeatable)")
        for name in ("city", "level", "issuer", "domain", "validity", "year"):
            s.add_argument(f"--{name}", action="append", default=[])
        s.add_argument("--sort", default="relevance", choices=["relevance", "date", "-date"])
        s.add_argument("--page", type=int, default=1)
        s.add_argument(
            "--history",
            action="store_true",
            help="rank by relevance alone (default: documents in force before repealed or expired ones)",
        )
        s.add_argument("--as", dest="username", default=None, help="search as this user (default: anonymous)")
        s.add_argument("--json", action="store_true")
        i = add_verb(sub, "import", help="import .txt/.docx/.pdf files (a file or a directory), all or nothing")
        i.add_argument("path")
        i.add_argument("--as", dest="username", default="office")
        add_verb(sub, "reindex", help="rebuild the full-text index (segmentation and database index)")

    def handle(self, *args, verb, **options):
        return getattr(self, f"do_{verb}")(**options)

    def _user(self, username):
        if username is None:
            return None
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"无此用户 / no such user: {username}") from None

    def do_search(self, query, within, sort, page, username, json: bool = False, history: bool = False, **options):
        from metrocoop.policies.search import FILTERS, search

        filters = {name: options.get(name) or [] for name in FILTERS}
        result = search(
            query, user=self._user(username), within=within, filters=filters, sort=sort, page=page, history=history
        )
        if json:
            self.stdout.write(_dumps(result.as_dict()))
            return
        plus = "" if result.total_exact else "+"
        self.stdout.write(f"{result.total}{plus} 条结果 / results · {' · '.join(result.parsed.steps)}")
        if not result.total_exact:
            n = result.window
            self.stdout.write(
                f"  超过 {n} 件：排序与分面统计只覆盖最近收录的 {n} 件，"
                "标题含全部检索词的文件（包括更早收录的）排在最前 / "
                f"more than {n} match: ranking and facet counts cover the {n} most recently added, after the documents "
                "whose title holds every term (older ones too)"
            )
        for n, hit in enumerate(result.hits, start=(result.page - 1) * result.per_page + 1):
            d = hit.document
            self.stdout.write(f"{n:>3}. [{d.key}] {d.title} {d.doc_number} · {d.issuer} · {d.issued_on or ''}")
            snippet = hit.snippet.replace("<mark>", "【").replace("</mark>", "】")
            self.stdout.write(f"     {snippet[:160]}")
        for facet, values in result.facets.items():
            self.stdout.write(f"  {facet}: " + ", ".join(f"{v['label']} ({v['count']})" for v in values[:10]))

    def do_import(self, path, username, json: bool = False, **options):
        from metrocoop.policies.importer import ImportRejected, import_documents

        try:
            report = import_documents(path, actor=self._user(username))
        except ImportRejected as exc:
            if json:
                self.stdout.write(_dumps(exc.report.as_dict()))
            for p in exc.report.problems:
                self.stderr.write(f"{p.file}: {p.reason_zh} / {p.reason_en}")
            raise CommandError("导入未执行，未写入任何数据 / nothing was imported") from None
        if json:
            self.stdout.write(_dumps(report.as_dict()))
        else:
            self.stdout.write(
                f"导入 {len(report.created)} 件，已存在 {len(report.unchanged)} 件 / "
                f"{len(report.created)} imported, {len(report.unchanged)} already present"
            )
            for key, missing in report.incomplete.items():
                self.stdout.write(f"  {key}: 待补充 / to be completed: {', '.join(missing)}")

    def do_reindex(self, json: bool = False, **options):
        from metrocoop.policies.search import rebuild_index

        count = rebuild_index(progress=lambda done, total: self.stderr.write(f"\r{done}/{total}", ending=""))
        self.stderr.write("")
        self.stdout.write(_dumps({"documents": count}) if json else f"{count} documents reindexed")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
