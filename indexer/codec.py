"""How a segment of units is written: the unit formats, the codec, and a numpy segment writer.

Profiling the build showed Whoosh's generic write path costing more than jieba itself: every
posting goes through a tuple pool that is sorted and spilled to disk, a Python call per
posting and per term, a hash-table term file. Here:

- ``FastSegmentWriter`` turns each unit's token lists into term numbers (C loops over a
  vocabulary dict: no Python per token) and keeps them in typed arrays; when the segment is
  written, numpy sorts them into postings, counts term frequencies and encodes positions, and
  ``packed_terms.PackedFieldWriter`` writes each field in bulk.
- ``Codec`` is Whoosh's W3 codec with the term dictionary and postings of ``packed_terms``;
  it is pickled into every segment: keep this import path.
- ``WordCounts`` and ``CompactPositions`` are the formats of the text fields: counts only as
  posting weights; positions as varint deltas.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator

import numpy as np
from whoosh.codec.whoosh3 import W3Codec
from whoosh.formats import Existence, Positions, tokens
from whoosh.util.varints import varint
from whoosh.writing import SegmentWriter

from indexer.packed_terms import FieldPostings, PackedFieldWriter, PackedTermsReader, has_values
from indexer.unit_arrays import SidecarBuilder, save_sidecar

SIDECAR_ONLY = ("ordinal",)  # given to FastSegmentWriter for the unit arrays, not indexed
SIDECAR_FIELDS = ("doc_id", "kind", "region", "year")  # indexed, and copied to the arrays
_MAX_LEN = 2**32 - 1
PART_TOKENS = 1_000_000  # a field's postings are sorted and written this many tokens at a time


def positions_arrays(vlens: np.ndarray, blob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decode ``CompactPositions`` values in bulk: (positions per posting, all positions as
    one int64 array in posting order). Values are varint deltas, restarted per posting."""
    n = len(vlens)
    if not len(blob):
        return np.zeros(n, np.int64), np.zeros(0, np.int64)
    end = (blob & 0x80) == 0  # the last byte of each varint
    if end.all():  # one byte each: the common case
        vals = blob.astype(np.int64)
        ends_before = np.arange(len(blob) + 1)
    else:
        starts = np.flatnonzero(np.concatenate(([True], end[:-1])))
        gid = np.concatenate(([0], np.cumsum(end[:-1])))
        shift = 7 * (np.arange(len(blob)) - starts[gid])
        vals = np.add.reduceat((blob & 0x7F).astype(np.int64) << shift, starts)
        ends_before = np.concatenate(([0], np.cumsum(end)))
    byte_off = np.concatenate(([0], np.cumsum(vlens, dtype=np.int64)))
    counts = ends_before[byte_off[1:]] - ends_before[byte_off[:-1]]
    cs = np.cumsum(vals)
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    base = np.concatenate(([0], cs))[first]
    return counts, cs - np.repeat(base, counts)


class WordCounts(Existence):
    """Term counts kept only as posting weights: no per-posting value bytes at all.

    BM25F reads the weight, so scoring sees the term frequency; nothing else needs it.
    """

    def word_values(self, value, analyzer, **kwargs):
        fb = self.field_boost
        if not isinstance(value, list):
            kwargs["boosts"] = True
            value = [t.text for t in tokens(value, analyzer, kwargs)]
        return ((w, n, n * fb, b"") for w, n in Counter(value).items())


class CompactPositions(Positions):
    """Positions as varint deltas only (Whoosh pickles a list and prefixes a 4-byte count)."""

    def word_values(self, value, analyzer, **kwargs):
        fb = self.field_boost
        poses: dict[str, list[int]] = defaultdict(list)
        if isinstance(value, list):
            for i, w in enumerate(value):
                poses[w].append(i)
        else:
            kwargs["positions"] = True
            for t in tokens(value, analyzer, kwargs):
                poses[t.text].append(t.pos)
        for w, plist in poses.items():
            yield (w, len(plist), len(plist) * fb, self.encode(plist))

    def encode(self, poslist):
        return encode_positions(poslist)

    def decode_positions(self, valuestring):
        positions = []
        pos = shift = acc = 0
        for byte in valuestring:
            acc |= (byte & 0x7F) << shift
            if byte & 0x80:
                shift += 7
                continue
            pos += acc
            positions.append(pos)
            acc = shift = 0
        return positions

    def decode_frequency(self, valuestring):
        return sum(1 for byte in valuestring if not byte & 0x80)

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost


class Codec(W3Codec):
    """W3Codec with ``packed_terms``' term dictionary and postings; pickled into every
    segment (the per-document files, lengths and columns stay Whoosh's)."""

    def field_writer(self, storage, segment):
        return PackedFieldWriter(storage, segment)

    def terms_reader(self, storage, segment):
        return PackedTermsReader(storage, segment)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        raise NotImplementedError("packed segments are read through PackedTermsReader.matcher")


_VARINTS = [varint(i) for i in range(1 << 14)]  # one or two bytes: almost every delta


def encode_positions(poslist) -> bytes:
    """Varint deltas of increasing positions (``varint_array`` is the same over arrays)."""
    if len(poslist) == 1 and poslist[0] < 16384:
        return _VARINTS[poslist[0]]
    out = []
    base = 0
    for pos in poslist:
        d = pos - base
        out.append(_VARINTS[d] if d < 16384 else varint(d))
        base = pos
    return b"".join(out)


def varint_array(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whoosh's varints of non-negative integers (seven bits a byte, low bits first, the high
    bit set on all but the last byte), all at once: (bytes, number of bytes per value)."""
    v = values.astype(np.int64) if values.dtype.itemsize > 4 else values
    nb = np.ones(len(v), np.uint8)
    for k in (7, 14, 21, 28, 35):
        nb += v >= (1 << k)
    off = np.cumsum(nb, dtype=np.int64)
    off -= nb
    out = np.empty(int(off[-1] + nb[-1]) if len(nb) else 0, np.uint8)
    for k in range(int(nb.max()) if len(nb) else 0):
        m = np.flatnonzero(nb > k) if k else slice(None)
        byte = ((v[m] >> (7 * k)) & 0x7F).astype(np.uint8)
        byte |= (nb[m] > k + 1).astype(np.uint8) << 7
        out[off[m] + k] = byte
    return out, nb


class _Vocabulary(dict):
    """Term numbers in order of first sight. A missing token gets the next number from
    ``__missing__``, which CPython calls from the dict's own lookup: mapping a unit's tokens is
    one C loop (``map(vocab.__getitem__, tokens)``), with Python only for new terms."""

    def __missing__(self, token: str) -> int:
        n = self[token] = len(self)
        return n


class _TokenField:
    """One token field of a segment being written: every unit's tokens as term numbers."""

    __slots__ = ("vocab", "tids", "units", "counts", "_last", "_last_tids")

    def __init__(self):
        self.vocab = _Vocabulary()
        self.tids = array("i")
        self.units = array("i")  # the units that have tokens here
        self.counts = array("i")  # and how many
        self._last: list[str] | None = None  # the previous unit's list, and its numbers:
        self._last_tids = array("i")  # a document's units share one title list

    def add(self, docnum: int, tokens: list[str]) -> None:
        if tokens is not self._last:
            self._last = tokens
            self._last_tids = array("i", map(self.vocab.__getitem__, tokens))
        self.tids.extend(self._last_tids)
        self.units.append(docnum)
        self.counts.append(len(tokens))

    def parts(self, positional: bool) -> Iterator[FieldPostings]:
        """The postings, in parts of about ``PART_TOKENS`` tokens' worth (numpy's sort and
        the varints take several bytes per token; in one go the bigrams of half the real
        corpus took 360 MB). Terms come sorted by their UTF-8 bytes (code point order of the
        str keys gives it), a term's units in order, a weight per unit (how often), and for
        positional fields the unit's positions of the term as varint deltas."""
        keys = list(self.vocab)
        order = sorted(range(len(keys)), key=keys.__getitem__)
        rank = np.empty(len(keys), np.int32)
        rank[order] = np.arange(len(keys), dtype=np.int32)
        counts = np.frombuffer(self.counts, np.int32)
        r = rank[np.frombuffer(self.tids, np.int32)]
        del rank
        self.tids = array("i")  # r replaces it
        docs = np.repeat(np.frombuffer(self.units, np.int32), counts)
        pos = None
        if positional:  # each token's position within its unit
            pos = np.arange(len(r), dtype=np.int32)
            pos -= np.repeat((np.cumsum(counts, dtype=np.int64) - counts).astype(np.int32),
                             counts)
        per_term = np.cumsum(np.bincount(r, minlength=len(keys)), dtype=np.int64)
        t0 = 0
        while t0 < len(keys):
            done = per_term[t0 - 1] if t0 else 0
            t1 = max(t0 + 1, int(np.searchsorted(per_term, done + PART_TOKENS, "right")))
            t1 = min(t1, len(keys))
            whole = t0 == 0 and t1 == len(keys)
            yield self._part([keys[i] for i in order[t0:t1]], t0, t1, r, docs, pos, whole)
            t0 = t1

    @staticmethod
    def _part(keys, t0, t1, r, docs, pos, whole: bool) -> FieldPostings:
        if whole:  # one part: every token (each term has at least one)
            idx = np.argsort(r, kind="stable")  # stable: units, then positions, in order
        else:
            idx = np.flatnonzero((r >= t0) & (r < t1))
            idx = idx[np.argsort(r[idx], kind="stable")]
        rp, dp = r[idx] - t0, docs[idx]
        new = np.ones(len(rp), bool)
        new[1:] = rp[1:] != rp[:-1]
        new[1:] |= dp[1:] != dp[:-1]
        pstart = np.flatnonzero(new)
        fp = FieldPostings([k.encode("utf-8") for k in keys],
                           np.searchsorted(rp[pstart], np.arange(t1 - t0 + 1)), dp[pstart],
                           np.diff(pstart, append=len(rp)).astype(np.int32))
        if pos is not None:
            delta = pos[idx]
            delta[1:] -= np.where(new[1:], 0, delta[:-1])  # restart at each posting
            fp.values, nb = varint_array(delta)
            fp.vlens = np.add.reduceat(nb, pstart, dtype=np.int64)
        return fp


