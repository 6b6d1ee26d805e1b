"""`metrocoop demo`: migrate, load the paper's data and the demo accounts, then serve on http://127.0.0.1:8000.

Safe to run twice. `--load-only` loads the same into the configured database (DATABASE_URL: SQLite or
PostgreSQL) and exits.
"""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from metrocoop.core.demo import DEMO_PASSWORD, load_demo_accounts
from metrocoop.core.reference import load_reference_data
from metrocoop.indicators.paper import load_table1


class Command(BaseCommand):
    help = "Set up the demo database (paper data, one account per role) and serve it on http://127.0.0.1:8000"

    def add_arguments(self, parser):
        parser.add_argument("--load-only", action="store_true", help="load into the configured database and exit")
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address to serve on (default 127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, default=2, help="web worker processes (default 2)")

    def handle(self, *args, load_only=False, bind="127.0.0.1:8000", workers=2, **options):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        self.stdout.write("Migrating the database …")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Loading the member cities, organisations and the paper's tables …")
        ref = load_reference_data()
        observations = load_table1()
        accounts = load_demo_accounts()  # before the modules' demo data, which acts as these people
        from metrocoop.demo_data import load_module_demo_data

        extra = load_module_demo_data(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"{ref.cities} cities, {ref.organisations} organisations, {observations} observations"
                + (f", {extra}" if extra else "")
            )
        )
        self.stdout.write(f"\nDemo accounts (password: {DEMO_PASSWORD})\n")
        for a in accounts:
            self.stdout.write(f"  {a.username:<16} {a.role:<12} {a.scope:<22} {a.display_name}")
        if load_only:
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"\nServing MetroCoop on http://{bind}/  (Ctrl-C stops)"))
        env = {**os.environ, "METROCOOP_DEMO": "1", "METROCOOP_DATA_DIR": str(settings.DATA_DIR)}
        worker = subprocess.Popen([sys.executable, "-m", "metrocoop", "worker"], env=env)
        try:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "metrocoop.wsgi:application",
                    "--bind",
                    bind,
                    "--workers",
                    str(workers),
                    "--access-logfile",
                    "-",
                    "--graceful-timeout",
                    "5",
                ],
                env=env,
                check=False,
            )
        except KeyboardInterrupt:
            pass
        finally:
            worker.terminate()
            worker.wait(timeout=10)
