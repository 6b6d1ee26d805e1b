"""The cross-city public-service clearing house (the paper's §四(三)2: 异地就医门诊结算全覆盖, 事先授权, 跨市医疗费用
报销, 参保政策与可报销目录统筹, 养老服务待遇异地结算; §二(三) 医保异地就诊结算亟待通畅).

A claim says that a person insured in one city was served in another: the insured city owes the service city the
fund-payable amount. Claims enter exactly once (the claim id is the idempotency key), are validated by the pure
engine (`engine.validation`), and are posted to the platform ledger aggregated per posting group (see
`ingest.ingest_rows`). Each month is a `Period` that closes atomically into net positions, a gross matrix and
the fewest settlement instructions (`engine.netting`). Persons appear only as keyed hashes (`engine.pseudonym`).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from metrocoop.clearing.choices import (
    AuthorisationStatus,
    BatchStatus,
    ClaimStatus,
    InstructionStatus,
    PeriodStatus,
    PostingKind,
    RejectCode,
    SchemeCode,
)
from metrocoop.core.choices import Domain
from metrocoop.core.model_mixins import city_link, status_field, transfer_link, user_link
from metrocoop.core.models import BilingualNameMixin

# a settlement period (结算期), not a planning period (规划期): one English word, two senses
PERIOD = pgettext_lazy("settlement", "period")


class Scheme(BilingualNameMixin, models.Model):
    """A public service cleared across cities; its domain names the bureau in charge (医保局 or 民政局)."""

    code = models.CharField(_("code"), max_length=30, unique=True, choices=SchemeCode.choices)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    domain = models.CharField(_("domain"), max_length=30, choices=Domain.choices)
    needs_authorisation = models.BooleanField(_("needs prior authorisation"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")

    def __str__(self) -> str:
        return self.name


class CatalogueEntry(BilingualNameMixin, models.Model):
    """One reimbursable item of a city's catalogue for a scheme (参保政策与可报销目录统筹, §四(三)2)."""

    city = city_link(related_name="catalogue_entries")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="catalogue", verbose_name=_("scheme"))
    item_code = models.CharField(_("item code"), max_length=30)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150)
    unit_price_fen = models.BigIntegerField(_("unit price (fen)"))
    reimbursement_ratio = models.DecimalField(_("reimbursement ratio"), max_digits=5, decimal_places=4)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["city__sort_order", "scheme__code", "item_code"]
        verbose_name = _("catalogue entry")
        verbose_name_plural = _("catalogue entries")
        constraints = [
            models.UniqueConstraint(fields=["city", "scheme", "item_code"], name="clearing_catalogue_unique_item"),
            models.CheckConstraint(condition=Q(unit_price_fen__gte=0), name="clearing_catalogue_price_not_negative"),
            models.CheckConstraint(
                condition=Q(reimbursement_ratio__gte=0) & Q(reimbursement_ratio__lte=1),
                name="clearing_catalogue_ratio_0_1",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="clearing_catalogue_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city.code} {self.scheme.code} {self.item_code}"


class Authorisation(models.Model):
    """A prior authorisation (事先授权 / 异地就医备案) of a pseudonymised person for care in another city."""

    person_ref = models.CharField(_("person reference"), max_length=64, db_index=True)
    insured_city = city_link(_("insured city"), related_name="authorisations_insured")
    service_city = city_link(_("service city"), related_name="authorisations_served")
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="authorisations", verbose_name=_("scheme")
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status = status_field(AuthorisationStatus, max_length=10, default=AuthorisationStatus.GRANTED)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-valid_from", "pk"]
        verbose_name = _("prior authorisation")
        verbose_name_plural = _("prior authorisations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(insured_city=models.F("service_city")), name="clearing_auth_two_cities"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="clearing_auth_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insured_city_id}→{self.service_city_id} {self.scheme_id} {self.valid_from}"

    @property
    def effective_status(self) -> str:
        """`expired` once the window has passed (a granted or used authorisation is not edited for that)."""
        active = self.status in (AuthorisationStatus.GRANTED, AuthorisationStatus.USED)
        if active and self.valid_until is not None and self.valid_until < timezone.localdate():
            return AuthorisationStatus.EXPIRED
        return self.status


class Period(models.Model):
    """A monthly clearing period: open → closing → closed. A closed period never changes (its results below)."""

    # A period's bounds are computed for every open period on each ingest: a year outside what dates can hold
    # would break every city's submission, so the range is an invariant of the row (and a database constraint).
    MIN_YEAR = 2000
    MAX_YEAR = 2100

    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    status = status_field(PeriodStatus, max_length=10, default=PeriodStatus.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = user_link(_("closed by"), optional=True)
    ledger_head = models.CharField(_("ledger head at close"), max_length=64, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        ordering = ["-year", "-month"]
        verbose_name = _("clearing period")
        verbose_name_plural = _("clearing periods")
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="clearing_period_unique_month"),
            models.CheckConstraint(condition=Q(month__gte=1) & Q(month__lte=12), name="clearing_period_month_1_12"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="clearing_period_year_2000_2100"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class IngestBatch(models.Model):
    """One ingest run (a file or an API batch). Received = posted + rejected + duplicates, in count and in fen."""

    source = models.CharField(_("source"), max_length=300)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    city = city_link(_("submitting city"), optional=True)
    domain = models.CharField(_("domain"), max_length=30, choices=Domain.choices, blank=True)
    submitted_by = user_link(_("submitted by"), optional=True)
    status = status_field(BatchStatus, max_length=10, default=BatchStatus.RUNNING)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    received_count = models.PositiveIntegerField(_("received"), default=0)
    received_fen = models.BigIntegerField(_("received (fen)"), default=0)
    posted_count = models.PositiveIntegerField(_("posted"), default=0)
    posted_fen = models.BigIntegerField(_("posted (fen)"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    rejected_fen = models.BigIntegerField(_("rejected (fen)"), default=0)
    duplicate_count = models.PositiveIntegerField(_("duplicates"), default=0)
    duplicate_fen = models.BigIntegerField(_("duplicates (fen)"), default=0)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("ingest batch")
        verbose_name_plural = _("ingest batches")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    received_count=models.F("posted_count") + models.F("rejected_count") + models.F("duplicate_count")
                )
                & Q(received_fen=models.F("posted_fen") + models.F("rejected_fen") + models.F("duplicate_fen")),
                name="clearing_batch_counts_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source}"


class Claim(models.Model):
    """A cross-city claim: the insured city owes the service city `fund_payable_fen`.

    `claim_id` is the idempotency key (a second submission with the same content is a duplicate, with other
    content a conflict recorded as an `IngestRejection`). Cities and scheme are kept as codes, as submitted, so a
    rejected claim naming an unknown city is kept too. A posted claim's ledger posting is the `ClaimPosting` with
    its (batch, chunk, period, insured city, service city, scheme): see `posting`.
    """

    claim_id = models.CharField(_("claim id"), max_length=64, unique=True)
    content_hash = models.CharField(_("content hash"), max_length=32)
    # Few indexes on purpose: each one is paid for by every ingested claim (the ingest's speed target).
    # No database constraint on batch and period (migration 0003: a foreign-key check per ingested claim);
    # verify_clearing checks that they exist.
    batch = models.ForeignKey(
        IngestBatch, on_delete=models.PROTECT, related_name="claims", verbose_name=_("batch"), db_index=False,
        db_constraint=False,
    )  # fmt: skip
    chunk_no = models.PositiveIntegerField(_("chunk"))
    status = status_field(ClaimStatus, max_length=10)
    reject_code = models.CharField(_("reject reason"), max_length=30, choices=RejectCode.choices, blank=True)
    reject_detail_zh = models.CharField(_("detail (Chinese)"), max_length=500, blank=True)
    reject_detail_en = models.CharField(_("detail (English)"), max_length=500, blank=True)
    scheme = models.CharField(_("scheme"), max_length=30)
    insured_city = models.CharField(_("insured city"), max_length=8)
    service_city = models.CharField(_("service city"), max_length=8)
    provider = models.CharField(_("provider"), max_length=100)
    person_ref = models.CharField(_("person reference"), max_length=64)
    service_date = models.DateField(_("service date"), null=True)
    items = models.TextField(_("items"), help_text=_("code:quantity:unit price:amount; …"))
    total_fen = models.BigIntegerField(_("total (fen)"))
    fund_payable_fen = models.BigIntegerField(_("fund payable (fen)"))
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, null=True, blank=True, related_name="claims", verbose_name=PERIOD,
        db_index=False, db_constraint=False,
    )  # fmt: skip

    class Meta:
        ordering = ["-id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        # Only the unique claim id is indexed: every index is paid for by each of a million ingested claims, and
        # the reports read the aggregated postings, not the claims.

    def __str__(self) -> str:
        return self.claim_id

    def posting(self) -> ClaimPosting | None:
        """The ledger posting this claim's amount went into (the aggregated transfer of its group)."""
        if self.status == ClaimStatus.REJECTED:
            return None
        return ClaimPosting.objects.filter(
            batch_id=self.batch_id, chunk_no=self.chunk_no, period_id=self.period_id, kind=PostingKind.CLAIMS,
            insured_city__code=self.insured_city, service_city__code=self.service_city, scheme=self.scheme,
        ).select_related("transfer").first()  # fmt: skip


class IngestRejection(models.Model):
    """A submitted row that could not become a claim of its own: a claim id reused with other content (a
    conflict: the first claim stands, never overwritten) or a row without a claim id."""

    batch = models.ForeignKey(IngestBatch, on_delete=models.PROTECT, related_name="rejections", verbose_name=_("batch"))
    row_number = models.PositiveIntegerField(_("row"))
    claim_id = models.CharField(_("claim id"), max_length=64, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=32)
    reject_code = models.CharField(_("reason"), max_length=30, choices=RejectCode.choices)
    detail_zh = models.CharField(_("detail (Chinese)"), max_length=500)
    detail_en = models.CharField(_("detail (English)"), max_length=500)
    fund_payable_fen = models.BigIntegerField(_("fund payable (fen)"), default=0)

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("ingest rejection")
        verbose_name_plural = _("ingest rejections")

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number} {self.reject_code}"


class ClaimPosting(models.Model):
    """One ledger transfer for a group of claims (or one reversal): insured city → service city, per period,
    scheme, batch and chunk. `claim_count` and `amount_fen` show how the transfer's amount was computed."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="postings", verbose_name=PERIOD)
    batch = models.ForeignKey(
        IngestBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="postings", verbose_name=_("batch")
    )
    chunk_no = models.PositiveIntegerField(_("chunk"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=PostingKind.choices, default=PostingKind.CLAIMS)
    insured_city = city_link(_("insured city"))
    service_city = city_link(_("service city"))
    scheme = models.CharField(_("scheme"), max_length=30)
    claim_count = models.PositiveIntegerField(_("claims"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    transfer = transfer_link(_("ledger transfer"), related_name="clearing_posting")

    class Meta:
        ordering = ["period", "pk"]
        verbose_name = _("claim posting")
        verbose_name_plural = _("claim postings")
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="clearing_posting_amount_positive")]

    def __str__(self) -> str:
        return f"{self.period} {self.insured_city_id}→{self.service_city_id} {self.amount_fen}"


class ClaimReversal(models.Model):
    """冲正: a posted claim cancelled by a counter-posting. In its own period while open; once that period is closed,
    an adjustment in the next open period (closed periods never change)."""

    # No database constraint on the claim and the posting: both tables are partitioned by period on PostgreSQL,
    # and a foreign key into a partitioned table needs the partition key (migration 0005); verify checks them.
    claim = models.OneToOneField(
        Claim, on_delete=models.PROTECT, related_name="reversal", verbose_name=_("claim"), db_constraint=False
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="reversals", verbose_name=PERIOD)
    is_adjustment = models.BooleanField(_("adjustment of a closed period"), default=False)
    posting = models.OneToOneField(
        ClaimPosting, on_delete=models.PROTECT, related_name="reversal", verbose_name=_("posting"),
        db_constraint=False,
    )  # fmt: skip
    reason = models.CharField(_("reason"), max_length=300)
    created_by = user_link(_("created by"), null=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("claim reversal")
        verbose_name_plural = _("claim reversals")

    def __str__(self) -> str:
        return f"{self.claim_id} ↺ {self.period}"


class PeriodPosition(models.Model):
    """A city's result of a closed period: gross receivable, gross payable, net (receivable − payable)."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="positions", verbose_name=PERIOD)
    city = city_link()
    receivable_fen = models.BigIntegerField(_("receivable (fen)"))
    payable_fen = models.BigIntegerField(_("payable (fen)"))
    net_fen = models.BigIntegerField(_("net (fen)"))

    class Meta:
        ordering = ["period", "city__sort_order"]
        verbose_name = _("net position")
        verbose_name_plural = _("net positions")
        constraints = [
            models.UniqueConstraint(fields=["period", "city"], name="clearing_position_unique"),
            models.CheckConstraint(
                condition=Q(net_fen=models.F("receivable_fen") - models.F("payable_fen")),
                name="clearing_position_net_is_difference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.city_id} {self.net_fen}"


class SettlementInstruction(models.Model):
    """`payer` pays `payee` `amount_fen` to settle a closed period; confirmed when paid (a ledger transfer)."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="instructions", verbose_name=PERIOD)
    payer = city_link(_("payer"))
    payee = city_link(_("payee"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    status = status_field(InstructionStatus, max_length=10, default=InstructionStatus.PENDING)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    payment_transfer = transfer_link(_("payment"), optional=True)

    class Meta:
        ordering = ["period", "payer__sort_order", "payee__sort_order"]
        verbose_name = _("settlement instruction")
        verbose_name_plural = _("settlement instructions")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="clearing_instruction_amount_positive"),
            models.UniqueConstraint(fields=["period", "payer", "payee"], name="clearing_instruction_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.payer_id}→{self.payee_id} {self.amount_fen}"
