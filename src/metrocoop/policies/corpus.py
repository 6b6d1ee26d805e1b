"""The demo corpus of the policy library: documents written for the demo (fictitious; realistic in form), built
deterministically from the templates of data/demo_corpus.toml and per-city parameters. Pure data: no ORM
(demo_data.py loads it through the services; benchmarks/policies_scale.py multiplies it).

Every document has a stable key (`<city>-<topic>-<year>`), which the relevance set refers to."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SOURCE = "演示语料（为平台演示撰写，非真实文件）"
# The texts: one template a topic, filled in for each member city, and the regional and provincial documents
CORPUS_FILE = Path(__file__).parent / "data" / "demo_corpus.toml"


@dataclass(frozen=True)
class CityParams:
    code: str
    name: str  # 苏州市
    abbr: str  # 苏
    province: str  # JS
    index: int
    talent_salary_wan: int  # 年薪门槛（万元）
    talent_home_wan: int  # 安家补贴（万元）
    hitech_reward_wan: int  # 首次认定奖励（万元）
    hitech_rd_ratio: int  # 研发费用占比门槛（%）
    permit_days: int  # 排污许可审批时限（工作日）
    medical_filing_days: int  # 异地就医备案办理时限（工作日）
    medical_ratio: int  # 转外就医报销比例（%）
    license_days: int  # 营业执照办理时限（工作日）
    land_tax_wan: int  # 亩均税收门槛（万元/亩）
    land_years: int  # 工业用地出让年限（年）
    bed_subsidy: int  # 床位建设补贴（元/张）
    abbreviate_eia: bool  # 文件中是否用"环评"简称


CITIES: tuple[CityParams, ...] = (
    CityParams("SH", "上海市", "沪", "SH", 0, 100, 300, 50, 6, 15, 1, 90, 1, 80, 20, 25000, True),
    CityParams("SZ", "苏州市", "苏", "JS", 1, 80, 250, 40, 5, 20, 3, 85, 2, 50, 20, 20000, False),
    CityParams("WX", "无锡市", "锡", "JS", 2, 60, 200, 30, 5, 20, 3, 85, 2, 40, 30, 15000, True),
    CityParams("CZ", "常州市", "常", "JS", 3, 50, 150, 30, 4, 25, 5, 80, 3, 35, 30, 15000, False),
    CityParams("NT", "南通市", "通", "JS", 4, 50, 120, 20, 4, 25, 5, 80, 3, 30, 30, 12000, True),
    CityParams("NB", "宁波市", "甬", "ZJ", 5, 80, 250, 40, 5, 15, 2, 85, 1, 45, 20, 20000, False),
    CityParams("JX", "嘉兴市", "嘉", "ZJ", 6, 50, 150, 30, 4, 20, 2, 85, 1, 35, 30, 15000, True),
    CityParams("HZ", "湖州市", "湖", "ZJ", 7, 50, 120, 20, 4, 20, 3, 80, 2, 30, 30, 12000, False),
    CityParams("ZS", "舟山市", "舟", "ZJ", 8, 40, 100, 20, 3, 30, 5, 75, 3, 25, 40, 10000, True),
)


@dataclass
class DemoDocument:
    key: str
    title: str
    doc_number: str
    issuer: str
    level: str
    city: str | None
    province: str | None
    kind: str
    issued_on: str
    effective_on: str
    domains: list[str]
    text: str
    topic: str = ""
    relations: list[tuple[str, str]] = field(default_factory=list)  # (kind, target key)


def _articles(*paragraphs: str) -> str:
    numerals = "一二三四五六七八九十"
    out = []
    for i, p in enumerate(paragraphs):
        n = numerals[i] if i < 10 else "十" + numerals[i - 10]
        out.append(f"第{n}条　{p}")
    return "\n".join(out)


def _topic_values(topic: str, c: CityParams, year: int, old: bool) -> dict[str, Any]:
    """What a topic's texts say beyond the city's parameters, the year and the dates."""
    if topic == "talent":
        return {
            "tier": "（试行）" if old else "",
            "repeal": "" if old else "原试行办法同时废止。",
            "home_years": 3 if c.index % 2 else 5,
        }
    if topic == "hitech":
        return {"half_reward_wan": c.hitech_reward_wan // 2, "until_year": year + 4}
    if topic == "permit":
        return {
            "eia": "环评" if c.abbreviate_eia else "环境影响评价",
            "eia_doc": "环评文件" if c.abbreviate_eia else "环境影响评价文件",
        }
    if topic == "industry":
        return {
            "encouraged": "海洋工程装备；" if c.code in ("ZS", "NB", "NT") else "人工智能软件开发；",
            "restricted": "化学原料药新建项目；" if c.index % 2 else "新建平板玻璃项目；",
        }
    return {}


def _month(rule: dict[str, int], c: CityParams) -> int:
    return rule["month"] + c.index % rule["spread"]


def _municipal(topic: str, spec: dict[str, Any], c: CityParams, year: int, old: bool = False) -> DemoDocument:
    """A city's document on one topic of the corpus file (an earlier, trial version with `old`)."""
    issued, effective = _month(spec["issued"], c), _month(spec["effective"], c)
    values = {
        **asdict(c),
        **_topic_values(topic, c, year, old),
        "year": year,
        "number": spec["number_from"] + c.index,
        "effective_month": effective,
    }
    return DemoDocument(
        key=f"{c.code.lower()}-{topic}-{year}",
        title=spec["title"].format(**values),
        doc_number=spec["doc_number"].format(**values),
        issuer=spec["issuer"].format(**values),
        level="municipal",
        city=c.code,
        province=c.province,
        kind=spec["kind"],
        issued_on=f"{year}-{issued:02d}-{spec['issued']['day']:02d}",
        effective_on=f"{year}-{effective:02d}-{spec['effective']['day']:02d}",
        domains=list(spec["domains"]),
        text=_articles(*(article.format(**values) for article in spec["articles"])),
        topic=topic,
    )


