"""Reading tables: the four flattened tables of report 000, Markdown and tab-separated tables,
damaged tables, and lines that only look like tables."""

import pytest

from indexer.document import parse_document
from indexer.table_layout import cell_kind, header_names, is_total
from indexer.tables import caption_unit, header_unit, is_caption, read_table, yuan
from tests.conftest import SEEDS

SEED_000 = next(SEEDS.glob("000_*.txt"))
LINES_000 = SEED_000.read_text("utf-8").split("\n")


def tables_in(lines: list[str]) -> list:
    out, i = [], 0
    while i < len(lines):
        found = read_table(lines, i)
        if found:
            out.append(found[0])
            i = found[1]
        else:
            i += 1
    return out


SEED_TABLES = [
    # caption, unit, headers, body rows (totals included), totals
    ("表1:實地考察項目建設情況表", "", ["序號", "項目名稱", "投入資金", "取得成效"], 8, []),
    ("表2 :總體財政幫扶資金的年度安排情況表(單位:萬元)", "万元",
     ["年度", "財政幫扶資金數", "其中:上交市統籌使用數", "其中:我區主動增加安排資金數"], 6, [5]),
    ("表3:我區主動增加安排財政資金幫扶黔南州項目分類表", "",
     ["數量 項目", "項目數 (個)", "資金 (萬元)"], 11, [10]),
    ("表4:我區幫扶黔南州都勻、獨山、三都脫貧摘帽情況表", "",
     ["脫貧數 縣(市)", "貧困村", "貧困戶", "貧困人口", "貧困發生率(%) 2016年", "貧困發生率(%) 2020年"],
     4, [3]),
]


@pytest.mark.parametrize("k,caption,unit,headers,rows,totals", [(k, *t) for k, t in
                         enumerate(SEED_TABLES)], ids=["表1", "表2", "表3", "表4"])
def test_seed_tables(k, caption, unit, headers, rows, totals):
    found = tables_in(LINES_000)
    assert len(found) == 4
    table = found[k]
    assert (table.caption, table.unit, table.headers) == (caption, unit, headers)
    assert len(table.rows) == rows and table.totals == totals
    assert all(len(r) == len(headers) for r in table.rows)
    assert table.warnings == [] and table.irregular == [] and table.loose == []


@pytest.mark.parametrize("k,row,cells", [
    (1, 3, ["2019", "9020.58", "5934.58", "3086"]),
    (2, 3, ["就業幫扶", "19", "1497.9"]),
    (3, 0, ["都勻市", "14", "3425", "12804", "12.61", "0"]),
    (3, 3, ["合 計", "95", "20404", "87597", "/", "/"]),
    (0, 7, ["8", "三都縣黃埔小學(第五小學)"]),
], ids=["2019", "就業幫扶", "都勻市", "合計", "serial-8"])
def test_seed_rows(k, row, cells):
    assert tables_in(LINES_000)[k].rows[row][: len(cells)] == cells


def test_row_text_and_numbers():
    table = tables_in(LINES_000)[1]
    assert table.row_text(2) == ("年度: 2018 · 財政幫扶資金數: 8256.88 · 其中:上交市統籌使用數: 5030.88"
                                 " · 其中:我區主動增加安排資金數: 3226")
    numbers = table.numbers(2)
    assert numbers[0] == {"header": "財政幫扶資金數", "value": 8256.88, "unit": "万元"}
    assert all(n["header"] != "年度" for n in numbers)  # the year labels the row
    rates = tables_in(LINES_000)[3].numbers(0)
    assert {"header": "貧困發生率(%) 2016年", "value": 12.61, "unit": "%"} in rates
    assert {"header": "貧困戶", "value": 3425.0, "unit": ""} in rates
    assert tables_in(LINES_000)[3].row_text(3).endswith("貧困人口: 87597")  # "/" is not shown


def _drop(table_index: int, cell_line: str) -> list[str]:
    """Report 000 with one cell line of one table removed."""
    starts = [i for i, ln in enumerate(LINES_000) if ln.startswith("表")]
    lines = list(LINES_000)
    at = lines.index(cell_line, starts[table_index])
    return lines[:at] + lines[at + 1 :]


@pytest.mark.parametrize("k,cell,row,rows", [
    (1, "8256.88 |", 2, 6),
    (2, "190.5 |", 4, 11),
    (3, "13 |", 1, 4),
    (0, "黃埔區財政幫扶資金633.5萬元 |", 4, 8),
], ids=["表2-amount", "表3-amount", "表4-count", "表1-text"])
def test_missing_cell_spoils_only_its_row(k, cell, row, rows):
    table = tables_in(_drop(k, cell))[k]
    assert len(table.rows) == rows
    assert table.irregular == [row]
    assert len(table.warnings) == 1 and f"row {row + 1}" in table.warnings[0]
    assert all(len(r) == len(table.headers) for i, r in enumerate(table.rows) if i != row)
    pairs = table.pairs(row)  # only the row label's header is certain
    assert pairs[0]["header"] == table.headers[0] and all(p["header"] == "" for p in pairs[1:])


