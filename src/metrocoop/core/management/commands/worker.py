"""`metrocoop worker`: runs background jobs (imports, period closes, reports) from the database queue."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task worker (django-tasks database backend)"

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")

    def handle(self, *args, batch=False, **options):
        from metrocoop.core.jobs import recover_interrupted, worker_id

        for job in recover_interrupted():  # tasks of a worker that died mid-way (see core.jobs)
            self.stdout.write(f"re-queued job {job} (its worker stopped mid-way)")
        call_command("db_worker", *(["--batch"] if batch else []), "--interval", "0.5", "--worker-id", worker_id())
