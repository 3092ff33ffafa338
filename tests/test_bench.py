"""The benchmark must not rot: its workload generator and baselines run on a tiny size.

(CI also runs ``python -m bench --quick``; no test here asserts a time.)
"""

from bench import baselines as B
from bench import workload as W


def test_synthetic_workload_is_reproducible(tmp_path):
    a = W.synthetic(120, tmp_path / "a", seed=3)
    b = W.synthetic(120, tmp_path / "b", seed=3)
    files_a = sorted(p.relative_to(a.corpus) for p in a.corpus.rglob("*.txt"))
    files_b = sorted(p.relative_to(b.corpus) for p in b.corpus.rglob("*.txt"))
    assert files_a == files_b and a.units >= 120
    for rel in files_a:
        assert (a.corpus / rel).read_bytes() == (b.corpus / rel).read_bytes()
    text = "".join(p.read_text("utf-8") for p in a.corpus.rglob("*.txt"))
    assert "返回顶部" in text and " |" in text  # chrome and flattened tables are in the mix
    assert any(ch in text for ch in "東國們發")  # both scripts
    assert "(" in text  # pinyin notes


def test_query_mix_covers_every_kind():
    mix = W.query_mix(60)
    assert len(mix) == 60
    kinds = {q.kind for q in mix}
    assert kinds == {"common", "rare", "substring", "phrase", "two-words", "traditional"}
    assert any(q.region for q in mix) and any(q.year for q in mix)
    assert any(q.q.startswith('"') for q in mix)


def test_baselines_run(tmp_path):
    wl = W.synthetic(60, tmp_path / "corpus")
    floor = B.floor(wl.corpus, jobs=1)
    assert floor["tokens"] > 0
    naive = B.naive_build(wl.corpus, tmp_path / "naive")
    assert naive["documents"] > 0
    page = B.NaivePage(tmp_path / "naive")
    try:
        assert page.run(W.Query("扶贫", "common")) >= 0
    finally:
        page.close()
