"""A city's statement of a closed period, in Excel (core.exports.write_xlsx) and Word (python-docx).

Built from the stored results of the close (positions, matrix, instructions) and the period's postings, which
never change after the close, so the same statement comes out every time it is asked for.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.http import Http404, HttpResponse

from metrocoop.clearing.choices import PeriodStatus, PostingKind, SchemeCode
from metrocoop.clearing.models import ClaimPosting, Period, PeriodPosition, SettlementInstruction
from metrocoop.clearing.services import ClearingError
from metrocoop.core import downloads
from metrocoop.core.exports import Target, money, save, write_xlsx
from metrocoop.core.models import City
from metrocoop.core.money import yuan
from metrocoop.core.permissions import Action, require


def statement_data(period: Period, city: City) -> dict[str, Any]:
    position = PeriodPosition.objects.get(period=period, city=city)
    matrix = period.result.get("matrix", {})
    code = city.code
    counterparties = []
    for other in period.result.get("cities", []):
        if other == code:
            continue
        receivable = matrix.get(other, {}).get(code, 0)
        payable = matrix.get(code, {}).get(other, 0)
        if receivable or payable:
            counterparties.append((other, receivable, payable, receivable - payable))
    by_scheme: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for insured, service, scheme, kind, n, amount in (
        ClaimPosting.objects.filter(period=period)
        .values_list("insured_city__code", "service_city__code", "scheme", "kind")
        .annotate(n=Sum("claim_count"), a=Sum("amount_fen"))
        .order_by()
    ):
        sign = 1 if kind == PostingKind.CLAIMS else -1
        if service == code:
            by_scheme[scheme][0] += sign * int(amount)
            by_scheme[scheme][2] += sign * int(n)
        if insured == code:
            by_scheme[scheme][1] += sign * int(amount)
    instructions = [
        (i.payer.code, i.payee.code, i.amount_fen, i.get_status_display())
        for i in SettlementInstruction.objects.filter(period=period)
        .select_related("payer", "payee")
        .order_by("payer__code", "payee__code")
        if code in (i.payer.code, i.payee.code)
    ]
    return {
        "period": period.code,
        "city": code,
        "city_name": f"{city.name_zh} {city.name_en}",
        "receivable_fen": position.receivable_fen,
        "payable_fen": position.payable_fen,
        "net_fen": position.net_fen,
        "counterparties": counterparties,
        "by_scheme": sorted((k, *v) for k, v in by_scheme.items()),
        "instructions": instructions,
        "ledger_head": period.ledger_head,
        "city_names": dict(City.objects.values_list("code", "name_zh")),
        "closed_at": period.closed_at,
    }


def _names(data: dict[str, Any]) -> dict[str, str]:
    return data.get("city_names") or {}


def _scheme_name(code: str) -> str:
    return str(SchemeCode(code).label) if code in SchemeCode.values else code


def write_statement_xlsx(path: Target, data: dict[str, Any]) -> Target:
    """The statement as one sheet: cities and schemes by name, amounts in yuan as numbers (2 decimals, exactly)."""
    names = _names(data)

    def city(code: str) -> str:
        return names.get(code, code)

    rows: list[list[Any]] = [
        ["结算期 Period", data["period"], "", ""],
        ["城市 City", data["city_name"], "", ""],
        ["应收 Receivable (元)", money(data["receivable_fen"]), "", ""],
        ["应付 Payable (元)", money(data["payable_fen"]), "", ""],
        ["净额 Net (元)", money(data["net_fen"]), "", ""],
        ["账本哈希 Ledger head", data["ledger_head"], "", ""],
        ["", "", "", ""],
        ["对方城市 Counterparty", "应收 Receivable (元)", "应付 Payable (元)", "净额 Net (元)"],
    ]
    rows += [[city(c), money(r), money(p), money(n)] for c, r, p, n in data["counterparties"]]
    rows += [
        ["", "", "", ""],
        ["类别 Scheme", "作为服务地 As service city (元)", "作为参保地 As insured city (元)", "结算单 Claims"],
    ]
    rows += [[_scheme_name(sc), money(a), money(b), n] for sc, a, b, n in data["by_scheme"]]
    rows += [["", "", "", ""], ["付款方 Payer", "收款方 Payee", "金额 Amount (元)", "状态 Status"]]
    rows += [[city(a), city(b), money(x), st] for a, b, x, st in data["instructions"]]
    write_xlsx(path, f"{data['city']} {data['period']}", ["项目 Item", "值 Value", "", ""], rows)
    return path


def write_statement_docx(path: Target, data: dict[str, Any]) -> Target:
    from docx import Document

    doc = Document()
    doc.add_heading(f"跨市公共服务结算对账单 Clearing statement {data['period']}", level=1)
    doc.add_paragraph(f"{data['city_name']}")
    table = doc.add_table(rows=0, cols=2)
    for label, value in (
        ("应收 Receivable (元)", yuan(data["receivable_fen"])),
        ("应付 Payable (元)", yuan(data["payable_fen"])),
        ("净额 Net (元)", yuan(data["net_fen"])),
    ):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    doc.add_heading("对方城市 Counterparties", level=2)
    t = doc.add_table(rows=1, cols=4)
    for cell, text in zip(t.rows[0].cells, ("城市 City", "应收 Receivable", "应付 Payable", "净额 Net"), strict=True):
        cell.text = text
    names = _names(data)
    for c, r, p, n in data["counterparties"]:
        cells = t.add_row().cells
        for cell, text in zip(cells, (names.get(c, c), yuan(r), yuan(p), yuan(n)), strict=True):
            cell.text = text
    doc.add_heading("结算指令 Settlement instructions", level=2)
    for a, b, x, st in data["instructions"] or [("—", "—", 0, "")]:
        doc.add_paragraph(f"{names.get(a, a)} → {names.get(b, b)}：{yuan(x)} 元 {st}")
    doc.add_paragraph(f"账本哈希 Ledger head at close: {data['ledger_head']}")
    return save(doc, path)


def _statement(period: Period, city_code: str, fmt: str, *, user: Any) -> tuple[City, dict[str, Any]]:
    if fmt not in ("xlsx", "docx"):
        raise ClearingError("格式须为 xlsx 或 docx。", "Format must be xlsx or docx.")
    if period.status != PeriodStatus.CLOSED:
        raise ClearingError("结算期关闭后才有对账单。", "Statements exist once the period is closed.")
    city = City.objects.filter(code=city_code).first()
    position = PeriodPosition.objects.filter(period=period, city=city).first() if city else None
    if position is None:
        raise Http404
    require(user, Action.VIEW, position)
    return city, statement_data(period, city)


def statement_file(period: Period, city_code: str, fmt: str, *, user: Any) -> Path:
    """The statement of ``city_code`` for a closed period, if ``user`` may see that city's position, written under
    MEDIA_ROOT (for the command line; pages and the API answer with ``statement_download``)."""
    city, data = _statement(period, city_code, fmt, user=user)
    path = (
        Path(settings.MEDIA_ROOT)
        / "clearing"
        / "statements"
        / period.code
        / f"statement-{period.code}-{city.code}.{fmt}"
    )
    return write_statement_xlsx(path, data) if fmt == "xlsx" else write_statement_docx(path, data)


def statement_download(period: Period, city_code: str, fmt: str, *, user: Any) -> HttpResponse:
    """The same statement as a download built in memory (core.downloads)."""
    city, data = _statement(period, city_code, fmt, user=user)
    write = write_statement_xlsx if fmt == "xlsx" else write_statement_docx
    return downloads.built(f"{city.name_zh}-{period.code}-结算对账单.{fmt}", lambda out: write(out, data))
