"""Finding and decoding corpus files: every encoding we meet, and clear reasons to skip."""

import os

import pytest

from indexer.reading import SkipFile, decode, scan_corpus

TEXT = "東西部扶貧協作在都勻市推進易地扶貧搬遷,建成扶貧車間12個。\n各位代表：現在我代表省人民政府報告工作。\n"
SIMPLIFIED = "东西部扶贫协作在都匀市推进易地扶贫搬迁，建成扶贫车间12个。各位代表，现在我代表省人民政府报告工作。\n"


@pytest.mark.parametrize(
    "data,expected,encoding",
    [
        (TEXT.encode("utf-8"), TEXT, "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), TEXT, "utf-8-sig"),
        (TEXT.encode("utf-16"), TEXT, "utf-16"),
        (SIMPLIFIED.encode("gbk"), SIMPLIFIED, "gb18030"),
        (SIMPLIFIED.encode("gb18030"), SIMPLIFIED, "gb18030"),
        (TEXT.encode("big5hkscs"), TEXT, "big5hkscs"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16", "gbk", "gb18030", "big5"],
)
def test_decode(data, expected, encoding):
    text, enc = decode(data)
    assert text == expected
    assert enc == encoding


def test_invalid_utf8_in_the_middle_keeps_the_rest():
    data = TEXT.encode("utf-8") * 20
    data = data[:500] + b"\xff\xfe\xfd" + data[500:]
    text, enc = decode(data)
    assert enc == "utf-8 (damaged)"
    assert "\ufffd" in text and "扶貧車間" in text


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (os.urandom(4096).replace(b"\x00", b"\x01"), "undecodable|binary|not UTF-8"),
    ],
    ids=["empty", "blank", "png", "random"],
)
def test_skipped_with_a_reason(data, reason):
    with pytest.raises(SkipFile, match=reason):
        decode(data)


def test_scan_finds_txt_and_md_recursively(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("x")
    (tmp_path / "a" / "y.md").write_text("y")
    (tmp_path / "b.TXT").write_text("b")
    (tmp_path / "c.xls").write_bytes(b"PK")  # not a format we read (PDF is: test_intake_formats)
    (tmp_path / ".hidden.txt").write_text("h")
    files, problems = scan_corpus(tmp_path)
    assert [f.doc_id for f in files] == ["a/x.txt", "a/y.md", "b.TXT"]
    assert problems == []


def test_scan_survives_symlink_loops(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "r.txt").write_text("r")
    os.symlink(tmp_path, tmp_path / "d" / "loop")
    files, _ = scan_corpus(tmp_path)
    assert [f.doc_id for f in files] == ["d/r.txt"]
