"""`metrocoop backup FILE.tar`: a consistent copy of the database and uploads with a manifest (metrocoop.backup)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from metrocoop.backup import BackupError, backup


class Command(BaseCommand):
    requires_system_checks: list = []  # a restore runs against an empty or damaged database
    help = "Back up the database and uploaded files into one .tar with a manifest (counts, audit digest, checks)"

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive to write, e.g. metrocoop-2026-11-29.tar")
        parser.add_argument("--json", action="store_true", help="print the manifest as JSON")

    def handle(self, *args, file, **options):
        try:
            manifest = backup(Path(file))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(manifest, ensure_ascii=False, default=str))
            return
        rows = sum(manifest["counts"].values())
        checks = ", ".join(f"{app} {'ok' if r.get('ok') else 'FAILED'}" for app, r in manifest["integrity"].items())
        self.stdout.write(
            f"backup written to {file}: {manifest['engine']}, {rows} rows in {len(manifest['counts'])} tables, "
            f"{manifest['audit']['entries']} audit entries (sha256 {manifest['audit']['sha256'][:12]}…); {checks}"
        )
