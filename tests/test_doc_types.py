"""Document kinds from titles, a rule table tested as a table."""

import pytest

from search_app.doc_types import classify
from search_app.search import search


@pytest.mark.parametrize("title,regions,kind", [
    ("2024年中华人民共和国国务院政府工作报告", False, "政府工作报告"),
    ("2025年湖北省政府工作报告", True, "政府工作报告"),
    ("第十四届全国人民代表大会第三次会议关于政府工作报告的决议", False, "人大决议"),
    ("行政长官2023年施政报告", True, "施政报告"),
    ("行政長官2021年施政報告", True, "施政报告"),  # Traditional
    ("决胜全面建成小康社会 在中国共产党第十九次全国代表大会上的报告", False, "党代会报告"),
    ("杭州市电梯安全管理条例", True, "地方性法规"),
    ("上海市不动产登记若干规定", True, "地方性法规"),
    ("黄河水量调度条例", False, "行政法规"),
    ("广东省“双到”扶贫模式", True, "其他"),
], ids=lambda v: str(v)[:12])
def test_titles_give_document_kinds(title, regions, kind):
    assert classify(title, regions) == kind


def test_the_type_facet_and_filter(seeds_index):
    every = search(seeds_index, "扶贫")
    types = {t["value"]: t["count"] for t in every.facets["type"]}
    assert sum(types.values()) == every.total
    kind, n = next(iter(types.items()))
    only = search(seeds_index, "扶贫", doc_type=kind)
    assert only.total == n and only.facets["type"] == every.facets["type"]  # own filter ignored
    with pytest.raises(ValueError, match="type"):
        search(seeds_index, "扶贫", doc_type="小说")


def test_the_issuer_facet_and_filter(seeds_index, seeds_client):
    every = search(seeds_index, "扶贫")
    issuers = {v["value"]: v["count"] for v in every.facets["issuer"]}
    assert issuers and sum(issuers.values()) == every.total
    name, n = next(iter(issuers.items()))
    only = search(seeds_index, "扶贫", issuer=name)
    assert only.total == n
    assert search(seeds_index, "扶贫", issuer="没有这个发文机关").total == 0
    page = seeds_client.get("/?q=扶贫").get_data(as_text=True)
    assert "facet-issuer" in page and "issuer=" in page
