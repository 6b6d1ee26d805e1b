"""The platform's shared double-entry ledger (docs/design.md "Clearing", "Fund contributions"; the paper's §四(三)2
cross-city clearing and §四(五)3-4 funds both post here).

Every amount is a `Transfer` of integer fen from one `Account` to another. Transfers are immutable (a database
trigger refuses UPDATE, and on PostgreSQL DELETE: migration 0002) and hash-chained (`chain_index`, `prev_hash`,
`entry_hash`, see `ledger.engine.chain_hash`); corrections are reversals. `Account.balance_fen` is a cache of
Σ debits − Σ credits that `services.verify_ledger` re-computes from the transfers.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrocoop.core.model_mixins import city_link
from metrocoop.core.models import BilingualNameMixin
from metrocoop.ledger import engine
from metrocoop.ledger.choices import AccountKind


class Account(BilingualNameMixin, models.Model):
    """A ledger account (a city's clearing position, a fund, a bank). `balance_fen` = Σ debits − Σ credits."""

    code = models.CharField(_("code"), max_length=80, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=AccountKind.choices, default=AccountKind.OTHER)
    city = city_link(related_name="ledger_accounts", optional=True)
    owner_app = models.CharField(_("owner app"), max_length=30, help_text=_("The app that posts to this account"))
    balance_fen = models.BigIntegerField(_("balance (fen)"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")

    def __str__(self) -> str:
        return self.code


class Transfer(models.Model):
    """One immutable posting: `amount_fen` from `credit_account` to `debit_account` (ledger.engine.Transfer).

    `client_id` is the idempotency key chosen by the caller; `content_hash` is the engine's hash of the content
    so a resubmission can be told apart from a conflict. `reverses` is unique: a transfer is reversed at most once.
    """

    client_id = models.CharField(_("client id"), max_length=200, unique=True)
    content_hash = models.CharField(_("content hash"), max_length=64)
    debit_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="debits", verbose_name=_("debit account")
    )
    credit_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="credits", verbose_name=_("credit account")
    )
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    code = models.CharField(_("code"), max_length=60)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by", verbose_name=_("reverses")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    chain_index = models.BigIntegerField(_("chain index"), unique=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    entry_hash = models.CharField(_("entry hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["chain_index"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="ledger_transfer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(debit_account=F("credit_account")), name="ledger_transfer_two_accounts"
            ),
        ]
        indexes = [models.Index(fields=["code"], name="ledger_transfer_code")]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.amount_fen} fen"

    def to_engine(self) -> engine.Transfer:
        """The engine's view of this row (account codes, not keys): what the content hash and chain cover."""
        return engine.Transfer(
            id=self.client_id,
            debit_account=self.debit_account.code,
            credit_account=self.credit_account.code,
            amount_fen=int(self.amount_fen),
            code=self.code,
            memo=self.memo,
            reverses=self.reverses.client_id if self.reverses_id else None,
        )


class ChainHead(models.Model):
    """The single row that serialises appends to the hash chain: the last index and hash.

    Writers lock it (`select_for_update`) before taking the next index, so two concurrent posters can never take
    the same index or chain onto the same previous hash. It is also the anchor `verify_ledger` compares the chain's
    end with (dropping transfers from the end would otherwise go unnoticed).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_index = models.BigIntegerField(default=-1)
    last_hash = models.CharField(max_length=64, default=engine.GENESIS_HASH)

    class Meta:
        verbose_name = _("ledger chain head")
        verbose_name_plural = _("ledger chain heads")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="ledger_chainhead_single_row")]

    def __str__(self) -> str:
        return f"#{self.last_index} {self.last_hash[:12]}"
