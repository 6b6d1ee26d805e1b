"""Forms of the policy library's pages: proposals to the expert committee, their decision, and consultations (open,
comment, answer, close). They check types and lengths; the services keep the rules (who may, in which state)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from metrocoop.core.forms import HouseForm, IsoDateField
from metrocoop.core.models import City
from metrocoop.policies.choices import CommentResponse, PolicyDomain

TEXT = {"rows": 3}


class CityField(forms.ModelChoiceField):
    """A member city chosen by name, posted as its code (in any case)."""

    def to_python(self, value):
        return super().to_python(value.upper() if isinstance(value, str) else value)


class ProposalForm(HouseForm):
    """A new document (title, issuer) or a correction of one field of a document the user can see."""

    document = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    field = forms.CharField(required=False, max_length=50, label=_("Field"))
    value = forms.CharField(required=False, max_length=2000, label=_("Corrected value"))
    title = forms.CharField(required=False, max_length=500, label=_("Title"))
    issuer = forms.CharField(required=False, max_length=200, label=_("Issuing organisation"))
    note = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs=TEXT), label=_("Note"))

    def payload(self, has_document: bool) -> dict[str, str]:
        data = self.cleaned_data
        if not has_document:
            return {"title": data["title"].strip(), "issuer": data["issuer"].strip()}
        field, value = data["field"].strip(), data["value"].strip()
        return {field: value} if field and value else {}


class DecisionForm(HouseForm):
    accept = forms.TypedChoiceField(
        choices=[("1", _("Accept")), ("0", _("Decline"))], coerce=lambda v: v == "1", label=_("Decision")
    )
    note = forms.CharField(required=False, max_length=4000, label=_("Note"))


class ConsultationForm(HouseForm):
    """Circulate a draft for comments: its clauses one per line, until the deadline."""

    title = forms.CharField(max_length=500, label=_("Title"))
    city = CityField(queryset=City.objects.none(), to_field_name="code", label=_("City"), empty_label=None)
    deadline = IsoDateField(label=_("Deadline"))
    domain = forms.ChoiceField(choices=PolicyDomain.choices, label=_("Domain"))
    clauses = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label=_("Clauses"), help_text=_("One clause per line")
    )
    summary = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs=TEXT), label=_("Summary"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = City.objects.current_members()

    def clause_lines(self) -> list[str]:
        return [line for line in self.cleaned_data["clauses"].splitlines() if line.strip()]


class CommentForm(HouseForm):
    text = forms.CharField(max_length=4000, label=_("Comment"))


class AnswerForm(HouseForm):
    response = forms.ChoiceField(
        choices=[c for c in CommentResponse.choices if c[0] != CommentResponse.PENDING], label=_("Answer")
    )
    text = forms.CharField(required=False, max_length=4000, label=_("Reason or note"))


class CloseForm(HouseForm):
    outcome = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
        label=_("Outcome"),
        help_text=_("Outcome: changes made, comments declined and why"),
    )
