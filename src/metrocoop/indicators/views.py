"""Pages of regional monitoring (Chinese first): explorer, trend, structure, commuting, positioning, re-check,
import, exports and the city fragment. Thin: they parse, ask core.permissions, call selectors/services, render."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from metrocoop.core import downloads
from metrocoop.core.api.caching import cached_view_data
from metrocoop.core.exports import write_xlsx
from metrocoop.core.jobs import start_job
from metrocoop.core.models import City, Job
from metrocoop.core.permissions import Action, can, can_any, restrict
from metrocoop.core.spreadsheets import cap_error_report, unpacked_size
from metrocoop.indicators import charts, selectors, services
from metrocoop.indicators.choices import FlowZone, Sector, ShareBasis
from metrocoop.indicators.filtersets import ObservationFilter
from metrocoop.indicators.models import Indicator, Observation
from metrocoop.indicators.recheck import recheck

MEASURES = ("cv", "gini", "theil_t", "theil_l", "williamson", "weighted_theil_t", "weighted_theil_l")
TREND_MEASURES = (
    ("cv", "CV 变异系数"),
    ("gini", "Gini 基尼系数"),
    ("theil_t", "Theil T"),
    ("williamson", "Williamson"),
)
SYNC_IMPORT_LIMIT = 256 * 1024  # larger files import as a background job with progress


def _fmt(value) -> str:
    """A number for an explanation: six significant digits; other values as they are."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list):
        return ", ".join(_fmt(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def _steps(steps: list[dict]) -> list[dict]:
    return [
        {**s, "result_text": _fmt(s.get("result")), "values_text": _fmt(s.get("values") or {})} for s in steps or []
    ]


def _explained(measure: dict) -> dict:
    """A measure of the report, with its inputs and weights as rows and its steps as text, ready to show."""
    values = {i["city_code"]: i["value"] for i in measure.get("inputs", [])}
    rows = [
        (w["city_code"], _fmt(values.get(w["city_code"])), _fmt(w.get("population")), f"{w['weight']:.4f}")
        for w in measure.get("weights", [])
    ]
    return {**measure, "value_text": f"{measure['value']:.4f}", "rows": rows, "steps": _steps(measure.get("steps"))}


def _indicators(request):
    return list(restrict(Indicator.objects.all(), request.user))


def _pick_indicator(request, indicators):
    code = request.GET.get("indicator") or "gdp-per-capita"
    found = next((i for i in indicators if i.code == code), None)
    if found is None and indicators:
        found = indicators[0]
    if found is None:
        raise Http404
    return found


def _year(request, default: int) -> int:
    try:
        return int(request.GET.get("year") or default)
    except ValueError:
        return default


def index(request):
    """Indicator explorer: indicator + year → bar chart by city, ranking and the disparity panel."""
    indicators = _indicators(request)
    if not indicators:
        return render(request, "indicators/explorer.html", {"indicators": []})
    indicator = _pick_indicator(request, indicators)
    years = selectors.indicator_years(indicator)
    year = _year(request, years[-1] if years else 2019)
    # The figures (ranking, chart, every measure with its explained steps) are the same for every reader: rendered
    # once per indicator, year and language, and kept until an indicator row or a city changes.
    body = cached_view_data(
        "indicators",
        f"explorer:{indicator.pk}:{year}:{get_language()}",
        lambda: render_to_string("indicators/_explorer_body.html", _explorer_figures(indicator, year)),
    )
    return render(
        request,
        "indicators/explorer.html",
        {"indicators": indicators, "indicator": indicator, "years": years, "year": year, "body": mark_safe(body)},
    )


def _explorer_figures(indicator: Indicator, year: int) -> dict:
    """The explorer's figures for one indicator and year: the ranking, its chart and the disparity report."""
    a = selectors.disparity(indicator, year)
    ranking = a.ranking()
    report = a.report.to_dict() if a.report else None
    mean = report["stats"]["mean"] if report else None
    option = charts.bar_option(f"{indicator.name}（{indicator.unit}）· {year}", indicator.unit, ranking, mean)
    measures = [_explained(report[m]) for m in MEASURES if report.get(m)] if report else []
    if report:
        for key in ("max_min", "stats", "decomposition"):
            if report.get(key):
                report[key] = {**report[key], "steps": _steps(report[key]["steps"])}
    return {
        "indicator": indicator,
        "analysis": a,
        "ranking": ranking,
        "report": report,
        "measures": measures,
        "option": option,
    }


def trend(request):
    indicators = _indicators(request)
    indicator = _pick_indicator(request, indicators)
    data = selectors.trend(indicator)
    table = [
        [
            s["year"],
            s["n"],
            *("" if s[k] is None else f"{s[k]:.4f}" for k in ("max_min", "cv", "gini", "theil_t", "williamson")),
        ]
        for s in data["series"]
    ]
    title = _("Disparity over the years")
    option = charts.trend_option(f"{indicator.name} · {title}", data["series"], list(TREND_MEASURES))
    return render(
        request,
        "indicators/trend.html",
        {"indicators": indicators, "indicator": indicator, "data": data, "option": option, "table": table},
    )


def structure(request):
    years = selectors.structure_years()
    year = _year(request, years[-1] if years else 2019)
    data = selectors.structure(year)
    names = {c.code: c.name for c in City.objects.all()}
    option = None
    lq_rows = []
    if data.get("report"):
        lq = data["report"]["location_quotients"]
        lq_rows = list(zip(lq["rows"], lq["values"], strict=True))
        option = charts.heatmap_option(
            _("Structure similarity (cosine of sector shares)"),
            data["report"]["similarity"],
            names,
            vmin=0.8,
            vmax=1.0,
        )
    return render(
        request,
        "indicators/structure.html",
        {
            "years": years,
            "year": year,
            "data": data,
            "option": option,
            "names": names,
            "lq_rows": lq_rows,
            "sector_labels": dict(Sector.choices),
            "illustrative": any("Illustrative" in s for s in data.get("sources", [])),
        },
    )


def commuting(request):
    zone = request.GET.get("zone") or FlowZone.MUNICIPALITY
    data = selectors.commuting(_year(request, 0) or None)
    flows = []
    for group in data["shares"]:
        if group["zone"] != zone:
            continue
        for f in group["table"]["flows"]:
            flows.append({**f, "outbound": group["basis"] == "origin", "basis": group["basis"]})
    cities = selectors.member_cities(data["year"] or 2019)
    option = charts.flow_map_option(_("Commuting shares between member cities"), cities, flows)
    names = {c.code: c.name for c in cities}
    return render(
        request,
        "indicators/commuting.html",
        {
            "data": data,
            "option": option,
            "zone": zone,
            "zones": FlowZone.choices,
            "flows": flows,
            "names": names,
            "sums": [
                (dict(FlowZone.choices).get(g["zone"]), dict(ShareBasis.choices).get(g["basis"]), g["totals"])
                for g in data["shares"]
            ],
        },
    )


def positioning(request):
    data = selectors.positioning()
    report = data["report"]
    rows = []
    if report:
        names = {c.code: c.name for c in City.objects.filter(code__in=report["cities"])}
        matrix = report["matrix"]
        several = {f["code"] for f in report["claimed_by_several"]}
        unserved = {f["code"] for f in report["unserved"]}
        for code, values in zip(matrix["rows"], matrix["values"], strict=True):
            rows.append(
                {
                    "city": code,
                    "name": names.get(code, code),
                    "cells": list(zip(matrix["columns"], values, strict=True)),
                }
            )
        functions = [
            {**f, "several": f["code"] in several, "unserved": f["code"] in unserved} for f in report["framework"]
        ]
    else:
        functions = []
    return render(request, "indicators/positioning.html", {"report": report, "rows": rows, "functions": functions})


def recheck_page(request):
    return render(request, "indicators/recheck.html", {"checks": recheck()})


def city_fragment(request, code):
    """The city's latest value of every indicator, for the city page (htmx fragment)."""
    city = get_object_or_404(restrict(City.objects.all(), request.user), code=code.upper())
    newest = Observation.objects.filter(city=city, indicator=OuterRef("indicator")).order_by("-year").values("year")
    latest = list(
        restrict(Observation.objects.filter(city=city, year=Subquery(newest[:1])), request.user)
        .select_related("indicator")
        .order_by("indicator__sort_order", "indicator__code")
    )
    editable = set(
        restrict(Observation.objects.filter(pk__in=[o.pk for o in latest]), request.user, Action.CHANGE).values_list(
            "pk", flat=True
        )
    )
    return render(request, "indicators/_city_indicators.html", {"city": city, "latest": latest, "editable": editable})


# --------------------------------------------------------------------------- import


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request):
    if not can_any(request.user, Action.ADD, Observation):
        raise PermissionDenied
    context: dict = {"layouts": (("", _("detect")), ("long", _("long")), ("wide", _("wide (表1)")))}
    if request.method == "POST":
        upload = request.FILES.get("file")
        layout = request.POST.get("layout") or None
        replace = bool(request.POST.get("replace"))
        try:
            year = int(request.POST["year"]) if request.POST.get("year") else None
        except ValueError:
            year = None
        weight = 0
        if upload is not None:
            try:  # what reading will really handle: an .xlsx's unpacked size, not the upload's
                weight = unpacked_size(upload.name, upload.read())
            except ValidationError as exc:
                context["error"] = " ".join(exc.messages)
            upload.seek(0)
        if upload is None:
            context["error"] = _("Choose a file.")
        elif context.get("error"):
            pass
        elif weight > SYNC_IMPORT_LIMIT:
            folder = Path(settings.MEDIA_ROOT) / "indicators" / "imports" / uuid.uuid4().hex
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / Path(upload.name).name
            with path.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
            context["job"] = start_job(
                "indicators.import",
                _("Import of %(name)s") % {"name": upload.name},
                {"path": str(path), "name": upload.name, "layout": layout, "year": year, "replace": replace},
                actor=request.user,
            )
        else:
            try:
                result = services.do_import_observations(
                    upload.name, upload.read(), layout=layout, year=year, replace=replace, actor=request.user
                )
                context["result"] = result.summary()
            except services.ImportRejected as exc:
                context["report"] = cap_error_report(exc.report.summary())
            except ValidationError as exc:
                context["error"] = " ".join(exc.messages)
    return render(request, "indicators/import.html", context)


@login_required
def import_job_report(request, pk):
    job = get_object_or_404(restrict(Job.objects.filter(kind="indicators.import"), request.user), pk=pk)
    return render(request, "indicators/import.html", {"job": job, "report": job.result or None, "from_job": True})


# --------------------------------------------------------------------------- exports


def _export_rows(request, what: str) -> tuple[str, list[str], list[list]]:
    indicators = _indicators(request)
    names = dict(City.objects.values_list("code", "name_zh"))
    if what == "explorer":
        indicator = _pick_indicator(request, indicators)
        year = _year(request, selectors.latest_year(indicator))
        a = selectors.disparity(indicator, year)
        rows = [[n, c.name_zh, c.name_en, v, indicator.unit_zh] for n, c, v in a.ranking()]
        if a.report:
            rep = a.report.to_dict()
            rows.append([])
            for m in ("cv", "gini", "theil_t", "theil_l", "williamson", "weighted_theil_t", "weighted_theil_l"):
                if rep.get(m):
                    rows.append(["", m, rep[m]["name_zh"], rep[m]["value"], rep[m]["name_en"]])
            if rep.get("decomposition"):
                d = rep["decomposition"]
                rows.append(["", "theil_between", "泰尔指数组间", d["between"], "Theil T between groups"])
                rows.append(["", "theil_within", "泰尔指数组内", d["within"], "Theil T within groups"])
                for g in d["groups"]:
                    rows.append(
                        ["", f"group {g['group_code']}", ", ".join(g["cities"]), g["within_contribution"], "within"]
                    )
            if rep.get("max_min"):
                mm = rep["max_min"]
                rows.append(["", "max_min", "最高值/最低值", mm["ratio"], f"{mm['max_city']}/{mm['min_city']}"])
        return f"{indicator.code}-{year}", ["排名 Rank", "城市 City", "City (English)", "数值 Value", "单位 Unit"], rows
    if what == "observations":
        found = ObservationFilter(
            request.GET, queryset=restrict(Observation.objects.select_related("city", "indicator"), request.user)
        )
        if not found.is_valid():
            raise BadRequest(found.errors.as_text())
        qs = found.qs
        # the import's own columns first (the file imports back), then the names a reader looks for
        rows = [
            [
                o.city.code,
                o.year,
                o.indicator.code,
                o.value,
                o.unit or o.indicator.unit_zh,
                o.source,
                o.note,
                o.formula,
                o.city.name_zh,
                o.indicator.name_zh,
            ]
            for o in qs
        ]
        headers = ["city", "year", "indicator", "value", "unit", "source", "note", "formula"]
        headers += ["城市 City", "指标 Indicator"]
        return "observations", headers, rows
    if what == "trend":
        indicator = _pick_indicator(request, indicators)
        data = selectors.trend(indicator)
        rows = [
            [s["year"], s["n"], s["max_min"], s["cv"], s["gini"], s["theil_t"], s["williamson"]] for s in data["series"]
        ]
        return (
            f"trend-{indicator.code}",
            ["年份 Year", "城市数 n", "max/min", "CV", "Gini", "Theil T", "Williamson"],
            rows,
        )
    if what == "structure":
        years = selectors.structure_years()
        data = selectors.structure(_year(request, years[-1] if years else 2019))
        rows = []
        if data.get("report"):
            for p in data["report"]["pairs"]:
                rows.append(
                    [
                        names.get(p["city_a"], p["city_a"]),
                        names.get(p["city_b"], p["city_b"]),
                        p["similarity"],
                        p["krugman"],
                    ]
                )
        return "structure", ["城市A City A", "城市B City B", "相似系数 S", "Krugman K"], rows
    if what == "recheck":
        rows = [
            [
                c.section,
                c.statement_zh,
                c.paper_value,
                c.recomputed,
                c.verdict_zh,
                c.difference,
                c.explanation_zh,
                c.explanation_en,
            ]
            for c in recheck()
        ]
        return (
            "recheck",
            [
                "章节 Section",
                "论述 Statement",
                "论文 Paper",
                "复算 Recomputed",
                "结论 Verdict",
                "差异 Difference",
                "说明",
                "Explanation",
            ],
            rows,
        )
    if what == "commuting":
        data = selectors.commuting()
        rows = [
            [g["zone"], g["basis"], f["origin"], f["destination"], f["percent"], g["table"]["source"]]
            for g in data["shares"]
            for f in g["table"]["flows"]
        ]
        if data.get("counts"):
            rows += [["", "count", f["origin"], f["destination"], f["count"], ""] for f in data["counts"]["flows"]]
        headers = [
            "范围 Zone",
            "口径 Basis",
            "出发地 Origin",
            "目的地 Destination",
            "数值 Value (% or count)",
            "来源 Source",
        ]
        return "commuting", headers, rows
    if what == "positioning":
        report = selectors.positioning()["report"]
        rows = []
        if report:
            m = report["matrix"]
            for code, values in zip(m["rows"], m["values"], strict=True):
                rows.append([names.get(code, code), *values])
            return "positioning", ["城市 City", *m["columns"]], rows
        return "positioning", ["城市 City"], rows
    raise Http404


def export(request, what):
    name, headers, rows = _export_rows(request, what)
    return downloads.built(f"{name}.xlsx", lambda out: write_xlsx(out, name[:31], headers, rows))


# --------------------------------------------------------------------------- one observation


@login_required
@require_http_methods(["GET", "POST"])
def observation_edit(request, pk):
    """Change one observation's value, unit, source or note (a liaison its own city's, the office any)."""
    obs = get_object_or_404(restrict(Observation.objects.select_related("city", "indicator"), request.user), pk=pk)
    if not can(request.user, Action.CHANGE, obs):
        raise PermissionDenied
    error = ""
    values = {f: getattr(obs, f) for f in services.OBSERVATION_FIELDS}
    if request.method == "POST":
        values = {f: request.POST.get(f, "").strip() for f in services.OBSERVATION_FIELDS}
        try:
            services.do_update_observation(obs, values, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect(obs.city.get_absolute_url())
    return render(request, "indicators/observation_edit.html", {"obs": obs, "values": values, "error": error})
