"""Every state change of the clearing house: ingest, reversal (冲正), period close, payment confirmation, and the
catalogue and authorisation writes. Each checks access through core.permissions and writes its audit entry in
its transaction (docs/conventions.md).

The ingest's machinery is the `metrocoop.clearing.ingest` package (context, screen, sql, write, parallel; its
docstring says why claims post in aggregate); the invariants are `metrocoop.clearing.verification`; who may
submit for which city and who sees person references are `metrocoop.clearing.policies`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from metrocoop.clearing.choices import (
    AuthorisationStatus,
    ClaimStatus,
    InstructionStatus,
    PeriodStatus,
    PostingKind,
)
from metrocoop.clearing.engine import netting
from metrocoop.clearing.errors import ClearingError
from metrocoop.clearing.ingest import (
    DEFAULT_CHUNK,
    IngestResult,
    collector_paused,
    ingest_context,
    ingest_rows,
    month_bounds,
    valid_periods,
)
from metrocoop.clearing.ledger_accounts import (
    CLAIM_CODE,
    PAYMENT_CODE,
    REVERSAL_CODE,
    account_code,
    ensure_city_accounts,
)
from metrocoop.clearing.models import (
    Authorisation,
    CatalogueEntry,
    Claim,
    ClaimPosting,
    ClaimReversal,
    Period,
    PeriodPosition,
    Scheme,
    SettlementInstruction,
)
from metrocoop.clearing.partitions import ensure_partitions
from metrocoop.clearing.policies import CLOSE, CONFIRM, REVERSE, SubmitterScope, can_see_person, submitter_scope
from metrocoop.clearing.reader import ClaimSource
from metrocoop.clearing.verification import VerifyReport, verify_clearing
from metrocoop.core.audit import acting, log_event
from metrocoop.core.models import City
from metrocoop.core.permissions import Action, can, require
from metrocoop.core.writes import save_checked
from metrocoop.ledger import engine as ledger_engine
from metrocoop.ledger.models import ChainHead
from metrocoop.ledger.services import post_transfers


def do_ingest_claims(
    source: ClaimSource, *, actor: Any, chunk_size: int = DEFAULT_CHUNK, progress=None, parallel: bool = False
) -> IngestResult:
    """Ingest claims for `actor` (the office, or a city's bureau for claims served in its city)."""
    return ingest_rows(source, actor=actor, chunk_size=chunk_size, progress=progress, parallel=parallel)


# --- reversal (冲正) and adjustments ------------------------------------------------------------------------------


def _next_open_period(after: Period) -> Period | None:
    return (
        Period.objects.select_for_update()
        .filter(status=PeriodStatus.OPEN)
        .filter(Q(year__gt=after.year) | Q(year=after.year, month__gt=after.month))
        .order_by("year", "month")
        .first()
    )


def do_reverse_claim(claim: Claim, reason: str, *, actor: Any) -> ClaimReversal:
    """冲正 a posted claim: a counter-posting service city → insured city for its fund-payable amount.

    In the claim's own period while it is open; once that period is closed, as an adjustment in the next open
    period (closed periods never change). A claim is reversed at most once; the same request twice is refused.
    """
    if not reason or not reason.strip():
        raise ClearingError("请说明冲正原因。", "Give a reason for the reversal.")
    with transaction.atomic(), acting(actor):
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        require(actor, REVERSE, claim)
        if claim.status != ClaimStatus.POSTED:
            raise ClearingError("只有已记账的结算单可以冲正。", "Only a posted claim can be reversed.")
        own = Period.objects.select_for_update().get(pk=claim.period_id)
        period, adjustment = own, False
        if own.status != PeriodStatus.OPEN:
            period, adjustment = _next_open_period(own), True
            if period is None:
                raise ClearingError(
                    "结算期已关闭，且没有之后的开放结算期可记调整。",
                    "The claim's period is closed and no later period is open for the adjustment.",
                )
        cities = dict(City.objects.filter(code__in=[claim.insured_city, claim.service_city]).values_list("code", "pk"))
        amount = int(claim.fund_payable_fen)
        transfer = None
        if amount > 0:
            transfer = post_transfers(
                [
                    ledger_engine.Transfer(
                        id=f"clearing:reversal:{claim.claim_id}", debit_account=account_code(claim.insured_city),
                        credit_account=account_code(claim.service_city), amount_fen=amount, code=REVERSAL_CODE,
                        memo=f"{'adjustment' if adjustment else 'reversal'} of claim {claim.claim_id}"[:300],
                    )
                ],
                actor=actor,
            )[0].transfer  # fmt: skip
        if transfer is None:
            raise ClearingError(
                "该结算单没有基金支付金额，无需冲正。", "The claim has no fund-payable amount to reverse."
            )
        posting = ClaimPosting.objects.create(
            period=period, batch=None, chunk_no=0, kind=PostingKind.REVERSAL,
            insured_city_id=cities[claim.insured_city], service_city_id=cities[claim.service_city],
            scheme=claim.scheme, claim_count=1, amount_fen=amount, transfer=transfer,
        )  # fmt: skip
        reversal = ClaimReversal.objects.create(
            claim=claim, period=period, is_adjustment=adjustment, posting=posting, reason=reason.strip()[:300],
            created_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.REVERSED)
        claim.refresh_from_db()
        log_event(claim, actor=actor, status=(ClaimStatus.POSTED, ClaimStatus.REVERSED))
        require(actor, REVERSE, claim)
    return reversal


# --- periods --------------------------------------------------------------------------------------------------


def do_open_period(year: int, month: int, *, actor: Any) -> Period:
    """Open a monthly period (idempotent: an existing period is returned as it is)."""
    with transaction.atomic(), acting(actor):
        period = Period.objects.filter(year=year, month=month).first()
        if period is not None:
            require(actor, Action.VIEW, period)
            return period
        period = Period(year=year, month=month)
        require(actor, Action.ADD, period)
        period.full_clean()
        period.save()
        ensure_partitions([period.pk])  # its claim and posting partitions (PostgreSQL), in this transaction
        require(actor, Action.ADD, period)
    return period


def period_obligations(period: Period) -> list[tuple[str, str, int]]:
    """(debtor, creditor, fen) of a period: claims postings less reversals per city pair; a pair whose reversals
    exceed its claims (adjustments of an earlier period) owes the other way."""
    net: dict[tuple[str, str], int] = defaultdict(int)
    rows = (
        ClaimPosting.objects.filter(period=period)
        .values_list("insured_city__code", "service_city__code", "kind")
        .annotate(s=Sum("amount_fen"))
        .order_by()
    )
    for insured, service, kind, amount in rows:
        net[insured, service] += int(amount) if kind == PostingKind.CLAIMS else -int(amount)
    obligations = []
    for (insured, service), amount in sorted(net.items()):
        if amount > 0:
            obligations.append((insured, service, amount))
        elif amount < 0:
            obligations.append((service, insured, -amount))
    return obligations


def preview_period(period: Period) -> netting.ClearingResult:
    first, last = month_bounds(period.year, period.month)
    members = set(City.objects.members_on(first).values_list("code", flat=True)) | set(
        City.objects.members_on(last).values_list("code", flat=True)
    )
    obligations = period_obligations(period)
    members |= {c for d, cr, _ in obligations for c in (d, cr)}
    return netting.clear_obligations(obligations, sorted(members))


def do_close_period(period: Period, *, actor: Any) -> Period:
    """Close a period atomically: open → closing → closed in one transaction, so a close that fails or is killed
    leaves the period open and unchanged. Checks every invariant first; stores per-city gross receivable, payable
    and net (summing to zero), the gross matrix, and the fewest settlement instructions (engine `settle`)."""
    with transaction.atomic(), acting(actor):
        period = Period.objects.select_for_update().get(pk=period.pk)
        require(actor, CLOSE, period)
        if period.status != PeriodStatus.OPEN:
            raise ClearingError(f"结算期 {period.code} 不是开放状态。", f"Period {period.code} is not open.")
        if not valid_periods(Period.objects.filter(pk=period.pk)).exists():
            raise ValidationError(
                {
                    "year": _("Period %(code)s lies outside the years %(min)s-%(max)s and cannot be closed.")
                    % {"code": period.code, "min": Period.MIN_YEAR, "max": Period.MAX_YEAR}
                }
            )
        Period.objects.filter(pk=period.pk).update(status=PeriodStatus.CLOSING)
        report = verify_clearing(period)
        if not report.ok:
            raise ClearingError(
                f"不变量检查未通过，结算期未关闭：{report.as_dict()}",
                f"An invariant does not hold; the period stays open: {report.as_dict()}",
            )
        result = preview_period(period)
        nets = result.net_positions
        if sum(nets.values()) != 0:  # the engine guarantees it; a close must never store anything else
            raise ClearingError("净头寸之和不为零。", "Net positions do not sum to zero.")
        cities = dict(City.objects.values_list("code", "pk"))
        PeriodPosition.objects.bulk_create(
            PeriodPosition(
                period=period, city_id=cities[code], receivable_fen=p.receivable_fen, payable_fen=p.payable_fen,
                net_fen=p.net_fen,
            )
            for code, p in result.positions.items()
        )  # fmt: skip
        SettlementInstruction.objects.bulk_create(
            SettlementInstruction(
                period=period, payer_id=cities[i.payer], payee_id=cities[i.payee], amount_fen=i.amount_fen
            )
            for i in result.plan.instructions
        )
        claim_count = Claim.objects.filter(period=period).values("status").annotate(n=Count("pk")).order_by()
        head = ChainHead.objects.filter(pk=1).first()
        _mark_authorisations_used(period)
        period.status = PeriodStatus.CLOSED
        period.closed_at = timezone.now()
        period.closed_by = actor if getattr(actor, "pk", None) else None
        period.ledger_head = head.last_hash if head else ledger_engine.GENESIS_HASH
        period.result = {
            "cities": list(result.cities),
            "matrix": {d: dict(row) for d, row in result.matrix.items()},
            "method": result.plan.method,
            "minimal": result.plan.minimal,
            "steps": list(result.plan.steps),
            "groups": [list(g) for g in result.plan.groups],
            "claims": {row["status"]: row["n"] for row in claim_count},
            "obligations": len(period_obligations(period)),
            "verify": report.as_dict(),
        }
        period.save()
        log_event(period, actor=actor, status=(PeriodStatus.OPEN, PeriodStatus.CLOSED))
        require(actor, CLOSE, period)
    return period


def _mark_authorisations_used(period: Period) -> None:
    """Authorisations a posted claim of the period relied on become `used`."""
    first, last = month_bounds(period.year, period.month)
    schemes = list(Scheme.objects.filter(needs_authorisation=True).values_list("code", flat=True))
    refs = (
        Claim.objects.filter(period=period, status=ClaimStatus.POSTED, scheme__in=schemes)
        .values_list("person_ref", flat=True)
        .distinct()
    )
    Authorisation.objects.filter(status=AuthorisationStatus.GRANTED, person_ref__in=refs, valid_from__lte=last).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=first)
    ).update(status=AuthorisationStatus.USED)


