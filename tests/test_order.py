"""One result per document, sorting by the document's year, and one document's results."""

from __future__ import annotations

import pytest

from search_app.search import search


def all_units(index, q, **kw):
    first = search(index, q, per_page=100, **kw)
    return [h for p in range(1, first.pages + 1)
            for h in search(index, q, per_page=100, page=p, **kw).hits]


def test_one_result_per_document_with_how_many_more(seeds_index):
    units = all_units(seeds_index, "扶贫")
    grouped = search(seeds_index, "扶贫", group=True, per_page=100)
    docs = {h.doc_id for h in units}
    assert grouped.total == len(docs) and grouped.units == len(units)
    assert len({h.doc_id for h in grouped.hits}) == len(grouped.hits) == len(docs)
    for h in grouped.hits:
        assert h.more_in_document == sum(u.doc_id == h.doc_id for u in units) - 1
        best = max((u for u in units if u.doc_id == h.doc_id), key=lambda u: u.score)
        assert h.score == best.score  # the document's best unit stands for it
    scores = [h.score for h in grouped.hits]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sorted_by_the_documents_year(seeds_index, sort):
    hits = all_units(seeds_index, "扶贫", sort=sort)
    years = [h.year for h in hits if h.year]
    assert years == sorted(years, reverse=sort == "newest")
    assert len(hits) == search(seeds_index, "扶贫").total


def test_one_documents_results(seeds_index):
    doc = search(seeds_index, "扶贫").hits[0].doc_id
    only = all_units(seeds_index, "扶贫", doc=doc)
    assert only and all(h.doc_id == doc for h in only)
    with pytest.raises(ValueError, match="no document"):
        search(seeds_index, "扶贫", doc="nope.txt")


def test_the_api_and_the_page_take_sort_group_and_doc(client):
    data = client.get("/api/search?q=扶贫&group=1&sort=newest&per_page=1").get_json()
    assert data["total"] < data["units"]
    assert "sort=newest" in data["next"] and "group=1" in data["next"]
    assert client.get("/api/search?q=扶贫&sort=sideways").status_code == 400
    page = client.get("/?q=扶贫&group=1").get_data(as_text=True)
    assert "more in this document" in page and "doc=" in page
    assert client.get("/api/search?q=扶贫&doc=nope.txt").status_code == 400
