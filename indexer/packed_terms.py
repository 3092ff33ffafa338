"""A segment's term dictionary and postings in a format made for numpy, not Whoosh's hash file.

Issue 17 measured Whoosh's term file on the real corpus: per segment 330,000 terms whose keys
take 2 MB and whose values 13 MB, in a 27 MB file; the rest is the hash table (36 bytes a
term), and each value begins with a 23-byte header even for the 79 % of terms found in fewer
than eight units. Written term by term, it also cost a Python call chain per term. Here:

- ``.trm``: the terms of each field, sorted, in blocks of ``BLOCK_TERMS``. A block holds, as
  little-endian columns, its keys, each term's statistics (document frequency, total weight,
  largest weight, shortest and longest field length as Whoosh's length bytes, first and last
  unit), and the postings of its rare terms; the block is zlib-compressed as a whole, so the
  rare terms' postings compress together. A directory at the end gives each block's first key
  and offset; a reader loads only the directory and decodes a block when a term in it is asked.
- ``.pst``: the postings of terms whose postings exceed ``EXTERNAL_BYTES``, each on its own,
  zlib-compressed; the block gives their offset and length.
- Postings are columns too: unit numbers as deltas (u4), weights (u2), and for positional
  fields each posting's value length (u4) followed by the values (varint position deltas, as
  ``codec.CompactPositions`` encodes them).

``write_field`` takes a whole field as arrays (``codec.FastSegmentWriter`` makes them with
numpy: no Python per posting); ``PackedTermsReader`` is a Whoosh ``TermsReader`` (Whoosh's
own queries and deletions use it) and gives the query engine a term's postings as arrays.
"""

from __future__ import annotations

import os
import struct
import zlib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from threading import Lock

import numpy as np
from whoosh.codec.base import FieldCursor, TermsReader
from whoosh.matching import ListMatcher
from whoosh.reading import TermInfo, TermNotFound
from whoosh.util.numeric import _length_byte_cache

from indexer.integrity import Unreadable

MAGIC = b"PSTERMS1"
BLOCK_TERMS = 16
EXTERNAL_BYTES = 512  # a term's postings above this size go to the postings file
# zlib levels of term blocks and of long posting lists. On a sixth of the real corpus, 6 and 6
# gave 14.0 MB in 3.0 s of writing; 6 and 1, 15.0 MB in 2.2 s; 1 and 1, 15.5 MB in 1.7-2.0 s.
BLOCK_LEVEL = 6
POSTINGS_LEVEL = 1
_FOOTER = struct.Struct("<QQ8s")  # directory offset, its length, MAGIC
_BLOCK_HEAD = struct.Struct("<HH")  # terms in the block, of them external
_COMPRESSED = 1  # an external record's flag byte
_LENGTH_BYTES = np.asarray(_length_byte_cache, np.int64)


def length_bytes(lengths: np.ndarray) -> np.ndarray:
    """Whoosh's ``length_to_byte`` over an array (its field-length approximation)."""
    out = np.searchsorted(_LENGTH_BYTES, lengths, side="left")
    out[lengths >= 106374] = 255
    return out.astype(np.uint8)


def has_values(fmt) -> bool:
    """Whether a field's postings carry values (positions, Whoosh's frequency bytes): any
    format but those whose values are always empty (``fixed_value_size() == 0``)."""
    return fmt is not None and fmt.fixed_value_size() != 0


@dataclass
class FieldPostings:
    """One field's postings, terms sorted by their bytes; ``starts[t]:starts[t + 1]`` are term
    t's postings, in ascending unit order."""

    keys: list[bytes]
    starts: np.ndarray  # int64, len(keys) + 1
    ids: np.ndarray  # unit numbers within the segment
    weights: np.ndarray  # term frequency per posting
    vlens: np.ndarray | None = None  # positional fields: bytes of each posting's value
    values: np.ndarray | None = None  # uint8, every posting's value in turn


