"""A faster way to write Whoosh segments of pre-tokenized units, and a smaller block format.

Profiling the build showed Whoosh's generic write path costing more than jieba itself: every
posting goes through a tuple pool that is sorted and spilled to disk, a column lookup per
posting for block length statistics, and a Python call per posting; blocks are pickled tuples
(nine bytes per float weight). Here:

- ``FastSegmentWriter`` keeps postings per term in typed arrays as units arrive (a unit's
  document number only grows, so nothing is ever sorted but the term list) and hands each term's
  postings to the block writer in bulk, with the field lengths it already knows.
- ``CompactPostingsWriter`` writes blocks as little-endian arrays (ids as deltas, integer
  weights, value lengths + bytes) under zlib, and inlines the postings of rare terms into the
  term index (Whoosh's own inlining path calls a misspelt method).
- ``CompactLeafMatcher`` reads both that format and Whoosh's pickled blocks.

Both classes are pickled into each segment through ``Codec``: keep this import path.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from collections import Counter, defaultdict
from itertools import accumulate
from operator import sub
from pickle import dumps, loads

import numpy as np
from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldCursor,
    W3LeafMatcher,
    W3PostingsWriter,
    W3TermInfo,
    W3TermsReader,
)
from whoosh.formats import Existence, Positions, tokens
from whoosh.reading import TermNotFound
from whoosh.system import emptybytes
from whoosh.util.numeric import length_to_byte
from whoosh.util.varints import varint
from whoosh.writing import SegmentWriter

from indexer.unit_arrays import SidecarBuilder, save_sidecar

INLINE_LIMIT = 8  # postings of terms found in fewer units are kept in the term index
# Postings per block: the query engine decodes whole posting lists with numpy, so a block is
# a unit of I/O and zlib, not of skipping; large blocks mean few per-block Python steps.
BLOCK_LIMIT = 1024
SIDECAR_ONLY = ("ordinal",)  # given to FastSegmentWriter for the unit arrays, not indexed
SIDECAR_FIELDS = ("doc_id", "kind", "region", "year")  # indexed, and copied to the arrays
_MARK = 0xC1  # a pickle (protocol 2) starts with 0x80, so this cannot be mistaken for one
_HEAD = struct.Struct("<BBH")  # mark, flags, count
_WEIGHTS, _VALUES = 1, 2
_BIG = sys.byteorder == "big"
_MAX_LEN = 2**32 - 1


def _le(arr: array) -> bytes:
    if _BIG:
        arr = array(arr.typecode, arr)
        arr.byteswap()
    return arr.tobytes()


def _from_le(typecode: str, data) -> array:
    arr = array(typecode)
    arr.frombytes(data)
    if _BIG:
        arr.byteswap()
    return arr


def encode_block(ids, weights, values, raw=None) -> bytes | None:
    """The compact form of one block, or None when it does not fit (then Whoosh's is used).

    ``values`` is a list of byte strings, or ``raw`` gives them as (lengths array, joined)."""
    n = len(ids)
    wl = weights.tolist() if isinstance(weights, array) else list(weights)
    wi = list(map(int, wl))
    if n > 0xFFFF or wi != wl or min(wi) <= 0 or max(wi) > 0xFFFF:
        return None
    deltas = array("I", ids)
    if n > 1:
        deltas[1:] = array("I", map(sub, deltas[1:], deltas[:-1]))
    flags = 0
    parts = [b"", _le(deltas)]
    if wi.count(1) != n:
        flags |= _WEIGHTS
        parts.append(_le(array("H", wi)))
    if raw is not None:
        flags |= _VALUES
        parts.append(_le(raw[0]))
        parts.append(raw[1])
    elif values:
        lengths = array("H")
        try:
            lengths.extend(map(len, values))
        except OverflowError:
            return None
        if len(values) != n:
            return None
        flags |= _VALUES
        parts.append(_le(lengths))
        parts.append(emptybytes.join(values))
    parts[0] = _HEAD.pack(_MARK, flags, n)
    return b"".join(parts)


def decode_block(data: bytes) -> tuple[tuple[int, ...], array | None, tuple[bytes, ...] | None]:
    """(ids, weights or None for all 1, values or None) of a compact block."""
    ids, weights, at = decode_head(data)
    return ids, weights, (decode_values(data, at, len(ids)) if at is not None else None)


def decode_head(data: bytes) -> tuple[tuple[int, ...], array | None, int | None]:
    """Ids and weights of a compact block, and where its values start (None: no values).

    Scoring needs no values: a term's positions are decoded only when a phrase asks."""
    mark, flags, n = _HEAD.unpack_from(data)
    assert mark == _MARK
    view = memoryview(data)
    pos = _HEAD.size
    ids = tuple(accumulate(_from_le("I", view[pos : pos + 4 * n])))
    pos += 4 * n
    weights = None
    if flags & _WEIGHTS:
        weights = array("f", _from_le("H", view[pos : pos + 2 * n]))
        pos += 2 * n
    return ids, weights, (pos if flags & _VALUES else None)


def decode_values(data: bytes, pos: int, n: int) -> tuple[bytes, ...]:
    lengths = _from_le("H", memoryview(data)[pos : pos + 2 * n])
    pos += 2 * n
    out = []
    for size in lengths:
        out.append(data[pos : pos + size])
        pos += size
    return tuple(out)


def block_arrays(data: bytes) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None,
                                       np.ndarray | None]:
    """A compact block as numpy arrays: ids (int64), weights (None: all 1), value lengths and
    the joined value bytes (None: no values). The query engine's decoder: no Python per
    posting."""
    mark, flags, n = _HEAD.unpack_from(data)
    if mark != _MARK:
        raise ValueError("not a compact block")
    pos = _HEAD.size
    ids = np.frombuffer(data, "<u4", n, pos).cumsum(dtype=np.int64)
    pos += 4 * n
    weights = vlens = blob = None
    if flags & _WEIGHTS:
        weights = np.frombuffer(data, "<u2", n, pos)
        pos += 2 * n
    if flags & _VALUES:
        vlens = np.frombuffer(data, "<u2", n, pos)
        pos += 2 * n
        blob = np.frombuffer(data, np.uint8, offset=pos)
    return ids, weights, vlens, blob


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


