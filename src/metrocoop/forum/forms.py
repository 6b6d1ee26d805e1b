"""Forms of the forum pages (labels above fields, errors beside them; Bootstrap classes set here)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from metrocoop.core.choices import Domain
from metrocoop.core.forms import HouseForm
from metrocoop.core.models import City
from metrocoop.forum.choices import DeclineReason, ReportReason, SuggestionCategory
from metrocoop.forum.services import NOTE_MAX, TEXT_MAX, TITLE_MAX


class BootstrapForm(HouseForm):
    """The forum's forms in the house style (core.forms)."""


def related_cities_field() -> forms.ModelMultipleChoiceField:
    """The optional check boxes of the member cities a suggestion or a research project concerns (by code)."""
    return forms.ModelMultipleChoiceField(
        label=_("Related cities"),
        queryset=City.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class SuggestionForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX, strip=False)
    text = forms.CharField(label=_("Your suggestion"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    category = forms.ChoiceField(label=_("Category"), choices=SuggestionCategory.choices)
    cities = related_cities_field()
    attachment = forms.FileField(label=_("Attachment (optional)"), required=False)


class DeclineForm(BootstrapForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=DeclineReason.choices)
    note = forms.CharField(
        label=_("Explanation"), max_length=NOTE_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(BootstrapForm):
    city = forms.ModelChoiceField(
        label=_("City (empty: the council office)"), queryset=City.objects.all(), to_field_name="code", required=False
    )
    domain = forms.ChoiceField(label=_("Department"), choices=[("", "—"), *Domain.choices], required=False)


class AnswerForm(BootstrapForm):
    answer = forms.CharField(label=_("Answer"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))


class ReportForm(BootstrapForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=ReportReason.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class MergeForm(BootstrapForm):
    into = forms.IntegerField(label=_("Merge into suggestion no."), min_value=1)


class DigestForm(BootstrapForm):
    frequency = forms.ChoiceField(label=_("Mail my notifications"), choices=())

    def __init__(self, *args, **kwargs):
        from metrocoop.forum.choices import DigestFrequency

        super().__init__(*args, **kwargs)
        self.fields["frequency"].choices = DigestFrequency.choices


class ResearchProposalForm(BootstrapForm):
    name_zh = forms.CharField(label=_("Chinese name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("Summary"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    cities = related_cities_field()


class ResearchAdvanceForm(BootstrapForm):
    report_summary = forms.CharField(
        label=_("Report summary (when publishing the report)"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
