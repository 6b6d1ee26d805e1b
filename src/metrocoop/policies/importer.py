"""Import of policy documents from .txt, .docx and .pdf files, one file or a whole directory.

Metadata comes from a sidecar (`<file>.json`, or a `metadata.csv` in the directory with a `file` column), from a
header in the first lines of the text (标题 on the first line, then `发文字号：…`, `发文机关：…`, `发布日期：…` lines),
or, for a plain text as downloaded from a portal, from the text itself (engine.extract: the title on the first
non-empty line, the 发文字号 near the top, the issuer and date from the signature block at the end, 二〇二一年三月五日
as well as 2021年3月5日). What none of these gives stays empty: the document is imported and flagged 待补充 (a
curation proposal of kind "completion" naming the missing fields) for the experts to fill in. Text files are read
as UTF-8 (with or without a byte-order mark) or GB18030 (which includes GBK and GB2312).

The import is all-or-nothing: every file is read and validated, and if any cannot be read (an encoding that is
neither, a broken .docx or .pdf, a scan without text) or is invalid, nothing is written and the report names each
file with its reason in Chinese and English. Importing the same file again does no harm (its key is derived from
its content unless the metadata names one)."""

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
from django.utils import timezone

from metrocoop.core import imports
from metrocoop.core.imports import ImportReportMixin
from metrocoop.core.models import City, Province
from metrocoop.policies.choices import ProposalKind
from metrocoop.policies.engine.extract import extract_metadata
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
class ImportReport(ImportReportMixin):
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # key → fields the text did not give (flagged 待补充 in the curation queue)
    incomplete: dict[str, list[str]] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)


class ImportRejected(imports.ImportRejected):
    summary = "{count} file(s) could not be imported"


class UnreadableEncoding(ValueError):
    """A text file that is neither UTF-8 nor GB18030."""


# What a policy text is made of: ASCII, CJK ideographs and punctuation, full-width forms, general punctuation.
_TEXTLIKE = re.compile(r"[\x09\x0a\x0d\x20-\x7e\u2000-\u206f\u2460-\u24ff\u3000-\u303f\u3400-\u9fff\uff00-\uffef·—]")


def decode_text(raw: bytes) -> str:
    """UTF-8 (a byte-order mark dropped), else GB18030 (a superset of GBK and GB2312). GB18030 decodes most byte
    strings to something, so its result must read as Chinese text (19 characters in 20 ideographs, punctuation or
    ASCII); anything else raises UnreadableEncoding."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise UnreadableEncoding("encoding") from None
    if text and len(_TEXTLIKE.findall(text)) < 0.95 * len(text):
        raise UnreadableEncoding("encoding")
    return text


def extract_text(path: Path) -> str:
    """The text of a .txt (UTF-8 or GB18030), .docx (python-docx) or .pdf (pypdf) file."""
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return decode_text(path.read_bytes())
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


def complete_from_text(meta: dict[str, Any], text: str) -> tuple[dict[str, Any], list[str]]:
    """Fill what `meta` lacks (title, number, issuer, dates) from the text itself (engine.extract); the names of
    the fields still empty: the document is flagged 待补充 for them."""
    found = extract_metadata(text)
    out = dict(meta)
    for name in ("title", "doc_number", "issuer"):
        if not out.get(name) and getattr(found, name):
            out[name] = getattr(found, name)
    if not out.get("issued_on") and found.issued_on:
        out["issued_on"] = found.issued_on.isoformat()
    # the text's effective date only where it can be right (a given one is checked as given)
    effective = found.effective_on.isoformat() if found.effective_on else ""
    if effective and not out.get("effective_on") and _date(str(out.get("issued_on") or "")) <= effective:
        out["effective_on"] = effective
    if not out.get("issued_on") and not out.get("effective_on"):
        # the validity history needs a start: the day it entered the library, until the date is filled in
        out.setdefault("validity_since", timezone.localdate().isoformat())
    return out, [name for name in ("doc_number", "issuer", "issued_on") if not out.get(name)]


def _place(issuer: str, cities: dict[str, str], provinces: dict[str, str]) -> dict[str, str]:
    """City, province and level read from an issuer's name (苏州市人力资源和社会保障局 → SZ, municipal)."""
    for name, code in cities.items():
        if issuer.startswith((name, name + "市")):
            return {"city": code, "level": "municipal"}
    for name, code in provinces.items():
        if issuer.startswith(name):
            return {"province": code, "level": "municipal" if name.endswith("市") else "provincial"}
    if issuer.startswith(("国务院", "国家", "中共中央")) or re.match(r"^[\u4e00-\u9fff]{1,6}部(\s|$)", issuer):
        return {"level": "national"}
    return {}


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


