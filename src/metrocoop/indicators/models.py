"""Indicators and yearly observations per city: the development gaps of §二(二) and 表1 of the paper."""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from metrocoop.core.model_mixins import city_link, link_to, user_link
from metrocoop.core.models import BilingualNameMixin
from metrocoop.indicators.choices import FlowKind, FlowZone, Sector, ShareBasis, ValueKind


class Indicator(BilingualNameMixin, models.Model):
    """An indicator of the catalogue (GDP, per-capita budget revenue, …) with its unit and direction."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)
    unit_zh = models.CharField(_("unit (Chinese)"), max_length=30)
    unit_en = models.CharField(_("unit (English)"), max_length=40)
    domain = models.CharField(_("domain"), max_length=40, default="economy")
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    decimals = models.PositiveSmallIntegerField(_("decimals shown"), default=2)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    value_kind = models.CharField(
        _("value kind"),
        max_length=12,
        choices=ValueKind.choices,
        default=ValueKind.PER_CAPITA,
        help_text=_("Per capita or total: decides how the population-weighted measures treat the values"),
    )
    allow_negative = models.BooleanField(
        _("negative values possible"), default=False, help_text=_("A negative GDP or population is impossible")
    )

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name_zh

    @property
    def unit(self) -> str:
        return self.unit_en if (get_language() or "").startswith("en") else self.unit_zh


class Observation(models.Model):
    """One city's value of one indicator in one year, reported or derived (with the formula that derived it)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="observations", verbose_name=_("indicator")
    )
    city = city_link(related_name="observations")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    unit = models.CharField(_("unit as reported"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    derived = models.BooleanField(_("derived"), default=False)
    formula = models.CharField(_("formula"), max_length=300, blank=True)
    import_batch = link_to(
        "ObservationImport", _("import"), on_delete=models.SET_NULL, related_name="observations", optional=True
    )

    class Meta:
        ordering = ["indicator__sort_order", "year", "city__sort_order"]
        indexes = [models.Index(fields=["indicator", "year"], name="observation_indicator_year")]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "city", "year"], name="observation_unique_per_year"),
            models.CheckConstraint(condition=~Q(derived=True) | ~Q(formula=""), name="observation_derived_has_formula"),
        ]

    def __str__(self) -> str:
        return f"{self.city} {self.year} {self.indicator}: {self.value}"


class ObservationImport(models.Model):
    """One accepted spreadsheet import of observations (all-or-nothing; a rejected file leaves no row)."""

    file_name = models.CharField(_("file name"), max_length=200)
    layout = models.CharField(_("layout"), max_length=10)
    year = models.PositiveSmallIntegerField(_("year (wide layout)"), null=True, blank=True)
    replace = models.BooleanField(_("replace existing values"), default=False)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    replaced = models.PositiveIntegerField(_("replaced"), default=0)
    imported_by = user_link(_("imported by"))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("observation import")
        verbose_name_plural = _("observation imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows})"


class SectorValue(models.Model):
    """A city's value added of one sector in one year: the input of the structure engine (产业同构, §三(一)3)."""

    city = city_link(related_name="sector_values")
    year = models.PositiveSmallIntegerField(_("year"))
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    unit = models.CharField(_("unit"), max_length=40, default="亿元")
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["year", "city__sort_order", "sector"]
        verbose_name = _("sector value")
        verbose_name_plural = _("sector values")
        constraints = [
            models.UniqueConstraint(fields=["city", "year", "sector"], name="sector_value_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="sector_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.city} {self.year} {self.sector}: {self.value}"


class CommutingFlow(models.Model):
    """An origin–destination commuting flow between member cities (表2, §三(二)): a count of people, or a share
    of a total. Shares and counts are different quantities and the engine never mixes them."""

    origin = city_link(_("origin"))
    destination = city_link(_("destination"))
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=10, choices=FlowKind.choices)
    basis = models.CharField(_("share of"), max_length=12, choices=ShareBasis.choices, blank=True)
    zone = models.CharField(_("Shanghai zone"), max_length=20, choices=FlowZone.choices, default=FlowZone.MUNICIPALITY)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["year", "kind", "basis", "zone", "origin__sort_order", "destination__sort_order"]
        verbose_name = _("commuting flow")
        verbose_name_plural = _("commuting flows")
        constraints = [
            models.UniqueConstraint(
                fields=["origin", "destination", "year", "kind", "basis", "zone"], name="commuting_flow_unique"
            ),
            models.CheckConstraint(
                condition=(Q(kind="share") & ~Q(basis="") & Q(value__gte=0) & Q(value__lte=100))
                | (Q(kind="count") & Q(basis="") & Q(value__gte=0)),
                name="commuting_flow_kind_consistent",
            ),
            models.CheckConstraint(condition=~Q(origin=models.F("destination")), name="commuting_flow_two_cities"),
        ]

    def __str__(self) -> str:
        return f"{self.origin}→{self.destination} {self.year} {self.kind} {self.value}"


class UrbanFunction(BilingualNameMixin, models.Model):
    """A function of the unified positioning framework (目标定位, §二(一) and §三(二)1)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("urban function")
        verbose_name_plural = _("urban functions")

    def __str__(self) -> str:
        return self.name_zh


class PositioningStatement(models.Model):
    """A city's positioning statement (a plan, the paper's quotation) tagged with the functions it claims."""

    city = city_link(related_name="positioning_statements")
    ref = models.CharField(_("reference"), max_length=60)
    text = models.TextField(_("statement"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    functions = models.ManyToManyField(UrbanFunction, related_name="statements", verbose_name=_("functions"))

    class Meta:
        ordering = ["city__sort_order", "ref"]
        verbose_name = _("positioning statement")
        verbose_name_plural = _("positioning statements")
        constraints = [models.UniqueConstraint(fields=["city", "ref"], name="positioning_statement_unique_ref")]

    def __str__(self) -> str:
        return f"{self.city} {self.ref}"
