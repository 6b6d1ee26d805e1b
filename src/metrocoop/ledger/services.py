"""Writes to the ledger: posting (one or a batch), reversal, and the check that re-derives everything.

Rules (docs/conventions.md "Business rules live in services"; docs/references.md "Ledgers and clearing"):

- Idempotency by client id (TigerBeetle, Formance): the same id with the same content returns the original
  transfer and posts nothing; the same id with other content raises `IdempotencyConflict` (409 in the API) and
  never overwrites.
- Accounts are locked in a fixed order (`select_for_update()` ordered by pk, Saleor's lock_objects) and the chain
  head after them, so concurrent posters cannot deadlock on each other or fork the chain.
- A balance never changes without a transfer row written in the same transaction.

`do_post_transfer` is the checked entry point for people (the office, through the API). `post_transfers` is the
bulk path for other apps' services (clearing, funds) that have already checked their own permission for the
business action (a city officer ingesting claims may not post arbitrary transfers, but their claims post).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from metrocoop.core.audit import AuditAction, acting, log_event
from metrocoop.core.permissions import Action, require
from metrocoop.ledger import engine
from metrocoop.ledger.engine import IdempotencyConflict, InvalidReversal, InvalidTransfer
from metrocoop.ledger.models import Account, ChainHead, Transfer

__all__ = [
    "IdempotencyConflict",
    "InvalidReversal",
    "InvalidTransfer",
    "LedgerReport",
    "PostedTransfer",
    "do_post_transfer",
    "do_reverse_transfer",
    "ensure_account",
    "post_transfer",
    "post_transfers",
    "reverse_transfer",
    "verify_ledger",
]


@dataclass(frozen=True)
class PostedTransfer:
    """The result of posting: ``status`` "new" or "replay" and the stored row (the original on a replay)."""

    status: Literal["new", "replay"]
    transfer: Transfer


def ensure_account(code: str, *, name_zh: str, name_en: str, kind: str, owner_app: str, city=None) -> Account:
    """The account with ``code``, created if missing (idempotent; an existing account is never changed)."""
    account, _ = Account.objects.get_or_create(
        code=code, defaults={"name_zh": name_zh, "name_en": name_en, "kind": kind, "owner_app": owner_app, "city": city}
    )
    return account


def _lock_accounts(codes: Iterable[str]) -> dict[str, Account]:
    wanted = sorted(set(codes))
    # Fixed lock order (by pk) so that two batches touching the same accounts cannot deadlock.
    accounts = {a.code: a for a in Account.objects.select_for_update().filter(code__in=wanted).order_by("pk")}
    missing = [code for code in wanted if code not in accounts]
    if missing:
        raise InvalidTransfer(f"unknown account(s): {', '.join(missing)}")
    return accounts


def _lock_head() -> ChainHead:
    ChainHead.objects.get_or_create(pk=1)
    return ChainHead.objects.select_for_update().get(pk=1)


def post_transfers(transfers: Sequence[engine.Transfer], *, actor: Any) -> list[PostedTransfer]:
    """Post a batch atomically (the bulk path for other apps' services): all or nothing.

    Each transfer is classified by its client id: new ones are chained and written with one bulk insert, replays
    return the stored original, a conflict raises `IdempotencyConflict` and nothing of the batch is written.
    The caller has checked the business permission; this checks the ledger's own rules.
    """
    if not transfers:
        return []
    with transaction.atomic(), acting(actor):
        hashes = [engine.content_hash(t) for t in transfers]
        ids = [t.id for t in transfers]
        if len(set(ids)) != len(ids):
            raise InvalidTransfer("a batch names the same client id twice")
        existing = {
            row.client_id: row
            for row in Transfer.objects.filter(client_id__in=ids).select_related(
                "debit_account", "credit_account", "reverses"
            )
        }
        results: list[PostedTransfer | None] = []
        new: list[tuple[int, engine.Transfer, str]] = []
        for i, (t, h) in enumerate(zip(transfers, hashes, strict=True)):
            row = existing.get(t.id)
            status = engine.check_idempotent(None if row is None else row.content_hash, h)
            if status == "conflict":
                raise IdempotencyConflict(t.id, row.content_hash, h)
            if status == "replay":
                results.append(PostedTransfer("replay", row))
            else:
                results.append(None)
                new.append((i, t, h))
        if not new:
            return results  # type: ignore[return-value]
        accounts = _lock_accounts(c for _, t, _ in new for c in (t.debit_account, t.credit_account))
        head = _lock_head()
        reversed_ids = [t.reverses for _, t, _ in new if t.reverses]
        originals = {
            row.client_id: row
            for row in Transfer.objects.filter(client_id__in=reversed_ids).select_related(
                "debit_account", "credit_account", "reverses"
            )
        }
        already = set(
            Transfer.objects.filter(reverses__client_id__in=reversed_ids).values_list("reverses__client_id", flat=True)
        )
        if len(set(reversed_ids)) != len(reversed_ids):
            raise InvalidReversal("a batch reverses the same transfer twice")
        rows: list[Transfer] = []
        deltas: dict[int, int] = defaultdict(int)
        index, prev = head.last_index, head.last_hash
        now = timezone.now()
        for _, t, h in new:
            reverses = None
            if t.reverses:
                original = originals.get(t.reverses)
                if original is None:
                    raise InvalidReversal(f"transfer {t.id!r} reverses unknown transfer {t.reverses!r}")
                if t.reverses in already:
                    raise InvalidReversal(f"transfer {t.reverses!r} was already reversed")
                engine.check_reversal(original.to_engine(), t)
                reverses = original
            index += 1
            entry_hash = engine.chain_hash(prev, engine.transfer_payload(t))
            debit, credit = accounts[t.debit_account], accounts[t.credit_account]
            rows.append(
                Transfer(
                    client_id=t.id,
                    content_hash=h,
                    debit_account=debit,
                    credit_account=credit,
                    amount_fen=t.amount_fen,
                    code=t.code,
                    memo=t.memo,
                    reverses=reverses,
                    created_at=now,
                    chain_index=index,
                    prev_hash=prev,
                    entry_hash=entry_hash,
                )
            )
            deltas[debit.pk] += t.amount_fen
            deltas[credit.pk] -= t.amount_fen
            prev = entry_hash
        _insert_transfers(rows)
        for pk in sorted(deltas):
            account = next(a for a in accounts.values() if a.pk == pk)
            account.balance_fen += deltas[pk]
            Account.objects.filter(pk=pk).update(balance_fen=account.balance_fen)
        head.last_index, head.last_hash = index, prev
        head.save(update_fields=["last_index", "last_hash"])
        for (i, _t, _h), row in zip(new, rows, strict=True):
            results[i] = PostedTransfer("new", row)
        if len(rows) == 1:
            log_event(rows[0], actor=actor, action=AuditAction.CREATE, amount_fen=(None, rows[0].amount_fen))
        else:
            log_event(
                rows[-1],
                actor=actor,
                action=AuditAction.CREATE,
                batch=(None, f"{len(rows)} transfers #{rows[0].chain_index}–#{index}"),
            )
    return results  # type: ignore[return-value]


_TRANSFER_COLUMNS = (
    "client_id", "content_hash", "debit_account_id", "credit_account_id", "amount_fen", "code", "memo",
    "reverses_id", "created_at", "chain_index", "prev_hash", "entry_hash",
)  # fmt: skip


def _insert_transfers(rows: list[Transfer]) -> None:
    """Insert new transfers with one `executemany` and set their keys.

    Django's `bulk_create` spends about a millisecond per row building SQL; a clearing ingest posts thousands of
    aggregated transfers, so the rows go in as plain parameters (the model's fields, in the same order)."""
    if len(rows) < 20:
        Transfer.objects.bulk_create(rows)
        if rows[0].pk is not None:
            return
    else:
        table = Transfer._meta.db_table
        cols = ", ".join(_TRANSFER_COLUMNS)
        created = connection.ops.adapt_datetimefield_value
        params = [
            (
                r.client_id, r.content_hash, r.debit_account_id, r.credit_account_id, r.amount_fen, r.code, r.memo,
                r.reverses_id, created(r.created_at), r.chain_index, r.prev_hash, r.entry_hash,
            )
            for r in rows
        ]  # fmt: skip
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(_TRANSFER_COLUMNS))})", params
            )
    first, last = rows[0].chain_index, rows[-1].chain_index
    keys = dict(Transfer.objects.filter(chain_index__gte=first, chain_index__lte=last).values_list("chain_index", "pk"))
    for r in rows:
        r.pk = keys[r.chain_index]
        r._state.adding = False