def do_archive_period(period: Period, *, actor: Any) -> list[str]:
    """Detach a closed period's claim and posting partitions into the archive schema (PostgreSQL): its rows
    leave every query on the live tables (and their indexes) but stay in the database, readable there and
    restorable (`do_restore_period`). Its claim ids stay in the key table: a claim re-sent later is still a
    duplicate or a conflict, never a second claim."""
    from metrocoop.clearing import partitions

    with transaction.atomic(), acting(actor):
        period = Period.objects.select_for_update().get(pk=period.pk)
        require(actor, CLOSE, period)
        if not partitions.partitioned():
            raise ClearingError("只有 PostgreSQL 按结算期分区，无法归档。", "Only PostgreSQL partitions by period.")
        if period.status != PeriodStatus.CLOSED:
            raise ClearingError(f"结算期 {period.code} 尚未关闭，不能归档。", f"Period {period.code} is not closed.")
        names = partitions.archive_period(period)
        log_event(period, actor=actor, archived=(None, ", ".join(names)))
    return names


def do_restore_period(period: Period, *, actor: Any) -> list[str]:
    """Attach an archived period's partitions again."""
    from metrocoop.clearing import partitions

    with transaction.atomic(), acting(actor):
        period = Period.objects.select_for_update().get(pk=period.pk)
        require(actor, CLOSE, period)
        if not partitions.partitioned():
            raise ClearingError("只有 PostgreSQL 按结算期分区，无法恢复。", "Only PostgreSQL partitions by period.")
        names = partitions.restore_period(period)
        log_event(period, actor=actor, restored=(None, ", ".join(names)))
    return names


