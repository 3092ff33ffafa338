"""Bounded work per request: a query budget after which optional work stops and the answer
says it is partial, and a cap on the index terms any query reads."""

import pytest

from search_app import server as S
from search_app.query import MAX_TERMS, parse_query
from search_app.search import search


def test_a_query_out_of_time_answers_what_it_found_marked_partial(seeds_index):
    full = search(seeds_index, "扶贫 OR 协作 OR 搬迁", budget_ms=None)
    cut = search(seeds_index, "扶贫 OR 协作 OR 搬迁", budget_ms=1e-6)
    assert not full.partial and cut.partial
    assert any("too broad to finish" in n for n in cut.notes)
    assert 0 < cut.total <= full.total  # the alternatives it had time for, nothing invented
    full_uids = {h.uid for p in range(1, full.pages + 1)
                 for h in search(seeds_index, "扶贫 OR 协作 OR 搬迁", budget_ms=None,
                                 page=p).hits}
    assert {h.uid for h in cut.hits} <= full_uids


def test_a_query_in_time_is_not_partial(seeds_index):
    result = search(seeds_index, "扶贫", budget_ms=60_000)
    assert not result.partial and result.to_dict()["partial"] is False


def test_the_budget_comes_from_the_environment(seeds_index, monkeypatch):
    monkeypatch.setenv("POLICY_SEARCH_QUERY_BUDGET_MS", "0.000001")
    assert search(seeds_index, "扶贫 OR 协作").partial
    monkeypatch.setenv("POLICY_SEARCH_QUERY_BUDGET_MS", "0")  # no limit
    assert not search(seeds_index, "扶贫 OR 协作").partial


def test_the_api_says_partial(seeds_index, monkeypatch):
    from search_app import create_app

    monkeypatch.setenv("POLICY_SEARCH_QUERY_BUDGET_MS", "0.000001")
    app = create_app({"INDEX_DIR": str(seeds_index), "TESTING": True})
    data = app.test_client().get("/api/search?q=扶贫 OR 协作").get_json()
    assert data["ok"] and data["partial"] is True
    page = app.test_client().get("/?q=扶贫 OR 协作&lang=en").get_data(as_text=True)
    assert "too broad to finish" in page
    page = app.test_client().get("/?q=扶贫 OR 协作").get_data(as_text=True)
    assert "查询范围太大" in page  # the same note on the Chinese page


@pytest.mark.parametrize("q", [
    "的 是 在 和 了 有 " * 10,  # many one-character clauses
    "中华人民共和国国务院关于进一步加强城市规划建设管理工作的若干意见和实施方案的通知",  # one long run
    " ".join("东西部扶贫协作资金使用管理办法实施细则的通知" * 3),  # spaced-out characters
], ids=["many-clauses", "one-long-clause", "spaced-characters"])
def test_no_query_reads_more_than_the_term_cap(q):
    from search_app.query import _term_count

    parsed = parse_query(q)
    used = sum(_term_count(c.parts) for c in parsed.positive + parsed.negated)
    assert used <= MAX_TERMS
    assert any(str(MAX_TERMS) in n for n in parsed.notes)


def test_the_server_settings_are_explicit(seeds_index):
    from search_app import create_app

    app = create_app({"INDEX_DIR": str(seeds_index)})
    server = S.make_server(app, "127.0.0.1", 0, threads=3)
    try:
        assert server.adj.threads == 3
        assert server.adj.connection_limit == S.CONNECTION_LIMIT
        assert server.adj.channel_timeout == S.CHANNEL_TIMEOUT
    finally:
        server.close()
        app.extensions["policy_search"].close()
