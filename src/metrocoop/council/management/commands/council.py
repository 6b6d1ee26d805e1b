"""`metrocoop council <verb>`: remind (daily: notify the people responsible for overdue items and late or returned
reports) and summary (the annual summary to Word and/or Excel)."""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from metrocoop.council.models import AnnualPlan
from metrocoop.council.reminders import send_reminders
from metrocoop.council.summary import build_summary, write_docx, write_xlsx


class Command(BaseCommand):
    help = "Council cycle: `remind` (safe to run daily), `summary --year YEAR --docx FILE [--xlsx FILE]`"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        remind = sub.add_parser("remind", help="notify the people responsible for the board's rows")
        remind.add_argument("--date", type=date.fromisoformat, help="judge on this day (default today)")
        remind.add_argument("--json", action="store_true")
        summary = sub.add_parser("summary", help="write a year's annual summary to Word and/or Excel")
        summary.add_argument("--year", type=int, required=True)
        summary.add_argument("--docx", type=Path)
        summary.add_argument("--xlsx", type=Path)
        summary.add_argument("--json", action="store_true", help="print the generated figures as JSON")

    def handle(self, *args, verb, **options):
        if verb == "remind":
            result = send_reminders(options.get("date"))
            if options["json"]:
                self.stdout.write(json.dumps(result))
            else:
                self.stdout.write(
                    f"{result['overdue_item']} overdue-item, {result['late_report']} late-report and "
                    f"{result['returned_report']} returned-report notifications"
                )
            return
        plan = AnnualPlan.objects.filter(year=options["year"]).first()
        if plan is None:
            raise CommandError(f"没有{options['year']}年度计划 / No annual plan for {options['year']}")
        view = build_summary(plan)
        written = []
        if options.get("docx"):
            written.append(str(write_docx(view, options["docx"])))
        if options.get("xlsx"):
            written.append(str(write_xlsx(view, options["xlsx"])))
        if options["json"]:
            self.stdout.write(json.dumps({"files": written, "figures": view.figures.as_dict()}, ensure_ascii=False))
        else:
            t = view.figures.totals.as_dict()
            self.stdout.write(
                f"{plan.year}: {t['items']} items, {t['completed']} completed, {t['on_track']} on track, "
                f"{t['late']} late, {t['not_started']} not started"
            )
            for w in written:
                self.stdout.write(f"written {w}")
