"""The pure rules of the shared double-entry ledger: plain data in, plain data out (no ORM, no request).

Every amount the platform moves (clearing, assessment rewards, fund tranches) is a `Transfer`: one debit,
one credit, a positive whole number of fen. The rules here come from docs/references.md,
section "Ledgers and clearing":

- TigerBeetle: client-chosen ids make retries safe; the same id with any other field is an error
  (``exists_with_different_amount``, ...), never an overwrite; transfers are immutable and corrected by
  further transfers (here: `reversal_of`); Σ debits = Σ credits always (`balances`, `check_balanced`).
- Formance ledger: the idempotency key is stored with a hash of the inputs (`content_hash`); same key and
  same inputs return the original result, other inputs are refused (`check_idempotent`); the log is
  hash-chained with SHA-256 over the previous hash (`chain_hash`, `verify_chain`).
- Apache Fineract's failure (a key reused with another amount silently returned the first response) is
  the case `check_idempotent` answers with ``"conflict"`` and `ensure_idempotent` raises for.

Sign convention of `balances`: **balance = Σ debits − Σ credits** of the account (debit-normal). A positive
balance is a net debit (an asset or receivable in the usual chart), a negative one a net credit. Because
every transfer debits one account and credits another by the same amount, the balances of a ledger sum to
zero; `check_balanced` asserts it for balances that were stored or computed elsewhere.

`MemoryJournal` is the reference model of the whole contract (idempotent posting, reversals at most once,
hash-chained log). The database service must behave exactly like it; its tests can compare the two.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "GENESIS_HASH",
    "ChainEntry",
    "IdempotencyConflict",
    "IdempotencyStatus",
    "InvalidAmount",
    "InvalidReversal",
    "InvalidTransfer",
    "LedgerError",
    "MemoryJournal",
    "PostResult",
    "Transfer",
    "UnbalancedLedger",
    "balances",
    "build_chain",
    "canonical_json",
    "chain_hash",
    "check_balanced",
    "check_idempotent",
    "check_reversal",
    "content_hash",
    "ensure_idempotent",
    "require_amount_fen",
    "reversal_of",
    "transfer_payload",
    "verify_chain",
]

#: The ``prev_hash`` of the first entry of every chain (64 hex zeros, the length of a SHA-256 digest).
GENESIS_HASH = "0" * 64

IdempotencyStatus = Literal["new", "replay", "conflict"]


class LedgerError(Exception):
    """Base class of every ledger rule violation."""


class InvalidTransfer(LedgerError, ValueError):
    """A transfer that can never be posted (missing id, same account on both sides, ...)."""


class InvalidAmount(InvalidTransfer):
    """An amount that is not a positive Python ``int`` of fen (floats, bools, zero and negatives are refused)."""


class InvalidReversal(LedgerError, ValueError):
    """A reversal that does not mirror its original, or a second reversal of the same transfer."""


class UnbalancedLedger(LedgerError):
    """Balances that do not sum to zero: some posting was lost, doubled or edited."""


class IdempotencyConflict(LedgerError):
    """The same client id was submitted with other content (TigerBeetle's ``exists_with_different_*``).

    Never resolved by overwriting: the first transfer stands and the caller must choose a new id.
    """

    def __init__(self, transfer_id: str, existing_hash: str, new_hash: str) -> None:
        self.transfer_id = transfer_id
        self.existing_hash = existing_hash
        self.new_hash = new_hash
        super().__init__(
            f"transfer id {transfer_id!r} already exists with other content "
            f"(stored {existing_hash[:12]}…, submitted {new_hash[:12]}…)"
        )


def require_amount_fen(value: object, *, what: str = "amount_fen") -> int:
    """Return ``value`` if it is a positive ``int`` of fen; raise `InvalidAmount` otherwise.

    ``bool`` is refused although it subclasses ``int`` (``True`` is not one fen), and so are floats,
    ``Decimal`` and strings: converting yuan to fen is the caller's job, done once, at the door.
    """
    if type(value) is not int:
        raise InvalidAmount(f"{what} must be an int number of fen, got {type(value).__name__} {value!r}")
    if value <= 0:
        raise InvalidAmount(f"{what} must be positive, got {value}")
    return value


def _require_text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidTransfer(f"{what} must be a non-empty string, got {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class Transfer:
    """One immutable double-entry posting: ``amount_fen`` moves from ``credit_account`` to ``debit_account``.

    ``id`` is chosen by the client and is the idempotency key (TigerBeetle). ``code`` says what kind of
    movement it is (e.g. ``"clearing.claim"``); ``reverses`` names the transfer this one cancels.
    """

    id: str
    debit_account: str
    credit_account: str
    amount_fen: int
    code: str
    memo: str = ""
    reverses: str | None = None

    def __post_init__(self) -> None:
        _require_text(self.id, "id")
        _require_text(self.debit_account, "debit_account")
        _require_text(self.credit_account, "credit_account")
        _require_text(self.code, "code")
        if self.debit_account == self.credit_account:
            raise InvalidTransfer(f"transfer {self.id!r} debits and credits the same account {self.debit_account!r}")
        require_amount_fen(self.amount_fen)
        if not isinstance(self.memo, str):
            raise InvalidTransfer(f"memo must be a string, got {self.memo!r}")
        if self.reverses is not None:
            _require_text(self.reverses, "reverses")
            if self.reverses == self.id:
                raise InvalidTransfer(f"transfer {self.id!r} cannot reverse itself")


def transfer_payload(transfer: Transfer) -> dict[str, Any]:
    """The transfer as a plain dict: what `content_hash` hashes and what a log entry carries."""
    return {
        "id": transfer.id,
        "debit_account": transfer.debit_account,
        "credit_account": transfer.credit_account,
        "amount_fen": transfer.amount_fen,
        "code": transfer.code,
        "memo": transfer.memo,
        "reverses": transfer.reverses,
    }


def _reject_floats(value: object, path: str = "$") -> None:
    # A float has more than one text form across languages and versions; a hash over it would not be stable.
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return
    if isinstance(value, float):
        raise TypeError(f"{path}: floats are not allowed in hashed payloads (money is integer fen), got {value!r}")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: keys must be strings, got {key!r}")
            _reject_floats(item, f"{path}.{key}")
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _reject_floats(item, f"{path}[{i}]")
        return
    raise TypeError(f"{path}: {type(value).__name__} is not allowed in hashed payloads")


def canonical_json(payload: Mapping[str, Any]) -> bytes:
    """UTF-8 JSON with sorted keys and no spaces: the one byte form that is hashed.

    Only strings, ints, bools, ``None``, lists/tuples and string-keyed mappings are allowed; floats,
    dates and other objects raise ``TypeError`` (convert them to ints or ISO strings first).
    """
    _reject_floats(payload)
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def content_hash(transfer: Transfer) -> str:
    """SHA-256 (hex) of the transfer's canonical JSON: stored beside the id to compare resubmissions (Formance)."""
    return hashlib.sha256(canonical_json(transfer_payload(transfer))).hexdigest()


def check_idempotent(existing_hash: str | None, new_hash: str) -> IdempotencyStatus:
    """Classify a submission by the content hash already stored under its id.

    ``"new"``: nothing stored, post it. ``"replay"``: same content, return the original result and post
    nothing. ``"conflict"``: other content under the same id; refuse it, never overwrite (docs/references.md:
    TigerBeetle, Formance; the Fineract failure).
    """
    if existing_hash is None:
        return "new"
    return "replay" if existing_hash == new_hash else "conflict"


def ensure_idempotent(existing: Transfer | None, new: Transfer) -> Literal["new", "replay"]:
    """`check_idempotent` for two transfers, raising `IdempotencyConflict` instead of returning ``"conflict"``."""
    if existing is not None and existing.id != new.id:
        raise ValueError(f"compared transfers have different ids: {existing.id!r} and {new.id!r}")
    existing_hash = None if existing is None else content_hash(existing)
    new_hash = content_hash(new)
    status = check_idempotent(existing_hash, new_hash)
    if status == "conflict":
        assert existing_hash is not None
        raise IdempotencyConflict(new.id, existing_hash, new_hash)
    return status


def reversal_of(transfer: Transfer, new_id: str, *, memo: str | None = None, code: str | None = None) -> Transfer:
    """The transfer that cancels ``transfer``: same amount, accounts swapped, ``reverses`` set (never an edit).

    The new transfer keeps the original's ``code`` unless another is given, so reports by code net out.
    """
    return Transfer(
        id=new_id,
        debit_account=transfer.credit_account,
        credit_account=transfer.debit_account,
        amount_fen=transfer.amount_fen,
        code=transfer.code if code is None else code,
        memo=f"reversal of {transfer.id}" if memo is None else memo,
        reverses=transfer.id,
    )


def check_reversal(original: Transfer, reversal: Transfer) -> None:
    """Raise `InvalidReversal` unless ``reversal`` exactly mirrors ``original`` (accounts swapped, same amount)."""
    if reversal.reverses != original.id:
        raise InvalidReversal(f"transfer {reversal.id!r} does not reverse {original.id!r}")
    if (reversal.debit_account, reversal.credit_account) != (original.credit_account, original.debit_account):
        raise InvalidReversal(f"reversal {reversal.id!r} must swap the accounts of {original.id!r}")
    if reversal.amount_fen != original.amount_fen:
        raise InvalidReversal(
            f"reversal {reversal.id!r} moves {reversal.amount_fen} fen, the original {original.id!r} "
            f"moved {original.amount_fen}"
        )


def balances(transfers: Iterable[Transfer]) -> dict[str, int]:
    """Balance of every account touched: **Σ debits − Σ credits** (debit-normal sign), keys sorted.

    The values always sum to zero; an account whose postings cancel out is kept with balance 0.
    """
    result: dict[str, int] = {}
    for transfer in transfers:
        amount = transfer.amount_fen
        result[transfer.debit_account] = result.get(transfer.debit_account, 0) + amount
        result[transfer.credit_account] = result.get(transfer.credit_account, 0) - amount
    return dict(sorted(result.items()))


def check_balanced(account_balances: Mapping[str, int]) -> None:
    """Raise `UnbalancedLedger` unless the balances sum to zero (Σ debits = Σ credits, TigerBeetle)."""
    total = 0
    for account, balance in account_balances.items():
        if type(balance) is not int:
            raise UnbalancedLedger(f"balance of {account!r} is not an int: {balance!r}")
        total += balance
    if total != 0:
        raise UnbalancedLedger(f"balances sum to {total} fen, not 0")


@dataclass(frozen=True, slots=True)
class ChainEntry:
    """One entry of a hash-chained log: ``entry_hash = chain_hash(prev_hash, payload)`` (Formance)."""

    index: int
    payload: Mapping[str, Any]
    prev_hash: str
    entry_hash: str


def chain_hash(prev_hash: str, entry_payload: Mapping[str, Any]) -> str:
    """SHA-256 (hex) over the previous entry's hash, a newline, and the payload's canonical JSON."""
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_json(entry_payload))
    return digest.hexdigest()


