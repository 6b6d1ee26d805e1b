"""The two joint funds of the paper (§四(五)3 上海大都市圈投资开发基金, §四(五)4 奖励扶持基金 and the 考核机制):
rules versioned by year, contributions and their payment, the project pipeline of the investment-development fund,
and the assessment cycle of the reward-support fund. Every amount moves as a ledger transfer (ledger app) and keeps
the engine result that explains it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrocoop.core.model_mixins import city_link, link_to, status_field, transfer_link, user_link
from metrocoop.core.models import BilingualNameMixin, City
from metrocoop.funds.choices import CycleStatus, FundKind, ProjectCategory, ProjectStatus


class Fund(BilingualNameMixin, models.Model):
    """One of the joint funds; its money is the balance of its ledger account."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=FundKind.choices, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)
    purpose = models.TextField(_("purpose"), blank=True)
    account = models.OneToOneField(
        "ledger.Account", on_delete=models.PROTECT, related_name="fund", verbose_name=_("ledger account")
    )

    class Meta:
        ordering = ["kind"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")

    def __str__(self) -> str:
        return self.name_zh


class FundRule(models.Model):
    """The rules of a fund for one year. A change is a new version; the highest version of a year is in force,
    and results keep the version they were computed with."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="rules", verbose_name=_("fund"))
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    contribution = models.JSONField(
        _("contribution rule"),
        default=dict,
        help_text=_("target_fen, basis_year, base_weight, gdp_weight, revenue_weight, floor_fen, cap_fen"),
    )
    assessment = models.JSONField(
        _("assessment rule"),
        default=dict,
        blank=True,
        help_text=_("weights, lower_is_better, unrated_quality, payout and assistance rules (reward fund)"),
    )
    projects = models.JSONField(
        _("project rule"), default=dict, blank=True, help_text=_("max_request_fen, min_cities (investment fund)")
    )
    note = models.TextField(_("note"), blank=True)
    created_by = user_link()
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["fund", "-year", "-version"]
        verbose_name = _("fund rule")
        verbose_name_plural = _("fund rules")
        constraints = [models.UniqueConstraint(fields=["fund", "year", "version"], name="fund_rule_version_unique")]

    def __str__(self) -> str:
        return f"{self.fund} {self.year} v{self.version}"


class ContributionCall(models.Model):
    """The contributions one fund asks of the member cities for a year, computed by the rule in force and kept with
    the engine's explanation; issuing it creates one notice per city."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="calls", verbose_name=_("fund"))
    year = models.PositiveSmallIntegerField(_("year"))
    rule = models.ForeignKey(FundRule, on_delete=models.PROTECT, related_name="calls", verbose_name=_("rule"))
    target_fen = models.BigIntegerField(_("target (fen)"))
    computation = models.JSONField(_("computation"), default=dict)
    due_on = models.DateField(_("due on"))
    issued_by = user_link()
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        ordering = ["-year", "fund"]
        verbose_name = _("contribution call")
        verbose_name_plural = _("contribution calls")
        constraints = [
            models.UniqueConstraint(fields=["fund", "year"], name="contribution_call_once_a_year"),
            models.CheckConstraint(condition=Q(target_fen__gt=0), name="contribution_call_target_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.fund} {self.year}"


class ContributionNotice(models.Model):
    """What one city owes one fund for a year (出资通知)."""

    call = models.ForeignKey(ContributionCall, on_delete=models.PROTECT, related_name="notices")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="contribution_notices")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    explanation = models.JSONField(_("explanation"), default=dict)

    class Meta:
        ordering = ["call", "city__sort_order"]
        verbose_name = _("contribution notice")
        verbose_name_plural = _("contribution notices")
        constraints = [
            models.UniqueConstraint(fields=["call", "city"], name="contribution_notice_unique"),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="contribution_notice_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.call} · {self.city}"

    @property
    def paid_fen(self) -> int:
        cached = getattr(self, "_paid_fen", None)
        if cached is not None:
            return cached
        return self.payments.aggregate(total=Sum("amount_fen"))["total"] or 0

    @property
    def arrears_fen(self) -> int:
        return self.amount_fen - self.paid_fen


class ContributionPayment(models.Model):
    """Money a city paid into a fund against its notice; `transfer` is the ledger posting (city → fund)."""

    notice = models.ForeignKey(ContributionNotice, on_delete=models.PROTECT, related_name="payments")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    transfer = transfer_link()
    recorded_by = user_link()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("contribution payment")
        verbose_name_plural = _("contribution payments")
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="contribution_payment_positive")]

    def __str__(self) -> str:
        return f"{self.notice} {self.amount_fen}"


class Project(models.Model):
    """A cross-region project applying to the investment-development fund (§四(五)3): application → eligibility →
    expert review → council decision → disbursement in tranches against milestones → completion."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="projects", verbose_name=_("fund"))
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=ProjectCategory.choices)
    description = models.TextField(_("description"), blank=True)
    lead_city = city_link(_("lead city"), related_name="led_fund_projects")
    partner_cities = models.ManyToManyField(
        City, blank=True, related_name="fund_projects", verbose_name=_("partner cities")
    )
    requested_fen = models.BigIntegerField(_("requested (fen)"))
    status = status_field(ProjectStatus, max_length=14, default=ProjectStatus.SUBMITTED)
    eligibility = models.JSONField(_("eligibility check"), default=dict, blank=True)
    decision = link_to("council.Resolution", _("council resolution"), related_name="fund_projects", optional=True)
    approved_fen = models.BigIntegerField(_("approved (fen)"), default=0)
    completion_report = models.TextField(_("completion report"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    submitted_by = user_link()
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(condition=Q(requested_fen__gt=0), name="project_request_positive"),
            models.CheckConstraint(condition=Q(approved_fen__gte=0), name="project_approved_non_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    def applicant_city_ids(self) -> set[int]:
        return {self.lead_city_id, *self.partner_cities.values_list("pk", flat=True)}


class ProjectReview(models.Model):
    """One expert's scores (0–100 per criterion) of one project. An expert from an applicant city may not review."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reviews")
    expert = user_link(related_name="fund_reviews")
    scores = models.JSONField(_("scores"), default=dict)
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        ordering = ["project", "submitted_at"]
        verbose_name = _("project review")
        verbose_name_plural = _("project reviews")
        constraints = [models.UniqueConstraint(fields=["project", "expert"], name="project_review_once_per_expert")]

    def __str__(self) -> str:
        return f"{self.project} · {self.expert}"


class Tranche(models.Model):
    """A part of an approved project's money, paid when its milestone is met (fund → lead city)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tranches")
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    milestone = models.CharField(_("milestone"), max_length=200)
    milestone_met_on = models.DateField(_("milestone met on"), null=True, blank=True)
    transfer = transfer_link(optional=True)
    disbursed_at = models.DateTimeField(_("disbursed at"), null=True, blank=True)

    class Meta:
        ordering = ["project", "sequence"]
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        constraints = [
            models.UniqueConstraint(fields=["project", "sequence"], name="tranche_sequence_unique"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="tranche_amount_positive"),
            models.CheckConstraint(
                condition=Q(transfer__isnull=True) | Q(milestone_met_on__isnull=False),
                name="tranche_paid_only_after_milestone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} #{self.sequence}"


class AssessmentCycle(models.Model):
    """The yearly assessment (考核) of the reward-support fund. Simulations store nothing; running the cycle is
    final: it stores each city's result and posts rewards, compensation and assistance to the ledger."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("fund"))
    year = models.PositiveSmallIntegerField(_("year"))
    rule = models.ForeignKey(FundRule, on_delete=models.PROTECT, related_name="cycles", verbose_name=_("rule"))
    status = status_field(CycleStatus, max_length=8, default=CycleStatus.DRAFT)
    inputs = models.JSONField(_("inputs"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    run_by = user_link(optional=True)
    run_at = models.DateTimeField(_("run at"), null=True, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("assessment cycle")
        verbose_name_plural = _("assessment cycles")
        constraints = [models.UniqueConstraint(fields=["fund", "year"], name="assessment_cycle_once_a_year")]

    def __str__(self) -> str:
        return f"{self.fund} {self.year}"


class QualityRating(models.Model):
    """An expert's rating (1–5) of the quality of a council work item in an assessment year."""

    cycle = models.ForeignKey(AssessmentCycle, on_delete=models.CASCADE, related_name="ratings")
    work_item = models.ForeignKey("council.WorkItem", on_delete=models.PROTECT, related_name="quality_ratings")
    expert = user_link()
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["cycle", "work_item"]
        verbose_name = _("quality rating")
        verbose_name_plural = _("quality ratings")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "work_item", "expert"], name="quality_rating_once"),
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="quality_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.work_item} {self.rating}"


class AssessmentResult(models.Model):
    """One city's outcome of a run cycle: score, rank, the breakdown by criterion and the amounts."""

    cycle = models.ForeignKey(AssessmentCycle, on_delete=models.PROTECT, related_name="results")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="assessment_results")
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=3)
    rank = models.PositiveSmallIntegerField(_("rank"))
    breakdown = models.JSONField(_("breakdown"), default=dict)
    reward_fen = models.BigIntegerField(_("reward (fen)"), default=0)
    compensation_fen = models.BigIntegerField(_("compensation (fen)"), default=0)
    assistance_fen = models.BigIntegerField(_("assistance (fen)"), default=0)

    class Meta:
        ordering = ["cycle", "rank", "city__code"]
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        constraints = [models.UniqueConstraint(fields=["cycle", "city"], name="assessment_result_once_per_city")]

    def __str__(self) -> str:
        return f"{self.cycle} {self.city} {self.score}"
