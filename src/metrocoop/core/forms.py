"""One way to render and enter a form.

Every form on every page is drawn by django-bootstrap5 (``{% bootstrap_form form %}`` or ``{% bootstrap_field %}``,
and ``{{ form }}`` through ``HouseFormRenderer``): the label above the field, the help text under it, the error beside
it, a required mark on required fields (``BOOTSTRAP5["required_css_class"]``, drawn by the stylesheet).

Dates are entered as ISO dates (2026-06-05) in both languages: ``IsoDateInput`` is a text input with that pattern and
placeholder, because ``<input type="date">`` shows the browser's own order (mm/dd/yyyy in an en-US browser, whatever
the page's language). Dates are shown as the language expects (2026年6月5日 in Chinese, ``formats/zh_Hans``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

ISO_DATE_FORMAT = "%Y-%m-%d"
ISO_DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"


class IsoDateInput(forms.DateInput):
    """A date typed as YYYY-MM-DD, the same in Chinese and English, never in the browser's US order."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None):
        base = {
            "pattern": ISO_DATE_PATTERN,
            "placeholder": _("YYYY-MM-DD"),
            "inputmode": "numeric",
            "autocomplete": "off",
            "maxlength": "10",
            "data-date": "iso",
            "title": _("A date as year-month-day, e.g. 2026-06-05"),
        }
        super().__init__(attrs={**base, **(attrs or {})}, format=ISO_DATE_FORMAT)


class IsoDateField(forms.DateField):
    """A date field entered as YYYY-MM-DD (other forms Django reads in the active language still accepted)."""

    widget = IsoDateInput
    input_formats = [ISO_DATE_FORMAT, *forms.DateField.input_formats]


def error_text(form: forms.BaseForm) -> str:
    """Every error of a form in one line, each after its field's label (for a message above the page); errors of
    the whole form (`__all__`) without a label."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return "; ".join(parts)


def iso_dates(form: forms.BaseForm) -> forms.BaseForm:
    """Give every date field of a (model) form the ISO text input: for forms whose fields Django builds from a
    model."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
            attrs = {k: v for k, v in field.widget.attrs.items() if k != "type"}
            field.widget = IsoDateInput(attrs)
    return form


class HouseFormMixin:
    """For forms also drawn field by field in a template (``{{ field }}`` beside ``{% bootstrap_field %}``): the
    Bootstrap class on each widget (``field_size = "sm"`` for compact forms) and the ISO date input on each date."""

    field_size = ""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        iso_dates(self)
        suffix = f" form-select-{self.field_size}" if self.field_size else ""
        control = f" form-control-{self.field_size}" if self.field_size else ""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select" + suffix)
            else:
                widget.attrs.setdefault("class", "form-control" + control)


class HouseForm(HouseFormMixin, forms.Form):
    """A form in the house style (Bootstrap classes, ISO dates)."""


class HouseModelForm(HouseFormMixin, forms.ModelForm):
    """A model form in the house style (Bootstrap classes, ISO dates)."""


class HouseFormRenderer(DjangoTemplates):
    """``{{ form }}`` anywhere renders through django-bootstrap5, like ``{% bootstrap_form form %}``."""

    form_template_name = "core/forms/form.html"
