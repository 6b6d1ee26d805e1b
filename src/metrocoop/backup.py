"""Backup and restore of the whole platform: the database, the uploaded files and a manifest that proves the copy.

    metrocoop backup FILE.tar        a consistent copy (SQLite: the online backup API; PostgreSQL: pg_dump of one
                                     snapshot), the media folder, and manifest.json
    metrocoop restore FILE.tar --yes replace the configured database and media with the copy, then verify

The manifest holds, taken inside the same snapshot as the copy: the row count of every table of ours, a SHA-256
digest of the whole audit trail (every entry in id order) and the result of each app's integrity check (each app
may have `integrity.py` with `verify() -> dict` holding an "ok" key: the ledger's hash chain and balances, the
clearing invariants). After a restore the same figures are taken again from the restored database; restore fails
(exit 1) unless every count, the audit digest and every integrity check agree. Stop the server before restoring.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from metrocoop.discovery import app_modules

FORMAT = "metrocoop-backup/1"
MANIFEST = "manifest.json"
SQLITE_NAME = "database.sqlite3"
PG_NAME = "database.pgdump"
MEDIA_PREFIX = "media/"


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


@dataclass
class Verification:
    """What a restore found, compared with the manifest."""

    counts_ok: bool
    audit_ok: bool
    integrity_ok: bool
    differences: list[str] = field(default_factory=list)
    integrity: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.counts_ok and self.audit_ok and self.integrity_ok

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, **self.__dict__}


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def _our_models() -> list:
    labels = set(settings.METROCOOP_APPS) | {"auditlog", "authtoken"}
    tables = set(connection.introspection.table_names())
    return [m for m in apps.get_models() if m._meta.app_label in labels and m._meta.db_table in tables]


def table_counts() -> dict[str, int]:
    """Rows per table of ours (and the audit trail), by model label."""
    return {m._meta.label: m._default_manager.count() for m in sorted(_our_models(), key=lambda m: m._meta.label)}


def audit_digest() -> dict[str, Any]:
    """SHA-256 over every audit entry in id order: who, when, what, which object, which changes."""
    from auditlog.models import LogEntry

    h = hashlib.sha256()
    n = 0
    rows = LogEntry.objects.order_by("pk").values_list(
        "pk", "content_type__app_label", "content_type__model", "object_pk", "action", "timestamp", "actor_id",
        "changes",
    )  # fmt: skip
    for pk, app_label, model, object_pk, action, ts, actor_id, changes in rows.iterator(5000):
        line = json.dumps(
            [pk, f"{app_label}.{model}", object_pk, action, ts.isoformat(), actor_id, changes],
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        h.update(line.encode())
        h.update(b"\n")
        n += 1
    return {"entries": n, "sha256": h.hexdigest()}


def integrity_checks() -> dict[str, Any]:
    """Each app's `integrity.verify()`, by app label."""
    return {app: module.verify() for app, module in app_modules("integrity")}


def take_figures() -> dict[str, Any]:
    return {"counts": table_counts(), "audit": audit_digest(), "integrity": integrity_checks()}


def _migration_state() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


@contextmanager
def _pg_snapshot() -> Iterator[str]:
    """A REPEATABLE READ transaction whose snapshot pg_dump shares: the figures and the dump see one state."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        yield cursor.fetchone()[0]


@contextmanager
def _reading_from(sqlite_file: Path) -> Iterator[None]:
    """Point the default connection at another SQLite file for a while (the copy just written), so that the
    figures describe exactly what is in the archive; writers of the live database are never held up."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = str(sqlite_file)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{cmd[0]} is not installed (PostgreSQL client tools are needed)") from exc
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {done.stderr.strip()[-2000:]}")


