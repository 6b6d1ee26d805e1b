"""`metrocoop clearing …`: ingest claims files, open and close periods, verify the invariants, generate a
synthetic claims stream.

    metrocoop clearing ingest FILE [--user NAME] [--chunk-size N] [--no-parallel] [--json]
    metrocoop clearing close --period YYYY-MM [--json]
    metrocoop clearing open --period YYYY-MM
    metrocoop clearing verify [--json]
    metrocoop clearing archive --period YYYY-MM [--json]    (PostgreSQL: detach a closed period's partitions)
    metrocoop clearing restore --period YYYY-MM [--json]    (attach them again)
    metrocoop clearing generate --claims N FILE [--seed S] [--start YYYY-MM] [--months M] [--bad-share F]
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from django.core.management.base import CommandError

from metrocoop.core.commands import VerbCommand, acting_user, add_verb
from metrocoop.core.money import yuan


def _month(text: str) -> tuple[int, int]:
    try:
        year, month = (int(x) for x in text.split("-"))
        if not 1 <= month <= 12:
            raise ValueError
    except ValueError:
        raise CommandError(f"期间格式应为 YYYY-MM  Period must be YYYY-MM, got {text!r}") from None
    return year, month


class Progress:
    """A one-line progress bar on stderr (tqdm is not a dependency)."""

    def __init__(self, stream, label: str) -> None:
        self.stream, self.label, self.started = stream, label, time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        rate = done / max(1e-9, time.perf_counter() - self.started)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} {rate:,.0f}/s")
        self.stream.flush()
        if done >= total:
            self.stream.write("\n")


class Command(VerbCommand):
    help = "Cross-city clearing: ingest, open, close, verify, generate"

    def add_verbs(self, sub):
        p = sub.add_parser("ingest", help="ingest a CSV or Parquet claims file")
        p.add_argument("file")
        p.add_argument("--user", help="act as this user (default: the first office account)")
        p.add_argument("--chunk-size", type=int, default=20_000)
        p.add_argument(
            "--parallel", action=argparse.BooleanOptionalAction, default=True,
            help="a forked second process validates and writes every other chunk (default; --no-parallel: one)",
        )  # fmt: skip
        p.add_argument("--json", action="store_true")
        p = add_verb(sub, "close", help="close a period")
        p.add_argument("--period", required=True)
        p.add_argument("--user")
        p = sub.add_parser("open", help="open a period")
        p.add_argument("--period", required=True)
        p.add_argument("--user")
        for verb, text in (
            ("archive", "detach a closed period's partitions (PostgreSQL)"),
            ("restore", "attach an archived period's partitions again (PostgreSQL)"),
        ):
            p = add_verb(sub, verb, help=text)
            p.add_argument("--period", required=True)
            p.add_argument("--user")
        add_verb(sub, "verify", help="check every invariant")
        p = sub.add_parser("generate", help="write a synthetic claims file (and set up what it needs)")
        p.add_argument("--claims", type=int, required=True)
        p.add_argument("file")
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--start", help="first month YYYY-MM (default: two months ago)")
        p.add_argument("--months", type=int, default=3)
        p.add_argument("--bad-share", type=float, default=0.03)
        p.add_argument("--no-setup", action="store_true", help="only write the file")
        p.add_argument("--user")

    def _emit(self, data: dict, as_json: bool, text: str) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, default=str, indent=2) if as_json else text)

    def do_ingest(self, file, user=None, chunk_size=20_000, parallel=True, json=False, **_):
        from metrocoop.clearing.reader import FileRefused, read_claims_file
        from metrocoop.clearing.services import do_ingest_claims

        actor = acting_user(user)
        try:
            source = read_claims_file(file)
        except FileRefused as exc:
            raise CommandError(f"文件被拒绝，未做任何修改：{exc.zh}\nFile refused, nothing changed: {exc.en}") from None
        progress = None if json else Progress(sys.stderr, "ingest")
        result = do_ingest_claims(source, actor=actor, chunk_size=chunk_size, progress=progress, parallel=parallel)
        text = (
            f"batch #{result.batch_id}: {result.received:,} received = {result.posted:,} posted + "
            f"{result.rejected:,} rejected + {result.duplicates:,} duplicates ({result.conflicts} conflicts); "
            f"{result.postings} ledger postings; {result.seconds:.1f} s ({result.processes} process(es)); "
            f"reasons {result.reasons}"
        )
        self._emit(result.as_dict(), json, text)

    def do_open(self, period, user=None, **_):
        from metrocoop.clearing.services import do_open_period

        p = do_open_period(*_month(period), actor=acting_user(user))
        self.stdout.write(f"{p.code}: {p.status}")

    def do_close(self, period, user=None, json=False, **_):
        from metrocoop.clearing.models import Period
        from metrocoop.clearing.services import do_close_period

        year, month = _month(period)
        row = Period.objects.filter(year=year, month=month).first()
        if row is None:
            raise CommandError(f"无此结算期 No such period: {period}")
        closed = do_close_period(row, actor=acting_user(user))
        data = {
            "period": closed.code,
            "status": closed.status,
            "positions": [
                {"city": p.city.code, "receivable_fen": p.receivable_fen, "payable_fen": p.payable_fen,
                 "net_fen": p.net_fen}
                for p in closed.positions.select_related("city")
            ],
            "instructions": [
                {"payer": i.payer.code, "payee": i.payee.code, "amount_fen": i.amount_fen}
                for i in closed.instructions.select_related("payer", "payee")
            ],
            "method": closed.result.get("method"),
            "minimal": closed.result.get("minimal"),
        }  # fmt: skip
        lines = [f"{closed.code} closed; {len(data['instructions'])} instruction(s) ({data['method']})"]
        lines += [f"  {i['payer']} → {i['payee']}: {yuan(i['amount_fen'])} 元" for i in data["instructions"]]
        self._emit(data, json, "\n".join(lines))

    def _period(self, text: str):
        from metrocoop.clearing.models import Period

        year, month = _month(text)
        row = Period.objects.filter(year=year, month=month).first()
        if row is None:
            raise CommandError(f"无此结算期 No such period: {text}")
        return row

    def do_archive(self, period, user=None, json=False, **_):
        from metrocoop.clearing.services import do_archive_period

        row = self._period(period)
        names = do_archive_period(row, actor=acting_user(user))
        self._emit({"period": row.code, "archived": names}, json, f"{row.code} archived: {', '.join(names)}")

    def do_restore(self, period, user=None, json=False, **_):
        from metrocoop.clearing.services import do_restore_period

        row = self._period(period)
        names = do_restore_period(row, actor=acting_user(user))
        self._emit({"period": row.code, "restored": names}, json, f"{row.code} restored: {', '.join(names)}")

    def do_verify(self, json=False, **_):
        from metrocoop.clearing.services import verify_clearing

        report = verify_clearing()
        data = report.as_dict()
        ledger = data["ledger"]
        text = (
            f"{'OK' if report.ok else 'FAILED'}: ledger {ledger['transfers']} transfers, debits {ledger['debits_fen']} "
            f"= credits {ledger['credits_fen']}: {ledger['debits_fen'] == ledger['credits_fen']}; balances "
            f"recomputed = stored: {not ledger['mismatched_balances']}; chain: {ledger['chain_ok']} "
            f"(head {ledger['head_ok']}); batches add up: {report.batches_ok}; "
            f"postings = Σ claims: {report.postings_ok}"
        )
        self._emit(data, json, text)
        if not report.ok:
            raise CommandError("invariant check failed")

    def do_generate(self, claims, file, seed=0, start=None, months=3, bad_share=0.03, no_setup=False, user=None, **_):
        from datetime import date

        from metrocoop.clearing.engine.synthetic import synthetic_catalogue, synthetic_claims
        from metrocoop.clearing.reader import pseudonym_key, write_claims_file
        from metrocoop.clearing.services import do_open_period
        from metrocoop.clearing.setup import load_authorisations, load_catalogue
        from metrocoop.core.models import City

        if start:
            year, month = _month(start)
        else:
            today = date.today()
            index = today.year * 12 + today.month - 1 - 2
            year, month = index // 12, index % 12 + 1
        month_list = [((year * 12 + month - 1 + k) // 12, (year * 12 + month - 1 + k) % 12 + 1) for k in range(months)]
        cities = sorted(City.objects.members_on(date(*month_list[0], 1)).values_list("code", flat=True))
        catalogue = synthetic_catalogue(cities, seed)
        self.stderr.write(f"generating {claims:,} claims over {months} month(s) …")
        stream = synthetic_claims(
            claims, cities, month_list, catalogue, key=pseudonym_key(), seed=seed, bad_share=bad_share
        )
        written = write_claims_file(file, stream.rows)
        if not no_setup:
            actor = acting_user(user)
            load_catalogue(catalogue, actor=actor)
            load_authorisations(stream.authorisations, actor=actor)
            for y, m in month_list:
                do_open_period(y, m, actor=actor)
        self.stdout.write(
            f"{written:,} claims → {file} ({len(stream.authorisations):,} authorisations, bad: {stream.bad})"
        )