def build_chain(payloads: Iterable[Mapping[str, Any]], *, prev_hash: str = GENESIS_HASH) -> list[ChainEntry]:
    """Chain ``payloads`` in order after ``prev_hash`` (the genesis hash for a new log)."""
    entries: list[ChainEntry] = []
    for index, payload in enumerate(payloads):
        entry_hash = chain_hash(prev_hash, payload)
        entries.append(ChainEntry(index=index, payload=payload, prev_hash=prev_hash, entry_hash=entry_hash))
        prev_hash = entry_hash
    return entries


def verify_chain(
    entries: Sequence[ChainEntry], *, genesis: str = GENESIS_HASH, expected_head: str | None = None
) -> tuple[bool, int | None]:
    """Check a log; return ``(True, None)`` or ``(False, index of the first entry that does not fit)``.

    An entry fits if its ``prev_hash`` is the hash of the entry before it (``genesis`` for the first) and its
    ``entry_hash`` recomputes from its payload. That catches a changed payload, a removed entry (the next one
    points at a hash that is gone) and swapped entries.

    What the chain alone cannot catch: dropping entries *from the end*, or rewriting an entry and re-hashing
    everything after it. For those, keep the head hash somewhere the log's writer cannot change (a closed
    period's statement, an external timestamp) and pass it as ``expected_head``: a mismatch is reported at
    index ``len(entries)``, i.e. "the log should continue or end differently here".
    """
    prev_hash = genesis
    for i, entry in enumerate(entries):
        if entry.prev_hash != prev_hash or chain_hash(entry.prev_hash, entry.payload) != entry.entry_hash:
            return False, i
        prev_hash = entry.entry_hash
    if expected_head is not None and prev_hash != expected_head:
        return False, len(entries)
    return True, None


