"""Posting lists as numpy arrays, read straight from Whoosh's files, cached per generation.

Walking Whoosh's matchers costs a Python call per posting; a common word has a posting in most
units. Here each segment's ``packed_terms.PackedTermsReader`` gives a term's postings as
little-endian arrays (``numpy.frombuffer``), made into global document numbers, weights and,
when a phrase asks, positions. Deleted units are dropped with the generation's live mask.
Decoded lists are kept in a bounded cache (LRU by bytes) that lives and dies with the
generation.

This module, ``indexer/codec.py`` and ``indexer/packed_terms.py`` are the only places that
touch Whoosh internals; every one is named in ``WHOOSH_INTERNALS`` and checked by
``tests/test_whoosh_seam.py``.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from indexer.codec import positions_arrays

DEFAULT_CACHE_MB = 128
_EMPTY = np.zeros(0, np.int64)

# (object, attribute) pairs of Whoosh we rely on; the seam test fails naming the one that moved
WHOOSH_INTERNALS = (
    ("whoosh.reading.SegmentReader", "_terms"),
    # indexer/codec.py and indexer/packed_terms.py: the codec's seams, the unit arrays' sidecar
    ("whoosh.codec.whoosh3.W3Codec", "field_writer"),
    ("whoosh.codec.whoosh3.W3Codec", "terms_reader"),
    ("whoosh.codec.base.TermsReader", "matcher"),
    ("whoosh.codec.base.FieldCursor", "find"),
    ("whoosh.reading.TermInfo", "_minlength"),
    ("whoosh.reading.TermInfo", "_maxlength"),
    ("whoosh.util.numeric", "_length_byte_cache"),
    ("whoosh.writing.SegmentWriter", "newsegment"),
    ("whoosh.writing.SegmentWriter", "fieldwriter"),
    ("whoosh.writing", "NO_MERGE"),
)


def cache_mb() -> float:
    """The posting cache's size: ``POLICY_SEARCH_CACHE_MB`` or the default."""
    try:
        return max(0.0, float(os.environ.get("POLICY_SEARCH_CACHE_MB", DEFAULT_CACHE_MB)))
    except ValueError:
        return DEFAULT_CACHE_MB


@dataclass(frozen=True)
class Postings:
    """One term's postings over the whole generation, live units only."""

    ids: np.ndarray  # int64 global document numbers, ascending
    weights: np.ndarray  # float64: term frequency times field boost
    counts: np.ndarray | None = None  # positions per posting (when asked for)
    positions: np.ndarray | None = None  # int64, every posting's positions in turn

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.ids, self.weights, self.counts, self.positions)
                   if a is not None)

    def __len__(self) -> int:
        return len(self.ids)

    def restrict(self, mask: np.ndarray) -> Postings:
        """The postings where ``mask`` is true (positions follow their postings)."""
        if self.positions is None:
            return Postings(self.ids[mask], self.weights[mask])
        return Postings(self.ids[mask], self.weights[mask], self.counts[mask],
                        self.positions[np.repeat(mask, self.counts)])


EMPTY = Postings(_EMPTY, np.zeros(0))


class PostingCache:
    """Decoded posting lists of one generation, least recently used dropped first."""

    def __init__(self, limit_mb: float | None = None):
        self.limit = int((cache_mb() if limit_mb is None else limit_mb) * 1024 * 1024)
        self._items: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value: Postings) -> None:
        size = value.nbytes + 200
        if size > self.limit:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._bytes += size
            while self._bytes > self.limit:
                _, old = self._items.popitem(last=False)
                self._bytes -= old.nbytes + 200

    @property
    def nbytes(self) -> int:
        return self._bytes


class PostingReader:
    """Reads postings through one searcher's segment readers (one per thread: Whoosh's files
    are read with seek + read) into the generation's shared cache."""

    def __init__(self, searcher, live: np.ndarray, cache: PostingCache):
        self.leaves = searcher.leaf_searchers()
        self.live = live
        self.cache = cache
        self.all_live = bool(live.all()) if len(live) else True

    def get(self, fieldname: str, btext: bytes, positions: bool = False) -> Postings:
        key = (fieldname, btext, positions)
        found = self.cache.get(key)
        if found is None:
            found = self._read(fieldname, btext, positions)
            self.cache.put(key, found)
        return found

    def _read(self, fieldname: str, btext: bytes, positions: bool) -> Postings:
        parts = []
        for sub, offset in self.leaves:
            part = sub.reader()._terms.arrays(fieldname, btext, positions)
            if part is not None:
                parts.append((part, offset))
        if not parts:
            return EMPTY
        ids = np.concatenate([p.ids + off for p, off in parts])
        weights = np.concatenate([p.weights for p, _ in parts]).astype(np.float64)
        counts = pos = None
        if positions:
            if any(p.vlens is None for p, _ in parts):
                raise ValueError(f"{fieldname} has no positions")
            counts, pos = positions_arrays(np.concatenate([p.vlens for p, _ in parts]),
                                           np.concatenate([p.values for p, _ in parts]))
        out = Postings(ids, weights, counts, pos)
        if not self.all_live:
            keep = self.live[ids]
            if not keep.all():
                out = out.restrict(keep)
        return out


__all__ = ["Postings", "PostingReader", "PostingCache", "EMPTY", "WHOOSH_INTERNALS"]
