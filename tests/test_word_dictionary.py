"""The generation's stored dictionary cuts queries exactly as jieba with the full dictionary
does (the query side no longer imports jieba: see indexer/word_dictionary.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import store
from indexer.analysis import prepare, tokenizer
from indexer.word_dictionary import GenerationWords
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def words(seeds_index):
    w = GenerationWords(store.require_live(seeds_index))
    yield w
    w.close()


def _sentences() -> list[str]:
    out = []
    for p in sorted(SEEDS.glob("*.txt")):
        for line in p.read_text("utf-8").splitlines():
            line = prepare(line.strip())
            if 4 <= len(line) <= 80:
                out.append(line)
    return out[::7][:120]


def test_every_sentence_of_the_reports_is_cut_as_jieba_cuts_it(words):
    tk = tokenizer()
    for s in _sentences():
        assert words.cut(s) == list(tk.cut(s, HMM=False)), s
        assert words.cut_for_search(s) == list(tk.cut_for_search(s, HMM=False)), s


ALPHABET = "东西部扶贫协作就业帮扶资金湖北长江大保护香港公营房屋的是在和了 12a.B-%#，。"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=30))
def test_any_text_is_cut_as_jieba_cuts_it(words, text):
    tk = tokenizer()
    assert words.cut(text) == list(tk.cut(text, HMM=False))


def test_place_names_resolve_to_their_paths(words):
    assert words.places("湖北") == ["湖北省"]
    assert words.places("杭州") == ["浙江省/杭州市"]
    assert words.places("发展") == []


def test_an_update_keeps_the_dictionary_when_nothing_it_is_made_from_changed(tmp_path,
                                                                             monkeypatch):
    """The update's copy of the live words.sqlite is kept when its fingerprint matches; a
    changed source (here: a different fingerprint) writes it again."""
    import shutil

    from indexer import word_dictionary
    from indexer.build import build_index

    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    index = tmp_path / "index"
    build_index(corpus, index, jobs=1)
    first = store.live_generation(index) / word_dictionary.FILE
    (corpus / "added.txt").write_text("新增报告\n闽宁协作继续推进。\n", "utf-8")
    build_index(corpus, index, jobs=1)
    kept = store.live_generation(index) / word_dictionary.FILE
    assert kept != first and kept.read_bytes() == first.read_bytes()
    assert kept.stat().st_mtime_ns == first.stat().st_mtime_ns  # the copy, not rewritten

    monkeypatch.setattr(word_dictionary, "fingerprint", lambda tk, gaz=None: "another dictionary")
    (corpus / "added.txt").write_text("新增报告\n东西部协作继续推进。\n", "utf-8")
    build_index(corpus, index, jobs=1)
    rewritten = store.live_generation(index) / word_dictionary.FILE
    assert word_dictionary._stored_fingerprint(rewritten) == "another dictionary"
    assert GenerationWords(rewritten.parent).cut("闽宁协作") == tokenizer().lcut(
        prepare("闽宁协作"), HMM=False)
