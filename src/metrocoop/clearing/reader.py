"""Reading claims files (CSV, Parquet) and API batches into rows of the ingest's fixed column order.

A file that cannot be read as claims (not UTF-8, not Parquet, a required column missing, no header) is refused
whole with `FileRefused` before anything is written; row-level problems (a bad date, a number that is not a
number) are the ingest's business and reject that claim only.

Columns: claim_id, scheme, insured_city, service_city, provider, person_ref (or identity_number: hashed at the door
with the platform key, never stored), service_date (YYYY-MM-DD), items ("code:quantity:unit price fen:amount fen"
joined by ";"), total_fen, fund_payable_fen.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

from metrocoop.clearing.engine.pseudonym import person_ref

COLUMNS: tuple[str, ...] = (
    "claim_id", "scheme", "insured_city", "service_city", "provider", "person_ref", "service_date", "items",
    "total_fen", "fund_payable_fen",
)  # fmt: skip
PERSON_COLUMN = COLUMNS.index("person_ref")


class FileRefused(ValueError):
    """The whole file is refused; nothing was written. `zh` and `en` say why."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(f"{zh} {en}")


class ClaimSource:
    """Claims in `COLUMNS` order, their number, and the SHA-256 of the file (empty for API batches).

    A file read by Arrow keeps its claims as ``table`` (ten string columns, one chunk): the ingest screens them
    column by column (engine/columnar.py). ``rows`` are the same claims as Python tuples, made on first use."""

    def __init__(
        self, name: str, rows: Sequence[Sequence[Any]] | None = None, sha256: str = "", table: Any = None
    ) -> None:
        if rows is None and table is None:
            raise ValueError("ClaimSource needs rows or a table")
        self.name, self.sha256, self.table = name, sha256, table
        self._rows = rows

    @property
    def rows(self) -> Sequence[Sequence[Any]]:
        if self._rows is None:
            self._rows = list(zip(*(column.to_pylist() for column in self.table.columns), strict=True))
        return self._rows

    def __len__(self) -> int:
        return self.table.num_rows if self.table is not None else len(self._rows)

    #: True for a file read in a stream (`StreamedClaimSource`): no ``rows`` list, chunks through `part`
    streamed = False

    def part(self, chunk_no: int, size: int) -> Any:
        """The Arrow table of chunk ``chunk_no`` (rows ``chunk_no * size`` …), or None if the claims are rows."""
        return None if self.table is None else self.table.slice(chunk_no * size, size)

    def parts(self, size: int) -> Iterator[Any]:
        """Every chunk's Arrow table in order."""
        for chunk_no in range((len(self) + size - 1) // size):
            yield self.part(chunk_no, size)


#: CSV files larger than this are read in a stream, chunk by chunk: the memory an ingest needs is then bounded
#: by the chunk, not the file (METROCOOP_CLEARING_STREAM_MB, default 256 MB, about 1.7 million claims)
STREAM_ABOVE_BYTES = int(os.environ.get("METROCOOP_CLEARING_STREAM_MB", "256")) * 1_000_000
_BLOCK = 16 << 20
#: The streaming reader's block: Arrow reads up to 32 blocks ahead of the ingest in the background, so 16 MB
#: blocks held about 500 MB of a large file in memory (half the file at 3M claims, the most at 10M: the peak
#: RSS grew with the file, issue 16); 1 MB blocks hold about 32 MB ahead and read as fast (measured: 3M claims,
#: 4.6 s against 5.2 s)
_STREAM_BLOCK = 1 << 20


class StreamedClaimSource(ClaimSource):
    """A large CSV file read in a stream by Arrow's streaming CSV reader (the same options as the whole-file
    reader). Opening it reads the file once without keeping it (its SHA-256, the checks that send a file to the
    careful reader, every row parsed and counted), so a file that cannot be read is still refused whole before
    anything is written. Chunks are then read in order; a forked process opens its own reader, and the last
    few chunks are kept for a chunk validated again (a period opened or closed meanwhile)."""

    streamed = True

    def __init__(self, path: Path, sha256: str, header: list[str], order: list[int], use_identity: bool,
                 count: int) -> None:  # fmt: skip
        super().__init__(name=path.name, rows=[], sha256=sha256)
        self._rows = None
        self.path, self.header, self.order, self.use_identity, self.count = path, header, order, use_identity, count
        self._reader: Any = None
        self._pid = 0
        self._pending: list[Any] = []  # record batches read but not yet handed out
        self._next = 0  # the chunk the reader is at
        self._size = 0
        self._recent: dict[int, Any] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self.count

    @property
    def rows(self) -> Sequence[Sequence[Any]]:
        raise TypeError("a streamed claims file is read chunk by chunk (part), not as a list of rows")

    def _open(self) -> None:
        self._reader = _open_stream(self.path, self.header)
        self._pid, self._pending, self._next, self._recent = os.getpid(), [], 0, {}

    def _read(self, size: int) -> Any:
        import pyarrow as pa

        held = sum(b.num_rows for b in self._pending)
        while held < size:
            try:
                batch = self._reader.read_next_batch()
            except StopIteration:
                break
            self._pending.append(batch)
            held += batch.num_rows
        table = pa.Table.from_batches(self._pending, schema=self._reader.schema)
        self._pending = table.slice(size).to_batches()
        return table.slice(0, size)

    def part(self, chunk_no: int, size: int) -> Any:
        with self._lock:
            if self._pid == os.getpid() and size == self._size and chunk_no in self._recent:
                return self._recent[chunk_no]
            if self._reader is None or self._pid != os.getpid() or size != self._size or chunk_no < self._next:
                self._open()
                self._size = size
            while True:
                table = self._read(size)
                number, self._next = self._next, self._next + 1
                if number == chunk_no:
                    claims = _claims_table(table, self.order, self.use_identity)
                    self._recent = {k: v for k, v in self._recent.items() if k >= chunk_no - 3}
                    self._recent[chunk_no] = claims
                    return claims


def pseudonym_key() -> bytes:
    """The key of person references: METROCOOP_PSEUDONYM_KEY, else derived from SECRET_KEY (never stored)."""
    configured = os.environ.get("METROCOOP_PSEUDONYM_KEY")
    if configured:
        return configured.encode()
    return hashlib.sha256(b"metrocoop.clearing.person_ref\n" + settings.SECRET_KEY.encode()).digest()


def _column_map(header: Sequence[str], where: str) -> tuple[list[int], bool]:
    names = [str(h).strip().lower() for h in header]
    use_identity = "person_ref" not in names and "identity_number" in names
    wanted = [("identity_number" if (c == "person_ref" and use_identity) else c) for c in COLUMNS]
    missing = [c for c in wanted if c not in names]
    if missing:
        cols = ", ".join(missing)
        raise FileRefused(f"{where}缺少必需的列：{cols}", f"{where}: required column(s) missing: {cols}")
    return [names.index(c) for c in wanted], use_identity


def _person_refs(values: Sequence[Any]) -> list[Any]:
    """Identity numbers as person references (hashed with the platform key); empty ones stay as they are, and a
    number that cannot be hashed becomes "" (the claim is then rejected as malformed)."""
    key = pseudonym_key()
    refs: list[Any] = []
    for value in values:
        try:
            refs.append(person_ref(str(value), key) if value else value)
        except ValueError:
            refs.append("")
    return refs


def _hash_identities(rows: list[list[Any]]) -> None:
    refs = _person_refs([row[PERSON_COLUMN] if len(row) > PERSON_COLUMN else "" for row in rows])
    for row, ref in zip(rows, refs, strict=True):
        if len(row) > PERSON_COLUMN:
            row[PERSON_COLUMN] = ref


def _open_stream(path: Path, header: list[str]) -> Any:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    return pcsv.open_csv(
        path,
        read_options=pcsv.ReadOptions(column_names=header, skip_rows=1, block_size=_STREAM_BLOCK),
        convert_options=pcsv.ConvertOptions(
            column_types={h: pa.string() for h in header}, strings_can_be_null=False,
            quoted_strings_can_be_null=False, null_values=[],
        ),
    )  # fmt: skip


def _read_csv_streamed(path: Path) -> ClaimSource | None:
    """A large file as a `StreamedClaimSource`, or None when it needs the careful reader (as `_read_csv_arrow`)."""
    import pyarrow as pa

    digest, tail, first = hashlib.sha256(), b"", b""
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
            probe = tail + block
            if not first:
                first = probe[3:] if probe.startswith(b"\xef\xbb\xbf") else probe
            if b"\n\n" in probe or b"\n\r\n" in probe or b"\r\r" in probe:
                return None
            tail = probe[-2:]
    if not first.strip():
        return None
    try:
        header = next(csv.reader([first.split(b"\n", 1)[0].decode("utf-8")]))
        order, use_identity = _column_map(header, "CSV")
    except (UnicodeDecodeError, StopIteration, csv.Error, FileRefused):
        return None
    if len(set(header)) != len(header):
        return None
    count = 0
    try:
        for batch in _open_stream(path, header):
            count += batch.num_rows
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    return StreamedClaimSource(path, digest.hexdigest(), header, order, use_identity, count)


def read_csv(path: Path) -> ClaimSource:
    if Path(path).stat().st_size > STREAM_ABOVE_BYTES:
        streamed = _read_csv_streamed(Path(path))
        if streamed is not None:
            return streamed
    data = Path(path).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    return _read_csv_arrow(data, Path(path).name, digest) or _read_csv_python(data, Path(path).name, digest)


def _read_csv_arrow(data: bytes, name: str, digest: str) -> ClaimSource | None:
    """The fast reader (Arrow's, multi-threaded): every column as text, as Python's csv module reads it. ``None``
    when the file needs the careful reader: a blank line (Arrow skips it, which would shift the row numbers a
    report shows), a row with too few or too many fields, a quoted line break, bytes that are not UTF-8, or a
    header that does not parse. The careful reader then reads it or refuses it with the line and reason."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if not body.strip() or b"\n\n" in body or b"\n\r\n" in body or b"\r\r" in body:
        return None
    try:
        header_line = body.split(b"\n", 1)[0].decode("utf-8")
        header = next(csv.reader([header_line]))
        order, use_identity = _column_map(header, "CSV")
    except (UnicodeDecodeError, StopIteration, csv.Error, FileRefused):
        return None
    if len(set(header)) != len(header):
        return None
    try:
        table = pcsv.read_csv(
            pa.py_buffer(body),
            read_options=pcsv.ReadOptions(column_names=header, skip_rows=1),
            convert_options=pcsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False,
                quoted_strings_can_be_null=False, null_values=[],
            ),
        )  # fmt: skip
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    table = _claims_table(table, order, use_identity)
    return ClaimSource(name=name, table=table, sha256=digest)


def _claims_table(table: Any, order: list[int], use_identity: bool) -> Any:
    """The ten claim columns of an Arrow table as text in `COLUMNS` order; identity numbers
    hashed into person references."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for index in order:
        column = table.column(index)
        if pa.types.is_timestamp(column.type):
            column = pc.cast(column, pa.date32())
        if not pa.types.is_string(column.type):
            column = pc.cast(column, pa.string())
        columns.append(column)
    if use_identity:
        columns[PERSON_COLUMN] = pa.array(_person_refs(columns[PERSON_COLUMN].to_pylist()), pa.string())
    return pa.Table.from_arrays(columns, names=list(COLUMNS))


def _read_csv_python(data: bytes, name: str, digest: str) -> ClaimSource:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileRefused(
            f"文件不是 UTF-8 编码（第 {line} 行，字节 {exc.start}），整份文件未导入。",
            f"The file is not UTF-8 (line {line}, byte {exc.start}); nothing was imported.",
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FileRefused("文件为空。", "The file is empty.") from None
    except csv.Error as exc:
        raise FileRefused(f"无法读取 CSV：{exc}", f"Not a readable CSV file: {exc}") from None
    order, use_identity = _column_map(header, "CSV")
    try:
        if order == list(range(len(COLUMNS))) and len(header) == len(COLUMNS):
            rows: list = list(reader)
        else:
            rows = [[row[i] if i < len(row) else "" for i in order] for row in reader]
    except csv.Error as exc:
        raise FileRefused(
            f"无法读取 CSV（第 {reader.line_num} 行）：{exc}", f"Not a readable CSV (line {reader.line_num}): {exc}"
        ) from None
    if use_identity:
        rows = [list(r) for r in rows]
        _hash_identities(rows)
    return ClaimSource(name=name, rows=rows, sha256=digest)


def read_parquet(path: Path) -> ClaimSource:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise FileRefused(f"无法读取 Parquet 文件：{exc}", f"Not a readable Parquet file: {exc}") from None
    order, use_identity = _column_map(table.column_names, "Parquet")
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    try:
        claims = _claims_table(table, order, use_identity)
    except pa.ArrowException as exc:
        raise FileRefused(f"无法读取 Parquet 文件：{exc}", f"Not a readable Parquet file: {exc}") from None
    return ClaimSource(name=Path(path).name, table=claims, sha256=digest)


def read_claims_file(path: str | Path) -> ClaimSource:
    """Read a .csv or .parquet claims file, or refuse it whole (`FileRefused`)."""
    path = Path(path)
    if not path.is_file():
        raise FileRefused(f"找不到文件：{path}", f"No such file: {path}")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return read_parquet(path)
    if suffix in (".csv", ".txt"):
        return read_csv(path)
    raise FileRefused(
        f"不支持的文件类型：{suffix}（请用 .csv 或 .parquet）",
        f"Unsupported file type {suffix!r} (use .csv or .parquet)",
    )


def items_text(items: Any) -> str:
    """Items as the file's text form; a list of {code, quantity, unit_price_fen, amount_fen} is converted."""
    if isinstance(items, str):
        return items
    if isinstance(items, Iterable):
        parts = []
        for item in items:
            if isinstance(item, Mapping):
                fields = ("code", "quantity", "unit_price_fen", "amount_fen")
                parts.append(":".join(str(item.get(f, "")) for f in fields))
            else:
                parts.append(str(item))
        return ";".join(parts)
    return str(items)


def rows_from_dicts(claims: Iterable[Mapping[str, Any]], name: str = "api") -> ClaimSource:
    """An API batch (a list of claim objects) as rows; a batch whose claims lack a required field is refused."""
    rows = []
    claims = list(claims)
    if claims:
        for claim in claims:
            _column_map(list(claim), "API")
    use_identity = bool(claims) and "person_ref" not in claims[0] and "identity_number" in claims[0]
    for claim in claims:
        row = [claim.get("identity_number" if (c == "person_ref" and use_identity) else c, "") for c in COLUMNS]
        row[COLUMNS.index("items")] = items_text(row[COLUMNS.index("items")])
        rows.append(row)
    if use_identity:
        _hash_identities(rows)
    return ClaimSource(name=name, rows=rows)


def write_claims_file(path: str | Path, rows: Sequence[Sequence[Any]]) -> int:
    """Write rows (COLUMNS order) as CSV (UTF-8) or Parquet, by the file's suffix; returns the number of rows."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = list(zip(*rows, strict=True)) if rows else [[] for _ in COLUMNS]
        types = [pa.string()] * 8 + [pa.int64(), pa.int64()]
        arrays = [pa.array(list(col), type=t) for col, t in zip(columns, types, strict=True)]
        pq.write_table(pa.Table.from_arrays(arrays, names=list(COLUMNS)), path)
        return len(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return len(rows)
