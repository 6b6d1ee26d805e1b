"""Recall that does not depend on the dictionary (issue #15): a term matches as words or as all its character
bigrams, on SQLite and PostgreSQL alike. Documents made through the services (segmented and indexed in the same
transaction); the queries are ones whose words the dictionary cuts differently from the text."""

import pytest

from metrocoop.policies.engine.query import parse_query
from metrocoop.policies.engine.segment import bigrams, cut, term_bigrams
from metrocoop.policies.search import search
from metrocoop.policies.tests.factories import make_document

pytestmark = pytest.mark.django_db

WATER = (
    "第一条　青浦区、吴江区、嘉善县实行联合河湖长制，跨界河湖由相邻两地河湖长共同巡河。"
    "第二条　盛泽镇、黎里镇、金泽镇建立联合巡查队伍，对元荡湖岸线实行一河一策。"
)
ZONE_TALENT = (
    "第一条　示范区对引进的人才实行分类认定，分为领军人才、骨干人才和青年人才三类。"
    "第二条　人才在西岑科创中心、汾湖高新区工作的，可以就近办理人才服务事项。"
)
TALENT = "第一条　为规范高层次人才认定工作，制定本办法。第二条　人才认定实行常年受理。"
OTHER = "第一条　为规范养老机构床位补贴发放，制定本办法。第二条　补贴按年度拨付。"


@pytest.fixture
def library(reference):
    return {
        "water": make_document(None, title="示范区跨界水体联保共治办法", text=WATER, domains=["environment"]),
        "zone": make_document(None, title="示范区人才服务保障办法", text=ZONE_TALENT),
        "talent": make_document("SZ", title="苏州市高层次人才认定办法", text=TALENT),
        "other": make_document("WX", title="无锡市养老机构床位补贴办法", text=OTHER, domains=["elderly"]),
    }


def _keys(query: str) -> list[str]:
    return [h.document.key for h in search(query, with_facets=False).hits]


def test_the_dictionary_cuts_these_differently():
    # the premise of each case below: the word index alone cannot find these
    assert cut("湖长") == ["湖", "长"] and "河湖" in cut("联合河湖长制")  # 湖 glued to its neighbour in the text
    assert cut("盛泽") == ["盛", "泽"] and "盛泽镇" in cut("盛泽镇、黎里镇")  # a place name glued to 镇
    assert cut("人才认定") == ["人才认定"] and "人才认定" not in cut(ZONE_TALENT)  # a compound whose halves stand apart


@pytest.mark.parametrize(
    "query, found",
    [
        ("湖长", {"water"}),  # query 湖 / 长, text 河湖 / 长
        ("盛泽", {"water"}),  # out of the dictionary, glued into 盛泽镇 in the text
        ("黎里", {"water"}),  # two single characters in query and text
        ("元荡湖", {"water"}),
        ("西岑", {"zone"}),
        ("汾湖", {"zone"}),
        ("吴江 巡河", {"water"}),  # a word and a string, ANDed
        ("人才认定", {"zone", "talent"}),  # the compound, and its halves apart (人才 … 分类认定)
        ("人才 分类认定", {"zone"}),  # split as the text has it
        ("领军人才", {"zone"}),
        ("补贴", {"other"}),  # a two-character term, as before
        ("河湖长 -盛泽", set()),  # an exclusion excludes the string too
    ],
)
def test_found_whatever_the_segmentation(library, query, found):
    keys = {name: doc.key for name, doc in library.items()}
    assert set(_keys(query)) == {keys[n] for n in found}, query


def test_words_rank_above_bigram_only_matches(library):
    # 人才认定 is a word of the Suzhou rules (title and text) and only bigrams of the zone's
    keys = _keys("人才认定")
    assert keys == [library["talent"].key, library["zone"].key]
    hits = search("人才认定", with_facets=False).hits
    assert [h.as_words for h in hits] == [True, False]


def test_bigram_matches_are_highlighted(library):
    hit = search("人才认定", with_facets=False).hits[1]
    assert hit.document == library["zone"] and "<mark>人才</mark>" in hit.snippet and "<mark>认定</mark>" in hit.snippet
    water = search("盛泽", with_facets=False).hits[0]
    assert "<mark>盛泽</mark>" in water.snippet


def test_facets_and_counts_include_bigram_matches(library):
    result = search("盛泽")
    assert result.total == 1 and result.total_exact
    assert {v["value"]: v["count"] for v in result.facets["domain"]} == {"environment": 1}


def test_a_place_name_the_dictionary_does_not_know_is_found_after_an_edit(library):
    from metrocoop.policies import services
    from metrocoop.policies.tests.factories import office

    assert _keys("祥符荡") == []
    services.do_update_document(
        library["zone"], {"text": ZONE_TALENT + "第三条　祥符荡创新中心设人才服务站。"}, actor=office()
    )
    assert _keys("祥符荡") == [library["zone"].key]  # the index follows the row in its transaction


def test_bigrams_of_terms_and_documents():
    assert term_bigrams("人才认定") == ("人才", "才认", "认定")
    assert term_bigrams("湖") == ("湖",) and term_bigrams("5G基站") == ("5g", "基站")
    indexed = bigrams("标题", "盛泽镇、黎里镇 ２０２３年 ＡＢ").split()
    assert {"盛泽", "泽镇", "黎里", "盛", "2023", "ab"} <= set(indexed)
    assert "镇黎" not in indexed  # not across punctuation
    assert len(indexed) == len(set(indexed))  # each once
    # every term's bigrams are in a text that holds the term as a string
    text = WATER + ZONE_TALENT
    for term in ("湖长", "盛泽", "分类认定", "元荡湖岸线"):
        assert set(term_bigrams(term)) <= set(bigrams(text).split())
    parsed = parse_query("湖长 盛泽 人才认定")
    assert [t.grams for t in parsed.terms] == [(("湖长",),), (("盛泽",),), (("人才", "认定"),)]


@pytest.mark.parametrize("query", ["\x97Ò\x1aÑ!", "a b", "x\x1by", "ò ñ 人"])
def test_runs_of_single_latin_letters_search_without_error(library, query):
    # found by the API contract test: single letters have no bigrams, which once made an empty FTS5 group "()"
    result = search(query)  # before the fix: OperationalError "fts5: syntax error near )" (a 503 on the API)
    assert result.total == len(result.hits) or not result.total_exact
