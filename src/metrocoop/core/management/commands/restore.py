"""`metrocoop restore FILE.tar --yes`: replace the database and uploads with a backup, then verify it."""

from django.core.management.base import CommandError

from metrocoop.backup import read_manifest, restore
from metrocoop.core.management.commands._archive import ArchiveCommand


class Command(ArchiveCommand):
    help = "Restore a backup made by `metrocoop backup` (stop the server first), then verify it against its manifest"
    file_help = "an archive written by `metrocoop backup`"
    json_help = "print the verification as JSON"

    def add_options(self, parser):
        parser.add_argument("--yes", action="store_true", help="replace the configured database without asking")

    def handle(self, *args, file, **options):
        manifest = self.on_archive(read_manifest, file)
        if not options["yes"]:
            raise CommandError(
                f"this replaces the configured database with the backup of {manifest['created_at']} "
                f"({manifest['engine']}); run again with --yes to do it"
            )
        _, verification = self.on_archive(restore, file)
        if options["json"]:
            self.write_json(verification.as_dict())
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
