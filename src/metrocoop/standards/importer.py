"""Import of limit values from CSV or Excel: `parameter,name,limit_type,city,value,unit,standard,category`.

All or nothing: every row is checked first; if any row is bad, nothing is written and the report names every bad
row (row number as a spreadsheet shows it, the header being row 1; the column; the reason in Chinese and
English). Otherwise every row is applied in one transaction:

- a parameter not yet known is created from `parameter` + `name`, its kind of quantity taken from its unit
  (all its rows must measure the same kind); for a known parameter `name` is ignored and `limit_type` must match;
- a standard code not yet in the catalogue is created as a catalogue entry known by its code only, marked "to be
  completed" for the office (the regional standardisation body) to fill in; an empty `standard` is allowed;
- the same (parameter, city, category) with the same value, unit and standard changes nothing (re-importing a
  file is harmless); a changed value replaces the current one and the old one is kept as a revision.

The importing user must be allowed to keep each row's city's limits (a liaison: its own city).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from metrocoop.core import spreadsheets
from metrocoop.core.audit import acting
from metrocoop.core.imports import ImportRejected, ImportReportMixin
from metrocoop.core.models import City
from metrocoop.core.permissions import Action, can
from metrocoop.standards import engine, services
from metrocoop.standards.models import LimitValue, Parameter, Standard

COLUMNS = ("parameter", "name", "limit_type", "city", "value", "unit", "standard", "category")
REQUIRED = ("parameter", "limit_type", "city", "value")
HEADER_REQUIRED = REQUIRED  # name, unit, standard and category may be left out (read as empty)


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    reason_zh: str
    reason_en: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.reason_zh} / {self.reason_en}"


@dataclass
class LimitImportReport(ImportReportMixin):
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    parameters_created: list[str] = field(default_factory=list)
    standards_created: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def read_rows(path: Path | str, content: bytes | None = None) -> list[dict[str, str]]:
    """The file's rows as dicts keyed by lower-case header (.csv in UTF-8 or GB18030, or .xlsx)."""
    path = Path(path)
    raw = content if content is not None else path.read_bytes()
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        # bounded reading shared by every import (declared unpacked size, row limit): core.spreadsheets
        header, body = spreadsheets.read_xlsx(raw)
        values = [[_cell_text(v) for v in header]] + [[_cell_text(v) for v in row] for row in body]
    elif path.suffix.lower() in (".csv", ".txt"):
        try:
            values = spreadsheets.read_csv(raw)
        except UnicodeDecodeError:
            raise ValueError("encoding") from None
    else:
        raise ValueError("suffix")
    if not values:
        return []
    header = [h.strip().lower() for h in values[0]]
    out = []
    for row in values[1:]:
        if not any(str(v).strip() for v in row):
            out.append({})  # keeps row numbers; skipped below
            continue
        out.append({h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header) if h})
    return [{"__header__": ",".join(header)}, *out]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


def check_and_import(path: Path | str, *, actor: Any, content: bytes | None = None) -> LimitImportReport:
    """Check every row, then import all of them or none (ImportRejected carries the report)."""
    report = LimitImportReport()
    rows = _open(path, content, report, COLUMNS)
    plan = _check(rows, actor, report)
    if report.problems:
        raise ImportRejected(report)
    _apply(plan, actor, report)
    return report


@dataclass
class _Planned:
    row: int
    parameter: str
    name: str
    limit_type: str
    kind: str
    city: City
    value: float
    unit: str
    standard: str
    category: str


