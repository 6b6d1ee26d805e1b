"""Indicators and yearly observations per city: the development gaps of §二(二) and 表1 of the paper."""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from metrocoop.core.models import BilingualNameMixin, City


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
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="observations", verbose_name=_("city"))
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    source = models.CharField(_("source"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    derived = models.BooleanField(_("derived"), default=False)
    formula = models.CharField(_("formula"), max_length=300, blank=True)

    class Meta:
        ordering = ["indicator__sort_order", "year", "city__sort_order"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "city", "year"], name="observation_unique_per_year"),
            models.CheckConstraint(condition=~Q(derived=True) | ~Q(formula=""), name="observation_derived_has_formula"),
        ]

    def __str__(self) -> str:
        return f"{self.city} {self.year} {self.indicator}: {self.value}"
