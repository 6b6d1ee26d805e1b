"""`metrocoop restore FILE.tar --yes`: replace the database and uploads with a backup, then verify it."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from metrocoop.backup import BackupError, read_manifest, restore


class Command(BaseCommand):
    requires_system_checks: list = []  # a restore runs against an empty or damaged database
    help = "Restore a backup made by `metrocoop backup` (stop the server first), then verify it against its manifest"

    def add_arguments(self, parser):
        parser.add_argument("file", help="an archive written by `metrocoop backup`")
        parser.add_argument("--yes", action="store_true", help="replace the configured database without asking")
        parser.add_argument("--json", action="store_true", help="print the verification as JSON")

    def handle(self, *args, file, **options):
        try:
            manifest = read_manifest(Path(file))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not options["yes"]:
            raise CommandError(
                f"this replaces the configured database with the backup of {manifest['created_at']} "
                f"({manifest['engine']}); run again with --yes to do it"
            )
        try:
            _, verification = restore(Path(file))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(verification.as_dict(), ensure_ascii=False, default=str))
        else:
            for line in verification.differences:
                self.stdout.write(f"  {line}")
            self.stdout.write(
                f"restored {file}: counts {'match' if verification.counts_ok else 'DIFFER'}, audit trail "
                f"{'matches' if verification.audit_ok else 'DIFFERS'}, integrity checks "
                f"{'pass' if verification.integrity_ok else 'FAIL'}"
            )
        if not verification.ok:
            raise CommandError("the restored database does not match the backup's manifest")
