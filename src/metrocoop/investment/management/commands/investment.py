"""`metrocoop investment …`: credit codes, co-built parks and their shares, missing links.

metrocoop investment credit-code CODE [CODE…] [--json]      GB 32100-2015 check; exit 0 even when some are invalid
metrocoop investment parks [--json]                         parks with host, partner and the years with figures
metrocoop investment park-shares --park CODE --year YEAR [--json]
                                                            each side's share of tax (fen), gdp (fen), land_quota (m²)
metrocoop investment post-park-year --park CODE --year YEAR [--as USER]
                                                            fix the shares and post the partner's tax share (once)
metrocoop investment gaps [--chain CODE] [--json]           missing and concentrated links
metrocoop investment statement --park CODE [--docx F] [--xlsx F]
"""

import json as jsonlib
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from metrocoop.core.commands import VerbCommand, add_verb
from metrocoop.core.models import User
from metrocoop.investment import creditcode, documents, engine, services
from metrocoop.investment.models import Chain, Park, ParkYear


class Command(VerbCommand):
    help = "Investment coordination: credit codes, co-built parks and their shares, missing links"
    refused = (ValidationError, engine.SharingError)

    def add_verbs(self, sub):
        c = add_verb(sub, "credit-code", help="check unified social credit codes (GB 32100-2015)")
        c.add_argument("codes", nargs="+", metavar="CODE")
        add_verb(sub, "parks", help="list the co-built parks")
        s = add_verb(sub, "park-shares", help="each side's share of a park's year")
        s.add_argument("--park", required=True)
        s.add_argument("--year", type=int, required=True)
        q = sub.add_parser("post-park-year", help="post a park's year to the ledger (idempotent)")
        q.add_argument("--park", required=True)
        q.add_argument("--year", type=int, required=True)
        q.add_argument("--as", dest="username", default="office")
        g = add_verb(sub, "gaps", help="missing and concentrated links")
        g.add_argument("--chain")
        t = sub.add_parser("statement", help="a park's statement in Word and/or Excel")
        t.add_argument("--park", required=True)
        t.add_argument("--docx")
        t.add_argument("--xlsx")

    def refusal(self, exc: Exception) -> str:
        if isinstance(exc, engine.SharingError):
            return f"{exc.message_zh} / {exc.message_en}"
        return super().refusal(exc)

    def do_credit_code(self, codes, json=False, **_):
        results = [creditcode.validate(code) for code in codes]
        if json:
            self.stdout.write(_json([r.to_dict() for r in results]))
            return
        for r in results:
            text = "valid" if r.valid else f"INVALID: {r.reason}"
            self.stdout.write(f"{r.code}  {text}" + (f"  (warning: {r.warning})" if r.warning else ""))

    def do_parks(self, json=False, **_):
        parks = Park.objects.select_related("host", "partner").prefetch_related("years").order_by("code")
        rows = [
            {
                "code": p.code,
                "name": p.name_zh,
                "name_en": p.name_en,
                "host": p.host.code,
                "partner": p.partner.code,
                "years": sorted(int(y.year) for y in p.years.all()),
            }
            for p in parks
        ]
        if json:
            self.stdout.write(_json(rows))
            return
        for r in rows:
            years = ", ".join(str(y) for y in r["years"]) or "-"
            self.stdout.write(f"{r['code']}  {r['name']}  host {r['host']}  partner {r['partner']}  years {years}")

    def _park(self, code: str) -> Park:
        park = Park.objects.select_related("host", "partner").filter(code=code).first()
        if park is None:
            raise CommandError(f"no park {code!r}")
        return park

    def do_park_shares(self, park, year, json=False, **_):
        p = self._park(park)
        try:
            result = services.park_shares(p, year)
        except ParkYear.DoesNotExist as exc:
            raise CommandError(f"park {park} has no figures for {year}") from exc
        if json:
            self.stdout.write(_json(result))
            return
        for item in result["items"]:
            self.stdout.write(
                f"{item['item']:<11} total {item['total']:>16}  {p.host.code} {item[p.host.code]:>16}  "
                f"{p.partner.code} {item[p.partner.code]:>16}"
            )

    def do_post_park_year(self, park, year, username="office", **_):
        p = self._park(park)
        row = ParkYear.objects.filter(park=p, year=year).first()
        if row is None:
            raise CommandError(f"park {park} has no figures for {year}")
        row = services.do_post_park_year(row, actor=User.objects.get(username=username))
        self.stdout.write(f"posted {p.code} {year}: {row.transfer.client_id if row.transfer_id else 'no transfer'}")

    def do_gaps(self, chain=None, json=False, **_):
        c = Chain.objects.filter(code=chain).first() if chain else None
        if chain and c is None:
            raise CommandError(f"no chain {chain!r}")
        report = services.gap_report(c)
        if json:
            self.stdout.write(_json(report.to_dict()))
            return
        self.stdout.write("missing in the area: " + (", ".join(report.missing_in_area) or "-"))
        for link, city in report.concentrated.items():
            self.stdout.write(f"only in {city}: {link}")

    def do_statement(self, park, docx=None, xlsx=None, **_):
        p = self._park(park)
        if docx:
            self.stdout.write(str(documents.park_statement_docx(p, Path(docx))))
        if xlsx:
            self.stdout.write(str(documents.park_statement_xlsx(p, Path(xlsx))))


def _json(data) -> str:
    return jsonlib.dumps(data, ensure_ascii=False, indent=1, default=str)
