"""`metrocoop investment …` with --json: the exact shapes the issue names."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from metrocoop.investment import services

pytestmark = pytest.mark.django_db


def _run(*args) -> object:
    out = StringIO()
    call_command("investment", *args, stdout=out)
    return json.loads(out.getvalue())


def test_credit_code_json_reports_each_code_and_does_not_fail_on_invalid_ones():
    result = _run("credit-code", "91350100M000100Y43", "91350100M000100Y4", "9144030071526726XG", "--json")
    assert [r["code"] for r in result] == ["91350100M000100Y43", "91350100M000100Y4", "9144030071526726XG"]
    assert [r["valid"] for r in result] == [True, False, True]
    assert result[0]["reason"] in (None, "") and "18" in result[1]["reason"]


def test_parks_and_park_shares_json(reference, demo_users, park):
    for year, tax in ((2022, 1000), (2023, 999)):
        services.do_enter_park_year(
            park, {"year": year, "tax_fen": tax, "gdp_fen": 7, "land_quota_m2": 5}, actor=demo_users["liaison-nt"]
        )
    parks = _run("parks", "--json")
    assert {"code": "nt-sh", "host": "NT", "partner": "SH", "years": [2022, 2023]}.items() <= parks[0].items()
    assert set(parks[0]) >= {"code", "name", "host", "partner", "years"}
    shares = _run("park-shares", "--park", "nt-sh", "--year", "2023", "--json")
    assert shares == {
        "park": "nt-sh",
        "year": 2023,
        "items": [
            {"item": "tax", "total": 999, "NT": 599, "SH": 400},  # 599.4 / 399.6: the leftover to SH's .6
            {"item": "gdp", "total": 7, "NT": 5, "SH": 2},  # 4.9 / 2.1
            {"item": "land_quota", "total": 5, "NT": 5, "SH": 0},
        ],
    }


def test_park_shares_for_a_year_without_figures_fails(reference, park):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("investment", "park-shares", "--park", "nt-sh", "--year", "2030", "--json", stdout=StringIO())