def _check(rows: list[dict[str, str]], actor: Any, report: LimitImportReport) -> list[_Planned]:
    cities = {c.code.upper(): c for c in City.objects.all()}
    by_name = {c.name_zh: c for c in cities.values()} | {c.name_en.lower(): c for c in cities.values()}
    parameters = {p.code: p for p in Parameter.objects.all()}
    new_params: dict[str, tuple[str, str, int]] = {}  # code -> (limit_type, kind, first row)
    seen: dict[tuple[str, str, str], tuple[int, tuple]] = {}
    plan: list[_Planned] = []

    def bad(row: int, column: str, zh: str, en: str) -> None:
        report.problems.append(RowProblem(row, column, zh, en))

    for index, r in _counted(rows, report):
        before = len(report.problems)
        for column in REQUIRED:
            if not r.get(column, "").strip():
                bad(index, column, "必填项为空", "required value is empty")
        code = r.get("parameter", "").strip()
        name = r.get("name", "").strip()
        category = r.get("category", "").strip()
        standard = r.get("standard", "").strip()
        for column, value, limit in (("parameter", code, 40), ("name", name, 100), ("category", category, 100)):
            if len(value) > limit:
                bad(index, column, f"超过 {limit} 个字符", f"longer than {limit} characters")
        if len(standard) > 60:
            bad(index, "standard", "超过 60 个字符", "longer than 60 characters")
        limit_type = r.get("limit_type", "").strip().lower()
        if limit_type and limit_type not in engine.LIMIT_TYPES:
            bad(index, "limit_type", f"限值类型“{limit_type}”无效（应为 max 或 min）", "limit_type must be max or min")
        city_text = r.get("city", "").strip()
        city = cities.get(city_text.upper()) or by_name.get(city_text) or by_name.get(city_text.lower())
        if city_text and city is None:
            bad(index, "city", f"未知城市“{city_text}”", f"unknown city '{city_text}'")
        value_text = r.get("value", "").strip()
        value = None
        if value_text:
            try:
                value = float(value_text)
                if not math.isfinite(value):
                    raise ValueError
            except ValueError:
                value = None
                bad(index, "value", f"“{value_text}”不是有效数字", f"'{value_text}' is not a valid number")
        unit = r.get("unit", "").strip()
        if len(unit) > 30:
            bad(index, "unit", "超过 30 个字符", "longer than 30 characters")
        kind = None
        existing = parameters.get(code)
        try:
            if existing is not None:
                engine.check_unit(unit, existing.kind)
                kind = existing.kind
                if limit_type in engine.LIMIT_TYPES and limit_type != existing.limit_type:
                    bad(
                        index,
                        "limit_type",
                        f"参数 {code} 的限值类型为 {existing.limit_type}",
                        f"parameter {code} is a {existing.limit_type} limit",
                    )
            elif code:
                kind = engine.kind_of_unit(unit)
                first = new_params.get(code)
                if first is None:
                    new_params[code] = (limit_type, kind, index)
                else:
                    if first[1] != kind:
                        bad(
                            index,
                            "unit",
                            f"单位“{unit}”与第 {first[2]} 行同一参数的量纲不同",
                            f"unit '{unit}' measures another quantity than row {first[2]} of the same parameter",
                        )
                    if limit_type in engine.LIMIT_TYPES and first[0] in engine.LIMIT_TYPES and first[0] != limit_type:
                        bad(
                            index,
                            "limit_type",
                            f"与第 {first[2]} 行同一参数的限值类型不同",
                            f"differs from row {first[2]} of the same parameter",
                        )
        except engine.UnitError as exc:
            bad(index, "unit", exc.reason_zh, exc.reason_en)
        if city is not None and code:
            key = (code, city.code, category)
            content = (value, engine.normalise_unit(unit), standard, limit_type)
            if key in seen and seen[key][1] != content:
                first = seen[key][0]
                bad(
                    index,
                    "city",
                    f"与第 {first} 行矛盾（同一参数、城市和类别，数值不同）",
                    f"contradicts row {first} (same parameter, city and category, another value)",
                )
            elif key in seen:
                report.rows -= 1  # the same row twice: applied once
                continue
            else:
                seen[key] = (index, content)
            probe = LimitValue(parameter=existing, city=city, category=category)
            if not can(actor, Action.ADD, probe):
                bad(
                    index,
                    "city",
                    f"无权维护{city.name_zh}的限值",
                    f"you may not keep {city.name_en}'s limit values",
                )
        if len(report.problems) == before and city is not None and value is not None and kind is not None:
            plan.append(_Planned(index, code, name, limit_type, kind, city, value, unit, standard, category))
    return plan


