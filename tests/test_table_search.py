"""Finding table rows: the intended row first, shown as caption — header: value pairs."""

import json

import pytest

from indexer import unit_texts
from indexer.build import build_index
from search_app.cli import cli
from search_app.highlight import plain
from search_app.present import hit_views
from search_app.search import search
from tests.conftest import write_corpus

ROW_QUERIES = [
    # query, the row's first cell, a cell of the row, caption start
    ("都匀市 贫困户", "都勻市", "3425", "表4:"),
    ("就业帮扶 资金", "就業幫扶", "1497.9", "表3:"),
    ("2019 上交市统筹", "2019", "5934.58", "表2 :"),
]


@pytest.mark.parametrize("q,label,value,caption", ROW_QUERIES, ids=[r[0] for r in ROW_QUERIES])
def test_intended_row_comes_first(seeds_index, q, label, value, caption):
    top = search(seeds_index, q).hits[0]
    assert top.kind == "table_row"
    assert top.cells[0]["value"] == label and value in [c["value"] for c in top.cells]
    assert top.table.startswith(caption)
    shown = plain(top.snippet)
    assert shown.startswith(caption) and " — " in shown
    assert f": {value}" in shown  # header: value pairs
    assert "<mark>" in top.snippet


def test_row_snippet_reads_as_pairs(seeds_index):
    top = search(seeds_index, "2019 上交市统筹").hits[0]
    assert top.snippet == (
        "表2 :總體財政幫扶資金的年度安排情況表(單位:萬元) — 年度: <mark>2019</mark>"
        " · 財政幫扶資金數: 9020.58 · 其中:<mark>上交市統籌</mark>使用數: 5934.58"
        " · 其中:我區主動增加安排資金數: 3086")
    shown = hit_views(seeds_index, search(seeds_index, "2019 上交市统筹"))[0]
    assert shown.cells_html[2]["header"] == "其中:<mark>上交市統籌</mark>使用數"


def test_long_row_snippet_keeps_the_label_and_the_match(seeds_index):
    top = search(seeds_index, "石塑包装箱").hits[0]
    shown = plain(top.snippet)
    assert top.kind == "table_row" and "項目名稱: 勻上石塑產業工業園" in shown
    assert "<mark>石塑包裝箱</mark>" in top.snippet and len(shown) < 260


def test_json_hit_has_table_and_cells(seeds_index):
    hit = search(seeds_index, "都匀市 贫困户").hits[0].to_dict()
    assert hit["table"].startswith("表4:")
    assert hit["cells"][:3] == [{"header": "脫貧數 縣(市)", "value": "都勻市"},
                                {"header": "貧困村", "value": "14"},
                                {"header": "貧困戶", "value": "3425"}]
    paragraph = search(seeds_index, "闽宁协作").hits[0].to_dict()
    assert "table" not in paragraph and "cells" not in paragraph


def test_kind_filter_and_no_cell_noise(seeds_index):
    rows = search(seeds_index, "资金", kind="table_row", per_page=100).hits
    assert rows and all(h.kind == "table_row" for h in rows)
    # a bare number used to be a one-cell paragraph; now it is found in its row only
    for h in search(seeds_index, "1497.9", per_page=100).hits:
        assert h.kind == "table_row" and h.table.startswith("表3")


def test_totals_row_is_marked(seeds_index):
    hit = search(seeds_index, "20016.76", kind="table_row").hits[0]
    assert hit.cells[0]["value"] == "合計"
    from search_app.engine import Engine, loads

    with Engine(seeds_index) as engine:
        snap = engine.snapshot()
        extra = loads(unit_texts.units_of(snap.db(), [(hit.doc_id, hit.ordinal)])
                      [(hit.doc_id, hit.ordinal)]["extra"], {})
        doc = snap.db().execute("SELECT tables FROM docs WHERE doc_id = ?",
                                (hit.doc_id,)).fetchone()
    assert extra["total"] is True
    assert {"header": "其中:上交市統籌使用數", "value": 20016.76, "unit": "万元"} in extra["numbers"]
    tables = json.loads(doc["tables"])
    table = next(t for t in tables if t["caption"] == hit.table)
    assert table["units"][table["totals"][0]] == hit.ordinal


def test_amount_field_holds_money_in_yuan(seeds_index):
    from whoosh.query import NumericRange

    from search_app.engine import Engine

    with Engine(seeds_index) as engine:
        searcher = engine.snapshot().searcher()
        # 9020.58 万元 (2019) is the only money cell between 9e7 and 9.1e7 yuan
        docs = list(searcher.docs_for_query(NumericRange("amount", 9.0e7, 9.1e7)))
        arrays = engine.snapshot().arrays
        uids = [f"{arrays.doc_ids[arrays.doc[d]]}#{arrays.ordinal[d]}" for d in docs]
    assert uids == [
        search(seeds_index, "2019 上交市统筹").hits[0].uid]


