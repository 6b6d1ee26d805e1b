"""The pages as people use them: who sees what, who may change what; lists with a bounded number of queries."""

import pytest
from django.urls import reverse

from metrocoop.core.testing import snapshot
from metrocoop.investment.demo_data import demo_credit_code
from metrocoop.investment.models import Enterprise, Lead, ParkYear
from metrocoop.ledger.models import Transfer

pytestmark = [pytest.mark.django_db, pytest.mark.demo_data("investment")]


@pytest.mark.parametrize("user", [None, "liaison-sz", "office", "auditor"])
def test_every_page_answers(browser_client, demo, user):
    from metrocoop.investment.models import Park

    client = browser_client(user)
    park = Park.objects.first()
    for url in (
        reverse("investment:index"),
        reverse("investment:chain", args=["ic"]),
        reverse("investment:gaps"),
        reverse("investment:gaps") + "?chain=bio",
        reverse("investment:enterprises"),
        reverse("investment:leads"),
        reverse("investment:relocations"),
        reverse("investment:parks"),
        reverse("investment:park", args=[park.code]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url


def test_the_chain_page_draws_a_tree_coloured_by_cities(browser_client, demo):
    page = browser_client(None).get(reverse("investment:chain", args=["nev"])).content.decode()
    assert '"type": "tree"' in page and "#dc3545" in page  # a missing link (charging) in red
    assert 'data-link="nev-charging" class="table-danger"' in page


def test_the_credit_code_check_on_the_enterprise_page(browser_client, demo):
    page = browser_client(None).get(
        reverse("investment:enterprises"), {"codes": "91350100M000100Y43\n91350100M000100Y44"}
    )
    text = page.content.decode()
    assert 'data-valid="true"' in text and 'data-valid="false"' in text and "expected 3" in text


def test_a_liaison_adds_an_enterprise_only_in_its_city(browser_client, demo, reference):
    client = browser_client("liaison-sz")
    data = {"name_zh": "苏州新企业", "credit_code": demo_credit_code("SZ", "page"), "size_band": "small"}
    before = snapshot(Enterprise)
    response = client.post(reference and reverse("investment:enterprises"), {**data, "city": reference["WX"].pk})
    assert response.status_code == 200 and snapshot(Enterprise) == before  # WX is not a choice for SZ
    response = client.post(reverse("investment:enterprises"), {**data, "city": reference["SZ"].pk})
    assert response.status_code == 302
    assert Enterprise.objects.get(name_zh="苏州新企业").city.code == "SZ"


def test_a_bad_credit_code_is_shown_beside_the_field(browser_client, demo, reference):
    response = browser_client("liaison-sz").post(
        reverse("investment:enterprises"),
        {"name_zh": "甲", "credit_code": "91350100M000100Y44", "size_band": "small", "city": reference["SZ"].pk},
    )
    # the error sits in the credit-code field's own wrapper, right after its input (django-bootstrap5)
    html = response.content.decode()
    field = html.split('for="id_credit_code"', 1)[1].split('<div class="mb-2', 1)[0]
    assert "is-invalid" in field and "invalid-feedback" in field


def test_the_leads_page_highlights_the_conflict(browser_client, demo):
    text = browser_client("liaison-wx").get(reverse("investment:leads")).content.decode()
    assert "table-warning" in text and "conflict-" in text
    assert 'data-testid="rule"' in text


def test_a_liaison_registers_a_lead_on_the_page_and_sees_the_conflict(browser_client, demo, reference):
    from metrocoop.investment.models import Link

    link = Link.objects.get(code="bio-vaccine")
    response = browser_client("liaison-sh").post(
        reverse("investment:leads"), {"city": reference["SH"].pk, "target_name": "北海示例疫苗公司", "link": link.pk}
    )
    assert response.status_code == 302
    lead = Lead.objects.get(city=reference["SH"], target_name="北海示例疫苗公司")
    assert lead.conflict is not None  # NB pursues it too


def test_the_host_enters_and_posts_figures_on_the_page_the_partner_cannot(browser_client, demo):
    from metrocoop.investment.models import Park

    park = Park.objects.get(code="sh-nt-shibei")
    url = reverse("investment:park", args=[park.code])
    figures = {"year": 2025, "tax_yuan": "1234.57", "gdp_yuan": "100", "land_quota_m2": 7}
    before = snapshot(ParkYear)
    assert browser_client("liaison-sh").post(url, figures).status_code == 403
    assert snapshot(ParkYear) == before
    assert browser_client("liaison-nt").post(url, figures).status_code == 302
    row = ParkYear.objects.get(park=park, year=2025)
    assert row.tax_fen == 123457
    post = reverse("investment:park_post", args=[park.code, 2025])
    count = Transfer.objects.count()
    browser_client("liaison-sh").post(post)
    assert Transfer.objects.count() == count
    browser_client("liaison-nt").post(post)
    assert Transfer.objects.count() == count + 1
    page = browser_client("liaison-sh").get(url).content.decode()
    assert 'data-testid="posted"' in page and "post-2025" not in page


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_statements_download(browser_client, demo, fmt):
    response = browser_client("liaison-sh").get(reverse("investment:park_statement", args=["sh-nt-shibei", fmt]))
    assert response.status_code == 200
    body = response.content
    assert body[:2] == b"PK"  # both are zip containers
    from io import BytesIO

    if fmt == "xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(BytesIO(body)).active
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert len(rows) == 6
        # amounts are numbers (yuan, or m² for land) that add up, named items rather than codes
        assert all(isinstance(r[3], (int, float)) and abs(r[3] - r[4] - r[5]) < 0.005 for r in rows)
        assert {r[1] for r in rows} == {"地方税收（元）", "GDP 统计（元）", "土地指标（平方米）"}
    else:
        from docx import Document

        assert "利益分享结算单" in "\n".join(p.text for p in Document(BytesIO(body)).paragraphs)


def test_list_pages_use_a_bounded_number_of_queries(browser_client, demo, django_assert_max_num_queries):
    client = browser_client("office")
    for name in ("enterprises", "leads", "relocations", "parks", "index", "gaps"):
        with django_assert_max_num_queries(25):
            assert client.get(reverse(f"investment:{name}")).status_code == 200


def test_a_liaison_organises_an_event_for_its_own_city_only(browser_client, demo, reference):
    from metrocoop.investment.models import PromotionEvent

    event = {"title": "推介会", "country": "法国", "held_on": "2026-12-01", "partner_cities": [reference["SH"].pk]}
    client = browser_client("liaison-sz")
    before = snapshot(PromotionEvent)
    client.post(reverse("investment:event_create"), {**event, "host_city": reference["WX"].pk})
    assert snapshot(PromotionEvent) == before
    assert (
        client.post(reverse("investment:event_create"), {**event, "host_city": reference["SZ"].pk}).status_code == 302
    )
    created = PromotionEvent.objects.get(title="推介会")
    assert created.host_city.code == "SZ" and [c.code for c in created.partner_cities.all()] == ["SH"]


def test_only_the_office_registers_a_land_quota_transfer_on_the_page(browser_client, demo, reference):
    from metrocoop.investment.models import LandQuotaTransfer

    data = {
        "from_city": reference["HZ"].pk,
        "to_city": reference["SH"].pk,
        "quota_m2": 500,
        "compensation_yuan": "12.34",
        "agreed_on": "2026-01-01",
    }
    before = snapshot(LandQuotaTransfer)
    assert browser_client("liaison-hz").post(reverse("investment:land_transfer_create"), data).status_code == 403
    assert snapshot(LandQuotaTransfer) == before
    assert browser_client("office").post(reverse("investment:land_transfer_create"), data).status_code == 302
    row = LandQuotaTransfer.objects.get(from_city=reference["HZ"])
    assert row.compensation_fen == 1234 and row.transfer.amount_fen == 1234
