"""Table rows of the council pages written by one Python function each instead of a template loop.

A plan of 300 items is 300 rows of a dozen cells; through the template engine every cell is a variable lookup, a
localisation and an escape (a few thousand node renders, most of a computed page's time). These functions write
the same HTML byte for byte, in the active language: a value is localised with `django.utils.formats.localize` and
escaped as the template's `{{ value }}` does it, and text from our own message catalogue is written as it is, as
`{% translate %}` writes it."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, NamedTuple

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from metrocoop.core.models import City
from metrocoop.council.choices import ItemStatus
from metrocoop.council.selectors import BoardEntry

_STATUS_BADGE = {
    ItemStatus.COMPLETED: "success",
    ItemStatus.LATE: "danger",
    ItemStatus.ON_TRACK: "primary",
}


class PlanRow(NamedTuple):
    """One work item of the plan page, as plain data."""

    code: str
    title: str
    url: str
    parent_id: int | None
    carried_from_id: int | None
    proposed_by: City | None
    domain: str  # the domain's label
    lead_city: City
    deadline: date
    weight: int
    percent: float  # rolled-up progress
    explanation: str  # how the percent was reached (the progress cell's title)
    status: ItemStatus


def _writer() -> Callable[[Any], str]:
    """`text(value)`: what `{{ value }}` writes in a template (localised, as text, escaped), each distinct
    non-text value localised once per call (a plan's deadlines and weights repeat)."""
    seen: dict[tuple[type, Any], str] = {}

    def text(value: Any) -> str:
        if type(value) is str:  # plain text (not marked safe): localize() leaves it as it is
            return html.escape(value)  # what django.utils.html.escape does, without its lazy-string wrapper
        key = (type(value), value)
        if key not in seen:
            seen[key] = conditional_escape(str(localize(value)))
        return seen[key]

    return text


def plan_rows_html(rows: Iterable[PlanRow]) -> SafeString:
    """The plan page's work-item rows (`<tr>` elements; one row saying there are none when there are none)."""
    text = _writer()
    carried = proposed = None  # translated once, the first time a row needs them
    cities: dict[int, tuple[str, str]] = {}  # id(city) -> (its name in the active language, its str())
    shown: dict[float, str] = {}  # percent -> as `|floatformat:"-1"` writes it
    labels: dict[str, str] = {}  # status -> its label
    out: list[str] = []
    for row in rows:
        for c in (row.lead_city, row.proposed_by):
            if c is not None and id(c) not in cities:
                cities[id(c)] = (text(c.name), text(str(c)))
        title = ["↳ " if row.parent_id else "", '<a href="', text(row.url), '">', text(row.title), "</a>"]
        if row.carried_from_id:
            carried = carried if carried is not None else gettext("carried over")
            title += [' <span class="badge text-bg-secondary">', carried, "</span>"]
        if row.proposed_by is not None:
            proposed = proposed if proposed is not None else gettext("proposed by")
            title += [' <span class="badge text-bg-light">', proposed, " ", cities[id(row.proposed_by)][1], "</span>"]
        percent = text(row.percent)
        if row.percent not in shown:
            shown[row.percent] = text(floatformat(row.percent, "-1"))
        if row.status not in labels:
            labels[row.status] = text(str(row.status.label))
        out.append(
            f"\n        <tr><td>{text(row.code)}</td><td>{''.join(title)}</td>\n"
            f"        <td>{text(row.domain)}</td><td>{cities[id(row.lead_city)][0]}</td>"
            f"<td>{text(row.deadline)}</td><td>{text(row.weight)}</td>\n"
            f'        <td title="{text(row.explanation)}"><div class="progress" role="progressbar" '
            f'style="min-width:6rem" aria-valuenow="{percent}" aria-valuemin="0" aria-valuemax="100">'
            f'<div class="progress-bar" style="width: {percent}%">{shown[row.percent]}%'
            f"</div></div></td>"
            f'<td><span class="badge text-bg-{_STATUS_BADGE.get(row.status, "secondary")}">'
            f"{labels[row.status]}</span></td></tr>\n      "
        )
    if not out:
        out.append(f'<tr><td colspan="8" class="text-muted">{gettext("No work items yet.")}</td></tr>')
    return mark_safe("".join(out))  # every value above is escaped


def board_rows_html(rows: Iterable[BoardEntry]) -> SafeString:
    """The board's detail rows (`<tr>` elements): the kind, the work item with its link, the city, the quarter and
    the detail of each overdue item, late report and returned report."""
    text = _writer()
    kinds = {  # translated once per call
        "overdue_item": gettext("Overdue item"),
        "late_report": gettext("Late report"),
    }
    returned = gettext("Returned report")
    item_url = reverse("council:item", args=[999_999_999])  # reversed once; the id put in per row
    items: dict[int, str] = {}  # item id -> its link
    out: list[str] = []
    for r in rows:
        if r.item_id not in items:
            items[r.item_id] = f'<a href="{text(item_url.replace("999999999", str(r.item_id)))}">{text(r.item)}</a>'
        quarter = f"Q{text(r.quarter)}" if r.quarter else ""
        out.append(
            f"<tr><td>{kinds.get(r.kind, returned)}</td>\n"
            f"  <td>{items[r.item_id]}</td><td>{text(r.city_code)}</td><td>{quarter}</td>"
            f'<td class="small">{text(r.detail)}</td></tr>'
        )
    return mark_safe("".join(out))  # every value above is escaped
