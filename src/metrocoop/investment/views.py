"""Pages of investment coordination: start page, chain trees, gaps, enterprises (with the credit-code check), leads
and conflicts, relocations, co-built parks with their shares and statements. Thin: access through
core.permissions, changes through services, figures from the engine."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metrocoop.core import downloads
from metrocoop.core.models import City
from metrocoop.core.permissions import (
    Action,
    acts_region_wide,
    can,
    can_any,
    cities_acted_for,
    restrict,
)
from metrocoop.investment import charts, creditcode, documents, services
from metrocoop.investment.choices import ConflictStatus, LeadStatus
from metrocoop.investment.filtersets import EnterpriseFilter, LeadFilter
from metrocoop.investment.forms import (
    CreditCodeCheckForm,
    DecideForm,
    EnterpriseForm,
    EventForm,
    LandTransferForm,
    LeadForm,
    ParkYearForm,
    RelocationForm,
    TaxYearForm,
    fen,
)
from metrocoop.investment.models import (
    Chain,
    Enterprise,
    LandQuotaTransfer,
    Lead,
    LeadConflict,
    Park,
    ParkYear,
    PromotionEvent,
    Relocation,
)


def _my_cities(user) -> list[City]:
    """The cities a user may act for: every member city for the office, its own for a liaison."""
    own = cities_acted_for(user)
    if own is None:
        return list(City.objects.current_members())
    return list(City.objects.filter(pk__in=own))


def _city_names() -> dict[str, str]:
    """Code → name in the active language, in the cities' own order (sort_order)."""
    return {c.code: c.name for c in City.objects.order_by("sort_order", "code")}


def _changeable(model, rows, user) -> set[int]:
    """The pks among ``rows`` the user may change, in one query (not one per row)."""
    if not getattr(user, "is_authenticated", False) or not rows:
        return set()
    pks = [r.pk for r in rows]
    return set(restrict(model.objects.filter(pk__in=pks), user, Action.CHANGE).values_list("pk", flat=True))


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _add_form(request, form_class, model, cities: list[City]):
    """A list page's form to add a `model` row in one of `cities` (bound to a POST): None for a user who may not add
    one, whose POST is refused."""
    if not (cities and can_any(request.user, Action.ADD, model)):
        if request.method == "POST":
            raise PermissionDenied
        return None
    return form_class(request.POST, cities=cities) if request.method == "POST" else form_class(cities=cities)


