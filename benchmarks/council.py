"""Council cycle benchmark: a year of a large work list (default 300 items × 4 quarterly reports) built through the
services in a temporary database, then the server time and query count of the plan page and the board (each read
from the view cache and computed, i.e. the first read after a council write), the summary page, the Word export,
the reminders and the roll-up engine on 10,000 items.

    .venv/bin/python benchmarks/council.py [--items N] [--requests N]

SQLite by default (a temporary file database); PostgreSQL when DATABASE_URL is set (a scratch database
`<name>_bench_council` is created beside it and dropped afterwards). Target: query counts that do not grow with the
number of items (no N+1), and pages under a second at 300 items (ten times the demo's plan).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scratch import prepare, timed_get  # noqa: E402


def generate(n_items: int) -> tuple[int, int]:
    from datetime import date, datetime, timedelta
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from metrocoop.core.choices import Domain
    from metrocoop.core.demo import load_demo_accounts
    from metrocoop.core.models import City, User
    from metrocoop.core.reference import load_reference_data
    from metrocoop.council import engine, services

    load_reference_data()
    load_demo_accounts()
    tz = ZoneInfo("Asia/Shanghai")
    cities = list(City.objects.order_by("sort_order"))
    users = {u.username: u for u in User.objects.all()}
    office = users["office"]
    liaisons = {c.code: users[f"liaison-{c.code.lower()}"] for c in cities}
    council = services.do_set_up_council(
        name_zh="理事会",
        name_en="Council",
        rules={"quorum_share": Decimal("0.667")},
        representatives=liaisons,
        actor=office,
    )
    year = 2025
    plan = services.do_create_plan(council, year, "bench", actor=office)
    rng = random.Random(3)
    domains = list(Domain.values)
    items = []
    for n in range(n_items):
        lead = cities[n % len(cities)]
        items.append(
            services.do_add_work_item(
                plan,
                {
                    "code": f"{n:04d}",
                    "title": f"事项{n}",
                    "domain": domains[n % len(domains)],
                    "lead_city": lead,
                    "deadline": date(year, rng.choice((6, 9, 12)), 28),
                    "weight": rng.randint(1, 3),
                    "target_value": Decimal(100),
                    "participating_cities": rng.sample(cities, 2),
                },
                actor=office,
            )
        )
    services.do_submit_plan(plan, actor=office)
    meeting = services.do_create_meeting(council, {"title": "全体会议", "held_on": date(year, 1, 20)}, actor=office)
    resolution = services.do_propose_resolution(meeting, title="批准", plan=plan, actor=office)
    for c in cities:
        services.do_cast_vote(resolution, c, "yes", actor=liaisons[c.code])
    services.do_decide_resolution(resolution, actor=office)
    services.do_start_plan(plan, actor=office)
    reports = 0
    for item in items:
        for q in (1, 2, 3, 4):
            if rng.random() < 0.1:
                continue
            due = engine.report_due(year, q)
            when = due + timedelta(days=rng.randint(-12, 6))
            r = services.do_submit_report(
                item,
                item.lead_city,
                q,
                percent_complete=min(100, 25 * q + rng.randint(-10, 5)),
                kpi_actual=Decimal(20 * q),
                actor=liaisons[item.lead_city.code],
                now=datetime(when.year, when.month, when.day, 10, tzinfo=tz),
            )
            services.do_review_report(r, accept=rng.random() > 0.1, comment="请补充", actor=office)
            reports += 1
    return len(items), reports


def measure(client, url: str, requests: int, *, computed: bool = False) -> tuple[float, float, int]:
    """Median and p95 server time (ms) and the most queries of `requests` GETs. `computed`: the council's view
    cache is made stale before each request (as a council write does), so every request computes its figures."""
    from metrocoop.core.api.caching import invalidate

    def one() -> tuple[float, int]:
        if computed:
            invalidate("council")  # outside the timed request
        return timed_get(client, url)

    times, queries = zip(*(one() for _ in range(requests)), strict=True)
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
    return statistics.median(times), p95, max(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    with prepare("bench_council", load=False) as scratch:
        from django.test import Client
        from django.test.utils import setup_test_environment

        start = time.perf_counter()
        n_items, n_reports = generate(args.items)
        elapsed = time.perf_counter() - start
        print(
            f"built {n_items} items and {n_reports} reviewed reports through the services in {elapsed:.1f} s "
            f"({n_reports / elapsed:.0f} report+review/s)"
        )
        setup_test_environment()
        from metrocoop.core.models import User
        from metrocoop.council import engine
        from metrocoop.council.models import AnnualPlan, AnnualSummary
        from metrocoop.council.reminders import send_reminders
        from metrocoop.council.summary import build_summary, write_docx

        plan = AnnualPlan.objects.get(year=2025)
        AnnualSummary.objects.get_or_create(plan=plan)
        client = Client()
        client.force_login(User.objects.get(username="office"))
        pages = {
            "plan page /council/plans/2025/": "/council/plans/2025/",
            "plan page, computed": ("/council/plans/2025/", True),
            "board /council/board/": "/council/board/",
            "board, computed": ("/council/board/", True),
            "summary page": "/council/summaries/2025/",
            "summary .docx download": "/council/summaries/2025/download.docx",
            "API items list": "/api/council/items/?year=2025",
        }
        print(f"load average {os.getloadavg()[0]:.1f}; 'computed': the view cache made stale before each request")
        print(f"{'page':<34} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for name, target in pages.items():
            url, computed = target if isinstance(target, tuple) else (target, False)
            measure(client, url, 2, computed=computed)
            median, p95, q = measure(client, url, args.requests, computed=computed)
            print(f"{name:<34} {median:>10.1f} {p95:>8.1f} {q:>8}")
        start = time.perf_counter()
        write_docx(build_summary(plan), scratch.tmp / "s.docx")
        print(f"summary to Word: {(time.perf_counter() - start) * 1000:.0f} ms")
        start = time.perf_counter()
        first = send_reminders()
        t1 = time.perf_counter() - start
        start = time.perf_counter()
        second = send_reminders()
        print(
            f"remind: first run {sum(first.values())} notifications in {t1 * 1000:.0f} ms, "
            f"second run {sum(second.values())} in {(time.perf_counter() - start) * 1000:.0f} ms"
        )
        from datetime import date

        rng = random.Random(5)
        facts = [
            engine.ItemFacts(
                i,
                f"i{i}",
                "ecology",
                "SH",
                date(2025, 12, 31),
                rng.randint(1, 5),
                (rng.randrange(i) if i and rng.random() < 0.7 else None),
                rng.uniform(0, 100),
                True,
            )
            for i in range(10_000)
        ]
        start = time.perf_counter()
        engine.summarise_year(facts, date(2026, 1, 1))
        print(f"engine: roll-up + summary of 10,000 items in {(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