_INLINED_COMPACT = 2  # W3TermInfo's flag byte: 0 a pointer, 1 pickled inline postings


class CompactTermInfo(W3TermInfo):
    """W3TermInfo whose inlined postings are a compact block instead of a pickle.

    Issue 17 measured the term files (``.trm``) on the real corpus: 71 % of the terms have
    their postings inlined, and the pickle of three tuples (ids, float weights, values) took
    110 bytes on average, 23 MB of each 46 MB file. ``encode_block`` says the same in about a
    tenth. The 23-byte header is Whoosh's (``read_weight``/``read_doc_freq`` read it in
    place); only the flag (``_INLINED_COMPACT``) and the tail differ. Postings it cannot
    encode (fractional weights) stay pickled."""

    def to_bytes(self):
        if self.is_inlined():
            ids, weights, values = self._inlined
            block = encode_block(ids, weights, values)
            if block is not None:  # the header as W3TermInfo.to_bytes packs it
                return self._struct.pack(
                    _INLINED_COMPACT, self._weight, self._df,
                    0 if self._minlength is None else length_to_byte(self._minlength),
                    length_to_byte(self._maxlength), self._maxweight,
                    0xFFFFFFFF if self._minid is None else self._minid,
                    0xFFFFFFFF if self._maxid is None else self._maxid) + block
        return super().to_bytes()

    @classmethod
    def from_bytes(cls, s):
        if s[0] != _INLINED_COMPACT:
            return super().from_bytes(s)
        # the header as a pointer's (flag 0, a zero offset and length), then our postings
        info = super().from_bytes(b"\0" + s[1 : cls._struct.size] + bytes(12))
        ids, weights, values = decode_block(s[cls._struct.size :])
        info._offset = info._length = None
        info._inlined = (ids, weights if weights is not None else array("f", [1.0] * len(ids)),
                         list(values) if values is not None else [])
        return info


