"""When a place name in a text is the place: jieba's own cut, streets and rivers, generic
district names, and what a document is about (``places.is_mention``, ``opening_regions``)."""

from __future__ import annotations

import pytest

from indexer.analysis import analyze, fold
from indexer.places import Recognizer, gazetteer, is_mention, names_the_nation

HONG_KONG = "香港特别行政区"


def regions_of(*texts: str, title: str = "") -> tuple[list[list[str]], list[str]]:
    return Recognizer(gazetteer()).document(
        [analyze(t).words for t in texts], [fold(t) for t in texts],
        analyze(title).words if title else [], fold(title))


@pytest.mark.parametrize(("text", "name", "mention"), [
    # jieba's cut without the place names: the name must start and end on its word edges
    ("我们隆重庆祝中华人民共和国成立75周年", "重庆", False),  # 隆重|庆祝
    ("确保香港长治久安", "长治", False),  # one word 长治久安
    ("县级及以上城区", "上城区", False),  # 以上|城区
    ("杭州市上城区", "上城区", True),
    ("重庆市经济增长", "重庆市", True),
    ("重庆经济增长", "重庆", True),
    ("上海市民生活", "上海市", False),  # 上海|市民: 上海 is there, 上海市 is not
    ("上海市民生活", "上海", True),
    # …unless the word that holds it is an institution named after the place (jieba: nt)
    ("北京市委书记", "北京市", True),
    ("中山大学", "中山", True),
    # a street or river takes the place's bare name
    ("中山西路", "中山", False),
    ("南京西路沿线", "南京", False),
    ("苏州河沿岸", "苏州", False),
    ("深圳大道", "深圳", False),
    ("北京东路", "北京", False),
    ("重庆市河长制", "重庆市", True),  # a full name is not a street's: 河长 is the river chief
    ("湖南河北两省", "湖南", True),  # 河北 is a word, not 河
])
def test_a_name_is_a_mention_only_where_a_reader_sees_it(text, name, mention):
    folded = fold(text)
    start = folded.index(name)
    assert is_mention(folded, start, start + len(name), gazetteer().segmenter) is mention


@pytest.mark.parametrize(("text", "expected"), [
    ("我们隆重庆祝中华人民共和国成立75周年。", []),
    ("保持香港长期繁荣稳定和长治久安。", [HONG_KONG]),
    ("县级及以上城区应当设置公共厕所。", []),
    ("苏州河沿岸贯通。", []),
    ("中山西路改造完成。", []),
    # generic district names need their city: 古城区 is any old town, 城区 the urban area
    ("保护古城区的传统风貌。", []),
    ("丽江市古城区推进文旅融合。", ["云南省/丽江市/古城区"]),
    ("云南省古城区推进文旅融合。", ["云南省"]),  # the province is not enough
    ("晋城市城区推进改造。", ["山西省/晋城市/城区"]),
    ("县城城区面积扩大。", []),
])
def test_misfires_inside_ordinary_words_are_not_places(text, expected):
    units, _ = regions_of(text)
    assert units == [expected]


OPENING_HK = ("立法会主席、各位议员、各位市民：", "今天，是我发表第二份《施政报告》。",
              "一年多过去，我们带领香港走出疫情，社会全面复常。",
              "这份《施政报告》是我对香港未来的展望和承诺。")


@pytest.mark.parametrize(("title", "opening", "expected"), [
    # the head names places: they are the document's, whatever the opening says
    ("台州市城市管理条例", ("香港、澳门的经验值得借鉴。", "香港的做法。"), ["浙江省/台州市"]),
    # no place in the head: what the opening names more than once (香港 in a speech)…
    ("行政长官2023年施政报告", OPENING_HK, [HONG_KONG]),
    ("协作简报", ("定西市召开协作会议。", "定西市部署了工作。"), ["甘肃省/定西市"]),
    # …not what it names once in passing
    ("施政报告", ("香港回归祖国以来。", "各项工作稳步推进。"), []),
    ("协作简报", ("定西市召开协作会议。", "会议部署了工作。"), []),
    # a head that names the country: the whole country, however often the opening names one
    ("2013年中华人民共和国国务院政府工作报告",
     ("玉树发生强烈地震。", "玉树灾后重建全面展开。"), []),
    ("在中国共产党第十次全国代表大会上的报告", ("香港回归。", "香港繁荣。"), []),
])
def test_what_a_document_is_about(title, opening, expected):
    _, doc = regions_of(*opening, title=title)
    assert doc == expected


@pytest.mark.parametrize(("head", "national"), [
    ("2025年中华人民共和国国务院政府工作报告", True),
    ("高举中国特色社会主义伟大旗帜", True),
    ("第十四届全国人民代表大会第三次会议关于政府工作报告的决议", True),
    ("行政长官2023年施政报告", False),
    ("实验动物管理条例", False),
])
def test_heads_that_name_the_country(head, national):
    assert names_the_nation(fold(head)) is national


def test_a_documents_header_lines_say_what_it_is_about_before_its_opening():
    from indexer.document import parse_document
    from indexer.records import annotate

    doc = parse_document("城市管理工作简报\n来源：台州市人民政府\n发布时间:2023-05-01\n\n"
                         "杭州经验值得学习。\n\n杭州的做法已经推广。\n\n会议部署了工作。\n",
                         "x.txt")
    texts = [doc.search_text(u) for u in doc.units]
    annotate(doc, texts, [analyze(t) for t in texts])
    assert doc.source == "台州市人民政府"
    assert doc.meta["regions"] == ["浙江省/台州市"]  # not 杭州, named twice in the opening
