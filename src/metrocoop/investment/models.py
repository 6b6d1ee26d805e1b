"""Investment coordination and benefit sharing (the paper's §四(二)2 区域招商合作规范, §四(四)3-4 合作园区,
§二(三) 跨区域利税分享与土地指标平衡, §三(一)3 有集群无协作).

Industry chains are trees: chain → segments (up/mid/downstream) → links, each link mapped to national industry
classification codes (GB/T 4754). Enterprises serve links; a link no member city's enterprise serves is a missing
link. Leads are shared across the area and conflicts decided by an explicit rule. Relocations and co-built parks
share tax revenue, GDP statistics and land quota by agreement, computed by `engine` and posted to the ledger.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrocoop.core.model_mixins import city_link, link_to, status_field, transfer_link, user_link
from metrocoop.core.models import BilingualNameMixin, City
from metrocoop.investment.choices import (
    ConflictStatus,
    CoordinationRule,
    LeadStatus,
    SegmentPosition,
    SizeBand,
)

code_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", _("Letters, digits, - and _ only."))


class Chain(BilingualNameMixin, models.Model):
    """A key industry chain of the area (产业链树状图, §四(二)2), e.g. 集成电路."""

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("industry chain")
        verbose_name_plural = _("industry chains")

    def __str__(self) -> str:
        return self.name_zh


class Segment(BilingualNameMixin, models.Model):
    """A segment of a chain at one position (上游/中游/下游), e.g. 设计 upstream of 集成电路."""

    chain = models.ForeignKey(Chain, on_delete=models.CASCADE, related_name="segments", verbose_name=_("chain"))
    position = models.CharField(_("position"), max_length=12, choices=SegmentPosition.choices)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["chain", "sort_order", "pk"]
        verbose_name = _("chain segment")
        verbose_name_plural = _("chain segments")

    def __str__(self) -> str:
        return f"{self.chain} · {self.name_zh}"


class Link(BilingualNameMixin, models.Model):
    """A link of a chain (产业链环节), mapped to GB/T 4754 classification codes (e.g. ["3973"])."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="links", verbose_name=_("segment"))
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)
    industry_codes = models.JSONField(
        _("GB/T 4754 codes"), default=list, blank=True, help_text=_("National industry classification codes")
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["segment__chain", "segment__sort_order", "sort_order", "pk"]
        verbose_name = _("chain link")
        verbose_name_plural = _("chain links")

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class Enterprise(BilingualNameMixin, models.Model):
    """An enterprise of a member city and the chain links it serves (the basis of the missing-link analysis)."""

    name_zh = models.CharField(_("Chinese name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    city = city_link()
    links = models.ManyToManyField(Link, blank=True, related_name="enterprises", verbose_name=_("links served"))
    size_band = models.CharField(_("size band"), max_length=8, choices=SizeBand.choices)
    credit_code_warning = models.CharField(_("credit code warning"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["city__sort_order", "name_zh"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name_zh


class Lead(models.Model):
    """A shared investment lead (招商信息): a city pursues a target enterprise for a link; visible to the area."""

    city = city_link()
    target_name = models.CharField(_("target enterprise"), max_length=200)
    target_credit_code = models.CharField(_("target's credit code"), max_length=18, blank=True)
    target_country = models.CharField(_("target's country or region"), max_length=60, blank=True)
    target_key = models.CharField(_("target key"), max_length=220, editable=False, db_index=True)
    link = models.ForeignKey(Link, on_delete=models.PROTECT, related_name="leads", verbose_name=_("chain link"))
    status = status_field(LeadStatus, max_length=10, default=LeadStatus.ACTIVE)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    conflict = link_to("LeadConflict", _("conflict"), on_delete=models.SET_NULL, related_name="leads", optional=True)
    registered_by = user_link()
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)

    class Meta:
        ordering = ["-registered_at", "-pk"]
        verbose_name = _("investment lead")
        verbose_name_plural = _("investment leads")

    def __str__(self) -> str:
        return f"{self.city.code}: {self.target_name}"


class LeadConflict(models.Model):
    """Two or more cities pursue the same target (招商信息沟通): all are told, and the coordination rule (engine.
    decide_lead: office decision, else the city lacking the link, else first registered) names who leads."""

    target_key = models.CharField(_("target key"), max_length=220, unique=True)
    target_name = models.CharField(_("target enterprise"), max_length=200)
    status = status_field(ConflictStatus, max_length=10, default=ConflictStatus.OPEN)
    rule = models.CharField(_("coordination rule"), max_length=20, choices=CoordinationRule.choices)
    leading = link_to(Lead, _("leading lead"), on_delete=models.SET_NULL, optional=True)
    office_choice = link_to(Lead, _("office decision"), on_delete=models.SET_NULL, optional=True)
    explanation = models.JSONField(_("explanation"), default=list, blank=True)
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now)
    decided_at = models.DateTimeField(_("time of decision"), null=True, blank=True)

    class Meta:
        ordering = ["-detected_at"]
        verbose_name = _("lead conflict")
        verbose_name_plural = _("lead conflicts")

    def __str__(self) -> str:
        return self.target_name


class PromotionEvent(models.Model):
    """A joint overseas investment-promotion event (海外联合招商), organised by one city with partners."""

    title = models.CharField(_("title"), max_length=200)
    host_city = city_link(_("organising city"))
    partner_cities = models.ManyToManyField(City, blank=True, related_name="+", verbose_name=_("partner cities"))
    chains = models.ManyToManyField(Chain, blank=True, related_name="events", verbose_name=_("chains"))
    country = models.CharField(_("country or region"), max_length=60)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    held_on = models.DateField(_("event date"))
    note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("joint promotion event")
        verbose_name_plural = _("joint promotion events")

    def __str__(self) -> str:
        return self.title


class SharingRule(models.Model):
    """The relocation tax-sharing rule (跨区域利税分享, in the manner of 财预〔2015〕92号), in force from a date: the
    origin city's share of the moved firm's local tax for N years, capped, extendable when the cap is not reached."""

    name = models.CharField(_("name"), max_length=150)
    valid_from = models.DateField(_("in force from"), unique=True)
    origin_share = models.DecimalField(_("origin's share"), max_digits=5, decimal_places=4)
    years = models.PositiveSmallIntegerField(_("years"))
    extension_years = models.PositiveSmallIntegerField(_("extension years"), default=0)
    cap_years_before = models.PositiveSmallIntegerField(
        _("cap: taxes of years before moving"), default=3, help_text=_("0: no cap")
    )

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("relocation sharing rule")
        verbose_name_plural = _("relocation sharing rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(origin_share__gte=0) & Q(origin_share__lte=1), name="sharingrule_share_0_1"
            ),
            models.CheckConstraint(condition=Q(years__gte=1), name="sharingrule_years_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Relocation(models.Model):
    """An enterprise moving between member cities (企业迁移, 安商稳商): the origin is notified and the rule in force
    on the move date applies to the firm's local tax in the destination."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="relocations")
    origin = city_link(_("moving-out city"))
    destination = city_link(_("destination city"))
    moved_on = models.DateField(_("moved on"))
    first_sharing_year = models.PositiveSmallIntegerField(_("first sharing year"))
    rule = models.ForeignKey(SharingRule, on_delete=models.PROTECT, related_name="relocations", verbose_name=_("rule"))
    cap_basis_fen = models.BigIntegerField(
        _("taxes paid before moving (fen)"), null=True, blank=True, help_text=_("The cap of the origin's share")
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    registered_by = user_link()
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)

    class Meta:
        ordering = ["-moved_on", "-pk"]
        verbose_name = _("relocation")
        verbose_name_plural = _("relocations")
        constraints = [
            models.CheckConstraint(condition=~Q(origin=F("destination")), name="relocation_two_cities"),
            models.CheckConstraint(
                condition=Q(cap_basis_fen__isnull=True) | Q(cap_basis_fen__gte=0), name="relocation_cap_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.origin.code}→{self.destination.code}"


class RelocationTaxYear(models.Model):
    """The moved firm's local tax in the destination for one year, entered by the destination city; the origin's
    share is computed by the rule and posted to the ledger."""

    relocation = models.ForeignKey(Relocation, on_delete=models.PROTECT, related_name="tax_years")
    year = models.PositiveSmallIntegerField(_("year"))
    tax_fen = models.BigIntegerField(_("local tax (fen)"))
    origin_fen = models.BigIntegerField(_("origin's share (fen)"), default=0)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)
    transfer = transfer_link(_("transfer"), optional=True)
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        ordering = ["relocation", "year"]
        verbose_name = _("relocated firm's tax year")
        verbose_name_plural = _("relocated firms' tax years")
        constraints = [
            models.UniqueConstraint(fields=["relocation", "year"], name="relocationtaxyear_once"),
            models.CheckConstraint(condition=Q(tax_fen__gte=0), name="relocationtaxyear_tax_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.relocation} {self.year}"


class Park(BilingualNameMixin, models.Model):
    """A co-built park (合作园区/飞地, §四(四)3-4): the host city where it lies and the partner city that co-builds it;
    the agreement's phases (ParkPhase) share local tax, GDP statistics and land quota."""

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name_zh = models.CharField(_("Chinese name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=200)
    host = city_link(_("host city"))
    partner = city_link(_("partner city"))
    agreement_title = models.CharField(_("agreement"), max_length=200, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("co-built park")
        verbose_name_plural = _("co-built parks")
        constraints = [models.CheckConstraint(condition=~Q(host=F("partner")), name="park_two_cities")]

    def __str__(self) -> str:
        return self.name_zh


class ParkPhase(models.Model):
    """One phase of a park agreement: from a year to a year (open-ended when empty), integer weights of host and
    partner for each item (e.g. tax 6 : 4)."""

    park = models.ForeignKey(Park, on_delete=models.CASCADE, related_name="phases", verbose_name=_("park"))
    start_year = models.PositiveSmallIntegerField(_("from year"))
    end_year = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    tax_host = models.PositiveIntegerField(_("tax: host weight"))
    tax_partner = models.PositiveIntegerField(_("tax: partner weight"))
    gdp_host = models.PositiveIntegerField(_("GDP: host weight"))
    gdp_partner = models.PositiveIntegerField(_("GDP: partner weight"))
    land_host = models.PositiveIntegerField(_("land quota: host weight"))
    land_partner = models.PositiveIntegerField(_("land quota: partner weight"))

    class Meta:
        ordering = ["park", "start_year"]
        verbose_name = _("park agreement phase")
        verbose_name_plural = _("park agreement phases")
        constraints = [
            models.UniqueConstraint(fields=["park", "start_year"], name="parkphase_start_once"),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=F("start_year")), name="parkphase_years_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.park} {self.start_year}–{self.end_year or ''}"


class ParkYear(models.Model):
    """A park's figures for one year, entered by the host: local tax (fen), GDP (fen) and land quota used (m²).
    Posting computes each side's share and moves the partner's tax share through the ledger, once."""

    park = models.ForeignKey(Park, on_delete=models.PROTECT, related_name="years", verbose_name=_("park"))
    year = models.PositiveSmallIntegerField(_("year"))
    tax_fen = models.BigIntegerField(_("local tax revenue (fen)"))
    gdp_fen = models.BigIntegerField(_("GDP (fen)"))
    land_quota_m2 = models.BigIntegerField(_("land-use quota (m²)"))
    shares = models.JSONField(_("shares"), default=dict, blank=True)
    transfer = transfer_link(_("transfer"), optional=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    entered_by = user_link()
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        ordering = ["park", "year"]
        verbose_name = _("park year")
        verbose_name_plural = _("park years")
        constraints = [
            models.UniqueConstraint(fields=["park", "year"], name="parkyear_once"),
            models.CheckConstraint(
                condition=Q(tax_fen__gte=0) & Q(gdp_fen__gte=0) & Q(land_quota_m2__gte=0),
                name="parkyear_figures_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.park} {self.year}"


class LandQuotaTransfer(models.Model):
    """Land-use quota moved between two cities (土地利用指标平衡, §二(三)) for agreed compensation, which the receiving
    city pays the giving city through the ledger."""

    park = link_to(Park, _("park"), related_name="land_transfers", optional=True)
    from_city = city_link(_("giving city"))
    to_city = city_link(_("receiving city"))
    quota_m2 = models.BigIntegerField(_("quota (m²)"))
    compensation_fen = models.BigIntegerField(_("compensation (fen)"))
    agreed_on = models.DateField(_("agreed on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    transfer = transfer_link(_("transfer"), optional=True)
    registered_by = user_link()

    class Meta:
        ordering = ["-agreed_on", "-pk"]
        verbose_name = _("land-quota transfer")
        verbose_name_plural = _("land-quota transfers")
        constraints = [
            models.CheckConstraint(condition=~Q(from_city=F("to_city")), name="landquota_two_cities"),
            models.CheckConstraint(condition=Q(quota_m2__gt=0), name="landquota_quota_positive"),
            models.CheckConstraint(condition=Q(compensation_fen__gt=0), name="landquota_compensation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.from_city.code}→{self.to_city.code} {self.quota_m2} m²"
