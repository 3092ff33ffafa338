"""Score every matching unit of a query with array operations over whole posting lists.

Our queries are built from a few shapes (``query.to_whoosh``): terms, bigram phrases, a
one-character term scored as a constant, and/or/and-maybe/and-not, boosts. Each shape is a
function here, found through ``EVALUATORS`` (type -> function), that turns posting arrays
(``postings.py``) into a ``Scored``: ascending global document numbers and their BM25F scores.
AND is an intersection of sorted arrays, OR a union with summed scores, NOT a mask, a phrase a
join on (unit, position) keys. No Python runs per posting.

Scores equal Whoosh's own BM25F (``tests/test_scoring.py`` compares them with
``Searcher.search`` over a broad query mix); a shape not listed falls back to Whoosh's
matchers.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from search_app.postings import PostingReader, Postings

POS_BITS = 32  # a (unit, position) key is unit << 32 | position (also proximity.py)


@dataclass(frozen=True)
class Scored:
    """Matching units (ascending global document numbers) and their scores."""

    ids: np.ndarray  # int64
    scores: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.ids)

    def boosted(self, boost: float) -> Scored:
        return self if boost == 1.0 else Scored(self.ids, self.scores * boost)

    def within(self, ids: np.ndarray | None) -> Scored:
        if ids is None:
            return self
        mask = member(self.ids, ids)
        return Scored(self.ids[mask], self.scores[mask])


def member(ids: np.ndarray, of: np.ndarray) -> np.ndarray:
    """Which of ``ids`` are in ``of`` (both ascending unique document numbers): a lookup
    table over the id range, linear in the sizes, instead of a sort."""
    if not len(ids) or not len(of):
        return np.zeros(len(ids), bool)
    return np.isin(ids, of, assume_unique=True, kind="table")


def intersect(a: Scored, b: Scored) -> Scored:
    """Units in both, with the sum of their scores (ascending ids on both sides, so the two
    masks select the same units in the same order)."""
    ma, mb = member(a.ids, b.ids), member(b.ids, a.ids)
    return Scored(a.ids[ma], a.scores[ma] + b.scores[mb])


NOTHING = Scored(np.zeros(0, np.int64), np.zeros(0))


class Scorer:
    """Evaluates queries for one searcher (one thread) against one generation's arrays."""

    def __init__(self, searcher, postings: PostingReader, lengths: dict[str, np.ndarray],
                 norms: dict):
        self.searcher = searcher
        self.postings = postings
        self.weighting = searcher.weighting
        self._lengths = lengths  # field -> uint8 length byte per unit
        self._norms = norms  # field -> BM25 length norm per unit, shared per generation
        self.deadline = math.inf  # perf_counter() time after which optional work is skipped
        self.partial = False  # set when something was skipped for the deadline

    def start(self, budget_ms: float | None) -> None:
        """Begin a query with a time budget (None: no limit)."""
        self.deadline = math.inf if budget_ms is None else \
            time.perf_counter() + budget_ms / 1000
        self.partial = False

    def over(self) -> bool:
        """Past the deadline: the caller skips what it can leave out, and the answer says
        it is partial."""
        if time.perf_counter() > self.deadline:
            self.partial = True
            return True
        return False

    def scores(self, q: wq.Query, within: np.ndarray | None = None) -> Scored:
        """The query's matches and scores; with ``within`` (ascending ids), only among those:
        what an optional part can add to units the required part found."""
        fn = EVALUATORS.get(type(q))
        if fn is None or not isinstance(self.weighting, BM25F):
            return _whoosh(self, q).within(within)
        return fn(self, q, within)

    # ---- helpers ----------------------------------------------------------------------------

    def btext(self, fieldname: str, text) -> bytes | None:
        if fieldname not in self.searcher.schema:
            return None
        try:
            return self.searcher.schema[fieldname].to_bytes(text)
        except ValueError:
            return None

    def term_postings(self, fieldname: str, text, positions: bool = False) -> Postings | None:
        btext = self.btext(fieldname, text)
        if btext is None:
            return None
        return self.postings.get(fieldname, btext, positions)

    def bm25(self, fieldname: str, text, p: Postings, boost: float) -> np.ndarray:
        """BM25F of every posting, as Whoosh's BM25FScorer computes it one at a time."""
        if not self.searcher.schema[fieldname].scorable:
            return np.full(len(p), float(boost))
        idf = self.searcher.idf(fieldname, self.btext(fieldname, text))
        scale = idf * (self.weighting.K1 + 1) * boost
        w = p.weights
        return scale * w / (w + self.norms(fieldname)[p.ids])

    def norms(self, fieldname: str) -> np.ndarray:
        """``K1 * (1 - B + B * length / average)`` of every unit for a field: a 256-entry
        table (lengths are stored as one byte) indexed by the length bytes."""
        norms = self._norms.get(fieldname)
        if norms is None:
            avgfl = self.searcher.avg_field_length(fieldname) or 1
            b = self.weighting._field_B.get(fieldname, self.weighting.B)
            k1 = self.weighting.K1
            table = np.array([k1 * ((1 - b) + b * byte_to_length(x) / avgfl)
                              for x in range(256)])
            norms = self._norms[fieldname] = table[self._lengths[fieldname]]
        return norms


