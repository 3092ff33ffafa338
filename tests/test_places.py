"""Place recognition: the gazetteer's names, disambiguation by context, inheritance."""

from __future__ import annotations

import pytest

from indexer.analysis import analyze, fold
from indexer.document import parse_document
from indexer.places import Recognizer, gazetteer, is_everyday_word, most_specific, short_forms
from indexer.records import annotate
from search_app.facets import resolve_region

QIANNAN = "贵州省/黔南布依族苗族自治州"


@pytest.mark.parametrize(("name", "level", "forms"), [
    ("黔南布依族苗族自治州", 2, ["黔南州", "黔南"]),
    ("三都水族自治县", 3, ["三都县", "三都"]),
    ("广西壮族自治区", 1, ["广西"]),
    ("内蒙古自治区", 1, ["内蒙古"]),
    ("香港特别行政区", 1, ["香港"]),
    ("河北省", 1, ["河北"]),
    ("北京市", 1, ["北京"]),
    ("保定市", 2, ["保定"]),
    ("阿里地区", 2, ["阿里"]),
    ("兴安盟", 2, ["兴安"]),
    ("独山县", 3, ["独山"]),
    ("鼓楼区", 3, ["鼓楼"]),
    ("神农架林区", 3, ["神农架"]),
    ("易县", 3, []),  # a one-character stem is no name
    ("城区", 3, []),
])
def test_short_forms(name, level, forms):
    assert short_forms(name, level) == forms


@pytest.mark.parametrize(("freq", "tag", "level", "everyday"), [
    (7998, "nz", 3, True),   # 和平
    (1215, "b", 3, True),    # 新兴
    (1117, "ns", 2, False),  # 中山: jieba itself calls it a place
    (739, "v", 2, False),    # 保定: rare enough
    (122, "n", 3, True),     # 富民 (县): a county's short form is held to more
    (2825, "ns", 3, True),   # 中原 (区): the Central Plains, not Zhengzhou's district
    (136, "ns", 3, False),   # 陇西
    (33, "nr", 3, False),    # 福清
])
def test_everyday_words_are_told_by_jieba_frequency_and_tag(freq, tag, level, everyday):
    assert is_everyday_word(freq, tag, level) is everyday


def test_gazetteer_levels_and_paths():
    gaz = gazetteer()
    assert gaz.place(f"{QIANNAN}/独山县").code == "522726"
    assert gaz.place("北京市/朝阳区").level == 3  # a municipality's districts hang below it
    assert gaz.place("广东省/中山市/中山市") is None  # listed again as its own county: dropped
    assert gaz.place("香港特别行政区").level == 1
    assert not gaz.candidates("和平")  # an everyday word, not a short form


def regions_of(*texts: str, title: str = "") -> tuple[list[list[str]], list[str]]:
    """Recognise the places of a document made of these paragraphs."""
    return Recognizer(gazetteer()).document(
        [analyze(t).words for t in texts], [fold(t) for t in texts],
        analyze(title).words if title else [], fold(title))


@pytest.mark.parametrize(("text", "expected"), [
    # full names, short forms, Traditional script
    ("黔南布依族苗族自治州都匀市", [f"{QIANNAN}/都匀市"]),
    ("黔南州三都县", [f"{QIANNAN}/三都水族自治县"]),
    ("獨山縣鄢家山社區", [f"{QIANNAN}/独山县"]),
    ("福州定西兩市", ["甘肃省/定西市", "福建省/福州市"]),
    ("保定市目前有9个贫困县", ["河北省/保定市"]),
    ("广东省清远市", ["广东省/清远市"]),
    # one-character abbreviations only as names
    ("粤黔协作不断深化", ["广东省", "贵州省"]),
    ("京津冀协同发展", ["北京市", "天津市", "河北省"]),
    ("辽宁合作项目", ["辽宁省"]),  # 辽宁 is a name, not 辽 + 宁
    ("粤菜馆开业", []),
    # ambiguous names need context; everyday words are no places
    ("鼓楼区推进旧城改造", []),
    ("南京的鼓楼区推进旧城改造", ["江苏省/南京市/鼓楼区"]),
    ("福州市鼓樓區、倉山區", ["福建省/福州市/仓山区", "福建省/福州市/鼓楼区"]),
    ("黔东南州台江县", ["贵州省/黔东南苗族侗族自治州/台江县"]),
    ("福州台江区", ["福建省/福州市/台江区"]),
    ("维护世界和平,发展新兴产业", []),
    ("独山", []),  # a county's short form without its prefecture around
])
def test_recognition_in_one_paragraph(text, expected):
    units, _ = regions_of(text)
    assert units == [expected]