@dataclass(frozen=True, slots=True)
class PostResult:
    """What posting returned: ``status`` is ``"new"`` or ``"replay"``; ``transfer`` and ``entry`` are the originals."""

    status: Literal["new", "replay"]
    transfer: Transfer
    entry: ChainEntry


@dataclass
class MemoryJournal:
    """In-memory reference model of the ledger contract, for tests and for checking the database service.

    ``post`` is idempotent by transfer id (a replay returns the original entry; other content raises
    `IdempotencyConflict`), accepts a reversal only if it mirrors a posted transfer not yet reversed, and
    appends every new transfer to a hash-chained log.
    """

    entries: list[ChainEntry] = field(default_factory=list)
    _by_id: dict[str, tuple[Transfer, str, ChainEntry]] = field(default_factory=dict, init=False, repr=False)
    _reversed_by: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    @property
    def head(self) -> str:
        """Hash of the last entry (the genesis hash while empty): the value to anchor outside the log."""
        return self.entries[-1].entry_hash if self.entries else GENESIS_HASH

    @property
    def transfers(self) -> list[Transfer]:
        return [record[0] for record in self._by_id.values()]

    def post(self, transfer: Transfer) -> PostResult:
        new_hash = content_hash(transfer)
        existing = self._by_id.get(transfer.id)
        status = check_idempotent(None if existing is None else existing[1], new_hash)
        if existing is not None:
            if status == "conflict":
                raise IdempotencyConflict(transfer.id, existing[1], new_hash)
            return PostResult(status="replay", transfer=existing[0], entry=existing[2])
        if transfer.reverses is not None:
            original = self._by_id.get(transfer.reverses)
            if original is None:
                raise InvalidReversal(f"transfer {transfer.id!r} reverses unknown transfer {transfer.reverses!r}")
            if transfer.reverses in self._reversed_by:
                raise InvalidReversal(
                    f"transfer {transfer.reverses!r} was already reversed by {self._reversed_by[transfer.reverses]!r}"
                )
            check_reversal(original[0], transfer)
        payload = transfer_payload(transfer)
        entry = ChainEntry(
            index=len(self.entries), payload=payload, prev_hash=self.head, entry_hash=chain_hash(self.head, payload)
        )
        self.entries.append(entry)
        self._by_id[transfer.id] = (transfer, new_hash, entry)
        if transfer.reverses is not None:
            self._reversed_by[transfer.reverses] = transfer.id
        return PostResult(status="new", transfer=transfer, entry=entry)

    def balances(self) -> dict[str, int]:
        return balances(self.transfers)
