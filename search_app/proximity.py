"""How close a query's terms stand in a unit: adjacent is best, within a sentence good, across
a long paragraph no better than BM25 says.

BM25 scores each term on its own, so a long paragraph where the words lie far apart can
outrank a short one where they stand together. Each clause is anchored by its first index
term in the bigram field (one position per character); for every occurrence of the first
clause, the nearest occurrence of each other clause in the same unit is found with
``searchsorted`` on (unit, position) keys, and a unit's span is its smallest such spread.
"""

from __future__ import annotations

import numpy as np

from search_app.scoring import POS_BITS, Scorer, member

WINDOW = 40  # characters: about a sentence; a spread this much beyond adjacent counts nothing


def closeness(scorer: Scorer, ids: np.ndarray, anchors: list[tuple[str, int]]) -> np.ndarray:
    """For each unit in ``ids`` (ascending), 1 where the clauses stand together, falling to
    0 at WINDOW characters apart; 0 when a clause is not in its text. ``anchors``: per
    clause, its first bigram-field term and its length in characters."""
    out = np.zeros(len(ids))
    if len(anchors) < 2 or not len(ids):
        return out
    keys = []
    for term, _length in anchors:
        p = scorer.term_postings("bigrams", term, positions=True)
        if p is None or not len(p):
            return out
        p = p.restrict(member(p.ids, ids))
        keys.append((np.repeat(p.ids, p.counts) << POS_BITS) + p.positions)
    first = keys[0]
    if not len(first):
        return out
    unit = first >> POS_BITS
    spread = np.zeros(len(first))
    for other in keys[1:]:
        if not len(other):
            return out
        at = np.searchsorted(other, first)
        left = other[np.maximum(at - 1, 0)]
        right = other[np.minimum(at, len(other) - 1)]
        d_left = np.where((left >> POS_BITS) == unit, np.abs(first - left), np.inf)
        d_right = np.where((right >> POS_BITS) == unit, np.abs(right - first), np.inf)
        spread = np.maximum(spread, np.minimum(d_left, d_right))
    starts = np.flatnonzero(np.concatenate(([True], unit[1:] != unit[:-1])))
    best = np.minimum.reduceat(spread, starts)
    adjacent = max(length for _term, length in anchors)
    value = np.clip(1 - np.maximum(best - adjacent, 0) / WINDOW, 0, 1)
    value[~np.isfinite(best)] = 0
    out[np.searchsorted(ids, unit[starts])] = value
    return out


__all__ = ["closeness", "WINDOW"]