class PackedFieldWriter:
    """Writes a segment's ``.trm`` and ``.pst`` (the codec's field writer).

    ``write_field`` is the fast path; ``add_postings`` takes Whoosh's generic stream of
    sorted postings, so a stock ``SegmentWriter`` with this codec writes the same format."""

    def __init__(self, storage, segment):
        self._terms = storage.create_file(segment.make_filename(".trm"))
        self._posts = storage.create_file(segment.make_filename(".pst"))
        self._terms.write(MAGIC)
        self._posts.write(MAGIC)
        self._tpos = self._ppos = len(MAGIC)
        # per field: name, positional, terms, each block's first key, block offsets (+ end)
        self._directory: list[list] = []
        self.is_closed = False

    def write_field(self, name: str, fp: FieldPostings, doclens: np.ndarray) -> None:
        """Write one field, or the next part of it (its terms after the last part's: the
        segment writer bounds its memory so); ``doclens`` gives the field's length in every
        unit (for the statistics)."""
        n = len(fp.keys)
        if n == 0:
            return
        starts = fp.starts.astype(np.int64)
        first, last = starts[:-1], starts[1:] - 1
        ids = fp.ids.astype(np.int64)
        weights = np.minimum(fp.weights, 0xFFFF).astype("<u2")
        df = np.diff(starts)
        stats = _term_stats(df, first, last, ids, weights, doclens)
        deltas = np.empty(len(ids), "<u4")
        deltas[:] = ids
        deltas[1:] -= ids[:-1].astype("<u4")
        deltas[first] = ids[first]
        positional = fp.vlens is not None
        rec = df * 6
        if positional:
            vlens = fp.vlens.astype("<u4")
            voff = np.zeros(len(vlens) + 1, np.int64)
            np.cumsum(vlens, out=voff[1:])
            vstart = voff[starts]
            rec = rec + 4 * df + np.diff(vstart)
        external = rec > EXTERNAL_BYTES
        block_first: list[bytes] = []
        block_offsets: list[int] = []
        for b0 in range(0, n, BLOCK_TERMS):
            b1 = min(n, b0 + BLOCK_TERMS)
            ext = np.flatnonzero(external[b0:b1]) + b0
            ext_offsets = np.zeros(len(ext), "<u8")
            ext_lengths = np.zeros(len(ext), "<u4")
            for i, t in enumerate(ext):
                p0, p1 = starts[t], starts[t + 1]
                parts = [deltas[p0:p1].tobytes(), weights[p0:p1].tobytes()]
                if positional:
                    parts.append(vlens[p0:p1].tobytes())
                    parts.append(fp.values[vstart[t] : vstart[t + 1]].tobytes())
                record = bytes((_COMPRESSED,)) + zlib.compress(b"".join(parts), POSTINGS_LEVEL)
                ext_offsets[i], ext_lengths[i] = self._ppos, len(record)
                self._posts.write(record)
                self._ppos += len(record)
            keys = fp.keys[b0:b1]
            parts = [_BLOCK_HEAD.pack(b1 - b0, len(ext)),
                     np.fromiter(map(len, keys), "<u4", b1 - b0).tobytes(), b"".join(keys)]
            parts.extend(col[b0:b1].tobytes() for col in stats)
            parts.append(np.asarray(external[b0:b1], np.uint8).tobytes())
            parts.append(ext_offsets.tobytes())
            parts.append(ext_lengths.tobytes())
            inline = _ranges(starts, b0, b1, external)
            parts.append(deltas[inline].tobytes())
            parts.append(weights[inline].tobytes())
            if positional:
                parts.append(vlens[inline].tobytes())
                parts.append(fp.values[_ranges(vstart, b0, b1, external)].tobytes())
            block = zlib.compress(b"".join(parts), BLOCK_LEVEL)
            block_first.append(keys[0])
            block_offsets.append(self._tpos)
            self._terms.write(block)
            self._tpos += len(block)
        block_offsets.append(self._tpos)
        last = self._directory[-1] if self._directory else None
        if last is not None and last[0] == name:  # the next part of the same field
            if block_first[0] <= last[3][-1]:
                raise ValueError(f"the parts of field {name!r} are out of key order")
            last[2] += n
            last[3].extend(block_first)
            last[4][-1:] = block_offsets
        else:
            self._directory.append([name, positional, n, block_first, block_offsets])

    def add_postings(self, schema, lengths, items) -> None:
        """Whoosh's generic path: ``items`` are sorted (field, bytes, unit, weight, value)."""
        current, rows = None, []
        for fieldname, btext, docnum, weight, value in items:
            if docnum < 0:  # Whoosh's spelling-graph entries: no postings
                continue
            if fieldname != current:
                if rows:
                    self._write_rows(schema, lengths, current, rows)
                current, rows = fieldname, []
            rows.append((btext, docnum, weight, value))
        if rows:
            self._write_rows(schema, lengths, current, rows)

    def _write_rows(self, schema, lengths, name: str, rows: list) -> None:
        field = schema[name]
        keys = list(dict.fromkeys(r[0] for r in rows))
        index = {k: i for i, k in enumerate(keys)}
        starts = np.searchsorted(np.fromiter((index[r[0]] for r in rows), np.int64, len(rows)),
                                 np.arange(len(keys) + 1))
        ids = np.fromiter((r[1] for r in rows), np.int64, len(rows))
        weights = np.fromiter((max(1, round(r[2])) for r in rows), np.int64, len(rows))
        vlens = values = None
        if has_values(field.format):
            vlens = np.fromiter((len(r[3]) for r in rows), np.int64, len(rows))
            values = np.frombuffer(b"".join(r[3] for r in rows), np.uint8)
        top = int(ids.max()) + 1
        doclens = np.array([(lengths.doc_field_length(i, name) or 0) if lengths else 0
                            for i in range(top)], np.int64)
        self.write_field(name, FieldPostings(keys, starts, ids, weights, vlens, values), doclens)

    def close(self) -> None:
        if self.is_closed:
            return
        parts = []
        for name, positional, n, first, offsets in self._directory:
            bname = name.encode("utf-8")
            parts.append(struct.pack("<H", len(bname)) + bname)
            parts.append(struct.pack("<BII", positional, n, len(first)))
            parts.append(np.asarray(offsets, "<u8").tobytes())
            parts.append(np.fromiter(map(len, first), "<u4", len(first)).tobytes())
            parts.append(b"".join(first))
        directory = zlib.compress(struct.pack("<H", len(self._directory)) + b"".join(parts))
        self._terms.write(directory)
        self._terms.write(_FOOTER.pack(self._tpos, len(directory), MAGIC))
        self._terms.close()
        self._posts.close()
        self.is_closed = True


