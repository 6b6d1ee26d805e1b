"""Enumerations of the clearing house, with Chinese and English labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SchemeCode(models.TextChoices):
    """The public services cleared across cities (validation.Scheme)."""

    MEDICAL_INPATIENT = "medical_inpatient", _("Medical, inpatient")
    MEDICAL_OUTPATIENT = "medical_outpatient", _("Medical, outpatient")
    ELDERLY_CARE = "elderly_care", _("Elderly care")


class PeriodStatus(models.TextChoices):
    # the paper's terms for a settlement period (结算期): 未结, 结算中, 已结
    OPEN = "open", pgettext_lazy("settlement period state", "Open")
    CLOSING = "closing", pgettext_lazy("settlement period state", "Closing")
    CLOSED = "closed", pgettext_lazy("settlement period state", "Closed")


class ClaimStatus(models.TextChoices):
    POSTED = "posted", _("Posted")
    REJECTED = "rejected", _("Rejected")
    REVERSED = "reversed", _("Reversed")


class AuthorisationStatus(models.TextChoices):
    GRANTED = "granted", _("Granted")
    USED = "used", _("Used")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class BatchStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")


class PostingKind(models.TextChoices):
    CLAIMS = "claims", _("Claims")
    REVERSAL = "reversal", _("Reversal")


class InstructionStatus(models.TextChoices):
    PENDING = "pending", _("Unpaid")
    PAID = "paid", _("Paid")


class RejectCode(models.TextChoices):
    """Why a claim was rejected: the engine's reasons (validation.RejectReason) and those of the ingest itself."""

    UNKNOWN_CITY = "unknown_city", _("Unknown city")
    SAME_CITY = "same_city", _("Same city")
    PERIOD_NOT_OPEN = "period_not_open", _("Period not open")
    UNKNOWN_SCHEME = "unknown_scheme", _("Unknown scheme")
    AUTHORISATION_MISSING = "authorisation_missing", _("Authorisation missing")
    ITEM_NOT_IN_CATALOGUE = "item_not_in_catalogue", _("Item not in catalogue")
    AMOUNTS_INCONSISTENT = "amounts_inconsistent", _("Amounts inconsistent")
    MALFORMED_ROW = "malformed_row", _("Malformed row")
    OUTSIDE_SCOPE = "outside_scope", _("Outside the submitter's scope")
    CONFLICT = "conflict", _("Claim id reused with other content")
