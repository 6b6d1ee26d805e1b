"""`metrocoop serve`: the production web server (gunicorn). Refuses demo passwords, the demo key and DEBUG."""

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from metrocoop.core.safety import unsafe_reasons


class Command(BaseCommand):
    help = "Serve MetroCoop with gunicorn (run `metrocoop worker` beside it for background jobs)"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)

    def handle(self, *args, bind, workers, **options):
        reasons = unsafe_reasons()
        if reasons:
            raise CommandError("refusing to start: " + "; ".join(reasons))
        os.execv(
            sys.executable,
            [sys.executable, "-m", "gunicorn", "metrocoop.wsgi:application", "--bind", bind, "--workers", str(workers)],
        )
