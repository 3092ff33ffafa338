"""The analyzer contract: one fold for both scripts, offsets kept, the same tokens for index
and query."""

import pickle

import pytest

from indexer.analysis import (
    BigramAnalyzer,
    WordAnalyzer,
    analyze,
    analyze_term,
    bigram_tokens,
    compact,
    fold,
    prepare,
    word_tokens,
)
from indexer.schema import CompactPositions, make_schema
from tests.conftest import SEEDS

FOLD = [
    ("閩寧協作", "闽宁协作"),
    ("雙轉移", "双转移"),
    ("全麵完成", "全面完成"),  # the seeds' machine-converted forms
    ("幹部隊伍", "干部队伍"),
    ("衞生", "卫生"),  # Hong Kong variant that plain t2s keeps
    ("綫路", "线路"),
    ("臺江區", "台江区"),
    ("ＧＤＰ增長５．２％", "gdp增长5.2%"),
    ("發(fā)展", "发(fā)展"),
    ("２０１６—２０２０年", "2016—2020年"),
]


@pytest.mark.parametrize("raw,folded", FOLD, ids=[f[0] for f in FOLD])
def test_fold(raw, folded):
    assert fold(raw) == folded


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_fold_keeps_one_character_per_character(path):
    for line in path.read_text("utf-8").splitlines():
        assert len(fold(line)) == len(line)


def test_compact_bridges_hard_wraps_and_maps_back():
    text = "房屋單 位供應,香港特別 行政區"
    c = compact(fold(text))
    assert c.text == "房屋单位供应,香港特别行政区"
    start = c.text.index("单位")
    a, b = c.source_span(start, start + 2)
    assert text[a:b] == "單 位"
    assert compact("gdp 增长").text == "gdp 增长"  # only between Han characters


@pytest.mark.parametrize(
    "trad,simp",
    [
        ("東西部扶貧協作在都勻市推進易地扶貧搬遷", "东西部扶贫协作在都匀市推进易地扶贫搬迁"),
        ("粵港澳大灣區菜籃子基地", "粤港澳大湾区菜篮子基地"),
        ("衞生綫路", "卫生线路"),
    ],
)
def test_both_scripts_give_the_same_tokens(trad, simp):
    assert analyze(trad) == analyze(simp)


def test_bigrams_cover_every_han_substring():
    text = "如獨山林盤蠶房項目,南崗街沙步市場開設"
    grams = bigram_tokens(prepare(text))
    assert "林盘" in grams and "沙步" in grams
    # a run of two or more Han characters is a contiguous sequence of bigram tokens
    for sub in ("林盘蚕房", "山林盘", "沙步市场"):
        q = [sub[i : i + 2] for i in range(len(sub) - 1)]
        assert any(grams[i : i + len(q)] == q for i in range(len(grams)))


def test_bigram_tokens_shape():
    assert bigram_tokens("林盘蚕房") == ["林盘", "盘蚕", "蚕房", "房"]
    assert bigram_tokens("投入1.35万吨,共12740万元") == [
        "投入", "入", "1.35", "万吨", "吨", "共", "12740", "万元", "元"]


def test_words_use_the_project_dictionary_and_keep_numbers():
    words = word_tokens(prepare("東西部扶貧協作推動易地扶貧搬遷,投入20016.76萬元、5.2%"))
    for w in ("东西部扶贫协作", "易地扶贫搬迁", "20016.76", "万元", "5.2"):
        assert w in words
    assert "," not in words and "、" not in words


def test_query_term_uses_the_same_analysis():
    parts = analyze_term("閩寧協作")
    assert parts.text == "闽宁协作"
    assert parts.han_runs == ("闽宁协作",)
    index_words = analyze("傳承閩寧協作成功做法").words
    assert set(parts.words) <= set(index_words)
    assert analyze_term("1.35萬噸").alnums == ("1.35",)
    assert analyze_term("!!!").empty


def test_analyzers_and_schema_pickle():
    schema = make_schema()
    again = pickle.loads(pickle.dumps(schema))
    assert again.names() == schema.names()
    tokens = [t.text for t in WordAnalyzer()("闽宁协作")]
    assert tokens == ["闽宁", "协作", "闽宁协作"]  # search mode: parts and the whole term
    assert [t.text for t in BigramAnalyzer()("林盘")] == ["林盘", "盘"]
    assert [t.text for t in WordAnalyzer()(["already", "tokens"])] == ["already", "tokens"]


def test_compact_positions_round_trip():
    fmt = CompactPositions()
    for positions in ([0], [3, 5, 200, 100000], list(range(50))):
        encoded = fmt.encode(positions)
        assert fmt.decode_positions(encoded) == positions
        assert fmt.decode_frequency(encoded) == len(positions)
