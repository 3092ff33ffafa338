"""Export and citation (search_app/export.py): the whole result set as CSV or JSON, streamed
and capped, the same rows from ``policy-search query --csv``, and a reference per hit."""

import csv
import io
import json

from bs4 import BeautifulSoup

from search_app import export
from search_app.cli import cli


def test_export_csv_has_every_result_with_the_filters(client):
    page = BeautifulSoup(client.get("/?q=扶贫车间&region=贵州省&page=2").get_data(as_text=True),
                         "html.parser")
    link = page.select_one(".export a[href^='/export.csv']")["href"]
    assert "region=%E8%B4%B5%E5%B7%9E%E7%9C%81" in link and "page=" not in link
    resp = client.get(link)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.is_streamed and "attachment" in resp.headers["Content-Disposition"]
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads the Chinese as UTF-8
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert tuple(rows[0]) == export.COLUMNS
    assert len(rows) == 25  # the page said 25 results in 贵州省: all of them, not one page
    assert [int(r["rank"]) for r in rows] == list(range(1, 26))
    assert all("贵州省" in r["regions"] for r in rows)
    assert rows[0]["url"].startswith("http://localhost/doc/") and "#u-" in rows[0]["url"]
    api = client.get("/api/search?q=扶贫车间&region=贵州省&per_page=100").get_json()
    assert [r["doc_id"] + "#" + r["ordinal"] for r in rows] == [
        f"{h['doc_id']}#{h['ordinal']}" for h in api["hits"]]  # the page's order


def test_export_json_is_capped_with_a_note(client, monkeypatch):
    monkeypatch.setattr(export, "MAX_UNITS", 12)
    resp = client.get("/export.json?q=扶贫车间")
    data = json.loads(resp.get_data(as_text=True))
    assert data["ok"] and data["total"] == 27 and data["exported"] == 12 and data["truncated"]
    assert len(data["hits"]) == 12 and "first 12 of 27" in data["notes"][0]
    assert "first 12 of 27" in resp.headers["X-Export-Note"]
    assert set(data["hits"][0]) == set(export.COLUMNS)


def test_export_refuses_bad_parameters_before_streaming(client):
    resp = client.get("/export.csv?q=扶贫&year=20xx")
    assert resp.status_code == 400 and "year must look like" in resp.get_data(as_text=True)


def test_query_csv_prints_the_same_rows(runner, faceted_index, client):
    result = runner.invoke(cli, ["query", "扶贫车间", "--region", "贵州省", "--csv",
                                 "--index-dir", str(faceted_index)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 25 and rows[0]["url"].endswith("#u-" + rows[0]["ordinal"])
    web = list(csv.DictReader(io.StringIO(client.get(
        "/export.csv?q=扶贫车间&region=贵州省").get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["text"] for r in rows] == [r["text"] for r in web]


def test_each_hit_has_a_visible_citation_with_a_permalink(client):
    soup = BeautifulSoup(client.get("/?q=8256.88").get_data(as_text=True), "html.parser")
    cite = soup.select_one(".hit details.cite .cite-text").get_text()
    # title, issuer (here its one region), year, heading path, permalink to the row
    assert cite == "《独山县财政帮扶资金安排》，独山县，2020，一、资金安排。http://localhost/doc/table.txt#u-0"
