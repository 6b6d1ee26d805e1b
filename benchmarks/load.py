"""`make load`: the read tier under sustained load, as ratios to a bare Django view served the same way.

1. A private PostgreSQL cluster (initdb in a temporary directory, its own port on 127.0.0.1; a scratch database
   `metrocoop_load` on the shared server from scripts/ensure_postgres.sh when initdb is not installed) receives the
   demo (`metrocoop demo --load-only`).
2. gunicorn serves it exactly as `metrocoop serve` does (`metrocoop.wsgi:application`, sync workers; 2 workers),
   and beside it, in the same run, benchmarks/bare_wsgi.py: a bare Django view returning nine small rows, with 2
   workers of the same gunicorn. (`metrocoop serve` itself refuses the demo's passwords, so the command it runs is
   started directly, with METROCOOP_DEMO=1.)
3. A second process (this script re-run with --client) loads each target from 127.0.0.1 only, with a few
   concurrent connections, for LOAD_SECONDS (default 60) per target and at most LOAD_MAX_REQUESTS requests:
   requests/s, p50/p95/p99 latency, errors, and the ratio of requests/s to the bare view.

`--fault`: PostgreSQL (the private cluster only; never the shared server) is restarted a third of the way into a
run over the API and a page; prints what clients saw before, during and after, by status code. A clean failure is
a 503 with the bilingual JSON error (or the short 503 page) and recovery afterwards; a 500 is a fault.

Environment: LOAD_SECONDS (per target), LOAD_CONNECTIONS (default 4), LOAD_WORKERS (default 2),
LOAD_MAX_REQUESTS (per target, default 200000), LOAD_TARGETS (comma-separated subset of the names below).
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# (name, path, kind): kind "small" = small reference list (goal ≥ 0.25 of bare), "rich" = paginated list of 50 rich
# rows (goal ≥ 0.10), "page" = a page (goal p95 ≤ 150 ms server time), "api" = other reads.
TARGETS = [
    ("cities", "/api/cities/", "small"),
    ("organisations", "/api/organisations/?page_size=20", "small"),
    ("indicators", "/api/indicators/indicators/", "small"),
    ("council items", "/api/council/items/", "rich"),
    ("council reports", "/api/council/reports/", "rich"),
    ("observations", "/api/indicators/observations/", "rich"),
    ("clearing periods", "/api/clearing/periods/", "api"),
    ("policies search", "/api/policies/search/?q=%E4%BA%A4%E9%80%9A", "api"),
    ("indicator disparity", "/api/indicators/analysis/disparity/", "api"),
    ("council board", "/api/council/board/", "api"),
    ("page: dashboard", "/", "page"),
    ("page: council plan", "/council/plans/{year}/", "page"),
    ("page: council board", "/council/board/", "page"),
    ("page: indicators", "/indicators/", "page"),
    ("page: clearing", "/clearing/", "page"),
    ("page: policies", "/policies/", "page"),
]
GOALS = {"small": 0.25, "rich": 0.10}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answers on 127.0.0.1:{port}")


# ---------------------------------------------------------------- PostgreSQL


class PrivatePostgres:
    """A throw-away cluster on its own port, so that --fault can restart it without touching anyone else's."""

    def __init__(self) -> None:
        bindirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        self.bindir = Path(bindirs[-1]) if bindirs else None
        self.data = Path(tempfile.mkdtemp(prefix="metrocoop-load-pg-"))
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/metrocoop_load"

    @property
    def available(self) -> bool:
        return self.bindir is not None and (self.bindir / "initdb").exists()

    def _as_pg(self, *cmd: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else list(cmd)

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres")
        subprocess.run(
            self._as_pg(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.pg_ctl("start")
        subprocess.run(
            [
                *self._as_pg(str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"),
                "metrocoop_load",
            ],
            check=True,
        )

    def pg_ctl(self, verb: str) -> None:
        options = f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
        subprocess.run(
            [
                *self._as_pg(
                    str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "log"), "-w", "-m", "fast"
                ),
                verb,
                "-o",
                options,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        subprocess.run(
            self._as_pg(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(self.data, ignore_errors=True)


def shared_postgres() -> str:
    subprocess.run(["bash", str(REPO / "scripts/ensure_postgres.sh")], check=True)
    base = "postgres://postgres@127.0.0.1:5432"
    subprocess.run(["psql", f"{base}/postgres", "-qc", "DROP DATABASE IF EXISTS metrocoop_load"], check=True)
    subprocess.run(["psql", f"{base}/postgres", "-qc", "CREATE DATABASE metrocoop_load"], check=True)
    return f"{base}/metrocoop_load"


# ---------------------------------------------------------------- the load-generating client (second process)


async def _one(host: str, port: int, request: bytes) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        data = await reader.read()  # Connection: close; gunicorn's sync workers close anyway
    finally:
        writer.close()
    return int(data[9:12]) if data.startswith(b"HTTP/") else 0


async def _load(port: int, path: str, seconds: float, connections: int, limit: int, headers: str, fault_at=None):
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: application/json, text/html\r\n"
        f"{headers}Connection: close\r\n\r\n"
    ).encode()
    samples: list[tuple[float, float, int]] = []  # (wall-clock start, latency ms, status; 0 = connection error)
    t0 = time.perf_counter()
    deadline = t0 + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline and len(samples) < limit:
            start = time.perf_counter()
            try:
                status = await asyncio.wait_for(_one("127.0.0.1", port, request), timeout=30)
            except (TimeoutError, OSError):
                status = 0
                await asyncio.sleep(0.05)
            samples.append((time.time() - (time.perf_counter() - start), (time.perf_counter() - start) * 1000, status))

    await asyncio.gather(*(worker() for _ in range(connections)))
    return samples, time.perf_counter() - t0


def client_main(args) -> None:
    """Runs in the second process: reads the plan as JSON on stdin, writes the samples as JSON on stdout."""
    plan = json.load(sys.stdin)
    out = []
    for target in plan["targets"]:
        samples, elapsed = asyncio.run(
            _load(
                target["port"],
                target["path"],
                plan["seconds"],
                plan["connections"],
                plan["limit"],
                target.get("headers", ""),
            )
        )
        out.append({"name": target["name"], "samples": samples, "elapsed": elapsed})
        print(json.dumps({"done": target["name"]}), file=sys.stderr, flush=True)
    json.dump(out, sys.stdout)


def run_client(targets: list[dict], seconds: float, connections: int, limit: int) -> list[dict]:
    plan = {"targets": targets, "seconds": seconds, "connections": connections, "limit": limit}
    proc = subprocess.run(
        [sys.executable, __file__, "--client"], input=json.dumps(plan), capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout)


# ---------------------------------------------------------------- figures


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def summarise(result: dict) -> dict:
    samples = result["samples"]
    ok = [lat for _, lat, status in samples if 200 <= status < 300 or status == 304]  # a redirect is not an answer
    errors = sum(1 for _, _, status in samples if not (200 <= status < 300 or status == 304))
    return {
        "requests": len(samples),
        "rps": len(ok) / result["elapsed"] if result["elapsed"] else 0.0,
        "p50": pct(ok, 50),
        "p95": pct(ok, 95),
        "p99": pct(ok, 99),
        "errors": errors,
    }


def server_times(access_log: Path) -> dict[str, list[float]]:
    """Per requested path (with its query string), gunicorn's time for each request in ms."""
    out: dict[str, list[float]] = {}
    for line in access_log.read_text().splitlines():
        parts = line.rsplit(" ", 2)
        if len(parts) != 3 or not parts[2].isdigit():
            continue
        path = parts[0].removesuffix("?")
        out.setdefault(path, []).append(int(parts[2]) / 1000)
    return out


# ---------------------------------------------------------------- the run


def start_gunicorn(app: str, port: int, workers: int, env: dict, extra: list[str] | None = None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    cmd += ["--log-level", "error", *(extra or [])]
    return subprocess.Popen(cmd, env=env, cwd=str(REPO))


def login(port: int) -> tuple[str, str]:
    """An API token and a session cookie of the office account (demo password), for what needs signing in."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"username": "office", "password": "metrocoop-demo"})
    conn.request("POST", "/api/auth/token/", body, {"Content-Type": "application/json"})
    token = json.loads(conn.getresponse().read()).get("token", "")
    conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login/")
    response = conn.getresponse()
    response.read()
    cookies = response.headers.get_all("Set-Cookie") or []
    csrf = next((c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("csrftoken=")), "")
    form = f"username=office&password=metrocoop-demo&csrfmiddlewaretoken={csrf}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/login/",
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"http://127.0.0.1:{port}/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    session = ""
    for c in response.headers.get_all("Set-Cookie") or []:
        if c.startswith("sessionid="):
            session = c.split(";")[0]
    return token, session


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fault", action="store_true", help="restart PostgreSQL during a run")
    args = parser.parse_args()
    if args.client:
        return client_main(args)

    seconds = float(os.environ.get("LOAD_SECONDS", 60))
    connections = int(os.environ.get("LOAD_CONNECTIONS", 4))
    workers = int(os.environ.get("LOAD_WORKERS", 2))
    limit = int(os.environ.get("LOAD_MAX_REQUESTS", 200_000))
    wanted = {n.strip() for n in os.environ.get("LOAD_TARGETS", "").split(",") if n.strip()}

    print(f"machine: {os.cpu_count()} cores; uptime: {subprocess.getoutput('uptime').strip()}")
    pg = PrivatePostgres()
    servers: list[subprocess.Popen] = []
    data_dir = Path(tempfile.mkdtemp(prefix="metrocoop-load-"))
    try:
        if pg.available:
            pg.start()
            url = pg.url
            print(f"database: private PostgreSQL cluster on 127.0.0.1:{pg.port} ({pg.data})")
        else:
            if args.fault:
                raise SystemExit("--fault needs initdb (a private cluster): it never restarts the shared server")
            url = shared_postgres()
            print("database: scratch database metrocoop_load on the shared PostgreSQL server")
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "METROCOOP_DEMO": "1",
            "METROCOOP_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "metrocoop.settings",
        }
        env.pop("METROCOOP_DEBUG", None)
        started = time.monotonic()
        subprocess.run(
            [str(BIN / "metrocoop"), "demo", "--load-only", "--skip-checks"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"demo loaded in {time.monotonic() - started:.0f} s")
        year = subprocess.run(
            [
                str(BIN / "python"),
                "-c",
                "import django; django.setup(); from metrocoop.council.models import AnnualPlan; "
                "p = AnnualPlan.objects.order_by('-year').first(); print(p.year if p else 2026)",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

        app_port, bare_port = free_port(), free_port()
        access_log = data_dir / "access.log"  # server time per request (gunicorn's %(D)s, microseconds)
        log_format = "%(U)s?%(q)s %(s)s %(D)s"
        servers.append(
            start_gunicorn(
                "metrocoop.wsgi:application",
                app_port,
                workers,
                env,
                ["--access-logfile", str(access_log), "--access-logformat", log_format],
            )
        )
        servers.append(
            start_gunicorn("bare_wsgi:application", bare_port, workers, env, ["--pythonpath", str(REPO / "benchmarks")])
        )
        wait_port(app_port)
        wait_port(bare_port)
        token, session = login(app_port)
        api_headers = f"Authorization: Token {token}\r\n" if token else ""
        page_headers = f"Cookie: {session}\r\n" if session else ""
        print(
            f"gunicorn: {workers} sync workers each (MetroCoop on :{app_port}, bare view on :{bare_port}); "
            f"{connections} connections from a second process; {seconds:g} s per target"
        )

        if args.fault:
            return fault_run(pg, app_port, year, api_headers, page_headers, seconds, connections, limit)

        plan = [{"name": "bare view", "port": bare_port, "path": "/bare/"}]
        for name, path, kind in TARGETS:
            if wanted and name not in wanted:
                continue
            headers = page_headers if kind == "page" else api_headers
            plan.append({"name": name, "port": app_port, "path": path.format(year=year), "headers": headers})
        # warm every worker (imports, first queries) before measuring
        for t in plan:
            run_client([{**t}], 1.0, connections, 50)
        access_log.write_text("")
        results = run_client(plan, seconds, connections, limit)
        server_ms = server_times(access_log)
        bare = summarise(results[0])
        kinds = {name: kind for name, _, kind in TARGETS}
        print()
        print(
            f"{'target':<22}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'ratio':>8}"
            f"{'server p95':>12}  goal"
        )
        paths = {t["name"]: t["path"] for t in plan}
        for result in results:
            s = summarise(result)
            server_p95 = pct(server_ms.get(paths[result["name"]], []), 95)
            ratio = s["rps"] / bare["rps"] if bare["rps"] else float("nan")
            kind = kinds.get(result["name"], "bare")
            goal = ""
            if kind in GOALS:
                goal = f"≥ {GOALS[kind]:.2f} {'met' if ratio >= GOALS[kind] else 'NOT MET'}"
            elif kind == "page":
                goal = f"server p95 ≤ 150 ms {'met' if server_p95 <= 150 else 'NOT MET'}"
            print(
                f"{result['name']:<22}{s['rps']:>9.0f}{s['p50']:>9.1f}{s['p95']:>9.1f}{s['p99']:>9.1f}"
                f"{s['errors']:>8}{ratio:>8.3f}{server_p95:>12.1f}  {goal}"
            )
        print("(latencies are the client's, with queueing behind 2 workers; server p95 is gunicorn's request time)")
        print(f"\nuptime after: {subprocess.getoutput('uptime').strip()}")
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        if pg.available:
            pg.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def fault_run(pg, port, year, api_headers, page_headers, seconds, connections, limit) -> None:
    """Restart PostgreSQL a third of the way into a run over the API and a page (each in its own client process,
    at the same time); count what clients saw before, during (from the restart to 2 s after it is back) and after."""
    import threading

    seconds = max(seconds, 9.0)
    targets = [
        {"name": "api: council items", "port": port, "path": "/api/council/items/", "headers": api_headers},
        {"name": "page: council plan", "port": port, "path": f"/council/plans/{year}/", "headers": page_headers},
    ]
    results: dict[str, dict] = {}

    def client(t: dict) -> None:
        results[t["name"]] = run_client([t], seconds, connections, limit)[0]

    threads = [threading.Thread(target=client, args=(t,)) for t in targets]
    t0 = time.time()
    for t in threads:
        t.start()
    time.sleep(seconds / 3)
    restart_from = time.time()
    pg.pg_ctl("restart")
    restart_to = time.time() + 2.0
    for t in threads:
        t.join()
    print(
        f"\nPostgreSQL restarted at {restart_from - t0:.1f} s (back, +2 s grace, by {restart_to - t0:.1f} s) "
        f"of a {seconds:g} s run (clients start a moment later)"
    )
    for name, result in results.items():
        phases = {"before": [], "during": [], "after": []}
        for start, _, status in result["samples"]:
            phase = "before" if start < restart_from else "during" if start < restart_to else "after"
            phases[phase].append(status)
        print(f"{name}:")
        for phase, statuses in phases.items():
            counts: dict[int, int] = {}
            for status in statuses:
                counts[status] = counts.get(status, 0) + 1
            shown = ", ".join(f"{k or 'no answer'}: {v}" for k, v in sorted(counts.items()))
            print(f"  {phase:<7} {len(statuses):>6} requests  {shown}")
        after = phases["after"]
        bad_after = sum(1 for s in after if s != 200)
        server_errors = sum(1 for s in phases["during"] + after if s == 500)
        print(f"  → 500s: {server_errors}; errors after recovery: {bad_after} of {len(after)}")


if __name__ == "__main__":
    main()
