"""Pages of the standards mechanism. Access is decided by core.permissions; views parse, ask, call a service,
render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metrocoop.core import downloads
from metrocoop.core.forms import error_text
from metrocoop.core.models import City
from metrocoop.core.permissions import (
    Action,
    acts_region_wide,
    can,
    can_any,
    liaison_cities,
    restrict,
)
from metrocoop.standards import charts, documents, engine, importer, models, services
from metrocoop.standards.choices import NEXT_STATUS, OPEN_STATUSES, ProposalStatus
from metrocoop.standards.filtersets import ProposalFilter, StandardFilter
from metrocoop.standards.forms import (
    AdvanceForm,
    KeyStandardForm,
    LimitForm,
    LimitImportForm,
    ProposalForm,
    RecognisedQueryForm,
    RecognitionForm,
    SignForm,
    StandardForm,
)
from metrocoop.standards.policies import ADOPT


def _errors(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


def _attempt(request, call, success: str) -> None:
    """Run a service `call`; then tell the user `success`, or what the service refused."""
    try:
        call()
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, success)


def _editable_cities(user, model, field: str) -> list[City]:
    """Cities whose rows of `model` the user may add (the office: all; a liaison: its own)."""
    if acts_region_wide(user) and can_any(user, Action.ADD, model):
        return list(City.objects.order_by("sort_order", "code"))
    own = liaison_cities(user)
    return [c for c in City.objects.filter(pk__in=own) if can(user, Action.ADD, model(**{field: c}))]


def index(request):
    """Start page: the key-standard list, each parameter unified or not, each recognition type's gaps, open
    proposals."""
    today = timezone.localdate()
    key = restrict(models.KeyStandard.objects.select_related("standard"), request.user)
    params = list(restrict(models.Parameter.objects.all(), request.user))
    entries: dict[int, list[engine.LimitEntry]] = {}
    for lv in restrict(models.LimitValue.objects.select_related("city", "standard"), request.user):
        entries.setdefault(lv.parameter_id, []).append(
            engine.LimitEntry(lv.city.code, lv.value, lv.unit, lv.standard.code if lv.standard_id else "", lv.category)
        )
    rows = []
    for p in params:
        mine = entries.get(p.pk, [])
        for cat in sorted({e.category for e in mine}) or [""]:
            h = engine.harmonise(p.code, p.limit_type, mine, declared_unit=p.unit, category=cat)
            rows.append((p, cat, h))
    records = services.recognition_records()
    cities = [c.code for c in City.objects.members_on(today).order_by("sort_order", "code")]
    types = []
    for t in restrict(models.RecognitionType.objects.all(), request.user):
        m = engine.recognition_matrix(records, t.code, cities, today)
        types.append((t, m.counts))
    proposals = restrict(
        models.UnificationProposal.objects.filter(status__in=OPEN_STATUSES).select_related("lead_city"), request.user
    )[:10]
    return render(
        request,
        "standards/index.html",
        {
            "key_standards": key,
            "rows": rows,
            "types": types,
            "proposals": proposals,
            "standard_count": restrict(models.Standard.objects.all(), request.user).count(),
            "can_import": bool(_editable_cities(request.user, models.LimitValue, "city"))
            or bool(_editable_cities(request.user, models.Recognition, "recognising_city")),
        },
    )


def standard_list(request):
    qs = restrict(models.Standard.objects.select_related("replaces", "key_entry"), request.user)
    filterset = StandardFilter(request.GET or None, queryset=qs)
    page = Paginator(filterset.qs.order_by("code"), 50).get_page(request.GET.get("page"))
    for field in filterset.form.fields.values():
        field.widget.attrs.setdefault("class", "form-select form-select-sm")
    filterset.form.fields["q"].widget.attrs["class"] = "form-control form-control-sm"
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "standards/standard_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "can_add": can_any(request.user, Action.ADD, models.Standard),
        },
    )


@login_required
def standard_edit(request, pk=None):
    """The office keeps the catalogue (as the regional standardisation body): add or edit one standard."""
    standard = get_object_or_404(restrict(models.Standard.objects.all(), request.user), pk=pk) if pk else None
    if not can(request.user, Action.CHANGE if standard else Action.ADD, standard or models.Standard()):
        raise PermissionDenied
    form = StandardForm(request.POST or None, request.FILES or None, instance=standard)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if not data.get("attachment"):
            data.pop("attachment")
        try:
            if standard is None:
                standard = services.do_create_standard(data, actor=request.user)
            else:
                data["incomplete"] = False
                standard = services.do_update_standard(
                    models.Standard.objects.get(pk=standard.pk), data, actor=request.user
                )
            messages.success(request, _("Standard saved."))
            return HttpResponseRedirect(standard.get_absolute_url())
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    return render(request, "standards/standard_form.html", {"form": form, "standard": standard})


@login_required
@require_POST
def standard_key(request, pk):
    """Put a standard on the key-standard list, or take it off."""
    standard = get_object_or_404(restrict(models.Standard.objects.select_related("key_entry"), request.user), pk=pk)
    entry = getattr(standard, "key_entry", None)
    try:
        if entry is not None:
            services.do_delete_key_standard(entry, actor=request.user)
        else:
            form = KeyStandardForm(request.POST)
            if not form.is_valid():
                messages.error(request, error_text(form))
                return HttpResponseRedirect(standard.get_absolute_url())
            services.do_create_key_standard(
                dict(form.cleaned_data, standard=standard, listed_on=timezone.localdate()), actor=request.user
            )
        messages.success(request, _("Key-standard list updated."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return HttpResponseRedirect(standard.get_absolute_url())


def standard_detail(request, pk):
    standard = get_object_or_404(
        restrict(models.Standard.objects.select_related("replaces", "key_entry"), request.user), pk=pk
    )
    limits = restrict(standard.limits.select_related("parameter", "city"), request.user)
    may_edit = can(request.user, Action.CHANGE, standard)
    return render(
        request,
        "standards/standard_detail.html",
        {
            "standard": standard,
            "limits": limits,
            "replaced_by": standard.replaced_by_set.all(),
            "may_edit": may_edit,
            "key_form": KeyStandardForm() if may_edit and not hasattr(standard, "key_entry") else None,
        },
    )


def parameter_detail(request, code):
    """The harmonisation view: per category every city's value in one unit, strictest and loosest, the spread,
    a bar chart, and the history of changed values."""
    parameter = get_object_or_404(restrict(models.Parameter.objects.all(), request.user), code=code)
    names = {c.code: c.name for c in City.objects.all()}
    sections = []
    for i, (category, h) in enumerate(services.by_category(parameter).items()):
        chart_id = f"chart-{i}"
        option = charts.harmonisation_bar(h, names, f"{parameter.name} {category}".strip(), _("strictest"))
        strict, loose = {e.city for e in h.strictest}, {e.city for e in h.loosest}
        rows = [
            {"c": c, "name": names.get(c.city, c.city), "strict": c.city in strict, "loose": c.city in loose}
            for c in h.cities
        ]
        sections.append((category, h, option, chart_id, rows))
    limits = restrict(parameter.limits.select_related("city", "standard"), request.user)
    history = restrict(
        models.LimitRevision.objects.filter(limit__parameter=parameter).select_related(
            "limit__city", "standard", "superseded_by"
        ),
        request.user,
    )
    cities = _editable_cities(request.user, models.LimitValue, "city")
    form = LimitForm(cities=cities, initial={"unit": parameter.unit}) if cities else None
    return render(
        request,
        "standards/parameter.html",
        {
            "parameter": parameter,
            "sections": sections,
            "limits": limits,
            "history": history,
            "names": names,
            "form": form,
        },
    )


@login_required
@require_POST
def limit_set(request, code):
    parameter = get_object_or_404(restrict(models.Parameter.objects.all(), request.user), code=code)
    form = LimitForm(request.POST, cities=_editable_cities(request.user, models.LimitValue, "city"))
    if not form.is_valid():
        messages.error(request, error_text(form))
    else:
        data = dict(form.cleaned_data, parameter=parameter)
        _attempt(request, lambda: services.do_create_limit(data, actor=request.user), _("Limit value saved."))
    return HttpResponseRedirect(parameter.get_absolute_url())


@login_required
@require_POST
def limit_delete(request, pk):
    limit = get_object_or_404(restrict(models.LimitValue.objects.select_related("parameter"), request.user), pk=pk)
    _attempt(request, lambda: services.do_delete_limit(limit, actor=request.user), _("Limit value deleted."))
    return HttpResponseRedirect(limit.parameter.get_absolute_url())


@login_required
def limits_import(request):
    report = None
    if request.method == "POST":
        form = LimitImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > 10 * 1024 * 1024:
                messages.error(request, _("The file is larger than 10 MB."))
            else:
                try:
                    report = importer.IMPORTS[form.cleaned_data["kind"]](
                        upload.name, actor=request.user, content=upload.read()
                    )
                    messages.success(
                        request,
                        _("Imported: %(c)d created, %(u)d updated, %(n)d unchanged.")
                        % {"c": report.created, "u": report.updated, "n": report.unchanged},
                    )
                except importer.ImportRejected as exc:
                    report = exc.report
                    messages.error(request, _("Nothing was imported: the file has errors (listed below)."))
    else:
        form = LimitImportForm()
    return render(
        request,
        "standards/import.html",
        {
            "form": form,
            "report": report,
            "columns": importer.COLUMNS,
            "catalogue_columns": documents.CATALOGUE_HEADERS[:-1],
            "recognition_columns": documents.RECOGNITION_HEADERS[:-1],
        },
    )


def download(request, kind):
    """Excel exports of the catalogue, limits and recognitions; the Word report of harmonisation by domain."""
    if kind == "report.docx":
        return downloads.built("standards-harmonisation.docx", documents.harmonisation_docx)
    if kind.endswith(".xlsx") and kind[:-5] in documents.EXPORTS:
        return downloads.built(f"standards-{kind}", documents.EXPORTS[kind[:-5]])
    raise Http404


def matrix(request, code):
    rtype = get_object_or_404(restrict(models.RecognitionType.objects.all(), request.user), code=code)
    on = _date(request.GET.get("on")) or timezone.localdate()
    m = services.matrix(rtype, on)
    cities = {c.code: c for c in City.objects.filter(code__in=m.cities)}
    table = [(cities[a], [(cities[b], m.cells[(a, b)]) for b in m.cities]) for a in m.cities]
    recognitions = restrict(
        models.Recognition.objects.filter(type=rtype)
        .select_related("issuing_city", "recognising_city")
        .prefetch_related(services.basis_prefetch()),
        request.user,
    )
    recognising = _editable_cities(request.user, models.Recognition, "recognising_city")
    form = RecognitionForm(recognising=recognising, initial={"valid_from": on}) if recognising else None
    return render(
        request,
        "standards/matrix.html",
        {
            "rtype": rtype,
            "types": models.RecognitionType.objects.all(),
            "on": on,
            "table": table,
            "counts": m.counts,
            "recognitions": recognitions,
            "form": form,
            "editable": set(
                restrict(models.Recognition.objects.filter(type=rtype), request.user, Action.DELETE).values_list(
                    "pk", flat=True
                )
            )
            if recognising
            else set(),
        },
    )


@login_required
@require_POST
def recognition_add(request, code):
    rtype = get_object_or_404(restrict(models.RecognitionType.objects.all(), request.user), code=code)
    form = RecognitionForm(
        request.POST, recognising=_editable_cities(request.user, models.Recognition, "recognising_city")
    )
    if not form.is_valid():
        messages.error(request, error_text(form))
    else:
        _attempt(
            request,
            lambda: services.do_create_recognition(dict(form.cleaned_data, type=rtype), actor=request.user),
            _("Recognition recorded."),
        )
    return HttpResponseRedirect(reverse("standards:matrix", args=[rtype.code]))


@login_required
@require_POST
def recognition_delete(request, pk):
    rec = get_object_or_404(restrict(models.Recognition.objects.select_related("type"), request.user), pk=pk)
    _attempt(request, lambda: services.do_delete_recognition(rec, actor=request.user), _("Recognition deleted."))
    return HttpResponseRedirect(reverse("standards:matrix", args=[rec.type.code]))


def recognised(request):
    """The query: is a result of this type issued in A recognised in B on day D, and on what basis."""
    form = RecognisedQueryForm(request.GET or None)
    answer = None
    if form.is_valid():
        d = form.cleaned_data
        answer = services.recognised(d["type"].code, d["issued_in"].code, d["recognised_in"].code, d["on"]).to_dict()
        answer["issued_in_city"] = d["issued_in"]
        answer["recognised_in_city"] = d["recognised_in"]
        answer["type_obj"] = d["type"]
    return render(request, "standards/recognised.html", {"form": form, "answer": answer})


def proposal_list(request):
    qs = restrict(models.UnificationProposal.objects.select_related("lead_city"), request.user)
    filterset = ProposalFilter(request.GET or None, queryset=qs)
    for field in filterset.form.fields.values():
        field.widget.attrs.setdefault("class", "form-select form-select-sm")
    filterset.form.fields["lead_city"].widget.attrs["class"] = "form-control form-control-sm"
    cities = _editable_cities(request.user, models.UnificationProposal, "lead_city")
    return render(
        request,
        "standards/proposal_list.html",
        {
            "filter": filterset,
            "proposals": filterset.qs.prefetch_related("signatures__city")[:200],
            "form": ProposalForm(cities=cities) if cities else None,
        },
    )


@login_required
@require_POST
def proposal_add(request):
    form = ProposalForm(request.POST, cities=_editable_cities(request.user, models.UnificationProposal, "lead_city"))
    if not form.is_valid():
        messages.error(request, error_text(form))
        return HttpResponseRedirect(reverse("standards:proposals"))
    try:
        proposal = services.do_propose(dict(form.cleaned_data), actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return HttpResponseRedirect(reverse("standards:proposals"))
    return HttpResponseRedirect(proposal.get_absolute_url())


def proposal_detail(request, pk):
    proposal = get_object_or_404(
        restrict(
            models.UnificationProposal.objects.select_related(
                "lead_city", "parameter", "standard", "recognition_type", "consultation", "adopted_standard"
            ),
            request.user,
        ),
        pk=pk,
    )
    signatures = proposal.signatures.select_related("city", "signed_by")
    target = NEXT_STATUS.get(proposal.status)
    may_advance = target is not None and can(
        request.user, ADOPT if target == ProposalStatus.ADOPTED else Action.CHANGE, proposal
    )
    signed = {s.city_id for s in signatures}
    sign_cities = []
    if proposal.status == ProposalStatus.CONSULTATION:
        candidates = _editable_cities(request.user, models.ProposalSignature, "city")
        sign_cities = [c for c in candidates if c.pk not in signed]
    return render(
        request,
        "standards/proposal_detail.html",
        {
            "proposal": proposal,
            "signatures": signatures,
            "target": target,
            "target_label": ProposalStatus(target).label if target else "",
            "advance_form": AdvanceForm() if may_advance else None,
            "sign_form": SignForm(cities=sign_cities) if sign_cities else None,
            "may_withdraw": proposal.status in OPEN_STATUSES and can(request.user, Action.CHANGE, proposal),
            "steps": [
                ProposalStatus.PROPOSED,
                ProposalStatus.DRAFTING,
                ProposalStatus.CONSULTATION,
                ProposalStatus.ADOPTED,
            ],
        },
    )


@login_required
@require_POST
def proposal_action(request, pk, verb):
    proposal = get_object_or_404(restrict(models.UnificationProposal.objects.all(), request.user), pk=pk)
    try:
        if verb == "advance":
            form = AdvanceForm(request.POST)
            if not form.is_valid():
                messages.error(request, error_text(form))
                return HttpResponseRedirect(proposal.get_absolute_url())
            services.do_advance_proposal(proposal, actor=request.user, **form.cleaned_data)
        elif verb == "sign":
            form = SignForm(request.POST, cities=_editable_cities(request.user, models.ProposalSignature, "city"))
            if not form.is_valid():
                messages.error(request, error_text(form))
                return HttpResponseRedirect(proposal.get_absolute_url())
            services.do_sign_proposal(proposal, form.cleaned_data["city"], actor=request.user)
        elif verb == "withdraw":
            services.do_withdraw_proposal(proposal, actor=request.user)
        else:
            raise Http404
        messages.success(request, _("Done."))
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return HttpResponseRedirect(proposal.get_absolute_url())


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
