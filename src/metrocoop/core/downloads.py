"""One way to answer a file download.

Every file the platform hands out goes through here: a document built for the request is built in memory
(``built``: the builder writes into a buffer, nothing touches the disk, so no request leaves a folder behind); a file
that is already stored (a background job's result, an attachment) is streamed from where it is (``stored``). Both
answer with the file's content type and a Content-Disposition that carries the name in UTF-8 (RFC 6266 and RFC 5987:
``filename*=UTF-8''…``, with an ASCII ``filename="…"`` fallback for old clients), so a Chinese file name arrives as
written.
"""

from __future__ import annotations

import io
import mimetypes
import re
import unicodedata
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV = "text/csv; charset=utf-8"
GEOJSON = "application/geo+json"
ZIP = "application/zip"

CONTENT_TYPES = {
    ".xlsx": XLSX,
    ".docx": DOCX,
    ".csv": CSV,
    ".geojson": GEOJSON,
    ".json": "application/json",
    ".zip": ZIP,
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
}


def content_type_for(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _ascii_fallback(filename: str) -> str:
    """The name for clients that ignore ``filename*``: accents stripped, other non-ASCII characters dropped, quotes and
    backslashes removed; never empty."""
    stem, suffix = Path(filename).stem, Path(filename).suffix
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r'[\\"\x00-\x1f\x7f]', "", plain)
    plain = re.sub(r"[\s_-]{2,}", "-", plain).strip(" -_.")
    suffix = re.sub(r"[^A-Za-z0-9.]", "", suffix)
    return f"{plain or 'download'}{suffix}"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''percent-encoded`` (RFC 6266 section 4.3)."""
    kind = "inline" if inline else "attachment"
    fallback = _ascii_fallback(filename)
    if fallback == filename:
        return f'{kind}; filename="{filename}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(content: bytes | str, filename: str, content_type: str | None = None) -> HttpResponse:
    """A download of bytes (or text, sent as UTF-8) already in memory."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    response = HttpResponse(content, content_type=content_type or content_type_for(filename))
    response["Content-Disposition"] = content_disposition(filename)
    response["Content-Length"] = str(len(content))
    return response


def built(filename: str, build: Callable[[IO[bytes]], Any], content_type: str | None = None) -> HttpResponse:
    """A download of a document built for this request: ``build`` writes it into an in-memory buffer (every writer in
    the platform takes a binary file object as well as a path)."""
    buffer = io.BytesIO()
    build(buffer)
    return attachment(buffer.getvalue(), filename, content_type)


def stored(file: Path | IO[bytes], filename: str | None = None, content_type: str | None = None) -> FileResponse:
    """A download streamed from a file that is kept anyway (a job's result, an uploaded attachment)."""
    handle = file.open("rb") if isinstance(file, Path) else file
    name = filename or (file.name if isinstance(file, Path) else "download")
    response = FileResponse(handle, content_type=content_type or content_type_for(name))
    response["Content-Disposition"] = content_disposition(name)
    return response


# --------------------------------------------------------------------------- every table as Excel
#
# Every page that shows a table offers it as Excel, with the filters the reader has on the page: the same URL with
# ``export=xlsx`` answers the page's tables (those inside <main>, each on its own sheet) as a workbook instead of the
# page. What is exported is what the page shows (names, not codes), typed: a cell with ``data-fen`` becomes yuan as a
# number, ``data-value`` a number, a figure such as "1,234.5" or "12.5%" a number or a percentage.

EXPORT_PARAMETER = "export"
NUMBER = re.compile(r"^[-+−]?\d{1,3}(,\d{3})*(\.\d+)?$|^[-+−]?\d+(\.\d+)?$")


