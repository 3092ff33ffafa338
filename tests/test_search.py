"""Searching the bundled reports: what a user types and what they must see."""

import pytest

from search_app.highlight import plain
from search_app.present import hit_views
from search_app.query import QueryError
from search_app.search import search


def hits(index, q, **kw):
    return search(index, q, per_page=100, **kw).hits


@pytest.mark.parametrize(
    "q,doc,shown",
    [
        ("闽宁协作", "002", "閩寧協作"),  # Simplified query, Traditional text shown as written
        ("粤港澳大湾区菜篮子", "000", "粵港澳大灣區菜籃子"),
        ("雙轉移", "004", "双转移"),  # Traditional query, Simplified text
        ("革命老区", "003", "革命老區"),
        ("林盘", "000", "林盤"),  # jieba cuts 獨山林盤蠶房 elsewhere: found by bigrams
        ("沙步", "000", "沙步"),
        ("扶贫车间", None, "扶貧車間"),
        ("1.35萬噸", "000", "1.35萬噸"),
        ("20016.76", "000", "20016.76"),
        ("12740萬元", "000", "12740萬元"),
        ("2016—2020年", "000", "2016—2020年"),
        ("衞生", "000", "衛生"),  # HK variant form finds the standard one
    ],
)
def test_found_and_highlighted_as_written(seeds_index, q, doc, shown):
    found = hits(seeds_index, q)
    assert found, q
    top = found[0]
    if doc:
        assert top.doc_id.startswith(doc)
    assert f"<mark>{shown}</mark>" in top.snippet or f"<mark>{shown}" in top.snippet, top.snippet


def test_snippet_has_no_pinyin_noise(seeds_index):
    top = hits(seeds_index, "闽宁协作")[0]
    assert "(xié)" not in top.snippet and "(xié)" not in top.text


@pytest.mark.parametrize(
    "noise",
    ["上一页", "下一页", "返回顶部", "公网安备", "ICP备", "许可证10120170062", "點擊", "您当前的位置",
     "信息访问量", "关键词", "责任编辑", "xié", "fā", "紅色河北", "发布时间", "版权所有"],
)
def test_noise_is_not_searchable(seeds_index, noise):
    assert hits(seeds_index, noise) == []


def test_phrase_query(seeds_index):
    phrase = hits(seeds_index, '"易地扶贫搬迁"')
    assert phrase and all("易地扶貧搬遷" in h.text or "易地扶贫搬迁" in h.text for h in phrase)
    # without quotes the words may be apart, and there are at least as many hits
    assert len(hits(seeds_index, "易地 扶贫 搬迁")) >= len(phrase)


def test_and_or_not(seeds_index):
    """On the units' own text (exact): AND, OR and NOT are intersection, union and
    difference. (Without ``exact``, a term in a query of several may also match by its
    document's context: tests/test_widening.py.)"""
    def found(q):
        return {h.uid for h in hits(seeds_index, q, exact=True)}

    both, fz, dx, either = found("福州 定西"), found("福州"), found("定西"), found("福州 OR 定西")
    assert both == fz & dx
    assert either == fz | dx
    without = found("福州 -定西")
    assert without == fz - dx
    assert without == found("福州 NOT 定西")


def test_exact_match_ranks_above_scattered_words(seeds_index):
    found = hits(seeds_index, "扶贫车间")
    exact = ["扶貧車間" in h.text or "扶贫车间" in h.text for h in found]
    assert exact[0]
    assert exact == sorted(exact, reverse=True)  # all exact matches before any scattered one


def test_whole_word_ranks_above_bigram_only(docs_index):
    # 协作 is a word in both documents; the unit where the phrase is one word ranks first
    found = hits(docs_index, "闽宁协作")
    assert found[0].doc_id == "trad.txt"


def test_title_and_section_and_lead_are_searchable(seeds_index):
    top = hits(seeds_index, "調研的主要工作情況")[0]
    assert top.section == "一、調研的主要工作情況"
    shown = hit_views(seeds_index, search(seeds_index, "調研的主要工作情況"))[0]
    assert "<mark>" in shown.section_html


def test_result_fields_and_paging(seeds_index):
    first = search(seeds_index, "扶贫", per_page=5)
    assert first.total > 5 and len(first.hits) == 5
    second = search(seeds_index, "扶贫", per_page=5, page=2)
    assert not {h.uid for h in first.hits} & {h.uid for h in second.hits}
    beyond = search(seeds_index, "扶贫", per_page=5, page=1000)
    assert beyond.hits == [] and beyond.total == first.total
    h = first.hits[0]
    d = h.to_dict()
    for key in ("doc_id", "path", "title", "kind", "section", "text", "snippet", "score"):
        assert key in d
    assert d["kind"] == "paragraph"
    assert first.took_ms >= 0


def test_only_the_shown_page_is_highlighted_and_snippets_are_short(seeds_index):
    result = search(seeds_index, "扶贫", per_page=10)
    for h in result.hits:
        assert len(plain(h.snippet)) <= 200


def test_snippets_skip_mojibake(seeds_index):
    found = hits(seeds_index, "一公斤少賣2元錢")
    assert found
    assert "痹谙愎" not in found[0].snippet and "⋯" in found[0].snippet


@pytest.mark.parametrize(
    "q",
    ['"未闭合', "-", "a" * 5000, "\x00\x01扶贫", "*", "?", "~", "^2", "[a TO b]", "field:", "AND OR",
     "(((", "扶贫))", "\u202e\u200f", "𠀀", "<script>alert(1)</script>"],
)
def test_bad_queries_never_raise(seeds_index, q):
    try:
        result = search(seeds_index, q)
    except QueryError as err:
        assert str(err)
    else:
        for h in result.hits:
            assert "<script>" not in h.snippet


def test_bad_parameters(seeds_index):
    for kw in ({"page": 0}, {"per_page": 0}, {"per_page": 101}, {"kind": "x"}):
        with pytest.raises(ValueError):
            search(seeds_index, "扶贫", **kw)
