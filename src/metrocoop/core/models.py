"""Core data: provinces, member cities, organisations, people and their scoped roles, background jobs.

The paper (§四(五)1) places a council (理事会) with an office (办公室) above the cooperation of the member
cities, an expert advisory committee (§四(五)2) and a research society (§四(一)2). Every other app's rows are
scoped to one of these cities or organisations, and `core.permissions` decides access from that scope.
"""

import uuid
from datetime import date

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from metrocoop.core.choices import Domain, JobStatus, Language, OrganisationKind, Role
from metrocoop.core.model_mixins import DetailPageMixin, link_to, status_field


class BilingualNameMixin:
    """`name` in the active language: Chinese first, English when the interface is English."""

    name_zh: str
    name_en: str

    @property
    def name(self) -> str:
        lang = get_language() or "zh-hans"
        return self.name_en if lang.startswith("en") and self.name_en else self.name_zh


class Province(BilingualNameMixin, models.Model):
    """A provincial-level unit the member cities belong to (上海, 江苏, 浙江); groups the Theil decomposition."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name_zh


class CityQuerySet(models.QuerySet):
    def members_on(self, day: date) -> "CityQuerySet":
        """Cities that were members of the metropolitan area on `day` (membership is data with dates)."""
        return self.filter(Q(joined_on__isnull=True) | Q(joined_on__lte=day)).filter(
            Q(left_on__isnull=True) | Q(left_on__gt=day)
        )

    def current_members(self) -> "CityQuerySet":
        return self.members_on(timezone.localdate())

    def members_in_year(self, year: int) -> "CityQuerySet":
        """Cities that were members at any time during `year`."""
        return self.filter(Q(joined_on__isnull=True) | Q(joined_on__year__lte=year)).filter(
            Q(left_on__isnull=True) | Q(left_on__year__gte=year)
        )


class City(DetailPageMixin, BilingualNameMixin, models.Model):
    """A member city of the metropolitan area ("1+8" in the paper, grown since), with the profile it maintains.

    The profile (description, positioning, contact) is the city's own text; its positioning statements are what
    the paper's §二(一) asks to bring under one framework.
    """

    code = models.CharField(_("code"), max_length=8, unique=True, help_text=_("Upper-case city code, e.g. SZ"))
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="cities", verbose_name=_("province"))
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)
    joined_on = models.DateField(_("member since"), null=True, blank=True)
    left_on = models.DateField(_("member until"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    positioning = models.TextField(_("positioning"), blank=True, help_text=_("The city's own positioning statement"))
    contact = models.TextField(_("contact"), blank=True, help_text=_("Office, telephone, e-mail of the liaison"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CityQuerySet.as_manager()

    detail_url_name = "web:city"
    detail_url_field = "code"

    PROFILE_FIELDS = ("description_zh", "description_en", "positioning", "contact")

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(joined_on__isnull=True) | Q(left_on__gt=models.F("joined_on")),
                name="city_membership_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(code__regex=r"^[A-Z]{2,8}$"), name="city_code_upper_case"),
        ]

    def __str__(self) -> str:
        return self.name_zh

    @property
    def description(self) -> str:
        lang = get_language() or "zh-hans"
        return self.description_en if lang.startswith("en") and self.description_en else self.description_zh

    def is_member_on(self, day: date) -> bool:
        return (self.joined_on is None or self.joined_on <= day) and (self.left_on is None or self.left_on > day)


class Organisation(BilingualNameMixin, models.Model):
    """A body of the cooperation mechanism (council, office, expert committee, research society) or a city's
    government and its departments (§四(五))."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    city = link_to(City, _("city"), related_name="organisations", optional=True)
    parent = link_to("self", _("parent"), related_name="children", optional=True)
    domain = models.CharField(_("domain"), max_length=30, choices=Domain.choices, blank=True)

    class Meta:
        ordering = ["kind", "city__sort_order", "code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["city_government", "department"]) | Q(city__isnull=False),
                name="organisation_city_bodies_have_city",
            ),
        ]

    def __str__(self) -> str:
        return self.name_zh


class User(AbstractUser):
    """A person using the platform. What they may do comes from their role assignments, never from flags here."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.ZH_HANS)
    # Set by the demo loader; any later password change clears it. The server refuses to start outside demo
    # mode while an active account still has its demo password.
    has_demo_password = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.has_demo_password = False


class RoleAssignment(models.Model):
    """One role a user holds, with its scope: a city (liaison, department officer), a domain (department
    officer), or an organisation (expert committee, research society, office)."""

    user = link_to(User, _("user"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    city = link_to(City, _("city"), related_name="role_assignments", optional=True)
    organisation = link_to(Organisation, _("organisation"), related_name="role_assignments", optional=True)
    domain = models.CharField(_("domain"), max_length=30, choices=Domain.choices, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    CITY_ROLES = (Role.LIAISON, Role.DEPARTMENT)

    class Meta:
        ordering = ["user", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "city", "organisation", "domain"], name="role_assignment_unique"
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["liaison", "department"]) | Q(city__isnull=False),
                name="role_assignment_city_roles_have_city",
            ),
            models.CheckConstraint(
                condition=~Q(role="department") | ~Q(domain=""), name="role_assignment_department_has_domain"
            ),
        ]

    def __str__(self) -> str:
        scope = self.city or self.organisation or _("region")
        return f"{self.user} · {self.get_role_display()} · {scope}"

    def clean(self) -> None:
        if self.role in self.CITY_ROLES and self.city_id is None:
            raise ValidationError({"city": _("This role is scoped to a city.")})
        if self.role == Role.DEPARTMENT and not self.domain:
            raise ValidationError({"domain": _("A department officer is scoped to a domain.")})

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or self.valid_until >= day
        )


class Job(models.Model):
    """Long work (imports, period closes, reports) run by a task worker, with progress the starting page polls."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = status_field(JobStatus, max_length=12, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    result_file = models.CharField(_("result file"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = link_to(User, _("created by"), related_name="jobs")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Notification(models.Model):
    """A message to one person about something that needs them (an overdue report, a comment to answer).

    Shown in the platform at once; mailed as one digest per person (`metrocoop notifications digest`) rather
    than one mail per event."""

    recipient = link_to(User, _("recipient"), on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=60)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"]), models.Index(fields=["emailed_at"])]

    def __str__(self) -> str:
        return self.subject


def _attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    """A file attached to any row (evidence of progress, a policy's official file, a statement). Who may read or
    add it follows the row it belongs to (core.attachments)."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = link_to(User, _("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.name
