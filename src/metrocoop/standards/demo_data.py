"""Demo data of the standards mechanism, after the paper's §二(四) examples: discharge limits of urban wastewater
treatment plants (COD, NH3-N, TP) that differ between the Shanghai, Jiangsu and Zhejiang standards, a cross-border
river water-quality target, and talent and high-tech recognition with one-way gaps.

Every row is marked illustrative: the codes are real standards, but the values are rounded demo figures chosen to
show the mechanism, not quotations to rely on; check the standard's text. Idempotent: each step looks for what an
earlier run made.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from metrocoop.core.models import City, User
from metrocoop.standards import models, services
from metrocoop.standards.choices import ProposalKind, StandardDomain, StandardLevel

STANDARDS = (
    # code, name_zh, name_en, level, issuer, domain, issued, effective, replaces
    (
        "GB 18918-2002",
        "城镇污水处理厂污染物排放标准",
        "Discharge standard of pollutants for municipal wastewater treatment plant",
        StandardLevel.NATIONAL,
        "国家环境保护总局",
        StandardDomain.ENVIRONMENT,
        date(2002, 12, 24),
        date(2003, 7, 1),
        None,
    ),
    (
        "GB 3838-2002",
        "地表水环境质量标准",
        "Environmental quality standards for surface water",
        StandardLevel.NATIONAL,
        "国家环境保护总局",
        StandardDomain.WATER,
        date(2002, 4, 28),
        date(2002, 6, 1),
        None,
    ),
    (
        "DB31/199-2009",
        "上海市污水综合排放标准（2009）",
        "Shanghai integrated wastewater discharge standard (2009)",
        StandardLevel.LOCAL,
        "上海市环境保护局",
        StandardDomain.ENVIRONMENT,
        date(2009, 5, 1),
        date(2009, 10, 1),
        None,
    ),
    (
        "DB31/199-2018",
        "上海市污水综合排放标准",
        "Shanghai integrated wastewater discharge standard",
        StandardLevel.LOCAL,
        "上海市生态环境局",
        StandardDomain.ENVIRONMENT,
        date(2018, 11, 29),
        date(2018, 12, 1),
        "DB31/199-2009",
    ),
    (
        "DB32/1072-2018",
        "太湖地区城镇污水处理厂及重点工业行业主要水污染物排放限值",
        "Discharge limits of main water pollutants for WWTPs and key industries in the Taihu area",
        StandardLevel.LOCAL,
        "江苏省生态环境厅",
        StandardDomain.ENVIRONMENT,
        date(2018, 5, 18),
        date(2018, 6, 1),
        None,
    ),
    (
        "DB33/2169-2018",
        "城镇污水处理厂主要水污染物排放标准",
        "Discharge standard of main water pollutants for municipal WWTPs (Zhejiang)",
        StandardLevel.LOCAL,
        "浙江省生态环境厅",
        StandardDomain.ENVIRONMENT,
        date(2018, 12, 29),
        date(2019, 1, 1),
        None,
    ),
    (
        "DB31/T 310001-2020",
        "长三角生态绿色一体化发展示范区区域统一标准（示意）",
        "Regional unified standard of the Yangtze delta demonstration zone (illustrative)",
        StandardLevel.REGIONAL,
        "沪苏浙市场监管部门联合发布",
        StandardDomain.WATER,
        date(2020, 12, 1),
        date(2021, 1, 1),
        None,
    ),
)

KEY = (
    ("GB 18918-2002", 1, "城镇污水处理厂提标改造执行标准各市不一（§二(四)）"),
    ("DB31/199-2018", 2, "排污许可证核发标准不尽相同（§二(四)）"),
    ("DB32/1072-2018", 2, "太湖流域排放限值"),
    ("DB33/2169-2018", 2, "浙江城镇污水处理厂排放标准"),
    ("GB 3838-2002", 3, "跨界河道水质标准未能统一（§二(四)）"),
    ("DB31/T 310001-2020", 1, "区域统一标准的样板"),
)

PARAMETERS = (
    # code, name_zh, name_en, kind, limit_type, unit, domain
    ("COD", "化学需氧量", "Chemical oxygen demand", "mass_concentration", "max", "mg/L", StandardDomain.ENVIRONMENT),
    ("NH3-N", "氨氮", "Ammonia nitrogen", "mass_concentration", "max", "mg/L", StandardDomain.ENVIRONMENT),
    ("TP", "总磷", "Total phosphorus", "mass_concentration", "max", "mg/L", StandardDomain.ENVIRONMENT),
    ("DO", "溶解氧", "Dissolved oxygen", "mass_concentration", "min", "mg/L", StandardDomain.WATER),
)

WWTP = "城镇污水处理厂"
RIVER = "跨界河道（III类目标）"
# city → (standard, COD, NH3-N, TP value, TP unit); JX writes TP in µg/L as some spreadsheets do
DISCHARGE = {
    "SH": ("DB31/199-2018", 30, 1.5, 0.3, "mg/L"),
    "SZ": ("DB32/1072-2018", 40, 3, 0.3, "mg/L"),
    "WX": ("DB32/1072-2018", 40, 3, 0.3, "mg/L"),
    "CZ": ("DB32/1072-2018", 40, 3, 0.3, "mg/L"),
    "NT": ("GB 18918-2002", 50, 5, 0.5, "mg/L"),
    "NB": ("DB33/2169-2018", 40, 2, 0.3, "mg/L"),
    "JX": ("DB33/2169-2018", 40, 2, 300, "µg/L"),
    "HZ": ("DB33/2169-2018", 40, 2, 0.3, "mg/L"),
    "ZS": ("GB 18918-2002", 50, 5, 0.5, "mg/L"),
}
RIVER_DO = {"SH": 5, "SZ": 5, "JX": 6}

TYPES = (
    ("talent", "人才类别认定", "Talent category", StandardDomain.TALENT),
    ("hitech", "高新技术企业认定", "High-tech enterprise", StandardDomain.ENTERPRISE),
    ("title", "专业技术职称", "Professional title", StandardDomain.TALENT),
    ("testing", "检验检测结果", "Inspection and testing result", StandardDomain.MARKET),
    ("care-level", "老年照护等级评估", "Care-level assessment", StandardDomain.ELDERLY),
)

# type, issuing, recognising, valid_from, valid_to, scope, conditions
RECOGNITIONS = (
    ("talent", "SH", "SZ", date(2021, 1, 1), None, "A、B、C 类人才", "持有效认定证书"),
    ("talent", "SH", "WX", date(2021, 1, 1), None, "A、B 类人才", "持有效认定证书"),
    ("talent", "SH", "JX", date(2020, 7, 1), None, "A、B、C 类人才", "在嘉兴就业或创业"),
    ("talent", "SH", "HZ", date(2022, 1, 1), None, "A 类人才", ""),
    ("talent", "SZ", "WX", date(2021, 6, 1), None, "高层次人才", ""),
    ("talent", "WX", "SZ", date(2021, 6, 1), None, "高层次人才", ""),
    ("talent", "NB", "ZS", date(2020, 1, 1), None, "高层次人才", ""),
    ("talent", "ZS", "NB", date(2020, 1, 1), None, "高层次人才", ""),
    ("hitech", "SH", "SZ", date(2020, 1, 1), None, "高新技术企业资格", "资格有效期内"),
    ("hitech", "SZ", "SH", date(2020, 1, 1), None, "高新技术企业资格", "资格有效期内"),
    ("hitech", "SZ", "CZ", date(2020, 1, 1), None, "高新技术企业资格", ""),
    ("hitech", "SH", "JX", date(2021, 1, 1), None, "高新技术企业资格", "迁入企业"),
    ("hitech", "WX", "CZ", date(2020, 1, 1), date(2023, 12, 31), "高新技术企业资格", "试点期"),
    ("testing", "SH", "SZ", date(2021, 1, 1), None, "示范区内检验检测报告", "CMA 资质"),
    ("testing", "SZ", "SH", date(2021, 1, 1), None, "示范区内检验检测报告", "CMA 资质"),
    ("testing", "SH", "JX", date(2021, 1, 1), None, "示范区内检验检测报告", "CMA 资质"),
    ("testing", "JX", "SH", date(2021, 1, 1), None, "示范区内检验检测报告", "CMA 资质"),
    ("care-level", "SH", "JX", date(2022, 1, 1), None, "异地养老照护等级", "上海统一评估结果"),
)


def load() -> str:
    office = User.objects.filter(username="office").first()
    if office is None:
        return ""
    cities = {c.code: c for c in City.objects.all()}
    made = _catalogue(office)
    params = _parameters(office)
    limits = _limits(office, params, cities)
    recs = _recognitions(office, cities)
    proposals = _proposals(office, cities, params)
    return f"standards: {made} standards, {limits} limit values, {recs} recognitions, {proposals} proposals"


def _catalogue(office) -> int:
    made = 0
    for code, zh, en, level, issuer, domain, issued, effective, replaces in STANDARDS:
        if models.Standard.objects.filter(code=code).exists():
            continue
        services.do_create_standard(
            {
                "code": code,
                "name_zh": zh,
                "name_en": en,
                "level": level,
                "issuer": issuer,
                "domain": domain,
                "issued_on": issued,
                "effective_on": effective,
                "replaces": models.Standard.objects.filter(code=replaces).first() if replaces else None,
                "illustrative": True,
                "source": "示意数据 illustrative demo entry",
            },
            actor=office,
        )
        made += 1
    old = models.Standard.objects.filter(code="DB31/199-2009", status="in_force").first()
    if old is not None:
        services.do_update_standard(old, {"status": "replaced", "status_since": date(2018, 12, 1)}, actor=office)
    for code, priority, reason in KEY:
        standard = models.Standard.objects.get(code=code)
        if not models.KeyStandard.objects.filter(standard=standard).exists():
            services.do_create_key_standard(
                {"standard": standard, "priority": priority, "reason": reason, "listed_on": date(2021, 3, 1)},
                actor=office,
            )
    return made


def _parameters(office) -> dict[str, models.Parameter]:
    out = {}
    for code, zh, en, kind, limit_type, unit, domain in PARAMETERS:
        p = models.Parameter.objects.filter(code=code).first()
        if p is None:
            p = services.do_create_parameter(
                {
                    "code": code,
                    "name_zh": zh,
                    "name_en": en,
                    "kind": kind,
                    "limit_type": limit_type,
                    "unit": unit,
                    "domain": domain,
                },
                actor=office,
            )
        out[code] = p
    return out


def _limits(office, params, cities) -> int:
    from django.db import transaction

    from metrocoop.core.audit import acting

    standards = {s.code: s for s in models.Standard.objects.all()}
    made = 0
    with transaction.atomic(), acting(office):
        for code, (standard, cod, nh3, tp, tp_unit) in DISCHARGE.items():
            city = cities.get(code)
            if city is None:
                continue
            if code == "SH" and not models.LimitValue.objects.filter(parameter=params["TP"], city=city).exists():
                # Shanghai's earlier value, kept as history when the 2018 standard tightened it
                services._set_limit(
                    params["TP"], city, WWTP, 0.5, "mg/L", standards["DB31/199-2009"], actor=office, illustrative=True
                )
            for pcode, value, unit in (("COD", cod, "mg/L"), ("NH3-N", nh3, "mg/L"), ("TP", tp, tp_unit)):
                outcome = services._set_limit(
                    params[pcode], city, WWTP, float(value), unit, standards[standard], actor=office, illustrative=True
                )
                made += outcome.outcome != "unchanged"
        for code, value in RIVER_DO.items():
            if code in cities:
                outcome = services._set_limit(
                    params["DO"],
                    cities[code],
                    RIVER,
                    float(value),
                    "mg/L",
                    standards["GB 3838-2002"],
                    actor=office,
                    illustrative=True,
                )
                made += outcome.outcome != "unchanged"
    return made


def _basis(type_code: str, city_code: str):
    from metrocoop.policies.models import PolicyDocument

    prefix = {"talent": "talent", "hitech": "hitech"}.get(type_code)
    if prefix is None:
        return None
    return (
        PolicyDocument.objects.filter(key__startswith=f"{city_code.lower()}-{prefix}-", status="published")
        .only("id", "key", "title", "doc_number", "status")
        .order_by("-issued_on")
        .first()
    )


def _recognitions(office, cities) -> int:
    types = {}
    for code, zh, en, domain in TYPES:
        t = models.RecognitionType.objects.filter(code=code).first()
        if t is None:
            t = services.do_create_recognition_type(
                {"code": code, "name_zh": zh, "name_en": en, "domain": domain}, actor=office
            )
        types[code] = t
    made = 0
    for tcode, a, b, start, end, scope, conditions in RECOGNITIONS:
        if a not in cities or b not in cities:
            continue
        if models.Recognition.objects.filter(
            type=types[tcode], issuing_city=cities[a], recognising_city=cities[b], valid_from=start
        ).exists():
            continue
        services.do_create_recognition(
            {
                "type": types[tcode],
                "issuing_city": cities[a],
                "recognising_city": cities[b],
                "basis": _basis(tcode, b),
                "basis_note": "示意：长三角人才/企业资质互认合作协议"
                if tcode in ("talent", "hitech")
                else "示意：示范区互认协议",
                "scope": scope,
                "conditions": conditions,
                "valid_from": start,
                "valid_to": end,
                "illustrative": True,
            },
            actor=office,
        )
        made += 1
    return made


def _proposals(office, cities, params) -> int:
    if models.UnificationProposal.objects.filter(illustrative=True).exists() or not {"SH", "SZ", "JX"} <= set(cities):
        return 0
    deadline = timezone.localdate() + timedelta(days=30)
    tp = services.do_propose(
        {
            "kind": ProposalKind.UNIFY_STANDARD,
            "title": "统一城镇污水处理厂总磷排放限值",
            "description": "各市总磷限值 0.3–0.5 mg/L 不等（示意），建议统一执行 0.3 mg/L。",
            "domain": StandardDomain.ENVIRONMENT,
            "lead_city": cities["SZ"],
            "parameter": params["TP"],
            "draft": "城镇污水处理厂出水总磷不高于 0.3 mg/L。\n2025 年底前完成提标改造。",
            "illustrative": True,
        },
        actor=office,
    )
    services.do_advance_proposal(tp, actor=office)  # → drafting
    talent = services.do_propose(
        {
            "kind": ProposalKind.RECOGNISE_RESULT,
            "title": "高层次人才认定结果互认",
            "description": "苏州、嘉兴等已承认上海人才认定，上海尚未承认各市认定（示意），建议双向互认。",
            "domain": StandardDomain.TALENT,
            "lead_city": cities["SH"],
            "recognition_type": models.RecognitionType.objects.get(code="talent"),
            "draft": "各市人才认定结果在都市圈内互认。\n互认范围为 A、B 类人才。",
            "illustrative": True,
        },
        actor=office,
    )
    services.do_advance_proposal(talent, actor=office)
    services.do_advance_proposal(talent, actor=office, deadline=deadline)  # → consultation
    for code in ("SH", "SZ"):
        services.do_sign_proposal(talent, cities[code], actor=office)
    testing = services.do_propose(
        {
            "kind": ProposalKind.RECOGNISE_RESULT,
            "title": "示范区检验检测结果互认",
            "domain": StandardDomain.MARKET,
            "lead_city": cities["SH"],
            "recognition_type": models.RecognitionType.objects.get(code="testing"),
            "draft": "示范区内具备 CMA 资质机构出具的检验检测报告互认。",
            "illustrative": True,
        },
        actor=office,
    )
    services.do_advance_proposal(testing, actor=office)
    testing = services.do_advance_proposal(testing, actor=office, deadline=deadline)
    from metrocoop.policies import services as policy_services

    policy_services.do_close_consultation(testing.consultation, "无反对意见，按草案通过（示意）。", actor=office)
    for code in ("SH", "SZ", "JX"):
        services.do_sign_proposal(testing, cities[code], actor=office)
    services.do_advance_proposal(
        testing, actor=office, adopted_standard=models.Standard.objects.get(code="DB31/T 310001-2020")
    )
    return 3