TABLE_DOCS = {
    "md/協作報告.md": (
        "# 某市東西部協作年報\n\n"
        "一年來,兩地協作不斷深化,帶動了當地群眾增收。\n\n"
        "表1 結對縣搬遷安置情況\n\n"
        "| 縣名 | 搬遷人口(人) | 安置資金(萬元) |\n"
        "|---|---:|---:|\n"
        "| 獨山縣 | 6911 | 3465.8 |\n"
        "| 荔波縣 | 2405 | 1290 |\n\n"
        "下一步,將繼續做好搬遷後續扶持工作。\n"
    ),
    "tsv.txt": (
        "某县产业帮扶简报\n\n"
        "今年全县产业帮扶项目进展顺利,现将资金安排列表如下。\n"
        "表2 产业帮扶资金安排(单位:万元)\n"
        "乡镇\t茶叶基地\t蚕桑基地\n"
        "麻尾镇\t120\t80\n"
        "基长镇\t95\t140\n"
        "\n"
        "以上资金均已拨付到位。\n"
    ),
    "broken.txt": (
        "某縣幫扶工作報告\n\n"
        "全縣投入幫扶資金1000萬元,建成扶貧車間12個。 |\n"
        "第二段講述了產業幫扶的做法和成效,帶動貧困戶增收。\n"
        "表3:幫扶資金表(單位:萬元)\n"
        "年度 |\n資金 |\n人數 |\n2019 |\n100 |\n2020 |\n120 |\n30 |\n2021 |\n150 |\n45 |\n"
        "第三段是表格後面的正文,說明資金使用情況良好。\n"
    ),
}


@pytest.fixture(scope="module")
def tables_index(tmp_path_factory):
    base = tmp_path_factory.mktemp("tables")
    corpus = write_corpus(base / "corpus", TABLE_DOCS)
    report = build_index(corpus, base / "index", jobs=1)
    return base / "index", report


@pytest.mark.parametrize("q,doc,table,pairs", [
    ("独山县 搬迁人口", "md/協作報告.md", "表1 結對縣搬遷安置情況",
     "縣名: 獨山縣 · 搬遷人口(人): 6911 · 安置資金(萬元): 3465.8"),
    ("基长镇 蚕桑", "tsv.txt", "表2 产业帮扶资金安排(单位:万元)",
     "乡镇: 基长镇 · 茶叶基地: 95 · 蚕桑基地: 140"),
    ("2021 人數", "broken.txt", "表3:幫扶資金表(單位:萬元)", "年度: 2021 · 資金: 150 · 人數: 45"),
], ids=["markdown", "tab-separated", "damaged-flattened"])
def test_markdown_and_tab_tables_come_back_as_rows(tables_index, q, doc, table, pairs):
    top = search(tables_index[0], q).hits[0]
    assert (top.kind, top.doc_id, top.table) == ("table_row", doc, table)
    assert plain(top.snippet) == f"{table} — {pairs}"


@pytest.mark.parametrize("q,start", [
    ("两地协作", "一年來"), ("搬迁后续扶持", "下一步"), ("资金均已拨付", "以上资金"),
    ("扶贫车间12个", "全縣投入"), ("产业帮扶的做法", "第二段"), ("资金使用情况良好", "第三段"),
])
def test_paragraphs_around_tables_are_kept(tables_index, q, start):
    top = search(tables_index[0], q).hits[0]
    assert top.kind == "paragraph" and top.text.startswith(start)


def test_damaged_table_warns_in_the_build_summary(tables_index):
    _, report = tables_index
    assert report.skipped == []
    damaged = [w for w in report.warnings if w.startswith("broken.txt: 表3")]
    assert len(damaged) == 1 and "row 1" in damaged[0]
    # the damaged row's cells are still searchable, with the row label's header
    hit = search(tables_index[0], "2019", kind="table_row").hits[0]
    assert hit.cells[0] == {"header": "年度", "value": "2019"}
    assert hit.cells[1] == {"header": "", "value": "100"}


def test_cli_prints_build_warnings(runner, tmp_path):
    corpus = write_corpus(tmp_path / "corpus", TABLE_DOCS)
    result = runner.invoke(cli, ["index", str(corpus), "--index-dir", str(tmp_path / "ix"),
                                 "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "warning: broken.txt: 表3:幫扶資金表(單位:萬元): row 1 ('2019') has 2 cells" \
        in result.output
    assert "; 1 warnings;" in result.output
    shown = runner.invoke(cli, ["query", "基长镇", "蚕桑", "--index-dir", str(tmp_path / "ix")])
    assert "table row" in shown.output
    assert "表2 产业帮扶资金安排(单位:万元) — 乡镇: [基长镇] · 茶叶基地: 95 · [蚕桑]基地: 140" \
        in shown.output
