"""The document view's navigation (search_app/doc_page.py): links that keep the search,
numbered matches with next/previous links that work without JavaScript, the outline."""

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.conftest import english_client_of

CHAPTERS = "".join(f"第{n}章 规定{n}\n第{n}条 电梯安全管理应当依法进行。\n" for n in
                   "一二三四五六七八九十")
DOCS = {"reg/电梯安全条例.txt": "某市电梯安全管理条例\n" + CHAPTERS
        + "第十一章 法律责任\n违反本条例，有下列情形之一的，责令改正：\n"
          "（一）未依法取得许可的；\n（三）其他未依法履行电梯安全职责的。\n"}


@pytest.fixture(scope="module")
def doc_client(tmp_path_factory):
    yield from english_client_of(tmp_path_factory, "docpage", DOCS)


def soup_of(client, url) -> BeautifulSoup:
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return BeautifulSoup(resp.get_data(as_text=True), "html.parser")


def test_hit_links_and_back_link_keep_every_filter(doc_client):
    soup = soup_of(doc_client, "/?q=电梯安全&kind=paragraph&lang=en")
    link = soup.select_one(".hit-title a")["href"]
    assert parse_qs(urlsplit(link).query) == {"q": ["电梯安全"], "kind": ["paragraph"],
                                              "lang": ["en"]}
    doc = soup_of(doc_client, link.split("#")[0] + "&region=贵州省&year=2020&page=2")
    back = parse_qs(urlsplit(doc.select_one(".back a")["href"]).query)
    assert back == {"q": ["电梯安全"], "region": ["贵州省"], "year": ["2020"],
                    "kind": ["paragraph"], "page": ["2"], "lang": ["en"]}


def test_matches_are_numbered_with_next_and_previous_links(doc_client):
    doc = soup_of(doc_client, "/doc/reg/电梯安全条例.txt?q=电梯安全")
    marks = doc.select(".doc-body mark[id]")
    total = len(marks)
    assert total >= 10 and [m["id"] for m in marks] == [f"m-{i}" for i in range(1, total + 1)]
    bar = doc.select_one(".matchbar")
    assert f"{total} matches" in bar.get_text() and bar.select_one("a")["href"] == "#m-1"
    first, middle, last = (m.find_next_sibling("span", class_="mnav") for m in
                           (marks[0], marks[2], marks[-1]))
    assert [a["href"] for a in first.select("a")] == ["#m-2"]
    assert [a["href"] for a in middle.select("a")] == ["#m-2", "#m-4"]
    assert [a["href"] for a in last.select("a")] == [f"#m-{total - 1}"]
    assert f"3 of {total}" in middle.get_text()


def test_outline_lists_the_headings_when_there_are_many(doc_client):
    doc = soup_of(doc_client, "/doc/reg/电梯安全条例.txt")
    outline = doc.select_one("details.outline")
    assert outline is not None and outline.has_attr("open")
    entries = outline.select("a")
    assert [a.get_text() for a in entries][:2] == ["第一章 规定一", "第二章 规定二"]
    for a in entries:
        target = doc.select_one(a["href"])
        assert target is not None and target.name.startswith("h")
    few = soup_of(doc_client, "/?q=电梯")  # the search page has none; a short doc neither
    assert few.select_one("details.outline") is None


def test_list_items_are_paragraphs_not_headings(doc_client):
    doc = soup_of(doc_client, "/doc/reg/电梯安全条例.txt")
    headings = [h.get_text() for h in doc.select(".doc-body .heading")]
    assert not any(h.startswith("（") for h in headings), headings
    items = [p.get_text() for p in doc.select(".doc-body .unit p")]
    assert "（三）其他未依法履行电梯安全职责的。" in items


def test_a_unit_shows_its_heading_path_when_targeted(doc_client):
    doc = soup_of(doc_client, "/doc/reg/电梯安全条例.txt")
    contexts = {u["id"]: u.select_one(".context").get_text() for u in doc.select(".unit")
                if u.select_one(".context")}
    assert "第三章 规定三" in contexts.values()
