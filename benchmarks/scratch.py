"""The scratch database every benchmark runs in: a temporary SQLite file by default, or, when DATABASE_URL names a
PostgreSQL database, a database `<name>_<suffix>` created beside it (dropped afterwards unless kept)."""

from __future__ import annotations

import os
from pathlib import Path


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
