"""`metrocoop forum …`: the forum's scheduled work and checks.

metrocoop forum deadlines [--today YYYY-MM-DD] [--json]   remind and escalate (run daily; idempotent)
metrocoop forum digest --frequency daily|weekly [--json]  mail the digests of people on that frequency
metrocoop forum duplicates --title T --text X [--json]    list the likely duplicates of a text
metrocoop forum calendar START DAYS [--json]              the due date DAYS working days after START
"""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from metrocoop.core.commands import add_verb
from metrocoop.forum import engine, services
from metrocoop.forum.choices import DigestFrequency


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD  A date must be YYYY-MM-DD, got {text!r}") from None


class Command(BaseCommand):
    help = "Forum: deadlines (reminders and escalation), digests, duplicate check, working-day calendar"
    requires_system_checks: list = []  # data work; `metrocoop check` covers the checks

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        p = add_verb(sub, "deadlines", help="remind whoever owes a step and escalate overdue ones to the office")
        p.add_argument("--today", help="check as of this day (default: today in Shanghai)")
        p = add_verb(sub, "digest", help="mail the notification digests of the people on one frequency")
        p.add_argument("--frequency", choices=DigestFrequency.values, required=True)
        p = add_verb(sub, "duplicates", help="the likely duplicates of a title and text among public suggestions")
        p.add_argument("--title", required=True)
        p.add_argument("--text", required=True)
        p = add_verb(sub, "calendar", help="the due date a number of working days after a day")
        p.add_argument("start")
        p.add_argument("days", type=int)

    def handle(self, *args, verb, **options):
        as_json = options.get("json")
        if verb == "deadlines":
            today = _date(options["today"]) if options.get("today") else None
            result = services.check_deadlines(today)
            text = (
                f"{result['reminded']} reminded, {result['escalated']} escalated, "
                f"{result['recomputed']} provisional deadlines recomputed"
            )
        elif verb == "digest":
            result = services.send_digests(options["frequency"])
            text = f"{result['notifications']} notifications mailed to {result['people']} people"
        elif verb == "duplicates":
            matches = services.find_likely_duplicates(options["title"], options["text"])
            result = {
                "likely_duplicates": [{"id": m.id, "title": m.title, "similarity": m.similarity} for m in matches]
            }
            text = "\n".join(f"#{m.id}  {m.similarity:.2f}  {m.title}" for m in matches) or "no likely duplicates"
        else:
            if options["days"] < 0:
                raise CommandError("天数不能为负  DAYS must be zero or more")
            deadline = engine.add_working_days(_date(options["start"]), options["days"])
            result = {
                "start": deadline.start.isoformat(),
                "working_days": deadline.working_days,
                "due_on": deadline.due_on.isoformat(),
                "provisional": deadline.provisional,
                "calendar_known_until": engine.CALENDAR_LAST_YEAR,
                "steps": list(deadline.steps),
            }
            text = "\n".join(
                [f"due on {result['due_on']}" + (" (provisional)" if deadline.provisional else "")] + result["steps"]
            )
        self.stdout.write(json.dumps(result, ensure_ascii=False) if as_json else text)
