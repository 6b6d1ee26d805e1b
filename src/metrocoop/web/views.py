"""Pages of the web shell. Access is decided by core.permissions; these views parse, ask, call a service, render."""

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from metrocoop.core import downloads, services
from metrocoop.core.attachments import require_view
from metrocoop.core.choices import Language
from metrocoop.core.exports import job_file_path
from metrocoop.core.filtersets import LogEntryFilter
from metrocoop.core.jobs import start_job
from metrocoop.core.models import Attachment, City, Job, Notification
from metrocoop.core.notifications import do_mark_all_read, do_mark_read
from metrocoop.core.permissions import Action, can, restrict, rows_q
from metrocoop.web.audit_display import readable_rows
from metrocoop.web.dashboard import bar_chart_option, table1
from metrocoop.web.forms import CityProfileForm
from metrocoop.web.home import pending_work
from metrocoop.web.modules import MODULES_BY_KEY


def dashboard(request):
    cities = list(restrict(City.objects.current_members().select_related("province"), request.user))
    table = table1(cities)
    chart_indicator = request.GET.get("indicator") or "gdp-per-capita"
    option = bar_chart_option(table, chart_indicator)
    return render(
        request,
        "web/dashboard.html",
        {
            "cities": cities,
            "table": table,
            "chart_option": option,
            "chart_indicator": chart_indicator,
            "chart_indicators": table.indicators,
        },
    )


@login_required
def home(request):
    """The signed-in person's home page: what awaits them, by the rules of their roles (web.home)."""
    sections = pending_work(request.user)
    return render(
        request,
        "web/home.html",
        {"sections": sections, "waiting": sum(s.count for s in sections)},
    )


def city_list(request):
    cities = restrict(City.objects.select_related("province"), request.user)
    return render(request, "web/city_list.html", {"cities": cities})


def city_detail(request, code):
    city = get_object_or_404(restrict(City.objects.select_related("province"), request.user), code=code.upper())
    return render(
        request,
        "web/city.html",
        {
            "city": city,
            "can_edit": can(request.user, Action.CHANGE, city),
            "organisations": city.organisations.order_by("kind", "code"),
        },
    )


@require_http_methods(["GET", "POST"])
def city_profile_edit(request, code):
    """The profile block of a city page, edited in place (htmx swaps the form and the block)."""
    city = get_object_or_404(restrict(City.objects.all(), request.user), code=code.upper())
    if not can(request.user, Action.CHANGE, city):
        raise PermissionDenied(_("Only the city's liaison or the council office may edit this profile."))
    if request.method == "POST":
        form = CityProfileForm(request.POST, instance=City.objects.get(pk=city.pk))
        if form.is_valid():
            changed = {f: form.cleaned_data[f] for f in form.changed_data}
            if changed:
                city = services.do_update_city_profile(city, changed, actor=request.user)
            if request.htmx:
                return render(request, "web/_city_profile.html", {"city": city, "can_edit": True, "saved": True})
            messages.success(request, _("Profile saved."))
            return HttpResponseRedirect(city.get_absolute_url())
    else:
        form = CityProfileForm(instance=city)
    template = "web/_city_profile_form.html" if request.htmx else "web/city_profile_edit.html"
    return render(request, template, {"city": city, "form": form})


def city_profile_block(request, code):
    city = get_object_or_404(restrict(City.objects.all(), request.user), code=code.upper())
    return render(request, "web/_city_profile.html", {"city": city, "can_edit": can(request.user, Action.CHANGE, city)})


def module_page(request, key):
    module = MODULES_BY_KEY.get(key)
    if module is None:
        raise Http404
    return render(request, "web/module.html", {"module": module})


def _require_audit_reader(user) -> None:
    if rows_q(user, LogEntry) is None:
        raise PermissionDenied(_("The audit trail is read by the council office and auditors."))


@login_required
def audit_list(request):
    _require_audit_reader(request.user)
    entries = restrict(LogEntry.objects.select_related("actor", "content_type"), request.user).order_by(
        "-timestamp", "-id"
    )
    filtered = LogEntryFilter(request.GET, queryset=entries)
    page = Paginator(filtered.qs, 50).get_page(request.GET.get("page"))
    readable_rows(page)  # names instead of ids and codes, money in yuan, no raw JSON
    return render(request, "web/audit.html", {"page": page, "filter": filtered, "query": request.GET.urlencode()})


@login_required
@require_POST
def audit_export(request):
    _require_audit_reader(request.user)
    job = start_job(
        "core.audit_export",
        _("Audit trail export"),
        {"filters": {k: v for k, v in request.GET.items() if k != "page"}},
        actor=request.user,
    )
    return render(request, "web/_job.html", {"job": job})


@login_required
def job_status(request, pk):
    job = get_object_or_404(restrict(Job.objects.all(), request.user), pk=pk)
    return render(request, "web/_job.html", {"job": job})


@login_required
def job_download(request, pk):
    job = get_object_or_404(restrict(Job.objects.all(), request.user), pk=pk)
    path = job_file_path(job)
    if path is None:
        raise Http404
    return downloads.stored(path)


def audit_for_object(request, app_label, model, pk):
    """The audit entries of one row, for a page's 'history' panel (office and auditors)."""
    entries = restrict(LogEntry.objects.all(), request.user).filter(
        content_type__app_label=app_label, content_type__model=model, object_pk=str(pk)
    )
    return render(request, "web/_history.html", {"entries": entries.select_related("actor")[:50]})


@require_POST
def set_language(request):
    """Switch the interface language; a signed-in user's choice is remembered on their account."""
    language = request.POST.get("language", "")
    if language not in Language.values:
        language = settings.LANGUAGE_CODE
    next_url = request.POST.get("next") or reverse("web:dashboard")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("web:dashboard")
    if request.user.is_authenticated:
        services.do_set_language(request.user, language, actor=request.user)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax")
    return response


@login_required
def notifications(request):
    rows = restrict(Notification.objects.all(), request.user).filter(recipient=request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "web/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(restrict(Notification.objects.all(), request.user), pk=pk)
    do_mark_read(notification, actor=request.user)
    return HttpResponseRedirect(notification.url or reverse("web:notifications"))


@login_required
@require_POST
def notifications_read_all(request):
    do_mark_all_read(actor=request.user)
    return HttpResponseRedirect(reverse("web:notifications"))


def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    require_view(attachment, request.user)
    return downloads.stored(attachment.file.open("rb"), attachment.name)
