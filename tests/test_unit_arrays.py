"""The per-unit arrays written at build time: opening a generation reads no stored document,
facet counts equal a count made from the units database, old indexes ask for a rebuild, and
the bulk decoders agree with the codec's own."""

import json
import shutil
import sqlite3
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer import store, unit_texts
from indexer.codec import CompactPositions, encode_positions, positions_arrays
from search_app.cli import cli
from search_app.engine import Snapshot
from search_app.postings import PostingCache, Postings
from search_app.search import search


def test_opening_a_generation_reads_no_stored_document(seeds_index, monkeypatch):
    from whoosh.reading import SegmentReader

    calls = Counter()

    def counted(name):
        original = getattr(SegmentReader, name)

        def wrapper(self, *args, **kwargs):
            calls[name] += 1
            return original(self, *args, **kwargs)
        return wrapper

    for name in ("stored_fields", "iter_docs", "all_stored_fields"):
        monkeypatch.setattr(SegmentReader, name, counted(name))
    snap = Snapshot(store.require_live(seeds_index))
    try:
        result = search(snap, "扶贫", region="贵州", year="2016-2021")
        assert result.total > 0 and result.facets["region"] and result.facets["year"]
    finally:
        snap.close()
    assert not calls, f"stored documents read while opening or searching: {dict(calls)}"


def _units(index):
    conn = sqlite3.connect(store.require_live(index) / store.UNITS_DB)
    conn.row_factory = sqlite3.Row
    docs = [d for (d,) in conn.execute("SELECT doc_id FROM docs")]
    rows = {r["uid"]: r for d in docs for r in unit_texts.document_units(conn, d)}
    conn.close()
    return rows


@pytest.mark.parametrize("q,region,year", [
    ("扶贫", None, None),
    ("的", None, None),
    ("协作", "贵州", None),
    ("搬迁", None, "2016-2020"),
    ("福州 OR 定西", "福建省", "2021"),
])
def test_facet_counts_equal_a_count_from_the_units_database(seeds_index, q, region, year):
    """Every matching unit looked up by hand: provinces (or the children of the selected
    region) and years counted the slow way must equal the bincounts."""
    every = search(seeds_index, q, region=region, year=year, per_page=100)
    uids = []
    for page in range(1, every.pages + 1):
        uids += [h.uid for h in search(seeds_index, q, region=region, year=year,
                                       per_page=100, page=page).hits]
    assert len(uids) == every.total
    rows = _units(seeds_index)
    years = Counter(rows[u]["year"] for u in uids if rows[u]["year"])
    # the year facet ignores the year filter: only check it when there is none
    if year is None:
        assert {y["value"]: y["count"] for y in every.facets["year"]} == dict(years)
    if region is None:
        provinces = Counter()
        for u in uids:
            provinces.update({p.split("/")[0] for p in json.loads(rows[u]["regions"])})
        assert {r["value"]: r["count"] for r in every.facets["region"]} == dict(provinces)


def test_an_index_of_another_schema_asks_for_a_rebuild(seeds_index, tmp_path, runner):
    index = tmp_path / "index"
    shutil.copytree(seeds_index, index)
    gen = store.require_live(index)
    conn = sqlite3.connect(gen / store.UNITS_DB)
    conn.execute("UPDATE info SET value = '6' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(store.OldIndex, match=r"policy-search index --full"):
        search(index, "扶贫")
    result = runner.invoke(cli, ["query", "扶贫", "--index-dir", str(index)])
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and "index --full" in result.output
    assert "Traceback" not in result.output


def test_a_generation_without_unit_arrays_asks_for_a_rebuild(seeds_index, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(seeds_index, index)
    (store.require_live(index) / "units.arrays.json").unlink()
    with pytest.raises(store.OldIndex, match="no unit arrays"):
        search(index, "扶贫")


@given(st.lists(st.lists(st.integers(0, 70000), min_size=1, max_size=12, unique=True),
                min_size=1, max_size=20))
def test_bulk_position_decoding_equals_the_codec(postings):
    values = [encode_positions(sorted(p)) for p in postings]
    counts, flat = positions_arrays(np.array([len(v) for v in values], np.uint16),
                                    np.frombuffer(b"".join(values), np.uint8))
    fmt = CompactPositions()
    expected = [fmt.decode_positions(v) for v in values]
    assert counts.tolist() == [len(e) for e in expected]
    assert flat.tolist() == [x for e in expected for x in e]


def test_the_posting_cache_stays_within_its_size():
    cache = PostingCache(limit_mb=0.01)  # about 10 kB
    for i in range(50):
        cache.put(("words", str(i).encode(), False),
                  Postings(np.arange(100, dtype=np.int64), np.ones(100)))
    assert 0 < cache.nbytes <= 0.01 * 1024 * 1024
    assert cache.get(("words", b"49", False)) is not None  # the newest stays
    assert cache.get(("words", b"0", False)) is None  # the oldest went first
