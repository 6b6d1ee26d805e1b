"""The paper's tables (王丹 等, 2020, 表1 and 表2) and its positioning statements (§二(一)), kept in the platform's
own copy under indicators/data."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db import transaction

from metrocoop.core.models import City
from metrocoop.indicators.models import Indicator, Observation

DATA = Path(__file__).resolve().parent / "data"
PAPER = "王丹等《构建上海大都市圈区域合作机制思路及重大举措》(2020) 表1"

# code, zh, en, unit zh, unit en, CSV column (None: derived)
TABLE1_INDICATORS = (
    ("gdp", "地区生产总值", "GDP", "亿元", "100 million yuan", "gdp_100m_yuan"),
    ("gdp-per-capita", "人均地区生产总值", "GDP per capita", "万元", "10,000 yuan", "gdp_per_capita_10k_yuan"),
    (
        "budget-revenue",
        "地方一般公共预算收入",
        "Local general public budget revenue",
        "亿元",
        "100 million yuan",
        "general_budget_revenue_100m_yuan",
    ),
    (
        "budget-revenue-per-capita",
        "人均地方一般公共预算收入",
        "Local general public budget revenue per capita",
        "万元",
        "10,000 yuan",
        "budget_revenue_per_capita_10k_yuan",
    ),
    (
        "disposable-income-per-capita",
        "人均可支配收入",
        "Disposable income per capita",
        "元",
        "yuan",
        "disposable_income_per_capita_yuan",
    ),
    ("population", "常住人口（推算）", "Resident population (derived)", "万人", "10,000 people", None),
)
VALUE_KINDS = {
    "gdp": "total",
    "gdp-per-capita": "per_capita",
    "budget-revenue": "total",
    "budget-revenue-per-capita": "per_capita",
    "disposable-income-per-capita": "per_capita",
    "population": "total",
}
POPULATION_FORMULA = "population = gdp / gdp-per-capita (亿元 ÷ 万元/人 = 万人)"


@dataclass(frozen=True)
class Table1Row:
    city_code: str
    values: dict[str, Decimal]


def read_table1() -> list[Table1Row]:
    rows = []
    with (DATA / "paper_table1_2019.csv").open(encoding="utf-8") as fh:
        for raw in csv.DictReader(fh):
            values = {code: Decimal(raw[col]) for code, *_, col in TABLE1_INDICATORS if col}
            rows.append(Table1Row(raw["city_code"], values))
    return rows


@transaction.atomic
def load_table1() -> int:
    """Load 表1 (2019) as observations; population is derived from GDP and GDP per capita. Idempotent."""
    indicators = {}
    for order, (code, zh, en, unit_zh, unit_en, col) in enumerate(TABLE1_INDICATORS, start=1):
        indicators[code], _ = Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "unit_zh": unit_zh,
                "unit_en": unit_en,
                "source": PAPER if col else f"{PAPER}; {POPULATION_FORMULA}",
                "sort_order": order,
                "decimals": 0 if code == "disposable-income-per-capita" else 2,
                "value_kind": VALUE_KINDS[code],
                "domain": "population" if code == "population" else ("fiscal" if "budget" in code else "economy"),
                "higher_is_better": True,
                "allow_negative": False,
            },
        )
    cities = {c.code: c for c in City.objects.all()}
    count = 0
    for row in read_table1():
        city = cities[row.city_code]
        for code, value in row.values.items():
            Observation.objects.update_or_create(
                indicator=indicators[code],
                city=city,
                year=2019,
                defaults={"value": value, "source": PAPER, "unit": indicators[code].unit_zh},
            )
            count += 1
        population = (row.values["gdp"] / row.values["gdp-per-capita"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
        Observation.objects.update_or_create(
            indicator=indicators["population"],
            city=city,
            year=2019,
            defaults={
                "value": population,
                "source": PAPER,
                "unit": "万人",
                "derived": True,
                "formula": POPULATION_FORMULA,
            },
        )
        count += 1
    return count


PAPER_TABLE2 = "王丹等(2020) 表2，引自同济大学《2019 年长三角城市跨城通勤年度报告》"
# CSV column -> (zone, basis, inflow to Shanghai?)
TABLE2_COLUMNS = (
    ("share_of_inflow_to_shanghai_municipality_pct", "municipality", "destination"),
    ("share_of_outflow_from_shanghai_municipality_pct", "municipality", "origin"),
    ("share_of_inflow_to_shanghai_central_city_pct", "central_city", "destination"),
    ("share_of_outflow_from_shanghai_central_city_pct", "central_city", "origin"),
)


@transaction.atomic
def load_table2(year: int = 2019) -> int:
    """Load 表2 as SHARES (percent of Shanghai's cross-city inflow by origin, of its outflow by destination), kept
    apart from counts. Idempotent."""
    from metrocoop.indicators.models import CommutingFlow

    cities = {c.code: c for c in City.objects.all()}
    count = 0
    with (DATA / "paper_table2_commuting.csv").open(encoding="utf-8") as fh:
        for raw in csv.DictReader(fh):
            other = cities[raw["city_code"]]
            for column, zone, basis in TABLE2_COLUMNS:
                origin, destination = (other, cities["SH"]) if basis == "destination" else (cities["SH"], other)
                CommutingFlow.objects.update_or_create(
                    origin=origin,
                    destination=destination,
                    year=year,
                    kind="share",
                    basis=basis,
                    zone=zone,
                    defaults={"value": Decimal(raw[column]), "source": PAPER_TABLE2},
                )
                count += 1
    return count


def _read_positioning() -> tuple[tuple, tuple]:
    """The unified function framework (code, zh, en) and the positioning statements (city, ref, text, function
    codes, source): the paper's quotations of §二(一) and Shanghai's stated positioning."""
    with (DATA / "paper_positioning_functions.csv").open(encoding="utf-8") as fh:
        functions = tuple((r["code"], r["name_zh"], r["name_en"]) for r in csv.DictReader(fh))
    with (DATA / "paper_positioning_statements.csv").open(encoding="utf-8") as fh:
        statements = tuple(
            (r["city_code"], r["ref"], r["text"], tuple(r["functions"].split()), r["source"])
            for r in csv.DictReader(fh)
        )
    return functions, statements


FUNCTIONS, STATEMENTS = _read_positioning()


@transaction.atomic
def load_positioning() -> int:
    """The unified function framework and the paper's positioning statements tagged to it. Idempotent."""
    from metrocoop.indicators.models import PositioningStatement, UrbanFunction

    functions = {}
    for order, (code, zh, en) in enumerate(FUNCTIONS, start=1):
        functions[code], _ = UrbanFunction.objects.update_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "sort_order": order}
        )
    cities = {c.code: c for c in City.objects.all()}
    for city, ref, text, codes, source in STATEMENTS:
        statement, _ = PositioningStatement.objects.update_or_create(
            city=cities[city], ref=ref, defaults={"text": text, "source": source}
        )
        statement.functions.set([functions[c] for c in codes])
    return len(STATEMENTS)
