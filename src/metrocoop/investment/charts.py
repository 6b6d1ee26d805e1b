"""ECharts options of investment coordination (rendered with json_script; web/static/web/app.js draws them)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from metrocoop.core import charts
from metrocoop.investment.choices import SegmentPosition

# Colours by the number of member cities holding a link: none (a missing link), one (concentrated), more.
COLOURS = {0: "#dc3545", 1: "#fd7e14", 2: "#ffc107", 3: "#20c997"}
MANY = "#198754"


def colour_for(cities: int) -> str:
    return COLOURS.get(cities, MANY)


def chain_tree(chain, counts: dict[str, dict[str, int]], city_names: dict[str, str]) -> dict:
    """A tree: chain → upstream/midstream/downstream → segments → links; each link coloured by how many member
    cities have an enterprise serving it, its tooltip naming them."""
    positions = []
    for position, label in SegmentPosition.choices:
        segments = []
        for segment in chain.segments.all():
            if segment.position != position:
                continue
            links = []
            for link in segment.links.all():
                holders = [c for c in city_names if counts.get(link.code, {}).get(c, 0) > 0]
                names = "、".join(city_names.get(c, c) for c in holders) or _("none")
                codes = ", ".join(link.industry_codes)
                links.append(
                    {
                        "name": link.name,
                        "value": len(holders),
                        "symbol": "circle",
                        "symbolSize": 12,
                        "itemStyle": {"color": colour_for(len(holders)), "borderColor": colour_for(len(holders))},
                        "tooltip": {
                            "formatter": f"{link.name} ({_('GB/T 4754')} {codes})<br>"
                            f"{_('Cities with enterprises')}: {names}"
                        },
                    }
                )
            segments.append({"name": segment.name, "children": links})
        if segments:
            positions.append({"name": str(label), "children": segments})
    option = {
        "tooltip": {"trigger": "item", "triggerOn": "mousemove"},
        "series": [
            {
                "type": "tree",
                "data": [{"name": chain.name, "children": positions}],
                "top": "2%",
                "left": "12%",
                "bottom": "2%",
                "right": "28%",
                "symbolSize": 10,
                "initialTreeDepth": -1,
                "label": {"position": "left", "verticalAlign": "middle", "align": "right", "fontSize": 12},
                "leaves": {"label": {"position": "right", "verticalAlign": "middle", "align": "left"}},
                "expandAndCollapse": True,
                "animationDuration": 300,
            }
        ],
    }
    return charts.finish(option, filename="industry-chain")


def park_shares_chart(park, rows: list[dict]) -> dict:
    """Stacked bars of the host's and the partner's tax share per year (fen in, 元/万元/亿元 on the axis)."""
    return charts.stacked_bar(
        [str(r["year"]) for r in rows],
        {city.name: [r["tax"].get(city.code, 0) for r in rows] for city in (park.host, park.partner)},
        title=_("Local tax shares"),
        money=True,
        filename=f"park-{park.pk}-tax",
    )
