"""The one search path behind the command line, the JSON API and the page."""

from __future__ import annotations

import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from whoosh import query as wq

from indexer.analysis import prepare, query_dictionary
from indexer.store import uid as uid_of
from search_app import doc_types
from search_app import facets as F
from search_app.engine import Engine, Snapshot, loads
from search_app.health import damage_in
from search_app.highlight import match_spans, render, row_snippet, snippet
from search_app.provenance import provenance
from search_app.proximity import closeness
from search_app.query import QueryError, build_query, exact_query, highlight_terms, parse_query
from search_app.scoring import NOTHING, Scored, member, top
from search_app.units import unit_row, unit_rows
from search_app.widening import describe_all

MAX_PER_PAGE = 100
DEFAULT_BUDGET_MS = 1000.0
MOST_TERMS_NOTE = ("no result has every term: showing the %(count)s results with %(best)s of "
                   "%(n)s (each says what it is missing)")
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
PROXIMITY = 0.5  # score x (1 + PROXIMITY) for clauses side by side, x 1 beyond a sentence
KINDS = ("paragraph", "table_row")
SORTS = ("relevance", "newest", "oldest")


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
    table: str | None = None
    cells: list[dict] | None = None
    issuer: str = ""  # the document's, from search_app.provenance
    doc_number: str = ""
    source_format: str = ""
    missing: list[str] = field(default_factory=list)  # query terms it lacks (partial matches)
    more_in_document: int = 0  # grouped: the document's other matching units

    def to_dict(self) -> dict:
        d = asdict(self)  # data only: the views mark and label it (present.py)
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
    units: int | None = None  # matching units (``total`` counts documents when grouped)
    order: dict = field(default_factory=dict)  # sort, group, doc as asked (for links)
    # partial matches lacking a place: [{"term", "region"}], the filter to try instead
    region_suggestions: list[dict] = field(default_factory=list)

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
            "units": self.total if self.units is None else self.units,
            "region_suggestions": self.region_suggestions,
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
    exact: bool = False,
    plain: bool = False,
    sort: str = "relevance",
    group: bool = False,
    doc: str | None = None,
    doc_type: str | None = None,
    issuer: str | None = None,
) -> SearchResult:
    """Search the live index. Raises QueryError (empty query), ValueError (bad parameter),
    store.NoIndex, or store.DamagedIndex (a file could not be read: health.py).

    ``budget_ms``: after that long, optional work (ranking boosts, further OR alternatives,
    the exact-clause re-ranking) is skipped and the result is marked ``partial``; None for no
    limit; by default ``POLICY_SEARCH_QUERY_BUDGET_MS`` or 1000.

    ``exact``: terms match only the units' own text (no document context, no abbreviation
    expansion); ``plain``: that and no ranking boosts, no proximity, no partial matches (the
    plain-BM25 run of the relevance set).

    ``sort``: ``relevance``, ``newest`` or ``oldest`` (by the document's year, then score);
    ``group``: one hit per document (its best unit, with how many more it has), ``total``
    counting documents; ``doc``: only the units of this document (its ``doc_id``);
    ``doc_type``: only units of documents of this kind (``doc_types.LABELS``); ``issuer``:
    only units of documents of this issuer (a value of ``facets.issuer``)."""
    started = time.perf_counter()
    if sort not in SORTS:
        raise ValueError(f"sort must be one of: {', '.join(SORTS)}")
    if doc_type is not None and doc_type not in doc_types.LABELS:
        raise ValueError(f"type must be one of: {', '.join(doc_types.LABELS)}")
    if not isinstance(page, int) or page < 1:
        raise ValueError("page must be a whole number from 1")
    if not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page must be a whole number from 1 to {MAX_PER_PAGE}")
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of: {', '.join(KINDS)}")
    snap, owned = _snapshot(index)
    try:
        budget = query_budget_ms() if budget_ms == "env" else budget_ms
        return _search(snap, q, region, year, kind, page, per_page, started, budget,
                       exact=exact, plain=plain, order=Order(sort, group, doc, doc_type, issuer))
    except Exception as err:
        damaged = damage_in(index, snap.gen, err)  # a read error, or what the checksums explain
        if damaged is None:
            raise
        raise damaged from err
    finally:
        if owned:
            snap.close()


@dataclass(frozen=True)
class Order:
    """How the matches are listed: sorted, grouped per document, limited to one document."""

    sort: str = "relevance"
    group: bool = False
    doc: str | None = None
    doc_type: str | None = None
    issuer: str | None = None


