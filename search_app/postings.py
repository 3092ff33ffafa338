"""Posting lists as numpy arrays, read straight from Whoosh's files, cached per generation.

Walking Whoosh's matchers costs a Python call per posting; a common word has a posting in most
units. Here a term's postings are read extent by extent from the postings file and decoded
with ``numpy.frombuffer`` (the compact codec stores ids and weights as little-endian arrays)
into global document numbers, weights and, when a phrase asks, positions. Deleted units are
dropped with the generation's live mask. Decoded lists are kept in a bounded cache (LRU by
bytes) that lives and dies with the generation.

This module and ``indexer/codec.py`` are the only places that touch Whoosh internals; every
one is named in ``WHOOSH_INTERNALS`` and checked by ``tests/test_whoosh_seam.py``.
"""

from __future__ import annotations

import io
import os
import pickle
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.matching import wrappers
from whoosh.reading import TermNotFound

from indexer.codec import _MARK, block_arrays, positions_arrays
from indexer.integrity import Unreadable

DEFAULT_CACHE_MB = 128
_EMPTY = np.zeros(0, np.int64)

# (object, attribute) pairs of Whoosh we rely on; the seam test fails naming the one that moved
WHOOSH_INTERNALS = (
    ("whoosh.reading.SegmentReader", "term_info"),
    ("whoosh.reading.SegmentReader", "_terms"),
    ("whoosh.codec.whoosh3.W3TermsReader", "_postfile"),
    ("whoosh.codec.whoosh3.W3TermInfo", "is_inlined"),
    ("whoosh.codec.whoosh3.W3TermInfo", "inlined_postings"),
    ("whoosh.codec.whoosh3.W3TermInfo", "extent"),
    ("whoosh.codec.whoosh3", "WHOOSH3_HEADER_MAGIC"),
    ("whoosh.codec.whoosh3", "LENGTHS_COLUMN"),
    ("whoosh.codec.whoosh3", "_lenfield"),
    ("whoosh.codec.whoosh3.W3PerDocReader", "_cached_reader"),
    ("whoosh.codec.whoosh3.W3PostingsWriter", "_write_block"),
    ("whoosh.matching.wrappers.FilterMatcher", "child"),
    # indexer/codec.py: CompactTermInfo, CompactTermsReader, the unit arrays' sidecar
    ("whoosh.codec.whoosh3.W3TermInfo", "_struct"),
    ("whoosh.codec.whoosh3.W3TermInfo", "_inlined"),
    ("whoosh.codec.whoosh3.W3TermInfo", "_offset"),
    ("whoosh.codec.whoosh3.W3TermInfo", "_length"),
    ("whoosh.codec.whoosh3.W3TermsReader", "_tindex"),
    ("whoosh.codec.whoosh3.W3TermsReader", "_keycoder"),
    ("whoosh.codec.whoosh3.W3TermsReader", "_keydecoder"),
    ("whoosh.codec.whoosh3.W3FieldCursor", "_pos"),
    ("whoosh.codec.whoosh3.W3FieldCursor", "_datapos"),
    ("whoosh.codec.whoosh3.W3FieldCursor", "_datalen"),
    ("whoosh.codec.whoosh3.W3FieldCursor", "_tindex"),
    ("whoosh.codec.whoosh3.W3PostingsWriter", "start_postings"),
    ("whoosh.codec.whoosh3.W3PostingsWriter", "_inlinelimit"),
    ("whoosh.codec.whoosh3.W3FieldWriter", "_tindex"),
    ("whoosh.codec.whoosh3.W3FieldWriter", "_fieldid"),
    ("whoosh.writing.SegmentWriter", "newsegment"),
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
            reader = sub.reader()
            try:
                info = reader.term_info(fieldname, btext)
            except TermNotFound:
                continue
            if info.is_inlined():
                ids, weights, values = info.inlined_postings()
                part = _from_lists(ids, weights, values if positions else None,
                                   reader.schema[fieldname].format)
            else:
                part = _read_extent(reader, fieldname, btext, info, positions)
            parts.append((part, offset))
        if not parts:
            return EMPTY
        ids = np.concatenate([p.ids + off for p, off in parts])
        weights = np.concatenate([p.weights for p, _ in parts])
        counts = pos = None
        if positions:
            counts = np.concatenate([p.counts for p, _ in parts])
            pos = np.concatenate([p.positions for p, _ in parts])
        out = Postings(ids, weights, counts, pos)
        if not self.all_live:
            keep = self.live[ids]
            if not keep.all():
                out = out.restrict(keep)
        return out


def _from_lists(ids, weights, values, fmt) -> Postings:
    """Postings given as Python sequences (inlined in the term index, or Whoosh's own blocks)."""
    ids_a = np.asarray(ids, np.int64)
    w = np.asarray(weights, np.float64) if weights is not None else np.ones(len(ids_a))
    if values is None:
        return Postings(ids_a, w)
    plists = [fmt.decode_positions(v) for v in values]
    counts = np.array([len(p) for p in plists], np.int64)
    flat = np.fromiter((x for p in plists for x in p), np.int64, count=int(counts.sum()))
    return Postings(ids_a, w, counts, flat)


def _read_extent(reader, fieldname: str, btext: bytes, info, positions: bool) -> Postings:
    """All blocks of a term in one segment's postings file."""
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves the length as a 1-tuple
        (length,) = length
    postfile = reader._terms._postfile
    buf = postfile.get(offset, length)
    if buf[:4] != WHOOSH3_HEADER_MAGIC:
        raise Unreadable(f"postings of {fieldname}:{btext!r}: block tag error {buf[:4]!r}")
    view = io.BytesIO(buf)
    pos = 4
    ids, weights, vlens, blobs = [], [], [], []
    while pos < len(buf):
        size = int.from_bytes(buf[pos : pos + 4], "big", signed=True)
        last = size < 0
        size = abs(size)
        view.seek(pos + 4)
        block_info = pickle.load(view)
        data = buf[view.tell() : pos + 4 + size]
        if block_info[3]:
            data = zlib.decompress(data)
        if not data or data[0] != _MARK:  # a block in Whoosh's own (pickled) format
            return _whoosh_postings(reader, fieldname, btext, positions)
        b_ids, b_w, b_vl, b_blob = block_arrays(data)
        ids.append(b_ids)
        weights.append(b_w.astype(np.float64) if b_w is not None else np.ones(len(b_ids)))
        if positions:
            if b_vl is None:
                raise ValueError(f"{fieldname} has no positions")
            vlens.append(b_vl)
            blobs.append(b_blob)
        pos += 4 + size
        if last:
            break
    out_ids = np.concatenate(ids) if ids else _EMPTY
    out_w = np.concatenate(weights) if weights else np.zeros(0)
    if not positions:
        return Postings(out_ids, out_w)
    counts, flat = positions_arrays(np.concatenate(vlens), np.concatenate(blobs))
    return Postings(out_ids, out_w, counts, flat)


def _whoosh_postings(reader, fieldname: str, btext: bytes, positions: bool) -> Postings:
    """A term written in Whoosh's block format (weights it could not store compactly): read
    through Whoosh's matcher, deleted units included (the caller drops them)."""
    m = reader.postings(fieldname, btext)
    if isinstance(m, wrappers.FilterMatcher):
        m = m.child
    ids, weights, values = [], [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        if positions:
            values.append(m.value())
        m.next()
    return _from_lists(ids, weights, values if positions else None,
                       reader.schema[fieldname].format)


__all__ = ["Postings", "PostingReader", "PostingCache", "EMPTY", "WHOOSH_INTERNALS"]
