"""`metrocoop funds …`: contributions, notices and the assessment from the command line.

metrocoop funds contributions --fund investment --year 2026 [--json]   what each city owes and why
metrocoop funds notices --fund investment --year 2026 --docx F [--xlsx F]
metrocoop funds assess --year 2026 [--run] [--json]                    simulate (default) or run (final)
"""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from metrocoop.core.models import User
from metrocoop.core.money import yuan
from metrocoop.funds import documents, services
from metrocoop.funds.choices import FundKind
from metrocoop.funds.models import AssessmentCycle, ContributionCall, Fund


class Command(BaseCommand):
    help = "The joint funds: contributions, notices, assessment"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        c = sub.add_parser("contributions", help="compute the contributions of a year (nothing is stored)")
        c.add_argument("--fund", required=True, choices=["investment", "reward"])
        c.add_argument("--year", type=int, required=True)
        c.add_argument("--json", action="store_true")
        n = sub.add_parser("notices", help="write the issued contribution notices to Word and/or Excel")
        n.add_argument("--fund", required=True, choices=["investment", "reward"])
        n.add_argument("--year", type=int, required=True)
        n.add_argument("--docx")
        n.add_argument("--xlsx")
        a = sub.add_parser("assess", help="simulate the assessment of a year, or run it for real with --run")
        a.add_argument("--year", type=int, required=True)
        a.add_argument("--run", action="store_true", help="final: store results and post to the ledger")
        a.add_argument("--as", dest="username", default="office", help="the acting user (default: office)")
        a.add_argument("--json", action="store_true")

    def handle(self, *args, verb, **o):
        try:
            getattr(self, f"do_{verb}")(**o)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

    def do_contributions(self, fund, year, json=False, **_):
        result = services.preview_contributions(Fund.objects.get(code=fund), year)
        if json:
            self.stdout.write(_json(result.to_dict()))
            return
        for c in result.cities:
            bound = f" ({c.bound})" if c.bound else ""
            self.stdout.write(f"{c.city}  {c.share_percent:8.4f}%  {yuan(c.amount_fen):>18} yuan{bound}")
        self.stdout.write(f"total {yuan(result.total_fen)} yuan")

    def do_notices(self, fund, year, docx=None, xlsx=None, **_):
        call = ContributionCall.objects.filter(fund__code=fund, year=year).first()
        if call is None:
            raise CommandError(f"no contributions issued for {fund} {year}")
        if docx:
            self.stdout.write(str(documents.notices_docx(call, Path(docx))))
        if xlsx:
            self.stdout.write(str(documents.notices_xlsx(call, Path(xlsx))))

    def do_assess(self, year, run=False, username="office", json=False, **_):
        actor = User.objects.get(username=username)
        cycle = AssessmentCycle.objects.filter(fund__kind=FundKind.REWARD, year=year).first()
        if cycle is None:
            cycle = services.do_open_cycle(Fund.objects.get(kind=FundKind.REWARD), year, actor=actor)
        if run:
            cycle = services.do_run_cycle(cycle, actor=actor)
            outcome = cycle.result
        else:
            outcome = services.simulate_cycle(cycle, actor=actor)
        if json:
            self.stdout.write(_json(outcome))
            return
        payouts = {p["city"]: p for p in outcome["payouts"]["payouts"]}
        aid = {a["city"]: a for a in outcome["assistance"]["cities"]}
        for s in outcome["scores"]["cities"]:
            p = payouts[s["city"]]
            self.stdout.write(
                f"{s['rank']:>2} {s['city']}  {s['score']:7.3f}  reward {yuan(p['reward_fen']):>14}  "
                f"compensation {yuan(p['compensation_fen']):>12}  "
                f"assistance {yuan(aid.get(s['city'], {}).get('amount_fen', 0)):>14}"
            )
        self.stdout.write("final: posted to the ledger" if run else "simulation: nothing stored or posted")


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, default=str)
