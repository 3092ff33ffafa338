"""The array evaluator must find exactly what Whoosh's matchers find, with the same scores."""

import shutil

import pytest

from indexer.build import build_index
from search_app.engine import Engine
from search_app.query import parse_query, to_whoosh
from tests.conftest import SEEDS

# every query shape we build: words, bigram phrases, one character, quotes, OR, NOT, boosts
QUERIES = [
    "扶贫",
    "都匀市 贫困户",
    "东西部扶贫协作",
    '"易地扶贫搬迁"',
    "福州 OR 定西",
    "扶贫 -车间",
    "扶贫 NOT 车间",
    "協作",
    "黔",
    "万元",
    "2019 上交市统筹",
    "就业帮扶 资金",
    "贫困发生率",
    "不存在的词语组合",
    "在人",
    "的",
    "的 在",
    "城市 管理 条例",
    "經濟 增長",
    '"脱贫攻坚" 贵州',
    "扶贫 OR 协作 OR 搬迁",
    "协作 -福州 -定西",
    "贫困 发生率 2020",
    "1.35",
    "东西部扶贫协作资金",
    "脱贫攻坚脱贫攻坚",
]


def whoosh_scores(searcher, q) -> dict[int, float]:
    results = searcher.search(q, limit=None)
    return {hit.docnum: hit.score for hit in results}


def assert_same(index, queries):
    with Engine(index) as engine:
        snap = engine.snapshot()
        searcher = snap.searcher()
        for text in queries:
            q = to_whoosh(parse_query(text))
            scored = snap.scorer().scores(q)
            ours = dict(zip(scored.ids.tolist(), scored.scores.tolist(), strict=True))
            theirs = whoosh_scores(searcher, q)
            assert set(ours) == set(theirs), text
            for d, score in theirs.items():
                assert ours[d] == pytest.approx(score, rel=1e-5), (text, d)


def test_same_matches_and_scores_as_whoosh(seeds_index):
    assert_same(seeds_index, QUERIES)


def test_deleted_units_are_not_found(tmp_path):
    """After an update the old segment still holds the changed file's postings, marked
    deleted (here in the middle of every posting list): they must not come back."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    index = tmp_path / "index"
    build_index(corpus, index, jobs=1)  # one segment, the files in order
    victim = sorted(corpus.glob("*.txt"))[2]
    victim.write_text("更新后的报告\n扶贫协作新增车间二百个,都匀市贫困户增收。\n", encoding="utf-8")
    build_index(corpus, index, jobs=1)
    assert_same(index, QUERIES)


REAL = SEEDS.parent.parent / "shared" / "corpus-real"

# the shapes users type on the real corpus (bench/workload.py REAL_FIXED and more)
REAL_QUERIES = QUERIES + [
    "发展", "城市 管理 条例", "乡村振兴", "的 是 在 和", "減稅降費", "經濟 增長 預期目標",
    '"新质生产力"', '"放管服"改革', "扶贫 OR 脱贫", "环境保护 -大气", "人民政府 -国务院",
    "第一条", "条例", "香港", "2019", "一带一路", "碳达峰 碳中和",
]


@pytest.fixture(scope="module")
def real_sample_index(tmp_path_factory):
    """Every 40th document of the real corpus (regulations, work reports, policy addresses)."""
    if not REAL.is_dir():
        pytest.skip("../shared/corpus-real is not here")
    files = sorted(p for p in REAL.rglob("*.txt"))[::40]
    corpus = tmp_path_factory.mktemp("real") / "corpus"
    for p in files:
        dest = corpus / p.relative_to(REAL)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, dest)
    index = corpus.parent / "index"
    build_index(corpus, index, jobs=2)
    return index


def test_same_matches_and_scores_as_whoosh_on_real_documents(real_sample_index):
    assert_same(real_sample_index, REAL_QUERIES)
