"""The scratch database every benchmark runs in: a temporary SQLite file by default, or, when DATABASE_URL names a
PostgreSQL database, a database `<name>_<suffix>` created beside it (dropped afterwards unless kept)."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple


def setup_database(tmp: Path, suffix: str, *, reuse: bool = False) -> str | None:
    """Point DATABASE_URL (and the data directory) at the scratch database; return the original URL (None for
    SQLite). `reuse`: the PostgreSQL scratch database a previous run kept is used as it is."""
    os.environ["METROCOOP_DATA_DIR"] = str(tmp)
    url = os.environ.get("DATABASE_URL")
    if not url:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        return None
    import psycopg

    base, _, name = url.rpartition("/")
    scratch = f"{name}_{suffix}"
    if not reuse:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            conn.execute(f'CREATE DATABASE "{scratch}"')
    os.environ["DATABASE_URL"] = f"{base}/{scratch}"
    return url


def drop_scratch(original: str | None) -> None:
    """Drop the PostgreSQL scratch database (nothing for SQLite: its file goes with the temporary directory)."""
    if original is None:
        return
    import psycopg
    from django.db import connections

    connections.close_all()
    scratch = os.environ["DATABASE_URL"].rpartition("/")[2]
    with psycopg.connect(original, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')


def timed_get(client, url: str) -> tuple[float, int]:
    """One GET through Django's test client: the server time in milliseconds (a streamed body read to its end) and
    the number of SQL queries. The page must answer 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        elapsed_ms = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed_ms, len(ctx.captured_queries)


class Scratch(NamedTuple):
    tmp: Path  # the temporary directory (the data directory; the SQLite file)
    original: str | None  # DATABASE_URL as it was (None: SQLite)


@contextmanager
def prepare(
    suffix: str, *, prefix: str | None = None, load: bool = True, reuse: bool = False, keep: bool = False
) -> Iterator[Scratch]:
    """The set-up every benchmark shares: a temporary directory, the scratch database in it (setup_database), Django
    set up on it and migrated, and with `load` the reference data and demo accounts loaded (a benchmark that times
    its own loading passes load=False). Yields a Scratch (the temporary directory and the original DATABASE_URL);
    afterwards the scratch database is dropped, or with `keep` its URL is printed and it stays."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmpdir:
        original = setup_database(Path(tmpdir), suffix, reuse=reuse)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metrocoop.settings")
        import django

        django.setup()
        from django.core.management import call_command

        try:
            call_command("migrate", verbosity=0, skip_checks=True)
            if load:
                from metrocoop.core.demo import load_demo_accounts
                from metrocoop.core.reference import load_reference_data

                load_reference_data()
                load_demo_accounts()
            yield Scratch(Path(tmpdir), original)
        finally:
            if keep:
                print(f"kept: {os.environ['DATABASE_URL']}")
            else:
                drop_scratch(original)