def _document(row: dict[str, Any]) -> DemoDocument:
    """A regional, provincial or national document of the corpus file, as it stands there."""
    fields = {key: value for key, value in row.items() if key != "articles"}
    return DemoDocument(**{"city": None, "province": None, **fields}, text=_articles(*row["articles"]))


def _with_tail(doc: DemoDocument, city_name: str, tail: list[str]) -> None:
    """Add the organisation, coordination and supervision articles every document has, before the last article."""
    word = next((w for w in ("办法", "措施", "细则", "方案", "目录", "规则") if w in doc.title), "规定")
    articles = [t.format(issuer=doc.issuer, word=word, city_name=city_name) for t in tail]
    paragraphs = [line.split("\u3000", 1)[1] for line in doc.text.splitlines()]
    doc.text = _articles(*paragraphs[:-1], *articles, paragraphs[-1], f"本{word}由{doc.issuer}负责解释。")


def demo_documents() -> list[DemoDocument]:
    """All demo documents, in an order that lets relations point back to earlier documents."""
    corpus = tomllib.loads(CORPUS_FILE.read_text(encoding="utf-8"))
    topics = corpus["topic"]
    docs = [_document(row) for row in corpus["document"]]
    for c in CITIES:
        for topic, spec in topics.items():
            year = spec["year"] + (c.index % 3 == 2 and topic not in ("talent",))  # spread the years a little
            docs.append(_municipal(topic, spec, c, year))
    # earlier versions: repealed by the current talent rules (SH, SZ, WX, NB), amended (CZ permit rules)
    for code in ("SH", "SZ", "WX", "NB"):
        c = next(x for x in CITIES if x.code == code)
        old = _municipal("talent", topics["talent"], c, 2018, old=True)
        docs.insert(5, old)
        new = next(d for d in docs if d.key == f"{code.lower()}-talent-2023")
        new.relations.append(("repeals", old.key))
    cz_old = _municipal("permit", topics["permit"], next(x for x in CITIES if x.code == "CZ"), 2019)
    docs.insert(5, cz_old)
    next(d for d in docs if d.key == "cz-permit-2022").relations.append(("amends", cz_old.key))
    for d in docs:
        if d.topic == "medical" and d.city:
            d.relations.append(("implements", "region-medical-2022"))
        if d.topic == "hitech" and d.city:
            d.relations.append(("cites", "national-hitech-2016"))
            if d.province == "JS":
                d.relations.append(("implements", "js-hitech-2021"))
        if d.topic == "permit" and d.province == "ZJ":
            d.relations.append(("implements", "zj-permit-2022"))
        _with_tail(d, next((c.name for c in CITIES if c.code == d.city), "各成员城市"), corpus["tail"])
    return docs
