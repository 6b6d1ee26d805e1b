"""Research projects (专项谋划 → 项目前期): researchers propose and advance their own, the report is published with its
summary, and a study in its pre-phase is linked to the fund project it became; everyone reads them."""

import pytest

from metrocoop.core.testing import snapshot
from metrocoop.forum.choices import ResearchStatus
from metrocoop.forum.models import ResearchProject

pytestmark = pytest.mark.django_db

URL = "/api/forum/research/"
PROPOSAL = {
    "name_zh": "港口一体化专项谋划",
    "summary": "统筹航线与集疏运。",
    "organisation": "research-society",
    "cities": ["NB", "SH"],
}


def test_a_researcher_takes_a_study_from_proposal_to_pre_phase(api, demo_users):
    response = api("researcher").post(URL, PROPOSAL, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["status"] == "proposed" and sorted(response.json()["cities"]) == ["NB", "SH"]
    assert api("researcher").post(f"{URL}{pk}/advance/", {}, format="json").json()["status"] == "researching"
    # publishing needs the report's summary
    assert api("researcher").post(f"{URL}{pk}/advance/", {}, format="json").status_code == 400
    published = api("researcher").post(f"{URL}{pk}/advance/", {"report_summary": "分三步推进。"}, format="json")
    assert published.json()["status"] == "report_published" and published.json()["report_published_on"]
    assert api("researcher").post(f"{URL}{pk}/advance/", {}, format="json").json()["status"] == "pre_phase"
    assert api("researcher").post(f"{URL}{pk}/advance/", {}, format="json").status_code == 409
    # anyone reads it, with its report
    assert api(None).get(f"{URL}{pk}/").json()["report_summary"] == "分三步推进。"


def test_the_public_cannot_propose_and_nobody_advances_anothers_study(api, demo_users):
    before = snapshot(ResearchProject)
    assert api("public").post(URL, PROPOSAL, format="json").status_code == 403
    assert api(None).post(URL, PROPOSAL, format="json").status_code in (401, 403)
    assert api("researcher").post(URL, {**PROPOSAL, "organisation": "office"}, format="json").status_code == 400
    assert snapshot(ResearchProject) == before
    pk = api("office").post(URL, PROPOSAL, format="json").json()["id"]
    before = snapshot(ResearchProject)
    for user in ("researcher", "public", "liaison-sh"):
        assert api(user).post(f"{URL}{pk}/advance/", {}, format="json").status_code in (403, 404), user
    assert snapshot(ResearchProject) == before


def test_a_study_in_pre_phase_links_to_its_fund_project(api, demo_users):
    from metrocoop.forum import services
    from metrocoop.funds.demo_data import load as load_funds
    from metrocoop.funds.models import Project

    load_funds()
    fund_project = Project.objects.order_by("id").first()
    pk = api("researcher").post(URL, PROPOSAL, format="json").json()["id"]
    # too early: only a study in its pre-phase becomes a fund project
    assert api("office").post(f"{URL}{pk}/link/", {"fund_project": fund_project.pk}, format="json").status_code == 409
    project = ResearchProject.objects.get(pk=pk)
    for _ in range(3):
        project = services.do_advance_research(project, report_summary="报告摘要", actor=demo_users["researcher"])
    assert project.status == ResearchStatus.PRE_PHASE
    response = api("office").post(f"{URL}{pk}/link/", {"fund_project": fund_project.pk}, format="json")
    assert response.status_code == 200 and response.json()["fund_project"] == fund_project.pk


def test_researchers_propose_and_advance_from_the_pages(browser_client):
    researcher = browser_client("researcher")
    response = researcher.post("/forum/research/new/", {"name_zh": "环湾大通道专项谋划", "cities": ["JX", "NB"]})
    project = ResearchProject.objects.get(name_zh="环湾大通道专项谋划")
    assert response.status_code == 302 and project.organisation.code == "research-society"
    assert 'data-testid="advance-form"' in researcher.get(f"/forum/research/{project.pk}/").content.decode()
    assert (
        'data-testid="advance-form"'
        not in browser_client("public").get(f"/forum/research/{project.pk}/").content.decode()
    )
    researcher.post(f"/forum/research/{project.pk}/advance/")
    project.refresh_from_db()
    assert project.status == ResearchStatus.RESEARCHING
    assert browser_client(None).get(f"/forum/research/{project.pk}/").status_code == 200
    assert browser_client("public").get("/forum/research/new/").status_code == 403
