"""Demo data of the indicators app: the paper's 表1 and 表2, the positioning framework with the paper's statements,
and ILLUSTRATIVE data (marked so in every source field): sector shares per city and a few later years, so that the
structure, trend and convergence views have something to show. Illustrative figures are not the paper's."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from metrocoop.core.models import City, User
from metrocoop.indicators.paper import load_positioning, load_table1, load_table2

ILLUSTRATIVE = "示例数据（非论文数据，仅供演示）Illustrative demo data, not from the paper"
# Rough three-sector shares (%) per city, for the demo only.
SECTOR_SHARES = {
    "SH": (0.3, 27.0, 72.7),
    "SZ": (1.0, 47.5, 51.5),
    "WX": (1.0, 47.5, 51.5),
    "CZ": (2.1, 47.7, 50.2),
    "NT": (4.6, 49.0, 46.4),
    "NB": (2.7, 48.2, 49.1),
    "JX": (2.3, 53.0, 44.7),
    "HZ": (4.3, 51.1, 44.6),
    "ZS": (10.0, 33.0, 57.0),
}
DEMO_YEARS = (2020, 2021, 2022, 2023)


def _q(value: float, places: str = "0.01") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places), ROUND_HALF_UP)


def illustrative_records() -> list[dict]:
    """Later years grown from 2019: lower per-capita levels grow a little faster (an illustration of β-convergence)."""
    from metrocoop.indicators.models import Observation

    base: dict[str, dict[str, float]] = {}
    for code, ind, value in Observation.objects.filter(year=2019).values_list("city__code", "indicator__code", "value"):
        base.setdefault(code, {})[ind] = float(value)
    if not base:
        return []
    top = max(b["gdp-per-capita"] for b in base.values())
    records = []
    for city, b in sorted(base.items()):
        growth = 0.04 + 0.04 * (1 - b["gdp-per-capita"] / top)  # 4 % … 8 % a year
        pop_growth = 0.005 if city != "SH" else 0.001
        for n, year in enumerate(DEMO_YEARS, start=1):
            pop = b["population"] * (1 + pop_growth) ** n
            gdp_pc = b["gdp-per-capita"] * (1 + growth) ** n
            rev_pc = b["budget-revenue-per-capita"] * (1 + growth * 0.8) ** n
            income = b["disposable-income-per-capita"] * (1 + growth * 0.9) ** n
            values = {
                "population": _q(pop),
                "gdp-per-capita": _q(gdp_pc),
                "gdp": _q(gdp_pc * pop),
                "budget-revenue-per-capita": _q(rev_pc),
                "budget-revenue": _q(rev_pc * pop),
                "disposable-income-per-capita": _q(income, "1"),
            }
            for ind, value in values.items():
                records.append({"city": city, "year": year, "indicator": ind, "value": value, "source": ILLUSTRATIVE})
    return records


@transaction.atomic
def load_sector_values() -> int:
    from metrocoop.indicators.models import Observation, SectorValue

    cities = {c.code: c for c in City.objects.all()}
    count = 0
    for obs in Observation.objects.filter(indicator__code="gdp").select_related("city"):
        shares = SECTOR_SHARES.get(obs.city.code)
        if shares is None:
            continue
        for sector, share in zip(("primary", "secondary", "tertiary"), shares, strict=True):
            SectorValue.objects.update_or_create(
                city=cities[obs.city.code],
                year=obs.year,
                sector=sector,
                defaults={"value": _q(float(obs.value) * share / 100), "unit": "亿元", "source": ILLUSTRATIVE},
            )
            count += 1
    return count


def load() -> str:
    from metrocoop.core.demo import load_demo_accounts
    from metrocoop.indicators.services import import_records, system_actor

    load_table1()
    flows = load_table2()
    statements = load_positioning()
    if not User.objects.filter(role_assignments__role="office").exists():
        load_demo_accounts()
    records = illustrative_records()
    if records:
        import_records(records, actor=system_actor(), replace=True)
    sectors = load_sector_values()
    return (
        f"{flows} commuting shares (表2), {statements} positioning statements, "
        f"{len(records)} illustrative observations, {sectors} illustrative sector values"
    )
