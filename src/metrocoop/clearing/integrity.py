"""The clearing house's integrity check for backup/restore (`metrocoop.backup`): batches, postings, claims."""

from typing import Any

from metrocoop.clearing.verification import verify_clearing


def verify() -> dict[str, Any]:
    return verify_clearing().as_dict()
