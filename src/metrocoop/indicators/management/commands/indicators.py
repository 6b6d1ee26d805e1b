"""`metrocoop indicators <verb>`: disparity, trend, recheck, import, demo."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from metrocoop.core.models import User
from metrocoop.indicators import selectors, services
from metrocoop.indicators.models import Indicator
from metrocoop.indicators.recheck import recheck


class Command(BaseCommand):
    help = "Regional monitoring: disparity, trend, paper re-check, import of observations"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        d = sub.add_parser("disparity", help="every disparity measure of one indicator in one year")
        d.add_argument("--indicator", required=True, help="indicator code, e.g. gdp-per-capita")
        d.add_argument("--year", type=int, help="default: the latest year with data")
        d.add_argument("--json", action="store_true", help="machine-readable output")
        t = sub.add_parser("trend", help="disparity over the years, σ- and β-convergence")
        t.add_argument("--indicator", required=True)
        t.add_argument("--json", action="store_true")
        r = sub.add_parser("recheck", help="recompute the paper's quantitative statements")
        r.add_argument("--json", action="store_true")
        i = sub.add_parser("import", help="import observations from .xlsx or .csv (all or nothing)")
        i.add_argument("file")
        i.add_argument("--layout", choices=["long", "wide"], help="default: detected from the header")
        i.add_argument("--year", type=int, help="the year of a wide (表1) table")
        i.add_argument("--replace", action="store_true", help="replace values already stored")
        i.add_argument("--user", default="office", help="the account the import is made as (default: office)")
        i.add_argument("--json", action="store_true")

    def handle(self, *args, verb, **opts):
        return getattr(self, f"_{verb}")(**opts) or None

    def _out(self, data, as_json: bool, lines) -> None:
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            for line in lines():
                self.stdout.write(line)

    def _indicator(self, code: str) -> Indicator:
        try:
            return Indicator.objects.get(code=code)
        except Indicator.DoesNotExist:
            raise CommandError(f"未知指标 Unknown indicator: {code}") from None

    def _disparity(self, indicator, year=None, json=False, **_):
        ind = self._indicator(indicator)
        a = selectors.disparity(ind, year or selectors.latest_year(ind))

        def lines():
            yield f"{ind.name_zh} {ind.name_en} ({ind.unit_zh}) · {a.year} · {len(a.values)} cities"
            for n, c, v in a.ranking():
                yield f"  {n:>2} {c.code:<4} {c.name_zh:<6} {v:>14,.4f}"
            if a.error:
                yield f"  {a.error['message_zh']} {a.error['message_en']}"
            r = a.report
            if r is None:
                return
            if r.max_min:
                mm = r.max_min
                yield f"  max/min  {mm.ratio:.4f}  ({mm.max_city} {mm.max_value:g} / {mm.min_city} {mm.min_value:g})"
            for m in (r.cv, r.gini, r.theil_t, r.theil_l, r.williamson, r.weighted_theil_t, r.weighted_theil_l):
                if m is not None:
                    yield f"  {m.code:<18} {m.value:.6f}  {m.name_zh}"
            if r.decomposition:
                dd = r.decomposition
                yield f"  theil decomposition: between {dd.between:.6f} + within {dd.within:.6f} = {dd.total:.6f}"

        self._out(a.to_dict(), json, lines)

    def _trend(self, indicator, json=False, **_):
        data = selectors.trend_json(self._indicator(indicator))

        def lines():
            for s in data["series"]:
                yield f"  {s['year']}  n={s['n']}  cv={s['cv']}  gini={s['gini']}  theil_t={s['theil_t']}"
            if data.get("sigma"):
                yield f"  σ: {data['sigma']['verdict']} {data['sigma']['verdict_zh']}"
            if data.get("beta"):
                yield f"  β: {data['beta']['verdict']} b={data['beta']['slope']:.5f} p={data['beta']['p_value']}"

        self._out(data, json, lines)

    def _recheck(self, json=False, **_):
        checks = recheck()

        def lines():
            for c in checks:
                yield f"[{c.verdict_zh} {c.verdict}] {c.section} {c.statement_zh}"
                yield f"    paper {c.paper_value} · recomputed {c.recomputed} · Δ {c.difference}"
                yield f"    {c.explanation_zh} {c.explanation_en}"

        self._out({"checks": [c.to_dict() for c in checks]}, json, lines)

    def _import(self, file, layout=None, year=None, replace=False, user="office", json=False, **_):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在 No such file: {file}")
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"未知用户 Unknown user: {user}")
        self.stderr.write(f"validating {path.name} …")

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"  {done}/{total} ({100 * done // max(total, 1)} %)")

        try:
            result = services.do_import_observations(
                path.name, path.read_bytes(), layout=layout, year=year, replace=replace, actor=actor, progress=progress
            )
        except services.ImportRejected as exc:
            summary = exc.report.summary()
            self._out(
                summary,
                json,
                lambda: (
                    [f"rejected 已拒绝: {summary['error_count']} bad cells, nothing imported"]
                    + [
                        f"  row {e['row']} col {e['column']}: {e['message_zh']} {e['message_en']}"
                        for e in summary["errors"]
                    ]
                ),
            )
            raise CommandError("import rejected") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        summary = result.summary()
        self._out(summary, json, lambda: [f"imported 已导入: {summary['created']} new, {summary['replaced']} replaced"])
