"""Ingest, reversal, close and payments on the database: every claim posted or rejected once, conflicts never
overwrite, closes are atomic and add up, statements come out in Excel and Word."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from metrocoop.clearing.choices import ClaimStatus, InstructionStatus, PeriodStatus, RejectCode
from metrocoop.clearing.models import Claim, ClaimReversal, IngestBatch, IngestRejection, Period, SettlementInstruction
from metrocoop.clearing.reader import FileRefused, read_claims_file, write_claims_file
from metrocoop.clearing.services import (
    ClearingError,
    account_code,
    do_close_period,
    do_confirm_payment,
    do_ingest_claims,
    do_reverse_claim,
    verify_clearing,
)
from metrocoop.clearing.statements import statement_file
from metrocoop.clearing.tests.conftest import source_of, state
from metrocoop.ledger.models import Account


def test_every_claim_is_posted_or_rejected_and_the_counts_add_up(world):
    # when a stream with a share of bad claims is ingested
    result = do_ingest_claims(source_of(world.rows), actor=world.office, chunk_size=70)
    # then received = posted + rejected, in count and fen, and every invariant holds
    assert result.received == len(world.rows) == result.posted + result.rejected
    assert result.received_fen == result.posted_fen + result.rejected_fen
    assert result.rejected >= sum(world.bad.values()) - 5  # a few "bad" claims are bad in a way that still passes
    assert set(result.reasons) <= set(RejectCode.values)
    batch = IngestBatch.objects.get(pk=result.batch_id)
    assert (batch.posted_count, batch.rejected_count, batch.status) == (result.posted, result.rejected, "completed")
    assert verify_clearing().ok
    rejected = Claim.objects.filter(status=ClaimStatus.REJECTED).first()
    assert rejected.reject_detail_zh and rejected.reject_detail_en


def test_the_same_file_twice_changes_nothing(world, tmp_path):
    path = tmp_path / "claims.csv"
    write_claims_file(path, world.rows)
    do_ingest_claims(read_claims_file(path), actor=world.office)
    before = state()
    again = do_ingest_claims(read_claims_file(path), actor=world.office)
    assert (again.posted, again.rejected, again.duplicates) == (0, 0, len(world.rows))
    assert state() == before


def test_parquet_and_csv_of_the_same_claims_are_the_same_claims(world, tmp_path):
    write_claims_file(tmp_path / "c.csv", world.rows)
    write_claims_file(tmp_path / "c.parquet", world.rows)
    first = do_ingest_claims(read_claims_file(tmp_path / "c.parquet"), actor=world.office)
    assert first.posted > 0
    again = do_ingest_claims(read_claims_file(tmp_path / "c.csv"), actor=world.office)
    assert again.duplicates == len(world.rows) and again.conflicts == 0


def test_the_same_claim_id_with_other_content_is_a_conflict_and_never_an_overwrite(world):
    do_ingest_claims(source_of(world.rows[:20]), actor=world.office)
    original = Claim.objects.get(claim_id=world.rows[0][0])
    changed = list(world.rows[0])
    changed[9] = int(changed[9]) + 1  # another fund-payable amount under the same claim id
    result = do_ingest_claims(source_of([changed]), actor=world.office)
    assert (result.conflicts, result.rejected, result.posted) == (1, 1, 0)
    rejection = IngestRejection.objects.get(batch_id=result.batch_id)
    assert rejection.reject_code == RejectCode.CONFLICT and rejection.claim_id == original.claim_id
    after = Claim.objects.get(claim_id=world.rows[0][0])
    assert (after.content_hash, after.fund_payable_fen) == (original.content_hash, original.fund_payable_fen)
    assert verify_clearing().ok


def test_repeats_inside_one_file_count_once(world):
    rows = world.rows[:10] + world.rows[:3]
    result = do_ingest_claims(source_of(rows), actor=world.office)
    assert result.received == 13 and result.duplicates == 3
    assert Claim.objects.count() == 10


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"claim_id,scheme\nC1,medical_outpatient\n", "insured_city"),
        ("claim_id,scheme,insured_city\n".encode("utf-16"), "UTF-8"),
        (b"", "empty"),
    ],
)
def test_a_file_that_cannot_be_read_as_claims_is_refused_whole(world, tmp_path, content, problem):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(FileRefused) as refused:
        read_claims_file(path)
    assert problem in refused.value.en and refused.value.zh


def test_a_bureau_submits_only_claims_served_in_its_own_city(world, demo_users):
    mine = [r for r in world.rows if r[3] == "SZ" and r[1].startswith("medical")][:5]
    other = [r for r in world.rows if r[3] == "WX"][:5]
    result = do_ingest_claims(source_of(mine + other), actor=demo_users["medical-sz"])
    assert result.reasons.get(RejectCode.OUTSIDE_SCOPE, 0) == len(other)
    with pytest.raises(PermissionDenied):
        do_ingest_claims(source_of(mine), actor=demo_users["liaison-sz"])


def _posted(world, n=200):
    do_ingest_claims(source_of(world.rows[:n]), actor=world.office)
    return Claim.objects.filter(status=ClaimStatus.POSTED, fund_payable_fen__gt=0)


def test_close_adds_up_and_settles_every_net_position_exactly(world):
    _posted(world)
    period = Period.objects.get(year=2026, month=1)
    closed = do_close_period(period, actor=world.office)
    positions = list(closed.positions.all())
    assert closed.status == PeriodStatus.CLOSED
    assert sum(p.net_fen for p in positions) == 0
    assert all(p.net_fen == p.receivable_fen - p.payable_fen for p in positions)
    settled = {p.city.code: 0 for p in positions}
    for i in closed.instructions.select_related("payer", "payee"):
        settled[i.payer.code] -= i.amount_fen
        settled[i.payee.code] += i.amount_fen
    assert settled == {p.city.code: p.net_fen for p in positions}
    assert len(closed.instructions.all()) <= sum(1 for p in positions if p.net_fen) - 1
    assert closed.result["minimal"] is True
    with pytest.raises(ClearingError):
        do_close_period(closed, actor=world.office)


def test_only_the_office_closes(world, demo_users):
    _posted(world, 50)
    period = Period.objects.get(year=2026, month=1)
    before = state()
    with pytest.raises(PermissionDenied):
        do_close_period(period, actor=demo_users["medical-sh"])
    assert state() == before


def test_a_reversal_in_an_open_period_cancels_the_claim(world):
    claim = _posted(world).filter(period__month=2).first()
    balance = Account.objects.get(code=account_code(claim.service_city)).balance_fen
    reversal = do_reverse_claim(claim, "wrong patient", actor=world.office)
    assert (reversal.period_id, reversal.is_adjustment) == (claim.period_id, False)
    assert Account.objects.get(code=account_code(claim.service_city)).balance_fen == balance - claim.fund_payable_fen
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REVERSED
    with pytest.raises(ClearingError):
        do_reverse_claim(claim, "again", actor=world.office)
    assert verify_clearing().ok


def test_a_late_correction_is_an_adjustment_in_the_next_open_period(world):
    claim = _posted(world).filter(period__month=1).first()
    january = do_close_period(Period.objects.get(year=2026, month=1), actor=world.office)
    frozen = (list(january.positions.values_list("city", "net_fen")), january.result)
    reversal = do_reverse_claim(claim, "late correction", actor=world.office)
    assert reversal.is_adjustment and reversal.period.month == 2
    january.refresh_from_db()
    assert (list(january.positions.values_list("city", "net_fen")), january.result) == frozen
    february = do_close_period(Period.objects.get(year=2026, month=2), actor=world.office)
    assert sum(february.positions.values_list("net_fen", flat=True)) == 0
    assert ClaimReversal.objects.get(claim=claim).posting.period == february


def test_payments_are_confirmed_against_instructions_and_unpaid_ones_stay_visible(world):
    _posted(world)
    period = do_close_period(Period.objects.get(year=2026, month=1), actor=world.office)
    instructions = list(SettlementInstruction.objects.filter(period=period))
    assert instructions
    first = instructions[0]
    payer_balance = Account.objects.get(code=account_code(first.payer.code)).balance_fen
    do_confirm_payment(first, "bank ref 001", actor=world.office)
    do_confirm_payment(first, "bank ref 001", actor=world.office)  # twice: harmless
    first.refresh_from_db()
    assert first.status == InstructionStatus.PAID
    assert Account.objects.get(code=account_code(first.payer.code)).balance_fen == payer_balance + first.amount_fen
    unpaid = SettlementInstruction.objects.filter(period=period, status=InstructionStatus.PENDING).count()
    assert unpaid == len(instructions) - 1
    assert verify_clearing().ok


def test_statements_in_excel_and_word_for_the_own_city_only(world, demo_users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _posted(world)
    period = do_close_period(Period.objects.get(year=2026, month=1), actor=world.office)
    xlsx = statement_file(period, "SZ", "xlsx", user=demo_users["medical-sz"])
    docx = statement_file(period, "SZ", "docx", user=demo_users["medical-sz"])
    assert xlsx.stat().st_size > 0 and docx.stat().st_size > 0
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx).active
    assert sheet["B3"].value.startswith("苏州")
    with pytest.raises(PermissionDenied):
        statement_file(period, "SZ", "xlsx", user=demo_users["medical-wx"])


@pytest.mark.django_db(transaction=True)
def test_an_ingest_outside_a_transaction_writes_every_chunk_once_with_its_writers(world):
    # given the stream ingested in many chunks outside any transaction (the command line's way: on PostgreSQL the
    # writer threads, each chunk in its own transaction on its own connection; on SQLite the forked second writer)
    # and the same claims under other ids one chunk after another
    parallel = do_ingest_claims(source_of(world.rows), actor=world.office, chunk_size=25, parallel=True)
    renamed = [[f"s-{r[0]}" if r[0] else r[0], *r[1:]] for r in world.rows]
    serial = do_ingest_claims(source_of(renamed), actor=world.office, chunk_size=25)
    # then both count the same, every chunk is written once, and the ledger balances
    keep = ("received", "received_fen", "posted", "posted_fen", "rejected", "rejected_fen", "duplicates", "reasons")
    assert {k: getattr(parallel, k) for k in keep} == {k: getattr(serial, k) for k in keep}
    batch = IngestBatch.objects.get(pk=parallel.batch_id)
    assert (batch.chunks_done, batch.posted_count) == (-(-len(world.rows) // 25), parallel.posted)
    statuses = Claim.objects.filter(batch_id=parallel.batch_id).values_list("claim_id", "status")
    assert sorted(statuses) == sorted(
        (c.removeprefix("s-"), s)
        for c, s in Claim.objects.filter(batch_id=serial.batch_id).values_list("claim_id", "status")
    )
    assert verify_clearing().ok


def test_parallel_validation_gives_the_same_result_as_serial(world):
    # given the same stream ingested with a forked validator (several chunks) and, rolled back, without one
    from django.db import transaction

    with transaction.atomic():
        serial = do_ingest_claims(source_of(world.rows), actor=world.office, chunk_size=40)
        expected = state()
        transaction.set_rollback(True)
    parallel = do_ingest_claims(source_of(world.rows), actor=world.office, chunk_size=40, parallel=True)
    # then every claim, posting and balance is the same
    assert (parallel.posted, parallel.rejected, parallel.reasons) == (serial.posted, serial.rejected, serial.reasons)
    after = state()
    assert after["claims"] == expected["claims"] and after["balances"] == expected["balances"]
    assert verify_clearing().ok
