from django import template

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen shown as yuan with two decimals and thousands separators."""
    if fen is None or fen == "":
        return "—"
    return f"{int(fen) / 100:,.2f}"