def _apply(plan: list[_Planned], actor: Any, report: LimitImportReport) -> None:
    with transaction.atomic(), acting(actor):
        parameters = {p.code: p for p in Parameter.objects.filter(code__in={p.parameter for p in plan})}
        standards = services.existing_codes({p.standard for p in plan if p.standard})
        for item in plan:
            parameter = parameters.get(item.parameter)
            if parameter is None:
                parameter = Parameter(
                    code=item.parameter,
                    name_zh=item.name or item.parameter,
                    name_en=item.name if item.name.isascii() else "",
                    kind=item.kind,
                    limit_type=item.limit_type,
                )
                parameter.full_clean()
                parameter.save()
                parameters[item.parameter] = parameter
                report.parameters_created.append(item.parameter)
            standard: Standard | None = None
            if item.standard:
                standard = standards.get(item.standard)
                if standard is None:
                    standard = services.stub_standard(item.standard, actor=actor)
                    standards[item.standard] = standard
                    report.standards_created.append(item.standard)
            outcome = services._set_limit(
                parameter, item.city, item.category, item.value, item.unit, standard, actor=actor
            )
            setattr(report, outcome.outcome, getattr(report, outcome.outcome) + 1)


# --- catalogue and recognitions --------------------------------------------------------------------------------
#
# The same all-or-nothing rule, in the columns the exports write (an exported file imports back unchanged):
# a row whose key exists already (catalogue: `code`; recognitions: type, issuing city, recognising city and
# valid_from) updates that row, otherwise it is created.

CATALOGUE_COLUMNS = ("code", "name_zh", "name_en", "level", "issuer", "domain", "issued_on", "effective_on", "status")
RECOGNITION_COLUMNS = ("type", "issuing_city", "recognising_city", "valid_from")