class _TableReader(HTMLParser):
    """The tables of a page's <main> as (caption, rows), each row a list of (text, attributes) cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_main = 0
        self.tables: list[dict[str, Any]] = []
        self.stack: list[dict[str, Any]] = []
        self.cell: dict[str, Any] | None = None
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "main":
            self.in_main += 1
        if not self.in_main:
            return
        if tag in ("script", "style", "template"):
            self.skip += 1
        elif tag == "table":
            table = {"title": a.get("data-export") or a.get("aria-label") or "", "rows": [], "caption": ""}
            self.stack.append(table)
            self.tables.append(table)
        elif tag == "caption" and self.stack:
            self.stack[-1]["in_caption"] = True
        elif tag == "tr" and self.stack:
            self.stack[-1]["rows"].append([])
        elif tag in ("td", "th") and self.stack and self.stack[-1]["rows"]:
            self.cell = {"text": [], "attrs": a, "header": tag == "th"}
            self.stack[-1]["rows"][-1].append(self.cell)
        elif tag == "br" and self.cell is not None:
            self.cell["text"].append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.in_main -= 1
        if not self.in_main:
            return
        if (tag in ("script", "style", "template") and self.skip) or (tag in ("span", "div") and self.skip):
            self.skip -= 1
        elif tag == "table" and self.stack:
            self.stack.pop()
        elif tag == "caption" and self.stack:
            self.stack[-1]["in_caption"] = False
        elif tag in ("td", "th"):
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.skip or not self.in_main:
            return
        if self.stack and self.stack[-1].get("in_caption"):
            self.stack[-1]["caption"] += data
        elif self.cell is not None:
            self.cell["text"].append(data)


def _typed(cell: dict[str, Any]) -> Any:
    from metrocoop.core.exports import Money, Share

    attrs = cell["attrs"]
    text = re.sub(r"\s+", " ", "".join(cell["text"])).strip()
    fen = attrs.get("data-fen")
    if fen not in (None, "") and re.fullmatch(r"-?\d+", fen):
        return Money(int(fen))
    value = attrs.get("data-value")
    if value not in (None, ""):
        try:
            return float(value)
        except ValueError:
            pass
    if cell["header"]:
        return text
    bare = text.replace("−", "-")
    if bare.endswith("%") and NUMBER.match(bare[:-1].strip()):
        from metrocoop.core.exports import Share

        return Share(float(bare[:-1].replace(",", "")) / 100)
    if NUMBER.match(bare):
        number = float(bare.replace(",", ""))
        return int(number) if number.is_integer() and "." not in bare else number
    return text


def page_tables_xlsx(html: str, out: IO[bytes]) -> int:
    """Write the tables of a page's <main> to a workbook (one sheet each); returns how many were written."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from metrocoop.core.exports import append_row

    reader = _TableReader()
    reader.feed(html)
    tables = [t for t in reader.tables if any(row for row in t["rows"])]
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for n, table in enumerate(tables, start=1):
        title = re.sub(r"[\[\]:*?/\\]", " ", (table["title"] or table["caption"]).strip())[:28] or f"table {n}"
        while title in used:
            title = f"{title[:25]} {n}"
        used.add(title)
        ws = wb.create_sheet(title)
        for row in table["rows"]:
            if not row:
                continue
            append_row(ws, [_typed(cell) for cell in row])
            if all(cell["header"] for cell in row):
                for c in ws[ws.max_row]:
                    c.font = Font(bold=True)
    if not tables:
        wb.create_sheet("—").append(["—"])
    wb.save(out)
    return len(tables)


def page_tables_csv(html: str) -> str:
    """The tables of a page's <main> as CSV (a blank line between tables), with a byte-order mark so that Excel reads
    the Chinese as UTF-8; numbers plain (1234.56), text that would run as a formula kept as text."""
    import csv

    from metrocoop.core.exports import FORMULA_PREFIXES, Money, Share

    reader = _TableReader()
    reader.feed(html)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for n, table in enumerate(t for t in reader.tables if any(row for row in t["rows"])):
        if n:
            writer.writerow([])
        for row in table["rows"]:
            if not row:
                continue
            values = []
            for cell in row:
                value = _typed(cell)
                if isinstance(value, Money):
                    value = f"{value.yuan:.2f}"
                elif isinstance(value, Share):
                    value = f"{value.fraction * 100:.2f}%"
                elif isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
                    value = "'" + value
                values.append(value)
            writer.writerow(values)
    return "\ufeff" + buffer.getvalue()


def export_url(request, kind: str = "xlsx") -> str:
    """The current page with its filters, asking for its tables as Excel (or CSV)."""
    query = request.GET.copy()
    query[EXPORT_PARAMETER] = kind
    return f"{request.path}?{query.urlencode()}"


MAIN_TAG = re.compile(rb"<main\b[^>]*>")


class TableExportMiddleware:
    """Every page that shows a table in its <main> carries a link to the same page with ``export=xlsx``, which answers
    the page's tables as an Excel workbook instead of the page (see above)."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method != "GET" or response.status_code != 200 or getattr(response, "streaming", False):
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        content = response.content
        main = MAIN_TAG.search(content)
        if main is None or b"<table" not in content[main.end() :]:
            return response
        kind = request.GET.get(EXPORT_PARAMETER)
        if kind in ("xlsx", "csv"):
            html = content.decode(response.charset or "utf-8", errors="replace")
            slug = request.path.strip("/").replace("/", "-") or "page"
            if kind == "csv":
                return attachment(page_tables_csv(html), f"{slug}.csv", CSV)
            return built(f"{slug}.xlsx", lambda out: page_tables_xlsx(html, out), XLSX)
        link = format_html(
            '<div class="d-flex justify-content-end gap-1 mb-1 mc-export">'
            '<a class="btn btn-sm btn-outline-secondary" href="{}" data-testid="table-excel">{}</a>'
            '<a class="btn btn-sm btn-outline-secondary" href="{}" data-testid="table-csv">CSV</a></div>',
            export_url(request),
            _("Download the tables (Excel)"),
            export_url(request, "csv"),
        ).encode()
        response.content = content[: main.end()] + link + content[main.end() :]
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response


__all__ = [
    "CSV",
    "DOCX",
    "GEOJSON",
    "XLSX",
    "TableExportMiddleware",
    "attachment",
    "built",
    "content_disposition",
    "content_type_for",
    "export_url",
    "page_tables_csv",
    "page_tables_xlsx",
    "stored",
]