def test_cells_that_cannot_be_rows_are_kept_as_text():
    lines = ["表9:某表", "甲 |", "乙 |", "丙 |", "1 |", "2 |", "3 |", "4 |", "正文。"]
    table, end = read_table(lines, 0)
    assert end == 8 and table.rows == []
    assert table.loose == ["甲", "乙", "丙", "1", "2", "3", "4"] and table.warnings


MARKDOWN = """\
| 地區 | 搬遷人口(人) | 投入資金(萬元) |
|:---|---:|---:|
| 獨山縣 | 6911 | 3465.8 |
| 三都縣 | 1620 |
| 都勻市 | 300 | 50 | 備註 |
"""


def test_markdown_table():
    table, end = read_table(MARKDOWN.split("\n"), 0)
    assert (table.form, end) == ("markdown", 5)
    assert table.headers == ["地區", "搬遷人口(人)", "投入資金(萬元)"]
    assert table.rows[0] == ["獨山縣", "6911", "3465.8"]
    assert table.rows[1] == ["三都縣", "1620", ""]  # a short row is padded, as Markdown shows it
    assert table.irregular == [2] and table.rows[2][3] == "備註"
    assert len(table.warnings) == 2
    assert table.numbers(0) == [{"header": "搬遷人口(人)", "value": 6911.0, "unit": "人"},
                                {"header": "投入資金(萬元)", "value": 3465.8, "unit": "万元"}]


def test_tab_separated_table_with_caption_and_unit_line():
    lines = ["表5 幫扶資金", "(單位:萬元)", "年份\t財政資金\t社會資金", "2019\t100\t20",
             "2020\t120\t35", "", "正文。"]
    table, end = read_table(lines, 0)
    assert (table.form, end) == ("tsv", 5)
    assert table.caption == "表5 幫扶資金 (單位:萬元)" and table.unit == "万元"
    assert table.rows == [["2019", "100", "20"], ["2020", "120", "35"]]


@pytest.mark.parametrize("lines", [
    ["170.\t各位市民、各位議員，我們正處於世紀之交這個獨特又珍貴的時刻。",
     "171.\t在上一個世紀之交，我們的國家正遭受列強入侵，民族屈辱，人民苦難深重。"],
    ["甲、\t引言", "乙、\t經濟成果 落實改革", "一、\t社會角色"],
    ["•\t提高香港作為亞洲主要國際金融中心的地位；", "•\t努力維持香港作為貿易中心的地位。"],
    ["## 第二章\t市人民代表大會制定地方性法規", "第十條 本條例自公布之日起施行。"],
    ["這是一段以豎線結尾的正文,講述了扶貧協作的工作情況和主要成效。 |",
     "第二段正文同樣以豎線結尾,介紹了下一步的工作計劃和保障措施。 |",
     "第三段正文:區財政投入資金1000萬元用於鄉村振興項目的建設。 |",
     "第四段正文也是一段完整的句子,不是表格裡的一個格子。 |"],
    ["|"],
    ["表1 說明見下文。"],
    ["| 不是表格的一行 |", "下一行沒有分隔線"],
], ids=["numbered-paragraphs", "heading-list", "bullets", "md-heading", "prose-pipes",
        "lone-pipe", "caption-alone", "pipe-no-delimiter"])
def test_not_tables(lines):
    assert tables_in(lines) == []


@pytest.mark.parametrize("cell,kind", [
    ("", "E"), ("/", "E"), ("2016", "Y"), ("2016年", "Y"), ("847", "N"), ("8256.88", "N"),
    ("12,804", "N"), ("12.61%", "N"), ("1,200萬元", "N"), ("合計", "T"), ("數量 項目", "T"),
    ("企業總投資50億元", "T"), ("占地3300畝,主要產品是環保袋、石塑母粒、石塑包裝箱、中空板材等。", "L"),
])
def test_cell_kind(cell, kind):
    assert cell_kind(cell) == kind


@pytest.mark.parametrize("text,expected", [
    ("表1:實地考察項目建設情況表", True), ("表2 :總體財政幫扶資金的年度安排情況表(單位:萬元)", True),
    ("附表3 项目清单", True), ("表一：主要指标", True), ("表明我們的工作取得了成效", False),
    ("表1顯示,資金到位率達到百分之百,項目進展順利,成效明顯,群眾滿意度高。", False),
])
def test_is_caption(text, expected):
    assert is_caption(text) is expected


