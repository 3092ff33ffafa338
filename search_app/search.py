"""The one search path behind the command line, the JSON API and the page."""

from __future__ import annotations

import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from indexer.analysis import prepare, query_dictionary
from indexer.records import uid as uid_of
from search_app import facets as F
from search_app.engine import Engine, Snapshot, loads
from search_app.health import damage_in
from search_app.highlight import match_spans, render, row_snippet, snippet
from search_app.provenance import provenance
from search_app.query import QueryError, highlight_terms, parse_query, to_whoosh
from search_app.scoring import NOTHING, Scored, top
from search_app.units import unit_row, unit_rows

MAX_PER_PAGE = 100
DEFAULT_BUDGET_MS = 1000.0
PARTIAL_NOTE = ("the query was too broad to finish in time: the results are incomplete; "
                "narrow it with more words, a region or a year")


def query_budget_ms() -> float | None:
    """``POLICY_SEARCH_QUERY_BUDGET_MS`` (0 or less: no limit), else the default."""
    raw = os.environ.get("POLICY_SEARCH_QUERY_BUDGET_MS")
    try:
        value = float(raw) if raw else DEFAULT_BUDGET_MS
    except ValueError:
        value = DEFAULT_BUDGET_MS
    return value if value > 0 else None
RERANK_WINDOW = 100
KINDS = ("paragraph", "table_row")


@dataclass
class Hit:
    uid: str
    doc_id: str
    path: str
    title: str
    kind: str
    section: str
    text: str
    snippet: str
    score: float
    ordinal: int
    regions: list[str] = field(default_factory=list)
    year: int | None = None
    year_source: str | None = None  # published, title, filename or inferred
    mentions_years: list[int] = field(default_factory=list)  # years the unit itself names
    published: str | None = None
    section_html: str = ""
    title_html: str = ""
    table: str | None = None
    cells: list[dict] | None = None
    cells_html: list[dict] | None = None
    issuer: str = ""  # the document's, from search_app.provenance
    doc_number: str = ""
    source_format: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        for key in ("title_html", "section_html", "cells_html"):
            d.pop(key)
        if self.kind != "table_row":
            d.pop("table")
            d.pop("cells")
        return d


@dataclass
class SearchResult:
    query: str
    total: int
    took_ms: float
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict
    notes: list[str] = field(default_factory=list)
    filters: dict = field(default_factory=dict)
    partial: bool = False  # the query budget ran out: what was found so far

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "total": self.total,
            "took_ms": round(self.took_ms, 1),
            "page": self.page,
            "per_page": self.per_page,
            "hits": [h.to_dict() for h in self.hits],
            "facets": self.facets,
            "filters": self.filters,
            "notes": self.notes,
            "partial": self.partial,
        }


def _snapshot(index) -> tuple[Snapshot, bool]:
    """The snapshot to search, and whether this call opened it (and must close it)."""
    if isinstance(index, Snapshot):
        return index, False
    if isinstance(index, Engine):
        return index.snapshot(), False
    return Engine(Path(index)).snapshot(), True


def search(
    index,
    q: str,
    region: str | list[str] | None = None,
    year: str | int | list | None = None,
    kind: str | None = None,
    page: int = 1,
    per_page: int = 10,
    budget_ms: float | None | str = "env",
) -> SearchResult:
    """Search the live index. Raises QueryError (empty query), ValueError (bad parameter),
    store.NoIndex, or store.DamagedIndex (a file could not be read: health.py).

    ``budget_ms``: after that long, optional work (ranking boosts, further OR alternatives,
    the exact-clause re-ranking) is skipped and the result is marked ``partial``; None for no
    limit; by default ``POLICY_SEARCH_QUERY_BUDGET_MS`` or 1000."""
    started = time.perf_counter()
    if not isinstance(page, int) or page < 1:
        raise ValueError("page must be a whole number from 1")
    if not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page must be a whole number from 1 to {MAX_PER_PAGE}")
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of: {', '.join(KINDS)}")
    snap, owned = _snapshot(index)
    try:
        budget = query_budget_ms() if budget_ms == "env" else budget_ms
        return _search(snap, q, region, year, kind, page, per_page, started, budget)
    except Exception as err:
        damaged = damage_in(index, snap.gen, err)  # a read error, or what the checksums explain
        if damaged is None:
            raise
        raise damaged from err
    finally:
        if owned:
            snap.close()


def _search(snap: Snapshot, q, region, year, kind, page, per_page, started,
            budget: float | None) -> SearchResult:
    with query_dictionary(snap.words.cut):
        filters = F.parse_filters(snap, region, year)
        parsed = parse_query(q)
        wquery = to_whoosh(parsed)
    scorer = snap.scorer()
    scorer.start(None if budget is None else budget - (time.perf_counter() - started) * 1000)
    scored = scorer.scores(wquery)
    arrays = snap.arrays
    if kind is not None:
        code = arrays.kind_code(kind)
        scored = NOTHING if code is None else \
            _masked(scored, arrays.kind[scored.ids] == code)
    ok, facet_counts = F.count(snap, scored.ids, filters)
    matched = _masked(scored, ok)

    offset = (page - 1) * per_page
    hits: list[Hit] = []
    if len(matched) and offset < len(matched):
        ranked = _top(snap, matched, offset + per_page) if scorer.over() else \
            _ranked(snap, matched, parsed, offset + per_page)
        terms = highlight_terms(parsed)
        for r in ranked[offset : offset + per_page]:
            hits.append(_hit(snap, r, terms))
    return SearchResult(
        query=q,
        total=len(matched),
        took_ms=(time.perf_counter() - started) * 1000,
        page=page,
        per_page=per_page,
        hits=hits,
        facets=F.present(snap, facet_counts, filters),
        notes=parsed.notes + ([PARTIAL_NOTE] if scorer.partial else []),
        filters=filters.describe(),
        partial=scorer.partial,
    )