def _search(snap: Snapshot, q, region, year, kind, page, per_page, started,
            budget: float | None, exact: bool = False, plain: bool = False,
            order: Order = Order()) -> SearchResult:
    with query_dictionary(snap.words.cut):
        filters = F.parse_filters(snap, region, year)
        parsed = parse_query(q)
        built = build_query(parsed, None if exact or plain else snap.words, plain=plain)
    scorer = snap.scorer()
    scorer.start(None if budget is None else budget - (time.perf_counter() - started) * 1000)
    scored = scorer.scores(built.query)
    kind_ok = _kind_filter(snap, kind, order.doc)
    ok, facet_counts = F.count(snap, scored.ids, filters)
    in_docs, doc_facets = _document_facets(snap, scored, ok & kind_ok(scored.ids), order)
    if not in_docs.all():  # a type or issuer filter: region and year facets count within it
        scored = _masked(scored, in_docs)
        ok, facet_counts = F.count(snap, scored.ids, filters)
    matched = _masked(scored, ok & kind_ok(scored.ids))
    notes = list(parsed.notes)
    missing: dict[int, list[str]] = {}
    suggestions: list[dict] = []
    if not len(matched) and len(parsed.typed) > 1 and not (plain or exact):
        matched, missing, facet_counts, note = _most_terms(snap, scorer, parsed, built,
                                                           filters, kind_ok)
        notes += [note] if note else []
        suggestions = _place_suggestions(snap, parsed, missing)
    notes += _widening_notes(scorer, built, matched)

    offset = (page - 1) * per_page
    hits: list[Hit] = []
    total = len(matched)
    more: dict[int, int] = {}
    if order.group:
        ranked, more = _per_document(snap, matched, order.sort)
        total = len(ranked)
    elif order.sort != "relevance":
        ranked = _by_year(snap, matched, order.sort, offset + per_page)
    elif len(matched) and offset < len(matched):
        ranked = _top(snap, matched, offset + per_page) if scorer.over() or plain else \
            _ranked(snap, scorer, matched, parsed, built, offset + per_page)
    else:
        ranked = []
    terms = highlight_terms(parsed)
    for r in ranked[offset : offset + per_page]:
        hit = _hit(snap, r, terms)
        hit.missing = missing.get(r.docnum, [])
        hit.more_in_document = more.get(r.docnum, 0)
        hits.append(hit)
    return SearchResult(
        query=q,
        total=total,
        units=len(matched),
        order={"sort": order.sort, "group": order.group, "doc": order.doc,
               "type": order.doc_type, "issuer": order.issuer},
        region_suggestions=suggestions,
        took_ms=(time.perf_counter() - started) * 1000,
        page=page,
        per_page=per_page,
        hits=hits,
        facets=F.present(snap, facet_counts, filters) | doc_facets,
        notes=notes + ([PARTIAL_NOTE] if scorer.partial else []),
        filters=filters.describe(),
        partial=scorer.partial,
    )


ISSUER_FACET_SIZE = 30


def _document_facets(snap: Snapshot, scored: Scored, base: np.ndarray, order: Order):
    """Which of ``scored`` pass the type and issuer filters, and the type and issuer facets
    (each ignoring its own filter) over the units that pass all others (``base``)."""
    types, issuers = snap.doc_types.unit_codes(snap), snap.issuers.unit_codes(snap)
    t_ok = np.ones(len(scored), bool) if order.doc_type is None else \
        types[scored.ids] == snap.doc_types.code(order.doc_type)
    i_code = None if order.issuer is None else snap.issuers.code(order.issuer)
    i_ok = np.ones(len(scored), bool) if order.issuer is None else \
        (issuers[scored.ids] == i_code if i_code is not None else np.zeros(len(scored), bool))
    facets = {
        "type": doc_types.counts(types[scored.ids[base & i_ok]], snap.doc_types.labels),
        "issuer": doc_types.counts(issuers[scored.ids[base & t_ok]], snap.issuers.labels,
                                   ISSUER_FACET_SIZE),
    }
    return t_ok & i_ok, facets


def _kind_filter(snap: Snapshot, kind: str | None, doc: str | None = None):
    """A function giving, for unit ids, whether they are of the asked kind (and document)."""
    arrays = snap.arrays
    doc_index = None
    if doc is not None:
        try:
            doc_index = arrays.doc_ids.index(doc)
        except ValueError:
            raise ValueError(f"doc: no document {doc[:80]!r} in the index") from None
    code = arrays.kind_code(kind) if kind is not None else None

    def ok(ids: np.ndarray) -> np.ndarray:
        mask = np.ones(len(ids), bool)
        if kind is not None:
            mask &= arrays.kind[ids] == code if code is not None else False
        if doc_index is not None:
            mask &= arrays.doc[ids] == doc_index
        return mask
    return ok


