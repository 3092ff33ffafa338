"""The web app's pure parts: parameter parsing, page links, stored documents as blocks."""

import pytest
from werkzeug.datastructures import MultiDict

from search_app.documents import StoredDoc, table_view
from search_app.links import Links
from search_app.params import BadParameter, SearchArgs, parse_args, search_error


def args(**kw) -> SearchArgs:
    return SearchArgs(q=kw.pop("q", "扶贫"), **kw)


# ---- parse_args ---------------------------------------------------------------------------


def test_parse_args_repeated_and_blank_values():
    got = parse_args(MultiDict([("q", " 扶贫 "), ("region", "贵州省"), ("region", ""),
                                ("region", "贵州省"), ("region", "广东省"), ("year", " 2020 "),
                                ("page", "2"), ("per_page", "")]))
    assert got == SearchArgs("扶贫", ["贵州省", "广东省"], ["2020"], None, 2, 10)


@pytest.mark.parametrize(
    "message,param",
    [
        ("page must be a whole number from 1", "page"),
        ("year must look like 2020", "year"),
        ("unknown region '火星'; did you mean …", "region"),  # resolved against the index
        ("region: no such place", "region"),
    ],
)
def test_search_errors_name_their_parameter(message, param):
    err = search_error(ValueError(message))
    assert err.param == param and err.named.startswith(param)


def test_bad_parameter_named_message():
    assert BadParameter("q", "type a word").named == "q: type a word"
    assert BadParameter("page", "page must be…").named == "page must be…"


# ---- links ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "current,value,expected",
    [
        ([], "贵州省", ["贵州省"]),
        (["贵州省"], "贵州省/黔南州", ["贵州省/黔南州"]),  # narrowing replaces the ancestor
        (["贵州省/黔南州/独山县"], "贵州省", ["贵州省"]),  # widening replaces the descendant
        (["广东省"], "贵州省/黔南州", ["广东省", "贵州省/黔南州"]),  # unrelated: both (either)
        (["贵州省/黔南"], "贵州省/黔南州", ["贵州省/黔南", "贵州省/黔南州"]),  # not a prefix path
    ],
    ids=["first", "narrow", "widen", "unrelated", "same-prefix-text"],
)
def test_region_value(current, value, expected):
    assert Links("/", args(region=current)).region_value(value) == expected


def test_region_facet_toggles_and_tolerates_extra_keys():
    links = Links("/", args(region=["贵州省"]))
    facet = links.facet("region", [
        {"value": "贵州省/黔南州", "label": "黔南州", "count": 3, "level": 2, "region_path": []},
        {"value": "贵州省", "count": 5, "selected": True},
        {"value": "", "count": 1},
    ])
    assert [(f.label, f.count, f.selected) for f in facet] == [("黔南州", 3, False),
                                                             ("贵州省", 5, True)]
    assert facet[0].url == "/?q=%E6%89%B6%E8%B4%AB&region=%E8%B4%B5%E5%B7%9E%E7%9C%81%2F%E9%BB%94%E5%8D%97%E5%B7%9E"
    assert facet[1].url == "/?q=%E6%89%B6%E8%B4%AB"  # selected: the link removes it


@pytest.mark.parametrize(
    "page,pages,expected",
    [
        (1, 1, ["[1]"]),
        (1, 4, ["[1]", "2", "3", "4"]),
        (5, 9, ["1", "…", "3", "4", "[5]", "6", "7", "…", "9"]),
        (9, 9, ["1", "…", "7", "8", "[9]"]),
        (4, 9, ["1", "2", "3", "[4]", "5", "6", "…", "9"]),
    ],
)
def test_page_links(page, pages, expected):
    shown = Links("/", args(page=page)).pages(pages)
    assert [("…" if p is None else f"[{p.label}]" if p.selected else p.label)
            for p in shown] == expected


@pytest.mark.parametrize(
    "q,filtered,labels",
    [
        ("扶贫", False, []),
        ("扶贫", True, ["search without filters"]),
        ('"易地扶贫搬迁 独山"', False, ["the words anywhere, not as a phrase: 易地扶贫搬迁 独山",
                                      "any of the words: 易地扶贫搬迁 OR 独山"]),
        ("「闽宁协作」", False, ["the words anywhere, not as a phrase: 闽宁协作"]),
        ('"未闭合 引号', False, ["any of the words: 未闭合 OR 引号"]),
        ("扶贫 -车间", False, []),
    ],
    ids=["plain", "filtered", "phrase", "corner-quotes", "unbalanced", "negation"],
)
def test_zero_result_suggestions(q, filtered, labels):
    a = args(q=q, year=["2020"] if filtered else [])
    assert [s.label for s in Links("/", a).suggestions()] == labels


