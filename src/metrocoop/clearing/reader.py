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
from collections.abc import Iterable, Mapping, Sequence
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


def read_csv(path: Path) -> ClaimSource:
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
