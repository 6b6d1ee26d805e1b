"""Clearing benchmark: 1,000,000 generated claims ingested, validated, posted and netted (docs/design.md "Targets").

    .venv/bin/python benchmarks/clearing.py [--claims N] [--format csv|parquet] [--chunk-size N] [--serial]

SQLite by default (a temporary file database with the platform's settings: WAL, synchronous=FULL);
PostgreSQL when DATABASE_URL is set (a scratch database `<name>_bench_clearing` is created beside it and
dropped afterwards). Prints claims/s and the ratio to a bare bulk load of the same rows into the same database in
the same run. The bare load reads the same file and inserts the same rows into a table with the same columns and
the same unique claim-id index (SQLite: executemany `INSERT`; PostgreSQL: `COPY`), in one transaction, with no
validation, hashing, ledger or netting; like the ingest, it pauses Python's cyclic garbage collector while it
builds its million rows (a fair floor, not a strawman). Target: ≤ 10 s and ratio ≤ 2.

The ingest runs as `metrocoop clearing ingest` does: two processes (the forked second one validates and writes
every other chunk) unless `--serial`. Both read the file with the platform's reader (Arrow's CSV reader).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scratch import prepare  # noqa: E402


def bare_load(path: Path) -> float:
    """Read the file and insert its rows into a copy of the claim table's columns and unique key: the floor."""
    from django.db import connection, transaction

    from metrocoop.clearing.reader import read_claims_file
    from metrocoop.clearing.services import collector_paused

    cols = (
        "claim_id, scheme, insured_city, service_city, provider, person_ref, service_date, items, total_fen, "
        "fund_payable_fen"
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_claim")
        cursor.execute(
            "CREATE TABLE bench_bare_claim (id integer primary key, claim_id varchar(64) NOT NULL UNIQUE, "
            "scheme varchar(30), insured_city varchar(8), service_city varchar(8), provider varchar(100), "
            "person_ref varchar(64), service_date date, items text, total_fen bigint, fund_payable_fen bigint)"
            if connection.vendor == "sqlite"
            else "CREATE TABLE bench_bare_claim (id bigserial primary key, claim_id varchar(64) NOT NULL UNIQUE, "
            "scheme varchar(30), insured_city varchar(8), service_city varchar(8), provider varchar(100), "
            "person_ref varchar(64), service_date date, items text, total_fen bigint, fund_payable_fen bigint)"
        )
    started = time.perf_counter()
    source = read_claims_file(path)
    with collector_paused(), transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "sqlite":
            raw.executemany(f"INSERT INTO bench_bare_claim ({cols}) VALUES ({', '.join('?' * 10)})", source.rows)
        else:
            with raw.copy(f"COPY bench_bare_claim ({cols}) FROM STDIN") as copy:
                for row in source.rows:
                    copy.write_row(row)
    seconds = time.perf_counter() - started
    settle()
    return seconds


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports kilobytes)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def settle() -> None:
    """Between the timed phases: drop the bare table and, on SQLite, fold the write-ahead log back into the
    database, so that neither phase pays for the other's pages."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_claim")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--chunk-size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--serial", action="store_true", help="one process (default: two, as the command line)")
    parser.add_argument("--profile", action="store_true", help="cProfile the ingest (one process) and print the top")
    args = parser.parse_args()

    with prepare("bench_clearing", prefix="bench-clearing-") as scratch:
        from django.db import connection

        from metrocoop.clearing.engine.synthetic import synthetic_catalogue, synthetic_claims
        from metrocoop.clearing.models import Period
        from metrocoop.clearing.reader import pseudonym_key, read_claims_file, write_claims_file
        from metrocoop.clearing.services import do_ingest_claims, do_open_period, preview_period, verify_clearing
        from metrocoop.clearing.setup import load_authorisations, load_catalogue
        from metrocoop.core.models import City, User

        office = User.objects.get(username="office")
        months = [(2026, 1), (2026, 2), (2026, 3)]
        cities = sorted(City.objects.values_list("code", flat=True))
        print(f"database: {connection.vendor}; generating {args.claims:,} claims …", flush=True)
        catalogue = synthetic_catalogue(cities, args.seed)
        stream = synthetic_claims(args.claims, cities, months, catalogue, key=pseudonym_key(), seed=args.seed)
        load_catalogue(catalogue, actor=office)
        load_authorisations(stream.authorisations, actor=office)
        for y, m in months:
            do_open_period(y, m, actor=office)
        path = scratch.tmp / f"claims.{args.format}"
        write_claims_file(path, stream.rows)
        del stream
        print(f"file: {path.name} {path.stat().st_size / 1e6:.0f} MB", flush=True)

        bare = bare_load(path)
        print(f"bare bulk load (read + insert):        {bare:6.2f} s  {args.claims / bare:10,.0f} rows/s", flush=True)

        started = time.perf_counter()
        source = read_claims_file(path)
        read_s = time.perf_counter() - started
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(
                do_ingest_claims, source, actor=office, chunk_size=args.chunk_size, parallel=False
            )
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        else:
            result = do_ingest_claims(source, actor=office, chunk_size=args.chunk_size, parallel=not args.serial)
        ingest_s = time.perf_counter() - started
        nets = {p.code: preview_period(p).net_positions for p in Period.objects.order_by("year", "month")}
        total = time.perf_counter() - started
        print(f"  read file:                            {read_s:6.2f} s")
        print(f"  validate + insert + post:             {ingest_s - read_s:6.2f} s  ({result.processes} proc.)")
        print(f"  net {len(nets)} periods:                      {total - ingest_s:6.2f} s")
        print(f"ingest, validate, post, net (total):   {total:6.2f} s  {args.claims / total:10,.0f} claims/s")
        print(f"ratio to the bare bulk load:           {total / bare:6.2f}   (target ≤ 2; time target ≤ 10 s)")
        print(f"  ingest alone (no netting) to bare:    {ingest_s / bare:6.2f}   (PostgreSQL target ≤ 1.5, issue 16)")
        print(f"  time split (summed over chunks): {result.timings}")
        print(f"  machine load (1, 5, 15 min): {os.getloadavg()}; peak RSS {peak_rss_mb():,.0f} MB")
        print(
            f"claims: {result.posted:,} posted, {result.rejected:,} rejected, {result.duplicates:,} duplicates; "
            f"{result.postings:,} ledger postings; reasons {result.reasons}"
        )
        for net in nets.values():
            assert sum(net.values()) == 0
        check = time.perf_counter()
        report = verify_clearing()
        print(f"verify: {'OK' if report.ok else 'FAILED'} ({time.perf_counter() - check:.2f} s, not in the total)")
        again = do_ingest_claims(read_claims_file(path), actor=office, chunk_size=args.chunk_size)
        print(f"same file again: {again.duplicates:,} duplicates, {again.posted} posted ({again.seconds:.2f} s)")


if __name__ == "__main__":
    main()
