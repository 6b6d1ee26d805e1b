"""The clearing house's ledger accounts (one clearing position per city) and its transfer codes."""

from __future__ import annotations

from collections.abc import Sequence

from metrocoop.core.models import City
from metrocoop.ledger.services import ensure_account

CLAIM_CODE = "clearing.claims"
REVERSAL_CODE = "clearing.reversal"
PAYMENT_CODE = "clearing.payment"


def account_code(city_code: str) -> str:
    """The ledger account of a city's clearing position (balance = receivable − payable, positive = receives)."""
    return f"clearing:{city_code}"


def ensure_city_accounts(cities: Sequence[City] | None = None) -> None:
    for city in cities if cities is not None else City.objects.all():
        ensure_account(
            account_code(city.code),
            name_zh=f"{city.name_zh}跨市结算头寸",
            name_en=f"{city.name_en} clearing position",
            kind="clearing",
            owner_app="clearing",
            city=city,
        )
