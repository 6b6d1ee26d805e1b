"""What `metrocoop backup` and `metrocoop restore` share (the leading underscore keeps it from being a command)."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from metrocoop.backup import BackupError


class ArchiveCommand(BaseCommand):
    """A command on one backup archive: no system checks (a restore runs against an empty or damaged database), the
    archive as its argument, `--json` for machine output, and a BackupError reported as a command error."""

    requires_system_checks: list = []
    file_help = ""
    json_help = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help=self.file_help)
        self.add_options(parser)
        parser.add_argument("--json", action="store_true", help=self.json_help)

    def add_options(self, parser) -> None:
        """Options between the archive and `--json` (none unless a command adds some)."""

    @staticmethod
    def on_archive(step: Callable[[Path], Any], file: str) -> Any:
        """`step` run on the archive `file`; its BackupError becomes a CommandError with the same message."""
        try:
            return step(Path(file))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc

    def write_json(self, data: Any) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, default=str))
