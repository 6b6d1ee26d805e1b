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
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

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


__all__ = [
    "CSV",
    "DOCX",
    "GEOJSON",
    "XLSX",
    "attachment",
    "built",
    "content_disposition",
    "content_type_for",
    "stored",
]