def _unit_years(snap: Snapshot, ids: np.ndarray) -> np.ndarray:
    return np.asarray(snap.arrays.group_year, np.int64)[snap.arrays.group[ids]]


def _date_order(snap: Snapshot, matched: Scored, sort: str) -> np.ndarray:
    """Positions in ``matched``: by score (relevance), or by the document's year (newest or
    oldest first; units without a year last), then score, then index order."""
    if sort == "relevance":
        return np.lexsort((matched.ids, -matched.scores))
    year = _unit_years(snap, matched.ids)
    key = -year if sort == "newest" else np.where(year > 0, year, 10**6)
    return np.lexsort((matched.ids, -matched.scores, key))


def _matches(snap: Snapshot, matched: Scored, positions: np.ndarray) -> list[Match]:
    arrays = snap.arrays
    ids = matched.ids[positions]
    return [Match(int(d), float(sc), arrays.doc_ids[doc], int(o)) for d, sc, doc, o in
            zip(ids, matched.scores[positions], arrays.doc[ids], arrays.ordinal[ids],
                strict=True)]


def _by_year(snap: Snapshot, matched: Scored, sort: str, limit: int) -> list[Match]:
    return _matches(snap, matched, _date_order(snap, matched, sort)[:limit])


def _per_document(snap: Snapshot, matched: Scored, sort: str) -> tuple[list[Match], dict]:
    """One hit per document, its best unit, in ``sort`` order; and per hit how many more
    matching units its document has. (The re-ranking of the first hundred units applies to
    the ungrouped list only.)"""
    if not len(matched):
        return [], {}
    order = _date_order(snap, matched, sort)
    docs = snap.arrays.doc[matched.ids[order]]
    _, first = np.unique(docs, return_index=True)
    best = order[np.sort(first)]
    counts = np.bincount(snap.arrays.doc[matched.ids], minlength=len(snap.arrays.doc_ids))
    reps = _matches(snap, matched, best)
    more = {m.docnum: int(counts[snap.arrays.doc[m.docnum]]) - 1 for m in reps}
    return reps, more


def _most_terms(snap, scorer, parsed, built, filters, kind_ok):
    """No unit has every term: the units with the most of them (a web search's "Missing:"),
    ranked by their summed scores, each with the terms it lacks."""
    size = snap.arrays.size
    count = np.zeros(size, np.int32)
    total = np.zeros(size)
    parts = []
    for _label, groups in parsed.typed:  # a typed term is there when all its groups are
        p = scorer.scores(wq.And([built.groups[g] for g in groups]) if len(groups) > 1
                          else built.groups[groups[0]])
        parts.append(p)
        count[p.ids] += 1
        total[p.ids] += p.scores
    ids = np.flatnonzero(count)
    ok, _ = F.count(snap, ids, filters)
    ids = ids[ok & kind_ok(ids)]
    if not len(ids):
        return NOTHING, {}, F.count(snap, ids, filters)[1], None
    best = count[ids].max()
    ids = ids[count[ids] == best]
    _, facet_counts = F.count(snap, ids, filters)
    matched = Scored(ids, total[ids])
    labels = [label for label, _groups in parsed.typed]
    has = [member(ids, p.ids) for p in parts]
    missing = {int(d): [labels[k] for k in range(len(parts)) if not has[k][i]]
               for i, d in enumerate(ids.tolist())}
    note = MOST_TERMS_NOTE % {"count": f"{len(ids):,}", "best": best, "n": len(parts)}
    return matched, missing, facet_counts, note


def _place_suggestions(snap: Snapshot, parsed, missing: dict[int, list[str]]) -> list[dict]:
    """For each place in a term the partial hits lack: the region filter that would look for
    it among the units about that place (a one-click filter on the page)."""
    lacking = dict.fromkeys(t for terms in missing.values() for t in terms)
    groups = {label: g for label, g in parsed.typed}
    out: list[dict] = []
    for label in lacking:
        for g in groups.get(label, []):
            for c in parsed.groups[g]:
                for path in snap.words.places(c.parts.text):
                    if not any(o["region"] == path for o in out):
                        out.append({"term": c.text, "region": path})
    return out


