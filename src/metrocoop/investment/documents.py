"""Statements of a co-built park (合作园区利益分享结算单) in Word and Excel: each year's figures and each side's share
of every item, with how it was computed."""

from __future__ import annotations

from docx import Document

from metrocoop.core.exports import Target, money, save, write_xlsx
from metrocoop.core.money import yuan
from metrocoop.investment import services
from metrocoop.investment.models import Park

ITEM_NAMES = {
    "tax": ("地方税收（元）", "Local tax (yuan)"),
    "gdp": ("GDP 统计（元）", "GDP statistics (yuan)"),
    "land_quota": ("土地指标（平方米）", "Land-use quota (m²)"),
}


def _amount(item: str, value: int) -> str:
    return f"{value:,}" if item == "land_quota" else yuan(value)


def _rows(park: Park) -> list[tuple[int, dict, dict, bool]]:
    out = []
    for row in park.years.order_by("year"):
        out.append((row.year, services.park_shares(park, row.year), services.park_explanation(park, row.year), row))
    return out


def park_statement_docx(park: Park, path: Target) -> Target:
    doc = Document()
    host, partner = park.host, park.partner
    doc.add_heading(f"{park.name_zh} 利益分享结算单", level=1)
    doc.add_paragraph(f"{park.name_en} — benefit-sharing statement")
    doc.add_paragraph(
        f"承接方 Host：{host.name_zh} {host.name_en}；合作方 Partner：{partner.name_zh} {partner.name_en}；"
        f"协议 Agreement：{park.agreement_title or '—'}"
    )
    for phase in park.phases.all():
        doc.add_paragraph(
            f"阶段 Phase {phase.start_year}–{phase.end_year or '…'}：税收 tax {phase.tax_host}:{phase.tax_partner}，"
            f"GDP {phase.gdp_host}:{phase.gdp_partner}，土地指标 land {phase.land_host}:{phase.land_partner}"
            f"（承接方:合作方 host:partner）",
            style="List Bullet",
        )
    for year, shares, explanation, row in _rows(park):
        state = "已过账 posted" if row.posted_at else "未过账 not posted"
        doc.add_heading(f"{year} 年度 ({state})", level=2)
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        head = table.rows[0].cells
        head[0].text, head[1].text = "项目 Item", "合计 Total"
        head[2].text, head[3].text = host.name_zh, partner.name_zh
        for item in shares["items"]:
            cells = table.add_row().cells
            zh, en = ITEM_NAMES[item["item"]]
            cells[0].text = f"{zh} {en}"
            cells[1].text = _amount(item["item"], item["total"])
            cells[2].text = _amount(item["item"], item[host.code])
            cells[3].text = _amount(item["item"], item[partner.code])
        for item in explanation.get("items", []):
            for step in item.get("steps", []):
                name = ITEM_NAMES.get(item["item"], (item["item"],))[0]
                doc.add_paragraph(f"{name}：{step['text_zh']}", style="List Bullet")
        if row.transfer_id:
            doc.add_paragraph(f"台账转账 Ledger transfer: {row.transfer.client_id}")
    doc.add_paragraph("上海大都市圈发展理事会办公室 / Council Office")
    return save(doc, path)


def _figure(item: str, value: int | None):
    """Tax and GDP in yuan (numbers from fen), the land quota in square metres (an integer)."""
    return value if item == "land_quota" else money(value)


def park_statement_xlsx(park: Park, path: Target) -> Target:
    """One row per year and item, named (not coded), each side's share a number: tax and GDP in yuan with 2
    decimals, land in square metres."""
    host, partner = park.host, park.partner
    headers = [
        "年份 Year",
        "项目 Item",
        "Item (English)",
        "合计 Total",
        f"承接方 Host：{host.name_zh}",
        f"合作方 Partner：{partner.name_zh}",
        "已过账 Posted",
        "转账 Transfer",
    ]
    rows = []
    for year, shares, _explanation, row in _rows(park):
        for item in shares["items"]:
            zh, en = ITEM_NAMES[item["item"]]
            rows.append(
                (
                    year,
                    zh,
                    en,
                    _figure(item["item"], item["total"]),
                    _figure(item["item"], item[host.code]),
                    _figure(item["item"], item[partner.code]),
                    "是 yes" if row.posted_at else "否 no",
                    row.transfer.client_id if row.transfer_id and item["item"] == "tax" else "",
                )
            )
    write_xlsx(path, park.code, headers, rows)
    return path
