"""The fast segment writer and the packed term files give exactly what stock Whoosh gives."""

import shutil

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec
from whoosh.util.varints import varint
from whoosh.writing import SegmentWriter

from indexer import codec
from indexer.build import _commit
from indexer.codec import SIDECAR_ONLY, Codec, FastSegmentWriter, varint_array
from indexer.packed_terms import BLOCK_TERMS, PackedTermsReader
from indexer.reading import scan_corpus
from indexer.records import process_file
from indexer.schema import make_schema
from tests.conftest import SEEDS


@pytest.mark.parametrize("values", [[0], [1, 127, 128, 300], [16383, 16384, 2**21, 2**28 + 5]])
def test_varint_array_matches_whoosh_varints(values):
    out, nb = varint_array(np.array(values))
    assert out.tobytes() == b"".join(varint(v) for v in values)
    assert nb.tolist() == [len(varint(v)) for v in values]


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
    with pytest.MonkeyPatch.context() as mp:  # each field sorted and written in many parts
        mp.setattr(codec, "PART_TOKENS", 500)
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


def _stats(info):
    return (info.doc_frequency(), info.weight(), info.min_length(), info.max_length(),
            info.max_weight(), info.min_id(), info.max_id())


def test_every_term_reads_back_as_stock_whoosh_wrote_it(twin_indexes):
    """Every term of every field, rare (postings in the term block) or common (in the
    postings file): the same terms in the same order, the same statistics, ids, weights and
    positions as Whoosh's own format holds."""
    stock, fast = twin_indexes
    with stock.reader() as r1, fast.reader() as r2:
        terms1, terms2 = list(r1.all_terms()), list(r2.all_terms())
        assert terms1 == terms2 and len(terms2) > 5 * BLOCK_TERMS
        packed = r2.leaf_readers()[0][0]._terms
        assert isinstance(packed, PackedTermsReader)
        external = 0
        for f, t in terms2:
            assert _stats(r1.term_info(f, t)) == _stats(r2.term_info(f, t)), (f, t)
            m1, m2 = r1.postings(f, t), r2.postings(f, t)
            got1, got2 = [], []
            for m, got in ((m1, got1), (m2, got2)):
                while m.is_active():
                    got.append((m.id(), m.weight(),
                                list(m.value_as("positions")) if f == "bigrams" else None))
                    m.next()
            assert got1 == got2, (f, t)
            block, i = packed._find(f, t)
            external += block.is_external(i)
        assert external, "no term was long enough for the postings file"


def test_prefix_and_field_walks_stop_at_the_field(twin_indexes):
    stock, fast = twin_indexes
    with stock.reader() as r1, fast.reader() as r2:
        for prefix in ("县", "扶", "\uffff", ""):
            assert list(r1.expand_prefix("bigrams", prefix)) == \
                list(r2.expand_prefix("bigrams", prefix))
        assert list(r1.lexicon("kind")) == list(r2.lexicon("kind"))
        assert ("words", "不存在的词语") not in r2 and r2.doc_frequency("words", "不存在") == 0


def test_a_damaged_term_file_is_named(twin_indexes, tmp_path):
    from indexer.integrity import Unreadable

    _, fast = twin_indexes
    folder = tmp_path / "copy"
    shutil.copytree(fast.storage.folder, folder)
    trm = next(folder.glob("*.trm"))
    data = bytearray(trm.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)  # inside some block
    trm.write_bytes(bytes(data))
    ix = whoosh_index.open_dir(str(folder))
    with ix.reader() as r, pytest.raises(Unreadable, match=r"\.trm"):
        for _ in r.all_terms():
            pass
    trm.write_bytes(bytes(data[: len(data) // 3]))  # the directory at the end is gone
    with pytest.raises(Unreadable, match="term directory"):
        whoosh_index.open_dir(str(folder)).reader()


def test_whoosh_own_writer_with_the_codec_writes_the_same_terms(twin_indexes, tmp_path):
    """Whoosh's generic path (``PackedFieldWriter.add_postings``) and the fast one agree."""
    _, fast = twin_indexes
    whoosh_index.create_in(str(tmp_path), make_schema())
    ix = whoosh_index.open_dir(str(tmp_path))
    w = SegmentWriter(ix, codec=Codec())
    for d in _docs():
        w.add_document(**{k: v for k, v in d.items() if k not in SIDECAR_ONLY})
    w.commit()
    with whoosh_index.open_dir(str(tmp_path)).reader() as r1, fast.reader() as r2:
        assert list(r1.all_terms()) == list(r2.all_terms())
        for f, t in list(r2.all_terms())[::7]:
            assert _stats(r1.term_info(f, t)) == _stats(r2.term_info(f, t)), (f, t)
            assert list(r1.postings(f, t).all_ids()) == list(r2.postings(f, t).all_ids())


def test_extreme_units_round_trip(tmp_path):
    """A term repeated 70,000 times in a unit (its positions take more than 64 KB) and a
    100,000-byte token keep their postings."""
    whoosh_index.create_in(str(tmp_path), make_schema())
    ix = whoosh_index.open_dir(str(tmp_path))
    w = FastSegmentWriter(ix)
    long_token = "长" * 33334
    w.add_document(doc_id="a.txt", ordinal=0, kind="paragraph", bigrams=["甲乙"] * 70000,
                   words=[long_token, "甲乙"], chars=["甲", "乙"], title=[], section=[])
    _commit(ix.writer(codec=Codec()), [w._finalize_segment()])
    with whoosh_index.open_dir(str(tmp_path)).reader() as r:
        terms = r.leaf_readers()[0][0]._terms
        got = terms.arrays("bigrams", "甲乙".encode(), positions=True)
        assert len(got.ids) == 1 and int(got.vlens[0]) > 65535
        assert r.postings("bigrams", "甲乙").value_as("positions") == list(range(70000))
        assert r.doc_frequency("words", long_token) == 1


def test_readers_of_one_file_share_its_directory_until_the_file_changes(twin_indexes, tmp_path):
    _, fast = twin_indexes
    folder = tmp_path / "copy"
    shutil.copytree(fast.storage.folder, folder)
    ix = whoosh_index.open_dir(str(folder))
    with ix.reader() as a, ix.reader() as b:
        assert a.leaf_readers()[0][0]._terms._fields is b.leaf_readers()[0][0]._terms._fields
        before = a.leaf_readers()[0][0]._terms._fields
    trm = next(folder.glob("*.trm"))
    trm.write_bytes(trm.read_bytes())  # the same bytes, written anew: another mtime, inode
    with ix.reader() as c:
        assert c.leaf_readers()[0][0]._terms._fields is not before
