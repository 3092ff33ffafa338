"""Index builds: atomic swap, incremental updates, failures, bad folders and files (kills and
the lock: test_interrupt.py)."""

import os
import shutil
import time

import pytest

from indexer import store
from indexer.build import CorpusError, build_index
from search_app.search import search
from tests.conftest import SEEDS


def uids(index, q):
    return sorted(h.uid for h in search(index, q, per_page=100).hits)


def test_full_build_then_nothing_to_do(corpus, tmp_path):
    index = tmp_path / "index"
    first = build_index(corpus, index, jobs=1)
    assert first.full and first.documents == 3 and first.units > 0
    assert first.analysed_units == first.units
    second = build_index(corpus, index, jobs=1)
    assert second.up_to_date and second.analysed_units == 0
    assert second.generation == first.generation
    assert (second.documents, second.units) == (first.documents, first.units)


def test_touched_file_with_same_bytes_is_not_reanalysed(corpus, tmp_path):
    index = tmp_path / "index"
    build_index(corpus, index, jobs=1)
    path = corpus / "trad.txt"
    os.utime(path, (time.time() + 100, time.time() + 100))
    report = build_index(corpus, index, jobs=1)
    assert report.up_to_date and report.unchanged == 3


def test_incremental_add_change_delete(corpus, tmp_path):
    index = tmp_path / "index"
    build_index(corpus, index, jobs=1)
    assert uids(index, "林盘")
    # change one file, delete one, add one
    (corpus / "simp.txt").write_text("贵州协作报告\n二、做法\n沙步市场开设黄埔壹号店,销售独山大米。\n",
                                     encoding="utf-8")
    (corpus / "sub" / "hk.md").unlink()
    (corpus / "new.txt").write_text("新增报告\n三都县黄埔小学建成投用,学校设计规模为36个教学班。\n",
                                    encoding="utf-8")
    report = build_index(corpus, index, jobs=1)
    assert (report.added, report.changed, report.deleted, report.unchanged) == (1, 1, 1, 1)
    new_units = 2  # simp.txt and new.txt each have one paragraph now
    assert report.analysed_units == new_units
    assert uids(index, "林盘") == []  # the old text of the changed file is gone
    assert uids(index, "沙步") == ["simp.txt#0"]
    assert uids(index, "黄埔小学") == ["new.txt#0"]
    assert uids(index, "衞生") == []  # the deleted file is gone
    assert uids(index, "闽宁协作") == ["trad.txt#0"]  # the unchanged file still answers
    assert report.documents == 3


def test_full_flag_rebuilds_everything(corpus, tmp_path):
    index = tmp_path / "index"
    first = build_index(corpus, index, jobs=1)
    again = build_index(corpus, index, full=True, jobs=1)
    assert again.full and not again.up_to_date
    assert again.analysed_units == first.units
    assert again.generation != first.generation


def test_parallel_and_serial_builds_agree(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    one, two = tmp_path / "one", tmp_path / "two"
    build_index(corpus, one, jobs=1)
    build_index(corpus, two, jobs=2)
    for q in ("扶贫车间", "林盘", "闽宁协作", "都匀市 贫困户"):
        assert uids(one, q) == uids(two, q)


def test_undecodable_and_empty_files_are_skipped_with_a_reason(corpus, tmp_path):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 4)
    (corpus / "gbk.txt").write_bytes("广东省扶贫开发报告\n珠三角产业向粤东西北转移。\n".encode("gbk"))
    report = build_index(corpus, tmp_path / "index", jobs=1)
    reasons = dict(report.skipped)
    assert reasons["empty.txt"] == "empty file"
    assert reasons["image.txt"] == "binary file"
    assert "gbk.txt" not in reasons
    assert uids(tmp_path / "index", "珠三角产业") == ["gbk.txt#0"]
    assert report.documents == 4


def test_missing_or_empty_corpus(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        build_index(tmp_path / "nope", tmp_path / "index")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match=r"no \.txt, \.md, \.html, \.pdf, \.docx or \.doc files"):
        build_index(tmp_path / "empty", tmp_path / "index")
    assert not (tmp_path / "index").exists()


def test_index_folder_that_is_not_ours_is_left_alone(corpus, tmp_path):
    foreign = tmp_path / "important"
    foreign.mkdir()
    (foreign / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(store.NotOurs):
        build_index(corpus, foreign)
    assert [p.name for p in foreign.iterdir()] == ["thesis.docx"]


def test_failure_half_way_keeps_the_old_index(corpus, tmp_path, monkeypatch):
    index = tmp_path / "index"
    first = build_index(corpus, index, jobs=1)
    before = uids(index, "闽宁协作")
    (corpus / "trad.txt").write_text("全新内容\n闽宁协作不再出现在这里。\n", encoding="utf-8")

    import indexer.build as B

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(B, "_commit", boom)
    with pytest.raises(RuntimeError):
        build_index(corpus, index, jobs=1)
    assert store.live_generation(index).name == first.generation
    assert uids(index, "闽宁协作") == before
    assert not [p for p in index.iterdir() if p.name.startswith(".build-")]
    assert not (index / store.LOCK).exists()