def backup(target: Path) -> dict[str, Any]:
    """Write FILE.tar: the database copy, media and the manifest. Returns the manifest."""
    target = Path(target)
    with tempfile.TemporaryDirectory(prefix="metrocoop-backup-") as tmp:
        tmpdir = Path(tmp)
        if _is_sqlite():
            db_file = tmpdir / SQLITE_NAME
            connection.ensure_connection()
            dest = sqlite3.connect(db_file)
            try:
                connection.connection.backup(dest)  # the online backup API: one consistent state, WAL included
            finally:
                dest.close()
            with _reading_from(db_file):
                figures = take_figures()
                migrations = _migration_state()
        else:
            db_file = tmpdir / PG_NAME
            args, env = _pg_env()
            name = connection.settings_dict["NAME"]
            with _pg_snapshot() as snapshot_id:
                figures = take_figures()
                migrations = _migration_state()
                _run(
                    ["pg_dump", *args, "-Fc", "--no-owner", f"--snapshot={snapshot_id}", "-f", str(db_file), name], env
                )
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": connection.vendor,
            "database_file": db_file.name,
            "database_sha256": _file_sha256(db_file),
            "migrations": migrations,
            **figures,
        }
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(db_file, arcname=db_file.name)
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                tar.add(media, arcname=MEDIA_PREFIX.rstrip("/"))
            data = json.dumps(manifest, ensure_ascii=False, indent=2, default=str).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        partial.replace(target)  # a crash mid-way never leaves a file that looks complete
    return manifest


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        with tarfile.open(source, "r") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = json.loads(member.read())
    except (tarfile.TarError, KeyError, json.JSONDecodeError, OSError) as exc:
        raise BackupError(f"{source} is not a MetroCoop backup ({exc})") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: unknown backup format {manifest.get('format')!r}")
    return manifest


def restore(source: Path) -> tuple[dict[str, Any], Verification]:
    """Replace the configured database and media with the backup's, then verify against its manifest."""
    source = Path(source)
    manifest = read_manifest(source)
    if manifest["engine"] != connection.vendor:
        raise BackupError(f"the backup is of a {manifest['engine']} database; this platform uses {connection.vendor}")
    with tempfile.TemporaryDirectory(prefix="metrocoop-restore-") as tmp:
        tmpdir = Path(tmp)
        with tarfile.open(source, "r") as tar:
            tar.extractall(tmpdir, filter="data")
        db_file = tmpdir / manifest["database_file"]
        if _file_sha256(db_file) != manifest["database_sha256"]:
            raise BackupError("the database copy in the backup does not match its manifest (damaged file)")
        if _is_sqlite():
            _restore_sqlite(db_file)
        else:
            _restore_postgres(db_file)
        media = Path(settings.MEDIA_ROOT)
        if (tmpdir / "media").is_dir():
            if media.exists():
                shutil.rmtree(media)
            shutil.copytree(tmpdir / "media", media)
    return manifest, verify_against(manifest)


def _restore_sqlite(db_file: Path) -> None:
    connection.close()
    target = Path(connection.settings_dict["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(db_file)
    dest = sqlite3.connect(target)
    try:
        src.backup(dest)  # page by page into the live file, WAL-aware; other connections see old or new
    finally:
        src.close()
        dest.close()


def _restore_postgres(db_file: Path) -> None:
    # Empty the database's own schemas first, then restore into them: pg_restore --clean cannot drop the
    # constraints that partitions inherit (the clearing tables are partitioned). DROP SCHEMA is not DELETE, so the
    # audit trail's triggers do not apply.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE %s AND nspname <> 'information_schema'", ["pg\\_%"]
        )
        for (schema,) in cursor.fetchall():
            cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
        cursor.execute("CREATE SCHEMA IF NOT EXISTS public")
    connection.close()
    args, env = _pg_env()
    name = connection.settings_dict["NAME"]
    _run(["pg_restore", *args, "--no-owner", "--single-transaction", "-d", name, str(db_file)], env)


def verify_against(manifest: dict[str, Any]) -> Verification:
    figures = take_figures()
    count_differences = [
        f"{label}: {manifest['counts'].get(label)} rows in the backup, {figures['counts'].get(label)} after restore"
        for label in sorted(set(manifest["counts"]) | set(figures["counts"]))
        if manifest["counts"].get(label) != figures["counts"].get(label)
    ]
    differences = list(count_differences)
    audit_ok = figures["audit"] == manifest["audit"]
    if not audit_ok:
        differences.append(
            f"audit trail: {manifest['audit']['entries']} entries ({manifest['audit']['sha256'][:12]}) in the backup, "
            f"{figures['audit']['entries']} ({figures['audit']['sha256'][:12]}) after restore"
        )
    failed = [app for app, result in figures["integrity"].items() if not result.get("ok")]
    differences += [f"{app}: integrity check failed after restore" for app in failed]
    return Verification(
        counts_ok=not count_differences,
        audit_ok=audit_ok,
        integrity_ok=not failed,
        differences=differences,
        integrity=figures["integrity"],
    )
