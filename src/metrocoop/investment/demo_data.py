"""Demo data of investment coordination: five key chains (with missing and concentrated links), one demo enterprise
per city and chain, shared leads with a conflict, two promotion events, a sharing rule with two relocations (one
capped, one extended), two co-built parks with two years of figures (one posted), and a land-quota transfer.

Idempotent. The chains' links and their GB/T 4754-2017 codes are real; enterprises, their credit codes (valid by
GB 32100 but invented) and all figures are illustrative, not data of real firms.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from metrocoop.core.models import City, User
from metrocoop.investment import creditcode, services
from metrocoop.investment.models import (
    Chain,
    Enterprise,
    LandQuotaTransfer,
    Lead,
    Link,
    Park,
    ParkYear,
    PromotionEvent,
    Relocation,
)

WAN = 10_000 * 100  # 1 万元 in fen

REGION = {
    "SH": "310000",
    "SZ": "320500",
    "WX": "320200",
    "CZ": "320400",
    "NT": "320600",
    "NB": "330200",
    "JX": "330400",
    "HZ": "330500",
    "ZS": "330900",
}

# The demo industry chains, as `services.do_save_chain` takes them, each link with the cities whose demo firms
# hold it
CHAINS_FILE = Path(__file__).parent / "data" / "demo_chains.json"

SIZE = ["large", "medium", "small", "medium", "small"]

# The demo sharing rule's terms (the tests' rule has the same): the origin city's share of the moved firm's local tax
# is a half for three years, extendable by two while the cap (the firm's taxes of the three years before) is not reached
SHARING_TERMS = {
    "valid_from": date(2020, 1, 1),
    "origin_share": Decimal("0.5"),
    "years": 3,
    "extension_years": 2,
    "cap_years_before": 3,
}


def demo_credit_code(city: str, seed: str) -> str:
    """An invented code valid by GB 32100 (and GB 11714) for demo firms: 91 + the city's region code + an
    organisation code derived from ``seed`` + the check character."""
    digits = str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:8]
    org = digits + creditcode.organisation_check(digits)
    first17 = "91" + REGION.get(city, "310000") + org
    return first17 + creditcode.check_character(first17)


def _load_chains(office) -> tuple[dict[tuple[str, str], list[str]], dict[str, dict]]:
    """Saves the demo chains; returns which links each (chain, city) holds, and the chains by code."""
    chains = json.loads(CHAINS_FILE.read_text(encoding="utf-8"))
    holders: dict[tuple[str, str], list[str]] = {}
    for i, chain in enumerate(chains):
        for segment in chain["segments"]:
            for link in segment["links"]:
                for city in link.pop("cities"):
                    holders.setdefault((chain["code"], city), []).append(link["code"])
        services.do_save_chain({**chain, "sort_order": i}, actor=office)
    return holders, {chain["code"]: chain for chain in chains}


def _load_enterprises(office, holders, chains, cities) -> None:
    links = {link.code: link for link in Link.objects.all()}
    for n, ((chain, city), codes) in enumerate(sorted(holders.items())):
        if city not in cities:
            continue
        chain_zh, chain_en = chains[chain]["name_zh"], chains[chain]["name_en"]
        code = demo_credit_code(city, f"{chain}:{city}")
        if Enterprise.objects.filter(credit_code=code).exists():
            continue
        services.do_create_enterprise(
            {
                "name_zh": f"{cities[city].name_zh}{chain_zh}示例企业有限公司",
                "name_en": f"{cities[city].name_en} {chain_en} Demo Co., Ltd.",
                "credit_code": code,
                "city": cities[city],
                "links": [links[c] for c in codes],
                "size_band": SIZE[n % len(SIZE)],
            },
            actor=office,
        )


def _load_leads(cities) -> None:
    if Lead.objects.exists():
        return
    sz, nt, nb = (User.objects.get(username=f"liaison-{c}") for c in ("sz", "nt", "nb"))
    chip = Link.objects.get(code="nev-chip")
    # SZ registers first; NT (which lacks automotive chips) registers the same target: a conflict that the
    # missing-link rule decides for NT.
    services.do_register_lead(
        {
            "city": cities["SZ"],
            "target_name": "莱茵示例汽车电子股份公司",
            "target_country": "德国 Germany",
            "link": chip,
            "note": "拟在长三角设立功率半导体封测基地",
        },
        actor=sz,
    )
    services.do_register_lead(
        {
            "city": cities["NT"],
            "target_name": "莱茵示例汽车电子股份公司",
            "target_country": "德国 Germany",
            "link": chip,
            "note": "对接南通整车及零部件配套需求",
        },
        actor=nt,
    )
    services.do_register_lead(
        {
            "city": cities["NB"],
            "target_name": "北海示例疫苗公司",
            "target_country": "丹麦 Denmark",
            "link": Link.objects.get(code="bio-vaccine"),
        },
        actor=nb,
    )


def _load_events(office, cities) -> None:
    if PromotionEvent.objects.exists():
        return
    chains = {c.code: c for c in Chain.objects.all()}
    services.do_create_event(
        {
            "title": "上海大都市圈新能源汽车产业链联合推介会（慕尼黑）",
            "host_city": cities["SH"],
            "partner_cities": [cities["SZ"], cities["NT"], cities["CZ"]],
            "chains": [chains["nev"]],
            "country": "德国 Germany",
            "venue": "München",
            "held_on": date(2026, 9, 15),
        },
        actor=office,
    )
    services.do_create_event(
        {
            "title": "长三角生物医药联合招商会（东京）",
            "host_city": cities["SZ"],
            "partner_cities": [cities["SH"], cities["NB"]],
            "chains": [chains["bio"]],
            "country": "日本 Japan",
            "venue": "東京",
            "held_on": date(2026, 11, 5),
        },
        actor=office,
    )


def _load_relocations(office, cities) -> None:
    rule = services.do_save_rule({"name": "上海大都市圈企业迁移利税分享办法（示例）", **SHARING_TERMS}, actor=office)
    if Relocation.objects.exists():
        return
    movers = [
        # capped: 400 + 450 万元 then only 350 of 500 under the 1,200 万元 cap
        ("bio", "SH", "JX", date(2022, 6, 30), 2023, 1200 * WAN, {2023: 800 * WAN, 2024: 900 * WAN, 2025: 1000 * WAN}),
        # extended: 150 万元 a year stays under the 2,000 万元 cap after three years, so 2024 is shared too
        (
            "equipment",
            "CZ",
            "NT",
            date(2020, 9, 1),
            2021,
            2000 * WAN,
            {2021: 300 * WAN, 2022: 300 * WAN, 2023: 300 * WAN, 2024: 300 * WAN},
        ),
    ]
    for chain, origin, destination, moved_on, first, cap, taxes in movers:
        enterprise = Enterprise.objects.get(credit_code=demo_credit_code(origin, f"{chain}:{origin}"))
        relocation = services.do_register_relocation(
            {
                "enterprise": enterprise,
                "destination": cities[destination],
                "moved_on": moved_on,
                "first_sharing_year": first,
                "cap_basis_fen": cap,
            },
            actor=office,
        )
        assert relocation.rule == rule
        for year, tax in taxes.items():
            services.do_enter_relocation_tax(relocation, year=year, tax_fen=tax, actor=office)


PARKS = [
    (
        "sh-nt-shibei",
        "上海市北高新（南通）科技城",
        "Shanghai Shibei Hi-Tech (Nantong) Science City",
        "NT",
        "SH",
        "沪通共建园区利益分享协议（示例）",
        [
            {"start_year": 2019, "end_year": 2023, "tax_host": 4, "tax_partner": 6, "gdp_host": 5,
             "gdp_partner": 5, "land_host": 10, "land_partner": 0},
            {"start_year": 2024, "end_year": None, "tax_host": 6, "tax_partner": 4, "gdp_host": 7,
             "gdp_partner": 3, "land_host": 8, "land_partner": 2},
        ],
        {2023: (12_345_678_901, 98_765_432_109, 120_000), 2024: (15_000_000_003, 110_000_000_001, 80_001)},
    ),
    (
        "sh-jx-caohejing",
        "漕河泾新技术开发区海宁分区",
        "Caohejing Hi-Tech Park, Haining Branch",
        "JX",
        "SH",
        "漕河泾海宁分区合作协议（示例）",
        [
            {"start_year": 2020, "end_year": None, "tax_host": 2, "tax_partner": 1, "gdp_host": 1,
             "gdp_partner": 1, "land_host": 1, "land_partner": 0},
        ],
        {2024: (8_000_000_001, 52_000_000_001, 45_000), 2025: (9_100_000_002, 60_300_000_005, 30_000)},
    ),
]  # fmt: skip


def _load_parks(office, cities) -> None:
    for code, zh, en, host, partner, title, phases, years in PARKS:
        park = Park.objects.filter(code=code).first()
        if park is None:
            park = services.do_create_park(
                {
                    "code": code,
                    "name_zh": zh,
                    "name_en": en,
                    "host": cities[host],
                    "partner": cities[partner],
                    "agreement_title": title,
                    "signed_on": date(min(p["start_year"] for p in phases) - 1, 12, 1),
                    "phases": phases,
                },
                actor=office,
            )
        host_liaison = User.objects.get(username=f"liaison-{host.lower()}")
        for i, (year, (tax, gdp, land)) in enumerate(sorted(years.items())):
            if ParkYear.objects.filter(park=park, year=year).exists():
                continue
            row = services.do_enter_park_year(
                park, {"year": year, "tax_fen": tax, "gdp_fen": gdp, "land_quota_m2": land}, actor=host_liaison
            )
            if i == 0:
                services.do_post_park_year(row, actor=host_liaison)
    if not LandQuotaTransfer.objects.exists():
        services.do_register_land_transfer(
            {
                "park": Park.objects.get(code="sh-jx-caohejing"),
                "from_city": cities["JX"],
                "to_city": cities["SH"],
                "quota_m2": 20_000,
                "compensation_fen": 600 * WAN,
                "agreed_on": date(2025, 3, 1),
                "note": "示例：园区扩区用地指标调剂",
            },
            actor=office,
        )


def load() -> str:
    office = User.objects.get(username="office")
    cities = {c.code: c for c in City.objects.all()}
    holders, chains = _load_chains(office)
    _load_enterprises(office, holders, chains, cities)
    _load_leads(cities)
    _load_events(office, cities)
    _load_relocations(office, cities)
    _load_parks(office, cities)
    return (
        f"investment: {Chain.objects.count()} chains, {Enterprise.objects.count()} enterprises, "
        f"{Lead.objects.count()} leads, {Relocation.objects.count()} relocations, {Park.objects.count()} parks"
    )
