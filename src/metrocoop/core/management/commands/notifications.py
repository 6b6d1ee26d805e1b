"""`metrocoop notifications digest`: mail each person one digest of what they have not been mailed yet."""

import json

from django.core.management.base import BaseCommand

from metrocoop.core.notifications import send_digests


class Command(BaseCommand):
    help = "Notifications: `digest` mails one digest per person"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        digest = sub.add_parser("digest", help="mail the pending notifications, one message per person")
        digest.add_argument("--json", action="store_true")

    def handle(self, *args, verb, **options):
        result = send_digests()
        if options.get("json"):
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(f"{result['notifications']} notifications mailed to {result['people']} people")
