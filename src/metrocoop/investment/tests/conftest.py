import pytest

from metrocoop.investment.demo_data import SHARING_TERMS, demo_credit_code


@pytest.fixture
def office(demo_users):
    return demo_users["office"]


@pytest.fixture
def chain(office):
    """A small chain: design (SH, SZ), fab (SZ only), packaging (nobody)."""
    from metrocoop.investment import services

    return services.do_save_chain(
        {
            "code": "ic-test",
            "name_zh": "集成电路",
            "name_en": "Integrated circuits",
            "segments": [
                {
                    "position": "midstream",
                    "name_zh": "设计",
                    "name_en": "Design",
                    "links": [
                        {"code": "t-design", "name_zh": "芯片设计", "name_en": "Design", "industry_codes": ["6520"]}
                    ],
                },
                {
                    "position": "midstream",
                    "name_zh": "制造",
                    "name_en": "Fab",
                    "links": [
                        {"code": "t-fab", "name_zh": "晶圆制造", "name_en": "Fab", "industry_codes": ["3973"]},
                        {"code": "t-pack", "name_zh": "封装", "name_en": "Packaging", "industry_codes": ["3973"]},
                    ],
                },
            ],
        },
        actor=office,
    )


@pytest.fixture
def links(chain):
    from metrocoop.investment.models import Link

    return {link.code: link for link in Link.objects.filter(segment__chain=chain)}


def make_enterprise(city, links, seed, actor, size="medium"):
    from metrocoop.investment import services

    return services.do_create_enterprise(
        {
            "name_zh": f"{city.name_zh}{seed}测试企业",
            "credit_code": demo_credit_code(city.code, seed),
            "city": city,
            "links": links,
            "size_band": size,
        },
        actor=actor,
    )


@pytest.fixture
def enterprises(reference, links, office):
    return {
        "sh": make_enterprise(reference["SH"], [links["t-design"]], "sh-1", office),
        "sz": make_enterprise(reference["SZ"], [links["t-design"], links["t-fab"]], "sz-1", office),
    }


@pytest.fixture
def park(reference, office):
    """NT hosts, SH is the partner: 2020–2022 tax 4:6, gdp 1:1, land 7:3; from 2023 tax 6:4, gdp 7:3, land 1:0."""
    from metrocoop.investment import services

    return services.do_create_park(
        {
            "code": "nt-sh",
            "name_zh": "沪通合作园",
            "name_en": "Shanghai-Nantong Park",
            "host": reference["NT"],
            "partner": reference["SH"],
            "phases": [
                {"start_year": 2020, "end_year": 2022, "tax_host": 4, "tax_partner": 6, "gdp_host": 1,
                 "gdp_partner": 1, "land_host": 7, "land_partner": 3},
                {"start_year": 2023, "end_year": None, "tax_host": 6, "tax_partner": 4, "gdp_host": 7,
                 "gdp_partner": 3, "land_host": 1, "land_partner": 0},
            ],
        },
        actor=office,
    )  # fmt: skip


@pytest.fixture
def rule(office):
    from metrocoop.investment import services

    return services.do_save_rule({"name": "测试分享办法", **SHARING_TERMS}, actor=office)
