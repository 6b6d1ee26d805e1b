"""Contribution notices (出资通知) in Word and Excel; assessment results in Excel."""

from __future__ import annotations

from docx import Document
from docx.enum.text import WD_BREAK

from metrocoop.core.exports import Target, money, save, share, write_xlsx
from metrocoop.core.money import yuan
from metrocoop.funds.models import AssessmentCycle, ContributionCall


def notices_docx(call: ContributionCall, path: Target) -> Target:
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
                f"{notice.explanation.get('share_percent', 0):.2f}%",
            ),
            ("保底/封顶 Bound", BOUND_NAMES.get(notice.explanation.get("bound") or "") or "—"),
            ("应出资 Amount (yuan)", yuan(notice.amount_fen)),
            ("已缴 Paid (yuan)", yuan(notice.paid_fen)),
            ("欠缴 Arrears (yuan)", yuan(notice.arrears_fen)),
        ):
            row = table.add_row().cells
            row[0].text, row[1].text = label, str(value)
        doc.add_paragraph("上海大都市圈发展理事会办公室")
        if i < len(notices) - 1:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    return save(doc, path)


BOUND_NAMES = {"": "", "floor": "保底 floor", "cap": "封顶 cap"}
WORK_CRITERIA_NAMES = {"completion": "完成率 Completion", "timeliness": "及时率 Timeliness", "quality": "质量 Quality"}


def notices_xlsx(call: ContributionCall, path: Target) -> Target:
    """One row per city: its name, its share (a percentage), whether a floor or cap applied, and the amounts in
    yuan as numbers."""
    rows = [
        (
            n.city.name_zh,
            n.city.name_en,
            share(n.explanation.get("share_percent", 0) / 100),
            BOUND_NAMES.get(n.explanation.get("bound") or "", n.explanation.get("bound")),
            money(n.amount_fen),
            money(n.paid_fen),
            money(n.arrears_fen),
        )
        for n in call.notices.select_related("city").order_by("city__sort_order")
    ]
    headers = [
        "城市 City",
        "City (English)",
        "出资比例 Share",
        "保底/封顶 Bound",
        "应出资（元）Amount (yuan)",
        "已缴（元）Paid (yuan)",
        "欠缴（元）Arrears (yuan)",
    ]
    write_xlsx(path, f"{call.fund.code}-{call.year}", headers, rows)
    return path


def criterion_names(keys: list[str]) -> dict[str, str]:
    """A readable column name for each assessment criterion: the three work criteria, and indicators by name."""
    from metrocoop.indicators.models import Indicator

    names = dict(WORK_CRITERIA_NAMES)
    for code, zh, en in Indicator.objects.filter(code__in=keys).values_list("code", "name_zh", "name_en"):
        names[code] = f"{zh} {en}"
    return {k: names.get(k, k) for k in keys}


def assessment_xlsx(cycle: AssessmentCycle, path: Target) -> Target:
    """One row per city: score, rank, each criterion in its own column (its 0–1 value as a percentage), and the
    reward, compensation and assistance in yuan as numbers."""
    results = list(cycle.results.select_related("city").order_by("rank", "city__sort_order"))
    keys: list[str] = []
    for r in results:
        for k in r.breakdown.get("criteria", {}):
            if k not in keys:
                keys.append(k)
    ordered = [k for k in WORK_CRITERIA_NAMES if k in keys] + sorted(k for k in keys if k not in WORK_CRITERIA_NAMES)
    names = criterion_names(ordered)
    rows = [
        (
            r.city.name_zh,
            r.rank,
            float(r.score),
            *(share(r.breakdown.get("criteria", {}).get(k)) for k in ordered),
            money(r.reward_fen),
            money(r.compensation_fen),
            money(r.assistance_fen),
        )
        for r in results
    ]
    headers = [
        "城市 City",
        "名次 Rank",
        "得分 Score",
        *(names[k] for k in ordered),
        "奖励（元）Reward (yuan)",
        "补偿费用（元）Compensation (yuan)",
        "援助（元）Assistance (yuan)",
    ]
    write_xlsx(path, f"assessment-{cycle.year}", headers, rows)
    return path
