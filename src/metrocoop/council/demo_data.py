"""Demo data of the council cycle (`metrocoop demo`): the council with nine seats, the plans the region and cities
hold, last year's plan closed with its summary, and this year's plan of about 30 work items approved by a vote,
with its quarterly reports so far (some late, some returned, a few missing). Idempotent: a second run adds nothing.

Titles follow the measures of the paper (§四): 空间协同规划编制, 异地就医门诊结算, 跨界河湖联保, 沪甬跨海通道…
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from metrocoop.core.choices import Domain
from metrocoop.core.models import City, Organisation, User
from metrocoop.council import engine, services
from metrocoop.council.models import AnnualPlan, PlanArticle, PlanDocument, ProgressReport

TZ = ZoneInfo("Asia/Shanghai")
MEMBERS = ("SH", "SZ", "WX", "CZ", "NT", "NB", "JX", "HZ", "ZS")

DATA = Path(__file__).resolve().parent / "data"


def _read_plans() -> tuple[tuple, tuple, tuple]:
    """The demo's plan documents, this year's work list and last year's items, from data/demo_plans.json, as
    DOCUMENTS (document key, kind, title, city, period, ((number, title), ...)), ITEMS (code, title, domain, lead,
    joins, kpi, unit, target, deadline (month, day), weight, articles, sub-items (code, title, lead, kpi, unit,
    target, weight)) and PREVIOUS (code, title, domain, lead, final percent)."""
    plans = json.loads((DATA / "demo_plans.json").read_text(encoding="utf-8"))
    article = itemgetter("number", "title")
    sub_item = itemgetter("code", "title", "lead", "kpi", "unit", "target", "weight")
    documents = tuple(
        (*itemgetter("key", "kind", "title", "city", "period")(d), tuple(map(article, d["articles"])))
        for d in plans["documents"]
    )
    items = tuple(
        (
            *itemgetter("code", "title")(i),
            Domain(i["domain"]),
            i["lead"],
            tuple(i["joins"]),
            *itemgetter("kpi", "unit", "target")(i),
            tuple(i["deadline"]),
            i["weight"],
            tuple(i["articles"]),
            tuple(map(sub_item, i["sub_items"])),
        )
        for i in plans["items"]
    )
    previous = tuple(
        (p["code"], p["title"], Domain(p["domain"]), p["lead"], p["final_percent"]) for p in plans["previous_items"]
    )
    return documents, items, previous


DOCUMENTS, ITEMS, PREVIOUS = _read_plans()


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


def _org(code: str, domain: str) -> Organisation | None:
    dept = Organisation.objects.filter(code=f"{domain.replace('_', '-')}-{code.lower()}").first()
    return dept or Organisation.objects.filter(code=f"gov-{code.lower()}").first()


def _approve(plan, council, office, liaisons, cities, held_on: date, abstain: tuple[str, ...] = ()):
    services.do_submit_plan(plan, actor=office, now=_at(held_on - timedelta(days=7)))
    meeting = services.do_create_meeting(
        council,
        {
            "kind": "plenary",
            "title": f"上海大都市圈发展理事会{held_on.year}年全体会议",
            "held_on": held_on,
            "location": "上海",
            "agenda": [f"审议{held_on.year}年度工作计划", "听取上年度工作总结", "研究重点合作事项"],
            "minutes": "会议听取了理事会办公室关于年度工作计划编制情况的汇报，各城市代表逐项审议并表决。",
        },
        attendees=[office, *liaisons.values()],
        actor=office,
    )
    resolution = services.do_propose_resolution(
        meeting,
        number=f"沪都理〔{held_on.year}〕1号",
        title=f"关于审议通过{held_on.year}年度工作计划的决议",
        text=f"理事会审议通过《上海大都市圈{held_on.year}年度工作计划》，请各城市按工作清单抓好落实。",
        plan=plan,
        actor=office,
    )
    for n, code in enumerate(MEMBERS):
        services.do_cast_vote(
            resolution,
            cities[code],
            "abstain" if code in abstain else "yes",
            actor=liaisons[code],
            now=_at(held_on, 10) + timedelta(minutes=n),
        )
    services.do_decide_resolution(resolution, actor=office, now=_at(held_on, 12))
    services.do_start_plan(plan, actor=office)


def _report(item, city, q, pct, kpi, when, liaisons, office, rng, *, review=True, returned=False):
    report = services.do_submit_report(
        item,
        city,
        q,
        percent_complete=pct,
        kpi_actual=kpi,
        narrative=f"第{q}季度：按计划推进，完成{pct}%。",
        actor=liaisons[city.code],
        now=_at(when),
    )
    if returned:
        services.do_review_report(
            report,
            accept=False,
            comment="佐证材料不全，请补充会议纪要和签约文件后重新报送。",
            actor=office,
            now=_at(when + timedelta(days=5)),
        )
    elif review and city.pk == item.lead_city_id:
        services.do_review_report(report, accept=True, actor=office, now=_at(when + timedelta(days=rng.randint(2, 9))))
    return report


@transaction.atomic
def load() -> str:
    today = timezone.localdate()
    year = today.year
    if AnnualPlan.objects.filter(year=year).exists():
        plan = AnnualPlan.objects.get(year=year)
        reports = ProgressReport.objects.filter(item__plan=plan).count()
        return f"council: {plan.items.count()} work items in {year}, {reports} reports (already loaded)"
    users = {
        u.username: u for u in User.objects.filter(username__in=["office", *[f"liaison-{c.lower()}" for c in MEMBERS]])
    }
    office = users["office"]
    liaisons = {c: users[f"liaison-{c.lower()}"] for c in MEMBERS}
    cities = {c.code: c for c in City.objects.filter(code__in=MEMBERS)}
    rng = random.Random(2026)

    council = services.do_set_up_council(
        name_zh="上海大都市圈发展理事会",
        name_en="Shanghai Metropolitan Area Development Council",
        rules={"quorum_share": Decimal("0.667"), "majority_share": Decimal("0.5"), "plan_approval_unanimous": False},
        representatives=liaisons,
        actor=office,
    )
    articles: dict[str, PlanArticle] = {}
    for key, kind, title, city, period, arts in DOCUMENTS:
        doc = PlanDocument.objects.filter(title=title).first() or services.do_save_plan_document(
            PlanDocument(),
            {"kind": kind, "title": title, "city": cities.get(city) if city else None, "period": period},
            actor=office,
        )
        for n, (number, atitle) in enumerate(arts):
            art = PlanArticle.objects.filter(document=doc, number=number).first() or services.do_save_plan_article(
                PlanArticle(), {"document": doc, "number": number, "title": atitle, "sort_order": n}, actor=office
            )
            articles[f"{key}:{number}"] = art

    # last year: a closed plan with four quarters of reports and a published summary
    prev = services.do_create_plan(council, year - 1, f"上海大都市圈{year - 1}年度工作计划", actor=office)
    prev_items = []
    for code, title, domain, lead, final in PREVIOUS:
        item = services.do_add_work_item(
            prev,
            {
                "code": f"{year - 1}-{code}",
                "title": title,
                "domain": domain,
                "lead_city": cities[lead],
                "lead_organisation": _org(lead, domain),
                "deadline": date(year - 1, 12, 31),
                "weight": 1,
                "kpi": "完成度",
                "unit": "%",
                "target_value": Decimal(100),
                "participating_cities": [cities[c] for c in rng.sample(MEMBERS, 2) if c != lead],
            },
            actor=office,
        )
        prev_items.append((item, final))
    _approve(prev, council, office, liaisons, cities, date(year - 1, 1, 16))
    for item, final in prev_items:
        for q in (1, 2, 3, 4):
            pct = min(final, round(final * q / 4))
            due = engine.report_due(year - 1, q)
            _report(
                item,
                item.lead_city,
                q,
                pct,
                Decimal(pct),
                due - timedelta(days=rng.randint(1, 10)),
                liaisons,
                office,
                rng,
            )
    services.do_close_plan(prev, actor=office, now=_at(date(year, 1, 18)))
    summary = prev.summary
    services.do_update_summary(
        summary,
        {
            "introduction": f"{year - 1}年，理事会办公室会同九市围绕年度工作计划，"
            "统筹推进规划协同、公共服务、生态共保、交通互联和产业协作等重点事项，总体进展顺利。",
            "conclusion": "未完成事项已纳入下一年工作清单，"
            "继续推进沪甬跨海通道规划研究、养老服务互认和江海联运服务中心建设。",
            "published": True,
        },
        actor=office,
    )

    # this year: unfinished items carried over, then the 30 new items of the work list
    plan, carried = services.do_prepare_next_year(prev, actor=office)
    services.do_update_plan(plan, {"title": f"上海大都市圈{year}年度工作计划"}, actor=office)
    for code, title, domain, lead, joins, kpi, unit, target, (m, d), weight, arts, subs in ITEMS:
        actor = office if code not in ("19", "28") else liaisons[lead]  # two items proposed by the cities
        item = services.do_add_work_item(
            plan,
            {
                "code": f"{year}-{code}",
                "title": title,
                "domain": domain,
                "lead_city": cities[lead],
                "lead_organisation": _org(lead, domain) if actor == office else None,
                "participating_cities": [cities[c] for c in joins if c != lead],
                "kpi": kpi,
                "unit": unit,
                "target_value": Decimal(target) if target is not None else None,
                "deadline": date(year, m, d),
                "weight": weight,
                "articles": [articles[a] for a in arts],
            },
            actor=actor,
        )
        for scode, stitle, slead, skpi, sunit, starget, sweight in subs:
            services.do_add_work_item(
                plan,
                {
                    "code": f"{year}-{scode}",
                    "title": stitle,
                    "domain": domain,
                    "lead_city": cities[slead],
                    "parent": item,
                    "kpi": skpi,
                    "unit": sunit,
                    "target_value": Decimal(starget),
                    "deadline": date(year, m, d),
                    "weight": sweight,
                    "lead_organisation": _org(slead, domain),
                },
                actor=office,
            )
    _approve(plan, council, office, liaisons, cities, date(year, 1, 20), abstain=("ZS",))
    services.do_create_meeting(
        council,
        {
            "kind": "office",
            "title": "理事会办公室季度调度会",
            "held_on": date(year, 4, 20),
            "location": "苏州",
            "agenda": ["通报一季度工作清单进展", "研究退回报告的整改"],
            "minutes": "办公室通报了一季度进展，对滞后事项提出督办要求。",
        },
        attendees=[office, liaisons["SZ"], liaisons["JX"]],
        actor=office,
    )
    services.do_create_meeting(
        council,
        {
            "kind": "special",
            "title": "跨界河湖联保专题会",
            "held_on": date(year, 6, 5),
            "location": "嘉兴",
            "agenda": ["淀山湖、太浦河联保方案"],
            "minutes": "三地就联合巡河和水质监测数据共享达成一致。",
        },
        attendees=[office, liaisons["SH"], liaisons["SZ"], liaisons["JX"]],
        actor=office,
    )

    # quarterly reports so far: most on time, some late, some returned, a few missing
    parents = set(plan.items.filter(parent__isnull=False).values_list("parent_id", flat=True))
    leaves = [i for i in plan.items.select_related("lead_city").order_by("code", "id") if i.pk not in parents]
    due_quarters = engine.quarters_due(year, today)
    reports = 0
    for n, item in enumerate(leaves):
        pace = rng.choice((0.25, 0.3, 0.35, 0.4))  # share of the work done per quarter
        stalled = n % 11 == 7  # a few items nobody reported on
        if stalled:
            continue
        for q in due_quarters:
            if n % 9 == 4 and q == due_quarters[-1]:
                continue  # the latest quarter is missing
            pct = min(100, round(100 * pace * q))
            due = engine.report_due(year, q)
            late = n % 6 == 2 and q == 2
            when = due + timedelta(days=rng.randint(3, 20)) if late else due - timedelta(days=rng.randint(1, 12))
            target = item.target_value
            kpi = (target * Decimal(pct) / 100).quantize(Decimal("0.01")) if target is not None else None
            returned = n % 8 == 5 and q == due_quarters[-1]
            awaiting = q == due_quarters[-1] and n % 2 == 1 and not returned  # the office has not got to these
            _report(
                item, item.lead_city, q, pct, kpi, when, liaisons, office, rng, review=not awaiting, returned=returned
            )
            reports += 1
            joins = list(item.participating_cities.all())
            if joins and q == due_quarters[-1] and n % 3 == 0:
                partner = joins[0]
                _report(item, partner, q, max(0, pct - 10), None, when, liaisons, office, rng, review=False)
                reports += 1
    items = plan.items.count()
    return f"council: {items} work items in {year} ({len(carried)} carried over), {reports} reports"
