from django import forms
from django.utils.translation import gettext_lazy as _

from metrocoop.core.forms import IsoDateInput
from metrocoop.core.models import City
from metrocoop.council.choices import MeetingKind, VoteChoice
from metrocoop.council.models import AnnualPlan, AnnualSummary, WorkItem


class WorkItemForm(forms.ModelForm):
    class Meta:
        model = WorkItem
        fields = [
            "code",
            "title",
            "domain",
            "description",
            "lead_city",
            "participating_cities",
            "kpi",
            "unit",
            "target_value",
            "deadline",
            "weight",
            "parent",
        ]
        widgets = {
            "deadline": IsoDateInput(),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_city"].queryset = City.objects.current_members()
        self.fields["participating_cities"].queryset = City.objects.current_members()
        # only what the choice label (the title) needs: a plan has hundreds of items
        parents = plan.items.only("id", "title", "plan_id", "code") if plan is not None else WorkItem.objects.none()
        self.fields["parent"].queryset = parents


class ReportForm(forms.Form):
    city = forms.ModelChoiceField(queryset=City.objects.none(), label=_("city"))
    quarter = forms.TypedChoiceField(choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)], coerce=int, label=_("quarter"))
    percent_complete = forms.IntegerField(min_value=0, max_value=100, label=_("percent complete"))
    kpi_actual = forms.DecimalField(required=False, max_digits=14, decimal_places=2, label=_("KPI actual"))
    narrative = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("narrative"))
    evidence = forms.FileField(required=False, label=_("evidence file"))

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = City.objects.filter(pk__in=[c.pk for c in cities])


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("return", _("Return"))], label=_("decision"))
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("review comment"))


class VoteForm(forms.Form):
    city = forms.ModelChoiceField(queryset=City.objects.none(), label=_("city"))
    choice = forms.ChoiceField(choices=VoteChoice.choices, label=_("vote"))

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = City.objects.filter(pk__in=[c.pk for c in cities])


class SummaryTextForm(forms.ModelForm):
    class Meta:
        model = AnnualSummary
        fields = ["introduction", "conclusion", "published"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 4}), "conclusion": forms.Textarea(attrs={"rows": 4})}


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(choices=MeetingKind.choices, label=_("kind"))
    title = forms.CharField(max_length=200, label=_("title"))
    held_on = forms.DateField(widget=IsoDateInput(), label=_("held on"))
    location = forms.CharField(max_length=200, required=False, label=_("location"))
    agenda = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("agenda items"), help_text=_("One per line")
    )


class ResolutionForm(forms.Form):
    number = forms.CharField(max_length=40, required=False, label=_("number"))
    title = forms.CharField(max_length=200, label=_("title"))
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("text"))
    plan = forms.ModelChoiceField(
        queryset=AnnualPlan.objects.filter(status="submitted"), required=False, label=_("annual plan to approve")
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("file"))
