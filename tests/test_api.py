"""The JSON API through Flask's test client: shape, paging, parameters, errors."""

import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_app import create_app
from search_app.cli import cli

SEARCH_KEYS = ["ok", "query", "total", "took_ms", "page", "per_page", "hits", "facets",
               "filters", "notes", "partial", "units", "region_suggestions", "next"]
HIT_KEYS = {"uid", "doc_id", "path", "title", "kind", "section", "text", "snippet", "score",
            "ordinal", "regions", "year", "year_source", "published"}


def get(client, url, status=200):
    resp = client.get(url)
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    return resp.get_json()


def test_search_shape_is_pinned(client):
    data = get(client, "/api/search?q=扶贫车间")
    assert list(data) == SEARCH_KEYS
    assert data["ok"] is True and data["query"] == "扶贫车间"
    assert data["total"] == 27 and data["page"] == 1 and data["per_page"] == 10
    assert len(data["hits"]) == 10 and isinstance(data["took_ms"], float)
    for hit in data["hits"]:  # documented keys; later issues may add some (mentions_years…)
        assert HIT_KEYS <= set(hit), HIT_KEYS - set(hit)
        assert "<mark>" in hit["snippet"]
    assert {"region", "year"} <= set(data["facets"])
    assert {"value", "label", "count"} <= set(data["facets"]["region"][0])
    assert {"value", "count"} <= set(data["facets"]["year"][0])
    assert data["filters"] == {"region": [], "year": []}
    assert data["next"] == "/api/search?" + "q=%E6%89%B6%E8%B4%AB%E8%BD%A6%E9%97%B4&per_page=10&page=2"


def test_table_row_hits_carry_table_and_cells(client):
    data = get(client, "/api/search?q=财政帮扶资金&kind=table_row")
    assert data["total"] == 3
    for hit in data["hits"]:
        assert hit["kind"] == "table_row"
        assert hit["table"] == "表1 财政帮扶资金安排(单位:万元)"
        assert [c["header"] for c in hit["cells"]] == ["年度", "财政帮扶资金"]
    paragraphs = get(client, "/api/search?q=财政帮扶资金&kind=paragraph")
    assert all("table" not in h and "cells" not in h for h in paragraphs["hits"])


def test_every_page_once_via_next(client):
    url, seen, pages = "/api/search?q=扶贫车间&per_page=4", [], 0
    while url:
        pages += 1
        assert pages <= 20, "next never became null"
        data = get(client, url)
        seen += [h["uid"] for h in data["hits"]]
        url = data["next"]
    assert pages == 7 and len(seen) == len(set(seen)) == 27


def test_next_keeps_the_filters(client):
    data = get(client, "/api/search?q=扶贫车间&region=贵州省&year=2020&kind=paragraph&per_page=5")
    follow = get(client, data["next"])
    assert follow["page"] == 2 and follow["filters"] == data["filters"]
    assert follow["total"] == data["total"] == 24  # 23 in gz/…, 1 paragraph in table.txt
    assert {h["kind"] for h in follow["hits"]} == {"paragraph"}


def test_per_page_up_to_100(client):
    data = get(client, "/api/search?q=扶贫车间&per_page=100")
    assert len(data["hits"]) == 27 and data["next"] is None


@pytest.mark.parametrize(
    "query,total,docs",
    [
        ("region=贵州省", 25, {"simp.txt", "gz/2020 独山 #1.txt", "table.txt"}),
        ("region=福建省&region=广东省", 2, {"trad.txt", "escape.txt"}),  # repeated: either
        ("region=贵州省/黔南布依族苗族自治州/三都水族自治县", 11, {"gz/2020 独山 #1.txt"}),
        ("year=2019&year=2021", 2, {"simp.txt", "trad.txt"}),
        ("year=2018-2019", 2, {"simp.txt", "escape.txt"}),
        ("region=贵州省&year=2019", 1, {"simp.txt"}),  # filters combine
        ("region=贵州省&year=2021", 0, set()),
        ("region=&year=", 27, None),  # empty form fields are no filter
    ],
    ids=["province", "two-regions", "county", "two-years", "year-range", "region-and-year",
         "nothing-left", "blank"],
)
def test_filters(client, query, total, docs):
    data = get(client, f"/api/search?q=扶贫车间&per_page=100&{query}")
    assert data["total"] == total
    if docs is not None:
        assert {h["doc_id"] for h in data["hits"]} == docs


def test_facets_count_each_facet_without_its_own_filter(client):
    data = get(client, "/api/search?q=扶贫车间&year=2019")
    years = {y["value"]: y["count"] for y in data["facets"]["year"]}
    assert years == {2021: 1, 2020: 24, 2019: 1, 2018: 1}
    regions = {r["value"]: r["count"] for r in data["facets"]["region"]}
    assert regions == {"贵州省": 1}  # within year 2019 only
    county = get(client, "/api/search?q=扶贫车间&region=贵州省/黔南布依族苗族自治州")
    assert {r["label"]: r["count"] for r in county["facets"]["region"]} == {
        "独山县": 14, "三都水族自治县": 11}


