"""Demo data of the policy library: the demo corpus (corpus.py) with its relations, the topic comparisons, pilot
reforms with their replication, the industrial-policy catalogue and two curation proposals. Idempotent: rows that
exist are left alone. Loaded through the services, as the office, so every row is audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from metrocoop.core.models import City, User
from metrocoop.policies import models, services
from metrocoop.policies.corpus import CITIES, SOURCE, demo_documents

TOPICS = [
    # code, zh, en, domain, threshold label, unit, direction, amount label, corpus topic
    (
        "talent",
        "高层次人才认定",
        "High-level talent recognition",
        "talent",
        "年薪门槛",
        "万元",
        "higher",
        "安家补贴上限",
        "talent",
    ),
    (
        "hitech",
        "高新技术企业认定",
        "High-tech enterprise recognition",
        "innovation",
        "研发费用占比门槛",
        "%",
        "higher",
        "首次认定奖励",
        "hitech",
    ),
    (
        "permit",
        "排污许可证核发",
        "Pollutant discharge permits",
        "environment",
        "审批时限",
        "工作日",
        "lower",
        "",
        "permit",
    ),
    (
        "medical",
        "异地就医结算",
        "Cross-city medical settlement",
        "medical",
        "备案办理时限",
        "工作日",
        "lower",
        "",
        "medical",
    ),
    (
        "land",
        "工业用地标准地出让",
        "Industrial land 'standard plots'",
        "land",
        "亩均税收门槛",
        "万元/亩",
        "higher",
        "",
        "land",
    ),
]

REFORMS = [
    (
        "cross-region-registration",
        "跨区域企业登记互认",
        None,
        "registration",
        "2021-07-01",
        "region-registration-2021",
        {"SH": "adopted", "SZ": "adopted", "JX": "adapted", "WX": "evaluating", "HZ": "evaluating"},
    ),
    (
        "medical-no-filing",
        "异地就医免备案直接结算",
        None,
        "medical",
        "2022-04-01",
        "region-medical-2022",
        {
            "SH": "adopted",
            "SZ": "adopted",
            "WX": "adopted",
            "CZ": "adopted",
            "NT": "adopted",
            "NB": "adopted",
            "JX": "adopted",
            "HZ": "adopted",
            "ZS": "evaluating",
        },
    ),
    (
        "standard-land",
        "工业用地“标准地”出让",
        "JX",
        "land",
        "2020-05-01",
        None,
        {"JX": "adopted", "HZ": "adopted", "NB": "adapted", "SZ": "evaluating", "ZS": "declined"},
    ),
    (
        "one-industry-one-licence",
        "“一业一证”行业综合许可",
        "SH",
        "registration",
        "2021-03-01",
        None,
        {"SH": "adopted", "NB": "adopted", "SZ": "adapted"},
    ),
    (
        "talent-mutual-recognition",
        "高层次人才资质互认",
        "SZ",
        "talent",
        "2023-03-01",
        None,
        {"SZ": "adopted", "SH": "evaluating", "WX": "adopted", "NT": "adopted", "CZ": "evaluating"},
    ),
    (
        "joint-river-enforcement",
        "跨界河湖联合执法",
        None,
        "environment",
        "2021-10-01",
        None,
        {"SH": "adopted", "SZ": "adopted", "JX": "adopted", "HZ": "evaluating"},
    ),
]

INDUSTRIES = [
    ("C3973", "集成电路制造", {"*": "encouraged"}),
    ("C2720", "化学药品制剂制造", {"*": "encouraged", "WX": "restricted", "NT": "restricted", "HZ": "restricted"}),
    ("C3731", "海洋工程装备制造", {"ZS": "encouraged", "NB": "encouraged", "NT": "encouraged"}),
    ("C1713", "棉印染精加工", {"*": "restricted", "SH": "prohibited", "ZS": "prohibited"}),
    ("C3120", "炼钢", {"*": "restricted", "SH": "prohibited"}),
    ("C3041", "平板玻璃制造", {"SH": "restricted", "CZ": "restricted", "NB": "restricted", "JX": "restricted"}),
    ("C3360", "金属表面处理及热处理加工（电镀）", {"*": "restricted", "SH": "prohibited", "HZ": "prohibited"}),
    ("I6513", "应用软件开发", {"*": "encouraged"}),
]


def _office() -> User:
    return User.objects.get(username="office")


def _load_documents(actor: User) -> int:
    existing = set(models.PolicyDocument.objects.values_list("key", flat=True))
    created = 0
    for d in demo_documents():
        if d.key in existing:
            continue
        services.do_create_document(
            {
                "key": d.key,
                "title": d.title,
                "doc_number": d.doc_number,
                "issuer": d.issuer,
                "level": d.level,
                "city": d.city,
                "province": d.province,
                "kind": d.kind,
                "issued_on": d.issued_on,
                "effective_on": d.effective_on,
                "text": d.text,
                "source": SOURCE,
            },
            domains=d.domains,
            actor=actor,
        )
        created += 1
    docs = {doc.key: doc for doc in models.PolicyDocument.objects.all()}
    for d in demo_documents():
        for kind, target in d.relations:
            if not models.PolicyRelation.objects.filter(source=docs[d.key], target=docs[target], kind=kind).exists():
                services.do_record_relation(docs[d.key], docs[target], kind, actor=actor)
    return created


def _load_topics(actor: User) -> None:
    params = {c.code: c for c in CITIES}
    cities = {c.code: c for c in City.objects.all()}
    docs = {doc.key: doc for doc in models.PolicyDocument.objects.all()}
    for code, zh, en, domain, label, unit, direction, amount_label, corpus_topic in TOPICS:
        topic, _ = models.Topic.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "domain": domain,
                "threshold_label": label,
                "threshold_unit": unit,
                "threshold_direction": direction,
                "amount_label": amount_label,
            },
        )
        for d in demo_documents():
            if d.topic != corpus_topic or not d.city or d.city not in cities or d.key.endswith(("2018", "2019")):
                continue
            if models.TopicProvision.objects.filter(topic=topic, city=cities[d.city]).exists():
                continue
            p = params[d.city]
            values = {
                "talent": (
                    p.talent_salary_wan,
                    p.talent_home_wan * 1_000_000,
                    36 if p.index % 2 else 60,
                    "全职工作，签订三年以上劳动合同，缴纳社保满六个月",
                ),
                "hitech": (p.hitech_rd_ratio, p.hitech_reward_wan * 1_000_000, 48, "本市注册，具有独立法人资格"),
                "permit": (p.permit_days, None, 60, "重点管理单位可组织技术评估，评估时间不计入时限"),
                "medical": (p.medical_filing_days, None, None, f"转外就医住院报销比例{p.medical_ratio}%"),
                "land": (p.land_tax_wan, None, p.land_years * 12, "容积率不低于1.2，投资强度不低于每亩三百万元"),
            }[code]
            services.do_save_topic_provision(
                topic,
                cities[d.city],
                {
                    "document": docs.get(d.key),
                    "threshold": Decimal(values[0]),
                    "amount_fen": values[1],
                    "duration_months": values[2],
                    "condition": values[3],
                },
                actor=actor,
            )


def _load_reforms(actor: User) -> None:
    cities = {c.code: c for c in City.objects.all()}
    docs = {doc.key: doc for doc in models.PolicyDocument.objects.all()}
    for code, title, origin, domain, introduced, doc_key, statuses in REFORMS:
        reform, _ = models.PilotReform.objects.get_or_create(
            code=code,
            defaults={
                "title": title,
                "origin_city": cities.get(origin) if origin else None,
                "origin_label": "" if origin else "长三角生态绿色一体化发展示范区",
                "domain": domain,
                "introduced_on": date.fromisoformat(introduced),
                "document": docs.get(doc_key) if doc_key else None,
                "description": f"{title}：由{cities[origin].name_zh if origin else '示范区'}率先试点的制度创新成果。",
            },
        )
        for city_code, status in statuses.items():
            if (
                city_code in cities
                and not models.ReformReplication.objects.filter(reform=reform, city=cities[city_code]).exists()
            ):
                services.do_set_replication(
                    reform, cities[city_code], status, date.fromisoformat(introduced), actor=actor
                )


def _load_catalogue(actor: User) -> None:
    cities = {c.code: c for c in City.objects.all()}
    docs = {doc.key: doc for doc in models.PolicyDocument.objects.all()}
    for industry_code, name, stances in INDUSTRIES:
        for code, city in cities.items():
            stance = stances.get(code, stances.get("*"))
            if (
                stance is None
                or models.IndustryCatalogueEntry.objects.filter(industry_code=industry_code, city=city).exists()
            ):
                continue
            doc = next((d for k, d in docs.items() if k.startswith(f"{code.lower()}-industry-")), None)
            services.do_set_catalogue_entry(
                industry_code, name, city, stance, document=doc, clause="第三条至第五条", actor=actor
            )


def _load_consultation(actor: User) -> None:
    """One draft circulated by 苏州 with comments from 上海 and an expert, one answered."""
    from datetime import timedelta

    from django.utils import timezone

    from metrocoop.policies.models import Consultation

    if Consultation.objects.exists():
        return
    liaison = User.objects.filter(username="liaison-sz").first() or actor
    c = services.do_open_consultation(
        "苏州市跨区域人才资质互认实施细则（征求意见稿）",
        City.objects.get(code="SZ"),
        [
            "上海大都市圈其他成员城市认定的C类以上高层次人才来苏州工作的，直接确认相应类别。",
            "互认人才享受本市安家补贴的，扣除原认定城市已发放部分。",
            "本细则自印发之日起施行。",
        ],
        timezone.localdate() + timedelta(days=30),
        domain="talent",
        summary="推动人才资质互认、服务互通。",
        actor=liaison,
    )
    clauses = list(c.clauses.all())
    sh = User.objects.filter(username="liaison-sh").first()
    expert = User.objects.filter(username="expert").first()
    if sh is not None:
        comment = services.do_comment_clause(
            clauses[1], "建议明确已发放补贴的核查方式，由原认定城市出具证明。", actor=sh
        )
        services.do_answer_comment(comment, "adopted", "采纳，增加由原认定城市出具证明的规定。", actor=liaison)
    if expert is not None:
        services.do_comment_clause(clauses[0], "建议将D类人才一并纳入互认范围。", actor=expert)


def load() -> str:
    actor = _office()
    with transaction.atomic():
        created = _load_documents(actor)
        _load_topics(actor)
        _load_reforms(actor)
        _load_catalogue(actor)
        _load_consultation(actor)
        if not models.CurationProposal.objects.exists():
            public = User.objects.filter(username="researcher").first()
            if public is not None:
                sz = models.PolicyDocument.objects.filter(key="sz-talent-2023").first()
                if sz is not None:
                    services.do_propose(
                        "correction",
                        document=sz,
                        payload={"source": "苏州市人民政府门户网站（演示）"},
                        note="补充来源链接",
                        actor=public,
                    )
    return f"{models.PolicyDocument.objects.count()} policy documents ({created} new)"
