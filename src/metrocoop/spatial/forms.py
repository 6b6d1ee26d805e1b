"""Forms of the spatial pages (labels above fields, errors beside them; every text bounded)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from metrocoop.spatial.choices import ConflictStatus
from metrocoop.spatial.models import ConflictRule


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=None, required=False, label=_("Assign to"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = candidates
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ModelChoiceField) else "form-control"
            )


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (ConflictStatus.RESOLVED, ConflictStatus.RESOLVED.label),
            (ConflictStatus.DISMISSED, ConflictStatus.DISMISSED.label),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label=_("How it was resolved"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class RuleForm(forms.ModelForm):
    class Meta:
        model = ConflictRule
        fields = ["name_zh", "name_en", "distance_m", "active"]
        widgets = {
            "name_zh": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "name_en": forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            "distance_m": forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 1}),
            "active": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }
