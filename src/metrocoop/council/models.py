"""The council cycle of the paper's §四(五)1: the council (理事会) with one seat per member city, its meetings and
resolutions, the office's annual plan (年度计划) with its work list (工作清单), quarterly progress, the annual summary
(工作总结) and the next year's list; and plan alignment (规划衔接, §四(一)1): the plans the region and each city hold,
their articles, and the work items that implement them.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrocoop.core.choices import Domain
from metrocoop.core.model_mixins import DetailPageMixin, city_link, link_to, status_field, user_link
from metrocoop.core.models import BilingualNameMixin, City, Organisation
from metrocoop.council.choices import (
    PUBLIC_PLAN_STATUSES,
    MeetingKind,
    PlanDocumentKind,
    PlanStatus,
    ResolutionOutcome,
    ResolutionStatus,
    ReviewStatus,
    VoteChoice,
)


class Council(BilingualNameMixin, models.Model):
    """The Shanghai Metropolitan Area Development Council (§四(五)1) and its voting rules, kept as data.

    Quorum: at least `quorum_count` seats present and at least `quorum_share` of the seats (either may be empty).
    Majority: the "yes" votes must exceed `majority_share` of the votes cast. Approving an annual plan needs every
    seat's "yes" when `plan_approval_unanimous` is set (协商一致)."""

    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)
    organisation = link_to(Organisation, _("organisation"), optional=True)
    quorum_count = models.PositiveSmallIntegerField(_("quorum (seats)"), null=True, blank=True)
    quorum_share = models.DecimalField(
        _("quorum (share of seats)"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    majority_share = models.DecimalField(
        _("majority (share of votes cast to exceed)"),
        max_digits=4,
        decimal_places=3,
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    plan_approval_unanimous = models.BooleanField(_("annual plan needs unanimity"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_count__isnull=False) | Q(quorum_share__isnull=False), name="council_has_quorum"
            ),
            models.CheckConstraint(
                condition=Q(majority_share__gte=0) & Q(majority_share__lte=1), name="council_majority_share_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name_zh


class CouncilSeat(models.Model):
    """One member city's seat on the council and the person who holds it. The seat counts on a day exactly when
    the city is a member on that day (the city's membership dates)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="seats", verbose_name=_("council"))
    city = city_link(related_name="council_seats")
    representative = user_link(
        _("representative"), on_delete=models.SET_NULL, related_name="council_seats", optional=True
    )

    class Meta:
        ordering = ["council", "city__sort_order"]
        verbose_name = _("council seat")
        verbose_name_plural = _("council seats")
        constraints = [models.UniqueConstraint(fields=["council", "city"], name="council_seat_one_per_city")]

    def __str__(self) -> str:
        return f"{self.council} · {self.city}"

    @property
    def since(self) -> date | None:
        return self.city.joined_on

    @property
    def until(self) -> date | None:
        return self.city.left_on

    def counts_on(self, day: date) -> bool:
        return self.city.is_member_on(day)


class Meeting(DetailPageMixin, models.Model):
    """A council meeting (plenary, office or special topic) with its agenda, attendees and minutes; files are
    attached through core.attachments."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("council"))
    kind = models.CharField(_("kind"), max_length=12, choices=MeetingKind.choices, default=MeetingKind.PLENARY)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    agenda = models.JSONField(_("agenda items"), default=list, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="council_meetings", verbose_name=_("attendees")
    )
    minutes = models.TextField(_("minutes"), blank=True)

    detail_url_name = "council:meeting"

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class Resolution(DetailPageMixin, models.Model):
    """A motion put to the council at a meeting; each member city votes once; the engine decides quorum,
    majority and unanimity. A resolution may approve an annual plan (the only way a plan becomes approved)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="resolutions", verbose_name=_("meeting")
    )
    number = models.CharField(_("number"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    plan = link_to("AnnualPlan", _("annual plan to approve"), related_name="resolutions", optional=True)
    requires_unanimity = models.BooleanField(_("requires unanimity"), default=False)
    status = status_field(ResolutionStatus, max_length=10, default="open")
    outcome = models.CharField(_("outcome"), max_length=10, choices=ResolutionOutcome.choices, default="pending")
    tally = models.JSONField(_("tally"), default=dict, blank=True, help_text=_("The engine's decision and its steps"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    detail_url_name = "council:resolution"

    class Meta:
        ordering = ["-meeting__held_on", "-id"]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", outcome="pending") | (Q(status="decided") & ~Q(outcome="pending")),
                name="resolution_outcome_matches_status",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class Vote(models.Model):
    """One member city's vote on a resolution, cast by that city's representative or liaison; one per city."""

    resolution = models.ForeignKey(
        Resolution, on_delete=models.CASCADE, related_name="votes", verbose_name=_("resolution")
    )
    city = city_link(related_name="council_votes")
    choice = models.CharField(_("vote"), max_length=8, choices=VoteChoice.choices)
    cast_by = user_link(_("cast by"), related_name="council_votes")
    cast_at = models.DateTimeField(_("cast at"), default=timezone.now)

    class Meta:
        ordering = ["resolution", "city__sort_order"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["resolution", "city"], name="vote_one_per_city")]

    def __str__(self) -> str:
        return f"{self.city} · {self.get_choice_display()}"


class AnnualPlan(DetailPageMixin, models.Model):
    """The office's annual plan (年度计划): draft → submitted → approved (by a passed resolution) → in progress →
    closed. Only a draft may be edited; `previous` links the plan whose unfinished items it carried over."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="plans", verbose_name=_("council"))
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    status = status_field(PlanStatus, max_length=12, default=PlanStatus.DRAFT)
    approved_by = link_to(Resolution, _("approved by resolution"), related_name="approved_plans", optional=True)
    previous = link_to("self", _("previous plan"), related_name="next_plans", optional=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    detail_url_name = "council:plan"
    detail_url_field = "year"

    class Meta:
        ordering = ["-year"]
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        constraints = [
            models.UniqueConstraint(fields=["council", "year"], name="annual_plan_one_per_year"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted"]) | Q(approved_by__isnull=False),
                name="annual_plan_approved_by_resolution",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_PLAN_STATUSES

    @property
    def editable(self) -> bool:
        return self.status == PlanStatus.DRAFT


class PlanDocument(models.Model):
    """A plan the region or a city holds (大都市圈空间协同规划, a city's 十四五 plan or master plan), §四(一)1."""

    kind = models.CharField(_("kind"), max_length=12, choices=PlanDocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    city = city_link(related_name="plan_documents", optional=True, help_text=_("Empty for a regional plan"))
    period = models.CharField(_("period"), max_length=40, blank=True)

    class Meta:
        ordering = ["kind", "city__sort_order", "title"]
        verbose_name = _("plan document")
        verbose_name_plural = _("plan documents")

    def __str__(self) -> str:
        return self.title


class PlanArticle(models.Model):
    """One article (条款) of a plan document that work items may implement."""

    document = models.ForeignKey(
        PlanDocument, on_delete=models.CASCADE, related_name="articles", verbose_name=_("plan")
    )
    number = models.CharField(_("number"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["document", "sort_order", "id"]
        verbose_name = _("plan article")
        verbose_name_plural = _("plan articles")
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="plan_article_number_unique")]

    def __str__(self) -> str:
        return f"{self.document.title} {self.number} {self.title}"


class WorkItem(DetailPageMixin, models.Model):
    """One entry of the work list (工作清单): who leads and joins, the target (KPI, unit, value), the deadline and
    its weight in its parent's or the plan's roll-up. The funds app's assessment reads completion and timeliness
    per lead city from these rows and their progress reports (engine.city_performance)."""

    plan = models.ForeignKey(AnnualPlan, on_delete=models.CASCADE, related_name="items", verbose_name=_("annual plan"))
    parent = link_to("self", _("parent item"), on_delete=models.CASCADE, related_name="children", optional=True)
    code = models.CharField(_("code"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=200)
    domain = models.CharField(_("domain"), max_length=30, choices=Domain.choices)
    description = models.TextField(_("description"), blank=True)
    lead_city = city_link(_("lead city"), related_name="led_work_items")
    lead_organisation = link_to(Organisation, _("lead organisation"), related_name="led_work_items", optional=True)
    participating_cities = models.ManyToManyField(
        City, blank=True, related_name="joined_work_items", verbose_name=_("participating cities")
    )
    kpi = models.CharField(_("KPI"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    target_value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2, null=True, blank=True)
    deadline = models.DateField(_("deadline"))
    weight = models.PositiveSmallIntegerField(_("weight"), default=1, validators=[MinValueValidator(1)])
    proposed_by = city_link(_("proposed by city"), related_name="proposed_work_items", optional=True)
    carried_from = link_to("self", _("carried over from"), related_name="carried_to", optional=True)
    articles = models.ManyToManyField(PlanArticle, blank=True, related_name="work_items", verbose_name=_("implements"))
    completed_on = models.DateField(
        _("completed on"),
        null=True,
        blank=True,
        help_text=_("Set when the office accepts the lead city's report of full completion"),
    )

    detail_url_name = "council:item"

    class Meta:
        ordering = ["plan", "code", "id"]
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=1), name="work_item_weight_positive"),
            models.UniqueConstraint(
                fields=["plan", "carried_from"], condition=Q(carried_from__isnull=False), name="work_item_carried_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()


class ProgressReport(DetailPageMixin, models.Model):
    """A city's quarterly report on one work item it leads or joins: percent complete, KPI actual, narrative and
    evidence files. The lead city's report is reviewed by the office (accepted, or returned with a comment and
    then resubmitted on the same row)."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="reports", verbose_name=_("work item"))
    city = city_link(related_name="progress_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    kpi_actual = models.DecimalField(_("KPI actual"), max_digits=14, decimal_places=2, null=True, blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    submitted_by = user_link(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    review_status = models.CharField(
        _("review"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    reviewed_by = user_link(_("reviewed by"), optional=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    # a report is shown on its work item's page
    detail_url_name = "council:item"
    detail_url_field = "item_id"

    class Meta:
        ordering = ["item", "year", "quarter", "city__sort_order"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(fields=["item", "city", "year", "quarter"], name="progress_report_one_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="progress_report_quarter_1_4"),
            models.CheckConstraint(condition=Q(percent_complete__lte=100), name="progress_report_percent_max_100"),
            models.CheckConstraint(
                condition=~Q(review_status="returned") | ~Q(review_comment=""), name="progress_report_return_comment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.city} · {self.year}Q{self.quarter}"


class AnnualSummary(models.Model):
    """The annual summary (工作总结) of a plan: the figures are generated from the year's reports every time it is
    shown or exported (engine.summarise_year); only the text around them is stored here."""

    plan = models.OneToOneField(AnnualPlan, on_delete=models.CASCADE, related_name="summary", verbose_name=_("plan"))
    introduction = models.TextField(_("introduction"), blank=True)
    conclusion = models.TextField(_("conclusion and next steps"), blank=True)
    published = models.BooleanField(_("published"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-plan__year"]
        verbose_name = _("annual summary")
        verbose_name_plural = _("annual summaries")

    def __str__(self) -> str:
        return f"{self.plan.year} {_('annual summary')}"

    def get_absolute_url(self) -> str:
        return reverse("council:summary", args=[self.plan.year])
