"""Documents: metadata fields from the header, units and sections, noise kept out."""

import re

import pytest

from indexer.clean import DAMAGE
from indexer.document import parse_document, title_from_filename
from tests.conftest import SEEDS


def seed(name: str):
    path = next(SEEDS.glob(name + "_*.txt"))
    return parse_document(path.read_text("utf-8"), path.name)


SEED_META = [
    ("000", "區人大常委會赴黔南州開展東西部扶貧協作工作及扶貧資金監督調研活動的報告", "2021-04-27",
     "", "區人大"),
    ("002", "堅持改革創新 持續深化拓展 福州定西兩市東西部扶貧協作不斷創新出彩", "2020-09-10",
     "甘肅日報", ""),
    ("003", "因地制宜 精準發力 打通脫貧之路", "2016-12-25", "河北老促會", "保定市老區建設促進會"),
    ("004", "广东省“双到”扶贫模式", "2014-10-14", "中国发展门户网", "扶贫办"),
]


@pytest.mark.parametrize("name,title,published,source,author", SEED_META,
                         ids=[m[0] for m in SEED_META])
def test_seed_metadata(name, title, published, source, author):
    doc = seed(name)
    assert (doc.title, doc.published, doc.source, doc.author) == (title, published, source, author)


def test_title_is_never_the_site_name_or_breadcrumb():
    doc = seed("003")
    assert doc.title != "紅色河北"
    assert doc.subtitle == "──保定市革命老區精準脫貧工作的調研與思考"
    assert all("紅色河北" not in u.text for u in doc.units)


def test_credit_line_becomes_source_and_footer_goes():
    doc = seed("001")
    assert doc.source == "广东省粤黔协作工作队"
    text = "\n".join(u.text for u in doc.units)
    for noise in ("公网安备", "ICP备", "许可证", "版权所有", "供稿"):
        assert noise not in text


NOISE = ["上一页", "下一页", "返回顶部", "點擊", "2070", "您當前的位置", "訪問量", "关键词",
         "责任编辑", "發布時間", "发布时间", " |", "(fā)", "(xié)"]


@pytest.mark.parametrize("name", ["000", "001", "002", "003", "004"])
def test_no_noise_in_units(name):
    doc = seed(name)
    for unit in doc.units:
        for noise in NOISE:
            assert noise not in unit.text, (noise, unit.text[:40])
        assert not re.search(r"[\u4e00-\u9fff]\([a-zāáǎàēéěèīíǐìōóǒòūúǔù]+\)", unit.text)


def test_metadata_lines_are_not_units():
    doc = seed("002")
    assert not any(u.text.startswith(("- 時間", "- 點擊", "- 來源")) for u in doc.units)
    assert doc.units[0].text.startswith("新一輪東西部扶貧協作開展以來")


def test_headings_become_sections_not_units():
    doc = seed("000")
    texts = [u.text for u in doc.units]
    assert "一、調研的主要工作情況" not in texts
    unit = next(u for u in doc.units if u.text.startswith("(一)查閱資料"))
    assert unit.section == "一、調研的主要工作情況"
    first = next(u for u in doc.units if u.text.startswith("資金支持是落實"))
    assert first.lead == "一、調研的主要工作情況"  # the heading is searchable with its first unit
    nested = next(u for u in doc.units if u.text.startswith("1.實施危房改造"))
    assert nested.section.startswith("三、我區對口幫扶黔南州工作及資金支持的主要成效 › (二)")


def test_plain_headings_in_sequence_merge():
    doc = seed("001")
    unit = next(u for u in doc.units if u.text.startswith("广东坚持帮扶与协作相结合"))
    assert unit.section == "推进“四个协作” 增强脱贫地区发展能力"


def test_mojibake_line_is_dropped_and_damage_marked():
    doc = seed("002")
    assert not any("垏" in u.text for u in doc.units)
    damaged = [u for u in doc.units if u.damaged]
    assert damaged and all(DAMAGE in u.text for u in damaged)
    assert any("一公斤少賣2元錢" in u.text for u in damaged)


