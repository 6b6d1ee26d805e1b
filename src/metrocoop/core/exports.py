"""Excel export shared by every app, and the audit-trail export job.

Exports compute: an amount is written as a number of yuan with a number format (``Money``, from integer fen,
exactly: 2 decimals through ``Decimal``), a share as a fraction with a percentage format (``Share``), so a reader
can sum, sort and chart them; text such as "350,080.84" cannot be summed. Every writer takes a path or a binary file
object (``core.downloads`` builds downloads in memory, so no request leaves a file behind).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from auditlog.models import LogEntry
from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from metrocoop.core.audit import shown_changes
from metrocoop.core.jobs import Progress, job_handler
from metrocoop.core.models import Job, User
from metrocoop.core.permissions import restrict

ACTION_NAMES = {0: "create 新增", 1: "update 修改", 2: "delete 删除", 3: "access 访问"}

#: Number formats: yuan with thousands separators and 2 decimals; shares as percentages with 2 decimals.
YUAN_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00%"
INTEGER_FORMAT = "#,##0"

Target = Path | str | IO[bytes]


@dataclass(frozen=True)
class Money:
    """An amount in integer fen, written to a cell as yuan (a number, 2 decimals, exactly)."""

    fen: int

    @property
    def yuan(self) -> Decimal:
        return Decimal(int(self.fen)) / 100


@dataclass(frozen=True)
class Share:
    """A share or rate as a fraction (0.25 = 25 %), written as a number with a percentage format."""

    fraction: float


def money(fen: int | None) -> Money | None:
    return None if fen is None else Money(int(fen))


def share(fraction: float | None) -> Share | None:
    return None if fraction is None else Share(float(fraction))


def save(document: Any, target: Target) -> Target:
    """Save an openpyxl workbook or python-docx document to a path (its folder created) or a binary file object."""
    if isinstance(target, (str, Path)):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        document.save(str(target))
    else:
        document.save(target)
    return target


def append_row(ws: Any, values: Sequence[Any]) -> None:
    """Append one row to a worksheet, typed (``Money``/``Share`` as formatted numbers) and safe (text never runs as a
    formula)."""
    ws.append([_cell(v) for v in values])
    for cell, value in zip(ws[ws.max_row], values, strict=False):
        fmt = _number_format(value)
        if fmt:
            cell.number_format = fmt
    neutralise_formulas(ws[ws.max_row])


def write_xlsx(path: Target, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write one sheet with a bold header row and sensible column widths to a path or a binary file object; returns
    the number of data rows. ``Money`` and ``Share`` values become numbers with their formats."""
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet[:31]
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    count = 0
    widths = [len(str(h)) for h in headers]
    for row in rows:
        append_row(ws, row)
        for i, v in enumerate(row):
            if i < len(widths):
                widths[i] = max(widths[i], min(60, _width(v)))
        count += 1
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(8, w + 2)
    ws.freeze_panes = "A2"
    save(wb, path)
    return count


#: A cell text beginning with one of these is read as a formula by Excel, LibreOffice or a CSV import
#: (OWASP "CSV injection"): user text like =HYPERLINK(…) must stay text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(cells: Iterable[Any]) -> None:
    """Write every text cell as text: an explicit string type (openpyxl would otherwise store "=…" as a live formula)
    with Excel's quote prefix (shown without an apostrophe, kept as text when a person edits the cell). Numbers,
    dates and empty cells stay as they are. Call it on each row written by a writer of its own."""
    for cell in cells:
        value = cell.value
        if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
            cell.data_type = "s"
            cell.quotePrefix = True


def _cell(value: Any) -> Any:
    if isinstance(value, Money):
        return value.yuan
    if isinstance(value, Share):
        return value.fraction
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Promise):  # a lazy translation
        return str(value)
    return value


def _number_format(value: Any) -> str | None:
    if isinstance(value, Money):
        return YUAN_FORMAT
    if isinstance(value, Share):
        return PERCENT_FORMAT
    return None


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, Money):
        return len(f"{value.yuan:,.2f}")
    if isinstance(value, Share):
        return 8
    return len(str(value))


def job_file_path(job: Job) -> Path | None:
    if not job.result_file:
        return None
    root = (Path(settings.MEDIA_ROOT) / "jobs" / str(job.pk)).resolve()
    path = (root / job.result_file).resolve()
    return path if path.parent == root and path.is_file() else None


@job_handler("core.audit_export")
def export_audit(job: Job, progress: Progress) -> dict:
    """The audit entries the job's owner may read, with the filters they had on the page, to .xlsx."""
    from metrocoop.core.filtersets import LogEntryFilter

    user = User.objects.get(pk=job.created_by_id)
    entries = restrict(LogEntry.objects.select_related("actor", "content_type"), user).order_by("timestamp", "id")
    entries = LogEntryFilter(job.params.get("filters", {}), queryset=entries).qs
    total = entries.count()
    progress.total(total, "exporting")

    def rows():
        for n, e in enumerate(entries.iterator(chunk_size=2000), start=1):
            progress.advance(n)
            yield (
                e.timestamp,
                e.actor.username if e.actor_id else "system",
                ACTION_NAMES.get(e.action, e.action),
                f"{e.content_type.app_label}.{e.content_type.model}",
                e.object_pk,
                e.object_repr,
                shown_changes(e),
            )

    filename = f"audit-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
    headers = [
        "时间 Time",
        "操作人 Actor",
        "操作 Action",
        "对象类型 Model",
        "对象 ID",
        "对象 Object",
        "变更 Changes (before, after)",
    ]
    count = write_xlsx(progress.result_path(filename), "audit", headers, rows())
    progress.advance(count, force=True)
    return {"file": filename, "rows": count}