def do_confirm_payment(instruction: SettlementInstruction, reference: str, *, actor: Any) -> SettlementInstruction:
    """Confirm that an instruction was paid: a ledger transfer payer → payee moves the positions back toward
    zero. Confirming twice is harmless (the same instruction stays paid once)."""
    with transaction.atomic(), acting(actor):
        instruction = (
            SettlementInstruction.objects.select_for_update()
            .select_related("payer", "payee", "period")
            .get(pk=instruction.pk)
        )
        require(actor, CONFIRM, instruction)
        if instruction.status == InstructionStatus.PAID:
            return instruction
        posted = post_transfers(
            [
                ledger_engine.Transfer(
                    id=f"clearing:payment:{instruction.pk}", debit_account=account_code(instruction.payer.code),
                    credit_account=account_code(instruction.payee.code), amount_fen=int(instruction.amount_fen),
                    code=PAYMENT_CODE, memo=f"{instruction.period.code} {reference}"[:300],
                )
            ],
            actor=actor,
        )[0]  # fmt: skip
        instruction.status = InstructionStatus.PAID
        instruction.paid_at = timezone.now()
        instruction.payment_reference = reference[:100]
        instruction.payment_transfer = posted.transfer
        instruction.save()
        require(actor, CONFIRM, instruction)
    return instruction