def _ranges(starts: np.ndarray, b0: int, b1: int, external: np.ndarray) -> np.ndarray:
    """Indices ``starts[t]:starts[t + 1]`` of the block's terms t that are not external."""
    keep = np.flatnonzero(~external[b0:b1]) + b0
    if not len(keep):
        return np.zeros(0, np.int64)
    lo, hi = starts[keep], starts[keep + 1]
    size = hi - lo
    return np.repeat(lo - np.concatenate(([0], np.cumsum(size)[:-1])), size) + \
        np.arange(int(size.sum()))


def _term_stats(df, first, last, ids, weights, doclens) -> list[np.ndarray]:
    """Per term: df, total weight, largest weight, shortest and longest length (as bytes),
    first and last unit: what Whoosh's TermInfo carries (in ``_STAT_CODES``' types)."""
    w = weights.astype(np.int64)
    total = np.add.reduceat(w, first).astype("<u4")
    maxw = np.maximum.reduceat(weights, first).astype("<u2")
    lens = np.asarray(doclens, np.int64)[ids] if len(doclens) else np.zeros(len(ids), np.int64)
    minlen = length_bytes(np.minimum.reduceat(lens, first))
    maxlen = length_bytes(np.maximum.reduceat(lens, first))
    return [df.astype("<u4"), total, maxw, minlen, maxlen, ids[first].astype("<u4"),
            ids[last].astype("<u4")]


_STAT_CODES = "IIHBBII"  # struct codes of _term_stats' columns, little-endian
_STAT_SIZES = tuple(struct.calcsize(c) for c in _STAT_CODES)
_STAT_STARTS = tuple(sum(_STAT_SIZES[:c]) for c in range(len(_STAT_SIZES) + 1))


def _split_keys(data: bytes, pos: int, lengths) -> tuple[list[bytes], int]:
    """The keys stored back to back at ``pos`` with these lengths, and where they end."""
    keys = []
    for size in lengths:
        keys.append(data[pos : pos + size])
        pos += size
    if pos > len(data):
        raise ValueError("keys run past the end")
    return keys, pos


