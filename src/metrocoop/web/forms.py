from django import forms

from metrocoop.core.forms import HouseModelForm
from metrocoop.core.models import City


class CityProfileForm(HouseModelForm):
    class Meta:
        model = City
        fields = list(City.PROFILE_FIELDS)
        widgets = {
            "description_zh": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "positioning": forms.Textarea(attrs={"rows": 3}),
            "contact": forms.Textarea(attrs={"rows": 2}),
        }
