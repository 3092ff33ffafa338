"""Line classification: metadata, web chrome, headings, dates."""

import pytest

from indexer.lines import (
    breadcrumb_crumbs,
    chrome_kind,
    credit_source,
    heading_level,
    is_date_only,
    is_plain_heading,
    is_subtitle,
    markdown_heading,
    parse_date,
    parse_meta_line,
)

META = [
    ("發布時間:2021-04-27 |", {"published": "2021-04-27"}),
    ("作者:區人大 發布時間:2021-04-27", {"author": "區人大", "published": "2021-04-27"}),
    ("- 時間:2020-09-10", {"published": "2020-09-10"}),
    ("- 點擊:2070", {"counter": "2070"}),
    ("- 來源:甘肅日報", {"source": "甘肅日報"}),
    ("發布日期:2016-12-25 信息來源:河北老促會 信息訪問量:?",
     {"published": "2016-12-25", "source": "河北老促會", "counter": "?"}),
    ("发布时间: 2014-10-14 15:30:38  |  来源: 中国发展门户网  |  作者: 扶贫办  |  责任编辑: 王虔",
     {"published": "2014-10-14 15:30:38", "source": "中国发展门户网", "author": "扶贫办",
      "editor": "王虔"}),
    ("关键词: 广东省 双到 扶贫模式", {"keywords": "广东省 双到 扶贫模式"}),
    ("来源：", {"source": ""}),
    ("阅读量：1234次", {"counter": "1234次"}),
    ("浏览次数：", {"counter": ""}),
]


@pytest.mark.parametrize("line,fields", META, ids=[m[0][:14] for m in META])
def test_meta_lines(line, fields):
    assert parse_meta_line(line).fields == fields


@pytest.mark.parametrize(
    "line",
    [
        "来源于群众的意见要认真听取。",
        "时间紧、任务重,各地要抓紧落实。",
        "作者认为,扶贫协作成效显著。",
        "時間:明年春天",  # not a date
        "来源:" + "很长" * 30,
    ],
)
def test_sentences_are_not_meta_lines(line):
    assert parse_meta_line(line) is None


CHROME = [
    ("上一页   1   2   3   4   5   下一页", "toolbar"),
    ("返回顶部", "toolbar"),
    ("下载", "toolbar"),
    ("【字号：", "toolbar"),
    ("加大", "toolbar"),
    ("分享到：微信 微博 QQ空间", "toolbar"),
    ("扫一扫在手机打开当前页", "toolbar"),
    ("打印本页 关闭窗口", "toolbar"),
    ("【字体：大 中 小】", "toolbar"),
    ("相关文档：", "toolbar"),
    ("京公网安备 11010802021749号 京ICP备14010675号-1", "footer"),
    ("互联网新闻信息服务许可证10120170062", "footer"),
    ("中国农村杂志社唯一官网 版权所有 仿冒必究 转载请注明", "footer"),
    ("Copyright © 2020 某某网站 All Rights Reserved", "footer"),
    ("您當前的位置 > 首頁> 紅色河北", "breadcrumb"),
    ("您的位置:", "breadcrumb"),
    ("当前位置：首页 > 政务信息 > 宁夏要闻", "breadcrumb"),
    ("政府工作报告。 贵州日报天眼新闻记者 李森 摄", "photo"),
]


@pytest.mark.parametrize("line,kind", CHROME, ids=[c[0][:12] for c in CHROME])
def test_chrome_lines(line, kind):
    assert chrome_kind(line) == kind


@pytest.mark.parametrize(
    "line",
    [
        "2026年政府工作报告",
        "第十条 取得许可证的单位应当按期换证。",
        "小康不小康",
        "大力发展首页经济和网站服务",
        "云南要闻",
        "版权保护工作取得新进展,全年查处侵权盗版案件1200件。",
    ],
)
def test_text_is_not_chrome(line):
    assert chrome_kind(line) is None


def test_breadcrumb_names():
    assert breadcrumb_crumbs("您當前的位置 > 首頁> 紅色河北") == ["首頁", "紅色河北"]


HEADINGS = [
    ("一、調研的主要工作情況", 2),
    ("(一)助力提前完成脫貧攻堅目標", 3),
    ("(三)聽取有關工作彙報。", 3),
    ("一是黨委政府高度重視,在“準”字上下功夫。", 4),
    ("专栏4:连南县创办扶贫孵化中心加强扶贫队伍能力建设", 4),
    ("第一章 总则", 2),
    ("(三)聽取有關工作彙報。分別聽取我區派駐都勻、獨山、三都扶貧工作隊工作情況彙報,重點聽取", None),
    ("1.35萬噸農產品", None),
    ("第三条 为了加强管理", None),
    ("保定市目前有9個貧困縣", None),
    ("（三）其他未依法履行职责的。", None),  # a list item of a regulation: a paragraph
    ("（一）应当审定而未经审定通过的农作物种子；", None),
    ("(二)应当包装而未包装的;", None),
]


@pytest.mark.parametrize("line,level", HEADINGS, ids=[h[0][:12] for h in HEADINGS])
def test_heading_levels(line, level):
    assert heading_level(line) == level


def test_plain_and_markdown_headings():
    assert is_plain_heading("推进“四个协作”")
    assert is_plain_heading("連江—隴西")
    assert not is_plain_heading("圖為臨洮縣超大智慧農場工人采摘蔬菜。")
    assert markdown_heading("## 第一章　总则") == (2, "第一章　总则")
    assert markdown_heading("#没有空格") is None


@pytest.mark.parametrize(
    "text,date",
    [
        ("發布時間:2021-04-27 |", "2021-04-27"),
        ("2026年02月10日 07时41分", "2026-02-10"),
        ("——2026年2月3日在上海市第十六届人民代表大会第四次会议上", "2026-02-03"),
        ("——二〇二六年一月二十七日在甘肃省十四届人大五次会议上", "2026-01-27"),
        ("2019/3/1", "2019-03-01"),
        ("2019-13-45", None),
        ("没有日期", None),
    ],
)
def test_parse_date(text, date):
    assert parse_date(text) == date


def test_header_line_kinds():
    assert is_subtitle("——2026年2月3日在上海市第十六届人民代表大会第四次会议上")
    assert is_subtitle("──保定市革命老區精準脫貧工作的調研與思考")
    assert is_subtitle("（2026年1月27日在贵州省第十四届人民代表大会第四次会议上）")
    assert not is_subtitle("2026年是“十五五”开局之年。")
    assert is_date_only("2026-02-03 09:02:33")
    assert not is_date_only("2026年")
    assert credit_source("(广东省粤黔协作工作队供稿)") == "广东省粤黔协作工作队"
    assert credit_source("（来源：青海日报）") == "青海日报"
    assert credit_source("(第五小學)") is None
