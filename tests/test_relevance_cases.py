"""The relevance set (tests/relevance/cases.tsv) is a yardstick: a malformed case or a fragment
that is not in its document would make the benchmark's relevance figures silently wrong (a
case that can never succeed, or a filter the search refuses). These tests check the file
itself and, when the real corpus is present, every fragment against its document's text. No
index is built: this runs in well under a second."""

from __future__ import annotations

from collections import Counter

import pytest

from bench import relevance as R

CASES = R.load_cases()
REAL = R.CORPUS.is_dir()


def test_enough_cases_of_every_kind():
    """Issue 14 asks for at least 80; each kind it names needs enough cases to move a figure."""
    assert len(CASES) >= 100
    counts = Counter(c.kind for c in CASES)
    for kind in R.NEW_KINDS + ("topic", "regulation", "hongkong", "traditional", "phrase",
                               "filter", "fact"):
        assert counts[kind] >= 5, (kind, counts[kind])


def test_every_field_present_and_well_formed():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    for c in CASES:
        assert c.query.strip() and c.fragment.strip() and c.note.strip(), c.id
        assert c.k >= 1, c.id
        assert c.kind in R.KINDS, c.id
        assert c.doc_id.endswith((".txt", ".md")) and not c.doc_id.startswith("/"), c.id
        if c.year:
            lo, hi = R.parse_year(c.year)
            assert lo <= hi
        # the fragment must be specific enough to name one paragraph, not a common word
        assert len(R.squeeze(c.fragment)) >= 4, c.id


def test_filters_parse_with_the_search_filter_parser():
    """Every region and year a case uses is one the search accepts (an unknown or ambiguous
    place would turn the case into an error instead of a measurement)."""
    from search_app.facets import parse_years, resolve_region

    for c in CASES:
        if c.year:
            assert parse_years(c.year) == [R.parse_year(c.year)], c.id
        if c.region:
            assert resolve_region(c.region), c.id


def _write(tmp_path, body: str, name: str = "cases.tsv"):
    p = tmp_path / name
    p.write_text("# comment\n" + "\t".join(R.COLUMNS) + "\n" + body, encoding="utf-8")
    return p


@pytest.mark.parametrize("line, message", [
    ("a\ttopic\tq\t\t\t0\td.txt\tfrag\tnote", "k must be"),
    ("a\ttopic\tq\t\t20x0\t1\td.txt\tfrag\tnote", "year"),
    ("a\tnonsense\tq\t\t\t1\td.txt\tfrag\tnote", "unknown kind"),
    ("a\ttopic\t\t\t\t1\td.txt\tfrag\tnote", "empty query"),
    ("a\ttopic\tq\t\t\t1\td.txt\tfrag", "columns"),
    ("a\ttopic\tq\t\t\t1\t../d.txt\tfrag\tnote", "relative"),
    ("a\ttopic\tq\t\t\t1\td.txt\tfrag\tnote\na\ttopic\tq\t\t\t1\td.txt\tfrag\tnote",
     "duplicate id"),
])
def test_loader_rejects_malformed_lines(tmp_path, line, message):
    with pytest.raises(R.CaseError, match=message):
        R.load_cases(_write(tmp_path, line + "\n"))


def test_loader_reads_filters(tmp_path):
    [c] = R.load_cases(_write(tmp_path, "a\tfilter\tq\t杭州\t2016-2018\t3\td.txt\tfrag\tn\n"))
    assert (c.region, c.year, c.k) == ("杭州", "2016-2018", 3)


@pytest.mark.skipif(not REAL, reason="../shared/corpus-real not present")
def test_every_fragment_is_in_its_document():
    """Verbatim (whitespace aside) in the named document, in the document's own script."""
    missing = []
    texts: dict[str, str] = {}
    for c in CASES:
        path = R.CORPUS / c.doc_id
        if not path.is_file():
            missing.append(f"{c.id}: no file {c.doc_id}")
            continue
        if c.doc_id not in texts:
            texts[c.doc_id] = R.squeeze(path.read_text(encoding="utf-8"))
        if R.squeeze(c.fragment) not in texts[c.doc_id]:
            missing.append(f"{c.id}: {c.fragment!r} not in {c.doc_id}")
    assert not missing, "\n".join(missing)


@pytest.mark.skipif(not REAL, reason="../shared/corpus-real not present")
def test_fragments_stay_within_one_line():
    """A unit never spans two lines of the source, so a fragment that does could never be
    found in a hit's text."""
    bad = []
    for c in CASES:
        lines = (R.CORPUS / c.doc_id).read_text(encoding="utf-8").splitlines()
        if not any(R.squeeze(c.fragment) in R.squeeze(line) for line in lines):
            bad.append(c.id)
    assert not bad, bad


