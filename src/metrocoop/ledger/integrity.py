"""The ledger's integrity check for backup/restore (`metrocoop.backup`): balances and the hash chain."""

from typing import Any

from metrocoop.ledger.services import verify_ledger


def verify() -> dict[str, Any]:
    return verify_ledger().as_dict()
