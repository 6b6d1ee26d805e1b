"""Backup and restore as an operator runs them: the real commands in their own processes, against a scratch
database of the engine under test (SQLite file, or a new PostgreSQL database on the test server), never the
test database itself. Dump, wipe, restore, then counts, the audit trail and the ledger's checks must agree."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings

POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

SEED = """
from metrocoop.core.reference import load_reference_data
from metrocoop.core.demo import load_demo_accounts
from metrocoop.core.models import City, User
from metrocoop.core.services import do_update_city_profile
from metrocoop.ledger import engine
from metrocoop.ledger.services import do_post_transfer, ensure_account
load_reference_data(); load_demo_accounts()
office = User.objects.get(username="office")
do_update_city_profile(City.objects.get(code="SZ"), {"positioning": "备份前的定位 / before backup"}, actor=office)
for code in ("A", "B"):
    ensure_account(f"test:{code}", name_zh=code, name_en=code, kind="other", owner_app="core")
do_post_transfer(engine.Transfer("backup-test-1", "test:A", "test:B", 12345, "test.backup"), actor=office)
"""


@pytest.fixture
def scratch(tmp_path):
    """Environment for a scratch platform: its own data folder, and on PostgreSQL its own database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "METROCOOP_TEST_SQLITE")}
    env["METROCOOP_DATA_DIR"] = str(tmp_path / "data")
    (tmp_path / "data" / "media" / "attachments").mkdir(parents=True)
    (tmp_path / "data" / "media" / "attachments" / "minutes.txt").write_text("会议纪要", encoding="utf-8")
    admin = None
    if POSTGRES:
        import psycopg

        db = settings.DATABASES["default"]
        name = f"metrocoop_backup_{uuid.uuid4().hex[:10]}"
        conninfo = f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} user={db['USER']} dbname=postgres"
        if db.get("PASSWORD"):
            conninfo += f" password={db['PASSWORD']}"
        admin = psycopg.connect(conninfo, autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
        env["_SCRATCH_DB"] = name
    yield env, tmp_path
    if admin is not None:
        admin.execute(f'DROP DATABASE IF EXISTS "{env["_SCRATCH_DB"]}" WITH (FORCE)')
        admin.close()


def run(env, *args, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "metrocoop", *args], env=env, capture_output=True, text=True, timeout=600
    )
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


def wipe(env, tmp_path) -> None:
    if POSTGRES:
        import psycopg

        url = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{env["_SCRATCH_DB"]}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{env["_SCRATCH_DB"]}"')
    else:
        for f in (tmp_path / "data").glob("metrocoop.sqlite3*"):
            f.unlink()
    media = tmp_path / "data" / "media"
    for f in sorted(media.rglob("*"), reverse=True):
        f.unlink() if f.is_file() else f.rmdir()


def _tamper(archive: Path, out: Path) -> None:
    """A copy of the archive whose manifest claims another audit trail than the database copy holds."""
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member) if member.isfile() else None
            if member.name == "manifest.json":
                manifest = json.loads(data.read())
                manifest["audit"]["sha256"] = "0" * 64
                raw = json.dumps(manifest).encode()
                member.size = len(raw)
                data = io.BytesIO(raw)
            dst.addfile(member, data)


@pytest.mark.django_db
def test_backup_wipe_restore_gives_back_every_row_the_audit_trail_and_a_verifying_ledger(scratch):
    # given a platform with reference data, an audited profile change, a ledger transfer and an uploaded file
    env, tmp_path = scratch
    run(env, "migrate", "--no-input", "-v", "0")
    run(env, "shell", "-c", SEED)
    archive = tmp_path / "platform.tar"

    # when it is backed up
    manifest = json.loads(run(env, "backup", str(archive), "--json").stdout)
    assert manifest["counts"]["core.City"] >= 9 and manifest["counts"]["ledger.Transfer"] == 1
    assert manifest["audit"]["entries"] > 0 and manifest["integrity"]["ledger"]["ok"] is True

    # and everything is lost
    wipe(env, tmp_path)

    # then a restore asks before it replaces anything, refuses what is not a backup,
    refused = run(env, "restore", str(archive), check=False)
    assert refused.returncode != 0 and "--yes" in refused.stderr
    bogus = tmp_path / "bogus.tar"
    bogus.write_bytes(b"not a tar file")
    refused = run(env, "restore", str(bogus), "--yes", check=False)
    assert refused.returncode != 0 and "not a MetroCoop backup" in refused.stderr

    # reports a copy whose manifest does not describe it,
    tampered = tmp_path / "tampered.tar"
    _tamper(archive, tampered)
    done = run(env, "restore", str(tampered), "--yes", check=False)
    assert done.returncode != 0
    assert "audit trail" in done.stdout and "does not match" in done.stderr

    # and gives back every row, the audit trail, a verifying ledger and the uploaded files
    verification = json.loads(run(env, "restore", str(archive), "--yes", "--json").stdout)
    assert verification["ok"] is True, verification["differences"]
    check = run(
        env, "shell", "-c",
        "from metrocoop.core.models import City; from metrocoop.ledger.models import Transfer;"
        "print(City.objects.get(code='SZ').positioning, Transfer.objects.get().amount_fen)",
    )  # fmt: skip
    assert check.stdout.strip().splitlines()[-1].split() == ["备份前的定位", "/", "before", "backup", "12345"]
    assert (tmp_path / "data" / "media" / "attachments" / "minutes.txt").read_text(encoding="utf-8") == "会议纪要"
