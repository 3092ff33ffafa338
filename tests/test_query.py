"""Query syntax: AND, "phrase", OR, -term / NOT term, and inputs that must never raise."""

import pytest

from search_app.query import (
    MAX_QUERY_CHARS,
    QueryError,
    highlight_terms,
    parse_query,
    to_whoosh,
)


def shape(q: str):
    p = parse_query(q)
    groups = [[(c.text, c.phrase) for c in g] for g in p.groups]
    return groups, [c.text for c in p.negated]


SYNTAX = [
    ("闽宁协作", [[("闽宁协作", False)]], []),
    ("都匀市 贫困户", [[("都匀市", False)], [("贫困户", False)]], []),
    ('"易地扶贫搬迁" 独山', [[("易地扶贫搬迁", True)], [("独山", False)]], []),
    ("“东西部协作”", [[("东西部协作", True)]], []),
    ("「東西部協作」", [[("東西部協作", True)]], []),
    ("福州 OR 定西", [[("福州", False), ("定西", False)]], []),
    ("扶贫 -车间", [[("扶贫", False)]], ["车间"]),
    ("扶贫 NOT 车间", [[("扶贫", False)]], ["车间"]),
    ("扶贫 AND 车间", [[("扶贫", False)], [("车间", False)]], []),
    ("2016—2020年", [[("2016—2020年", False)]], []),
    ("扶贫\u3000车间", [[("扶贫", False)], [("车间", False)]], []),
]


@pytest.mark.parametrize("q,groups,negated", SYNTAX, ids=[s[0] for s in SYNTAX])
def test_syntax(q, groups, negated):
    assert shape(q) == (groups, negated)


ODD = [
    ('"未闭合 引号', [[("未闭合", False)], [("引号", False)]], "unbalanced quote"),
    ("扶贫 - 车间", [[("扶贫", False)], [("车间", False)]], "lone '-'"),
    ("OR 扶贫 OR", [[("扶贫", False)]], None),
    ("扶贫\x00\x07车间", [[("扶贫", False)], [("车间", False)]], None),
    ("title:扶贫^2 [a TO b] 车间~ 协作*", None, None),
    ("a" * 5000, None, f"first {MAX_QUERY_CHARS}"),
    ("\u202e扶贫\u200f", [[("扶贫", False)]], None),
    ("𠀀𠀁扶贫", None, None),
]


@pytest.mark.parametrize("q,groups,note", ODD, ids=["quote", "dash", "or", "ctrl", "whoosh",
                                                     "long", "rtl", "astral"])
def test_odd_queries_parse(q, groups, note):
    p = parse_query(q)
    to_whoosh(p)  # builds without error
    if groups is not None:
        assert [[(c.text, c.phrase) for c in g] for g in p.groups] == groups
    if note:
        assert any(note in n for n in p.notes), p.notes


@pytest.mark.parametrize("q", ["", "   ", "!!!，。？", '""', "-", "-扶贫", "NOT 扶贫", "OR AND NOT"])
def test_nothing_to_search_is_a_clear_error(q):
    with pytest.raises(QueryError) as err:
        parse_query(q)
    assert "search" in str(err.value) or "term" in str(err.value)


def test_query_goes_through_the_same_fold():
    p = parse_query("閩寧協作")
    assert p.groups[0][0].parts.text == "闽宁协作"
    assert "闽宁协作" in highlight_terms(p)


def test_highlight_terms_skip_single_characters_and_number_pieces():
    assert highlight_terms(parse_query("20016.76")) == ["20016.76"]
    terms = highlight_terms(parse_query("粤港澳大湾区菜篮子"))
    assert terms[0] == "粤港澳大湾区菜篮子"
    assert "区" not in terms
