"""Enumerations of the ledger, with Chinese and English labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    """What an account stands for. Balances are debit-normal (Σ debits − Σ credits) whatever the kind."""

    CLEARING = "clearing", _("Clearing position")
    FUND = "fund", _("Fund")
    CONTRIBUTION = "contribution", _("Contribution")
    BANK = "bank", _("Settlement bank")
    OTHER = "other", _("Other")