# ---- stored documents -------------------------------------------------------------------------


def doc(outline, units, tables=()):
    return StoredDoc("d.txt", "d.txt", "T", "", None, "", "", None, None, [], outline,
                     list(tables), [{"ordinal": o, "kind": k, "text": f"u{o}"} for o, k in units])


def shape(blocks):
    out = []
    for kind, b in blocks:
        if kind == "heading":
            out.append(f"h{b['level']}:{b['text']}")
        elif kind == "table":
            out.append("table:" + ",".join(str(o) for o, _ in b.rows))
        else:
            out.append(f"u{b['ordinal']}")
    return out


def test_blocks_follow_the_outline_and_show_every_unit_once():
    d = doc(
        [{"heading": "一、", "level": 2}, {"unit": 0}, {"table": 0}, {"unit": 1},
         {"heading": "(一)", "level": 4}, {"unit": 3}, {"unit": 3}, {"table": 7}, {"junk": 1}],
        [(0, "paragraph"), (1, "table_row"), (2, "table_row"), (3, "paragraph"),
         (4, "paragraph")],
        [{"caption": "表1", "headers": ["a"], "rows": [["x"], ["y"]], "units": [1, 2],
          "totals": [1]}],
    )
    assert shape(d.blocks()) == ["h2:一、", "u0", "table:1,2", "h3:(一)", "u3", "u4"]
    assert d.blocks()[2][1].totals == {1}


def test_without_tables_table_rows_are_units():
    d = doc([{"unit": 0}, {"unit": 1}], [(0, "table_row"), (1, "table_row")])
    assert shape(d.blocks()) == ["u0", "u1"]


@pytest.mark.parametrize(
    "table,headers,rows",
    [
        ({"caption": "表1", "headers": ["年度", "资金"], "rows": [["2018", 1.5]],
          "units": [4]}, ["年度", "资金"], [(4, ["2018", "1.5"])]),
        ({"headers": ["a"], "rows": [["x"]], "row_units": [2]}, ["a"], [(2, ["x"])]),
        ({"headers": [["貧困發生率(%)", "2016年"]], "rows": [{"cells": ["3"], "unit": 9}]},
         ["貧困發生率(%) 2016年"], [(9, ["3"])]),
        ({"rows": [[{"header": "a", "value": "v"}, None]], "ordinals": []}, [], [(None, ["v", ""])]),
        ({}, [], []),
    ],
    ids=["plain", "other-key", "two-level-header-and-row-dicts", "cell-dicts", "empty"],
)
def test_table_view_tolerates_layouts(table, headers, rows):
    view = table_view(table)
    assert view.headers == headers and view.rows == rows


def test_year_facet_inside_a_selected_range_narrows_to_that_year():
    links = Links("/", args(year=["2016-2018"]))
    facet = links.facet("year", [{"value": 2017, "count": 4, "selected": True, "inferred": 1},
                                 {"value": 2020, "count": 2}])
    assert [(f.label, f.selected) for f in facet] == [("2017", True), ("2020", False)]
    assert facet[0].url.endswith("&year=2017")
    assert facet[1].url.endswith("&year=2016-2018&year=2020")
    assert facet[0].title == "1 of 4 with the year inferred from the text"


def test_region_trail_prefers_the_searchs_breadcrumb():
    links = Links("/", args(region=["贵州省/黔南布依族苗族自治州"]))
    given = [{"value": "贵州省", "label": "贵州省", "level": "province"},
             {"value": "贵州省/黔南布依族苗族自治州", "label": "黔南州"}]
    assert [(t.label, t.selected) for t in links.region_trail(given)] == [
        ("All regions", False), ("贵州省", False), ("黔南州", True)]
    assert [t.label for t in links.region_trail([])] == [
        "All regions", "贵州省", "黔南布依族苗族自治州"]
    assert Links("/", args(region=["a", "b"])).region_trail(given) == []
