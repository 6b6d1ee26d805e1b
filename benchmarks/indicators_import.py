"""Indicator import at size: a 50,000-row Excel workbook (112 indicators × 9 member cities × up to 50 years)
imported all-or-nothing through the service (parse, check every row, write, audit, progress), beside a bare
`bulk_create` of the same 50,000 observations measured in the same run.

    .venv/bin/python benchmarks/indicators_import.py [--rows N]

SQLite by default (a temporary file database); PostgreSQL when DATABASE_URL is set (a scratch database
`<name>_bench_indicators_import` beside it, dropped afterwards). This was a unit test until issue #19: a test
asserts behaviour on a few thousand rows (indicators/tests/test_services.py); size belongs here.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scratch import prepare  # noqa: E402


def workbook(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("data")
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    with prepare("bench_indicators_import", prefix="bench-indicators-import-"):
        from django.db import connection, transaction

        from metrocoop.core.models import City, User
        from metrocoop.indicators import services
        from metrocoop.indicators.models import Indicator, Observation

        office = User.objects.get(username="office")
        cities = list(City.objects.members_in_year(2019))
        n_indicators = -(-args.rows // (len(cities) * 50))
        indicators = Indicator.objects.bulk_create(
            [
                Indicator(code=f"bulk-{n:03d}", name_zh=f"指标{n}", name_en=f"Indicator {n}", unit_zh="个")
                for n in range(n_indicators)
            ]
        )
        facts = [
            (i, c, year, (n * 7 + year) % 1000 + 0.5)
            for n, i in enumerate(indicators)
            for year in range(2020, 2070)
            for c in cities
        ][: args.rows]
        content = workbook(
            [["city", "year", "indicator", "value", "unit"]]
            + [[c.code, year, i.code, value, "个"] for i, c, year, value in facts]
        )
        print(f"database: {connection.vendor}; {len(facts):,} rows, workbook {len(content) / 1e6:.1f} MB")

        started = time.perf_counter()
        with transaction.atomic():
            Observation.objects.bulk_create(
                [
                    Observation(indicator=i, city=c, year=year, value=Decimal(str(value)), unit="个")
                    for i, c, year, value in facts
                ],
                batch_size=2_000,
            )
        bare = time.perf_counter() - started
        Observation.objects.filter(indicator__in=indicators).delete()

        seen: list[tuple[int, int]] = []
        started = time.perf_counter()
        result = services.do_import_observations(
            "big.xlsx", content, actor=office, progress=lambda done, total: seen.append((done, total))
        )
        spent = time.perf_counter() - started
        assert result.batch.created == len(facts), result.batch.created
        print(f"bare bulk_create of the same rows: {bare:.2f} s ({len(facts) / bare:,.0f} rows/s)")
        print(
            f"import through the service (parse the workbook, check every row, write, audit): {spent:.2f} s "
            f"({len(facts) / spent:,.0f} rows/s), {spent / bare:.2f}× the bare insert; "
            f"{len(seen)} progress reports, last {seen[-1]}"
        )


if __name__ == "__main__":
    main()
