"""Accessibility of the pages' structure: a skip link first, landmarks with names, the first
result early in the tab order (the browser test walks the real focus order)."""

from bs4 import BeautifulSoup

FOCUSABLE = "a[href], button, input:not([type=hidden]), summary, [tabindex='0']"


def soup_of(client, url) -> BeautifulSoup:
    return BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")


def test_skip_link_is_first_and_leads_to_the_results(client):
    soup = soup_of(client, "/?q=扶贫车间")
    first = soup.body.select_one(FOCUSABLE)
    assert "skip" in first["class"] and first["href"] == "#results"
    assert soup.select_one("#results").name == "section"


def test_first_result_comes_before_the_filters(client):
    soup = soup_of(client, "/?q=扶贫车间")
    order = [el for el in soup.select("main " + ", main ".join(FOCUSABLE.split(", ")))]
    hit = soup.select_one(".hit-title a")
    facet = soup.select_one(".facets a")
    assert order.index(hit) < order.index(facet)
    assert order.index(hit) <= 4  # after the export links and the filter chips at most


def test_landmarks_have_names(client):
    soup = soup_of(client, "/?q=扶贫车间&region=贵州省")
    assert soup.select_one("header.top") and soup.select_one("main#main")
    assert soup.select_one("footer")
    for sel in ("aside.facets", "section.results", "nav.pager", "nav.langs", "ul.chips"):
        el = soup.select_one(sel)
        assert el is not None and el.get("aria-label"), sel
    box = soup.select_one("form[role=search] input[name=q]")
    assert box["aria-label"]


def test_document_view_skip_link_and_named_navigation(client):
    soup = soup_of(client, "/doc/gz/2020 独山 %231.txt?q=扶贫车间")
    assert soup.body.select_one(FOCUSABLE)["href"] == "#doc"
    assert soup.select_one("article#doc")
    assert soup.select_one("nav.matchbar")["aria-label"]
