"""Template questions to core.permissions, so that a page links only to what the person may open:

    {% load access %}{% if user|may:"add indicators.observation" %}<a href="…">{% translate "Import" %}</a>{% endif %}

`may` asks `can_any(user, action, Model)`: may the user do that action to some row of that model at all.
"""

from django import template
from django.apps import apps

from metrocoop.core.permissions import can_any

register = template.Library()


@register.filter
def may(user, question: str) -> bool:
    """user|may:"<action> <app_label>.<model>" → whether the user may do that action to some row of the model."""
    action, _sep, label = question.partition(" ")
    return can_any(user, action, apps.get_model(label))