def test_document_context_resolves_short_and_shared_names():
    units, doc = regions_of("鼓楼区完成搬迁。", "长乐区建成车间。", "独山建成车间。",
                            title="福州市东西部协作简报")
    assert doc == ["福建省/福州市"]
    assert units == [["福建省/福州市/鼓楼区"], ["福建省/福州市/长乐区"], []]
    # the same paragraph under another document's title means another place, or none
    units, _ = regions_of("鼓楼区完成搬迁。", title="南京市城市更新简报")
    assert units == [["江苏省/南京市/鼓楼区"]]
    units, _ = regions_of("鼓楼区完成搬迁。", title="江苏省城市更新简报")
    assert units == [[]]  # 南京 and 徐州 both have one: left out rather than guessed
    units, _ = regions_of("独山建成车间。", title="黔南州协作简报")
    assert units == [[f"{QIANNAN}/独山县"]]


def test_a_unit_names_its_most_specific_places():
    units, _ = regions_of("贵州省黔南州独山县和贵州省贵阳市")
    assert units == [["贵州省/贵阳市", f"{QIANNAN}/独山县"]]
    assert most_specific(["a", "a/b", "a/b/c", "d"]) == ["a/b/c", "d"]


def test_opening_paragraphs_say_what_a_document_is_about_unless_national():
    _, doc = regions_of("定西市召开协作会议。", "定西市部署了工作。", title="协作简报")
    assert doc == ["甘肃省/定西市"]
    _, doc = regions_of("河北、山西、辽宁、吉林四省推进改革。", title="政府工作报告")
    assert doc == []  # about the whole country, not those four


def annotated(text: str, doc_id: str = "x.txt"):
    doc = parse_document(text, doc_id)
    texts = [doc.search_text(u) for u in doc.units]
    annotate(doc, texts, [analyze(t) for t in texts])
    return doc


def test_units_without_places_inherit_the_documents():
    doc = annotated("独山县扶贫车间建设台账\n发布时间:2020-08-01\n\n第一个车间开工。\n\n"
                    "车间建成投产,吸纳就业120人。\n\n三都县车间同时开工。\n")
    assert doc.meta["regions"] == [f"{QIANNAN}/独山县"]
    plain, other = doc.units[-2], doc.units[-1]  # (the first unit is found with the title)
    assert "regions" not in plain.extra  # nothing of its own…
    from indexer.records import unit_regions
    assert unit_regions(doc, plain) == [f"{QIANNAN}/独山县"]  # …so it is about the document's
    assert unit_regions(doc, other) == [f"{QIANNAN}/三都水族自治县"]


@pytest.mark.parametrize(("value", "path"), [
    ("贵州", "贵州省"),
    ("贵州省", "贵州省"),
    ("黔", "贵州省"),
    ("黔南州", QIANNAN),
    ("独山县", f"{QIANNAN}/独山县"),
    ("獨山縣", f"{QIANNAN}/独山县"),
    ("独山", f"{QIANNAN}/独山县"),  # asked for by name, a short form is enough
    ("福州市鼓楼区", "福建省/福州市/鼓楼区"),
    (" 江苏省/南京市/鼓楼区 ", "江苏省/南京市/鼓楼区"),
])
def test_region_filter_values(value, path):
    assert resolve_region(value) == path


@pytest.mark.parametrize(("value", "message"), [
    ("鼓楼区", "names several places: 江苏省/南京市/鼓楼区; 江苏省/徐州市/鼓楼区; 福建省/福州市/鼓楼区"),
    ("台江", "福建省/福州市/台江区; 贵州省/黔东南苗族侗族自治州/台江县"),
    ("贵洲", "is not a known place; did you mean: 贵州省"),
    ("黔南洲", "did you mean: 黔南布依族苗族自治州"),
    ("xyz", "no place of that name is known"),
    ("   ", "region is empty"),
])
def test_region_filter_errors_say_what_to_do(value, message):
    with pytest.raises(ValueError, match="^region") as err:
        resolve_region(value)
    assert message in str(err.value)
