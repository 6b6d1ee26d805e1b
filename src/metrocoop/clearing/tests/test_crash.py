"""Crash safety: `metrocoop clearing ingest` killed with SIGKILL mid-file and run again leaves every claim exactly
once; a close killed mid-way leaves the period open and unchanged. Real processes on a file-based SQLite database,
or on PostgreSQL on a scratch database beside the test database (the kill must hit a process that is committing,
so nothing here is simulated)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

POSTGRES = connection.vendor == "postgresql"
#: `metrocoop` with the pause METROCOOP_CLEARING_TEST_PAUSE names put in from the test side (production code has
#: no test hook): see tests/pause.py
PAUSING = "metrocoop.clearing.tests.pause"

SETUP = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metrocoop.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, skip_checks=True)
from metrocoop.core.reference import load_reference_data
from metrocoop.core.demo import load_demo_accounts
load_reference_data()
load_demo_accounts()
"""


def _postgres_url(name: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _scratch_name(tmp_path: Path) -> str:
    """A scratch database of this test beside the test database (PostgreSQL)."""
    return f"{connection.settings_dict['NAME']}_crash_{abs(hash(str(tmp_path))) % 10**8}"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "METROCOOP_CLEARING_TEST_PAUSE")}
    url = _postgres_url(_scratch_name(tmp_path)) if POSTGRES else f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    env.update(DATABASE_URL=url, METROCOOP_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="metrocoop.settings")
    env.update(extra)
    return env


def _run(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrocoop", *args], env=_env(tmp_path, **extra), capture_output=True, text=True,
        timeout=600, check=True,
    )  # fmt: skip


def _query(tmp_path: Path, sql: str) -> list[tuple]:
    if POSTGRES:
        import psycopg

        with psycopg.connect(_postgres_url(_scratch_name(tmp_path)), autocommit=True) as db:
            return db.execute(sql).fetchall()
    with sqlite3.connect(tmp_path / "crash.sqlite3", timeout=30) as db:
        return db.execute(sql).fetchall()


def _not_there_yet() -> tuple[type[Exception], ...]:
    if POSTGRES:
        import psycopg

        return (sqlite3.OperationalError, psycopg.errors.UndefinedTable)
    return (sqlite3.OperationalError,)


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _query_count(tmp_path: Path) -> int:
    try:
        return _query(tmp_path, "SELECT count(*) FROM clearing_claim")[0][0]
    except _not_there_yet():
        return 0


