"""Template filters over `metrocoop.core.explain_render`: engine steps, values, shares and amounts as people read
them, in the active language (`{% load explain %}`)."""

import re

from django import template

from metrocoop.core import explain_render

register = template.Library()


@register.filter
def explained(steps):
    """Engine steps (any shape) → rendered sentences: `{% for s in steps|explained %}{{ s }}{% endfor %}`."""
    return explain_render.render_steps(steps)


@register.filter
def explained_values(values):
    """A map of engine values → "label: value" phrases (money in 元, shares in %, names for city codes)."""
    return explain_render.details(values if hasattr(values, "items") else {})


@register.filter
def as_percent(value, decimals=2):
    """A share 0..1 (a Fraction, "3333/10000", a decimal) as a percentage."""
    return explain_render.percent(value, int(decimals))


@register.filter
def as_decimal(value, decimals=4):
    """A number without fractions ("71651/10" → "7,165.1")."""
    return explain_render.decimal_text(value, int(decimals))


@register.filter
def yuan_with_unit(fen):
    """Integer fen as 元 with the unit ("2,349,072.00 元")."""
    return explain_render.money(fen)


@register.filter
def readable(text):
    """A free-text engine line made readable (Chinese for known English steps, 元, decimals, city names)."""
    if text in (None, ""):
        return ""
    names = explain_render.city_names()
    return "\n".join(
        explain_render.sentence_text(line, names) if line.strip() else line for line in str(text).split("\n")
    )


@register.filter
def city_name(code):
    """A city code shown as the city's name in the active language."""
    return explain_render.city_names().get(str(code), code)


@register.filter
def criterion_label(key):
    """An engine criterion or value key shown by its name ("completion" → 完成率; an indicator code → its name)."""
    key = str(key)
    if key in explain_render.LABEL_KEYS:
        return explain_render.label(key)
    from metrocoop.indicators.models import Indicator

    indicator = Indicator.objects.filter(code=key).first()
    return (getattr(indicator, "name", None) or str(indicator)) if indicator is not None else explain_render.label(key)


@register.filter
def city_names(codes):
    """A list of city codes shown as their names, joined as the language lists them (上海、苏州 / Shanghai, Suzhou)."""
    names = explain_render.city_names()
    sep = ", " if not explain_render._zh() else "、"
    return sep.join(names.get(str(c), str(c)) for c in codes or [])


@register.filter
def names_from(codes, items):
    """Codes shown by the names of the matching items (dicts with code, zh, en), in the active language."""
    by_code = {i.get("code"): i for i in items or []}
    zh = explain_render._zh()
    out = [(by_code.get(c) or {}).get("zh" if zh else "en") or c for c in codes or []]
    return ("、" if zh else ", ").join(out)


@register.filter
def count_or_readable(text):
    """A count "8/9" read as "9 个中 8 个" / "8 of 9"; anything else as `readable` (names for codes, no fractions)."""
    match = re.fullmatch(r"\s*(\d+)/(\d+)\s*", str(text or ""))
    if match:
        part, whole = match.groups()
        return f"{whole} 个中 {part} 个" if explain_render._zh() else f"{part} of {whole}"
    return readable(text)
