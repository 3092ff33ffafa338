"""Hostile queries and parameters: the search function, the web app and the command line answer
with results or a clear message (400 / exit 2), never a crash, a traceback or unescaped input.

Hypothesis runs derandomized with bounded examples, so CI sees the same inputs every time.
"""

import re

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_app.cli import cli
from search_app.present import hit_views
from search_app.query import QueryError
from search_app.search import search

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Pieces that mean something to Whoosh, to our own syntax, to HTML or to the terminal.
FRAGMENTS = ["*", "?", "~", "~2", "^2", "[a TO b]", "{a TO b}", "field:", "title:扶贫", '"', "“",
             "「", "(", ")", "[", "]", "AND", "OR", "NOT", "-", "+", "&&", "||", "\\", "%",
             "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "\u202e", "\u200f",
             "\u200b", "\x00", "\x1b[31m", "\r\n", "𠀀𪚥", "😀", "\ufffd", "扶贫", "車間", "协作",
             "2020", "123456789012345678901234567890", "ǎ"]
_any_char = st.characters(exclude_categories=("Cs",))  # everything, astral plane included
HOSTILE = st.one_of(
    st.text(_any_char, max_size=80),
    st.lists(st.sampled_from(FRAGMENTS) | st.text(_any_char, max_size=5), max_size=12)
    .map(" ".join),
    st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join),
)
LONG = ["扶" * 10_000, "a" * 10_000, "9" * 10_000, "扶贫 " * 3_000, '"' * 10_000,
        "(" * 5_000 + ")" * 5_000, "OR " * 3_000, "-" * 10_000, "𠀀" * 10_000]
NAMED = ["*", "?", "~", "^2", "[a TO b]", "field:", '"未闭合', "扶贫)", "(((", "AND OR NOT",
         "AND", "OR", "NOT", "NOT 扶贫", "- -", '""', "“", "\u202e\u200f", "\x00\x07\x1b",
         "𠀀", "扶贫车间^2", "words:扶贫", "扶贫~", "扶?", "扶*"]


def only_marks(html: str) -> bool:
    """No markup in a snippet but our <mark>…</mark>."""
    return "<" not in re.sub(r"</?mark>", "", html)


def check_search(index, q: str, **params) -> None:
    try:
        result = search(index, q, **params)
    except QueryError as err:
        assert str(err)  # a message the user can read
        return
    except ValueError as err:  # a bad parameter, named in the message
        assert re.match(r"(page|per_page|kind|year|region)\b", str(err)), err
        return
    for hit in hit_views(index, result):
        assert only_marks(hit.snippet) and only_marks(hit.title_html), hit.snippet
        assert only_marks(hit.section_html)


@pytest.mark.parametrize("q", NAMED + LONG, ids=lambda q: repr(q[:12]) + f"/{len(q)}")
def test_named_hostile_queries(seeds_index, q):
    check_search(seeds_index, q)


@FUZZ
@given(q=HOSTILE)
def test_any_query_string(seeds_index, q):
    check_search(seeds_index, q)


@FUZZ
@given(q=HOSTILE, region=st.none() | HOSTILE, year=st.none() | HOSTILE,
       page=st.integers(-5, 10**9), per_page=st.integers(-5, 200))
def test_any_search_arguments(docs_index, q, region, year, page, per_page):
    check_search(docs_index, q, region=region, year=year, page=page, per_page=per_page)


# ---- the web app ----------------------------------------------------------------------------

MARKER = "<b id=echo>x</b>"  # typed by the user; must never come back as markup


def check_response(client, path: str, query_string) -> None:
    resp = client.get(path, query_string=query_string)
    body = resp.get_data(as_text=True)
    assert resp.status_code in (200, 400), (path, query_string, resp.status_code, body[-500:])
    assert "Traceback" not in body
    if path.startswith("/api/"):
        data = resp.get_json()
        assert data["ok"] is (resp.status_code == 200)
        if resp.status_code == 400:
            assert data["error"] and data["status"] == 400
    else:
        assert MARKER not in body
        soup = BeautifulSoup(body, "html.parser")
        assert soup.find("b", id="echo") is None
        assert [s.get("src") for s in soup.find_all("script")] == ["/static/app.js"]
        if resp.status_code == 400:
            assert soup.select_one(".message").get_text(strip=True)