def _widening_notes(scorer, built, matched: Scored) -> list[str]:
    """Per clause widened (document context, abbreviation), how many results matched it only
    that way."""
    notes: list[str] = []
    done: set[str] = set()
    for w in built.widened:
        if w.clause in done or not len(matched):
            continue
        done.add(w.clause)
        clause = scorer.scores(built.groups[w.group], matched.ids)  # all, partial or not
        own = scorer.scores(w.own, clause.ids)
        count = len(clause) - len(own)
        if count > 0:
            kinds = [x for x in built.widened if x.clause == w.clause]
            notes.append(describe_all(kinds, count))
    return notes


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
    return _matches(snap, matched, top(matched, limit))


def _ranked(snap: Snapshot, scorer, matched: Scored, parsed, built, needed: int) -> list:
    """BM25F order, with the first RERANK_WINDOW hits re-ordered: units containing a clause
    exactly (``2016—2020年`` as typed, not its parts scattered) first, then by their score
    raised by how close the clauses stand (``proximity.py``). The window is fixed, so every
    page is cut from the same order. "Exactly" is the clause's bigram phrase, evaluated on
    the window's units only: no text is read; a clause widened by document context counts
    where the context matches it (湖北 for a paragraph of Hubei's report).
    """
    hits = _top(snap, matched, max(needed, RERANK_WINDOW))
    head = hits[:RERANK_WINDOW]
    if not head:
        return hits
    ids = np.array(sorted({h.docnum for h in head}), np.int64)
    exact = np.zeros(len(ids), np.int32)
    mixed = []  # clauses of several runs (12740萬元): their runs must also be adjacent
    widened = {(w.group, w.clause): w for w in built.widened if w.kind != "abbreviation"}
    for g, group in enumerate(parsed.groups):
        for c in group:
            single = len(c.parts.han_runs) + len(c.parts.alnums) == 1
            here = member(ids, scorer.scores(exact_query(c.parts), ids).ids) if single \
                else None
            w = widened.get((g, c.parts.text))
            if w is not None:  # present as typed, or matched by its document's context only
                own = member(ids, scorer.scores(w.own, ids).ids)
                context = member(ids, scorer.scores(built.groups[g], ids).ids) & ~own
                here = context if here is None else here | context
            if here is not None:
                exact += here
            if not single and c.parts.text.strip():
                mixed.append(re.sub(r"\s+", "", c.parts.text))
    count = dict(zip(ids.tolist(), exact.tolist(), strict=True))
    if mixed:
        for h, text in zip(head, _texts(snap, head), strict=True):
            count[h.docnum] += sum(1 for c in mixed if c in text)
    near = _closeness(scorer, ids, head, parsed)
    order = sorted(range(len(head)), key=lambda i: (-count[head[i].docnum],
                                                    -head[i].score * (1 + PROXIMITY * near[i]),
                                                    i))
    return [head[i] for i in order] + hits[RERANK_WINDOW:]


def _texts(snap: Snapshot, head: list[Match]) -> list[str]:
    """The prepared search texts (lead, table caption, text) of ranked units."""
    rows = unit_rows(snap.db(), [(h.doc_id, h.ordinal) for h in head])
    return [prepare(" ".join(x for x in (row["lead"], row["tbl"], row["text"]) if x))
            if row is not None else ""
            for row in (rows.get((h.doc_id, h.ordinal)) for h in head)]


def _closeness(scorer, ids: np.ndarray, head: list[Match], parsed) -> list[float]:
    """proximity.closeness of each ranked unit (``ids``: theirs, ascending), for the clauses
    that have a bigram-field anchor (their first Han run of two or more characters, or their
    first letter/digit run)."""
    anchors = []
    for c in parsed.positive:
        runs = [r for r in c.parts.han_runs if len(r) >= 2]
        if runs:
            anchors.append((runs[0][:2], len(c.parts.text)))
        elif c.parts.alnums:
            anchors.append((c.parts.alnums[0], len(c.parts.text)))
    if len(anchors) < 2:
        return [0.0] * len(head)
    value = closeness(scorer, ids, anchors)
    at = {int(d): float(v) for d, v in zip(ids, value, strict=True)}
    return [at[h.docnum] for h in head]


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
    return Hit(
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
        table=row["tbl"] or None,
        cells=cells,
        **provenance(doc["meta"] if doc else None, row["doc_id"]),
    )


__all__ = ["search", "SearchResult", "Hit", "QueryError", "Engine"]
