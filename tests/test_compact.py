"""Issue 17, store each thing once: a unit's text is kept once (in ``units.sqlite``, never in
Whoosh's stored fields), unit arrays come from the writer and survive Whoosh's merges, and an
index of an older layout asks for a rebuild."""

import sqlite3

import pytest
from whoosh import index as whoosh_index
from whoosh.util.numeric import byte_to_length

from indexer import store, unit_arrays, unit_texts
from indexer.build import build_index
from indexer.schema import SCHEMA_VERSION
from search_app.search import search


def _segments_and_docs(gen):
    """Per live Whoosh document: (doc_id term, stored fields, words length) by docnum."""
    ix = whoosh_index.open_dir(str(gen))
    try:
        with ix.reader() as reader:
            doc_of = {}
            for term in reader.lexicon("doc_id"):
                for d in reader.postings("doc_id", term).all_ids():
                    doc_of[d] = term.decode("utf-8")
            out = {d: (doc_of.get(d), reader.stored_fields(d),
                       reader.doc_field_length(d, "words", 0)) for d in reader.all_doc_ids()}
            segments = len(reader.leaf_readers())
    finally:
        ix.close()
    return segments, out


def test_each_unit_text_is_stored_once(seeds_index):
    gen = store.require_live(seeds_index)
    _, docs = _segments_and_docs(gen)
    assert docs and all(stored == {} for _, stored, _ in docs.values()), \
        "Whoosh stores fields again: the units database already holds them"
    conn = sqlite3.connect(gen / store.UNITS_DB)
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    assert "units" not in tables and "texts" in tables
    rows = [r for (d,) in conn.execute("SELECT doc_id FROM docs")
            for r in unit_texts.document_units(conn, d)]
    assert len(rows) == unit_texts.unit_count(conn) == len(docs)
    assert len({r["uid"] for r in rows}) == len(rows)  # no unit twice
    conn.close()
    hit = search(seeds_index, "扶贫").hits[0]
    assert hit.uid == f"{hit.doc_id}#{hit.ordinal}" and hit.text


def test_chunks_round_trip_and_split_long_documents():
    rows = [{"ordinal": i, "kind": "paragraph", "section": f"第{i // 7}节", "lead": None,
             "text": "扶贫协作" * 500, "tbl": None, "cells": None, "regions": "[]",
             "year": 2020, "extra": None} for i in range(30)]
    chunks = list(unit_texts.chunks(rows))
    assert len(chunks) > 1 and chunks[0][0] == 0
    back = [r for _, body in chunks for r in unit_texts.decode("a.txt", body)]
    assert [{k: r[k] for k in rows[0]} for r in back] == rows
    assert back[3]["uid"] == "a.txt#3" and back[3]["doc_id"] == "a.txt"


def test_unit_arrays_stay_right_over_many_updates(corpus, tmp_path):
    """Every update adds a segment and none is merged (Whoosh's merge policy would have merged
    the small ones by the fifth, and a merged segment would have no unit arrays). Each live unit's arrays must still name
    its document and carry its field lengths, with deletions in older segments."""
    index = tmp_path / "index"
    build_index(corpus, index, jobs=1)
    counts = []
    for i in range(8):
        (corpus / f"add{i}.txt").write_text(
            f"报告{i}\n第{i}段:贵州省三都水族自治县推进易地扶贫搬迁。\n第二段{i}:独山县。\n",
            encoding="utf-8")
        if i % 3 == 2:
            (corpus / f"add{i - 1}.txt").unlink()  # a deletion inside a merged segment
        build_index(corpus, index, jobs=1)
        gen = store.require_live(index)
        segments, docs = _segments_and_docs(gen)
        counts.append(segments)
        arrays = unit_arrays.open_arrays(gen)
        assert arrays.live.sum() == len(docs)
        for d, (doc_id, _, words) in docs.items():
            assert arrays.doc_ids[arrays.doc[d]] == doc_id
            assert byte_to_length(arrays.lengths["words"][d]) == words
    assert counts == sorted(counts) and counts[-1] == counts[0] + 7, counts  # none merged
    added = {h.doc_id for h in search(index, "易地扶贫搬迁", per_page=100).hits
             if h.doc_id.startswith("add")}
    assert added == {f"add{i}.txt" for i in (0, 2, 3, 5, 6, 7)}


def test_an_index_of_the_old_layout_asks_for_a_rebuild(seeds_index, tmp_path, runner):
    """A schema-8 units database (a ``units`` table keyed by uid, no ``docs.units``) is
    refused with the rebuild message before any of its tables is read, and a build over it
    rebuilds everything."""
    import shutil

    from search_app.cli import cli

    index = tmp_path / "index"
    shutil.copytree(seeds_index, index)
    gen = store.require_live(index)
    (gen / store.UNITS_DB).unlink()
    conn = sqlite3.connect(gen / store.UNITS_DB)
    conn.executescript("""
        CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE docs (doc_id TEXT PRIMARY KEY, title TEXT);
        CREATE TABLE units (uid TEXT PRIMARY KEY, doc_id TEXT, ordinal INTEGER, text TEXT);
        CREATE TABLE files (doc_id TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER,
                            sha1 TEXT, encoding TEXT, units INTEGER);
        INSERT INTO info VALUES ('schema_version', '8');
    """)
    conn.commit()
    conn.close()
    with pytest.raises(store.OldIndex, match=f"format 8, this version reads {SCHEMA_VERSION}"):
        search(index, "扶贫")
    result = runner.invoke(cli, ["query", "扶贫", "--index-dir", str(index)])
    assert result.exit_code == 2 and "policy-search index --full" in result.output
    assert "Traceback" not in result.output
