"""Score every matching unit of a query in one bulk pass over whole posting lists.

Whoosh walks a query as a tree of matchers, one Python call per posting per node: on a
common word at 100k units that is a million calls, and it was most of a query's time. Our
queries are built from a few shapes (terms, bigram phrases, one-character prefixes, and/or/
and-maybe/and-not), so here each shape is evaluated as a whole: a term's posting list is
decoded block by block into arrays and scored with BM25F in one comprehension, compounds
become dictionary operations. Scores equal Whoosh's own (``tests/test_evaluate.py`` checks
it against ``Searcher.search``); a query of any other shape falls back to Whoosh's matchers.
"""

from __future__ import annotations

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching import wrappers
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length, length_to_byte

Scores = dict[int, float]  # global document number -> score


class Evaluator:
    """Evaluates queries against one searcher; caches field lengths per searcher."""

    def __init__(self, searcher, lengths: dict):
        self.searcher = searcher
        self.leaves = searcher.leaf_searchers()
        self.weighting = searcher.weighting
        self._lengths = lengths  # (segment index, field) -> BM25 norms, shared per snapshot

    def scores(self, q: wq.Query) -> Scores:
        method = getattr(self, "_" + type(q).__name__, None)
        if method is None or not isinstance(self.weighting, BM25F):
            return self._whoosh(q)
        return method(q)

    # ---- leaves ---------------------------------------------------------------------------

    def _Term(self, q: wq.Term) -> Scores:
        btext = self._btext(q.fieldname, q.text)
        if btext is None:
            return {}
        return self._term_scores(q.fieldname, btext, q.boost, self._postings(q.fieldname, btext))

    def _term_scores(self, fieldname: str, btext: bytes, boost: float, postings,
                     only: set[int] | None = None) -> Scores:
        """BM25F of every posting (of those in ``only``, if given), as Whoosh's BM25FScorer
        computes it one at a time."""
        if only is not None:
            postings = _restricted(postings, only, self.leaves)
        out: Scores = {}
        if not self.searcher.schema[fieldname].scorable:
            for i, ids, _weights, _values in postings:
                offset = self.leaves[i][1]
                out.update(dict.fromkeys([d + offset for d in ids], boost))
            return out
        idf = self.searcher.idf(fieldname, btext)
        scale = idf * (self.weighting.K1 + 1) * boost
        for i, ids, weights, _values in postings:
            norm = self._norms(i, fieldname)
            offset = self.leaves[i][1]
            out.update(zip([d + offset for d in ids],
                           [scale * w / (w + norm[d]) for d, w in zip(ids, weights, strict=True)],
                           strict=True))
        return out

    def _Phrase(self, q: wq.Phrase, within: Scores | None = None) -> Scores:
        """Consecutive terms (slop 1): scored as Whoosh does, the sum of the terms' scores.
        With ``within``, only those documents are looked at (an optional boost)."""
        if q.slop != 1 or len(q.words) < 2:
            return self._restrict(self._whoosh(q), within)
        btexts = [self._btext(q.fieldname, w) for w in q.words]
        if any(b is None for b in btexts):
            return {}
        postings = [list(self._postings(q.fieldname, b, values=True)) for b in btexts]
        idsets = [_global_ids(p, self.leaves) for p in postings]
        if within is not None:
            idsets.append(set(within))
        candidates = set.intersection(*sorted(idsets, key=len))
        if not candidates:
            return {}
        decode = self.searcher.schema[q.fieldname].format.decode_positions
        positions = [_positions(p, candidates, self.leaves, decode) for p in postings]
        matched = []
        for d in candidates:
            starts = set(positions[0][d])
            for k in range(1, len(positions)):
                starts &= {p - k for p in positions[k][d]}
                if not starts:
                    break
            if starts:
                matched.append(d)
        if not matched:
            return {}
        only = set(matched)
        terms = [self._term_scores(q.fieldname, b, 1.0, p, only)
                 for b, p in zip(btexts, postings, strict=True)]
        return {d: sum(t[d] for t in terms) * q.boost for d in matched}

    def _within(self, q: wq.Query, docs: Scores) -> Scores:
        """Scores of ``q`` for the given documents only: what an optional part can add."""
        if type(q) in (wq.Or, wq.Phrase) and isinstance(self.weighting, BM25F):
            return getattr(self, "_" + type(q).__name__)(q, docs)
        return self._restrict(self.scores(q), docs)

    @staticmethod
    def _restrict(scores: Scores, within: Scores | None) -> Scores:
        if within is None:
            return scores
        return {d: v for d, v in scores.items() if d in within}

    def _ConstantScoreQuery(self, q: wq.ConstantScoreQuery) -> Scores:
        child = q.child
        if isinstance(child, wq.Prefix):
            reader = self.searcher.reader()
            field = child.fieldname
            ids: set[int] = set()
            for btext in child._btexts(reader):
                ids.update(self._ids(field, btext))
            return dict.fromkeys(ids, q.score)
        return dict.fromkeys(self.scores(child), q.score)

    # ---- compounds ------------------------------------------------------------------------

    def _And(self, q: wq.And) -> Scores:
        parts = sorted((self.scores(s) for s in q.subqueries), key=len)
        if not parts or not parts[0]:
            return {}
        out = dict(parts[0])
        for p in parts[1:]:
            out = {d: s + p[d] for d, s in out.items() if d in p}
            if not out:
                return out
        return _boosted(out, q.boost)

    def _Or(self, q: wq.Or, within: Scores | None = None) -> Scores:
        """The sum of the parts' scores; with ``within``, for those documents only."""
        if q.minmatch or q.scale:
            return self._restrict(self._whoosh(q), within)
        parts = sorted((self.scores(s) if within is None else self._within(s, within)
                        for s in q.subqueries), key=len, reverse=True)
        out = dict(parts[0]) if parts else {}
        for p in parts[1:]:
            get = out.get
            out.update({d: get(d, 0.0) + v for d, v in p.items()})
        return _boosted(out, q.boost)

    def _AndMaybe(self, q: wq.AndMaybe) -> Scores:
        required = self.scores(q.a)
        if not required:
            return required
        optional = self._within(q.b, required)
        out = {d: s + optional.get(d, 0.0) for d, s in required.items()}
        return _boosted(out, q.boost)

    def _AndNot(self, q: wq.AndNot) -> Scores:
        positive = self.scores(q.a)
        if not positive:
            return positive
        negative = self.scores(q.b)
        out = {d: s for d, s in positive.items() if d not in negative}
        return _boosted(out, q.boost)

    # ---- postings -------------------------------------------------------------------------

    def _btext(self, fieldname: str, text) -> bytes | None:
        if fieldname not in self.searcher.schema:
            return None
        try:
            return self.searcher.schema[fieldname].to_bytes(text)
        except ValueError:
            return None

    def _postings(self, fieldname: str, btext: bytes, values: bool = False):
        """Per segment holding the term: (segment index, local ids, weights, encoded values
        or None), deleted documents left out."""
        for i, (sub, _offset) in enumerate(self.leaves):
            reader = sub.reader()
            if (fieldname, btext) not in reader:
                continue
            m = reader.postings(fieldname, btext)
            deleted = None
            if isinstance(m, wrappers.FilterMatcher):
                deleted, m = m._ids, m.child
            ids, weights, vals = _drain(m, values)
            if deleted:
                keep = [j for j, d in enumerate(ids) if d not in deleted]
                ids, weights = [ids[j] for j in keep], [weights[j] for j in keep]
                vals = [vals[j] for j in keep] if vals is not None else None
            yield i, ids, weights, vals

    def _ids(self, fieldname: str, btext: bytes) -> list[int]:
        out: list[int] = []
        for i, ids, _w, _v in self._postings(fieldname, btext):
            offset = self.leaves[i][1]
            out.extend(d + offset for d in ids)
        return out

    def _norms(self, leaf: int, fieldname: str) -> list[float]:
        """BM25's length normalisation ``K1 * (1 - B + B * length / average)`` of every
        document of a segment, computed once per snapshot and field."""
        key = (leaf, fieldname)
        norms = self._lengths.get(key)
        if norms is None:
            reader = self.leaves[leaf][0].reader()
            avgfl = self.searcher.avg_field_length(fieldname) or 1
            b = self.weighting._field_B.get(fieldname, self.weighting.B)
            k1 = self.weighting.K1
            # lengths are stored as one byte each: a table of the 256 norms, then a lookup
            table = [k1 * ((1 - b) + b * byte_to_length(x) / avgfl) for x in range(256)]
            norms = [table[x] for x in _length_bytes(reader, fieldname)]
            self._lengths[key] = norms
        return norms

    # ---- fallback -------------------------------------------------------------------------

    def _whoosh(self, q: wq.Query) -> Scores:
        """Whoosh's own matchers, for shapes this module does not know."""
        context = self.searcher.context()
        out: Scores = {}
        for sub, offset in self.leaves:
            m = q.matcher(sub, context)
            steps = 0
            while m.is_active():
                out[m.id() + offset] = m.score()
                m.next()
                steps += 1
                if steps % 64 == 0:  # drop exhausted branches of the matcher tree
                    m = m.replace(0)
        return out