# ---- leaves ---------------------------------------------------------------------------------


def _restrict(p: Postings, within: np.ndarray | None) -> Postings:
    if within is None:
        return p
    return p.restrict(member(p.ids, within))


def _term(s: Scorer, q: wq.Term, within) -> Scored:
    p = s.term_postings(q.fieldname, q.text)
    if p is None or not len(p):
        return NOTHING
    p = _restrict(p, within)
    return Scored(p.ids, s.bm25(q.fieldname, q.text, p, q.boost))


def _prefix(s: Scorer, q: wq.Prefix, within) -> Scored:
    """Every term starting with the prefix (a region path and the places below it): the
    union of their postings, each scored as a term."""
    terms: dict[bytes, None] = {}
    for sub, _offset in s.searcher.leaf_searchers():
        terms.update(dict.fromkeys(sub.reader().expand_prefix(q.fieldname, q.text)))
    parts = [_term(s, wq.Term(q.fieldname, t.decode("utf-8"), boost=q.boost), within)
             for t in terms]
    return union([p for p in parts if len(p)])


def _constant(s: Scorer, q: wq.ConstantScoreQuery, within) -> Scored:
    child = s.scores(q.child, within)
    return Scored(child.ids, np.full(len(child), float(q.score)))


def _phrase(s: Scorer, q: wq.Phrase, within) -> Scored:
    """Consecutive terms (slop 1), scored as Whoosh does: the sum of the terms' scores."""
    if q.slop != 1 or len(q.words) < 2:
        return _whoosh(s, q).within(within)
    lists = [s.term_postings(q.fieldname, w, positions=True) for w in q.words]
    if any(p is None or not len(p) for p in lists):
        return NOTHING
    candidates = within
    for p in sorted(lists, key=len):
        candidates = p.ids if candidates is None else candidates[member(candidates, p.ids)]
        if not len(candidates):
            return NOTHING
    lists = [p.restrict(member(p.ids, candidates)) for p in lists]
    starts = None
    for k, p in enumerate(lists):
        keys = (np.repeat(p.ids, p.counts) << POS_BITS) + p.positions - k
        if k:
            keys = keys[p.positions >= k]
        starts = keys if starts is None else np.intersect1d(starts, keys, assume_unique=True)
        if not len(starts):
            return NOTHING
    matched = np.unique(starts >> POS_BITS)
    total = np.zeros(len(matched))
    for word, p in zip(q.words, lists, strict=True):
        sub = p.restrict(member(p.ids, matched))
        total += s.bm25(q.fieldname, word, sub, 1.0)
    return Scored(matched, total * q.boost)


# ---- compounds ------------------------------------------------------------------------------


def _and(s: Scorer, q: wq.And, within) -> Scored:
    out = None
    # the rarest part first: each next part is looked at only where all before matched
    for sub in q.subqueries:
        part = s.scores(sub, within if out is None else out.ids)
        out = part if out is None else intersect(out, part)
        if not len(out):
            return NOTHING
    return (out or NOTHING).boosted(q.boost)