class _Block:
    """One block: its keys decoded, everything else read where it lies when a term is asked
    (a query asks one term of a block; decoding all its columns cost more than the read)."""

    __slots__ = ("data", "keys", "m", "e", "positional", "_stats", "_flags", "_ext", "_post")

    def __init__(self, data: bytes, positional: bool):
        m, e = _BLOCK_HEAD.unpack_from(data)
        pos = _BLOCK_HEAD.size
        keys, pos = _split_keys(data, pos + 4 * m, struct.unpack_from(f"<{m}I", data, pos))
        self.data, self.keys, self.m, self.e, self.positional = data, keys, m, e, positional
        self._stats = pos
        self._flags = pos + m * _STAT_STARTS[-1]
        self._ext = self._flags + m
        self._post = self._ext + 12 * e
        if self._post > len(data):  # so statistics, flags and extents read in bounds
            raise ValueError("term columns run past the block")

    def stat(self, column: int, i: int) -> int:
        at = self._stats + self.m * _STAT_STARTS[column] + _STAT_SIZES[column] * i
        return struct.unpack_from("<" + _STAT_CODES[column], self.data, at)[0]

    def is_external(self, i: int) -> bool:
        return self.data[self._flags + i] != 0

    def extent(self, i: int) -> tuple[int, int]:
        """Offset and length in the postings file of external term i."""
        k = self.data[self._flags : self._flags + i].count(1)  # external terms before it
        offset = struct.unpack_from("<Q", self.data, self._ext + 8 * k)[0]
        length = struct.unpack_from("<I", self.data, self._ext + 8 * self.e + 4 * k)[0]
        return offset, length

    def inline(self, i: int, positions: bool) -> TermPostings:
        """Inline term i's postings (its values too when ``positions`` and the field has)."""
        m, data = self.m, self.data
        df = struct.unpack_from(f"<{m}I", data, self._stats)
        flags = data[self._flags : self._flags + m]
        before = sum(d for d, f in zip(df[:i], flags[:i], strict=True) if not f)
        total = before + sum(d for d, f in zip(df[i:], flags[i:], strict=True) if not f)
        n, p = df[i], self._post
        if p + 6 * total > len(data):
            raise ValueError("postings run past the block")
        ids = np.frombuffer(data, "<u4", n, p + 4 * before).cumsum(dtype=np.int64)
        weights = np.frombuffer(data, "<u2", n, p + 4 * total + 2 * before)
        if not (positions and self.positional):
            return TermPostings(ids, weights, None, None)
        vlens_all = np.frombuffer(data, "<u4", before + n, p + 6 * total)
        v0 = p + 10 * total + int(vlens_all[:before].sum(dtype=np.int64))
        vlens = vlens_all[before:]
        return TermPostings(ids, weights, vlens,
                            np.frombuffer(data, np.uint8, int(vlens.sum(dtype=np.int64)), v0))

    def info(self, i: int) -> TermInfo:
        df, total, maxw, minlen, maxlen, minid, maxid = (self.stat(c, i) for c in range(7))
        info = TermInfo(total, df, None, 0, maxw, minid, maxid)
        info._minlength = _length_byte_cache[minlen]
        info._maxlength = _length_byte_cache[maxlen]
        return info


@dataclass(frozen=True)
class TermPostings:
    """A term's postings in one segment as arrays (see ``PackedTermsReader.arrays``)."""

    ids: np.ndarray  # int64 unit numbers within the segment
    weights: np.ndarray  # uint16
    vlens: np.ndarray | None  # bytes of each posting's value (positional fields)
    values: np.ndarray | None  # uint8


class _Directories:
    """Parsed block directories shared by every reader of the same file in this process (a
    server opens one reader per thread per segment; each directory is about 170,000 small
    objects, 3.5 MB, on the real corpus). Keyed by the file's path, size and modification
    time, so a file replaced in place is parsed again; a few generations' worth are kept."""

    LIMIT = 32

    def __init__(self):
        self._items: dict[tuple, dict] = {}
        self._lock = Lock()

    def get(self, key: tuple | None, parse) -> dict:
        if key is None:
            return parse()
        with self._lock:
            found = self._items.get(key)
        if found is None:
            found = parse()
            with self._lock:
                while len(self._items) >= self.LIMIT:
                    self._items.pop(next(iter(self._items)))
                self._items[key] = found
        return found


_DIRECTORIES = _Directories()


def _file_key(storage, name: str) -> tuple | None:
    folder = getattr(storage, "folder", None)
    if not folder:
        return None
    try:
        st = os.stat(os.path.join(folder, name))
    except OSError:
        return None
    return (os.path.join(folder, name), st.st_size, st.st_mtime_ns, st.st_ino)


