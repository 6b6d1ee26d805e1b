from django import template
from django.template.defaultfilters import floatformat

from metrocoop.core.money import yuan

register = template.Library()


@register.filter
def number(value, decimals=2):
    """A figure with thousands separators and a fixed number of decimals; a dash when missing."""
    if value is None or value == "":
        return "—"
    return floatformat(value, f"{int(decimals)}g")


@register.filter
def yuan_from_fen(fen):
    """Integer fen shown as yuan with two decimals and thousands separators (`metrocoop.core.money.yuan`)."""
    return yuan(fen)


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (None when absent)."""
    return mapping.get(key) if hasattr(mapping, "get") else None
