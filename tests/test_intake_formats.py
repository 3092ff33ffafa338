"""Each format reader on small files made here: HTML strings, DOCX made with python-docx,
PDF built by hand; and the skip reasons of broken, encrypted and fake files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from indexer import intake, reading
from indexer.document import parse_document
from indexer.intake import read_doc, read_docx, read_html, read_pdf
from indexer.intake.read_pdf import drop_furniture, join_lines
from indexer.reading import CorpusFile, SkipFile, scan_corpus
from indexer.records import process_file

GOV_PAGE = """<html><head><meta charset="gb2312"><title>国务院关于测试的通知_政府信息公开</title>
<meta name="PubDate" content="2019-03-01"></head><body>
<div class="nav">首页 &gt; 政策 &gt; 国务院文件</div>
<table><tr><td>
 <table>
  <tr><td><b>索 引 号：</b></td><td>000014349/2019-00099</td>
      <td><b>主题分类：</b></td><td>综合政务\\其他</td></tr>
  <tr><td><b>发文机关：</b></td><td>国务院</td><td><b>成文日期：</b></td><td>2019年02月27日</td></tr>
  <tr><td><b>标 题：</b></td><td colspan="3">国务院关于测试的通知</td></tr>
  <tr><td><b>发文字号：</b></td><td>国发〔2019〕4号</td><td><b>发布日期：</b></td><td>2019年03月01日</td></tr>
 </table>
</td></tr></table>
<div id="content">
 <p>国务院关于测试的通知</p>
 <p>国发〔2019〕4号</p>
 <p>各省、自治区、直辖市人民政府：</p>
 <p>为推进易地扶贫搬迁后续扶持工作，巩固脱贫攻坚成果，现就有关事项通知如下。各地区要结合实际认真贯彻落实。</p>
 <p>一、总体要求</p>
 <p>坚持以人民为中心的发展思想，确保搬迁群众稳得住、有就业、逐步能致富，各地要建立健全后续帮扶机制。</p>
 <div style="display:none"><p>坚持以人民为中心的发展思想，确保搬迁群众稳得住、有就业、逐步能致富，各地要建立健全后续帮扶机制。</p></div>
 <table>
  <tr><th>地区</th><th colspan="2">搬迁人口（人）</th></tr>
  <tr><th></th><th>2018年</th><th>2019年</th></tr>
  <tr><td rowspan="2">贵州省</td><td>1200</td><td>1500</td></tr>
  <tr><td>1300</td><td>1600</td></tr>
 </table>
 <p>本通知自印发之日起施行，各地执行中遇到的问题要及时报告国务院扶贫开发领导小组办公室。</p>
