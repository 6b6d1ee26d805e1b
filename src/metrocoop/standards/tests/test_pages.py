"""The pages, as a person uses them: start page, catalogue, harmonisation with its chart, the matrix, the query,
proposals by form; a liaison edits only its own city; the demo data loads twice without change."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from metrocoop.core.testing import snapshot
from metrocoop.standards import demo_data
from metrocoop.standards.models import (
    LimitRevision,
    LimitValue,
    Parameter,
    ProposalSignature,
    Recognition,
    Standard,
    UnificationProposal,
)

pytestmark = [pytest.mark.django_db, pytest.mark.demo_data("standards")]


def test_demo_data_is_idempotent_and_illustrative(demo):
    counts = [
        m.objects.count() for m in (Standard, Parameter, LimitValue, LimitRevision, Recognition, UnificationProposal)
    ]
    assert demo_data.load().startswith("standards: 0 standards, 0 limit values, 0 recognitions, 0 proposals")
    assert [
        m.objects.count() for m in (Standard, Parameter, LimitValue, LimitRevision, Recognition, UnificationProposal)
    ] == counts
    assert not LimitValue.objects.filter(illustrative=False).exists()
    assert not Recognition.objects.filter(illustrative=False).exists()
    # Shanghai's earlier total-phosphorus value is kept as history
    assert LimitRevision.objects.filter(limit__city__code="SH", limit__parameter__code="TP").exists()


def test_start_page_shows_key_standards_harmonisation_and_gaps(browser_client, demo):
    page = browser_client(None).get(reverse("standards:index")).content.decode()
    assert "DB32/1072-2018" in page  # key-standard list
    assert reverse("standards:parameter", args=["TP"]) in page
    assert reverse("standards:matrix", args=["talent"]) in page


def test_catalogue_filters(browser_client, demo):
    client = browser_client(None)
    page = client.get(reverse("standards:standards"), {"level": "local"}).content.decode()
    assert "DB31/199-2018" in page and "GB 18918-2002" not in page
    page = client.get(reverse("standards:standards"), {"q": "太湖"}).content.decode()
    assert "DB32/1072-2018" in page and "DB33/2169-2018" not in page
    detail = client.get(Standard.objects.get(code="DB31/199-2018").get_absolute_url()).content.decode()
    assert "DB31/199-2009" in detail  # what it replaces


def test_harmonisation_page_has_a_chart_with_city_names_and_the_strictest_marked(browser_client, demo):
    response = browser_client(None).get(reverse("standards:parameter", args=["NH3-N"]))
    page = response.content.decode()
    assert 'data-chart="chart-0"' in page
    option = json.loads(page.split('<script id="chart-0" type="application/json">')[1].split("</script>")[0])
    names = option["xAxis"]["data"]
    assert "上海" in names  # names, not codes
    shanghai = option["series"][0]["data"][names.index("上海")]
    assert shanghai["itemStyle"]["color"] == "#198754"  # Shanghai's 1.5 mg/L is the strictest ammonia limit


def test_a_liaison_records_its_own_citys_value_by_form_not_another_citys(browser_client, reference, demo):
    client = browser_client("liaison-sz")
    url = reverse("standards:limit_set", args=["TP"])
    limit = LimitValue.objects.get(parameter__code="TP", city__code="SZ")
    client.post(url, {"city": reference["SZ"].pk, "category": limit.category, "value": "200", "unit": "ug/L"})
    limit.refresh_from_db()
    assert (limit.value, limit.unit) == (200, "ug/L")
    assert limit.revisions.count() == 1
    # another city's value cannot be chosen, and a hand-made request changes nothing
    before = snapshot(LimitValue)
    client.post(url, {"city": reference["WX"].pk, "category": limit.category, "value": "1", "unit": "mg/L"})
    assert snapshot(LimitValue) == before
    other = LimitValue.objects.get(parameter__code="TP", city__code="WX")
    assert client.post(reverse("standards:limit_delete", args=[other.pk])).status_code in (403, 404)
    assert LimitValue.objects.filter(pk=other.pk).exists()


def test_a_wrong_dimension_on_the_page_is_shown_and_nothing_changes(browser_client, reference, demo):
    client = browser_client("liaison-sz")
    before = snapshot(LimitValue)
    response = client.post(
        reverse("standards:limit_set", args=["TP"]),
        {"city": reference["SZ"].pk, "category": "新类别", "value": "2", "unit": "kg"},
        follow=True,
    )
    assert "量纲" in response.content.decode() or "dimension" in response.content.decode()
    assert snapshot(LimitValue) == before


def test_import_page_reports_every_bad_row(browser_client, demo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = (
        "parameter,name,limit_type,city,value,unit,standard,category\n"
        "TP,总磷,max,SZ,x,mg/L,,\nTP,总磷,max,QQ,1,mg/L,,\n"
    )
    response = browser_client("liaison-sz").post(
        reverse("standards:import"), {"kind": "limits", "file": SimpleUploadedFile("l.csv", content.encode())}
    )
    page = response.content.decode()
    assert 'data-testid="import-problems"' in page
    assert "不是有效数字" in page and "unknown city" in page


def test_matrix_page_colours_mutual_one_way_and_gaps(browser_client, demo):
    page = browser_client(None).get(reverse("standards:matrix", args=["talent"])).content.decode()
    assert 'data-pair="SH-SZ" class="table-warning"' in page  # Suzhou recognises Shanghai's talent, not back
    assert 'data-pair="SZ-SH" class="table-danger"' in page
    assert 'data-pair="SZ-WX" class="table-success"' in page


def test_a_liaison_records_a_recognition_for_its_own_city_only(browser_client, reference, demo):
    client = browser_client("liaison-sh")
    url = reverse("standards:recognition_add", args=["talent"])
    client.post(
        url, {"issuing_city": reference["SZ"].pk, "recognising_city": reference["SH"].pk, "valid_from": "2025-01-01"}
    )
    assert Recognition.objects.filter(
        type__code="talent", issuing_city__code="SZ", recognising_city__code="SH"
    ).exists()
    before = snapshot(Recognition)
    client.post(
        url, {"issuing_city": reference["SH"].pk, "recognising_city": reference["NB"].pk, "valid_from": "2025-01-01"}
    )
    assert snapshot(Recognition) == before


def test_query_page_answers_with_basis_and_without_transitivity(browser_client, demo):
    client = browser_client(None)
    url = reverse("standards:recognised")
    yes = client.get(url, {"type": "hitech", "issued_in": "SH", "recognised_in": "SZ", "on": "2024-06-01"})
    assert 'data-testid="verdict"' in yes.content.decode() and "资格有效期内" in yes.content.decode()
    # SH → SZ and SZ → CZ are recorded; SH → CZ is not
    chain = client.get(url, {"type": "hitech", "issued_in": "SH", "recognised_in": "CZ", "on": "2024-06-01"})
    assert "not transitive" in chain.content.decode()
    # WX → CZ ended on 2023-12-31 (dates inclusive)
    last = client.get(url, {"type": "hitech", "issued_in": "WX", "recognised_in": "CZ", "on": "2023-12-31"})
    after = client.get(url, {"type": "hitech", "issued_in": "WX", "recognised_in": "CZ", "on": "2024-01-01"})
    assert "text-success" in last.content.decode().split('data-testid="verdict"')[0][-80:]
    assert "text-danger" in after.content.decode().split('data-testid="verdict"')[0][-80:]


def test_proposal_state_changes_by_form(browser_client, reference, demo_users):
    liaison = browser_client("liaison-sz")
    liaison.post(
        reverse("standards:proposal_add"),
        {
            "kind": "unify_standard",
            "title": "统一氨氮限值",
            "domain": "environment",
            "lead_city": reference["SZ"].pk,
            "draft": "氨氮不高于 1.5 mg/L",
        },
    )
    proposal = UnificationProposal.objects.get(title="统一氨氮限值")
    action = lambda verb: reverse("standards:proposal_action", args=[proposal.pk, verb])  # noqa: E731
    liaison.post(action("advance"))
    deadline = (timezone.localdate() + timedelta(days=7)).isoformat()
    liaison.post(action("advance"), {"deadline": deadline})
    proposal.refresh_from_db()
    assert proposal.status == "consultation" and proposal.consultation.clauses.count() == 1
    liaison.post(action("sign"), {"city": reference["SZ"].pk})
    browser_client("liaison-jx").post(action("sign"), {"city": reference["JX"].pk})
    browser_client("liaison-jx").post(action("sign"), {"city": reference["SH"].pk})  # not its city: refused
    assert sorted(ProposalSignature.objects.filter(proposal=proposal).values_list("city__code", flat=True)) == [
        "JX",
        "SZ",
    ]
    liaison.post(action("advance"))  # a liaison does not adopt
    proposal.refresh_from_db()
    assert proposal.status == "consultation"
    page = browser_client("office").get(proposal.get_absolute_url()).content.decode()
    assert 'data-testid="advance-form"' in page


def test_downloads(browser_client, demo):
    client = browser_client(None)
    for kind in ("catalogue.xlsx", "limits.xlsx", "recognitions.xlsx", "report.docx"):
        response = client.get(reverse("standards:download", args=[kind]))
        assert response.status_code == 200
        body = response.content
        assert body[:2] == b"PK"
    assert client.get(reverse("standards:download", args=["secrets.txt"])).status_code == 404


def test_exported_limits_import_back_unchanged(tmp_path, demo):
    from metrocoop.core.models import User
    from metrocoop.standards import documents, importer

    documents.limits_xlsx(tmp_path / "limits.xlsx")
    report = importer.check_and_import(tmp_path / "limits.xlsx", actor=User.objects.get(username="office"))
    assert report.unchanged == LimitValue.objects.count() and report.created == report.updated == 0


def test_exported_catalogue_and_recognitions_import_back_unchanged(tmp_path, demo):
    from metrocoop.core.models import User
    from metrocoop.standards import documents, importer

    office = User.objects.get(username="office")
    documents.catalogue_xlsx(tmp_path / "c.xlsx")
    documents.recognitions_xlsx(tmp_path / "r.xlsx")
    assert importer.import_catalogue(tmp_path / "c.xlsx", actor=office).unchanged == Standard.objects.count()
    assert importer.import_recognitions(tmp_path / "r.xlsx", actor=office).unchanged == Recognition.objects.count()


def test_the_word_report_groups_by_domain(tmp_path, demo):
    import docx

    from metrocoop.standards import documents

    path = documents.harmonisation_docx(tmp_path / "r.docx")
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "Environment and discharge" in text or "环境" in text
    assert "未统一 not unified" in text


def test_recognition_type_and_date_on_the_matrix_page(browser_client, demo):
    page = browser_client(None).get(reverse("standards:matrix", args=["hitech"]), {"on": "2023-12-31"}).content.decode()
    assert 'data-pair="WX-CZ" class="table-warning"' in page
    page = browser_client(None).get(reverse("standards:matrix", args=["hitech"]), {"on": "2024-01-01"}).content.decode()
    assert 'data-pair="WX-CZ" class="table-secondary"' in page


@pytest.mark.parametrize(
    "url",
    [
        reverse("standards:index"),
        reverse("standards:standards"),
        reverse("standards:parameter", args=["TP"]),
        reverse("standards:matrix", args=["talent"]),
        reverse("standards:proposals"),
    ],
)
def test_page_queries_do_not_grow_with_rows(browser_client, demo, url, django_assert_max_num_queries):
    client = browser_client("liaison-sz")
    client.get(url)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200


def test_the_office_keeps_the_catalogue_by_page_a_liaison_cannot(browser_client, demo):
    data = {"code": "DB31/T 310099-2030", "name_zh": "区域统一排放标准", "level": "regional", "domain": "environment"}
    data["status"] = "in_force"
    before = snapshot(Standard)
    liaison = browser_client("liaison-sh")
    assert liaison.post(reverse("standards:standard_add"), data).status_code == 403
    existing = Standard.objects.get(code="GB 18918-2002")
    assert liaison.post(reverse("standards:standard_key", args=[existing.pk])).status_code == 403
    assert snapshot(Standard) == before
    office = browser_client("office")
    response = office.post(reverse("standards:standard_add"), data)
    created = Standard.objects.get(code="DB31/T 310099-2030")
    assert response.status_code == 302 and created.level == "regional"
    office.post(reverse("standards:standard_key", args=[created.pk]), {"priority": 1, "reason": "示范"})
    assert created.__class__.objects.get(pk=created.pk).key_entry.reason == "示范"
    office.post(reverse("standards:standard_edit", args=[created.pk]), {**data, "status": "withdrawn"})
    created.refresh_from_db()
    assert created.status == "withdrawn"
