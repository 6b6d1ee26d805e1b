"""Forms of the standards pages (labels above fields, errors beside them; Bootstrap classes set here)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from metrocoop.core.forms import HouseFormMixin, IsoDateInput
from metrocoop.core.models import City
from metrocoop.policies.models import PolicyDocument
from metrocoop.standards import services
from metrocoop.standards.importer import CATALOGUE_COLUMNS
from metrocoop.standards.models import Parameter, Recognition, RecognitionType, Standard, UnificationProposal


class BootstrapMixin(HouseFormMixin):
    field_size = "sm"


DATE = IsoDateInput()


class LimitForm(BootstrapMixin, forms.Form):
    city = forms.ModelChoiceField(queryset=City.objects.none(), label=_("city"))
    category = forms.CharField(max_length=100, required=False, label=_("category"))
    value = forms.FloatField(label=_("value"))
    unit = forms.CharField(max_length=30, required=False, label=_("unit"))
    standard = forms.ModelChoiceField(queryset=Standard.objects.all(), required=False, label=_("standard"))
    note = forms.CharField(max_length=300, required=False, label=_("note"))

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = City.objects.filter(pk__in=[c.pk for c in cities])


class LimitImportForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=[("limits", _("Limit values")), ("catalogue", _("Catalogue")), ("recognitions", _("Recognitions"))],
        label=_("What the file holds"),
    )
    file = forms.FileField(label=_("CSV or Excel file"))


class RecognitionForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Recognition
        fields = list(services.RECOGNITION_FIELDS)
        widgets = {"valid_from": DATE, "valid_to": DATE}

    def __init__(self, *args, recognising=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuing_city"].queryset = City.objects.all()
        self.fields["recognising_city"].queryset = City.objects.filter(pk__in=[c.pk for c in recognising])
        self.fields["basis"].queryset = (
            PolicyDocument.objects.filter(status="published")
            .only("id", "key", "title", "doc_number", "status")
            .order_by("-issued_on")
        )


class RecognisedQueryForm(BootstrapMixin, forms.Form):
    type = forms.ModelChoiceField(
        queryset=RecognitionType.objects.all(), to_field_name="code", label=_("type of result")
    )
    issued_in = forms.ModelChoiceField(queryset=City.objects.all(), to_field_name="code", label=_("issued in"))
    recognised_in = forms.ModelChoiceField(queryset=City.objects.all(), to_field_name="code", label=_("recognised in"))
    on = forms.DateField(required=False, widget=DATE, label=_("on date"))


class ProposalForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = UnificationProposal
        fields = [
            "kind",
            "title",
            "domain",
            "lead_city",
            "parameter",
            "standard",
            "recognition_type",
            "description",
            "draft",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "draft": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_city"].queryset = City.objects.filter(pk__in=[c.pk for c in cities])
        self.fields["title"].max_length = 300
        self.fields["description"].max_length = 5000
        self.fields["draft"].max_length = 20000
        self.fields["parameter"].queryset = Parameter.objects.all()


class AdvanceForm(BootstrapMixin, forms.Form):
    deadline = forms.DateField(required=False, widget=DATE, label=_("deadline for comments"))
    adopted_standard = forms.ModelChoiceField(
        queryset=Standard.objects.all(), required=False, label=_("adopted standard")
    )


class SignForm(BootstrapMixin, forms.Form):
    city = forms.ModelChoiceField(queryset=City.objects.none(), label=_("signing city"))

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = City.objects.filter(pk__in=[c.pk for c in cities])


class StandardForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Standard
        fields = [
            *CATALOGUE_COLUMNS,
            "status_since",
            "replaces",
            "text",
            "attachment",
            "source",
        ]
        widgets = {
            "issued_on": DATE,
            "effective_on": DATE,
            "status_since": DATE,
            "text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].max_length = 20000
        if self.instance.pk:
            self.fields["replaces"].queryset = Standard.objects.exclude(pk=self.instance.pk)


class KeyStandardForm(BootstrapMixin, forms.Form):
    priority = forms.IntegerField(min_value=1, max_value=99, initial=1, label=_("priority"))
    reason = forms.CharField(max_length=500, required=False, label=_("why it is a key standard"))