class _GenericField:
    """A field analysed by Whoosh's own ``index()`` (ids, keywords, numbers): few terms a
    unit, kept per term."""

    def __init__(self):
        self.terms: dict[bytes, tuple[array, array, bytearray, array]] = {}

    def add(self, docnum: int, items) -> int:
        length = 0
        terms = self.terms
        for btext, freq, weight, vbytes in items:
            length += freq
            p = terms.get(btext)
            if p is None:
                p = terms[btext] = (array("I"), array("I"), bytearray(), array("I"))
            p[0].append(docnum)
            p[1].append(max(1, int(weight)))
            if vbytes:
                p[2].extend(vbytes)
            p[3].append(len(vbytes))
        return length

    def parts(self, positional: bool) -> Iterator[FieldPostings]:
        keys = sorted(self.terms)
        lists = [self.terms[k] for k in keys]
        sizes = np.fromiter((len(p[0]) for p in lists), np.int64, len(lists))
        starts = np.concatenate(([0], np.cumsum(sizes)))
        fp = FieldPostings(keys, starts, _joined(p[0] for p in lists),
                           _joined(p[1] for p in lists))
        if positional:
            fp.vlens = _joined(p[3] for p in lists)
            fp.values = np.frombuffer(b"".join(bytes(p[2]) for p in lists), np.uint8)
        yield fp


