"""Every movement of a fund's money, for its card: the fund's ledger account read back by transfer code, so that the
balance is explained line by line (contributions in, compensation in, disbursements, rewards and assistance out)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from metrocoop.funds.models import Fund
from metrocoop.ledger.models import Transfer

# transfer code → what it is, in the order the card lists them
KINDS = (
    ("funds.contribution", _("Contributions received")),
    ("funds.assessment.compensation", _("Compensation paid in by low-scoring cities")),
    ("funds.disbursement", _("Disbursed to projects")),
    ("funds.assessment.reward", _("Rewards paid to cities")),
    ("funds.assessment.assistance", _("Assistance paid to lagging areas")),
)


@dataclass(frozen=True)
class Movement:
    code: str
    label: str
    fen: int  # signed: + into the fund, − out of it


def fund_movements(fund: Fund) -> list[Movement]:
    """The fund account's movements summed by kind (debits into the fund positive, credits out negative); a kind the
    card does not name is listed as "other movements" so that the lines always add up to the balance."""
    account = fund.account_id
    sums: dict[str, int] = {}
    for code, amount in (
        Transfer.objects.filter(debit_account=account).values_list("code").annotate(s=Sum("amount_fen"))
    ):
        sums[code] = sums.get(code, 0) + int(amount)
    for code, amount in (
        Transfer.objects.filter(credit_account=account).values_list("code").annotate(s=Sum("amount_fen"))
    ):
        sums[code] = sums.get(code, 0) - int(amount)
    lines = [Movement(code, str(label), sums.pop(code, 0)) for code, label in KINDS]
    other = sum(sums.values())
    if other:
        lines.append(Movement("other", str(_("Other movements")), other))
    return lines