def _masked(scored: Scored, mask: np.ndarray) -> Scored:
    if mask.all():
        return scored
    return Scored(scored.ids[mask], scored.scores[mask])


@dataclass(frozen=True)
class Match:
    """A ranked unit: its Whoosh document number, score and units-database key."""

    docnum: int
    score: float
    doc_id: str
    ordinal: int


def _top(snap: Snapshot, matched: Scored, limit: int) -> list[Match]:
    """The best ``limit`` of the matched units: higher score first, then index order (as
    Whoosh orders ties)."""
    arrays = snap.arrays
    best = top(matched, limit)
    ids = matched.ids[best]
    return [Match(int(d), float(sc), arrays.doc_ids[doc], int(o)) for d, sc, doc, o in
            zip(ids, matched.scores[best], arrays.doc[ids], arrays.ordinal[ids], strict=True)]


def _ranked(snap: Snapshot, matched: Scored, parsed, needed: int) -> list:
    """BM25F order, with the first RERANK_WINDOW hits re-ordered so that units containing a
    clause exactly (``2016—2020年`` as typed, not its parts scattered) come first.
    The window is fixed, so every page is cut from the same order.
    """
    hits = _top(snap, matched, max(needed, RERANK_WINDOW))
    clauses = [re.sub(r"\s+", "", c.parts.text) for c in parsed.positive]
    clauses = [c for c in clauses if c]
    if not clauses:
        return hits
    head = hits[:RERANK_WINDOW]
    texts = {}
    for row in unit_rows(snap.db(), [(h.doc_id, h.ordinal) for h in head]).values():
        texts[row["uid"]] = prepare(" ".join(x for x in (row["lead"], row["tbl"], row["text"])
                                             if x))

    def exact(h) -> int:
        text = texts.get(_uid(h), "")
        return sum(1 for c in clauses if c in text)

    order = sorted(range(len(head)), key=lambda i: (-exact(head[i]), i))
    return [head[i] for i in order] + hits[RERANK_WINDOW:]


def _uid(hit: Match) -> str:
    """The units-database key of a ranked unit."""
    return uid_of(hit.doc_id, hit.ordinal)


def _hit(snap: Snapshot, r: Match, terms: list[str]) -> Hit:
    uid = _uid(r)
    db = snap.db()
    row = unit_row(db, r.doc_id, r.ordinal)
    doc = db.execute(
        "SELECT title, subtitle, published, year, year_source, meta FROM docs WHERE doc_id = ?",
        (row["doc_id"],),
    ).fetchone()
    text = row["text"]
    spans = match_spans(text, terms)
    shown = snippet(text, spans)
    cells = loads(row["cells"], None)
    if row["kind"] == "table_row" and cells:
        # a row reads as ``caption — header: value · …``; the caption says what the numbers are
        shown = row_snippet(cells, terms)
        if row["tbl"]:
            shown = render(row["tbl"], match_spans(row["tbl"], terms)) + " — " + shown
    elif not spans:
        # matched by what the unit is found with but does not show: say so in the snippet
        context = [row["lead"] or ""]
        if row["ordinal"] == 0 and doc:
            context.insert(0, doc["subtitle"] or "")
        for line in context:
            line_spans = match_spans(line, terms)
            if line_spans:
                shown = snippet(line, line_spans, width=60) + " · " + shown
                break
    section = row["section"] or ""
    title = doc["title"] if doc else ""
    hit = Hit(
        uid=uid,
        doc_id=row["doc_id"],
        path=str(Path(snap.corpus) / row["doc_id"]) if snap.corpus else row["doc_id"],
        title=title,
        kind=row["kind"],
        section=section,
        text=text,
        snippet=shown,
        score=round(float(r.score), 4),
        ordinal=row["ordinal"],
        regions=loads(row["regions"], []),
        year=row["year"] if row["year"] is not None else (doc["year"] if doc else None),
        year_source=doc["year_source"] if doc else None,
        mentions_years=(loads(row["extra"], None) or {}).get("mentions_years", []),
        published=doc["published"] if doc else None,
        section_html=render(section, match_spans(section, terms)),
        title_html=render(title, match_spans(title, terms)),
        table=row["tbl"] or None,
        cells=cells,
        **provenance(doc["meta"] if doc else None, row["doc_id"]),
    )
    if cells:
        hit.cells_html = [
            {"header": render(c.get("header", ""), match_spans(c.get("header", ""), terms)),
             "value": render(c.get("value", ""), match_spans(c.get("value", ""), terms))}
            for c in cells
        ]
    return hit


__all__ = ["search", "SearchResult", "Hit", "QueryError", "Engine"]
