"""`metrocoop backup FILE.tar`: a consistent copy of the database and uploads with a manifest (metrocoop.backup)."""

from metrocoop.backup import backup
from metrocoop.core.management.commands._archive import ArchiveCommand


class Command(ArchiveCommand):
    help = "Back up the database and uploaded files into one .tar with a manifest (counts, audit digest, checks)"
    file_help = "the archive to write, e.g. metrocoop-2026-11-29.tar"
    json_help = "print the manifest as JSON"

    def handle(self, *args, file, **options):
        manifest = self.on_archive(backup, file)
        if options["json"]:
            self.write_json(manifest)
            return
        rows = sum(manifest["counts"].values())
        checks = ", ".join(f"{app} {'ok' if r.get('ok') else 'FAILED'}" for app, r in manifest["integrity"].items())
        self.stdout.write(
            f"backup written to {file}: {manifest['engine']}, {rows} rows in {len(manifest['counts'])} tables, "
            f"{manifest['audit']['entries']} audit entries (sha256 {manifest['audit']['sha256'][:12]}…); {checks}"
        )