# --- catalogues and authorisations ---------------------------------------------------------------------------------


def do_save_catalogue_entry(entry: CatalogueEntry, *, actor: Any) -> CatalogueEntry:
    """Add or change a catalogue entry of a city the actor may edit."""
    action = Action.ADD if entry.pk is None else Action.CHANGE
    with transaction.atomic(), acting(actor):
        if entry.pk is not None:
            require(actor, action, CatalogueEntry.objects.get(pk=entry.pk))
        return save_checked(entry, actor, action)


def do_delete_catalogue_entry(entry: CatalogueEntry, *, actor: Any) -> None:
    with transaction.atomic(), acting(actor):
        require(actor, Action.DELETE, entry)
        entry.delete()


def do_grant_authorisation(authorisation: Authorisation, *, actor: Any) -> Authorisation:
    """Grant a prior authorisation (the insured city's bureau or the office)."""
    with transaction.atomic(), acting(actor):
        return save_checked(authorisation, actor, Action.ADD)


def do_revoke_authorisation(authorisation: Authorisation, *, actor: Any) -> Authorisation:
    with transaction.atomic(), acting(actor):
        authorisation = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
        require(actor, Action.CHANGE, authorisation)
        if authorisation.status != AuthorisationStatus.REVOKED:
            authorisation.status = AuthorisationStatus.REVOKED
            authorisation.save(update_fields=["status"])
    return authorisation


__all__ = [
    "CLAIM_CODE",
    "DEFAULT_CHUNK",
    "PAYMENT_CODE",
    "REVERSAL_CODE",
    "ClearingError",
    "IngestResult",
    "SubmitterScope",
    "VerifyReport",
    "account_code",
    "can",
    "can_see_person",
    "collector_paused",
    "do_archive_period",
    "do_close_period",
    "do_confirm_payment",
    "do_delete_catalogue_entry",
    "do_grant_authorisation",
    "do_ingest_claims",
    "do_open_period",
    "do_restore_period",
    "do_reverse_claim",
    "do_revoke_authorisation",
    "do_save_catalogue_entry",
    "ensure_city_accounts",
    "ingest_context",
    "ingest_rows",
    "month_bounds",
    "period_obligations",
    "preview_period",
    "submitter_scope",
    "valid_periods",
    "verify_clearing",
]
