"""Forms of the funds' pages: they parse what a person typed (yuan with two decimals, tranche lines) into the plain
values the services take (integer fen). Every rule about who may do what stays in the services and policies."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrocoop.core.forms import IsoDateInput
from metrocoop.funds.choices import REVIEW_CRITERIA


def fen_from_yuan(value: Decimal) -> int:
    """Yuan with at most two decimals → integer fen (exact: the form field refuses a third decimal)."""
    return int((value * 100).to_integral_value())


class YuanField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        super().__init__(**kwargs)


class ReviewForm(forms.Form):
    """An expert's scores, 0–100 per criterion, and a comment."""

    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Comment"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {
            code: forms.IntegerField(min_value=0, max_value=100, label=f"{label} (0–100)")
            for code, label in REVIEW_CRITERIA
        }
        fields["comment"] = self.fields.pop("comment")
        self.fields = fields

    def scores(self) -> dict[str, int]:
        return {code: self.cleaned_data[code] for code, _label in REVIEW_CRITERIA}


class PaymentForm(forms.Form):
    """A contribution a city paid in against its notice of a call."""

    notice = forms.ModelChoiceField(queryset=None, label=_("City"))
    amount = YuanField(label=_("Amount (yuan)"))
    paid_on = forms.DateField(label=_("Paid on"), widget=IsoDateInput())
    reference = forms.CharField(
        required=False, max_length=100, label=_("Bank reference"), help_text=_("The same reference is one payment.")
    )

    def __init__(self, *args, notices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice"].queryset = notices
        self.fields["notice"].label_from_instance = lambda n: n.city.name
        self.fields["paid_on"].initial = timezone.localdate()


class DecisionForm(forms.Form):
    """The council's decision on a reviewed project, as the office records it."""

    APPROVE, REJECT = "approve", "reject"
    decision = forms.ChoiceField(
        choices=((APPROVE, _("Approve")), (REJECT, _("Reject"))), label=_("Decision"), initial=APPROVE
    )
    resolution = forms.ModelChoiceField(queryset=None, label=_("Council resolution"))
    approved = YuanField(required=False, label=_("Approved amount (yuan)"))
    tranches = forms.CharField(
        required=False,
        label=_("Tranches"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: amount in yuan, a space, the milestone. The amounts add up to the approved amount."),
    )

    def __init__(self, *args, resolutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolution"].queryset = resolutions

    def clean_tranches(self) -> list[tuple[int, str]]:
        rows = []
        for number, line in enumerate(self.cleaned_data.get("tranches", "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            amount, _sep, milestone = line.partition(" ")
            try:
                value = Decimal(amount.replace(",", ""))
            except InvalidOperation:
                value = None
            if value is None or value <= 0 or value.as_tuple().exponent < -2 or not milestone.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: write the amount in yuan, a space, then the milestone."), params={"n": number}
                )
            rows.append((fen_from_yuan(value), milestone.strip()))
        return rows

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.APPROVE:
            if not data.get("approved"):
                self.add_error("approved", _("An approval needs the approved amount."))
            if not data.get("tranches"):
                self.add_error("tranches", _("An approval needs at least one tranche."))
        return data

    def approved_fen(self) -> int:
        amount = self.cleaned_data.get("approved")
        return fen_from_yuan(amount) if amount else 0
