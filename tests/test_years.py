"""The year of a document (and how it was found), and the years a text mentions."""

from __future__ import annotations

import datetime

import pytest

from indexer.years import document_year, mentioned_years, reported_years, version_year

TODAY = datetime.date(2026, 12, 1)


def year_of(published=None, meeting=None, title="", doc_id="a.txt", opening=(), body=()):
    return document_year(published=published, meeting_date=meeting, title=title,
                         doc_id=doc_id, opening=list(opening), body=list(body), today=TODAY)


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"published": "2021-04-27", "title": "2019年报告", "doc_id": "2018_x.txt"}, (2021, "published")),
    ({"meeting": "2025-01-14", "title": "政府工作报告"}, (2025, "published")),
    ({"opening": ["(2001年4月28日第九届全国人民代表大会常务委员会第二十一次会议通过 根据"
                  "2009年8月27日第十一届全国人民代表大会常务委员会第十次会议《关于修改部分法律的"
                  "决定》第一次修正)"]}, (2009, "published")),
    ({"opening": ["1996年9月6日 北京市第十届人民代表大会常务委员会第三十次会议通过",
                  "2002年3月29日 北京市第十一届人民代表大会常务委员会第三十三次会议修正",
                  "2011年5月27日 北京市第十三届人民代表大会常务委员会第二十五次会议修订）",
                  "第一条 为了预防火灾,2019年修正的规定除外。"],
      "published": "2003-01-01"}, (2011, "published")),
    ({"opening": ["2009年9月7日 国务院第80次常务会议通过", "2010年1月1日 施行"]},
     (2009, "published")),  # an effective date is no version
    ({"opening": ["2019年全省生产总值增长6%,经国务院批准设立新区。"], "title": "2020年报告"},
     (2020, "title")),  # a report's first paragraph is no history line
    ({"title": "2025年政府工作报告", "doc_id": "2019_x.txt"}, (2025, "title")),
    ({"title": "二〇二四年政府工作报告"}, (2024, "title")),
    ({"doc_id": "reports/2019_政府工作报告.txt"}, (2019, "filename")),
    ({"doc_id": "000_98669188a49a0a70.txt", "body": ["2023年投入资金1亿元。"]}, (2023, "inferred")),
    ({"body": ["2022年完成搬迁。", "到2035年基本实现现代化。", "2027年目标是全面达标。"]},
     (2022, "inferred")),
    ({"body": ["力争2028年建成。", "“十四五”时期,2025年实现翻番。"]}, (None, None)),
    ({"published": "2031-01-01", "body": ["2020年完成。"]}, (2020, "inferred")),  # not future
    ({"body": ["没有年份。"]}, (None, None)),
])
def test_document_year_order(kwargs, expected):
    assert year_of(**kwargs) == expected


@pytest.mark.parametrize(("text", "years"), [
    ("2016年和2020年的贫困发生率", [2016, 2020]),
    ("2016—2020年共投入资金", [2016, 2020]),
    ("二〇二三年工作回顾", [2023]),
    ("编号20161234年,电话13800138000", []),
    ("投入资金2019万元", []),  # an amount, not a year
])
def test_mentioned_years(text, years):
    assert mentioned_years(text) == years


def test_reported_years_skip_targets_and_plans():
    text = "2023年投入资金。到2035年基本实现。2025年目标全面达标。力争2027年完成。"
    assert reported_years(text, 2026) == [2023]
    assert version_year(["本条例自2015年1月1日起施行。"]) is None