def test_rank_of_needs_document_and_fragment():
    """The judgement the figures rest on: right document *and* fragment in the hit's text."""
    from types import SimpleNamespace as H

    case = R.Case("x", "topic", "q", None, None, 3, "a.txt", "长江 大保护", "n")
    hits = [H(doc_id="b.txt", text="共抓长江大保护"), H(doc_id="a.txt", text="别的段落"),
            H(doc_id="a.txt", text="坚定共抓长江大\n保护")]
    assert R.rank_of(case, hits) == 3
    assert R.rank_of(case, hits[:2]) is None


def test_scores_of_known_ranks():
    outs = [R.Outcome("a", "topic", 1, 1, 5), R.Outcome("b", "topic", 10, 4, 5),
            R.Outcome("c", "partial", 3, None, 0), R.Outcome("d", "partial", 3, 20, 30)]
    s = R.scores(outs)
    assert s["success_at_k"] == pytest.approx(2 / 4)
    assert s["success_at_1"] == pytest.approx(1 / 4)
    assert s["success_at_10"] == pytest.approx(2 / 4)
    assert s["mrr"] == pytest.approx((1 + 1 / 4 + 1 / 20) / 4)
    summary = R.summarize(outs)
    assert summary["ordinary"]["n"] == 2 and summary["new (issue 14)"]["n"] == 2
    assert summary["failed"] == ["c", "d"]


def test_runner_end_to_end_on_a_small_index(docs_index, tmp_path):
    """The runner through the real ``search()``: found, missed and refused queries, both
    modes (a partial match is found by ours, not by plain BM25)."""
    path = _write(tmp_path, "\n".join([
        "t1\ttraditional\t闽宁协作\t\t\t1\ttrad.txt\t閩寧協作在台江區\tfound across scripts",
        "t2\ttopic\t林盘蚕房 贫困户\t贵州\t2019\t1\tsimp.txt\t独山县林盘蚕房项目\tfiltered",
        "t3\tpartial\t林盘蚕房 飞机场\t\t\t5\tsimp.txt\t独山县林盘蚕房项目\tnot in any unit",
        "t4\tfilter\t林盘蚕房\t\t1990\t5\tsimp.txt\t独山县林盘蚕房项目\twrong year",
        "t5\tphrase\t!!!\t\t\t1\tsimp.txt\t独山县林盘蚕房项目\tthe engine refuses it",
    ]) + "\n")
    cases = R.load_cases(path)
    for plain in (False, True):
        outs = {o.id: o for o in R.run(docs_index, cases, plain=plain)}
        assert outs["t1"].rank == 1 and outs["t2"].rank == 1
        assert (outs["t3"].rank is None) == plain  # the units with most terms: ours only
        assert outs["t4"].rank is None
        assert outs["t5"].rank is None and outs["t5"].error
    result = R.evaluate(docs_index, cases)
    assert result["ours"]["all"]["success_at_k"] == pytest.approx(3 / 5)
    assert result["ours"]["failed"] == ["t4", "t5"]
    table = R.format_table(result)
    assert "plain s@k" in table and "*partial" in table and "failed: t4 t5" in table


def test_command_line(docs_index, tmp_path, capsys):
    """``python -m bench.relevance`` prints the table and writes the JSON; a bad case file is
    one clear line and status 2."""
    import json

    path = _write(tmp_path, "t1\ttraditional\t闽宁协作\t\t\t1\ttrad.txt\t閩寧協作\tnote\n")
    out = tmp_path / "rel.json"
    assert R.main(["--index-dir", str(docs_index), "--cases", str(path), "-v",
                   "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "ok   t1" in printed and "relevance (1 cases)" in printed
    assert json.loads(out.read_text(encoding="utf-8"))["ours"]["all"]["mrr"] == 1.0
    missed = _write(tmp_path, "t1\ttopic\t闽宁协作\t\t1990\t1\ttrad.txt\t閩寧協作\tnote\n",
                    "missed.tsv")
    assert R.main(["--index-dir", str(docs_index), "--cases", str(missed), "--no-plain",
                   "--fail-under", "0.5"]) == 1
    assert R.main(["--index-dir", str(docs_index), "--cases", str(path), "--no-plain",
                   "--fail-under", "1.0"]) == 0
    bad = _write(tmp_path, "t1\ttopic\tq\t\t\t0\td.txt\tfrag\tnote\n", "bad.tsv")
    assert R.main(["--index-dir", str(docs_index), "--cases", str(bad)]) == 2
    assert "k must be" in capsys.readouterr().err
