"""Indicator explorer benchmark: 15 cities × 50 indicators × 30 years generated in a temporary database; p95 server
time and query count per page over many requests (Django's test Client, CaptureQueriesContext).

    .venv/bin/python benchmarks/indicators_explorer.py [--requests N]

SQLite by default (a temporary file database); PostgreSQL when DATABASE_URL is set (a scratch database
`<name>_bench_indicators` is created beside it and dropped afterwards). Target: p95 ≤ 150 ms per page, and a
query count that does not grow with the number of cities or years.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scratch import prepare, timed_get  # noqa: E402

CITIES, INDICATORS, YEARS = 15, 50, 30
FIRST_YEAR = 1995


def generate() -> int:
    from datetime import date
    from decimal import Decimal

    from metrocoop.core.models import City, Province
    from metrocoop.core.reference import load_reference_data
    from metrocoop.indicators.models import Indicator, Observation
    from metrocoop.indicators.paper import load_table1

    load_reference_data()
    load_table1()
    City.objects.update(joined_on=date(FIRST_YEAR, 1, 1))
    provinces = list(Province.objects.all())
    have = City.objects.count()
    City.objects.bulk_create(
        [
            City(
                code=f"B{chr(65 + n)}",
                name_zh=f"城市{n}",
                name_en=f"City {n}",
                province=provinces[n % len(provinces)],
                latitude=Decimal("30") + Decimal(n) / 10,
                longitude=Decimal("120") + Decimal(n) / 10,
                joined_on=date(FIRST_YEAR, 1, 1),
                sort_order=20 + n,
            )
            for n in range(CITIES - have)
        ]
    )
    have_ind = Indicator.objects.count()
    Indicator.objects.bulk_create(
        [
            Indicator(
                code=f"bench-{n:02d}",
                name_zh=f"指标{n}",
                name_en=f"Indicator {n}",
                unit_zh="个",
                unit_en="unit",
                sort_order=100 + n,
            )
            for n in range(INDICATORS - have_ind)
        ]
    )
    Observation.objects.all().delete()
    rng = random.Random(7)
    rows = []
    for ind in Indicator.objects.all():
        for city in City.objects.all():
            base = rng.uniform(10, 1000)
            for y in range(YEARS):
                rows.append(
                    Observation(
                        indicator=ind,
                        city=city,
                        year=FIRST_YEAR + y,
                        value=Decimal(str(round(base * (1.05**y) * rng.uniform(0.95, 1.05), 4))),
                    )
                )
    Observation.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def measure(client, urls: list[str]) -> tuple[list[float], list[int]]:
    times, queries = zip(*(timed_get(client, url) for url in urls), strict=True)
    return list(times), list(queries)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200, help="requests per page (default 200)")
    args = parser.parse_args()
    with prepare("bench_indicators", load=False):
        from django.test import Client
        from django.test.utils import setup_test_environment

        start = time.perf_counter()
        n = generate()
        print(
            f"generated {n:,} observations ({CITIES} cities × {INDICATORS} indicators × {YEARS} years) "
            f"in {time.perf_counter() - start:.1f} s"
        )
        setup_test_environment()
        from metrocoop.core.models import City
        from metrocoop.indicators.models import Indicator

        codes = list(Indicator.objects.values_list("code", flat=True))
        cities = list(City.objects.values_list("code", flat=True))
        rng = random.Random(11)
        client = Client()
        pages = {
            "explorer /indicators/?indicator&year": [
                f"/indicators/?indicator={rng.choice(codes)}&year={FIRST_YEAR + rng.randrange(YEARS)}"
                for _ in range(args.requests)
            ],
            "trend /indicators/trend/?indicator": [
                f"/indicators/trend/?indicator={rng.choice(codes)}" for _ in range(args.requests)
            ],
            "city fragment /indicators/cities/X/": [
                f"/indicators/cities/{rng.choice(cities)}/" for _ in range(args.requests)
            ],
            "API disparity": [
                "/api/indicators/analysis/disparity/"
                f"?indicator={rng.choice(codes)}&year={FIRST_YEAR + rng.randrange(YEARS)}"
                for _ in range(args.requests)
            ],
        }
        print(f"{'page':<40} {'requests':>8} {'median ms':>10} {'p95 ms':>8} {'queries':>10}  target")
        for name, urls in pages.items():
            measure(client, urls[:5])  # warm up
            times, queries = measure(client, urls)
            qs = f"{min(queries)}–{max(queries)}" if min(queries) != max(queries) else str(queries[0])
            verdict = "ok" if p95(times) <= 150 else "SLOW"
            print(
                f"{name:<40} {len(urls):>8} {statistics.median(times):>10.1f} {p95(times):>8.1f} {qs:>10}  "
                f"≤150 ms {verdict}"
            )


if __name__ == "__main__":
    main()
