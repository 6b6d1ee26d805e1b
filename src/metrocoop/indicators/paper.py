"""The paper's tables (王丹 等, 2020, 表1 and 表2), kept in the platform's own copy under indicators/data."""

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
            },
        )
    cities = {c.code: c for c in City.objects.all()}
    count = 0
    for row in read_table1():
        city = cities[row.city_code]
        for code, value in row.values.items():
            Observation.objects.update_or_create(
                indicator=indicators[code], city=city, year=2019, defaults={"value": value, "source": PAPER}
            )
            count += 1
        population = (row.values["gdp"] / row.values["gdp-per-capita"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
        Observation.objects.update_or_create(
            indicator=indicators["population"],
            city=city,
            year=2019,
            defaults={"value": population, "source": PAPER, "derived": True, "formula": POPULATION_FORMULA},
        )
        count += 1
    return count
