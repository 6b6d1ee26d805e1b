"""Tests of the pure ledger rules (no database): amounts, idempotency, reversals, balances, hash chain.

Laws from docs/references.md, "Ledgers and clearing" (TigerBeetle, Formance, the Fineract failure).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrocoop.ledger.engine import (
    GENESIS_HASH,
    ChainEntry,
    IdempotencyConflict,
    InvalidAmount,
    InvalidReversal,
    InvalidTransfer,
    MemoryJournal,
    Transfer,
    UnbalancedLedger,
    balances,
    build_chain,
    canonical_json,
    chain_hash,
    check_balanced,
    check_idempotent,
    check_reversal,
    content_hash,
    ensure_idempotent,
    require_amount_fen,
    reversal_of,
    transfer_payload,
    verify_chain,
)

ACCOUNTS = ("city:SH", "city:SZ", "city:WX", "city:NB", "fund:pool")
TEXT = "abcxyz0189-_: 上海苏州医保"


def make_transfer(transfer_id: str = "t-1", amount_fen: int = 12_345, **fields: object) -> Transfer:
    values: dict[str, object] = {
        "id": transfer_id,
        "debit_account": "city:SZ",
        "credit_account": "city:SH",
        "amount_fen": amount_fen,
        "code": "clearing.claim",
        "memo": "claim 2024-05 #1",
    }
    values.update(fields)
    return Transfer(**values)  # type: ignore[arg-type]


@st.composite
def transfers(draw: st.DrawFn, transfer_id: str | None = None) -> Transfer:
    debit, credit = draw(st.lists(st.sampled_from(ACCOUNTS), min_size=2, max_size=2, unique=True))
    return Transfer(
        id=transfer_id or draw(st.text(TEXT, min_size=1, max_size=12)),
        debit_account=debit,
        credit_account=credit,
        amount_fen=draw(st.integers(min_value=1, max_value=10**15)),
        code=draw(st.sampled_from(("clearing.claim", "funds.tranche", "assessment.reward"))),
        memo=draw(st.text(TEXT, max_size=20)),
    )


# --- amounts and transfers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [0, -1, -(10**12), 1.0, 0.5, True, False, Decimal("1"), "100", None])
def test_amounts_that_are_not_positive_ints_are_refused(amount: object) -> None:
    # given an amount that is zero, negative, fractional, boolean or not a number
    # when a transfer is built with it, then it is refused with InvalidAmount (a ValueError)
    with pytest.raises(InvalidAmount):
        make_transfer(amount_fen=amount)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        require_amount_fen(amount)


def test_a_positive_int_amount_is_accepted_however_large() -> None:
    assert make_transfer(amount_fen=10**18).amount_fen == 10**18
    assert require_amount_fen(1) == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"id": ""},
        {"debit_account": ""},
        {"credit_account": "city:SZ"},  # same as debit
        {"code": ""},
        {"memo": None},
        {"reverses": ""},
        {"reverses": "t-1"},  # itself
    ],
)
def test_malformed_transfers_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(InvalidTransfer):
        make_transfer(**fields)


def test_transfers_are_immutable() -> None:
    transfer = make_transfer()
    with pytest.raises(AttributeError):
        transfer.amount_fen = 1  # type: ignore[misc]


# --- idempotency --------------------------------------------------------------------------------------------


def test_content_hash_is_sha256_of_canonical_json() -> None:
    transfer = make_transfer()
    expected = hashlib.sha256(canonical_json(transfer_payload(transfer))).hexdigest()
    assert content_hash(transfer) == expected
    assert len(expected) == 64
    assert canonical_json({"b": 1, "a": "上海"}) == '{"a":"上海","b":1}'.encode()


@pytest.mark.parametrize(
    "change",
    [
        {"debit_account": "city:WX"},
        {"credit_account": "city:NB"},
        {"amount_fen": 12_346},
        {"code": "funds.tranche"},
        {"memo": "other memo"},
        {"reverses": "t-0"},
    ],
)
def test_content_hash_changes_with_every_field(change: dict[str, object]) -> None:
    original = make_transfer()
    assert content_hash(replace(original, **change)) != content_hash(original)


@pytest.mark.parametrize(
    ("existing", "new", "status"),
    [(None, "aa", "new"), ("aa", "aa", "replay"), ("aa", "bb", "conflict")],
)
def test_check_idempotent_table(existing: str | None, new: str, status: str) -> None:
    assert check_idempotent(existing, new) == status


def test_same_id_same_content_is_a_replay_and_other_content_a_conflict() -> None:
    # given a posted transfer
    first = make_transfer()
    # when the identical transfer comes again, then it is a replay
    assert ensure_idempotent(first, make_transfer()) == "replay"
    assert ensure_idempotent(None, first) == "new"
    # when the same id comes with another amount (the Fineract failure), then it is a conflict, not a replay
    with pytest.raises(IdempotencyConflict) as raised:
        ensure_idempotent(first, make_transfer(amount_fen=99_999))
    assert raised.value.transfer_id == "t-1"
    assert raised.value.existing_hash == content_hash(first)
    with pytest.raises(ValueError):
        ensure_idempotent(first, make_transfer("t-2"))


def test_journal_replays_and_refuses_conflicts_without_overwriting() -> None:
    # given a journal with one transfer
    journal = MemoryJournal()
    original = journal.post(make_transfer())
    assert original.status == "new"
    # when the same transfer is posted again, then the original entry is returned and nothing is appended
    again = journal.post(make_transfer())
    assert again.status == "replay"
    assert again.entry is original.entry
    assert len(journal.entries) == 1
    # when the same id comes with other content, then it is refused and the first transfer stands
    head = journal.head
    with pytest.raises(IdempotencyConflict):
        journal.post(make_transfer(amount_fen=1))
    with pytest.raises(IdempotencyConflict):
        journal.post(make_transfer(memo="edited"))
    assert journal.transfers == [make_transfer()]
    assert journal.head == head
    assert journal.balances() == {"city:SH": -12_345, "city:SZ": 12_345}


@given(st.lists(transfers(), max_size=15), st.randoms(use_true_random=False))
def test_journal_replays_change_nothing(items: list[Transfer], rnd) -> None:
    # given transfers with unique ids posted once
    unique = list({t.id: t for t in items}.values())
    journal = MemoryJournal()
    for transfer in unique:
        journal.post(transfer)
    head, length = journal.head, len(journal.entries)
    # when they are all posted again in any order, then every post is a replay and the log is unchanged
    rnd.shuffle(unique)
    assert all(journal.post(transfer).status == "replay" for transfer in unique)
    assert (journal.head, len(journal.entries)) == (head, length)
    assert verify_chain(journal.entries, expected_head=head) == (True, None)


# --- reversals and balances --------------------------------------------------------------------------------


def test_reversal_mirrors_the_original_and_cancels_its_balance() -> None:
    original = make_transfer()
    reversal = reversal_of(original, "t-1-rev")
    assert reversal == Transfer(
        id="t-1-rev",
        debit_account="city:SH",
        credit_account="city:SZ",
        amount_fen=12_345,
        code="clearing.claim",
        memo="reversal of t-1",
        reverses="t-1",
    )
    check_reversal(original, reversal)
    assert balances([original, reversal]) == {"city:SH": 0, "city:SZ": 0}


def test_journal_reverses_a_transfer_once_and_only_with_a_mirror() -> None:
    journal = MemoryJournal()
    original = make_transfer()
    journal.post(original)
    # a reversal of an unknown transfer is refused
    with pytest.raises(InvalidReversal):
        journal.post(reversal_of(make_transfer("t-unknown"), "r-0"))
    # a "reversal" with another amount or the same direction is refused
    with pytest.raises(InvalidReversal):
        journal.post(replace(reversal_of(original, "r-1"), amount_fen=1))
    with pytest.raises(InvalidReversal):
        journal.post(replace(original, id="r-2", reverses="t-1"))
    # a true reversal is accepted once; a second one is refused; replaying the first is fine
    assert journal.post(reversal_of(original, "r-3")).status == "new"
    with pytest.raises(InvalidReversal):
        journal.post(reversal_of(original, "r-4"))
    assert journal.post(reversal_of(original, "r-3")).status == "replay"
    assert journal.balances() == {"city:SH": 0, "city:SZ": 0}
    assert [e.payload["id"] for e in journal.entries] == ["t-1", "r-3"]


def test_balances_use_debits_minus_credits() -> None:
    ledger = [
        make_transfer("a", 100, debit_account="city:SZ", credit_account="city:SH"),
        make_transfer("b", 30, debit_account="city:SH", credit_account="city:WX"),
    ]
    assert balances(ledger) == {"city:SH": -70, "city:SZ": 100, "city:WX": -30}


@given(st.lists(transfers(), max_size=30))
def test_balances_always_sum_to_zero(items: list[Transfer]) -> None:
    result = balances(items)
    assert sum(result.values()) == 0
    check_balanced(result)
    assert list(result) == sorted(result)


@pytest.mark.parametrize("stored", [{"a": 1}, {"a": 5, "b": -4}, {"a": 1.0, "b": -1.0}])
def test_check_balanced_refuses_balances_that_do_not_sum_to_zero(stored: dict[str, int]) -> None:
    with pytest.raises(UnbalancedLedger):
        check_balanced(stored)


# --- hash chain --------------------------------------------------------------------------------------------


def log_of(count: int) -> list[ChainEntry]:
    return build_chain(transfer_payload(make_transfer(f"t-{i}", 100 + i)) for i in range(count))


def test_chain_hash_is_sha256_over_previous_hash_and_canonical_payload() -> None:
    expected = hashlib.sha256(GENESIS_HASH.encode() + b"\n" + b'{"amount_fen":1,"id":"x"}').hexdigest()
    assert chain_hash(GENESIS_HASH, {"id": "x", "amount_fen": 1}) == expected


def test_an_intact_chain_verifies() -> None:
    entries = log_of(5)
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(entries[i].prev_hash == entries[i - 1].entry_hash for i in range(1, 5))
    assert verify_chain(entries) == (True, None)
    assert verify_chain(entries, expected_head=entries[-1].entry_hash) == (True, None)
    assert verify_chain([]) == (True, None)


def test_a_changed_amount_is_detected_at_its_entry() -> None:
    entries = log_of(5)
    entries[2].payload["amount_fen"] += 1  # type: ignore[index]
    assert verify_chain(entries) == (False, 2)


def test_a_removed_entry_is_detected_where_it_was() -> None:
    entries = log_of(5)
    del entries[1]
    assert verify_chain(entries) == (False, 1)


def test_a_swapped_pair_is_detected() -> None:
    entries = log_of(5)
    entries[2], entries[3] = entries[3], entries[2]
    assert verify_chain(entries) == (False, 2)


def test_truncation_and_rehashing_are_caught_only_against_an_anchored_head() -> None:
    # given a log whose head hash was anchored elsewhere
    entries = log_of(5)
    head = entries[-1].entry_hash
    # when the last entry is dropped, the chain alone still fits, but not the anchored head
    assert verify_chain(entries[:-1]) == (True, None)
    assert verify_chain(entries[:-1], expected_head=head) == (False, 4)
    # when an entry is edited and everything after it re-hashed, the same holds
    payloads = [dict(e.payload) for e in entries]
    payloads[1]["amount_fen"] = 1
    forged = build_chain(payloads)
    assert verify_chain(forged) == (True, None)
    assert verify_chain(forged, expected_head=head) == (False, 5)


@given(st.integers(min_value=2, max_value=12), st.data())
def test_any_single_tampering_is_detected(length: int, data: st.DataObject) -> None:
    entries = log_of(length)
    head = entries[-1].entry_hash
    kind = data.draw(st.sampled_from(("amount", "memo", "remove", "swap", "prev_hash")))
    i = data.draw(st.integers(min_value=0, max_value=length - 2))
    if kind == "amount":
        entries[i].payload["amount_fen"] += data.draw(st.integers(min_value=1, max_value=10**6))  # type: ignore[index]
    elif kind == "memo":
        entries[i].payload["memo"] += "!"  # type: ignore[index]
    elif kind == "remove":
        del entries[i]
    elif kind == "swap":
        entries[i], entries[i + 1] = entries[i + 1], entries[i]
    else:
        entries[i] = replace(entries[i], prev_hash="f" * 64)
    assert verify_chain(entries, expected_head=head) == (False, i)


def test_the_journal_log_is_a_verifiable_chain() -> None:
    journal = MemoryJournal()
    for i in range(4):
        journal.post(make_transfer(f"t-{i}", 10 + i))
    assert verify_chain(journal.entries, expected_head=journal.head) == (True, None)
    journal.entries[1].payload["amount_fen"] = 999  # type: ignore[index]
    assert verify_chain(journal.entries) == (False, 1)


@pytest.mark.parametrize(
    "payload",
    [{"amount": 1.5}, {"nested": {"x": [1, 2.0]}}, {1: "int key"}, {"when": object()}],
)
def test_hashed_payloads_refuse_floats_and_foreign_objects(payload: dict) -> None:
    with pytest.raises(TypeError):
        chain_hash(GENESIS_HASH, payload)
