"""The fast segment writer and compact blocks give exactly what stock Whoosh gives."""

import shutil
from array import array

import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import SegmentWriter

from indexer.build import _commit
from indexer.codec import SIDECAR_ONLY, Codec, FastSegmentWriter, decode_block, encode_block
from indexer.reading import scan_corpus
from indexer.records import process_file
from indexer.schema import make_schema
from tests.conftest import SEEDS


@pytest.mark.parametrize(
    "ids,weights,values",
    [
        ([0], [1.0], []),
        ([3, 7, 200, 70000], [1.0, 2.0, 1.0, 9.0], []),
        ([5, 6], [1.0, 1.0], [b"\x00", b"\x03\x81\x01"]),
        (list(range(0, 1280, 10)), [1.0] * 128, [bytes([i % 7]) for i in range(128)]),
    ],
)
def test_block_round_trip(ids, weights, values):
    data = encode_block(array("I", ids), array("f", weights), values)
    got_ids, got_weights, got_values = decode_block(data)
    assert list(got_ids) == ids
    assert (got_weights is None) == all(w == 1 for w in weights)
    if got_weights is not None:
        assert list(got_weights) == weights
    assert (list(got_values) if got_values else []) == values


def test_blocks_that_do_not_fit_fall_back():
    assert encode_block(array("I", [1]), array("f", [0.5]), []) is None  # fractional weight


def _docs():
    files, _ = scan_corpus(SEEDS)
    docs = []
    for f in files:
        _, fields = process_file(f)
        docs.extend(fields)
    return docs


@pytest.fixture(scope="module")
def twin_indexes(tmp_path_factory):
    docs = _docs()
    stock = tmp_path_factory.mktemp("stock")
    fast = tmp_path_factory.mktemp("fast")
    whoosh_index.create_in(str(stock), make_schema())
    ix = whoosh_index.open_dir(str(stock))
    w = SegmentWriter(ix, codec=W3Codec())
    for d in docs:
        w.add_document(**{k: (list(v) if isinstance(v, list) else v) for k, v in d.items()
                          if k not in SIDECAR_ONLY})
    w.commit()
    whoosh_index.create_in(str(fast), make_schema())
    ix2 = whoosh_index.open_dir(str(fast))
    fw = FastSegmentWriter(ix2)
    for d in docs:
        fw.add_document(**d)
    seg = fw._finalize_segment()
    _commit(ix2.writer(codec=Codec()), [seg])
    a, b = whoosh_index.open_dir(str(stock)), whoosh_index.open_dir(str(fast))
    yield a, b
    a.close()
    b.close()
    for ix_ in (ix, ix2):
        ix_.close()
    shutil.rmtree(stock, ignore_errors=True)


QUERIES = [
    wq.Term("words", "扶贫"),
    wq.Term("words", "闽宁协作"),
    wq.Phrase("bigrams", ["林盘", "盘蚕"]),
    wq.Phrase("bigrams", ["扶贫", "贫车", "车间"]),
    wq.And([wq.Term("words", "都匀市"), wq.Term("words", "贫困户")]),
    wq.Or([wq.Term("words", "福州"), wq.Term("bigrams", "定西")]),
    wq.Prefix("bigrams", "县"),
    wq.Term("kind", "paragraph"),
    wq.Term("doc_id", "002_6fe4fd70bc199bb4.txt"),
]


@pytest.mark.parametrize("q", QUERIES, ids=lambda q: repr(q)[:40])
def test_same_hits_and_scores_as_stock_whoosh(twin_indexes, q):
    stock, fast = twin_indexes
    with stock.searcher() as s1, fast.searcher() as s2:
        r1 = s1.search(q, limit=None)
        r2 = s2.search(q, limit=None)
        # both writers got the units in the same order: equal numbers are the same unit
        got1 = [(h.docnum, round(h.score, 6)) for h in r1]
        got2 = [(h.docnum, round(h.score, 6)) for h in r2]
        assert got1 == got2 and got1
        assert sorted(s1.docs_for_query(q)) == sorted(s2.docs_for_query(q))


def test_rare_terms_are_inlined_compactly_and_read_back(twin_indexes):
    """A term in a few units keeps its postings in the term index as a compact block
    (CompactTermInfo), a tenth of the pickle Whoosh writes, and reads back the same."""
    import pickle

    from indexer.codec import CompactTermInfo

    stock, fast = twin_indexes
    with stock.reader() as r1, fast.reader() as r2:
        inlined = [(f, t) for f, t in r2.all_terms()
                   if f in ("words", "bigrams") and r2.term_info(f, t).is_inlined()][:200]
        assert len(inlined) == 200
        for f, t in inlined:
            a, b = r1.term_info(f, t), r2.term_info(f, t)
            assert isinstance(b, CompactTermInfo)
            pickled = 23 + len(pickle.dumps(b.inlined_postings(), 2))  # W3TermInfo's way
            assert b.to_bytes()[0] == 2 and len(b.to_bytes()) < pickled
            ids, weights, values = b.inlined_postings()
            assert list(ids) == list(r1.postings(f, t).all_ids())
            assert (b.doc_frequency(), b.weight()) == (a.doc_frequency(), a.weight())
            assert (b.min_length(), b.max_length(), b.max_weight(), b.min_id(), b.max_id()) \
                == (a.min_length(), a.max_length(), a.max_weight(), a.min_id(), a.max_id())
            if f == "bigrams":
                m, stock_positions = r1.postings(f, t), []
                while m.is_active():
                    stock_positions.append(list(m.value_as("positions")))
                    m.next()
                assert [r2.schema[f].format.decode_positions(v) for v in values] == \
                    stock_positions
