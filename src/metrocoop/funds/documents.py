"""Contribution notices (出资通知) in Word and Excel; assessment results in Excel."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_BREAK

from metrocoop.core.exports import write_xlsx
from metrocoop.funds.models import AssessmentCycle, ContributionCall


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def notices_docx(call: ContributionCall, path: Path) -> Path:
    """One page per city: what it owes, how the amount was computed, when it is due."""
    doc = Document()
    rule = call.computation.get("rule", {})
    notices = list(call.notices.select_related("city").order_by("city__sort_order"))
    for i, notice in enumerate(notices):
        doc.add_heading(f"{call.fund.name_zh} {call.year} 年度出资通知", level=1)
        doc.add_paragraph(f"致：{notice.city.name_zh}市人民政府")
        doc.add_paragraph(
            f"根据 {call.year} 年度基金规则（第 {call.rule.version} 版），贵市应出资 {yuan(notice.amount_fen)} 元，"
            f"请于 {call.due_on:%Y年%m月%d日} 前缴入基金账户。"
        )
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in (
            ("出资总额 Target (yuan)", yuan(call.target_fen)),
            ("均等部分权重 Base weight", rule.get("base_weight", "")),
            ("GDP 权重 GDP weight", rule.get("gdp_weight", "")),
            ("财政收入权重 Revenue weight", rule.get("revenue_weight", "")),
            (
                "出资比例 Share",
                f"{notice.explanation.get('share', '')} ({notice.explanation.get('share_percent', 0):.4f}%)",
            ),
            ("保底/封顶 Bound", notice.explanation.get("bound") or "—"),
            ("应出资 Amount (yuan)", yuan(notice.amount_fen)),
            ("已缴 Paid (yuan)", yuan(notice.paid_fen)),
            ("欠缴 Arrears (yuan)", yuan(notice.arrears_fen)),
        ):
            row = table.add_row().cells
            row[0].text, row[1].text = label, str(value)
        doc.add_paragraph("上海大都市圈发展理事会办公室")
        if i < len(notices) - 1:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.save(path)
    return path


def notices_xlsx(call: ContributionCall, path: Path) -> Path:
    rows = [
        (
            n.city.code,
            n.city.name_zh,
            n.explanation.get("share", ""),
            round(n.explanation.get("share_percent", 0), 6),
            n.explanation.get("bound", ""),
            n.amount_fen / 100,
            n.paid_fen / 100,
            n.arrears_fen / 100,
        )
        for n in call.notices.select_related("city").order_by("city__sort_order")
    ]
    headers = [
        "代码 Code",
        "城市 City",
        "比例 Share",
        "比例% Share %",
        "保底/封顶 Bound",
        "应出资（元）Amount",
        "已缴（元）Paid",
        "欠缴（元）Arrears",
    ]
    write_xlsx(path, f"{call.fund.code}-{call.year}", headers, rows)
    return path


def assessment_xlsx(cycle: AssessmentCycle, path: Path) -> Path:
    rows = [
        (
            r.city.code,
            r.city.name_zh,
            float(r.score),
            r.rank,
            r.breakdown.get("criteria", {}),
            r.reward_fen / 100,
            r.compensation_fen / 100,
            r.assistance_fen / 100,
        )
        for r in cycle.results.select_related("city")
    ]
    headers = [
        "代码 Code",
        "城市 City",
        "得分 Score",
        "名次 Rank",
        "分项 Criteria",
        "奖励（元）Reward",
        "补偿费用（元）Compensation",
        "援助（元）Assistance",
    ]
    write_xlsx(path, f"assessment-{cycle.year}", headers, rows)
    return path