def test_real_corpus_quirks():
    text = (
        "\ufeff下载\r\n打印\r\n【字号：\r\n加大\r\n】\r\n"
        "2026年某省政府工作报告\r\n"
        "——2026年1月27日在某省第十四届人民代表大会\r\n"
        "第四次会议上\r\n"
        "来源：某某日报\r\n时间：2026-02-09\r\n"
        "省长 某 某\r\n\r\n\r\n"
        "各位代表：\r\n\r\n"
        "现在，我代表省人民政府\u200b向大会报告工作。\r\n\r\n"
        "一、2025年工作回顾\r\n\r\n"
        "房屋單 位供應充足，全年完成投资 7 4 7 7 2亿元。\r\n\r\n"
        "扫一扫在手机打开当前页\r\n"
    )
    doc = parse_document(text, "2026_某省_政府工作报告.txt")
    assert doc.title == "2026年某省政府工作报告"
    assert doc.subtitle == "——2026年1月27日在某省第十四届人民代表大会第四次会议上"
    assert (doc.source, doc.published, doc.author) == ("某某日报", "2026-02-09", "省长 某 某")
    texts = [u.text for u in doc.units]
    assert texts[0] == "各位代表："
    assert "现在，我代表省人民政府向大会报告工作。" in texts
    assert any("74772亿元" in t for t in texts)
    assert not any("扫一扫" in t or "字号" in t for t in texts)


def test_wikisource_lines_join_into_paragraphs():
    text = ("各位代表：\n\n在聽了劉少奇同志\n關於憲法草案的報告\n並進行了三天的討論以後，"
            "通過了\n中華人民共和國憲法\n，接着，又通過了幾個重要的法律。\n\n"
            "下一段。\n\n\n\n")
    doc = parse_document(text, "1954_全国_1954年中华人民共和国国务院政府工作报告.txt")
    assert doc.title == "1954年中华人民共和国国务院政府工作报告"
    assert doc.units[1].text == ("在聽了劉少奇同志關於憲法草案的報告並進行了三天的討論以後，"
                                 "通過了中華人民共和國憲法，接着，又通過了幾個重要的法律。")


def test_markdown_regulation():
    text = ("# 某省法律援助条例\n\n2007年7月27日 某省人民代表大会常务委员会通过\n\n"
            "<!-- INFO END -->\n\n## 第一章　总则\n\n第一条 为了规范法律援助工作，制定本条例。\n\n"
            "第二条 法律援助是政府的责任。\n\n省人民政府应当设立专项经费。\n")
    doc = parse_document(text, "2015_某省_某省法律援助条例.txt")
    assert doc.title == "某省法律援助条例"
    texts = [u.text for u in doc.units]
    assert "<!-- INFO END -->" not in texts
    last = doc.units[-1]
    assert last.text == "省人民政府应当设立专项经费。"
    assert last.section == "第一章 总则 › 第二条"
    assert doc.units[-2].section == "第一章 总则"


def test_title_from_filename():
    assert title_from_filename("x/2025_全国_2025年政府工作报告.txt") == "2025年政府工作报告"
    assert title_from_filename("1921_全国_廣州共產黨報告_(一大).txt") == "廣州共產黨報告"
    assert title_from_filename("001_ba25ca3f9cb6ca53.txt") == ""


def test_outline_keeps_headings_and_units_in_order():
    doc = seed("003")
    kinds = ["heading" if "heading" in b else "unit" for b in doc.outline]
    assert kinds[0] == "unit" and "heading" in kinds
    units = [b["unit"] for b in doc.outline if "unit" in b]
    assert units == list(range(len(doc.units)))


def test_empty_and_noise_only_documents_have_no_units():
    assert parse_document("", "a.txt").units == []
    assert parse_document("返回顶部\n上一页 1 2 下一页\n", "b.txt").units == []