def _submit(request, form, action, success: str, redirect_to: str):
    """The pattern of the POST-only forms: a valid form's cleaned data goes to `action` (a service call); what the
    service refuses, or an invalid form, becomes an error message, success the `success` message; then back to
    `redirect_to`."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, success)
    else:
        messages.error(request, " ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return HttpResponseRedirect(redirect_to)


def index(request):
    chains = list(restrict(services.chains_with_links(), request.user))
    report = services.gap_report()
    missing = set(report.missing_in_area)
    chain_rows = []
    for chain in chains:
        codes = [link.code for seg in chain.segments.all() for link in seg.links.all()]
        chain_rows.append((chain, len(codes), sum(1 for c in codes if c in missing)))
    conflicts = restrict(LeadConflict.objects.filter(status=ConflictStatus.OPEN), request.user).count()
    leads = restrict(Lead.objects.filter(status=LeadStatus.ACTIVE), request.user).count()
    parks = restrict(Park.objects.select_related("host", "partner").prefetch_related("years"), request.user)
    relocations = restrict(Relocation.objects.select_related("enterprise", "origin", "destination"), request.user)[:5]
    events = restrict(PromotionEvent.objects.select_related("host_city"), request.user)[:5]
    return render(
        request,
        "investment/index.html",
        {
            "chains": chain_rows,
            "missing_count": len(missing),
            "concentrated_count": len(report.concentrated),
            "link_count": len(report.links),
            "open_conflicts": conflicts,
            "active_leads": leads,
            "parks": parks,
            "relocations": relocations,
            "events": events,
            "signed_in": request.user.is_authenticated,
        },
    )


def chain_detail(request, code):
    chain = get_object_or_404(restrict(services.chains_with_links(), request.user), code=code)
    _links, counts = services.holdings(chain)
    names = _city_names()
    report = services.gap_report(chain)
    rows = []
    for segment in chain.segments.all():
        for link in segment.links.all():
            holders = [c for c in names if counts.get(link.code, {}).get(c, 0) > 0]
            rows.append(
                {
                    "segment": segment,
                    "link": link,
                    "holders": [names.get(c, c) for c in holders],
                    "enterprises": sum(counts.get(link.code, {}).values()),
                    "colour": charts.colour_for(len(holders)),
                    "missing": not holders,
                    "concentrated": len(holders) == 1,
                }
            )
    return render(
        request,
        "investment/chain.html",
        {
            "chain": chain,
            "rows": rows,
            "tree": charts.chain_tree(chain, counts, names),
            "report": report,
            "legend": [(charts.colour_for(n), label) for n, label in _legend()],
        },
    )


def _legend():
    return [
        (0, _("no member city (missing link)")),
        (1, _("one city only")),
        (2, _("two cities")),
        (3, _("three cities")),
        (4, _("four or more cities")),
    ]


def gaps(request):
    chains = list(restrict(services.chains_with_links(), request.user))
    chain_code = request.GET.get("chain", "")
    chain = next((c for c in chains if c.code == chain_code), None)
    report = services.gap_report(chain)
    names = _city_names()
    link_names = {link.code: link for c in chains for s in c.segments.all() for link in s.links.all()}
    sector = services.sector_similarity()
    by_city = [
        (names.get(city, city), city, [link_names[code] for code in report.missing_by_city[city] if code in link_names])
        for city in report.cities
    ]
    overlap = []
    for pair in report.overlap:
        overlap.append(
            {
                **pair,
                "name_a": names.get(pair["city_a"], pair["city_a"]),
                "name_b": names.get(pair["city_b"], pair["city_b"]),
                "sector_similarity": sector.get((pair["city_a"], pair["city_b"])),
            }
        )
    return render(
        request,
        "investment/gaps.html",
        {
            "chains": chains,
            "chain": chain,
            "report": report,
            "missing_area": [link_names[c] for c in report.missing_in_area if c in link_names],
            "concentrated": [(link_names[c], names.get(city, city)) for c, city in report.concentrated.items()],
            "by_city": by_city,
            "overlap": overlap,
            "total_links": len(report.links),
        },
    )


def enterprises(request):
    qs = restrict(Enterprise.objects.select_related("city").prefetch_related("links__segment__chain"), request.user)
    filterset = EnterpriseFilter(request.GET or None, queryset=qs)
    results = None
    check = CreditCodeCheckForm(request.GET if "codes" in request.GET else None)
    if check.is_bound and check.is_valid():
        results = [creditcode.validate(line) for line in check.cleaned_data["codes"].splitlines() if line.strip()]
    cities = _my_cities(request.user) if request.user.is_authenticated else []
    form = None
    if cities and can_any(request.user, Action.ADD, Enterprise):
        form = EnterpriseForm(request.POST or None, cities=cities)
        if request.method == "POST" and form.is_valid():
            try:
                enterprise = services.do_create_enterprise(form.cleaned_data, actor=request.user)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Enterprise %(name)s saved.") % {"name": enterprise.name})
                return HttpResponseRedirect(reverse("investment:enterprises"))
    elif request.method == "POST":
        raise PermissionDenied
    rows = list(filterset.qs[:500]) if filterset.is_valid() else list(qs[:500])
    editable = _changeable(Enterprise, rows, request.user)
    return render(
        request,
        "investment/enterprises.html",
        {
            "enterprises": rows,
            "filter": filterset,
            "check": check,
            "results": results,
            "form": form,
            "editable": editable,
            "chains": Chain.objects.all(),
            "cities": City.objects.current_members(),
        },
    )


@login_required
def enterprise_edit(request, pk):
    enterprise = get_object_or_404(restrict(Enterprise.objects.all(), request.user), pk=pk)
    if not can(request.user, Action.CHANGE, enterprise):
        raise PermissionDenied
    initial = {
        "name_zh": enterprise.name_zh,
        "name_en": enterprise.name_en,
        "credit_code": enterprise.credit_code,
        "city": enterprise.city,
        "links": list(enterprise.links.all()),
        "size_band": enterprise.size_band,
    }
    form = EnterpriseForm(request.POST or None, initial=initial, cities=_my_cities(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_enterprise(enterprise, form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Enterprise %(name)s saved.") % {"name": enterprise.name})
            return HttpResponseRedirect(reverse("investment:enterprises"))
    return render(request, "investment/enterprise_edit.html", {"enterprise": enterprise, "form": form})


def leads(request):
    if not request.user.is_authenticated:
        return render(request, "investment/leads.html", {"signed_out": True})
    qs = restrict(Lead.objects.select_related("city", "link__segment__chain", "conflict"), request.user)
    filterset = LeadFilter(request.GET or None, queryset=qs)
    rows = list(filterset.qs[:500]) if filterset.is_valid() else list(qs[:500])
    conflicts = list(
        restrict(
            LeadConflict.objects.select_related("leading__city").prefetch_related("leads__city"), request.user
        ).order_by("status", "-detected_at")
    )
    office = acts_region_wide(request.user)
    decide_forms = {c.pk: DecideForm(conflict=c) for c in conflicts if office and c.status == ConflictStatus.OPEN}
    cities = _my_cities(request.user)
    form = _add_form(request, LeadForm, Lead, cities)
    if form is not None and form.is_bound and form.is_valid():
        try:
            lead = services.do_register_lead(form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if lead.conflict_id:
                messages.warning(request, _("Another city pursues the same target: see the conflict below."))
            else:
                messages.success(request, _("Lead registered."))
            return HttpResponseRedirect(reverse("investment:leads"))
    events = restrict(
        PromotionEvent.objects.select_related("host_city").prefetch_related("partner_cities", "chains"), request.user
    )
    return render(
        request,
        "investment/leads.html",
        {
            "leads": rows,
            "filter": filterset,
            "conflicts": conflicts,
            "decide_forms": decide_forms,
            "form": form,
            "events": events,
            "event_form": EventForm(cities=cities)
            if cities and can_any(request.user, Action.ADD, PromotionEvent)
            else None,
            "editable": _changeable(Lead, rows, request.user),
        },
    )


@login_required
@require_POST
def event_create(request):
    form = EventForm(request.POST, cities=_my_cities(request.user))
    back = reverse("investment:leads") + "#events"
    return _submit(request, form, partial(services.do_create_event, actor=request.user), _("Event saved."), back)


@login_required
@require_POST
def land_transfer_create(request):
    def register(cleaned):
        data = {k: v for k, v in cleaned.items() if k != "compensation_yuan"}
        services.do_register_land_transfer(
            {**data, "compensation_fen": fen(cleaned["compensation_yuan"])}, actor=request.user
        )

    done = _("Land-quota transfer registered; the compensation is posted.")
    return _submit(request, LandTransferForm(request.POST), register, done, reverse("investment:relocations") + "#land")


@login_required
@require_POST
def lead_withdraw(request, pk):
    lead = get_object_or_404(restrict(Lead.objects.all(), request.user), pk=pk)
    services.do_update_lead(lead, {"status": LeadStatus.WITHDRAWN}, actor=request.user)
    messages.success(request, _("Lead withdrawn."))
    return HttpResponseRedirect(reverse("investment:leads"))


@login_required
@require_POST
def conflict_decide(request, pk):
    conflict = get_object_or_404(restrict(LeadConflict.objects.all(), request.user), pk=pk)
    form = DecideForm(request.POST, conflict=conflict)
    if not form.is_valid():
        messages.error(request, _("Choose one of the leads in the conflict."))
    else:
        try:
            services.do_decide_conflict(conflict, form.cleaned_data["lead"], actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Decision recorded; both cities see it."))
    return HttpResponseRedirect(reverse("investment:leads") + f"#conflict-{conflict.pk}")


def relocations(request):
    if not request.user.is_authenticated:
        return render(request, "investment/relocations.html", {"signed_out": True})
    qs = restrict(
        Relocation.objects.select_related("enterprise", "origin", "destination", "rule").prefetch_related(
            "tax_years__transfer"
        ),
        request.user,
    )
    cities = _my_cities(request.user)
    form = _add_form(request, RelocationForm, Relocation, cities)
    if form is not None and form.is_bound and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "cap_basis_yuan"}
        data["cap_basis_fen"] = fen(form.cleaned_data["cap_basis_yuan"])
        try:
            relocation = services.do_register_relocation(data, actor=request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Relocation registered; the origin city is notified."))
            return HttpResponseRedirect(reverse("investment:relocations") + f"#relocation-{relocation.pk}")
    relocations = list(qs)
    changeable = _changeable(Relocation, relocations, request.user)
    rows = []
    for r in relocations:
        schedule = services.relocation_schedule(r)
        rows.append(
            {
                "relocation": r,
                "schedule": schedule,
                "tax_years": {ty.year: ty for ty in r.tax_years.all()},
                "form": TaxYearForm(prefix=f"r{r.pk}") if r.pk in changeable else None,
            }
        )
    transfers = restrict(
        LandQuotaTransfer.objects.select_related("from_city", "to_city", "park", "transfer"), request.user
    )
    land_form = LandTransferForm() if can_any(request.user, Action.ADD, LandQuotaTransfer) else None
    return render(
        request,
        "investment/relocations.html",
        {"rows": rows, "form": form, "land_transfers": transfers, "land_form": land_form},
    )


@login_required
@require_POST
def relocation_tax(request, pk):
    relocation = get_object_or_404(restrict(Relocation.objects.all(), request.user), pk=pk)

    def enter(data):
        services.do_enter_relocation_tax(
            relocation, year=data["year"], tax_fen=fen(data["tax_yuan"]), actor=request.user
        )

    form = TaxYearForm(request.POST, prefix=f"r{pk}")
    done = _("Tax entered; the origin's share is posted.")
    return _submit(request, form, enter, done, reverse("investment:relocations") + f"#relocation-{pk}")


def parks(request):
    qs = restrict(Park.objects.select_related("host", "partner").prefetch_related("phases", "years"), request.user)
    return render(request, "investment/parks.html", {"parks": qs})


def park_detail(request, code):
    park = get_object_or_404(
        restrict(Park.objects.select_related("host", "partner").prefetch_related("phases"), request.user), code=code
    )
    years = list(restrict(ParkYear.objects.filter(park=park).select_related("transfer"), request.user))
    can_enter = request.user.is_authenticated and can(request.user, Action.CHANGE, park)
    form = ParkYearForm() if can_enter else None
    if request.method == "POST":
        if not can_enter:
            raise PermissionDenied
        form = ParkYearForm(request.POST)
        if form.is_valid():
            data = {
                "year": form.cleaned_data["year"],
                "tax_fen": fen(form.cleaned_data["tax_yuan"]),
                "gdp_fen": fen(form.cleaned_data["gdp_yuan"]),
                "land_quota_m2": form.cleaned_data["land_quota_m2"],
            }
            try:
                services.do_enter_park_year(park, data, actor=request.user)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Figures saved; the shares below are computed from them."))
                return HttpResponseRedirect(reverse("investment:park", args=[park.code]))
    rows = []
    for row in years:
        shares = services.park_shares(park, row.year)
        explanation = services.park_explanation(park, row.year)
        items = {i["item"]: i for i in shares["items"]}
        steps = {i["item"]: i.get("steps", []) for i in explanation.get("items", [])}
        rows.append({"row": row, "items": items, "steps": steps, "tax": items.get("tax", {}), "year": row.year})
    return render(
        request,
        "investment/park.html",
        {
            "park": park,
            "rows": rows,
            "form": form,
            "can_enter": can_enter,
            "chart": charts.park_shares_chart(park, rows) if rows else None,
        },
    )


@login_required
@require_POST
def park_post(request, code, year):
    park = get_object_or_404(restrict(Park.objects.all(), request.user), code=code)
    row = get_object_or_404(ParkYear, park=park, year=year)
    try:
        services.do_post_park_year(row, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Year %(year)s posted to the ledger.") % {"year": year})
    return HttpResponseRedirect(reverse("investment:park", args=[park.code]))


def park_statement(request, code, fmt):
    if not request.user.is_authenticated:
        raise Http404
    park = get_object_or_404(restrict(Park.objects.select_related("host", "partner"), request.user), code=code)
    if fmt not in ("docx", "xlsx"):
        raise Http404
    build = documents.park_statement_docx if fmt == "docx" else documents.park_statement_xlsx
    return downloads.built(f"{park.name_zh}-利益分享结算单.{fmt}", lambda out: build(park, out))
