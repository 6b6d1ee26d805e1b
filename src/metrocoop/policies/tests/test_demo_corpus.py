"""The demo corpus: search quality smoke test (judged queries find their documents), facet counts, pages."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from metrocoop.policies import demo_data
from metrocoop.policies.models import PolicyDocument
from metrocoop.policies.search import search

pytestmark = pytest.mark.django_db
RELEVANCE = json.loads((Path(__file__).parent / "relevance_set.json").read_text(encoding="utf-8"))["queries"]


@pytest.fixture
def corpus(reference, demo_users):
    demo_data.load()
    return {d.key: d for d in PolicyDocument.objects.all()}


SMOKE_QUERIES = [
    "高新技术企业",
    "环评",
    "医保",
    "证照分离",
    "养老",
    "用地",
    "长护险",
    "苏人社规〔2023〕3号",
    "沪环规[2022]1号",
    "宁波 异地就医",
]


def test_demo_corpus_search(corpus):
    # the loader is idempotent and the corpus realistic in form
    count = len(corpus)
    assert "0 new" in demo_data.load() and PolicyDocument.objects.count() == count >= 90
    assert all(700 <= len(d.text) <= 1500 for d in corpus.values() if d.city_id)
    assert corpus["sz-talent-2018"].validity == "repealed"  # repealed by the 2023 rules
    assert corpus["cz-permit-2019"].validity == "amended"
    # the relevance set is large and refers to real documents
    assert len(RELEVANCE) >= 40
    assert all(set(q["relevant"]) <= set(corpus) for q in RELEVANCE)
    # judged queries find their documents: the first hit is relevant, the first page holds all that fit
    for query in SMOKE_QUERIES:
        relevant = set(next(q for q in RELEVANCE if q["query"] == query)["relevant"])
        found = [h.document.key for h in search(query, with_facets=False).hits]
        assert found and found[0] in relevant, query
        assert len(set(found) & relevant) == min(10, len(relevant)), query
    # facet counts match the rows
    result = search("异地就医")
    facets = {name: {v["value"]: v["count"] for v in values} for name, values in result.facets.items()}
    assert result.total == PolicyDocument.objects.filter(key__contains="medical").count() == 10
    assert facets["level"] == {"municipal": 9, "regional": 1}
    assert facets["city"][""] == 1 and sum(facets["city"].values()) == 10
    assert facets["domain"]["medical"] == 10 and sum(facets["year"].values()) == 10
    filtered = search("异地就医", filters={"level": ["regional"]})
    assert [h.document.key for h in filtered.hits] == ["region-medical-2022"]
    # sort by date
    dates = [h.document.issued_on for h in search("排污许可", sort="-date").hits]
    assert dates == sorted(dates, reverse=True)


def test_demo_corpus_pages(browser_client, corpus, demo_users):
    from metrocoop.policies.models import CurationProposal

    for username in (None, "liaison-sz", "expert", "office"):
        client = browser_client(username)
        urls = [
            reverse("policies:index"),
            reverse("policies:index") + "?q=高新技术企业&city=SZ&sort=-date",
            reverse("policies:document", args=["sz-talent-2023"]),
            reverse("policies:topics"),
            reverse("policies:topic", args=["talent"]),
            reverse("policies:reforms"),
            reverse("policies:catalogue") + "?industry=C2720",
        ] + ([reverse("policies:proposals")] if username else [])
        for url in urls:
            assert client.get(url).status_code == 200, (username, url)
    client = browser_client(None)
    # search page: highlighted snippets, facets; refinement through htmx returns the results block only
    page = client.get(reverse("policies:index"), {"q": "证照分离"}).content.decode()
    assert "<mark>证照分离</mark>" in page and "data-facet" in page
    body = client.get(
        reverse("policies:index"), {"q": "证照分离", "refine": "嘉兴"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in body and "嘉兴市深化" in body and "苏州市深化" not in body
    # a document page shows relations from both ends and the validity history
    old = client.get(reverse("policies:document", args=["sz-talent-2018"])).content.decode()
    new = client.get(reverse("policies:document", args=["sz-talent-2023"])).content.decode()
    assert "苏州市高层次人才认定办法" in old and "废止" in old
    assert reverse("policies:document", args=["sz-talent-2018"]) in new
    # topic comparison names the strictest city and exports to Excel
    page = client.get(reverse("policies:topic", args=["talent"])).content.decode()
    assert "上海" in page.split('data-testid="extremes"')[1].split("</p>")[0]
    export = client.get(reverse("policies:topic_export", args=["talent"]))
    assert export.status_code == 200 and export.content[:2] == b"PK"
    # pilot reforms ready to spread
    page = client.get(reverse("policies:reforms")).content.decode()
    ready = page.split('data-testid="ready-list"')[1].split("</ul>")[0]
    assert "跨区域企业登记互认" in ready and "异地就医免备案直接结算" in ready
    # an expert accepts a proposal from the curation page
    proposal = CurationProposal.objects.get()
    response = browser_client("expert").post(reverse("policies:decide", args=[proposal.pk]), {"accept": "1"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    assert PolicyDocument.objects.get(key="sz-talent-2023").source.startswith("苏州市人民政府")