def _counted(rows: list[dict[str, str]], report: LimitImportReport) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows that are not empty, each with its row number in the file (the header is row 1), counted in `report`."""
    for index, r in enumerate(rows, start=2):
        if r:
            report.rows += 1
            yield index, r


def _open(path, content, report: LimitImportReport, required: tuple[str, ...]) -> list[dict[str, str]]:
    """The file's rows below its header; ImportRejected, with the reason in `report`, if it cannot be read or lacks a
    `required` column."""
    try:
        rows = read_rows(path, content)
    except ValueError as exc:
        reason = str(exc)
        zh, en = (
            ("文件编码无法识别（请用 UTF-8 或 GB18030）", "unreadable encoding (use UTF-8 or GB18030)")
            if reason == "encoding"
            else ("只接受 .csv 或 .xlsx 文件", "only .csv or .xlsx files are accepted")
        )
        report.problems.append(RowProblem(1, "file", zh, en))
        raise ImportRejected(report) from exc
    except ValidationError as exc:  # too large, too many rows, not a workbook
        report.problems.append(RowProblem(1, "file", "无法读取文件：" + " ".join(exc.messages), " ".join(exc.messages)))
        raise ImportRejected(report) from exc
    except Exception as exc:  # a damaged workbook
        report.problems.append(RowProblem(1, "file", "无法读取文件", f"cannot read the file ({type(exc).__name__})"))
        raise ImportRejected(report) from exc
    if not rows:
        report.problems.append(RowProblem(1, "file", "文件为空", "the file is empty"))
        raise ImportRejected(report)
    header = rows[0]["__header__"].split(",")
    missing = [c for c in required if c not in header]
    if missing:
        report.problems.append(
            RowProblem(
                1, ",".join(missing), "缺少列：" + "、".join(missing), "missing column(s): " + ", ".join(missing)
            )
        )
        raise ImportRejected(report)
    return rows[1:]


def _date_or_problem(text: str, row: int, column: str, report: LimitImportReport):
    from datetime import date, datetime

    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 else date.fromisoformat(text)
    except ValueError:
        try:
            return datetime.strptime(text, "%Y/%m/%d").date()
        except ValueError:
            report.problems.append(
                RowProblem(row, column, f"日期“{text}”无效（应为 YYYY-MM-DD）", f"invalid date '{text}' (YYYY-MM-DD)")
            )
            return None


def import_catalogue(path: Path | str, *, actor: Any, content: bytes | None = None) -> LimitImportReport:
    """Standards of the catalogue (the office's): created or updated by code; `key_standard` = yes lists it."""
    from metrocoop.standards.choices import StandardDomain, StandardLevel, StandardStatus
    from metrocoop.standards.models import KeyStandard

    report = LimitImportReport()
    rows = _open(path, content, report, CATALOGUE_COLUMNS)
    if not can(actor, Action.ADD, Standard(code="x", name_zh="x", level=StandardLevel.NATIONAL)):
        report.problems.append(RowProblem(1, "file", "标准目录由办公室维护", "the catalogue is kept by the office"))
        raise ImportRejected(report)
    known = set(Standard.objects.values_list("code", flat=True))
    in_file = {r.get("code", "").strip() for r in rows if r}
    planned = []
    seen: dict[str, int] = {}
    for index, r in _counted(rows, report):
        before = len(report.problems)
        code = r.get("code", "").strip()
        if not code:
            report.problems.append(RowProblem(index, "code", "必填项为空", "required value is empty"))
        elif code in seen:
            report.problems.append(RowProblem(index, "code", f"与第 {seen[code]} 行重复", f"repeats row {seen[code]}"))
        seen.setdefault(code, index)
        if not r.get("name_zh", "").strip():
            report.problems.append(RowProblem(index, "name_zh", "必填项为空", "required value is empty"))
        for column, limit in (("code", 60), ("name_zh", 300), ("name_en", 300), ("issuer", 200)):
            if len(r.get(column, "")) > limit:
                report.problems.append(
                    RowProblem(index, column, f"超过 {limit} 个字符", f"longer than {limit} characters")
                )
        level = r.get("level", "").strip() or (services.level_from_code(code) if code else "")
        if level not in StandardLevel.values:
            report.problems.append(RowProblem(index, "level", f"层级“{level}”无效", f"unknown level '{level}'"))
        domain = r.get("domain", "").strip() or StandardDomain.OTHER
        if domain not in StandardDomain.values:
            report.problems.append(RowProblem(index, "domain", f"领域“{domain}”无效", f"unknown domain '{domain}'"))
        status = r.get("status", "").strip() or StandardStatus.IN_FORCE
        if status not in StandardStatus.values:
            report.problems.append(RowProblem(index, "status", f"状态“{status}”无效", f"unknown status '{status}'"))
        issued = _date_or_problem(r.get("issued_on", ""), index, "issued_on", report)
        effective = _date_or_problem(r.get("effective_on", ""), index, "effective_on", report)
        replaces = r.get("replaces", "").strip()
        if replaces and (replaces == code or replaces not in known | in_file):
            report.problems.append(
                RowProblem(
                    index, "replaces", f"被替代标准“{replaces}”不在目录中", f"replaced standard '{replaces}' unknown"
                )
            )
        if len(report.problems) == before:
            fields = {
                "name_zh": r["name_zh"].strip(),
                "name_en": r.get("name_en", "").strip(),
                "level": level,
                "issuer": r.get("issuer", "").strip(),
                "domain": domain,
                "issued_on": issued,
                "effective_on": effective,
                "status": status,
            }
            key = r.get("key_standard", "").strip().lower() in ("yes", "y", "1", "true", "是")
            planned.append((code, fields, replaces, key))
    if report.problems:
        raise ImportRejected(report)
    with transaction.atomic(), acting(actor):
        for code, fields, _replaces, _key in planned:
            standard = Standard.objects.filter(code=code).first()
            if standard is None:
                services.do_create_standard({"code": code, **fields}, actor=actor)
                report.created += 1
            elif any(getattr(standard, k) != v for k, v in fields.items()) or standard.incomplete:
                services.do_update_standard(standard, {**fields, "incomplete": False}, actor=actor)
                report.updated += 1
            else:
                report.unchanged += 1
        for code, _fields, replaces, key in planned:
            standard = Standard.objects.get(code=code)
            target = Standard.objects.get(code=replaces) if replaces else None
            if standard.replaces_id != (target.pk if target else None):
                services.do_update_standard(standard, {"replaces": target}, actor=actor)
            if key and not KeyStandard.objects.filter(standard=standard).exists():
                from django.utils import timezone

                services.do_create_key_standard({"standard": standard, "listed_on": timezone.localdate()}, actor=actor)
    return report


def import_recognitions(path: Path | str, *, actor: Any, content: bytes | None = None) -> LimitImportReport:
    """Recognitions, created or updated by (type, issuing city, recognising city, valid_from); each row must be
    one the actor keeps (a liaison: recognitions its city grants)."""
    from metrocoop.policies.models import PolicyDocument
    from metrocoop.standards.models import Recognition, RecognitionType

    report = LimitImportReport()
    rows = _open(path, content, report, RECOGNITION_COLUMNS)
    types = {t.code: t for t in RecognitionType.objects.all()}
    cities = {c.code.upper(): c for c in City.objects.all()}
    planned = []
    seen: dict[tuple, int] = {}
    for index, r in _counted(rows, report):
        before = len(report.problems)
        t = types.get(r.get("type", "").strip())
        if t is None:
            report.problems.append(
                RowProblem(index, "type", f"未知互认类型“{r.get('type', '')}”", f"unknown type '{r.get('type', '')}'")
            )
        a = cities.get(r.get("issuing_city", "").strip().upper())
        b = cities.get(r.get("recognising_city", "").strip().upper())
        for column, city in (("issuing_city", a), ("recognising_city", b)):
            if city is None:
                text = r.get(column, "")
                report.problems.append(RowProblem(index, column, f"未知城市“{text}”", f"unknown city '{text}'"))
        if a is not None and a == b:
            report.problems.append(
                RowProblem(
                    index, "recognising_city", "出具城市与承认城市相同", "issuing and recognising city are the same"
                )
            )
        start = _date_or_problem(r.get("valid_from", ""), index, "valid_from", report)
        if start is None and not r.get("valid_from", "").strip():
            report.problems.append(RowProblem(index, "valid_from", "必填项为空", "required value is empty"))
        end = _date_or_problem(r.get("valid_to", ""), index, "valid_to", report)
        if start and end and end < start:
            report.problems.append(RowProblem(index, "valid_to", "结束日期早于开始日期", "ends before it starts"))
        basis = None
        basis_key = r.get("basis_document", "").strip()
        if basis_key:
            basis = PolicyDocument.objects.filter(key=basis_key).only("id", "key").first()
            if basis is None:
                report.problems.append(
                    RowProblem(
                        index, "basis_document", f"政策库中没有“{basis_key}”", f"no policy document '{basis_key}'"
                    )
                )
        for column, limit in (("basis_note", 300), ("scope", 500), ("conditions", 500)):
            if len(r.get(column, "")) > limit:
                report.problems.append(
                    RowProblem(index, column, f"超过 {limit} 个字符", f"longer than {limit} characters")
                )
        if b is not None and not can(actor, Action.ADD, Recognition(recognising_city=b)):
            report.problems.append(
                RowProblem(
                    index,
                    "recognising_city",
                    f"无权维护{b.name_zh}的互认",
                    f"you may not keep {b.name_en}'s recognitions",
                )
            )
        if len(report.problems) == before:
            key = (t.code, a.code, b.code, start)
            if key in seen:
                report.problems.append(
                    RowProblem(index, "valid_from", f"与第 {seen[key]} 行重复", f"repeats row {seen[key]}")
                )
                continue
            seen[key] = index
            fields = {
                "basis": basis,
                "basis_note": r.get("basis_note", "").strip(),
                "scope": r.get("scope", "").strip(),
                "conditions": r.get("conditions", "").strip(),
                "valid_to": end,
            }
            planned.append((t, a, b, start, fields))
    if report.problems:
        raise ImportRejected(report)
    with transaction.atomic(), acting(actor):
        for t, a, b, start, fields in planned:
            rec = Recognition.objects.filter(type=t, issuing_city=a, recognising_city=b, valid_from=start).first()
            if rec is None:
                services.do_create_recognition(
                    {"type": t, "issuing_city": a, "recognising_city": b, "valid_from": start, **fields}, actor=actor
                )
                report.created += 1
            elif any(getattr(rec, k) != v for k, v in fields.items()):
                services.do_update_recognition(rec, fields, actor=actor)
                report.updated += 1
            else:
                report.unchanged += 1
    return report


IMPORTS = {"limits": check_and_import, "catalogue": import_catalogue, "recognitions": import_recognitions}
