"""Excel export shared by every app, and the audit-trail export job."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from metrocoop.core.audit import shown_changes
from metrocoop.core.jobs import Progress, job_handler
from metrocoop.core.models import Job, User
from metrocoop.core.permissions import restrict

ACTION_NAMES = {0: "create 新增", 1: "update 修改", 2: "delete 删除", 3: "access 访问"}


def write_xlsx(path: Path, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write one sheet with a bold header row and sensible column widths; returns the number of data rows."""
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet[:31]
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    count = 0
    widths = [len(str(h)) for h in headers]
    for row in rows:
        values = [_cell(v) for v in row]
        ws.append(values)
        neutralise_formulas(ws[ws.max_row])
        for i, v in enumerate(values):
            widths[i] = max(widths[i], min(60, len(str(v)) if v is not None else 0))
        count += 1
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(8, w + 2)
    ws.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
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
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value


def job_file_path(job: Job) -> Path | None:
    if not job.result_file:
        return None
    root = (Path(settings.MEDIA_ROOT) / "jobs" / str(job.pk)).resolve()
    path = (root / job.result_file).resolve()
    return path if path.parent == root and path.is_file() else None


@job_handler("core.audit_export")
def export_audit(job: Job, progress: Progress) -> dict:
    """The audit entries the job's owner may read, with the filters they had on the page, to .xlsx."""
    from metrocoop.core.api.filters import LogEntryFilter

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