def _or(s: Scorer, q: wq.Or, within) -> Scored:
    """The sum of the parts' scores."""
    if q.minmatch or q.scale:
        return _whoosh(s, q).within(within)
    parts = []
    for i, sub in enumerate(q.subqueries):
        if i and s.over():  # out of time: the alternatives found so far
            break
        part = s.scores(sub, within)
        if len(part):
            parts.append(part)
    return union(parts).boosted(q.boost)


def union(parts: list[Scored]) -> Scored:
    """Every unit of any part, with the sum of its scores."""
    if not parts:
        return NOTHING
    if len(parts) == 1:
        return parts[0]
    size = int(max(p.ids[-1] for p in parts)) + 1
    total = sum(len(p) for p in parts)
    if total * 8 < size:  # few matches in a large index: merge by sorting
        ids = np.concatenate([p.ids for p in parts])
        uniq, inverse = np.unique(ids, return_inverse=True)
        scores = np.concatenate([p.scores for p in parts])
        return Scored(uniq, np.bincount(inverse, weights=scores, minlength=len(uniq)))
    # many: add into a dense array over the id range (ids are unique within each part)
    acc = np.zeros(size)
    hit = np.zeros(size, bool)
    for p in parts:
        acc[p.ids] += p.scores
        hit[p.ids] = True
    ids = np.flatnonzero(hit)
    return Scored(ids, acc[ids])


def _and_maybe(s: Scorer, q: wq.AndMaybe, within) -> Scored:
    required = s.scores(q.a, within)
    if not len(required) or s.over():  # out of time: unranked by the optional part
        return required.boosted(q.boost)
    optional = s.scores(q.b, required.ids)
    scores = required.scores.copy()
    if len(optional):
        idx = np.searchsorted(required.ids, optional.ids)
        scores[idx] += optional.scores
    return Scored(required.ids, scores).boosted(q.boost)


def _and_not(s: Scorer, q: wq.AndNot, within) -> Scored:
    positive = s.scores(q.a, within)
    if not len(positive):
        return NOTHING
    negative = s.scores(q.b, positive.ids)
    keep = ~member(positive.ids, negative.ids)
    return Scored(positive.ids[keep], positive.scores[keep]).boosted(q.boost)


EVALUATORS = {
    wq.Term: _term,
    wq.Prefix: _prefix,
    wq.ConstantScoreQuery: _constant,
    wq.Phrase: _phrase,
    wq.And: _and,
    wq.Or: _or,
    wq.AndMaybe: _and_maybe,
    wq.AndNot: _and_not,
}


# ---- fallback -------------------------------------------------------------------------------


def _whoosh(s: Scorer, q: wq.Query) -> Scored:
    """Whoosh's own matchers, for shapes this module does not know."""
    context = s.searcher.context()
    ids: list[int] = []
    scores: list[float] = []
    for sub, offset in s.searcher.leaf_searchers():
        m = q.matcher(sub, context)
        steps = 0
        while m.is_active():
            ids.append(m.id() + offset)
            scores.append(m.score())
            m.next()
            steps += 1
            if steps % 64 == 0:  # drop exhausted branches of the matcher tree
                m = m.replace(0)
    if not ids:
        return NOTHING
    order = np.argsort(ids, kind="stable")
    return Scored(np.asarray(ids, np.int64)[order], np.asarray(scores)[order])


def top(scored: Scored, limit: int) -> np.ndarray:
    """Positions in ``scored`` of the best ``limit``: higher score first, then index order (as
    Whoosh orders ties); only the best are sorted."""
    n = len(scored)
    if n == 0 or limit <= 0:
        return np.zeros(0, np.int64)
    sc = scored.scores
    if n > limit:
        part = np.argpartition(-sc, limit - 1)[:limit]
        threshold = sc[part].min()
        above = np.flatnonzero(sc > threshold)
        ties = np.flatnonzero(sc == threshold)[: limit - len(above)]
        chosen = np.concatenate([above, ties])
    else:
        chosen = np.arange(n)
    order = np.lexsort((scored.ids[chosen], -sc[chosen]))
    return chosen[order][:limit]


__all__ = ["Scorer", "Scored", "NOTHING", "EVALUATORS", "top", "union"]