def _boosted(scores: Scores, boost: float) -> Scores:
    if boost == 1.0:
        return scores
    return {d: s * boost for d, s in scores.items()}


def _drain(m, values: bool = False) -> tuple[list[int], list[float], list | None]:
    """All ids, weights (and encoded values) of a leaf matcher, a block at a time where the
    format allows."""
    ids: list[int] = []
    weights: list[float] = []
    vals: list | None = [] if values else None
    if isinstance(m, W3LeafMatcher):
        while m.is_active():
            m._read_ids()
            m._read_weights()
            ids.extend(m._ids[m._i:])
            weights.extend(m._weights[m._i:])
            if vals is not None:
                m._read_values()
                vals.extend(m._values[m._i:])
            m._next_block()
        return ids, weights, vals
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        if vals is not None:
            vals.append(m.value())
        m.next()
    return ids, weights, vals


def _length_bytes(reader, fieldname: str) -> list[int]:
    """The stored length byte of every document for a field (0: the field is empty)."""
    try:
        column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    except AttributeError:  # not a Whoosh 3 segment: ask document by document
        column = None
    if column is not None:
        return list(column)
    return [length_to_byte(reader.doc_field_length(d, fieldname, 0) or 0)
            for d in range(reader.doc_count_all())]


def _global_ids(postings, leaves) -> set[int]:
    out: set[int] = set()
    for i, ids, _weights, _vals in postings:
        offset = leaves[i][1]
        out.update(ids if offset == 0 else [d + offset for d in ids])
    return out


def _restricted(postings, only: set[int], leaves):
    """The postings of the documents in ``only`` (global numbers)."""
    for i, ids, weights, _vals in postings:
        offset = leaves[i][1]
        keep = [j for j, d in enumerate(ids) if d + offset in only]
        yield i, [ids[j] for j in keep], [weights[j] for j in keep], None


def _positions(postings, wanted: set[int], leaves, decode) -> dict[int, list[int]]:
    """Decoded positions of a term in the wanted (global) documents only."""
    out: dict[int, list[int]] = {}
    for i, ids, _weights, vals in postings:
        offset = leaves[i][1]
        for d, v in zip(ids, vals, strict=True):
            if d + offset in wanted:
                out[d + offset] = decode(v)
    return out


__all__ = ["Evaluator", "Scores"]