class PackedTermsReader(TermsReader):
    """Reads ``PackedFieldWriter``'s files. Keeps each field's block directory in memory
    (shared between readers of one file) and the last few decoded blocks; one reader serves
    one thread (the files are read with seek + read)."""

    CACHE_BLOCKS = 16

    def __init__(self, storage, segment):
        self._tname = segment.make_filename(".trm")
        self._tfile = storage.open_file(self._tname)
        self._pname = segment.make_filename(".pst")
        self._pfile = storage.open_file(self._pname)
        try:
            size = storage.file_length(self._tname)
            self._fields = _DIRECTORIES.get(_file_key(storage, self._tname),
                                            lambda: self._directory(size))
        except BaseException:
            self.close()
            raise
        self._blocks: dict[tuple[str, int], _Block] = {}
        self._lock = Lock()

    def _directory(self, size: int) -> dict[str, _Field]:
        if size < len(MAGIC) + _FOOTER.size:
            raise Unreadable(f"{self._tname}: too short for a term file")
        offset, length, magic = _FOOTER.unpack(self._tfile.get(size - _FOOTER.size,
                                                               _FOOTER.size))
        if magic != MAGIC or offset + length + _FOOTER.size != size:
            raise Unreadable(f"{self._tname}: no term directory at its end")
        return _read_directory(self._tfile.get(offset, length), self._tname)

    # ---- the query engine's path -------------------------------------------------------

    def arrays(self, fieldname: str, btext: bytes, positions: bool = False):
        """The term's postings as ``TermPostings``, or None when the segment lacks it."""
        found = self._find(fieldname, btext)
        if found is None:
            return None
        return self._postings(fieldname, btext, *found, positions)

    def _postings(self, fieldname, btext, block, i, positions):
        try:
            if block.is_external(i):
                return self._external(fieldname, btext, block, i, positions)
            return block.inline(i, positions)
        except (struct.error, ValueError, IndexError) as e:
            raise Unreadable(f"{self._tname}: postings of {fieldname}:{btext!r}: {e}") from None

    def _external(self, fieldname, btext, block, i, positions):
        df = block.stat(0, i)
        offset, length = block.extent(i)
        raw = self._pfile.get(offset, length)
        where = f"{self._pname}: postings of {fieldname}:{btext!r}"
        if len(raw) != length or not raw or raw[0] != _COMPRESSED:
            raise Unreadable(f"{where}: record cut short or damaged")
        try:
            data = zlib.decompress(raw[1:])
        except zlib.error as e:
            raise Unreadable(f"{where}: {e}") from None
        if len(data) < 6 * df:
            raise Unreadable(f"{where}: record cut short")
        ids = np.frombuffer(data, "<u4", df).cumsum(dtype=np.int64)
        weights = np.frombuffer(data, "<u2", df, 4 * df)
        if not (positions and block.positional):
            return TermPostings(ids, weights, None, None)
        vlens = np.frombuffer(data, "<u4", df, 6 * df)
        return TermPostings(ids, weights, vlens, np.frombuffer(data, np.uint8, offset=10 * df))

    def _find(self, fieldname: str, btext: bytes):
        field = self._fields.get(fieldname)
        if field is None:
            return None
        b = bisect_right(field.first, btext) - 1
        if b < 0:
            return None
        block = self._block(fieldname, field, b)
        i = bisect_left(block.keys, btext)
        if i < len(block.keys) and block.keys[i] == btext:
            return block, i
        return None

    def _block(self, fieldname: str, field, b: int) -> _Block:
        key = (fieldname, b)
        block = self._blocks.get(key)
        if block is not None:
            return block
        start, end = field.offsets[b], field.offsets[b + 1]
        raw = self._tfile.get(start, end - start)
        try:
            block = _Block(zlib.decompress(raw), field.positional)
        except (zlib.error, ValueError, struct.error) as e:
            raise Unreadable(f"{self._tname}: block {b} of {fieldname}: {e}") from None
        with self._lock:
            if len(self._blocks) >= self.CACHE_BLOCKS:
                self._blocks.pop(next(iter(self._blocks)))
            self._blocks[key] = block
        return block

    # ---- Whoosh's TermsReader ------------------------------------------------------------

    def __contains__(self, term) -> bool:
        fieldname, btext = term
        return self._find(fieldname, btext) is not None

    def indexed_field_names(self):
        return list(self._fields)

    def term_info(self, fieldname, btext):
        found = self._find(fieldname, btext)
        if found is None:
            raise TermNotFound(f"No term {fieldname}:{btext!r}")
        block, i = found
        return block.info(i)

    def frequency(self, fieldname, btext):
        found = self._find(fieldname, btext)
        return 0 if found is None else found[0].stat(1, found[1])

    def doc_frequency(self, fieldname, btext):
        found = self._find(fieldname, btext)
        return 0 if found is None else found[0].stat(0, found[1])

    def matcher(self, fieldname, btext, format_, scorer=None):
        found = self._find(fieldname, btext)
        if found is None:
            raise TermNotFound(f"No term {fieldname}:{btext!r}")
        block, i = found
        tp = self._postings(fieldname, btext, block, i, positions=True)
        values = None
        if tp.vlens is not None:
            ends = np.cumsum(tp.vlens, dtype=np.int64)
            blob = tp.values.tobytes()
            values = [blob[e - n : e] for e, n in zip(ends.tolist(), tp.vlens.tolist(), strict=True)]
        elif has_values(format_):
            values = [b""] * len(tp.ids)
        return ListMatcher(tp.ids.tolist(), tp.weights.astype(np.float32).tolist(), values,
                           format_, scorer=scorer, term=(fieldname, btext),
                           terminfo=block.info(i))

    def _iter_field(self, fieldname: str, start: bytes = b""):
        field = self._fields[fieldname]
        for b in range(max(0, bisect_right(field.first, start) - 1), len(field.first)):
            block = self._block(fieldname, field, b)
            for i in range(bisect_left(block.keys, start), len(block.keys)):
                yield block.keys[i], block, i

    def _walk(self, fieldname: str = "", prefix: bytes = b""):
        """(field, key, block, i) of every term from ``fieldname``:``prefix`` on, fields in
        the directory's (sorted) order."""
        for name in self._fields:
            if name >= fieldname:
                for key, block, i in self._iter_field(name, prefix if name == fieldname else b""):
                    yield name, key, block, i

    def terms(self):
        return ((name, key) for name, key, _, _ in self._walk())

    def terms_from(self, fieldname, prefix):
        return ((name, key) for name, key, _, _ in self._walk(fieldname, prefix))

    def items(self):
        return (((name, key), block.info(i)) for name, key, block, i in self._walk())

    def items_from(self, fieldname, prefix):
        return (((name, key), block.info(i))
                for name, key, block, i in self._walk(fieldname, prefix))

    def cursor(self, fieldname, fieldobj):
        return _Cursor(self, fieldname, fieldobj)

    def close(self):
        self._tfile.close()
        self._pfile.close()


