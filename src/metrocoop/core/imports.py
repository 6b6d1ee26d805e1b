"""What the apps' all-or-nothing imports share: a report of every refused row, column and reason, and the error that
carries it when anything was refused (docs/adding-a-module.md, "Command")."""

from __future__ import annotations

import dataclasses
from typing import Any


class ImportReportMixin:
    """For an import's report dataclass, which declares its counts and `problems` (a list of dataclasses): `ok` when
    nothing was refused, and `as_dict()` with `ok` first, then the fields in their declared order, problems as
    dicts (what `--json` prints and the API answers)."""

    problems: list

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            out[f.name] = [p.__dict__ for p in value] if f.name == "problems" else value
        return out


class ImportRejected(Exception):
    """Nothing was imported; `report` says why, row by row."""

    summary = "{count} problem(s); nothing imported"

    def __init__(self, report: ImportReportMixin):
        super().__init__(self.summary.format(count=len(report.problems)))
        self.report = report