def post_transfer(transfer: engine.Transfer, *, actor: Any) -> PostedTransfer:
    """Post one transfer (bulk path of one; no permission check: for services that checked theirs)."""
    return post_transfers([transfer], actor=actor)[0]


def do_post_transfer(transfer: engine.Transfer, *, actor: Any) -> PostedTransfer:
    """Post one transfer for a person (the office): checks `add` on the ledger before and after."""
    with transaction.atomic(), acting(actor):
        probe = Transfer(amount_fen=transfer.amount_fen, code=transfer.code, client_id=transfer.id)
        require(actor, Action.ADD, probe)
        result = post_transfer(transfer, actor=actor)
        require(actor, Action.VIEW, result.transfer)
    return result


def reverse_transfer(original: Transfer, new_id: str, *, actor: Any, memo: str | None = None) -> PostedTransfer:
    """Post the reversal of ``original`` (accounts swapped, same amount); a transfer is reversed at most once."""
    return post_transfer(engine.reversal_of(original.to_engine(), new_id, memo=memo), actor=actor)


def do_reverse_transfer(original: Transfer, new_id: str, *, actor: Any, memo: str | None = None) -> PostedTransfer:
    """Reverse a transfer for a person (the office)."""
    with transaction.atomic(), acting(actor):
        require(actor, Action.ADD, original)
        return reverse_transfer(original, new_id, actor=actor, memo=memo)