@pytest.mark.parametrize(
    "url,status,message",
    [
        ("/api/search", 400, "q is required"),
        ("/api/search?q=", 400, "q is required"),
        ("/api/search?q=!!!", 400, "q: type a word or phrase"),
        ("/api/search?q=-扶贫", 400, "q: a query needs at least one term"),
        ("/api/search?q=x&page=0", 400, "page must be a whole number from 1"),
        ("/api/search?q=x&page=abc", 400, "page must be a whole number from 1, not 'abc'"),
        ("/api/search?q=x&page=" + "9" * 5000, 400, "page must be a whole number"),
        ("/api/search?q=x&per_page=0", 400, "per_page must be a whole number from 1 to 100"),
        ("/api/search?q=x&per_page=101", 400, "per_page must be a whole number from 1 to 100"),
        ("/api/search?q=x&per_page=2.5", 400, "per_page must be a whole number"),
        ("/api/search?q=x&kind=chart", 400, "kind must be one of: paragraph, table_row"),
        ("/api/search?q=x&year=20x0", 400, "year must look like 2020 or 2016-2018"),
        ("/api/search?q=x&year=1800-3000", 400, "year must be between 1900 and 2100"),
        ("/api/search?q=x&region=" + "省" * 101, 400, "region is too long"),
        ("/api/doc/nope.txt", 404, "no document 'nope.txt' in the index"),
        ("/api/nothing", 404, "nothing here: /api/nothing"),
    ],
    ids=lambda v: v if isinstance(v, int) else None,
)
def test_errors_are_json_and_name_the_parameter(client, url, status, message):
    data = get(client, url, status)
    assert data == {"ok": False, "status": status, "error": data["error"]}
    assert message in data["error"]


def test_wrong_method_is_json(client):
    resp = client.post("/api/search?q=扶贫")
    assert resp.status_code == 405 and resp.get_json()["ok"] is False


def test_doc(client):
    doc_id = "gz/2020 独山 #1.txt"
    data = get(client, "/api/doc/" + quote(doc_id))
    assert data["ok"] is True and data["doc_id"] == doc_id
    assert data["title"] == "独山县扶贫车间建设台账" and data["published"] == "2020-08-01"
    assert data["year"] == 2020
    assert [u["ordinal"] for u in data["units"]] == list(range(23))
    assert data["units"][4]["text"].startswith("第5个扶贫车间")
    assert data["units"][1]["regions"] == ["贵州省/黔南布依族苗族自治州/三都水族自治县"]


def test_doc_with_a_table(client):
    data = get(client, "/api/doc/table.txt")
    assert data["tables"][0]["headers"] == ["年度", "财政帮扶资金"]
    assert {"table": 0} in data["outline"]
    assert data["units"][0]["kind"] == "table_row" and data["units"][0]["cells"][1] == {
        "header": "财政帮扶资金", "value": "8256.88"}
    assert "cells" not in data["units"][3]


def test_health(client):
    data = get(client, "/api/health")
    assert data["ok"] is True and data["documents"] == 6 and data["units"] == 32
    assert data["index_bytes"] > 0 and data["built_at"]


def test_no_index_is_503_saying_what_to_run(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "none")}).test_client()
    for url in ("/api/health", "/api/search?q=扶贫", "/api/doc/a.txt"):
        data = get(client, url, 503)
        assert "run `policy-search index`" in data["error"]


def test_cli_json_is_the_api_object(client, runner, faceted_index):
    url = "/api/search?q=扶贫车间&region=贵州省&year=2020&per_page=3&page=2"
    api = get(client, url)
    result = runner.invoke(cli, ["query", "扶贫车间", "--region", "贵州省", "--year", "2020",
                                 "-n", "3", "-p", "2", "--json", "--index-dir", str(faceted_index)])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed.pop("took_ms") >= 0 and api.pop("took_ms") >= 0
    for hit in printed["hits"]:
        hit.pop("path")  # the same file, named from the CLI's and the test's working folders
    for hit in api["hits"]:
        hit.pop("path")
    assert printed == api


_text = st.text(alphabet=st.characters(max_codepoint=0x3000) | st.sampled_from(
    "扶贫车间東西部協作\"“”「」-ORNOT*:^~()[]{}\\/%&#?+="), max_size=60)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=_text, region=_text, year=_text, page=_text, per_page=_text, kind=_text)
def test_no_parameter_value_gives_a_500(app, q, region, year, page, per_page, kind):
    client = app.test_client()
    params = {"q": q, "region": region, "year": year, "page": page, "per_page": per_page,
              "kind": kind}
    for path in ("/api/search", "/"):
        resp = client.get(path, query_string=params)
        assert resp.status_code in (200, 400), (path, params, resp.get_data(as_text=True))