@dataclass
class _Field:
    positional: bool
    count: int
    first: list[bytes]
    offsets: list[int]


def _read_directory(raw: bytes, name: str) -> dict[str, _Field]:
    try:
        data = zlib.decompress(raw)
        (nfields,) = struct.unpack_from("<H", data)
        pos = 2
        fields = {}
        for _ in range(nfields):
            (size,) = struct.unpack_from("<H", data, pos)
            pos += 2
            fname = data[pos : pos + size].decode("utf-8")
            pos += size
            positional, count, nblocks = struct.unpack_from("<BII", data, pos)
            pos += 9
            offsets = np.frombuffer(data, "<u8", nblocks + 1, pos).tolist()
            pos += 8 * (nblocks + 1)
            first, pos = _split_keys(data, pos + 4 * nblocks,
                                     np.frombuffer(data, "<u4", nblocks, pos).tolist())
            fields[fname] = _Field(bool(positional), count, first, offsets)
        return fields
    except (zlib.error, struct.error, ValueError, UnicodeDecodeError) as e:
        raise Unreadable(f"{name}: term directory unreadable ({e})") from None


class _Cursor(FieldCursor):
    """Whoosh's field cursor (automaton queries walk terms with it)."""

    def __init__(self, reader: PackedTermsReader, fieldname: str, fieldobj):
        self._reader, self._fieldname, self._fieldobj = reader, fieldname, fieldobj
        self.first()

    def _seek(self, start: bytes):
        self._it = (self._reader._iter_field(self._fieldname, start)
                    if self._fieldname in self._reader._fields else iter(()))
        self.next()

    def first(self):
        self._seek(b"")
        return self.term()

    def find(self, term):
        if not isinstance(term, bytes):
            term = self._fieldobj.to_bytes(term)
        self._seek(term)
        return self.term()

    def next(self):
        self._current = next(self._it, None)
        return self.term()

    def is_valid(self):
        return self._current is not None

    def term(self):
        return None if self._current is None else self._fieldobj.from_bytes(self._current[0])

    def text(self):
        return self.term()

    def term_info(self):
        return None if self._current is None else self._current[1].info(self._current[2])
