"""The web shell as people meet it: public pages, scoped editing, the audit page, languages, no broken links."""

import re

import pytest
from auditlog.models import LogEntry

from metrocoop.core.models import City
from metrocoop.core.testing import snapshot
from metrocoop.web.modules import MODULES

pytestmark = pytest.mark.django_db


def test_dashboard_shows_every_member_city_and_table1_with_a_chart(browser_client, reference):
    response = browser_client(None).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for city in reference.values():
        assert city.name_zh in html
    assert "38,155.32" in html and "69,442" in html  # 上海 GDP and disposable income from 表1
    assert 'data-chart="dashboard-chart"' in html and 'id="dashboard-chart"' in html


def test_chinese_first_whatever_the_browser_asks_and_english_on_request(browser_client, reference):
    client = browser_client(None)
    assert "总览" in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    response = client.post("/language/", {"language": "en", "next": "/cities/"})
    assert response.status_code == 302 and response["Location"] == "/cities/"
    html = client.get("/cities/").content.decode()
    assert "Member cities" in html and "Dashboard" in html


def test_a_signed_in_users_language_is_remembered_on_the_account(browser_client, demo_users):
    client = browser_client("liaison-nt")
    client.post("/language/", {"language": "en", "next": "/"})
    demo_users["liaison-nt"].refresh_from_db()
    assert demo_users["liaison-nt"].language == "en"
    fresh = browser_client("liaison-nt")  # another browser, no cookie
    assert "Dashboard" in fresh.get("/").content.decode()


def test_language_switch_refuses_foreign_redirects(browser_client, reference):
    response = browser_client(None).post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_every_navigation_link_answers(browser_client, reference):
    client = browser_client("office")
    html = client.get("/").content.decode()
    links = set(re.findall(r'href="(/[^"#?]*)"', html))
    assert len(links) > 10
    for link in sorted(links):
        if link.startswith("/static/"):
            continue
        assert client.get(link).status_code == 200, link


@pytest.mark.parametrize("module", MODULES, ids=[m.key for m in MODULES])
def test_every_module_has_a_page_built_or_saying_what_it_will_do(browser_client, reference, module):
    client = browser_client(None)
    response = client.get(module.url)
    assert response.status_code in (200, 302), module.url  # a built page may ask anonymous visitors to log in
    html = client.get(f"/modules/{module.key}/").content.decode()
    assert module.section in html
    if not module.built:
        assert 'data-testid="module-planned"' in html


def test_another_citys_liaison_cannot_edit_the_profile_page(browser_client, reference):
    client = browser_client("liaison-sz")
    before = snapshot(City)
    assert client.get("/cities/WX/profile/edit/").status_code == 403
    response = client.post("/cities/WX/profile/edit/", {"description_zh": "x", "positioning": "", "contact": ""})
    assert response.status_code == 403
    assert snapshot(City) == before
    assert 'data-testid="edit-profile"' not in client.get("/cities/WX/").content.decode()


def test_the_own_liaison_edits_the_profile_in_place(browser_client, reference, demo_users):
    client = browser_client("liaison-wx")
    assert 'data-testid="edit-profile"' in client.get("/cities/WX/").content.decode()
    data = {"description_zh": "无锡简介", "description_en": "Wuxi", "positioning": "物联网之城", "contact": "0510-1234"}
    response = client.post("/cities/WX/profile/edit/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "无锡简介" in response.content.decode() and 'data-testid="profile-saved"' in response.content.decode()
    city = City.objects.get(code="WX")
    assert city.positioning == "物联网之城"
    entry = LogEntry.objects.get_for_object(city).order_by("-id").first()
    assert entry.actor == demo_users["liaison-wx"] and entry.changes["positioning"][1] == "物联网之城"


def test_anonymous_users_are_sent_to_log_in_for_the_audit_trail(browser_client, reference):
    response = browser_client(None).get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert browser_client(None).get("/cities/SZ/profile/edit/").status_code == 403


@pytest.mark.parametrize(
    ("username", "status"), [("office", 200), ("auditor", 200), ("liaison-sz", 403), ("expert", 403)]
)
def test_the_audit_page_is_for_the_office_and_auditors(browser_client, reference, username, status):
    assert browser_client(username).get("/audit/").status_code == status


def test_the_audit_page_shows_before_and_after(browser_client, reference):
    browser_client("liaison-zs").post(
        "/cities/ZS/profile/edit/",
        {"description_zh": "", "description_en": "", "positioning": "海上花园城市", "contact": ""},
    )
    html = browser_client("auditor").get("/audit/", {"model": "core.city"}).content.decode()
    assert "liaison-zs" in html and "海上花园城市" in html


def test_pages_load_nothing_from_the_internet(browser_client, reference):
    client = browser_client("office")
    for url in ["/", "/cities/SZ/", "/audit/", "/api/docs/", "/modules/council/"]:
        html = client.get(url).content.decode()
        external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
        assert external == [], (url, external)


def test_dashboard_runs_a_bounded_number_of_queries(browser_client, reference, django_assert_max_num_queries):
    client = browser_client("liaison-sz")
    with django_assert_max_num_queries(12):
        assert client.get("/").status_code == 200
