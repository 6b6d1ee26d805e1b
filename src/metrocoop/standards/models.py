"""Standards and mutual recognition (§四(二)1 区域一体化标准体系: 标准统一和结果互认, 重点标准目录, 区域标准化联合组织;
§二(四) 区域治理标准和规范不一致).

- `Standard`: the catalogue (GB, GB/T, DB31/32/33, regional unified DB31/T 310001-style, group standards), with
  what replaces what; `KeyStandard`: the key-standard list (重点标准目录) the regional standardisation body keeps.
- `Parameter` and `LimitValue`: one quantity (COD, NH3-N, TP…) and, per city and category, the value it applies,
  in the unit it was written in and the standard that sets it; `LimitRevision` keeps every superseded value.
- `RecognitionType` and `Recognition`: results of one type issued in one city recognised in another, on a basis
  from the policy library, for a scope, under conditions, between two dates. Never transitive.
- `UnificationProposal` and `ProposalSignature`: work to unify a standard or recognise a result, proposed →
  drafting → consultation (a policy-library consultation) → adopted, with the cities that signed.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from metrocoop.core.model_mixins import DetailPageMixin, city_link, link_to, status_field, user_link
from metrocoop.core.models import BilingualNameMixin
from metrocoop.standards.choices import (
    LimitType,
    ProposalKind,
    ProposalStatus,
    QuantityKind,
    StandardDomain,
    StandardLevel,
    StandardStatus,
)


class Standard(DetailPageMixin, BilingualNameMixin, models.Model):
    """One standard of the catalogue the regional standardisation body keeps (§四(二)1 重点标准目录)."""

    code = models.CharField(_("code"), max_length=60, unique=True, help_text=_("e.g. GB 18918-2002, DB31/199-2018"))
    name_zh = models.CharField(_("Chinese title"), max_length=300)
    name_en = models.CharField(_("English title"), max_length=300, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=StandardLevel.choices)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    domain = models.CharField(_("domain"), max_length=16, choices=StandardDomain.choices, default=StandardDomain.OTHER)
    issued_on = models.DateField(_("issue date"), null=True, blank=True)
    effective_on = models.DateField(_("effective date"), null=True, blank=True)
    status = status_field(StandardStatus, max_length=12, default=StandardStatus.IN_FORCE)
    status_since = models.DateField(_("status since"), null=True, blank=True)
    replaces = link_to("self", _("replaces"), on_delete=models.SET_NULL, related_name="replaced_by_set", optional=True)
    text = models.TextField(_("text or summary"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="standards/%Y/", blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    illustrative = models.BooleanField(_("illustrative"), default=False, help_text=_("Demo data not from a source"))
    incomplete = models.BooleanField(
        _("to be completed"), default=False, help_text=_("Created from an import by its code only")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    detail_url_name = "standards:standard"

    class Meta:
        ordering = ["code"]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        constraints = [models.CheckConstraint(condition=~Q(replaces=F("id")), name="standard_not_replacing_itself")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def replaced_by(self) -> Standard | None:
        return self.replaced_by_set.order_by("effective_on", "pk").first()


class KeyStandard(models.Model):
    """An entry of the key-standard list (重点标准目录) kept by the regional standardisation body."""

    standard = models.OneToOneField(
        Standard, on_delete=models.CASCADE, related_name="key_entry", verbose_name=_("standard")
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=1)
    reason = models.CharField(_("why it is a key standard"), max_length=500, blank=True)
    listed_on = models.DateField(_("listed on"))

    class Meta:
        ordering = ["priority", "standard__code"]
        verbose_name = _("key standard")
        verbose_name_plural = _("key standards")

    def __str__(self) -> str:
        return str(self.standard)


class Parameter(DetailPageMixin, BilingualNameMixin, models.Model):
    """A quantity whose limit the cities set (COD, NH3-N, TP, dissolved oxygen, pH…): a maximum or a minimum."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    kind = models.CharField(_("kind of quantity"), max_length=20, choices=QuantityKind.choices)
    limit_type = models.CharField(_("limit type"), max_length=3, choices=LimitType.choices)
    unit = models.CharField(
        _("common unit"),
        max_length=30,
        blank=True,
        help_text=_("Unit values are compared in; empty: the unit most values are written in"),
    )
    domain = models.CharField(_("domain"), max_length=16, choices=StandardDomain.choices, default=StandardDomain.OTHER)
    description = models.TextField(_("description"), blank=True)

    detail_url_name = "standards:parameter"
    detail_url_field = "code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("parameter")
        verbose_name_plural = _("parameters")

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class LimitValue(models.Model):
    """The value one city applies to one parameter in one category (e.g. 城镇污水处理厂 一级A), in the unit it was
    written in, and the standard that sets it. The current value; earlier ones are `LimitRevision`s."""

    parameter = models.ForeignKey(
        Parameter, on_delete=models.PROTECT, related_name="limits", verbose_name=_("parameter")
    )
    city = city_link()
    category = models.CharField(_("category"), max_length=100, blank=True)
    value = models.FloatField(_("value"))
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    standard = link_to(Standard, _("standard"), related_name="limits", optional=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    illustrative = models.BooleanField(_("illustrative"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["parameter", "category", "city__sort_order", "city__code"]
        verbose_name = _("limit value")
        verbose_name_plural = _("limit values")
        constraints = [
            models.UniqueConstraint(fields=["parameter", "city", "category"], name="limitvalue_one_per_city_category")
        ]

    def __str__(self) -> str:
        return f"{self.parameter.code} {self.city.code} {self.category}: {self.value:g} {self.unit}"


class LimitRevision(models.Model):
    """A value a city applied before it changed it: kept, never overwritten (history per parameter)."""

    limit = models.ForeignKey(LimitValue, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("limit"))
    value = models.FloatField(_("value"))
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    standard = link_to(Standard, _("standard"), optional=True)
    applied_since = models.DateTimeField(_("applied since"))
    superseded_at = models.DateTimeField(_("superseded at"), auto_now_add=True)
    superseded_by = user_link(_("changed by"), null=True)

    class Meta:
        ordering = ["limit", "-superseded_at", "-id"]
        verbose_name = _("superseded limit value")
        verbose_name_plural = _("superseded limit values")

    def __str__(self) -> str:
        return f"{self.limit_id}: {self.value:g} {self.unit}"


class RecognitionType(DetailPageMixin, BilingualNameMixin, models.Model):
    """A kind of qualification or result the cities may recognise (high-tech enterprise, talent category,
    professional title, inspection/testing result, care-level assessment…)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    domain = models.CharField(_("domain"), max_length=16, choices=StandardDomain.choices, default=StandardDomain.OTHER)
    description = models.TextField(_("description"), blank=True)

    detail_url_name = "standards:matrix"
    detail_url_field = "code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("recognition type")
        verbose_name_plural = _("recognition types")

    def __str__(self) -> str:
        return self.name_zh


class Recognition(models.Model):
    """Results of one type issued in `issuing_city` are recognised in `recognising_city` (which keeps the row),
    on a basis, for a scope, under conditions, from/to (inclusive). A→B and B→C never give A→C."""

    type = models.ForeignKey(
        RecognitionType, on_delete=models.PROTECT, related_name="recognitions", verbose_name=_("type")
    )
    issuing_city = city_link(_("issuing city"))
    recognising_city = city_link(_("recognising city"))
    basis = link_to("policies.PolicyDocument", _("basis document"), optional=True)
    basis_note = models.CharField(_("basis"), max_length=300, blank=True, help_text=_("Agreement or policy named"))
    scope = models.CharField(_("scope"), max_length=500, blank=True)
    conditions = models.CharField(_("conditions"), max_length=500, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    illustrative = models.BooleanField(_("illustrative"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["type", "issuing_city__sort_order", "recognising_city__sort_order", "valid_from"]
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        constraints = [
            models.CheckConstraint(condition=~Q(issuing_city=F("recognising_city")), name="recognition_two_cities"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="recognition_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type.code}: {self.issuing_city.code} → {self.recognising_city.code}"


class UnificationProposal(DetailPageMixin, models.Model):
    """Work to unify a standard or recognise a result across the cities (§四(二)1 标准统一和结果互认):
    proposed → drafting → consultation (the policy library's consultation) → adopted, with the signing cities."""

    kind = models.CharField(_("kind"), max_length=20, choices=ProposalKind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    domain = models.CharField(_("domain"), max_length=16, choices=StandardDomain.choices, default=StandardDomain.OTHER)
    lead_city = city_link(_("lead city"))
    # what the proposal is about: a parameter, a standard or a type of result (each kept if it is removed)
    parameter = link_to(Parameter, _("parameter"), on_delete=models.SET_NULL, optional=True)
    standard = link_to(Standard, _("standard"), on_delete=models.SET_NULL, optional=True)
    recognition_type = link_to(RecognitionType, _("recognition type"), on_delete=models.SET_NULL, optional=True)
    draft = models.TextField(_("draft text"), blank=True, help_text=_("One clause per line"))
    status = status_field(ProposalStatus, max_length=12, default=ProposalStatus.PROPOSED)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    consultation = link_to("policies.Consultation", _("consultation"), optional=True)
    adopted_standard = link_to(Standard, _("adopted standard"), on_delete=models.SET_NULL, optional=True)
    illustrative = models.BooleanField(_("illustrative"), default=False)
    created_by = user_link(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    detail_url_name = "standards:proposal"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("unification proposal")
        verbose_name_plural = _("unification proposals")

    def __str__(self) -> str:
        return self.title


class ProposalSignature(models.Model):
    """A city signing a unification proposal (its liaison, or the office for it)."""

    proposal = models.ForeignKey(
        UnificationProposal, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("proposal")
    )
    city = city_link()
    signed_on = models.DateField(_("signed on"))
    signed_by = user_link(_("signed by"))

    class Meta:
        ordering = ["proposal", "city__sort_order"]
        verbose_name = _("proposal signature")
        verbose_name_plural = _("proposal signatures")
        constraints = [models.UniqueConstraint(fields=["proposal", "city"], name="proposalsignature_once_per_city")]

    def __str__(self) -> str:
        return f"{self.proposal_id} · {self.city.code}"
