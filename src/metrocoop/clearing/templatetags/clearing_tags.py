from django import template

from metrocoop.core.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen shown as yuan (the platform's one money formatter, `metrocoop.core.money.yuan`)."""
    return _yuan(fen)
