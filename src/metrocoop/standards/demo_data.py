"""Demo data of the standards mechanism, after the paper's §二(四) examples: discharge limits of urban wastewater
treatment plants (COD, NH3-N, TP) that differ between the Shanghai, Jiangsu and Zhejiang standards, a cross-border
river water-quality target, and talent and high-tech recognition with one-way gaps.

Every row is marked illustrative: the codes are real standards, but the values are rounded demo figures chosen to
show the mechanism, not quotations to rely on; check the standard's text. Idempotent: each step looks for what an
earlier run made.
"""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from metrocoop.core.models import City, User
from metrocoop.standards import models, services
from metrocoop.standards.choices import StandardDomain

# The catalogue's demo standards: code, names, level, issuer, domain, dates, the code of the standard replaced
STANDARDS_FILE = Path(__file__).parent / "data" / "demo_standards.csv"
# The demo unification proposals, their city, parameter and type of result named by code
PROPOSALS_FILE = Path(__file__).parent / "data" / "demo_proposals.json"

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

# Which city recognises which other city's results of a type, from when to when, for what, on what conditions
RECOGNITIONS_FILE = Path(__file__).parent / "data" / "demo_recognitions.csv"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


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
    for row in _csv(STANDARDS_FILE):
        if models.Standard.objects.filter(code=row["code"]).exists():
            continue
        replaces = row.pop("replaces")
        services.do_create_standard(
            {
                **row,
                "issued_on": _date(row["issued_on"]),
                "effective_on": _date(row["effective_on"]),
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
    for row in _csv(RECOGNITIONS_FILE):
        tcode, a, b, start = row["type"], row["issuing_city"], row["recognising_city"], _date(row["valid_from"])
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
                "scope": row["scope"],
                "conditions": row["conditions"],
                "valid_from": start,
                "valid_to": _date(row["valid_to"]),
                "illustrative": True,
            },
            actor=office,
        )
        made += 1
    return made


def _propose(office, cities, params, fields: dict) -> models.UnificationProposal:
    """One demo proposal of PROPOSALS_FILE, its city, parameter and type of result named there by code."""
    return services.do_propose(
        {
            **fields,
            "lead_city": cities[fields["lead_city"]],
            "parameter": params.get(fields.get("parameter")),
            "recognition_type": models.RecognitionType.objects.filter(code=fields.get("recognition_type")).first(),
            "illustrative": True,
        },
        actor=office,
    )


def _proposals(office, cities, params) -> int:
    if models.UnificationProposal.objects.filter(illustrative=True).exists() or not {"SH", "SZ", "JX"} <= set(cities):
        return 0
    deadline = timezone.localdate() + timedelta(days=30)
    tp_fields, talent_fields, testing_fields = json.loads(PROPOSALS_FILE.read_text(encoding="utf-8"))
    tp = _propose(office, cities, params, tp_fields)
    services.do_advance_proposal(tp, actor=office)  # → drafting
    talent = _propose(office, cities, params, talent_fields)
    services.do_advance_proposal(talent, actor=office)
    services.do_advance_proposal(talent, actor=office, deadline=deadline)  # → consultation
    for code in ("SH", "SZ"):
        services.do_sign_proposal(talent, cities[code], actor=office)
    testing = _propose(office, cities, params, testing_fields)
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
