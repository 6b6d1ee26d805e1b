"""The two types every engine shares: a bilingual error and one explained step. Django-free, so that engines
(plain data in, plain data out) import them without importing Django.

- `BilingualError(message_zh, message_en, code=...)`: input an engine or a service cannot work with, said in both
  languages, Chinese first (the platform's order everywhere). `str(error)` is the English text, so logs and
  tracebacks read as before; `both` is "中文 / English" for a single field message. The API's exception handler
  answers it as 400 in the bilingual shape (`core.api.errors`); a page shows `message_zh`/`message_en` by language.
- `Step`: one line of an explanation of a computed figure (what was done, the formula, the numbers, the result),
  in both languages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BilingualError", "Step", "both"]


def both(zh: str, en: str) -> str:
    """One message in both languages, Chinese first: "该决议已作出。 / This resolution has already been decided."."""
    return f"{zh} / {en}"


class BilingualError(ValueError):
    """An input that cannot give a result, with the message in Chinese and English.

    `code` is a stable machine-readable name (kebab-case) for the API; subclasses set their own.
    """

    code = "invalid-input"

    def __init__(self, message_zh: str, message_en: str, *, code: str | None = None) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en
        if code is not None:
            self.code = code

    @property
    def both(self) -> str:
        return both(self.message_zh, self.message_en)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message_zh": self.message_zh, "message_en": self.message_en}


@dataclass(frozen=True)
class Step:
    """One explained step of a computation, for a page or an API answer that shows how a figure came about.

    `text_zh`/`text_en` say in words what is done; `key` names the step for code (optional), `formula` is the
    formula as text, `values` the intermediate numbers (per city where relevant) and `result` what the step yields.
    Build it with keywords: `Step(text_zh="…", text_en="…", values={...})`.
    """

    text_zh: str = ""
    text_en: str = ""
    key: str = ""
    formula: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)
    result: Any = None

    @property
    def label_zh(self) -> str:
        """The Chinese caption (the indicators' pages and API call it `label_zh`)."""
        return self.text_zh