FIELD_NAMES = {"doc_number": "发文字号", "issuer": "发文机关", "issued_on": "成文日期"}


def flag_incomplete(doc: PolicyDocument, missing: list[str], *, actor: Any):
    """Put `doc` in the curation queue as 待补充: a proposal of kind "completion" naming the missing fields
    (payload `missing`), which an expert closes once they are filled in (services.do_propose, the same queue)."""
    from metrocoop.policies.services import do_propose

    names = "、".join(FIELD_NAMES.get(m, m) for m in missing)
    return do_propose(
        ProposalKind.COMPLETION,
        document=doc,
        payload={"missing": list(missing)},
        note=f"待补充：{names}（导入时未能从正文中识别） / to be completed: {', '.join(missing)} (not in the text)",
        actor=actor,
    )


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
    cities = {c.name_zh.rstrip("市"): c.code for c in City.objects.all()}
    provinces = {p.name_zh: p.code for p in Province.objects.all()}
    prepared: list[tuple[Path, dict[str, Any], list[str]]] = []
    for f in files:
        if f.suffix.lower() not in SUFFIXES:
            report.problems.append(ImportProblem(f.name, "不支持的文件类型", f"unsupported file type {f.suffix}"))
            continue
        try:
            text = extract_text(f)
        except UnreadableEncoding:
            report.problems.append(
                ImportProblem(
                    f.name, "无法识别文字编码（仅支持 UTF-8、GB18030/GBK）", "unknown encoding (UTF-8 or GB18030/GBK)"
                )
            )
            continue
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
            if len(meta) <= 1:  # no header: a plain text, whose first line is the title and body the rest
                found = extract_metadata(text)
                meta, body = {"title": found.title} if found.title else {}, found.body
        meta, missing = complete_from_text(meta, text)
        if meta.get("issuer") and not ({"city", "province", "level"} & set(meta)):
            meta.update(_place(meta["issuer"], cities, provinces))
        meta = _normalise(meta, cities)
        meta["text"] = body
        if not meta.get("title"):
            report.problems.append(ImportProblem(f.name, "缺少标题", "no title"))
            continue
        meta.setdefault("key", "imp-" + hashlib.sha1(f"{meta['title']}\n{body}".encode()).hexdigest()[:12])
        prepared.append((f, meta, missing))
    if report.problems:
        raise ImportRejected(report)
    existing = set(
        PolicyDocument.objects.filter(key__in=[m["key"] for _, m, _ in prepared]).values_list("key", flat=True)
    )
    with transaction.atomic():
        for f, meta, missing in prepared:
            if meta["key"] in existing:
                report.unchanged.append(meta["key"])
                continue
            try:
                with transaction.atomic():
                    doc = do_create_document(meta, domains=meta.get("domains", []), actor=actor)
                    if missing:
                        flag_incomplete(doc, missing, actor=actor)
                report.created.append(doc.key)
                if missing:
                    report.incomplete[doc.key] = missing
            except ValidationError as exc:
                detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in getattr(exc, "message_dict", {}).items())
                detail = detail or "; ".join(exc.messages)
                report.problems.append(ImportProblem(f.name, f"数据无效：{detail}", f"invalid: {detail}"))
            except PermissionDenied:
                report.problems.append(ImportProblem(f.name, "无权添加该文件", "you may not add this document"))
        if report.problems:
            report.created.clear()
            report.incomplete.clear()
            raise ImportRejected(report)
    return report
