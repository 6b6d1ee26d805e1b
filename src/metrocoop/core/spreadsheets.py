"""Reading spreadsheets people upload, within bounds: every import that reads .xlsx (or .csv) rows goes through
here, so one setting limits them all.

An .xlsx is a zip: 127 KB can unpack to 300,000 rows and cost a web worker 40 s and half a gigabyte. Before
parsing, the zip's declared uncompressed sizes are added up and checked (Python's zip reader never inflates a
member beyond its declared size, so the declaration bounds the work); the sheet is then read in openpyxl's
read-only (streaming) mode and reading stops at the row limit. The real (unpacked) size, not the upload's, decides
whether an import runs in the request or as a background job. Error reports keep the first errors and count the
rest by reason and column.

Settings (defaults): METROCOOP_IMPORT_MAX_ROWS (50,000), METROCOOP_IMPORT_MAX_UNPACKED_BYTES (50 MB),
METROCOOP_IMPORT_MAX_ERRORS_SHOWN (200).
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def max_rows() -> int:
    return int(getattr(settings, "METROCOOP_IMPORT_MAX_ROWS", 50_000))


def max_unpacked_bytes() -> int:
    return int(getattr(settings, "METROCOOP_IMPORT_MAX_UNPACKED_BYTES", 50 * 1024 * 1024))


def max_errors_shown() -> int:
    return int(getattr(settings, "METROCOOP_IMPORT_MAX_ERRORS_SHOWN", 200))


def is_xlsx(name: str) -> bool:
    return name.lower().endswith((".xlsx", ".xlsm"))


def unpacked_size(name: str, content: bytes) -> int:
    """What reading the file will really handle: an .xlsx's declared uncompressed size, else its length."""
    if not is_xlsx(name):
        return len(content)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ValidationError(_("The file is not a readable .xlsx workbook: %(e)s") % {"e": exc}) from None


def check_row_count(count: int) -> None:
    """Refuse a table with more data rows than the limit (the header row not counted)."""
    if count > max_rows():
        raise ValidationError(
            _("The file has more than %(limit)s rows; split it into smaller files.") % {"limit": max_rows()}
        )


def read_csv(content: bytes) -> list[list[str]]:
    """The rows of a .csv in UTF-8 (with or without a byte-order mark) or GB18030 (what Excel writes on a Chinese
    Windows), read up to the row limit and refused beyond it. Raises UnicodeDecodeError when it is neither."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("gb18030")
    rows = [list(r) for r in itertools.islice(csv.reader(io.StringIO(text)), max_rows() + 2)]
    check_row_count(len(rows) - 1)
    return rows


def read_xlsx(content: bytes) -> tuple[list[Any], list[list[Any]]]:
    """(header, rows) of the first sheet of an .xlsx, refused whole when it unpacks beyond the size limit or holds
    more rows than the row limit."""
    from openpyxl import load_workbook

    size = unpacked_size("file.xlsx", content)
    if size > max_unpacked_bytes():
        raise ValidationError(
            _("The workbook unpacks to %(size)s bytes, more than the limit of %(limit)s bytes; split it.")
            % {"size": size, "limit": max_unpacked_bytes()}
        )
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # a corrupt or mislabelled file
        raise ValidationError(_("The file is not a readable .xlsx workbook: %(e)s") % {"e": exc}) from None
    try:
        limit = max_rows() + 1  # the header row
        rows: list[list[Any]] = []
        for row in wb.worksheets[0].iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > limit:
                check_row_count(len(rows) - 1)
    finally:
        wb.close()
    if not rows:
        return [], []
    return rows[0], rows[1:]


def cap_error_report(summary: dict[str, Any], limit: int | None = None) -> dict[str, Any]:
    """An import report with its first `limit` errors, the total, and the errors counted by reason (`code`) and by
    column: a file with 300,000 bad cells answers in kilobytes, not 65 MB."""
    errors = list(summary.get("errors") or [])
    limit = max_errors_shown() if limit is None else limit
    by_code = Counter(str(e.get("code", "")) for e in errors if isinstance(e, dict))
    by_column = Counter(str(e.get("column", "")) for e in errors if isinstance(e, dict))
    return {
        **summary,
        "errors": errors[:limit],
        "error_count": summary.get("error_count", len(errors)),
        "errors_omitted": max(0, len(errors) - limit),
        "error_counts": dict(by_code.most_common()),
        "error_counts_by_column": dict(by_column.most_common(50)),
    }
