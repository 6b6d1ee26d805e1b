"""The clearing house's refusal: a bilingual message, nothing changed."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ClearingError(ValidationError):
    """A refused clearing action, with a bilingual message; nothing was changed."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(f"{zh} {en}")
