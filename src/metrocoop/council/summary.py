"""The annual summary (工作总结): figures generated from the year's reports (engine.summarise_year), the stored text
around them, and its Word (.docx, python-docx) and Excel (.xlsx, core.exports) files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docx import Document
from openpyxl import Workbook
from openpyxl.styles import Font

from metrocoop.core.choices import Domain
from metrocoop.core.exports import Target, append_row, save, share
from metrocoop.core.models import City
from metrocoop.council import engine
from metrocoop.council.choices import ItemStatus
from metrocoop.council.models import AnnualPlan, AnnualSummary
from metrocoop.council.selectors import item_facts, summary_as_of

COLUMNS = ("items", "completed", "on_track", "late", "not_started", "completion_rate", "kpi_attainment")
HEADERS = (
    "事项数 Items",
    "已完成 Completed",
    "按期推进 On track",
    "滞后 Late",
    "未启动 Not started",
    "完成率 Completion",
    "指标达成率 KPI attainment",
)


@dataclass
class SummaryView:
    plan: AnnualPlan
    summary: AnnualSummary | None
    figures: engine.YearSummary
    city_names: dict[str, str]
    domain_names: dict[str, str]

    def rows(self, group: str) -> list[tuple[str, str, list]]:
        """(key, label, values in COLUMNS order) for "domain" or "city"."""
        data = self.figures.by_domain if group == "domain" else self.figures.by_city
        names = self.domain_names if group == "domain" else self.city_names
        return [(k, names.get(k, k), _values(v)) for k, v in data.items()]

    @property
    def totals(self) -> list:
        return _values(self.figures.totals)


def _values(c: engine.Counts) -> list:
    d = c.as_dict()
    return [d[k] for k in COLUMNS]


def _pct(v) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def build_summary(plan: AnnualPlan) -> SummaryView:
    figures = engine.summarise_year(item_facts(plan), summary_as_of(plan))
    return SummaryView(
        plan=plan,
        summary=AnnualSummary.objects.filter(plan=plan).first(),
        figures=figures,
        city_names={c.code: c.name_zh for c in City.objects.all()},
        domain_names={d.value: str(d.label) for d in Domain},
    )


def _cell_text(key: str, value) -> str:
    return _pct(value) if key in ("completion_rate", "kpi_attainment") else str(value)


def write_docx(view: SummaryView, path: Target) -> Target:
    """Headings, the stored text, and the generated figures as tables (per domain, per city, per item)."""
    doc = Document()
    year = view.plan.year
    doc.add_heading(f"上海大都市圈{year}年度工作总结 Annual summary {year}", level=0)
    doc.add_paragraph(f"{view.plan.title} · 统计截至 as of {view.figures.as_of.isoformat()}")
    if view.summary and view.summary.introduction:
        doc.add_heading("一、总体情况 Overview", level=1)
        for para in view.summary.introduction.split("\n\n"):
            doc.add_paragraph(para.strip())
    for heading, group in (("二、分领域完成情况 By domain", "domain"), ("三、分城市完成情况 By lead city", "city")):
        doc.add_heading(heading, level=1)
        table = doc.add_table(rows=1, cols=len(COLUMNS) + 1)
        table.style = "Table Grid"
        header = table.rows[0].cells
        header[0].text = "领域 Domain" if group == "domain" else "城市 City"
        for n, h in enumerate(HEADERS, start=1):
            header[n].text = h
        for _key, label, values in view.rows(group):
            cells = table.add_row().cells
            cells[0].text = label
            for n, (k, v) in enumerate(zip(COLUMNS, values, strict=True), start=1):
                cells[n].text = _cell_text(k, v)
        cells = table.add_row().cells
        cells[0].text = "合计 Total"
        for n, (k, v) in enumerate(zip(COLUMNS, view.totals, strict=True), start=1):
            cells[n].text = _cell_text(k, v)
    doc.add_heading("四、工作事项 Work items", level=1)
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for n, h in enumerate(("事项 Item", "牵头城市 Lead city", "进度 Progress", "状态 Status", "指标达成 KPI")):
        table.rows[0].cells[n].text = h
    for o in view.figures.items:
        cells = table.add_row().cells
        cells[0].text = o.title
        cells[1].text = view.city_names.get(o.lead_city, o.lead_city)
        cells[2].text = f"{o.percent:g}%"
        cells[3].text = str(ItemStatus(o.status).label)
        cells[4].text = _pct(o.kpi_attainment)
    if view.summary and view.summary.conclusion:
        doc.add_heading("五、下一步工作 Next steps", level=1)
        for para in view.summary.conclusion.split("\n\n"):
            doc.add_paragraph(para.strip())
    return save(doc, path)


RATE_COLUMNS = ("completion_rate", "kpi_attainment")


def _typed(values: list) -> list:
    """The figures of one row, the rates as percentages (numbers), the counts as they are."""
    return [share(v) if k in RATE_COLUMNS else v for k, v in zip(COLUMNS, values, strict=True)]


def write_xlsx(view: SummaryView, path: Target) -> Target:
    """Three sheets: by domain, by city, items. Names rather than codes; rates and progress as percentages."""
    wb = Workbook()
    first = True
    for title, group, heading in (
        ("by domain 分领域", "domain", "领域 Domain"),
        ("by city 分城市", "city", "牵头城市 Lead city"),
    ):
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = title
        ws.append([heading, *HEADERS])
        for _key, label, values in view.rows(group):
            append_row(ws, [label, *_typed(values)])
        append_row(ws, ["合计 Total", *_typed(view.totals)])
        for cell in ws[1]:
            cell.font = Font(bold=True)
    ws = wb.create_sheet("items 事项")
    ws.append(["事项 Item", "领域 Domain", "牵头城市 Lead city", "进度 Progress", "状态 Status", "指标达成 KPI"])
    for o in view.figures.items:
        append_row(
            ws,
            [
                o.title,
                view.domain_names.get(o.domain, o.domain),
                view.city_names.get(o.lead_city, o.lead_city),
                share(o.percent / 100),
                str(ItemStatus(o.status).label),
                share(o.kpi_attainment),
            ],
        )
    for cell in ws[1]:
        cell.font = Font(bold=True)
    return save(wb, path)


def read_docx_tables(path: Path) -> list[list[list[str]]]:
    """Every table of a .docx as rows of cell texts (what the tests and a reader check the figures with)."""
    return [[[c.text for c in row.cells] for row in t.rows] for t in Document(str(path)).tables]


__all__ = ["SummaryView", "build_summary", "read_docx_tables", "write_docx", "write_xlsx"]
