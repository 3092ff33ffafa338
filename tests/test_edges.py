"""The page's answers to awkward requests (search_app/edges.py and the pager): an unknown or
ambiguous region, a page past the end, a very long query, a query of very common characters."""

from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup


def soup_of(client, url, status=200) -> BeautifulSoup:
    resp = client.get(url)
    assert resp.status_code == status, resp.get_data(as_text=True)[:800]
    return BeautifulSoup(resp.get_data(as_text=True), "html.parser")


def test_unknown_region_shows_results_without_it_and_close_matches_as_links(client):
    soup = soup_of(client, "/?q=扶贫车间&region=贵洲&year=2020")
    assert " ".join(soup.select_one(".summary").get_text().split()).startswith("24 results")
    note = soup.select_one(".note.dropped")
    assert "without the region 贵洲" in note.get_text() and "not a known place" in note.get_text()
    first = note.select_one("a")
    assert first.get_text() == "贵州省"
    assert parse_qs(urlsplit(first["href"]).query) == {
        "q": ["扶贫车间"], "region": ["贵州省"], "year": ["2020"]}
    assert client.get("/api/search?q=扶贫车间&region=贵洲").status_code == 400  # the API keeps it


def test_overlong_region_is_dropped_on_the_page_and_refused_by_the_api(client):
    soup = soup_of(client, "/?q=扶贫车间&region=" + "县" * 101)
    assert "region is too long" in soup.select_one(".note.dropped").get_text()
    resp = client.get("/api/search?q=扶贫车间&region=" + "县" * 101)
    assert resp.status_code == 400 and "region is too long" in resp.get_json()["error"]


def test_ambiguous_region_offers_each_place(client):
    soup = soup_of(client, "/?q=扶贫车间&region=鼓楼区")
    links = soup.select(".note.dropped a")
    assert len(links) >= 2 and all(a["title"].endswith("/鼓楼区") for a in links)
    assert soup.select("ol.hits > li.hit")


def test_unknown_region_in_chinese(app):
    soup = soup_of(app.test_client(), "/?q=扶贫车间&region=贵洲")
    text = soup.select_one(".note.dropped").get_text()
    assert "以下结果未按地区 贵洲 筛选" in text and "您是不是要找" in text


def test_page_past_the_end_links_back_to_the_last_page(client):
    soup = soup_of(client, "/?q=扶贫车间&page=99999")
    back = soup.select_one(".empty a")
    assert "There is no page 99999" in soup.select_one(".empty").get_text()
    assert parse_qs(urlsplit(back["href"]).query)["page"] == ["3"]
    prev = soup.select_one("nav.pager a.prev")
    assert parse_qs(urlsplit(prev["href"]).query)["page"] == ["3"]


def test_a_long_query_is_shortened_in_the_count_line(client):
    q = "扶贫车间 " + "协作" * 200
    soup = soup_of(client, "/?q=" + q)
    shown = soup.select_one(".summary q")
    assert len(shown.get_text()) <= 60 and shown.get_text().endswith("…")
    assert shown["title"] == q.strip()


def test_a_query_of_very_common_characters_says_so(client):
    # in this small corpus 扶 is in most units (as 的 is in a real one); 贫 too
    for q in ("扶", "扶 贫"):
        note = soup_of(client, "/?q=" + q).select_one(".note.common")
        assert note is not None and "「扶」" in note.get_text()
        assert "every paragraph" in note.get_text()
    for q in ("扶贫车间", "闽"):  # a word, or a character few units have
        assert soup_of(client, "/?q=" + q).select_one(".note.common") is None
