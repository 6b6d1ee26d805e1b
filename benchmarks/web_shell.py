"""Web shell and read API under load (docs/design.md targets: every page ≤ 150 ms server time at p95 with a bounded
number of queries; read API ≥ 300 requests/s on 2 cores with no errors).

1. In-process: each page and API list rendered 200 times through Django's test client; p50/p95 server time and
   the number of SQL queries per request.
2. Over loopback: gunicorn serving the demo database, a bounded number of concurrent clients hammering the read
   API for a fixed time; requests/s, p95 latency and errors.

Runs on a temporary SQLite database (or DATABASE_URL when set). Prints figures; asserts nothing.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DATA_DIR = Path(tempfile.mkdtemp(prefix="metrocoop-bench-"))
os.environ.setdefault("METROCOOP_DATA_DIR", str(DATA_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metrocoop.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from scratch import timed_get  # noqa: E402

PAGES = [
    "/",
    "/cities/",
    "/cities/SZ/",
    "/audit/",
    "/api/cities/",
    "/api/cities/SZ/",
    "/api/audit/",
    "/api/organisations/",
]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def in_process(rounds: int = 200) -> None:
    from metrocoop.core.models import User

    client = Client()
    client.force_login(User.objects.get(username="office"))
    print(f"{'page':<24}{'p50 ms':>10}{'p95 ms':>10}{'queries':>10}")
    for url in PAGES:
        times, queries = zip(*(timed_get(client, url) for _ in range(rounds)), strict=True)
        print(f"{url:<24}{statistics.median(times):>10.1f}{pct(times, 95):>10.1f}{max(queries):>10}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def under_load(seconds: float = 10.0, clients: int = 16, workers: int = 4) -> None:
    port = free_port()
    env = {**os.environ, "METROCOOP_DEMO": "1"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "metrocoop.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        latencies: list[float] = []
        errors = [0]
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds

        def run(path: str) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                try:
                    conn.request("GET", path)
                    response = conn.getresponse()
                    response.read()
                    ok = response.status == 200
                except OSError:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                    ok = False
                with lock:
                    latencies.append((time.perf_counter() - start) * 1000)
                    errors[0] += 0 if ok else 1
            conn.close()

        paths = ["/api/cities/", "/api/cities/SZ/", "/api/organisations/", "/api/indicators/observations/"]
        threads = [threading.Thread(target=run, args=(paths[i % len(paths)],)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print(
            f"read API over loopback: {len(latencies) / seconds:,.0f} requests/s with {clients} clients and "
            f"{workers} gunicorn workers; p50 {statistics.median(latencies):.1f} ms, p95 {pct(latencies, 95):.1f} ms, "
            f"errors {errors[0]}"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    with open(os.devnull, "w") as quiet:
        call_command("demo", "--load-only", verbosity=0, stdout=quiet)
    print(f"database: {connection.vendor} ({DATA_DIR if connection.vendor == 'sqlite' else 'DATABASE_URL'})")
    in_process()
    connection.close()
    under_load()