def _padded(lengths: array, n: int) -> array:
    """``lengths`` extended with zeros to ``n`` units (units without the field)."""
    if len(lengths) < n:
        lengths.extend(array("I", bytes(4 * (n - len(lengths)))))
    return lengths


def _joined(arrays) -> np.ndarray:
    out = array("I")
    for a in arrays:
        out.extend(a)
    return np.frombuffer(out, np.uint32).astype(np.int64)


class FastSegmentWriter(SegmentWriter):
    """Writes one new segment of units (no merging, no deletions: the parent writer does
    those). Token lists for WordCounts/CompactPositions fields take the term-number path;
    other fields (ids, keywords, numbers) go through Whoosh's own ``index()``.
    """

    def __init__(self, ix, **kwargs):
        kwargs.setdefault("codec", Codec())
        # Separate files, not one compound file: Whoosh reads a compound segment's files into
        # memory (BytesIO copies), which made a server's RSS grow with the index.
        kwargs.setdefault("compound", False)
        super().__init__(ix, _lk=False, **kwargs)
        self._fields: dict[str, _TokenField | _GenericField] = {}
        self._doclens: dict[str, array] = {}  # field -> length of that field in each unit
        self._sidecar = SidecarBuilder()
        self._indexed: dict[tuple, list] = {}

    def _index(self, name: str, field, value) -> list:
        """``field.index(value)``, remembered: a document's units share their doc_id, year and
        places, and Whoosh's analysis of them (a numeric field's shifted terms) cost more per
        unit than the words' postings."""
        key = (name, tuple(value) if isinstance(value, list) else value)
        found = self._indexed.get(key)
        if found is None:
            if len(self._indexed) > 4096:
                self._indexed.clear()
            found = self._indexed[key] = list(field.index(value))
        return found

    def add_document(self, **fields):
        """Index one unit. ``ordinal`` is no field of the schema: it goes, with ``doc_id``,
        ``kind``, ``region``, ``year`` and the field lengths, into the segment's unit arrays
        (``unit_arrays.SidecarBuilder``) and nowhere else."""
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        perdoc = self.perdocwriter
        perdoc.start_doc(docnum)
        unit = {k: fields.pop(k) for k in SIDECAR_ONLY if k in fields}
        unit.update((k, fields[k]) for k in SIDECAR_FIELDS if k in fields)
        lengths: dict[str, int] = {}
        for name in sorted(fields):
            if name.startswith("_"):
                raise ValueError(f"FastSegmentWriter does not support {name!r}")
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                length = self._add(name, field, docnum, value)
                if not field.scorable:
                    length = 0
                lengths[name] = length
                lens = _padded(self._doclens.setdefault(name, array("I")), docnum)
                lens.append(min(length, _MAX_LEN))
            perdoc.add_field(name, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdoc.add_column_value(name, column, field.to_column_value(value))
        perdoc.finish_doc()
        self._sidecar.add(unit, lengths)
        self._added = True
        self.docnum += 1

    def _add(self, name: str, field, docnum: int, value) -> int:
        tokenised = isinstance(value, list) and isinstance(field.format,
                                                           (WordCounts, CompactPositions))
        kind = _TokenField if tokenised else _GenericField
        target = self._fields.get(name)
        if target is None:
            target = self._fields[name] = kind()
        elif not isinstance(target, kind):
            raise ValueError(f"field {name!r} got both token lists and other values")
        if tokenised:
            if value:
                target.add(docnum, value)
            return len(value)
        return target.add(docnum, self._index(name, field, value))

    def _flush_segment(self):
        save_sidecar(self.storage.folder, self.newsegment, self._sidecar.arrays())
        self.perdocwriter.close()
        fw = self.fieldwriter
        for name in sorted(self._fields):
            lens = _padded(self._doclens.get(name, array("I")), self.docnum)
            for fp in self._fields[name].parts(has_values(self.schema[name].format)):
                fw.write_field(name, fp, np.frombuffer(lens, np.uint32))
        fw.close()
        self._fields = {}
        self._doclens = {}
        self._sidecar = SidecarBuilder()

