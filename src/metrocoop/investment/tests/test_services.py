"""Services against the real database: lead conflicts, relocations, park shares posted once, land quota, scope."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from metrocoop.core.errors import Conflict
from metrocoop.core.models import Notification
from metrocoop.core.testing import snapshot
from metrocoop.investment import services
from metrocoop.investment.models import Enterprise, Lead, LeadConflict, ParkYear
from metrocoop.ledger.models import Account, Transfer
from metrocoop.ledger.services import verify_ledger

pytestmark = pytest.mark.django_db


def _lead(city, link, user, name="莱茵汽车电子"):
    return services.do_register_lead({"city": city, "target_name": name, "link": link}, actor=user)


def test_two_cities_on_one_target_are_both_told_and_the_city_lacking_the_link_leads(
    reference, demo_users, links, enterprises
):
    # given SZ already has a fab enterprise and SH has none
    sz_lead = _lead(reference["SZ"], links["t-fab"], demo_users["liaison-sz"])
    assert sz_lead.conflict is None
    # when SH registers the same target (name written differently) later
    sh_lead = _lead(reference["SH"], links["t-fab"], demo_users["liaison-sh"], name="莱茵 汽车电子 ")
    # then both are in one conflict, SH leads by the missing-link rule, both liaisons are notified
    conflict = LeadConflict.objects.get()
    assert {sz_lead.pk, sh_lead.pk} == set(conflict.leads.values_list("pk", flat=True))
    assert conflict.rule == "missing_link" and conflict.leading_id == sh_lead.pk
    told = set(
        Notification.objects.filter(kind="investment.lead_conflict").values_list("recipient__username", flat=True)
    )
    assert {"liaison-sz", "liaison-sh", "office"} <= told
    assert "liaison-wx" not in told


def test_first_registered_leads_when_both_hold_the_link_and_the_office_can_overrule(
    reference, demo_users, links, enterprises
):
    first = _lead(reference["SH"], links["t-design"], demo_users["liaison-sh"])
    second = _lead(reference["SZ"], links["t-design"], demo_users["liaison-sz"])
    conflict = LeadConflict.objects.get()
    assert (conflict.rule, conflict.leading_id) == ("first_registered", first.pk)
    # a liaison cannot decide
    with pytest.raises(PermissionDenied):
        services.do_decide_conflict(conflict, second, actor=demo_users["liaison-sz"])
    services.do_decide_conflict(conflict, second, actor=demo_users["office"])
    conflict.refresh_from_db()
    assert (conflict.rule, conflict.leading_id) == ("office", second.pk)


def test_withdrawing_ends_the_conflict(reference, demo_users, links):
    a = _lead(reference["SH"], links["t-pack"], demo_users["liaison-sh"])
    _lead(reference["SZ"], links["t-pack"], demo_users["liaison-sz"])
    services.do_update_lead(a, {"status": "withdrawn"}, actor=demo_users["liaison-sh"])
    assert LeadConflict.objects.get().status == "resolved"


def test_a_liaison_registers_leads_only_for_its_own_city(reference, demo_users, links):
    before = snapshot(Lead)
    with pytest.raises(PermissionDenied):
        _lead(reference["SZ"], links["t-fab"], demo_users["liaison-wx"])
    assert snapshot(Lead) == before


def test_an_enterprise_with_a_bad_credit_code_is_refused_and_nothing_is_saved(reference, demo_users, links):
    before = snapshot(Enterprise)
    with pytest.raises(ValidationError) as exc:
        services.do_create_enterprise(
            {"name_zh": "甲", "credit_code": "91350100M000100Y44", "city": reference["SZ"], "size_band": "small"},
            actor=demo_users["liaison-sz"],
        )
    assert "credit_code" in exc.value.message_dict
    assert snapshot(Enterprise) == before


def test_a_liaison_cannot_move_its_enterprise_into_another_city(reference, demo_users, enterprises):
    firm = enterprises["sz"]
    with pytest.raises(PermissionDenied):
        services.do_update_enterprise(firm, {"city": reference["WX"]}, actor=demo_users["liaison-sz"])
    firm.refresh_from_db()
    assert firm.city == reference["SZ"]


def test_relocation_notifies_the_origin_applies_the_rule_and_posts_capped_shares(
    reference, demo_users, rule, enterprises
):
    firm = enterprises["sh"]
    relocation = services.do_register_relocation(
        {
            "enterprise": firm,
            "destination": reference["JX"],
            "moved_on": date(2022, 6, 30),
            "first_sharing_year": 2023,
            "cap_basis_fen": 1_000_000,
        },
        actor=demo_users["liaison-jx"],
    )
    firm.refresh_from_db()
    assert firm.city == reference["JX"] and relocation.origin == reference["SH"] and relocation.rule == rule
    from auditlog.models import LogEntry

    moved = LogEntry.objects.get_for_object(firm).order_by("-id").first()
    assert "city" in moved.changes_dict and moved.actor == demo_users["liaison-jx"]
    assert Notification.objects.filter(kind="investment.relocation", recipient__username="liaison-sh").exists()
    # the origin's liaison cannot enter the destination's tax
    with pytest.raises(PermissionDenied):
        services.do_enter_relocation_tax(relocation, year=2023, tax_fen=1, actor=demo_users["liaison-sh"])
    shares = [
        services.do_enter_relocation_tax(relocation, year=y, tax_fen=t, actor=demo_users["liaison-jx"]).origin_fen
        for y, t in ((2023, 1_200_000), (2024, 1_000_000))
    ]
    assert shares == [600_000, 400_000]  # capped at 1,000,000 in all
    origin = Account.objects.get(code="investment:city:SH")
    assert origin.balance_fen == 1_000_000
    # the same year again with the same figure changes nothing; another figure is a conflict
    count = Transfer.objects.count()
    services.do_enter_relocation_tax(relocation, year=2024, tax_fen=1_000_000, actor=demo_users["liaison-jx"])
    with pytest.raises(Conflict):
        services.do_enter_relocation_tax(relocation, year=2024, tax_fen=5, actor=demo_users["liaison-jx"])
    assert Transfer.objects.count() == count
    assert verify_ledger().ok


def test_park_year_shares_are_posted_once_and_add_up(reference, demo_users, park):
    host = demo_users["liaison-nt"]
    row = services.do_enter_park_year(
        park, {"year": 2021, "tax_fen": 1_000_001, "gdp_fen": 333, "land_quota_m2": 10}, actor=host
    )
    result = services.park_shares(park, 2021)
    assert result == {
        "park": "nt-sh",
        "year": 2021,
        "items": [
            {"item": "tax", "total": 1_000_001, "NT": 400_000, "SH": 600_001},
            {"item": "gdp", "total": 333, "NT": 167, "SH": 166},
            {"item": "land_quota", "total": 10, "NT": 7, "SH": 3},
        ],
    }
    services.do_post_park_year(row, actor=host)
    count = Transfer.objects.count()
    services.do_post_park_year(row, actor=host)  # posting twice does nothing
    services.do_post_park_year(ParkYear.objects.get(pk=row.pk), actor=demo_users["office"])
    assert Transfer.objects.count() == count
    t = Transfer.objects.get(client_id="investment:park:nt-sh:2021:tax")
    assert (t.amount_fen, t.debit_account.code, t.credit_account.code) == (
        600_001,
        "investment:city:SH",
        "investment:city:NT",
    )
    with pytest.raises(Conflict):
        services.do_enter_park_year(park, {"year": 2021, "tax_fen": 1, "gdp_fen": 333, "land_quota_m2": 10}, actor=host)
    assert verify_ledger().ok


def test_only_the_host_enters_figures(reference, demo_users, park):
    before = snapshot(ParkYear)
    for user in ("liaison-sh", "liaison-wx", "auditor"):
        with pytest.raises(PermissionDenied):
            services.do_enter_park_year(
                park, {"year": 2024, "tax_fen": 1, "gdp_fen": 1, "land_quota_m2": 1}, actor=demo_users[user]
            )
    assert snapshot(ParkYear) == before


def test_a_year_outside_every_phase_is_refused(reference, demo_users):
    from metrocoop.investment.models import Park

    park = services.do_create_park(
        {
            "code": "late",
            "name_zh": "园",
            "name_en": "Park",
            "host": reference["NT"],
            "partner": reference["SH"],
            "phases": [{"start_year": 2025, "end_year": None, "tax_host": 1, "tax_partner": 1, "gdp_host": 1,
                        "gdp_partner": 1, "land_host": 1, "land_partner": 1}],
        },
        actor=demo_users["office"],
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.do_enter_park_year(
            park, {"year": 2024, "tax_fen": 1, "gdp_fen": 1, "land_quota_m2": 1}, actor=demo_users["office"]
        )
    assert Park.objects.get(code="late").years.count() == 0


def test_overlapping_phases_are_refused(reference, demo_users):
    phase = {"tax_host": 1, "tax_partner": 1, "gdp_host": 1, "gdp_partner": 1, "land_host": 1, "land_partner": 1}
    with pytest.raises(ValidationError):
        services.do_create_park(
            {
                "code": "bad",
                "name_zh": "园",
                "name_en": "Park",
                "host": reference["NT"],
                "partner": reference["SH"],
                "phases": [
                    {"start_year": 2020, "end_year": 2024, **phase},
                    {"start_year": 2023, "end_year": None, **phase},
                ],
            },
            actor=demo_users["office"],
        )


def test_land_quota_compensation_goes_through_the_ledger(reference, demo_users):
    row = services.do_register_land_transfer(
        {
            "from_city": reference["JX"],
            "to_city": reference["SH"],
            "quota_m2": 20_000,
            "compensation_fen": 6_000_000,
            "agreed_on": date(2025, 3, 1),
        },
        actor=demo_users["office"],
    )
    assert row.transfer.client_id == f"investment:land:{row.pk}"
    assert Account.objects.get(code="investment:city:JX").balance_fen == 6_000_000
    assert Account.objects.get(code="investment:city:SH").balance_fen == -6_000_000
    with pytest.raises(PermissionDenied):
        services.do_register_land_transfer(
            {
                "from_city": reference["JX"],
                "to_city": reference["SH"],
                "quota_m2": 1,
                "compensation_fen": 1,
                "agreed_on": date(2025, 3, 1),
            },
            actor=demo_users["liaison-jx"],
        )


def test_gap_report_from_the_database(reference, enterprises, chain):
    report = services.gap_report(chain)
    assert report.missing_in_area == ("t-pack",)
    assert report.concentrated == {"t-fab": "SZ"}
    assert "t-fab" in report.missing_by_city["SH"]


def test_the_demo_loads_twice_with_everything_the_issue_asks_for(reference, demo_users):
    from metrocoop.investment.demo_data import load
    from metrocoop.investment.models import Chain, Park, Relocation

    load()
    counts = (Chain.objects.count(), Park.objects.count(), Relocation.objects.count(), Transfer.objects.count())
    load()
    assert (Chain.objects.count(), Park.objects.count(), Relocation.objects.count(), Transfer.objects.count()) == counts
    gaps = {c.code: services.gap_report(c) for c in Chain.objects.all()}
    assert sum(1 for r in gaps.values() if r.missing_in_area) >= 2
    assert all(p.years.count() >= 2 for p in Park.objects.all()) and Park.objects.count() >= 2
    assert LeadConflict.objects.filter(status="open").exists()
    assert verify_ledger().ok