def test_units_and_totals():
    assert caption_unit("表2 :總體財政幫扶資金的年度安排情況表(單位:萬元)") == "万元"
    assert caption_unit("表1:實地考察項目建設情況表") == ""
    assert (header_unit("資金 (萬元)"), header_unit("項目數 (個)")) == ("万元", "个")
    assert (header_unit("貧困發生率(%) 2016年"), header_unit("脫貧數 縣(市)")) == ("%", "")
    assert yuan(8256.88, "万元") == pytest.approx(82568800.0) and yuan(3, "%") is None
    assert all(map(is_total, ["合計", "合 計", "总计", "小計"])) and not is_total("合計數")


def test_two_level_header_with_padded_second_row():
    slots = ["脫貧數 縣(市)", "貧困村", "貧困戶", "貧困人口", "貧困發生率(%)", "", "2016年", "2020年",
             "", "", "", ""]
    names, fits = header_names(slots, 6)
    assert fits and names[4:] == ["貧困發生率(%) 2016年", "貧困發生率(%) 2020年"]
    unpadded, fits = header_names(slots[:8], 6)  # a scraper that does not pad gives the same
    assert fits and unpadded == names


def test_document_rows_replace_cell_paragraphs():
    doc = parse_document(SEED_000.read_text("utf-8"), SEED_000.name)
    rows = [u for u in doc.units if u.kind == "table_row"]
    assert len(rows) == 8 + 6 + 11 + 4
    paragraphs = [u.text for u in doc.units if u.kind == "paragraph"]
    assert not any(t.replace(".", "").isdigit() for t in paragraphs)  # no one-number paragraphs
    assert not any(t.startswith("表") and "情況表" in t for t in paragraphs)  # captions go along
    assert not any("|" in u.text for u in doc.units)
    row = next(u for u in rows if u.cells[0]["value"] == "都勻市")
    assert row.table == "表4:我區幫扶黔南州都勻、獨山、三都脫貧摘帽情況表"
    assert row.cells[2] == {"header": "貧困戶", "value": "3425"}
    assert row.extra["row_index"] == 0 and "total" not in row.extra
    total = next(u for u in rows if u.cells[0]["value"] == "合計" and "萬元" in u.table)
    assert total.extra["total"] is True
    assert "表4" in doc.search_text(row) and "貧困戶" in doc.search_text(row)
    # the document keeps each table whole, for the page to draw, in reading order
    shapes = doc.meta["tables"]
    assert [len(t["rows"]) for t in shapes] == [8, 6, 11, 4]
    assert shapes[3]["units"][0] == row.ordinal and shapes[1]["totals"] == [5]
    assert [b["table"] for b in doc.outline if "table" in b] == [0, 1, 2, 3]
    listed = {b["unit"] for b in doc.outline if "unit" in b}
    assert listed | {o for t in shapes for o in t["units"]} == set(range(len(doc.units)))


def test_stray_pipe_and_damaged_table_keep_surrounding_paragraphs():
    text = ("某縣幫扶工作報告\n\n一、基本情況\n"
            "全縣投入資金1000萬元,建成扶貧車間12個。 |\n"
            "第二段講述了產業幫扶的做法和成效,帶動貧困戶增收。\n"
            "表1:資金表(單位:萬元)\n年度 |\n資金 |\n人數 |\n2019 |\n100 |\n2020 |\n120 |\n30 |\n"
            "第三段是表格後面的正文,說明資金使用情況。\n")
    doc = parse_document(text, "x.txt")
    texts = [u.text for u in doc.units]
    assert "全縣投入資金1000萬元,建成扶貧車間12個。" in texts
    assert any(t.startswith("第二段") for t in texts) and any(t.startswith("第三段") for t in texts)
    assert any("年度: 2020" in t for t in texts)  # the whole row is still a row
    assert len(doc.warnings) == 1 and doc.warnings[0].startswith("表1:資金表(單位:萬元): row 1")
    assert any("100" in t for t in texts)  # the damaged row's cells are not lost


@pytest.mark.parametrize("table", [
    "表1:資金表\n年度 |\n資金 |\n2019 |\n100 |\n2020 |\n200 |\n",
    "年度 |\n資金 |\n2019 |\n100 |\n2020 |\n200 |\n",
    "\n| 年度 | 資金 |\n|---|---|\n| 2019 | 100 |\n| 2020 | 200 |\n\n",
    "年度\t資金\n2019\t100\n2020\t200\n",
], ids=["caption", "flattened", "markdown", "tabs"])
def test_table_before_the_first_paragraph_is_not_header(table):
    text = f"某縣扶貧資金報告\n發布時間:2021-01-01\n{table}資金使用情況良好,群眾滿意。\n"
    doc = parse_document(text, "x.txt")
    assert (doc.title, doc.author, doc.published) == ("某縣扶貧資金報告", "", "2021-01-01")
    assert [u.text for u in doc.units] == ["年度: 2019 · 資金: 100", "年度: 2020 · 資金: 200",
                                           "資金使用情況良好,群眾滿意。"]