</div>
<div class="share">扫一扫在手机打开当前页</div>
<div class="footer">版权所有：中国政府网 京ICP备05070218号 网站标识码bm01000001</div>
</body></html>"""


def _parsed(extracted, doc_id="x.html"):
    doc = parse_document(extracted.text(), doc_id)
    intake.apply_fields(doc, extracted)
    return doc


@pytest.fixture(scope="module")
def gov_doc():
    return _parsed(read_html(GOV_PAGE.encode("gb18030")))


def test_every_reader_suffix_is_scanned_and_dispatched():
    assert set(intake.READERS) == set(reading.READER_SUFFIXES)
    assert intake.reader_for("a/B.HTM") is read_html and intake.reader_for("a.txt") is None
    assert intake.READERS[".pdf"] is read_pdf and intake.READERS[".doc"] is read_doc


def test_scan_finds_every_format(tmp_path):
    for name in ("a.txt", "b.md", "c.html", "d.HTM", "e.pdf", "f.docx", "g.doc", "h.xls"):
        (tmp_path / name).write_bytes(b"x")
    files, _ = scan_corpus(tmp_path)
    assert [f.doc_id for f in files] == ["a.txt", "b.md", "c.html", "d.HTM", "e.pdf", "f.docx",
                                         "g.doc"]


def test_html_declared_charset_is_used():
    text, enc = read_html.__globals__["decode_html"](GOV_PAGE.encode("gb18030"))
    assert enc == "gb18030" and "发文机关" in text


def test_govcn_table_becomes_fields_not_text(gov_doc):
    assert gov_doc.title == "国务院关于测试的通知"
    assert gov_doc.meta["issuer"] == "国务院" and gov_doc.meta["doc_number"] == "国发〔2019〕4号"
    assert gov_doc.meta["subject"] == "综合政务\\其他" and gov_doc.published == "2019-03-01"
    assert gov_doc.meta["written"] == "2019-02-27" and gov_doc.meta["format"] == "html"
    texts = [u.text for u in gov_doc.units]
    assert not any("索引号" in t or "000014349" in t for t in texts)
    assert "国发〔2019〕4号" in gov_doc.search_text(gov_doc.units[0])


def test_hidden_copy_is_not_indexed_twice_and_furniture_is_gone(gov_doc):
    texts = [u.text for u in gov_doc.units]
    assert sum("稳得住" in t for t in texts) == 1
    joined = "\n".join(texts)
    for furniture in ("扫一扫", "ICP", "版权所有", "网站标识码", "首页"):
        assert furniture not in joined


def test_html_table_spans_are_expanded_into_rows(gov_doc):
    rows = [u for u in gov_doc.units if u.kind == "table_row"]
    assert [[c["value"] for c in u.cells] for u in rows] == [
        ["", "2018年", "2019年"], ["贵州省", "1200", "1500"], ["贵州省", "1300", "1600"]]
    assert [c["header"] for c in rows[1].cells] == ["地区", "搬迁人口（人）", "搬迁人口（人）"]


def test_docx_headings_tables_and_no_footer_or_field_codes():
    import docx

    d = docx.Document()
    d.add_heading("2025年测试省政府工作报告", level=0)
    d.add_heading("一、2024年工作回顾", level=1)
    d.add_paragraph("过去一年，全省经济运行稳中有进，地区生产总值增长百分之五，就业形势总体稳定。")
    d.add_paragraph("12")  # a page number typed into the body
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate([["指标", "2023年", "2024年"], ["生产总值", "100", "105"],
                             ["财政收入", "20", "21"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.sections[0].footer.paragraphs[0].text = "第 1 页 PAGE \\* MERGEFORMAT"
    buf = io.BytesIO()
    d.save(buf)
    doc = _parsed(read_docx(buf.getvalue()), "t.docx")
    assert doc.title == "2025年测试省政府工作报告"
    assert doc.outline[0] == {"heading": "一、2024年工作回顾", "level": 2}
    paragraphs = [u.text for u in doc.units if u.kind == "paragraph"]
    assert paragraphs == ["过去一年，全省经济运行稳中有进，地区生产总值增长百分之五，就业形势总体稳定。"]
    rows = [u.cells for u in doc.units if u.kind == "table_row"]
    assert rows[1] == [{"header": "指标", "value": "财政收入"}, {"header": "2023年", "value": "20"},
                       {"header": "2024年", "value": "21"}]
    assert not any("MERGEFORMAT" in u.text or "第 1 页" in u.text for u in doc.units)


FULL = "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九"  # 29 characters: a full line
JOIN_CASES = [
    # lines of pages, paragraphs expected
    ([[FULL, "结束了。", "下一段" + FULL[3:], "完。"]], [FULL + "结束了。", "下一段" + FULL[3:] + "完。"]),
    ([[FULL, FULL], [FULL + "", "跨页的段落。"]], [FULL * 3 + "跨页的段落。"]),
    ([[FULL, "1. 编号段落" + FULL[6:], "续行。"]], [FULL, "1. 编号段落" + FULL[6:] + "续行。"]),
    ([[FULL + "。", "经济发展", "2. " + FULL[3:], "完。"]],
     [FULL + "。", "经济发展", "2. " + FULL[3:] + "完。"]),
]


@pytest.mark.parametrize("pages,expected", JOIN_CASES, ids=["end", "page", "item", "heading"])
def test_pdf_lines_join_into_paragraphs(pages, expected):
    assert join_lines(pages) == expected


def test_pdf_page_numbers_and_running_headers_are_dropped():
    body = ["经济", "民生", "教育", "房屋", "环境"]
    pages = [["二零一五年施政报告", f"{w}方面的工作很长很长的一行文字内容。", f"{w}续行", f"- {k} -"]
             for k, w in enumerate(body, 1)]
    assert drop_furniture(pages) == [[f"{w}方面的工作很长很长的一行文字内容。", f"{w}续行"] for w in body]


def _pdf(trailer: bytes = b"", encrypt: bool = False) -> bytes:
    """A one-page PDF with no text; with ``encrypt``, locked by an unknown password."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
            b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 +
            b"> /P -4 >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    if encrypt:
        trailer += b"/Encrypt 4 0 R /ID [<" + b"ab" * 16 + b"> <" + b"ab" * 16 + b">] "
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objs) + 1) + trailer
    return out + b">>\nstartxref\n%d\n%%%%EOF\n" % xref


