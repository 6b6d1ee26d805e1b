"""Pages of the clearing house: dashboard, periods (instructions, statements), claims of the own city, catalogue
comparison. Access through core.permissions; writes through services."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metrocoop.clearing import services, statements
from metrocoop.clearing.charts import bar_option, city_bar_option, flow_map_option
from metrocoop.clearing.choices import PeriodStatus, PostingKind, RejectCode
from metrocoop.clearing.engine.catalogue import CatalogueRow, compare_catalogues
from metrocoop.clearing.filtersets import ClaimListFilterSet
from metrocoop.clearing.models import CatalogueEntry, Claim, ClaimPosting, Period, PeriodPosition, Scheme
from metrocoop.clearing.policies import CLOSE, CONFIRM
from metrocoop.core.choices import Domain
from metrocoop.core.models import City
from metrocoop.core.money import yuan
from metrocoop.core.permissions import can, department_scopes_of, restrict, rows_q


def _city_points():
    return [(c.code, c.name, float(c.latitude), float(c.longitude)) for c in City.objects.all()]


@login_required
def index(request):
    periods = list(restrict(Period.objects.all(), request.user).order_by("-year", "-month")[:12])
    code = request.GET.get("period")
    period = next((p for p in periods if p.code == code), None) or next(
        (p for p in periods if p.postings.exists()), periods[0] if periods else None
    )
    postings = restrict(ClaimPosting.objects.all(), request.user)
    flows: dict[tuple[str, str], int] = defaultdict(int)
    if period is not None:
        for insured, service, kind, amount in (
            postings.filter(period=period)
            .values_list("insured_city__code", "service_city__code", "kind")
            .annotate(s=Sum("amount_fen"))
            .order_by()
        ):
            flows[insured, service] += int(amount) * (1 if kind == PostingKind.CLAIMS else -1)
    title = _("Flows insured city → service city, %(period)s (yuan)") % {"period": period.code if period else "—"}
    flow_option = flow_map_option(_city_points(), flows, title)
    positions = restrict(PeriodPosition.objects.all(), request.user).select_related("period", "city")
    if period is not None:  # the net-position chart follows the period chosen above it
        positions = positions.filter(period=period)
    by_period: dict[str, dict[str, float]] = defaultdict(dict)
    cities = [c.code for c in City.objects.all()]
    for p in positions.order_by("period__year", "period__month"):
        by_period[p.period.code][p.city.code] = p.net_fen
    net_option = city_bar_option(
        cities, {k: [v.get(c, 0) for c in cities] for k, v in by_period.items()}, _("Net positions"), money=True
    )
    reasons = (
        restrict(Claim.objects.all(), request.user)
        .filter(status="rejected")
        .values_list("reject_code")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    labels = dict(RejectCode.choices)
    reason_rows = [(labels.get(code, code), n) for code, n in reasons]
    reason_option = bar_option(
        [str(r) for r, _ in reason_rows], {_("Rejected claims"): [n for _, n in reason_rows]}, ""
    )
    gaps = {}
    rows = list(CatalogueEntry.objects.values_list("city__code", "scheme__code", "item_code", "unit_price_fen"))
    for scheme in Scheme.objects.all():
        comparison = compare_catalogues(
            [CatalogueRow(c, i, i, p, 0) for c, s, i, p in rows if s == scheme.code], cities
        )
        gaps[scheme.name] = [comparison.gaps.get(c, 0) for c in cities]
    gap_option = city_bar_option(cities, gaps, _("Catalogue gaps: items another city covers"))
    return render(
        request,
        "clearing/index.html",
        {
            "periods": periods,
            "period": period,
            "flow_option": flow_option,
            "net_option": net_option,
            "reason_option": reason_option,
            "gap_option": gap_option,
            "reason_rows": reason_rows,
            "can_add_period": can(request.user, "add", Period(year=2000, month=1)),
        },
    )


@login_required
def period_detail(request, code):
    try:
        year, month = (int(x) for x in code.split("-"))
    except ValueError:
        year = month = 0
    period = get_object_or_404(restrict(Period.objects.all(), request.user), year=year, month=month)
    positions = restrict(period.positions.select_related("city"), request.user)
    instructions = restrict(period.instructions.select_related("payer", "payee"), request.user)
    preview = None if period.status == PeriodStatus.CLOSED else services.preview_period(period)
    cities = period.result.get("cities", [])
    matrix = period.result.get("matrix", {})
    return render(
        request,
        "clearing/period.html",
        {
            "period": period,
            "positions": positions,
            "instructions": instructions,
            "preview": preview,
            "matrix_rows": [(d, [matrix.get(d, {}).get(c, 0) for c in cities]) for d in cities],
            "matrix_cities": cities,
            "can_close": can(request.user, CLOSE, period) and period.status == PeriodStatus.OPEN,
            "can_confirm": can(request.user, CONFIRM, instructions.first()) if instructions.exists() else False,
        },
    )


@login_required
@require_POST
def period_close(request, code):
    year, month = (int(x) for x in code.split("-"))
    period = get_object_or_404(restrict(Period.objects.all(), request.user), year=year, month=month)
    try:
        services.do_close_period(period, actor=request.user)
        messages.success(request, _("The period is closed."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    return HttpResponseRedirect(reverse("clearing:period", args=[code]))


@login_required
@require_POST
def instruction_confirm(request, pk):
    from metrocoop.clearing.models import SettlementInstruction

    instruction = get_object_or_404(restrict(SettlementInstruction.objects.all(), request.user), pk=pk)
    try:
        services.do_confirm_payment(instruction, request.POST.get("reference", "")[:100], actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Payment confirmed: %(payer)s paid %(payee)s %(amount)s yuan; posted to the ledger.")
            % {
                "payer": instruction.payer.name,
                "payee": instruction.payee.name,
                "amount": yuan(instruction.amount_fen),
            },
        )
    return HttpResponseRedirect(reverse("clearing:period", args=[instruction.period.code]))


@login_required
def statement(request, code, city, fmt):
    year, month = (int(x) for x in code.split("-"))
    period = get_object_or_404(restrict(Period.objects.all(), request.user), year=year, month=month)
    return statements.statement_download(period, city.upper(), fmt, user=request.user)


@login_required
def claim_list(request):
    """Claims the user may see, filtered by city, scheme, period, reject reason and status, 50 to a page; when the
    list is empty the page says why (the role sees no claims, or the filters match none)."""
    visible = rows_q(request.user, Claim) is not None
    claims = restrict(Claim.objects.select_related("period"), request.user)
    filtered = ClaimListFilterSet(request.GET, queryset=claims)
    page = Paginator(filtered.qs.order_by("-id"), 50).get_page(request.GET.get("page"))
    rows = [(c, c.person_ref if services.can_see_person(request.user, c.insured_city) else None) for c in page]
    query = request.GET.copy()
    query.pop("page", None)
    own = [
        (City.objects.filter(pk=city_id).first(), Domain(domain).label)
        for city_id, domain in sorted(department_scopes_of(request.user))
    ]
    return render(
        request,
        "clearing/claims.html",
        {
            "page": page,
            "rows": rows,
            "filter": filtered,
            "query": query.urlencode(),
            "visible": visible,
            "own_scope": [(city.name, domain) for city, domain in own if city is not None],
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "cities": {c.code: c.name for c in City.objects.all()},
            "schemes": {sc.code: sc.name for sc in Scheme.objects.all()},
        },
    )


def catalogue(request):
    schemes = list(Scheme.objects.all())
    scheme = next((s for s in schemes if s.code == request.GET.get("scheme")), schemes[0] if schemes else None)
    all_cities = [c.code for c in City.objects.all()]
    chosen = [c for c in request.GET.getlist("city") if c in all_cities] or all_cities
    entries = restrict(CatalogueEntry.objects.filter(scheme=scheme), request.user).values_list(
        "city__code", "item_code", "name_zh", "name_en", "unit_price_fen", "reimbursement_ratio"
    )
    from django.utils.translation import get_language

    english = (get_language() or "").startswith("en")
    comparison = compare_catalogues(
        [CatalogueRow(c, i, en if english else zh, p, r) for c, i, zh, en, p, r in entries], chosen
    )
    rows = [
        (item, [(c, item.prices.get(c), item.ratios.get(c)) for c in comparison.cities]) for item in comparison.items
    ]
    return render(
        request,
        "clearing/catalogue.html",
        {
            "schemes": schemes,
            "scheme": scheme,
            "cities": all_cities,
            "chosen": chosen,
            "comparison": comparison,
            "rows": rows,
        },
    )
