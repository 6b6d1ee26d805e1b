"""Import of policy documents from .txt, .docx and .pdf files, one file or a whole directory.

Metadata comes from a sidecar (`<file>.json`, or a `metadata.csv` in the directory with a `file` column) or from the
first lines of the text (标题 on the first line, then `发文字号：…`, `发文机关：…`, `发布日期：…` lines). The import is
all-or-nothing: every file is read and validated, and if any cannot be read or is invalid nothing is written and
the report names each file with its reason in Chinese and English. Importing the same file again does no harm
(its key is derived from its content unless the metadata names one)."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from metrocoop.core.models import City
from metrocoop.policies.models import PolicyDocument

SUFFIXES = (".txt", ".docx", ".pdf")
LEVELS = {
    "国家": "national",
    "国家级": "national",
    "省级": "provincial",
    "市级": "municipal",
    "区级": "district",
    "区县级": "district",
    "区域": "regional",
    "区域联合": "regional",
}
KINDS = {
    "法律": "law",
    "法规": "regulation",
    "规章": "regulation",
    "行政法规": "regulation",
    "规范性文件": "normative",
    "规划": "plan",
    "方案": "plan",
    "通知": "notice",
}
HEADER_FIELDS = {
    "发文字号": "doc_number",
    "文号": "doc_number",
    "发文机关": "issuer",
    "发布机关": "issuer",
    "发布日期": "issued_on",
    "成文日期": "issued_on",
    "施行日期": "effective_on",
    "生效日期": "effective_on",
    "层级": "level",
    "城市": "city",
    "省份": "province",
    "类别": "kind",
    "领域": "domains",
    "来源": "source",
    "编号": "key",
}
_HEADER = re.compile(r"^\s*(" + "|".join(HEADER_FIELDS) + r")\s*[：:]\s*(.*?)\s*$")
_DATE = re.compile(r"(\d{4})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})")


@dataclass
class ImportProblem:
    file: str
    reason_zh: str
    reason_en: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "created": self.created,
            "unchanged": self.unchanged,
            "problems": [p.__dict__ for p in self.problems],
        }


class ImportRejected(Exception):
    def __init__(self, report: ImportReport):
        super().__init__(f"{len(report.problems)} file(s) could not be imported")
        self.report = report


def extract_text(path: Path) -> str:
    """The text of a .txt (UTF-8 or GB18030), .docx (python-docx) or .pdf (pypdf) file."""
    suffix = path.suffix.lower()
    if suffix == ".txt":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValueError("encoding")
    if suffix == ".docx":
        import docx

        document = docx.Document(str(path))
        return "\n".join(p.text for p in document.paragraphs)
    if suffix == ".pdf":
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        return "\n".join((page.extract_text() or "") for page in reader.pages)
    raise ValueError("suffix")


def _date(value: str) -> str:
    m = _DATE.search(value or "")
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else value


def metadata_from_text(text: str) -> tuple[dict[str, Any], str]:
    """Title on the first non-empty line, then `名称：值` header lines until the first other line; the rest is the
    body."""
    lines = text.splitlines()
    meta: dict[str, Any] = {}
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines):
        meta["title"] = lines[i].strip()
        i += 1
    while i < len(lines):
        m = _HEADER.match(lines[i])
        if m:
            meta[HEADER_FIELDS[m.group(1)]] = m.group(2)
        elif lines[i].strip():
            break
        i += 1
    return meta, "\n".join(lines[i:]).strip()


def _normalise(meta: dict[str, Any], cities: dict[str, str]) -> dict[str, Any]:
    out = {k: (v.strip() if isinstance(v, str) else v) for k, v in meta.items() if v not in (None, "")}
    if "level" in out:
        out["level"] = LEVELS.get(out["level"], out["level"])
    if "kind" in out:
        out["kind"] = KINDS.get(out["kind"], out["kind"])
    if "city" in out:
        out["city"] = cities.get(out["city"].rstrip("市"), out["city"].upper())
    for name in ("issued_on", "effective_on"):
        if name in out:
            out[name] = _date(out[name])
    if isinstance(out.get("domains"), str):
        out["domains"] = [d for d in re.split(r"[;；,，\s]+", out["domains"]) if d]
    out.setdefault("level", "municipal" if out.get("city") else "provincial" if out.get("province") else "regional")
    out.setdefault("kind", "normative")
    return out


def _sidecars(paths: list[Path]) -> dict[Path, dict[str, Any]]:
    out: dict[Path, dict[str, Any]] = {}
    for directory in {p.parent for p in paths}:
        csv_path = directory / "metadata.csv"
        if csv_path.exists():
            with csv_path.open(encoding="utf-8-sig", newline="") as fh:
                for row in csv.DictReader(fh):
                    out[directory / row.pop("file")] = dict(row)
    for p in paths:
        json_path = p.with_suffix(p.suffix + ".json")
        alt = p.with_suffix(".json")
        for candidate in (json_path, alt):
            if candidate.exists():
                out[p] = {**out.get(p, {}), **json.loads(candidate.read_text(encoding="utf-8"))}
                break
    return out


def collect(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    return [path]


def import_documents(path: Path | str, *, actor: Any) -> ImportReport:
    """Import every document under `path` (a file or a directory), all or nothing. Raises ImportRejected with the
    report when anything could not be read or saved."""
    from metrocoop.policies.services import do_create_document

    path = Path(path)
    report = ImportReport()
    if not path.exists():
        report.problems.append(ImportProblem(str(path), "文件或目录不存在", "no such file or directory"))
        raise ImportRejected(report)
    files = collect(path)
    if not files:
        report.problems.append(ImportProblem(str(path), "没有可导入的 .txt/.docx/.pdf 文件", "no .txt/.docx/.pdf file"))
        raise ImportRejected(report)
    sidecars = _sidecars(files)
    cities = {c.name_zh: c.code for c in City.objects.all()}
    prepared: list[tuple[Path, dict[str, Any]]] = []
    for f in files:
        if f.suffix.lower() not in SUFFIXES:
            report.problems.append(ImportProblem(f.name, "不支持的文件类型", f"unsupported file type {f.suffix}"))
            continue
        try:
            text = extract_text(f)
        except Exception as exc:  # any reader failure is a per-file problem in the report
            report.problems.append(ImportProblem(f.name, "无法读取文件", f"could not be read ({type(exc).__name__})"))
            continue
        if not text.strip():
            report.problems.append(
                ImportProblem(f.name, "未能提取到文字（可能是扫描件）", "no text could be extracted (a scan?)")
            )
            continue
        if f in sidecars:
            meta, body = dict(sidecars[f]), text.strip()
        else:
            meta, body = metadata_from_text(text)
        meta = _normalise(meta, cities)
        meta["text"] = body
        if not meta.get("title"):
            report.problems.append(ImportProblem(f.name, "缺少标题", "no title"))
            continue
        missing = [name for name in ("issuer", "issued_on") if not meta.get(name)]
        if missing:
            report.problems.append(
                ImportProblem(f.name, f"缺少元数据：{', '.join(missing)}", f"missing metadata: {', '.join(missing)}")
            )
            continue
        meta.setdefault("key", "imp-" + hashlib.sha1(f"{meta['title']}\n{body}".encode()).hexdigest()[:12])
        prepared.append((f, meta))
    if report.problems:
        raise ImportRejected(report)
    existing = set(PolicyDocument.objects.filter(key__in=[m["key"] for _, m in prepared]).values_list("key", flat=True))
    with transaction.atomic():
        for f, meta in prepared:
            if meta["key"] in existing:
                report.unchanged.append(meta["key"])
                continue
            try:
                with transaction.atomic():
                    doc = do_create_document(meta, domains=meta.get("domains", []), actor=actor)
                report.created.append(doc.key)
            except ValidationError as exc:
                detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in getattr(exc, "message_dict", {}).items())
                detail = detail or "; ".join(exc.messages)
                report.problems.append(ImportProblem(f.name, f"数据无效：{detail}", f"invalid: {detail}"))
            except PermissionDenied:
                report.problems.append(ImportProblem(f.name, "无权添加该文件", "you may not add this document"))
        if report.problems:
            report.created.clear()
            raise ImportRejected(report)
    return report