class CompactTermsReader(W3TermsReader):
    """W3TermsReader that decodes ``CompactTermInfo``: the four places that decode a term's
    info name the class, so each is repeated here with ours."""

    def items(self):
        return ((self._keydecoder(k), CompactTermInfo.from_bytes(v))
                for k, v in self._tindex.items())

    def items_from(self, fieldname, prefix):
        return ((self._keydecoder(k), CompactTermInfo.from_bytes(v))
                for k, v in self._tindex.items_from(self._keycoder(fieldname, prefix)))

    def term_info(self, fieldname, tbytes):
        try:
            return CompactTermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)])
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None

    def cursor(self, fieldname, fieldobj):
        return _CompactCursor(self._tindex, fieldname, self._keycoder, self._keydecoder,
                              fieldobj)


class _CompactCursor(W3FieldCursor):
    def term_info(self):
        if self._pos is None:
            return None
        return CompactTermInfo.from_bytes(self._tindex.dbfile.get(self._datapos, self._datalen))


class CompactPostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer with compact blocks, working inlining and a bulk add."""

    def start_postings(self, format_, terminfo):
        super().start_postings(format_, CompactTermInfo())

    def finish_postings(self):
        terminfo = self._terminfo
        if not self.written() and len(self) < self._inlinelimit:
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()

    def _write_block(self, last=False, raw=None):
        data = encode_block(self._ids, self._weights, self._values, raw)
        if data is None:
            return super()._write_block(last)
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        comp = self._compression
        if comp:
            data = zlib.compress(data, comp)
        ids = self._ids
        info = dumps((len(ids), ids[-1], self._maxweight, comp,
                      length_to_byte(self._minlength), length_to_byte(self._maxlength)), 2)
        length = len(info) + len(data)
        self._postfile.write_int(-length if last else length)
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()

    def add_many(self, ids, weights, vblob, vlens, doclens) -> None:
        """All of a term's postings at once, in document order: typed arrays, with
        ``vblob``/``vlens`` (joined values and their lengths) for positional fields, and
        ``doclens`` giving every document's field length for the block statistics.

        Full blocks are encoded straight from the arrays; a rare term's few postings are left
        in the buffer for ``finish_postings`` to inline.
        """
        assert not self.written() and not len(self), "add_many takes a whole term"
        n = len(ids)
        limit = self._blocklimit
        voff = 0
        for i in range(0, n, limit):
            j = min(n, i + limit)
            block_ids = ids[i:j]
            ws = weights[i:j]
            self._ids = block_ids
            self._weights = array("f", ws)
            self._maxweight = max(ws)
            lengths = list(map(doclens.__getitem__, block_ids))
            self._minlength, self._maxlength = min(lengths), max(lengths)
            raw = None
            if vblob is not None:
                vl = vlens[i:j]
                size = sum(vl)
                raw = (vl, bytes(vblob[voff : voff + size]))
                voff += size
            if n < self._inlinelimit:  # stays buffered: finish_postings inlines it
                if raw is not None:
                    self._values = _split(raw)
                return
            self._write_block(last=j == n, raw=raw)


def _split(raw) -> list[bytes]:
    lengths, blob = raw
    out, pos = [], 0
    for size in lengths:
        out.append(blob[pos : pos + size])
        pos += size
    return out


class CompactLeafMatcher(W3LeafMatcher):
    """Reads compact blocks (and Whoosh's pickled ones)."""

    def _read_data(self):
        datalen = self._nextoffset - self._dataoffset
        b = self._postfile.get(self._dataoffset, datalen)
        if self._compression:
            b = zlib.decompress(b)
        if b and b[0] == _MARK:
            ids, weights, at = decode_head(b)
            self._compact = (ids, b, at)
            self._data = (None, weights, None)
        else:
            self._compact = None
            self._data = loads(b)

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        if getattr(self, "_compact", None) is not None:
            self._ids = self._compact[0]
        else:
            super()._read_ids()

    def _read_values(self):
        if self._data is None:
            self._read_data()
        compact = getattr(self, "_compact", None)
        if compact is not None and self._fixedsize != 0:
            ids, b, at = compact
            self._values = (decode_values(b, at, len(ids)) if at is not None
                            else (emptybytes,) * self._blocklength)
        else:
            super()._read_values()


class Codec(W3Codec):
    """W3Codec with compact blocks and working inlining; pickled into every segment."""

    def __init__(self, blocklimit=BLOCK_LIMIT, compression=3, inlinelimit=INLINE_LIMIT):
        super().__init__(blocklimit, compression, inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return CompactPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                     compression=self._compression,
                                     inlinelimit=self._inlinelimit)

    def terms_reader(self, storage, segment):
        tiname = segment.make_filename(self.TERMS_EXT)
        return CompactTermsReader(self, storage.open_file(tiname), storage.file_length(tiname),
                                  segment.open_file(storage, self.POSTS_EXT))

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return CompactLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


_VARINTS = [varint(i) for i in range(1 << 14)]  # one or two bytes: almost every delta


def encode_positions(poslist) -> bytes:
    """Varint deltas of increasing positions."""
    if len(poslist) == 1 and poslist[0] < 16384:
        return _VARINTS[poslist[0]]
    out = []
    base = 0
    for pos in poslist:
        d = pos - base
        out.append(_VARINTS[d] if d < 16384 else varint(d))
        base = pos
    return b"".join(out)


class _Postings:
    """One term's postings while a segment is being written."""

    __slots__ = ("ids", "weights", "vblob", "vlens")

    def __init__(self, positional: bool):
        self.ids = array("I")
        self.weights = array("H")
        self.vblob = bytearray() if positional else None
        self.vlens = array("H") if positional else None


def _term(terms: dict, key: str | bytes, positional: bool) -> _Postings:
    p = terms.get(key)
    if p is None:
        p = terms[key] = _Postings(positional)
    return p


class FastSegmentWriter(SegmentWriter):
    """Writes one new segment of units (no merging, no deletions: the parent writer does
    those). Token lists for WordCounts/CompactPositions fields take a direct path; other
    fields (ids, keywords, numbers) go through Whoosh's own ``index()``.
    """

    def __init__(self, ix, **kwargs):
        kwargs.setdefault("codec", Codec())
        # Separate files, not one compound file: Whoosh reads a compound segment's term index
        # and postings into memory (BytesIO copies), which made a server's RSS grow with the
        # index; plain files are read through the page cache.
        kwargs.setdefault("compound", False)
        super().__init__(ix, _lk=False, **kwargs)
        self._postings: dict[str, dict[str | bytes, _Postings]] = {}
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
                terms = self._postings.setdefault(name, {})
                fmt = field.format
                if isinstance(value, list) and isinstance(fmt, WordCounts):
                    length = _add_counts(terms, docnum, value)
                elif isinstance(value, list) and isinstance(fmt, CompactPositions):
                    length = _add_positions(terms, docnum, value)
                else:
                    length = _add_generic(terms, docnum, self._index(name, field, value),
                                          fmt.fixed_value_size() != 0)
                if not field.scorable:
                    length = 0
                lengths[name] = length
                lens = self._doclens.setdefault(name, array("I"))
                if len(lens) < docnum:
                    lens.extend(array("I", bytes(4 * (docnum - len(lens)))))
                lens.append(min(length, _MAX_LEN))
            perdoc.add_field(name, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdoc.add_column_value(name, column, field.to_column_value(value))
        perdoc.finish_doc()
        self._sidecar.add(unit, lengths)
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        save_sidecar(self.storage.folder, self.newsegment, self._sidecar.arrays())
        self.perdocwriter.close()
        fw = self.fieldwriter
        schema = self.schema
        for name in sorted(self._postings):
            field = schema[name]
            terms = self._postings[name]
            lens = self._doclens.get(name, array("I"))
            if len(lens) < self.docnum:
                lens.extend(array("I", bytes(4 * (self.docnum - len(lens)))))
            fw.start_field(name, field)
            add_to_term_index = fw._tindex.add
            prefix = _FIELD_ID.pack(fw._fieldid)
            limit = fw._postwriter._inlinelimit
            for key in sorted(terms):  # str keys: code point order == UTF-8 byte order
                p = terms[key]
                btext = key.encode("utf-8") if isinstance(key, str) else key
                if len(p.ids) < limit:
                    info = inlined_terminfo(p, lens)
                    if info is not None:
                        add_to_term_index(prefix + btext, info)
                        continue
                fw.start_term(btext)
                fw._postwriter.add_many(p.ids, p.weights, p.vblob, p.vlens, lens)
                fw.finish_term()
            fw.finish_field()
        fw.close()
        self._postings = {}
        self._doclens = {}
        self._sidecar = SidecarBuilder()


_FIELD_ID = struct.Struct("!H")  # W3FieldWriter's key prefix (pack_ushort)


def inlined_terminfo(p: _Postings, doclens: array) -> bytes | None:
    """The term-index value of a rare term (``CompactTermInfo.to_bytes`` of its postings),
    made straight from its arrays: 79 % of the terms of the real corpus are this rare, and
    going through Whoosh's postings writer (a TermInfo, a block, its statistics) cost more
    per term than all the rest of writing a segment. None when the compact block cannot
    hold them."""
    ids, weights = p.ids, p.weights
    values = _split((p.vlens, bytes(p.vblob))) if p.vblob is not None else []
    block = encode_block(ids, weights, values)
    if block is None:
        return None
    lengths = [doclens[i] for i in ids]
    return CompactTermInfo._struct.pack(
        _INLINED_COMPACT, float(sum(weights)), len(ids), length_to_byte(min(lengths)),
        length_to_byte(max(lengths)), float(max(weights)), ids[0], ids[-1]) + block


def _add_counts(terms: dict, docnum: int, tokens: list[str]) -> int:
    get = terms.get
    for w, n in Counter(tokens).items():
        p = get(w)
        if p is None:
            p = terms[w] = _Postings(False)
        p.ids.append(docnum)
        p.weights.append(n if n < 0xFFFF else 0xFFFF)
    return len(tokens)


def _add_positions(terms: dict, docnum: int, tokens: list[str]) -> int:
    # most tokens of a unit occur once: keep an int, make a list only for repeats
    seen: dict[str, int | list[int]] = {}
    for i, w in enumerate(tokens):
        first = seen.get(w)
        if first is None:
            seen[w] = i
        elif type(first) is int:
            seen[w] = [first, i]
        else:
            first.append(i)
    get = terms.get
    varints = _VARINTS
    for w, pos in seen.items():
        p = get(w)
        if p is None:
            p = terms[w] = _Postings(True)
        p.ids.append(docnum)
        if type(pos) is int:
            p.weights.append(1)
            v = varints[pos] if pos < 16384 else varint(pos)
        else:
            n = len(pos)
            p.weights.append(n if n < 0xFFFF else 0xFFFF)
            v = encode_positions(pos)
        p.vblob += v
        p.vlens.append(len(v))
    return len(tokens)


def _add_generic(terms: dict, docnum: int, items, positional: bool) -> int:
    length = 0
    for btext, freq, weight, vbytes in items:
        length += freq
        p = _term(terms, btext, positional)
        p.ids.append(docnum)
        w = int(weight)
        p.weights.append(w if 0 < w < 0xFFFF else (1 if w <= 0 else 0xFFFF))
        if positional:
            p.vblob += vbytes
            p.vlens.append(len(vbytes))
    return length
