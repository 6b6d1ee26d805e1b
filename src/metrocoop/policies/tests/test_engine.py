"""Engine tests: pure functions, no database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metrocoop.policies.engine.compare import ProvisionRow, compare_provisions
from metrocoop.policies.engine.metrics import ndcg_at_k, percentile, recall_at_k
from metrocoop.policies.engine.query import (
    looks_like_doc_number,
    normalise_doc_number,
    parse_query,
    render_snippet,
    to_fts5,
    to_tsquery,
    unsegment,
)
from metrocoop.policies.engine.relations import amendment_cycle
from metrocoop.policies.engine.replication import readiness
from metrocoop.policies.engine.segment import segment_document


@pytest.mark.parametrize(
    "spelling",
    [
        "苏府规〔2023〕5号",
        "苏府规[2023]5号",
        "苏府规（2023）5号",
        "苏府规 〔2023〕 5 号",
        "苏府规［2023］第5号",
        "苏府规(2023)5号",
    ],
)
def test_doc_number_spellings_normalise_alike(spelling):
    assert normalise_doc_number(spelling) == "苏府规(2023)5号"
    assert looks_like_doc_number(spelling)


@pytest.mark.parametrize("text", ["高新技术企业", "环评", "2023", "苏州 人才"])
def test_ordinary_queries_are_not_doc_numbers(text):
    assert not looks_like_doc_number(text)


def test_policy_terms_are_single_words():
    seg = segment_document("关于高新技术企业的通知", "推进证照分离改革，落实异地就医，规范排污许可。")
    words = seg.text.split()
    for term in ("证照分离", "异地就医", "排污许可"):
        assert term in words
    assert "高新技术企业" in seg.title.split()


def test_long_words_index_their_sub_words():
    seg = segment_document("", "开展高新技术企业认定")
    assert {"高新技术企业", "技术", "企业"} <= set(seg.terms.split())


def test_abbreviation_expands_both_ways():
    assert to_fts5(parse_query("环评")) == '("环评" OR "环境影响评价")'
    assert to_tsquery(parse_query("环境影响评价")) == "('环境影响评价' | '环评')"


def test_two_character_term_is_one_token():
    parsed = parse_query("养老")
    assert parsed.tokens == ["养老"]
    assert to_fts5(parsed) == '"养老"'


def test_parts_are_anded_and_minus_excludes():
    parsed = parse_query("证照分离 -试点", "嘉兴")
    assert to_fts5(parsed) == '"证照分离" AND "嘉兴" NOT "试点"'
    assert to_tsquery(parsed) == "'证照分离' & !'试点' & '嘉兴'"


def test_quoted_phrase_keeps_order():
    assert to_fts5(parse_query('"异地就医 直接结算"')) == '"异地就医 直接结算"'
    assert to_tsquery(parse_query('"异地就医 直接结算"')) == "('异地就医' <-> '直接结算')"


def test_title_only_and_loose_forms_for_the_indexes():
    parsed = parse_query('"异地就医 直接结算" 宁波 -试点')
    # SQLite: the required terms in the title column, the exclusion over the whole document
    assert to_fts5(parsed, title_only=True) == '{title_segmented} : ("异地就医 直接结算" AND "宁波") NOT "试点"'
    # PostgreSQL: what a GIN index answers alone (no exclusion, the phrase as AND), the title's required terms
    assert to_tsquery(parsed, loose=True) == "('异地就医' & '直接结算') & '宁波'"
    assert to_tsquery(parsed, positive_only=True) == "('异地就医' <-> '直接结算') & '宁波'"
    assert to_tsquery(parsed) == "('异地就医' <-> '直接结算') & '宁波' & !'试点'"


def test_snippet_marks_runs_and_unclosed_marks():
    assert render_snippet("⟦养老⟧ 服务 与 ⟦养老 服务", ["养老服务"]) == "<mark>养老服务</mark>与<mark>养老服务</mark>"
    assert render_snippet("a ⟦b & c⟧ d", []) == "a<mark>b &amp; c</mark>d"  # spaces by the markers go, as by CJK
    assert render_snippet("") == ""


def test_doc_number_query_is_a_lookup_not_words():
    parsed = parse_query("沪环规[2022]1号")
    assert parsed.doc_number == "沪环规(2022)1号"
    assert parsed.terms == ()
    assert not parsed.empty


def test_single_character_becomes_prefix():
    assert to_fts5(parse_query("社")) == '"社"*'
    assert to_tsquery(parse_query("社")) == "'社':*"


@pytest.mark.parametrize("hostile", ["it's", 'a" OR "b', "x & !y | (z", "NEAR(a b) *", "'); --"])
def test_query_syntax_characters_never_reach_the_engines(hostile):
    parsed = parse_query(hostile)
    assert all(tok.isalnum() for tok in parsed.tokens)


def test_snippet_is_escaped_and_marked():
    html = render_snippet("推进 ⟦证照分离⟧ 改革 <script>", ["改革"])
    assert html == "推进<mark>证照分离</mark><mark>改革</mark>&lt;script&gt;".replace("</mark><mark>", "")


def test_unsegment_keeps_spaces_between_latin_words():
    assert unsegment("Python 开发 与 AI 应用") == "Python开发与AI应用"
    assert unsegment("open source") == "open source"


def test_amendment_cycle_found():
    edges = [(1, 2), (2, 3)]
    assert amendment_cycle(edges, (3, 1)) == [3, 1, 2, 3]
    assert amendment_cycle(edges, (1, 3)) is None
    assert amendment_cycle([], (4, 4)) == [4, 4]


@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=15))
def test_accepting_only_acyclic_edges_keeps_the_graph_acyclic(candidates):
    accepted: list[tuple[int, int]] = []
    for edge in candidates:
        if amendment_cycle(accepted, edge) is None:
            accepted.append(edge)
    for a, b in accepted:  # no accepted edge can be closed into a cycle by its reverse path
        assert amendment_cycle([e for e in accepted if e != (a, b)], (a, b)) is None


def test_comparison_names_strictest_and_loosest():
    rows = [
        ProvisionRow("SH", Decimal(100), 300_000_000, 60, "A"),
        ProvisionRow("SZ", Decimal(80), 250_000_000, 60, "A"),
        ProvisionRow("NT", Decimal(50), 120_000_000, 36, "A"),
        ProvisionRow("CZ", Decimal(50), 150_000_000, 60, "A"),
    ]
    result = compare_provisions(rows)
    assert result.strictest == ["SH"]
    assert result.loosest == ["NT", "CZ"]
    assert result.most_generous == ["SH"]
    assert result.is_different("SH", "threshold") and not result.is_different("NT", "threshold")
    assert result.differs["duration_months"] == ["NT"]
    assert not result.unified
    lower = compare_provisions(rows, higher_is_stricter=False)
    assert lower.strictest == ["NT", "CZ"]


def test_identical_provisions_are_unified():
    rows = [ProvisionRow(c, Decimal(5)) for c in ("SH", "SZ")]
    result = compare_provisions(rows)
    assert result.unified and result.strictest == []


def test_readiness_needs_uptake_and_somewhere_to_spread():
    cities = ["SH", "SZ", "WX", "NB"]
    r = readiness("x", {"SH": "adopted", "SZ": "adapted", "WX": "evaluating"}, cities)
    assert r.ready and r.taken_up == ["SH", "SZ"] and r.open_cities == ["WX", "NB"]
    assert not readiness("x", {"SH": "adopted"}, cities).ready
    everyone = dict.fromkeys(cities, "adopted")
    assert not readiness("x", everyone, cities).ready


@pytest.mark.parametrize(
    ("ranked", "relevant", "ndcg", "recall"),
    [
        (["a", "b"], {"a", "b"}, 1.0, 1.0),
        (["x", "a"], {"a"}, 1 / 1.584962500721156, 1.0),
        (["x"], {"a"}, 0.0, 0.0),
        ([], set(), 0.0, 0.0),
    ],
)
def test_metrics(ranked, relevant, ndcg, recall):
    assert ndcg_at_k(ranked, relevant) == pytest.approx(ndcg)
    assert recall_at_k(ranked, relevant) == recall


def test_percentile_nearest_rank():
    assert percentile([5, 1, 3, 2, 4], 50) == 3
    assert percentile(list(range(1, 101)), 95) == 95


def test_unknown_words_are_searched_as_phrases_of_their_characters():
    parsed = parse_query("甬江科创")
    assert '"科 创"' in to_fts5(parsed) and "('科' <-> '创')" in to_tsquery(parsed)
