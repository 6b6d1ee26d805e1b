"""Forms of the investment pages (Django forms; amounts in yuan on the page, integer fen in the services)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from metrocoop.core.forms import HouseFormMixin, IsoDateInput
from metrocoop.core.models import City
from metrocoop.investment.choices import SizeBand
from metrocoop.investment.models import Chain, Enterprise, Lead, Link


def fen(value: Decimal | None) -> int | None:
    """Yuan with at most two decimals → integer fen, exactly."""
    return None if value is None else int((value * 100).to_integral_value())


class BootstrapMixin(HouseFormMixin):
    field_size = "sm"


def yuan_field(label, **kwargs):
    return forms.DecimalField(label=label, max_digits=16, decimal_places=2, min_value=0, **kwargs)


class CreditCodeCheckForm(BootstrapMixin, forms.Form):
    codes = forms.CharField(
        label=_("Credit codes, one per line"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class EnterpriseForm(BootstrapMixin, forms.Form):
    name_zh = forms.CharField(label=_("Chinese name"), max_length=150)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    credit_code = forms.CharField(label=_("unified social credit code"), max_length=18, min_length=18)
    city = forms.ModelChoiceField(queryset=City.objects.none(), label=_("city"))
    links = forms.ModelMultipleChoiceField(
        queryset=Link.objects.select_related("segment__chain"), label=_("links served"), required=False
    )
    size_band = forms.ChoiceField(choices=SizeBand.choices, label=_("size band"))

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = City.objects.filter(pk__in=[c.pk for c in cities])
        self.fields["links"].widget.attrs["size"] = 6


class LeadForm(BootstrapMixin, forms.Form):
    city = forms.ModelChoiceField(queryset=City.objects.none(), label=_("city"))
    target_name = forms.CharField(label=_("target enterprise"), max_length=200)
    target_credit_code = forms.CharField(label=_("target's credit code"), max_length=18, required=False)
    target_country = forms.CharField(label=_("target's country or region"), max_length=60, required=False)
    link = forms.ModelChoiceField(queryset=Link.objects.select_related("segment__chain"), label=_("chain link"))
    note = forms.CharField(label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = City.objects.filter(pk__in=[c.pk for c in cities])


class DecideForm(BootstrapMixin, forms.Form):
    lead = forms.ModelChoiceField(queryset=Lead.objects.none(), label=_("leading city"))

    def __init__(self, *args, conflict=None, **kwargs):
        super().__init__(*args, **kwargs)
        if conflict is not None:
            self.fields["lead"].queryset = conflict.leads.filter(status="active").select_related("city")
            self.fields["lead"].label_from_instance = lambda lead: f"{lead.city.name} · {lead.target_name}"


class RelocationForm(BootstrapMixin, forms.Form):
    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.select_related("city"), label=_("enterprise"))
    destination = forms.ModelChoiceField(queryset=City.objects.none(), label=_("destination city"))
    moved_on = forms.DateField(label=_("moved on"), widget=IsoDateInput())
    first_sharing_year = forms.IntegerField(
        label=_("first sharing year"), min_value=2000, max_value=2100, required=False
    )
    cap_basis_yuan = yuan_field(_("taxes paid before moving (yuan)"), required=False)
    note = forms.CharField(label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination"].queryset = City.objects.filter(pk__in=[c.pk for c in cities])


class TaxYearForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    tax_yuan = yuan_field(_("local tax (yuan)"))


class ParkYearForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    tax_yuan = yuan_field(_("local tax revenue (yuan)"))
    gdp_yuan = yuan_field(_("GDP (yuan)"))
    land_quota_m2 = forms.IntegerField(label=_("land-use quota (m²)"), min_value=0)


class EventForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    host_city = forms.ModelChoiceField(queryset=City.objects.none(), label=_("organising city"))
    partner_cities = forms.ModelMultipleChoiceField(
        queryset=City.objects.current_members(), label=_("partner cities"), required=False
    )
    chains = forms.ModelMultipleChoiceField(queryset=Chain.objects.all(), label=_("chains"), required=False)
    country = forms.CharField(label=_("country or region"), max_length=60)
    venue = forms.CharField(label=_("venue"), max_length=200, required=False)
    held_on = forms.DateField(label=_("event date"), widget=IsoDateInput())

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_city"].queryset = City.objects.filter(pk__in=[c.pk for c in cities])


class LandTransferForm(BootstrapMixin, forms.Form):
    from_city = forms.ModelChoiceField(queryset=City.objects.current_members(), label=_("giving city"))
    to_city = forms.ModelChoiceField(queryset=City.objects.current_members(), label=_("receiving city"))
    quota_m2 = forms.IntegerField(label=_("quota (m²)"), min_value=1)
    compensation_yuan = forms.DecimalField(
        label=_("compensation (yuan)"), max_digits=16, decimal_places=2, min_value=Decimal("0.01")
    )
    agreed_on = forms.DateField(label=_("agreed on"), widget=IsoDateInput())
    note = forms.CharField(label=_("note"), max_length=300, required=False)