@pytest.fixture
def crash_db(tmp_path):
    if POSTGRES:
        import psycopg

        name = _scratch_name(tmp_path)
        with psycopg.connect(_postgres_url("postgres"), autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}"')
            db.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([sys.executable, "-c", SETUP], env=_env(tmp_path), check=True, timeout=600)
    claims = tmp_path / "claims.csv"
    _run(tmp_path, "clearing", "generate", "--claims", "3000", str(claims), "--start", "2026-01", "--seed", "5")
    yield tmp_path, claims
    if POSTGRES:
        with psycopg.connect(_postgres_url("postgres"), autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _kill_when(tmp_path: Path, process: subprocess.Popen, sql: str, minimum: int, deadline: float = 120) -> int:
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        try:
            count = _query(tmp_path, sql)[0][0]
        except _not_there_yet():
            count = 0
        if count >= minimum:
            process.send_signal(signal.SIGKILL)
            process.wait()
            return count
        if process.poll() is not None:
            pytest.fail("the process ended before it could be killed")
        time.sleep(0.05)
    process.kill()
    pytest.fail("the process never got far enough to be killed")


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize(
    "killed",
    [
        "one process",
        pytest.param("the first of two", marks=pytest.mark.skipif(POSTGRES, reason="two processes: SQLite")),
        pytest.param("the second of two", marks=pytest.mark.skipif(POSTGRES, reason="two processes: SQLite")),
        pytest.param("mid-transaction", marks=pytest.mark.skipif(not POSTGRES, reason="writer thread: PostgreSQL")),
    ],
)
def test_an_ingest_killed_mid_file_and_run_again_leaves_every_claim_once(crash_db, killed):
    tmp_path, claims = crash_db
    # given an ingest committing chunk by chunk, slowed so that the kill lands mid-file (on PostgreSQL --parallel
    # is the writer thread: one process validates while its second connection writes)
    mode = "--no-parallel" if killed == "one process" else "--parallel"
    # the second process (SQLite) or the writer thread (PostgreSQL) is killed while it is inside its transaction
    pause = "ingest-write:0.3" if killed in ("the second of two", "mid-transaction") else "ingest:0.3"
    process = subprocess.Popen(
        [sys.executable, "-m", PAUSING, "clearing", "ingest", str(claims), "--chunk-size", "250", mode, "--json"],
        env=_env(tmp_path, METROCOOP_CLEARING_TEST_PAUSE=pause),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE if killed == "the second of two" else subprocess.DEVNULL,
        text=True,
    )
    if killed == "the second of two":
        # when the second process is killed while it holds the turn (mid-transaction), the first one does not
        # wait for it for ever: it stops with an error
        second = None
        for line in process.stderr:
            if "clearing-test-pause:ingest-write:" not in line:
                continue
            if second is None:
                children = _children(process.pid)
                second = children[0] if children else None
            if second is not None and _query_count(tmp_path) >= 250 and line.strip().endswith(f":{second}"):
                os.kill(second, signal.SIGKILL)
                break
        else:
            pytest.fail("the second process never paused holding the turn")
        assert process.wait(timeout=120) != 0
    elif killed in ("one process", "mid-transaction"):
        # when it is killed with SIGKILL after it has committed some chunks (mid-transaction: while the writer
        # has a chunk written but not committed)
        _kill_when(tmp_path, process, "SELECT count(*) FROM clearing_claim", 250)
    else:
        started = time.monotonic()
        while _query_count(tmp_path) < 250 and time.monotonic() - started < 120:
            time.sleep(0.05)
        (second,) = _children(process.pid)
        # when the first is killed, the second dies with it: no writer is left behind
        process.send_signal(signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 30
        while _alive(second) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(second)
    partial = _query_count(tmp_path)
    assert 250 <= partial < 3000
    # then running the same file again completes it, and every claim is there exactly once
    out = _run(tmp_path, "clearing", "ingest", str(claims), "--json")
    result = json.loads(out.stdout)
    assert result["duplicates"] == partial and result["received"] == 3000
    assert _query(tmp_path, "SELECT count(*), count(DISTINCT claim_id) FROM clearing_claim") == [(3000, 3000)]
    # and the postings add up to the claims (nothing posted twice or lost)
    posted = _query(tmp_path, "SELECT coalesce(sum(fund_payable_fen), 0) FROM clearing_claim WHERE status = 'posted'")[
        0
    ][0]
    in_ledger = _query(tmp_path, "SELECT coalesce(sum(amount_fen), 0) FROM clearing_claimposting")[0][0]
    assert posted == in_ledger
    verify = json.loads(_run(tmp_path, "clearing", "verify", "--json").stdout)
    assert verify["ok"], verify


def test_a_close_killed_mid_way_leaves_the_period_open_and_unchanged(crash_db):
    tmp_path, claims = crash_db
    _run(tmp_path, "clearing", "ingest", str(claims), "--json")
    tables = ("clearing_periodposition", "clearing_settlementinstruction", "ledger_transfer", "clearing_claim")
    before = {t: _query(tmp_path, f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    # given a close that pauses after writing positions and instructions, inside its transaction
    process = subprocess.Popen(
        [sys.executable, "-m", PAUSING, "clearing", "close", "--period", "2026-01"],
        env=_env(tmp_path, METROCOOP_CLEARING_TEST_PAUSE="close:60"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # when it is killed mid-way, while it holds its uncommitted writes
    for line in process.stderr:
        if "clearing-test-pause:close" in line:
            break
    else:
        pytest.fail("the close ended before it could be killed")
    process.send_signal(signal.SIGKILL)
    process.wait()
    # then the period is open and nothing of the close is there
    assert _query(tmp_path, "SELECT status FROM clearing_period WHERE year = 2026 AND month = 1") == [("open",)]
    assert {t: _query(tmp_path, f"SELECT count(*) FROM {t}")[0][0] for t in tables} == before
    # and a close run again succeeds
    _run(tmp_path, "clearing", "close", "--period", "2026-01")
    assert _query(tmp_path, "SELECT status FROM clearing_period WHERE year = 2026 AND month = 1") == [("closed",)]
