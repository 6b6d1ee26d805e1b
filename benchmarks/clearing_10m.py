"""Clearing at scale: a 10,000,000-claim file ingested and its periods closed, on PostgreSQL or SQLite.

    .venv/bin/python benchmarks/clearing_10m.py [--claims 10000000] [--file var/bench-clearing-10m.csv]

Skipped by the default `make bench` (it takes many minutes): `make bench CLAIMS=10000000` runs it (CLAIMS sets
--claims). The file is
generated once (not timed, in a child process so that its memory is not counted) into var/, in pieces of a
million claims with their authorisations kept beside it, and reused by later runs. Then, in a scratch database
(as benchmarks/clearing.py: SQLite file, or a scratch database beside DATABASE_URL):

- the bare load: the same file read by the same (streaming) reader and its rows written with `COPY` (PostgreSQL)
  or `executemany` (SQLite) into a table with the claim columns and a unique claim-id index: the floor;
- the ingest (`metrocoop clearing ingest`'s path: validated, posted, counted) and the close of every period;
- the peak resident memory of the ingesting process (its high-water mark reset before the ingest), which must
  not grow with the file: compare `--claims 1000000` with the default.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

MONTHS = [(2026, 1), (2026, 2), (2026, 3)]
PIECE = 1_000_000
SEED = 7


def _cities() -> list[str]:
    from metrocoop.core.models import City

    return sorted(City.objects.values_list("code", flat=True))


def generate(path: Path, claims: int) -> None:
    """Write the claims file and its authorisations (``<file>.auth.json``): a million synthetic claims (as
    benchmarks/clearing.py makes them), written again and again with other claim ids up to ``claims`` (each
    copy a distinct claim to the ingest: its id differs; generating every claim afresh took over an hour on the
    loaded 2-core machine)."""
    from metrocoop.clearing.engine.synthetic import synthetic_catalogue, synthetic_claims
    from metrocoop.clearing.reader import COLUMNS, pseudonym_key

    cities = _cities()
    catalogue = synthetic_catalogue(cities, SEED)
    stream = synthetic_claims(min(PIECE, claims), cities, MONTHS, catalogue, key=pseudonym_key(), seed=SEED)
    authorisations = [
        (a.person_ref, a.insured_city, a.service_city, a.scheme, a.valid_from.isoformat(), a.valid_until.isoformat())
        for a in stream.authorisations
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        written, copy = 0, 0
        while written < claims:
            part = stream.rows[: claims - written]
            writer.writerows((f"K{copy}-{r[0]}", *r[1:]) for r in part)
            written += len(part)
            copy += 1
            print(f"  written {written:,} claims", flush=True)
    path.with_suffix(".auth.json").write_text(json.dumps(authorisations))
    partial.rename(path)


def load_world(path: Path) -> None:
    from datetime import date

    from metrocoop.clearing.engine.synthetic import SyntheticAuthorisation, synthetic_catalogue
    from metrocoop.clearing.services import do_open_period
    from metrocoop.clearing.setup import load_authorisations, load_catalogue
    from metrocoop.core.models import User

    office = User.objects.get(username="office")
    load_catalogue(synthetic_catalogue(_cities(), SEED), actor=office)
    rows = json.loads(path.with_suffix(".auth.json").read_text())
    load_authorisations(
        [SyntheticAuthorisation(p, i, s, k, date.fromisoformat(a), date.fromisoformat(b)) for p, i, s, k, a, b in rows],
        actor=office,
    )
    for y, m in MONTHS:
        do_open_period(y, m, actor=office)


def reset_peak_memory() -> None:
    """Reset this process's resident-memory high-water mark (Linux: /proc/self/clear_refs, 5)."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_memory_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class MemoryCheckpoints:
    """The ingesting process's resident memory, Python's allocated blocks and Arrow's pool after every chunk
    written (`Ingest.write` wrapped from here, the benchmark's side), to see what grows with the file."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, float, int, float]] = []

    def install(self) -> None:
        import pyarrow as pa

        from metrocoop.clearing.ingest.write import Ingest

        original, rows = Ingest.write, self.rows

        def write(ingest, chunk_no, *args, **kwargs):
            out = original(ingest, chunk_no, *args, **kwargs)
            rows.append((chunk_no, rss_mb(), sys.getallocatedblocks(), pa.total_allocated_bytes() / 2**20))
            return out

        Ingest.write = write

    def report(self, chunk_size: int) -> None:
        if not self.rows:
            return
        step = max(1, len(self.rows) // 10)
        for chunk_no, rss, blocks, arrow in self.rows[::step] + ([self.rows[-1]] if len(self.rows) % step else []):
            print(f"    after chunk {chunk_no:4d} ({(chunk_no + 1) * chunk_size:>10,} claims): RSS {rss:7,.0f} MB, "
                  f"Python blocks {blocks:>11,}, Arrow pool {arrow:6,.0f} MB")  # fmt: skip
        half = self.rows[len(self.rows) // 2 :]
        if len(half) >= 2:
            claims = (half[-1][0] - half[0][0]) * chunk_size
            slope = (half[-1][1] - half[0][1]) / claims * 1e6 if claims else 0.0
            print(f"  RSS growth over the second half of the ingest: {slope:+,.1f} MB per million claims")


def children_peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def bare_load(path: Path) -> float:
    """The floor: read with the same reader, in the same chunks, and insert into a table with the claim columns
    and a unique claim-id index, in one transaction."""
    from django.db import connection, transaction

    from metrocoop.clearing.reader import read_claims_file
    from metrocoop.clearing.services import collector_paused

    cols = (
        "claim_id, scheme, insured_city, service_city, provider, person_ref, service_date, items, total_fen, "
        "fund_payable_fen"
    )
    key = "integer primary key" if connection.vendor == "sqlite" else "bigserial primary key"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_claim")
        cursor.execute(
            f"CREATE TABLE bench_bare_claim (id {key}, claim_id varchar(64) NOT NULL UNIQUE, scheme varchar(30), "
            "insured_city varchar(8), service_city varchar(8), provider varchar(100), person_ref varchar(64), "
            "service_date date, items text, total_fen bigint, fund_payable_fen bigint)"
        )
    started = time.perf_counter()
    source = read_claims_file(path)
    with collector_paused(), transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        for part in source.parts(100_000):
            rows = list(zip(*(c.to_pylist() for c in part.columns), strict=True))
            if connection.vendor == "sqlite":
                raw.executemany(f"INSERT INTO bench_bare_claim ({cols}) VALUES ({', '.join('?' * 10)})", rows)
            else:
                with raw.copy(f"COPY bench_bare_claim ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_claim")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=int(os.environ.get("CLAIMS") or 0) or 10_000_000)
    parser.add_argument("--file", help="default: var/bench-clearing-<claims>.csv")
    parser.add_argument("--chunk-size", type=int, default=100_000)
    parser.add_argument("--serial", action="store_true", help="one process, no writer thread")
    parser.add_argument("--generate-only", action="store_true")
    if len(sys.argv) == 1 and not os.environ.get("CLAIMS"):
        # `make bench` runs every benchmark: this one only when asked for (`make bench CLAIMS=10000000`)
        print("skipped: set CLAIMS (make bench CLAIMS=10000000) or pass --claims")
        return
    args = parser.parse_args()
    path = Path(args.file or ROOT / "var" / f"bench-clearing-{args.claims}.csv")

    from scratch import prepare

    # the generating child has a scratch database of its own: the parent's is open while it runs
    suffix = "bench_clearing_generate" if args.generate_only else "bench_clearing"
    with prepare(suffix, prefix="bench-clearing-10m-") as scratch:
        from django.db import connection

        if args.generate_only:
            generate(path, args.claims)
            return
        if not path.exists():
            print(f"generating {args.claims:,} claims into {path} (once; not timed) …", flush=True)
            env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
            if scratch.original is not None:
                env["DATABASE_URL"] = scratch.original
            subprocess.run(
                [sys.executable, __file__, "--claims", str(args.claims), "--file", str(path), "--generate-only"],
                check=True, env=env,
            )  # fmt: skip
        load_world(path)
        run(path, args, connection.vendor)


def run(path: Path, args, vendor: str) -> None:
    from metrocoop.clearing.models import Period
    from metrocoop.clearing.reader import read_claims_file
    from metrocoop.clearing.services import do_close_period, do_ingest_claims
    from metrocoop.core.models import User

    office = User.objects.get(username="office")
    print(f"database: {vendor}; file {path.name}: {path.stat().st_size / 1e6:,.0f} MB, load {os.getloadavg()}")
    bare = bare_load(path)
    print(f"bare load (read + insert):   {bare:8.1f} s  {args.claims / bare:10,.0f} rows/s", flush=True)
    checkpoints = MemoryCheckpoints()
    checkpoints.install()
    reset_peak_memory()
    ingest_start_rss = rss_mb()
    started = time.perf_counter()
    source = read_claims_file(path)
    read_s = time.perf_counter() - started
    result = do_ingest_claims(source, actor=office, chunk_size=args.chunk_size, parallel=not args.serial)
    ingest_s = time.perf_counter() - started
    ingest_peak, ingest_children = peak_memory_mb(), children_peak_mb()
    reset_peak_memory()
    for period in Period.objects.order_by("year", "month"):
        do_close_period(period, actor=office)
    total = time.perf_counter() - started
    print(f"  open the file (streamed: {type(source).__name__}): {read_s:6.1f} s")
    print(f"  ingest (validate, insert, post): {ingest_s - read_s:8.1f} s ({result.processes} process(es))")
    print(f"  close {len(MONTHS)} periods:               {total - ingest_s:8.1f} s")
    print(f"ingest + close:              {total:8.1f} s  {args.claims / total:10,.0f} claims/s")
    print(f"ratio to the bare load:      {total / bare:8.2f}  (ingest alone {ingest_s / bare:.2f})")
    print(f"peak RSS of the ingesting process: {ingest_peak:,.0f} MB during the ingest (a forked second writer: "
          f"{ingest_children:,.0f} MB), {peak_memory_mb():,.0f} MB during the closes")  # fmt: skip
    print(f"  RSS at the start of the ingest (after the bare load): {ingest_start_rss:,.0f} MB; after each chunk:")
    checkpoints.report(args.chunk_size)
    print(f"time split: {result.timings}")
    print(f"claims: {result.posted:,} posted, {result.rejected:,} rejected, {result.duplicates:,} duplicates")
    print(f"machine load (1, 5, 15 min) at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