PARAM = st.one_of(HOSTILE, st.sampled_from(["-1", "0", "1", "10", "100", "101", str(10**9),
                                            "1e3", "0x10", " 2 ", "２", "abc", "2020", "2016-2018",
                                            "1800-3000", "县" * 1000, "", MARKER]))


@FUZZ
@given(q=HOSTILE, region=PARAM, year=PARAM, page=PARAM, per_page=PARAM, kind=PARAM)
def test_any_parameters_on_the_page_and_the_api(client, q, region, year, page, per_page, kind):
    params = {"q": q + MARKER, "region": region, "year": year, "page": page,
              "per_page": per_page, "kind": kind}
    for path in ("/api/search", "/"):
        check_response(client, path, params)


@pytest.mark.parametrize(
    "query_string",
    [
        {"q": "扶贫", "page": "-1"},
        {"q": "扶贫", "page": str(10**9)},
        {"q": "扶贫", "page": str(10**9 - 1)},
        {"q": "扶贫", "per_page": "0"},
        {"q": "扶贫", "year": "abc"},
        {"q": "扶贫", "region": "县" * 1000},
        [("q", "扶贫"), ("q", "车间"), ("page", "1"), ("page", "x"), ("year", "2020"),
         ("year", "2019"), ("region", "贵州省"), ("region", "贵州省"), ("kind", "paragraph"),
         ("kind", "bogus")],
        "q=%ff%fe%fd&region=%c0%80",  # bytes that are not UTF-8
        "q=%E6%89%B6%E8%B4%AB&page=%00",
        {"q": "a" * 10_000},
        {"q": MARKER, "region": MARKER, "year": MARKER, "kind": MARKER},
    ],
    ids=["page-negative", "page-10e9", "page-huge", "per_page-0", "year-abc", "region-1000",
         "repeated", "not-utf8", "nul", "q-10000", "markup-everywhere"],
)
def test_named_bad_parameters(client, query_string):
    for path in ("/api/search", "/"):
        check_response(client, path, query_string)


def test_errors_name_the_parameter(client):
    cases = {"page=-1": "page must be", "page=1000000000": "page must be",
             "per_page=0": "per_page must be", "year=abc": "year must look like",
             "region=" + "县" * 1000: "region is too long"}
    for query, message in cases.items():
        data = client.get("/api/search?q=扶贫&" + query).get_json()
        assert data["status"] == 400 and data["error"].startswith(message), (query, data)


# ---- the command line ------------------------------------------------------------------------


@FUZZ
@given(q=HOSTILE.filter(lambda s: not s.startswith("-")))
def test_cli_query_answers_or_exits_2_with_one_line(runner, docs_index, q):
    result = runner.invoke(cli, ["query", "--index-dir", str(docs_index), "--", q])
    assert result.exit_code in (0, 2), (q, result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.output.startswith("Error: ") and len(result.output.splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [["query", "扶贫", "--page", "-1"], ["query", "扶贫", "--page", "0"],
     ["query", "扶贫", "--limit", "0"], ["query", "扶贫", "--limit", "1000"],
     ["query", "扶贫", "--year", "abc"], ["query", "扶贫", "--region", "县" * 1000],
     ["query", "扶贫", "--kind", "bogus"], ["query", "扶贫", "--page", "x"], ["query"],
     ["query", "扶贫", "--bogus"], ["bogus"], ["index", "--jobs", "0"]],
    ids=lambda a: " ".join(a)[:24],
)
def test_cli_bad_input_is_one_line_and_exit_2(runner, docs_index, args):
    result = runner.invoke(cli, [*args, "--index-dir", str(docs_index)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and len(result.output.splitlines()) == 1
