"""The one money formatter: integer fen shown as yuan, "1,234,567.89", the same in every language, page, Word and
Excel document (Chinese financial writing groups by thousands with commas too). Exact: integer arithmetic, no float.

Templates use the `yuan_from_fen` filter (`{% load metrocoop %}`), which calls `yuan`; charts choose 元/万元/亿元 by
magnitude in `metrocoop.core.charts.money_scale`.
"""

from __future__ import annotations

from decimal import Decimal

MISSING = "—"


def yuan(fen: int | str | Decimal | None) -> str:
    """12345678 → "123,456.78"; -5 → "-0.05"; None or "" → "—"."""
    if fen is None or fen == "":
        return MISSING
    amount = int(fen)
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    return f"{sign}{whole:,}.{cents:02d}"