def _docx_bytes() -> bytes:
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    return buf.getvalue()


BAD_FILES = [
    ("scan.pdf", _pdf(), "no text layer (scanned PDF?)"),
    ("locked.pdf", _pdf(encrypt=True), "encrypted PDF"),
    ("fake.pdf", "这不是PDF文件，只是改了后缀的文字。".encode(), "broken PDF"),
    ("cut.pdf", _pdf()[:60], "broken PDF"),
    ("fake.docx", "这不是DOCX文件。".encode(), "broken DOCX"),
    ("cut.docx", _docx_bytes()[:500], "broken DOCX"),
    ("empty.docx", _docx_bytes(), "no text in DOCX"),
    ("locked.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "encrypted DOCX"),
    ("fake.doc", "不是Word文件".encode(), "broken DOC"),
    ("empty.html", b"   \n", "empty file"),
    ("nothing.html", b"<html><body><script>var a=1;</script></body></html>",
     "no searchable text after cleaning"),
]


@pytest.mark.parametrize("name,data,reason", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_broken_files_are_skipped_with_a_reason(tmp_path, name, data, reason):
    if name.endswith(".doc") and read_doc.__globals__["antiword"]() is None:
        reason = "DOC needs antiword"
    path = tmp_path / name
    path.write_bytes(data)
    result, fields = process_file(CorpusFile(path, name, len(data), 0))
    assert result.skipped.startswith(reason) and fields == []
    assert "internal error" not in result.skipped


def test_doc_without_antiword_is_skipped_with_the_reason(monkeypatch):
    monkeypatch.setitem(read_doc.__globals__, "antiword", lambda: None)
    with pytest.raises(SkipFile, match="^DOC needs antiword$"):
        read_doc(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, Path("x.doc"))


def test_doc_number_and_format_reach_the_docs_row(tmp_path):
    path = tmp_path / "gov.html"
    path.write_bytes(GOV_PAGE.encode("gb18030"))
    result, _ = process_file(CorpusFile(path, "gov.html", path.stat().st_size, 0))
    meta = json.loads(result.doc_row["meta"])
    assert (meta["issuer"], meta["doc_number"], meta["format"]) == ("国务院", "国发〔2019〕4号", "html")
    assert result.encoding == "gb18030" and result.doc_row["year"] == 2019


def test_an_update_notices_a_changed_file_of_every_format(tmp_path):
    from indexer.build import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    page = corpus / "gov.html"
    page.write_bytes(GOV_PAGE.encode("gb18030"))
    d = io.BytesIO()
    import docx

    document = docx.Document()
    document.add_paragraph("东西部协作推动林盘蚕房项目，带动贫困户增收，扶贫车间吸纳就业。")
    document.save(d)
    (corpus / "r.docx").write_bytes(d.getvalue())
    first = build_index(corpus, tmp_path / "index", jobs=1)
    assert first.skipped == [] and first.added == 2
    page.write_bytes(GOV_PAGE.replace("国发〔2019〕4号", "国发〔2019〕9号").encode("gb18030"))
    second = build_index(corpus, tmp_path / "index", jobs=1)
    assert (second.changed, second.unchanged) == (1, 1)
