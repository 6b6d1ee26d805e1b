"""`metrocoop worker`: runs background jobs (imports, period closes, reports) from the database queue."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task worker (django-tasks database backend)"

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")

    def handle(self, *args, batch=False, **options):
        call_command("db_worker", *(["--batch"] if batch else []), "--interval", "0.5")
