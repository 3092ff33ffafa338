"""A hit as the page and the terminal show it: marked title, qualifier, heading path, cells.

Why apart from search.py: the search builds the data (the ``Hit`` that ``/api/search``
returns); how a title is highlighted, which documents need a qualifier and which section parts
are headings belong to the presentation, as datasette keeps its JSON and HTML renderers apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.analysis import query_dictionary
from search_app import labels
from search_app.highlight import match_spans, render
from search_app.query import QueryError, highlight_terms, parse_query
from search_app.search import Hit, SearchResult, _snapshot


def marked(text: str | None, terms: list[str]) -> str:
    """Escaped text with the terms in <mark> (the highlighter's HTML)."""
    text = text or ""
    return render(text, match_spans(text, terms))


def query_terms(snap, q: str) -> list[str]:
    """The strings to mark for ``q`` (cut with the generation's dictionary); none for a
    query that cannot be parsed."""
    if not q.strip():
        return []
    try:
        with query_dictionary(snap.words.cut):
            return highlight_terms(parse_query(q))
    except QueryError:
        return []


@dataclass(frozen=True)
class HitView:
    """One hit and what the page shows of it; other attributes are the hit's own."""

    hit: Hit
    title: str  # collapsed: 行政长官2021年施政报告
    title_html: str
    qualifier: list[str]  # year and issuer when several documents share the title
    section: str  # the heading path
    section_html: str
    cells_html: list[dict] | None
    issuer: str  # the recorded issuer, else the one the docs row suggests (labels.issuer_of)

    def __getattr__(self, name: str):
        return getattr(self.hit, name)

    @property
    def label(self) -> str:
        """The title with its qualifier: 政府工作报告 · 2019 · 国务院."""
        return " · ".join([self.title or self.hit.doc_id, *self.qualifier])

    def citation(self, url: str) -> str:
        """The hit as a reference, ``url`` its permalink."""
        return labels.citation(self.title or self.hit.doc_id, self.issuer, self.hit.year,
                               self.section, url)


def view(hit: Hit, terms: list[str], docs: dict[str, labels.DocLabel]) -> HitView:
    title = labels.collapse_title(hit.title)
    section = labels.heading_path(hit.section)
    doc = docs.get(hit.doc_id)
    qualifier = doc.parts if doc else []
    cells = None
    if hit.cells:
        cells = [{"header": marked(c.get("header", ""), terms),
                  "value": marked(c.get("value", ""), terms)} for c in hit.cells]
    return HitView(hit, title, marked(title, terms), qualifier, section,
                   marked(section, terms), cells, hit.issuer or (doc.issuer if doc else ""))


def hit_views(index, result: SearchResult) -> list[HitView]:
    """The result's hits as shown; ``index`` is a snapshot, an engine or an index folder."""
    snap, owned = _snapshot(index)
    try:
        terms = query_terms(snap, result.query)
        docs = labels.doc_labels(snap) if result.hits else {}
        return [view(h, terms, docs) for h in result.hits]
    finally:
        if owned:
            snap.close()