@dataclass
class LedgerReport:
    """What `verify_ledger` found: each check with the figures that explain it."""

    transfers: int = 0
    debits_fen: int = 0
    credits_fen: int = 0
    balances_sum_fen: int = 0
    mismatched_balances: dict[str, tuple[int, int]] = field(default_factory=dict)
    chain_ok: bool = True
    chain_broken_at: int | None = None
    head_ok: bool = True

    @property
    def ok(self) -> bool:
        return (
            self.debits_fen == self.credits_fen
            and self.balances_sum_fen == 0
            and not self.mismatched_balances
            and self.chain_ok
            and self.head_ok
        )

    def as_dict(self) -> dict[str, Any]:
        """Every field after ``ok``, a mismatched balance's (stored, recomputed) pair as a list."""
        mismatched = {k: list(v) for k, v in self.mismatched_balances.items()}
        return {"ok": self.ok, **self.__dict__, "mismatched_balances": mismatched}


def verify_ledger() -> LedgerReport:
    """Re-derive everything: Σ debits = Σ credits, each cached balance = the one recomputed from the transfers,
    and the hash chain recomputes from the first transfer to the anchored head."""
    report = LedgerReport()
    debits = dict(Transfer.objects.values_list("debit_account").annotate(s=Sum("amount_fen")).order_by())
    credits = dict(Transfer.objects.values_list("credit_account").annotate(s=Sum("amount_fen")).order_by())
    report.debits_fen = int(sum(debits.values()))
    report.credits_fen = int(sum(credits.values()))
    for account in Account.objects.all():
        recomputed = int(debits.get(account.pk, 0)) - int(credits.get(account.pk, 0))
        report.balances_sum_fen += account.balance_fen
        if recomputed != account.balance_fen:
            report.mismatched_balances[account.code] = (account.balance_fen, recomputed)
    codes = dict(Account.objects.values_list("pk", "code"))
    client_ids: dict[int, str] = {}
    prev = engine.GENESIS_HASH
    expected_index = 0
    rows = Transfer.objects.order_by("chain_index").values_list(
        "pk", "client_id", "debit_account", "credit_account", "amount_fen", "code", "memo", "reverses",
        "chain_index", "prev_hash", "entry_hash",
    )  # fmt: skip
    for pk, cid, debit, credit, amount, code, memo, reverses, index, prev_hash, entry_hash in rows.iterator(2000):
        report.transfers += 1
        client_ids[pk] = cid
        payload = {
            "id": cid,
            "debit_account": codes[debit],
            "credit_account": codes[credit],
            "amount_fen": int(amount),
            "code": code,
            "memo": memo,
            "reverses": client_ids.get(reverses) if reverses else None,
        }
        if report.chain_ok and (
            index != expected_index or prev_hash != prev or engine.chain_hash(prev_hash, payload) != entry_hash
        ):
            report.chain_ok, report.chain_broken_at = False, index
        prev = entry_hash
        expected_index += 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None:
        report.head_ok = head.last_hash == prev and head.last_index == expected_index - 1
    else:
        report.head_ok = report.transfers == 0
    return report
