"""Hit labels (search_app/labels.py, present.py): titles that tell documents apart, repeated
title parts collapsed, the heading path as the section line."""

import pytest
from bs4 import BeautifulSoup

from search_app.labels import collapse_title, heading_path, issuer_of
from tests.conftest import english_client_of


@pytest.mark.parametrize("title, shown", [
    ("行政长官2021年施政报告 - 施政报告 施政报告", "行政长官2021年施政报告"),
    ("施政报告 | 行政长官2022年施政报告 施政报告", "行政长官2022年施政报告"),
    ("行政长官2023年施政报告 施政报告", "行政长官2023年施政报告"),
    ("政府工作报告", "政府工作报告"),
    ("堅持改革創新 持續深化拓展 福州定西兩市", "堅持改革創新 持續深化拓展 福州定西兩市"),
    ("", ""),
], ids=["dash", "bar-first", "suffix", "single", "distinct-parts", "empty"])
def test_repeated_title_parts_collapse(title, shown):
    assert collapse_title(title) == shown


@pytest.mark.parametrize("section, shown", [
    ("第三章 使用 › 第二十条", "第三章 使用 › 第二十条"),
    ("第二章  市容环境卫生责任区制度 › （三）按照规定设置环境卫生设施，并保持其整洁、完好。",
     "第二章 市容环境卫生责任区制度"),
    ("（七）支持代表性传承人开展传承与传播活动的其他措施。 › 第十九条", "第十九条"),
    ("第五章  种子经营 › （一）应当审定而未经审定通过的农作物种子； （二）应当包装而未包装的；",
     "第五章 种子经营"),
    ("目录 第一章 总则 第二章 规划 第三章 建设 第四章 管理 第五章 法律责任 第六章 附则 第七章 其他",
     ""),
    ("第一编 › 第二章 › 第三节 › 第十条", "第二章 › 第三节 › 第十条"),
    ("一、2016年工作回顾", "一、2016年工作回顾"),
], ids=["path", "list-item-dropped", "list-item-parent", "run-of-items", "contents",
        "innermost-three", "numbered-heading"])
def test_section_line_is_the_heading_path(section, shown):
    assert heading_path(section) == shown


@pytest.mark.parametrize("args, issuer", [
    (("国家发展改革委", "", "国务院总理", []), "国家发展改革委"),
    (("", "", "国务院总理", []), "国务院"),
    (("", "", "广东省省长 孟凡利", ["广东省"]), "广东省"),
    (("", "", "省长 李炳军", ["贵州省"]), "贵州省"),
    (("", "青海日报", "周恩来", []), "青海日报"),
    (("", "", "周恩来", ["广东省", "贵州省"]), ""),
], ids=["recorded", "office", "office-and-name", "office-only-region", "source", "unknown"])
def test_issuer_of_a_document(args, issuer):
    assert issuer_of(*args) == issuer


REPORTS = {
    "2019_全国_政府工作报告.txt": "政府工作报告\n——2019年3月5日在第十三届全国人民代表大会第二次会议上\n国务院总理 李克强\n2019年,推进新型城镇化建设。\n",
    "2026_广东省_政府工作报告.txt": "政府工作报告\n——2026年1月26日在广东省第十四届人民代表大会第五次会议上\n广东省省长 王伟中\n2026年,广东推进新型城镇化。\n",
    "hk/2021_香港_施政报告.txt": "行政长官2021年施政报告 - 施政报告 施政报告\n香港推进新型城镇化合作。\n",
}


@pytest.fixture(scope="module")
def reports_client(tmp_path_factory):
    yield from english_client_of(tmp_path_factory, "labels", REPORTS)


def test_shared_titles_get_year_and_issuer_and_repeats_collapse(reports_client):
    soup = BeautifulSoup(reports_client.get("/?q=新型城镇化").get_data(as_text=True),
                         "html.parser")
    titles = sorted(" ".join(a.get_text().split()) for a in soup.select(".hit-title a"))
    assert titles == ["政府工作报告 · 2019 · 国务院", "政府工作报告 · 2026 · 广东省",
                      "行政长官2021年施政报告"]
    data = reports_client.get("/api/search?q=新型城镇化").get_json()
    assert {h["title"] for h in data["hits"]} == {  # the API keeps the stored titles
        "政府工作报告", "行政长官2021年施政报告 - 施政报告 施政报告"}
